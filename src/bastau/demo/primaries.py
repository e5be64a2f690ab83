"""Demo step 4: primaries (DESIGN.md section 4, issue 3 item 11).

Three campaigns:

- ``mugalzhar-reserve-2019``: the finished selection for the Mugalzhar district branch's
  personnel reserve in autumn 2019: 73 candidates (44 nominated by POOs, 29 self-nominated;
  27 women, 37%; 31 under 35 on voting day, 42%), about 2,000 members who voted online or on
  paper at five rural polling stations, a board sealed in checkpoints of about 300 ballots,
  the signed tally, the list of 20 built under the party-2019 quotas, results published and
  the campaign closed after the complaints period;
- ``aktobe-maslikhat-2026``: a regional maslikhat-list campaign in voting now (it closes a week
  from the day the demo is built), 18 registered candidates for a list of 10, with encrypted
  ballots (``bastau.demo.e2e``: three demo trustees, any two decrypt; the simulated credential
  authority): about 30 encrypted ballots already cast, most of them sealed in batches; the demo
  member is on the roll, holds the credential `bastau demo_logins` prints, and has not voted;
- ``mugalzhar-youth-council-e2e``: a small encrypted selection finished two months before the
  demo's day (six candidates, list of three): 36 encrypted online ballots and a polling
  station's paper ballots, the close, the tally, two trustees' shares, the result, the list
  and the protocol; its record verifies with `bastau verify_election`.

Encrypted ballots each carry their proofs, so the demo casts few of them (a few dozen).

Both go through the real actions of ``bastau.primaries.services`` (create_campaign,
set_commission_member, advance, nominate, set_candidate_status, open_voting, cast_online,
submit_paper_entry, seal, close_voting, publish_results), so the demo holds what the product
would hold: real trackers, checkpoints signed with the board key, participations apart from
ballots, the audit trail. The actions read the time from ``django.utils.timezone.now``; the
step replays each campaign on a simulated clock (``_clock``), so that a nomination of
September 2019 is dated then, the 2019 ballots fall within their voting window and the
checkpoints carry the minutes they were sealed in 2019. The clock is set only while the step
runs, in this process.

Two shortcuts, both writing exactly the rows the actions would:

- ``open_voting`` freezes *today's* members; a 2019 campaign's roll is the membership of 2019,
  so the step rewrites that roll to the members on voting day (joined before it and not yet
  left), former members included;
- the 2019 campaign's ~1,800 online ballots are written in bulk by ``_OnlineBallots`` (through
  ``cast_online`` one by one they take about ten seconds on SQLite); the open campaign's few
  hundred ballots do go through ``cast_online``.

The random choices come from ``ctx.rng("primaries...")``; ballot nonces are random
(``secrets``), as in production, so trackers differ between builds.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from bastau.accounts.models import Role, User
from bastau.accounts.scoping import Scope
from bastau.core.choices import Sex
from bastau.core.models import AuditEvent
from bastau.lib.dates import add_years, age_on
from bastau.members.models import Member
from bastau.primaries import board, encrypted, services
from bastau.primaries.e2e.hashing import b64e
from bastau.primaries.models import (
    Ballot,
    Campaign,
    Candidate,
    Checkpoint,
    CommissionMember,
    Contest,
    E2EBallotPath,
    E2ECredential,
    E2ECredentialList,
    E2EElection,
    E2EEvent,
    E2ETrustee,
    EncryptedBallot,
    ListBallotCount,
    ListResult,
    PaperBatch,
    PaperBatchEntry,
    Participation,
    PendingBallot,
    TurnoutCount,
    VoterRollEntry,
)
from bastau.reception.services import work_calendar
from bastau.structure.models import PrimaryOrganization

from . import DEMO_PASSWORD, DemoContext, Step, e2e, password_hash
from .structure import DEMO_DISTRICT, demo_poos
from .util import raw_delete

RESERVE_SLUG = "mugalzhar-reserve-2019"
OPEN_SLUG = "aktobe-maslikhat-2026"
E2E_SLUG = "mugalzhar-youth-council-e2e"
SLUGS = (RESERVE_SLUG, OPEN_SLUG, E2E_SLUG)

RESERVE_TITLE = "Мұғалжар аудандық филиалының кадрлық резервіне ішкі партиялық іріктеу (2019)"
OPEN_TITLE = (
    "Ақтөбе облыстық мәслихатына партиялық тізім бойынша кандидаттарды ішкі партиялық іріктеу"
)
OPEN_MASLIKHAT = "Ақтөбе облыстық мәслихаты"

# The 2019 selection's calendar (local time, Asia/Aqtobe).
CREATED = dt.datetime(2019, 8, 26, 10, 0)
NOMINATION_STARTS = dt.date(2019, 9, 2)
NOMINATION_ENDS = dt.date(2019, 9, 20)
REGISTRATION_ENDS = dt.date(2019, 10, 4)
VOTING_STARTS = dt.datetime(2019, 10, 14, 9, 0)
VOTING_ENDS = dt.datetime(2019, 10, 16, 20, 0)
RESULTS_DATE = dt.date(2019, 10, 18)
COMPLAINTS_END = dt.date(2019, 10, 25)
REFERENCE_DATE = VOTING_ENDS.date()
RESERVE_SEED = "mugalzhar-reserve-2019/жеребе-4817"

#: (sex, under 35 on voting day) -> candidates: 27 women (37.0%), 31 young (42.5%) of 73.
RESERVE_CANDIDATES = {
    (Sex.FEMALE, True): 12,
    (Sex.FEMALE, False): 15,
    (Sex.MALE, True): 19,
    (Sex.MALE, False): 27,
}
RESERVE_POO_NOMINATED = 44  # of 73; the other 29 nominated themselves
RESERVE_VOTERS = 2000
RESERVE_TURNOUT = 0.85  # the most of the 2019 roll that votes (small demos)
PAPER_STATIONS = 5
SEAL_EVERY = 300

#: The open campaign: 20 nominated, one withdraws and one is refused, 18 registered.
OPEN_CANDIDATES = {
    (Sex.FEMALE, True): 3,
    (Sex.FEMALE, False): 5,
    (Sex.MALE, True): 4,
    (Sex.MALE, False): 8,
}
OPEN_VOTERS = 30  # encrypted ballots, each with its proofs: a few dozen
#: One batch: each seal rereads the record, whose SETUP event holds the region-wide
#: credential list (about 34,000 keys, 2.4 MB), so the demo seals once.
OPEN_SEAL_EVERY = 1000
OPEN_UNSEALED = 4  # the last ballots wait for the next batch

#: (username, role in the 2019 commission, role in the open campaign's commission or None).
COMMISSION = (
    ("commission", CommissionMember.Role.CHAIR, CommissionMember.Role.CHAIR),
    ("commission2", CommissionMember.Role.DEPUTY, CommissionMember.Role.SECRETARY),
    ("commission3", CommissionMember.Role.SECRETARY, CommissionMember.Role.MEMBER),
    ("commission4", CommissionMember.Role.MEMBER, None),
    ("commission5", CommissionMember.Role.MEMBER, None),
)
COMMISSION_USERNAMES = tuple(row[0] for row in COMMISSION)

K = PrimaryOrganization.WorkplaceKind
#: Workplace kind -> (education, occupation) of a candidate from such a POO.
PROFILES = {
    K.SCHOOL: (
        ("жоғары (педагогика)", "мұғалім"),
        ("жоғары (филология)", "директордың оқу ісі жөніндегі орынбасары"),
        ("жоғары (психология)", "педагог-психолог"),
    ),
    K.HOSPITAL: (
        ("жоғары (медицина)", "дәрігер"),
        ("жоғары (медицина)", "бөлім меңгерушісі"),
        ("арнаулы орта (медбике ісі)", "аға мейірбике"),
    ),
    K.GOVERNMENT: (
        ("жоғары (мемлекеттік басқару)", "бас маман"),
        ("жоғары (құқықтану)", "бөлім басшысы"),
        ("жоғары (экономика)", "жетекші маман"),
    ),
    K.ENTERPRISE: (
        ("жоғары (мұнай-газ ісі)", "инженер"),
        ("арнаулы орта (локомотив шаруашылығы)", "машинист"),
        ("арнаулы орта (техник)", "цех шебері"),
        ("жоғары (экономика)", "экономист"),
    ),
    K.COLLEGE: (
        ("жоғары (педагогика)", "оқытушы"),
        ("жоғары (ауыл шаруашылығы)", "өндірістік оқыту шебері"),
    ),
    K.AGRICULTURE: (
        ("жоғары (агрономия)", "шаруа қожалығының басшысы"),
        ("арнаулы орта (агроном)", "агроном"),
        ("арнаулы орта (механизация)", "механизатор"),
    ),
    K.VILLAGE: (
        ("жоғары (экономика)", "ауылдық округ әкімі аппаратының маманы"),
        ("арнаулы орта (бухгалтерия)", "кәсіпкер"),
        ("жоғары (мәдениеттану)", "ауылдық клуб меңгерушісі"),
    ),
    K.NEIGHBOURHOOD: (
        ("жоғары (экономика)", "кәсіпкер"),
        ("жоғары (құқықтану)", "заңгер"),
        ("арнаулы орта (құрылыс)", "пәтер иелері кооперативінің төрағасы"),
    ),
    K.OTHER: (
        ("жоғары (тарих)", "әдіскер"),
        ("жоғары (мәдениеттану)", "мәдениет қызметкері"),
    ),
}
PROGRAM_POINTS = (
    "ауыл жастарын жұмыспен қамтуға және кәсіп ашуға жәрдемдесу",
    "мектептер мен балабақшалардағы орын тапшылығын азайту",
    "ауыз су мен ауылішілік жолдардың жөнделуін партиялық бақылауға алу",
    "азаматтардың өтініштерін «Халыққа көмек» қабылдауында уақтылы қарау",
    "шағын және орта бизнесті қолдау бағдарламаларын халыққа түсіндіру",
    "ардагерлер мен мүмкіндігі шектеулі жандарға қамқорлықты күшейту",
    "бастауыш партия ұйымдарының жұмысын жандандыру",
    "жастар арасында еріктілік пен спортты дамыту",
    "аудандық аурухана мен амбулаториялардағы қызмет сапасын арттыру",
    "бюджет қаражатының жұмсалуын ашық ету және қоғамдық бақылау",
    "көп балалы отбасыларды тұрғын үймен қамту кезегін ашық ету",
    "аудан орталықтарындағы көше жарығы мен аулаларды абаттандыру",
)


# --------------------------------------------------------------------------- the clock

_real_now = timezone.now


class _Clock:
    moment: dt.datetime | None = None

    def now(self) -> dt.datetime:
        return self.moment if self.moment is not None else _real_now()

    def set(self, moment: dt.datetime) -> None:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        self.moment = moment


@contextmanager
def _clock() -> Iterator[_Clock]:
    """Point django.utils.timezone.now (which the actions and auto_now fields call) at a clock
    the step sets, for as long as the step runs."""
    clock = _Clock()
    original = timezone.now
    timezone.now = clock.now
    try:
        yield clock
    finally:
        timezone.now = original


@dataclass(frozen=True)
class _Voter:
    """A member casting a ballot, as services.cast_online sees the signed-in user."""

    member_id: int
    is_authenticated: bool = True


class _OnlineBallots:
    """services.cast_online for many members at once, for the 2019 campaign's ~1,800 online
    ballots (one by one they would take ten seconds): the same rows, written in bulk.

    Per ballot, as cast_online: the choices checked (known candidates, sorted, at most k: the
    board's own check), a fresh nonce and tracker from board.new_ballot, one Participation
    (online, the day only) and one PendingBallot. The voters come from the roll, once each; the
    unique constraint would refuse a second ballot here as well. Pending ballots are written in
    tracker order, so not even the pending table keeps the order of arrival.
    """

    def __init__(self, campaign: Campaign, contest: Contest):
        self.campaign = campaign
        self.contest = contest
        self.board = services.board_campaign(campaign)
        self.votes: list[tuple[int, list[str], dt.date]] = []

    def cast(self, member_id: int, choices: list[str], day: dt.date) -> None:
        self.votes.append((member_id, choices, day))

    def flush(self) -> None:
        if not self.votes:
            return
        list_id = None if self.board.lists is None else self.contest.code  # bastau-board/2
        made = [
            board.new_ballot(self.board, choices, list_id=list_id) for _m, choices, _d in self.votes
        ]
        Participation.objects.bulk_create(
            (
                Participation(
                    campaign=self.campaign,
                    member_id=member_id,
                    channel=Participation.Channel.ONLINE,
                    voted_on=day,
                )
                for member_id, _c, day in self.votes
            ),
            batch_size=500,
        )
        PendingBallot.objects.bulk_create(
            (
                PendingBallot(
                    tracker=b.tracker,
                    campaign=self.campaign,
                    contest=self.contest,
                    nonce=b.nonce,
                    choices=list(b.choices),
                )
                for b in sorted(made, key=lambda b: b.tracker)
            ),
            batch_size=500,
        )
        self.votes = []


# --------------------------------------------------------------------------- helpers


def _aware(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _working_moment(rng, low: dt.date, high: dt.date) -> dt.datetime:
    """A weekday working-hours moment in [low, high] (naive, local)."""
    days = [
        low + dt.timedelta(days=d)
        for d in range((high - low).days + 1)
        if (low + dt.timedelta(days=d)).weekday() < 5
    ] or [low]
    return dt.datetime.combine(rng.choice(days), dt.time(rng.randint(9, 17), rng.randrange(60)))


def _batches(election) -> str:
    count = election.events.filter(type="BATCH").count()
    return f"{count} batch" + ("" if count == 1 else "es")


def _cast_encrypted(election, campaign, code: str, member_id: int, x: bytes, chosen) -> None:
    """The member's ballot as the browser builds it, cast as e2e/cast/ casts it."""
    question = next(q for q in encrypted.manifest_of(election).data["questions"] if q["id"] == code)
    ids = [c["id"] for c in question["candidates"]]
    data = e2e.make_ballot(election, code, x, [int(cid in chosen) for cid in ids])
    encrypted.cast(_Voter(member_id), campaign, code, data)


def _checkpoints(campaign: Campaign) -> str:
    count = campaign.checkpoints.count()
    return f"{count} checkpoint" + ("" if count == 1 else "s")


def _young(member: Member, reference: dt.date) -> bool:
    return age_on(member.birth_date, reference) < 35


def _pick_candidates(rng, members, targets: dict, reference: dt.date, ages) -> list[Member]:
    """Members of each (sex, under 35) group aged within `ages` on the reference date, as many
    as the targets ask for (fewer in a small demo), in random order."""
    groups: dict[tuple, list[int]] = {key: [] for key in targets}
    for pk, sex, birth_date in members.order_by("iin").values_list("pk", "sex", "birth_date"):
        age = age_on(birth_date, reference)
        key = (sex, age < 35)
        if ages[0] <= age <= ages[1] and key in groups:
            groups[key].append(pk)
    chosen = []
    for key, wanted in targets.items():
        chosen += rng.sample(groups[key], min(wanted, len(groups[key])))
    rng.shuffle(chosen)
    found = Member.objects.select_related("poo").in_bulk(chosen)
    return [found[pk] for pk in chosen]


def _biography(rng, member: Member, reference: dt.date) -> str:
    poo = member.poo
    kind = poo.workplace_kind if poo.workplace_kind in PROFILES else K.OTHER
    education, occupation = rng.choice(PROFILES[kind])
    if kind in (K.VILLAGE, K.NEIGHBOURHOOD):
        place = f"Тұрғылықты жері — {poo.address.split(', ')[0]}; {occupation}."
    else:
        place = f"Жұмыс орны — {poo.name.removesuffix(' БПҰ')}, {occupation}."
    text = (
        f"{member.birth_date.year} жылы туған. Білімі — {education}. {place} "
        f"{member.joined_on.year} жылдан бері партия мүшесі."
    )
    if _young(member, reference) and rng.random() < 0.5:
        text += " Партияның жастар қанатының белсендісі."
    return text


def _program(rng) -> str:
    points = rng.sample(PROGRAM_POINTS, 3)
    return (
        "Негізгі бағыттарым:\n" + "\n".join(f"— {p};" for p in points[:-1]) + f"\n— {points[-1]}."
    )


def _weights(rng, candidates, reference: dt.date, front: int, stars: int) -> list[float]:
    """Popularity: log-normal, with `front` front-runners well ahead and a few of them widely
    known. As in the 2019 selections, women and the young are fewer among the front-runners
    than among the candidates (about a fifth and a sixth), which is what the quotas are for:
    the list then shows departures from the vote order, each explained."""
    women = [c for c in candidates if c.sex == Sex.FEMALE]
    men = [c for c in candidates if c.sex != Sex.FEMALE]
    leading = set()
    for group, share in ((women, 0.2), (men, 0.8)):
        young = [c for c in group if _young(c, reference)]
        older = [c for c in group if not _young(c, reference)]
        wanted = round(front * share)
        few_young = min(len(young), max(1, round(wanted * 0.16)))
        leading |= {c.pk for c in rng.sample(young, few_young)}
        leading |= {c.pk for c in rng.sample(older, min(len(older), wanted - few_young))}
    weights = [
        math.exp(rng.gauss(1.1, 0.4) if c.pk in leading else rng.gauss(-0.6, 0.5))
        for c in candidates
    ]
    for index in rng.sample([i for i, c in enumerate(candidates) if c.pk in leading], stars):
        weights[index] *= 2.5
    return weights


def _choose(rng, ids: list[str], weights: list[float], k: int) -> list[str]:
    """k distinct ids, drawn with the given weights (Efraimidis-Spirakis keys)."""
    keys = sorted(((rng.random() ** (1.0 / w), cid) for cid, w in zip(ids, weights, strict=True)))
    return [cid for _key, cid in keys[-k:]]


def _ballot(rng, candidates, weights, home: int, home_of, k_weights) -> list[str]:
    """A ballot of a voter whose POO (or branch) is `home`: candidates from it weigh more."""
    ids = [c.board_id for c in candidates]
    local = [
        w * (2.5 if home_of(c) == home else 1.0) for c, w in zip(candidates, weights, strict=True)
    ]
    k = rng.choices(range(1, len(k_weights) + 1), k_weights)[0]
    return _choose(rng, ids, local, min(k, len(ids)))


def _commission_users(ctx: DemoContext, rng) -> dict[str, User]:
    """The election commission's users (created once): Mugalzhar members, demo password."""
    users = {u.username: u for u in User.objects.filter(username__in=COMMISSION_USERNAMES)}
    missing = [name for name in COMMISSION_USERNAMES if name not in users]
    if not missing:
        return users
    linked = User.objects.filter(member__isnull=False).values("member_id")
    pool = list(
        Member.objects.filter(
            poo__branch__code=DEMO_DISTRICT,
            status=Member.Status.ACTIVE,
            joined_on__lt=NOMINATION_STARTS - dt.timedelta(days=365),
            birth_date__range=(add_years(ctx.today, -62), dt.date(1985, 1, 1)),
        )
        .exclude(pk__in=linked)
        .order_by("iin")
    )
    chosen = rng.sample(pool, len(COMMISSION_USERNAMES))
    # One hash for all (Argon2 takes half a second each; the demo password is public anyway).
    password = password_hash()
    for number, (username, member) in enumerate(zip(COMMISSION_USERNAMES, chosen, strict=True)):
        if username not in missing:
            continue
        user = User(
            username=username,
            role=Role.MEMBER,
            member=member,
            first_name=member.first_name,
            last_name=member.last_name,
            email=f"{username}@bastau.example",
            phone=f"+7700555020{number + 1}",
        )
        user.password = password
        user.save()
        users[username] = user
        ctx.log(f"  user {username} (election commission)")
    return users


# --------------------------------------------------------------------------- 2019 reserve


def _roll_on(campaign: Campaign, day: dt.date) -> list[int]:
    """The campaign branch's members on `day`: joined by then, not left, not suspended then."""
    return list(
        Member.objects.filter(poo__branch=campaign.branch, joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .exclude(status=Member.Status.SUSPENDED, status_changed_on__lte=day)
        .order_by("iin")
        .values_list("pk", flat=True)
    )


def _seed_reserve(ctx: DemoContext, rng, clock: _Clock, commission: dict[str, User]) -> None:
    district = ctx.branch(DEMO_DISTRICT)
    secretary = Scope(ctx.user("secretary"))
    chair = Scope(commission["commission"])
    clerks = [Scope(commission["commission2"]), Scope(commission["commission3"])]

    clock.set(CREATED)
    campaign = services.create_campaign(
        secretary,
        data={
            "encrypted": False,
            "slug": RESERVE_SLUG,
            "title": RESERVE_TITLE,
            "kind": Campaign.Kind.PERSONNEL_RESERVE,
            "branch": district,
            "nomination_starts": NOMINATION_STARTS,
            "nomination_ends": NOMINATION_ENDS,
            "registration_ends": REGISTRATION_ENDS,
            "voting_starts": timezone.make_aware(VOTING_STARTS),
            "voting_ends": timezone.make_aware(VOTING_ENDS),
            "results_date": RESULTS_DATE,
            "complaints_end": COMPLAINTS_END,
            "choose_up_to": 5,
            "list_length": 20,
            "quota_rules": Campaign.Rules.PARTY_2019,
            "reference_date": REFERENCE_DATE,
            "tie_break_seed": RESERVE_SEED,
        },
    )
    for username, role, _open_role in COMMISSION:
        services.set_commission_member(secretary, campaign, user=commission[username], role=role)

    # Nomination: members of at least a month's standing, 23 to 60 on voting day.
    clock.set(_aware(NOMINATION_STARTS, 9))
    services.advance(secretary, campaign)
    linked = User.objects.filter(member__isnull=False).values("member_id")
    eligible = Member.objects.filter(
        poo__branch=district,
        status=Member.Status.ACTIVE,
        joined_on__lt=NOMINATION_STARTS - dt.timedelta(days=30),
    ).exclude(pk__in=linked)
    people = _pick_candidates(rng, eligible, RESERVE_CANDIDATES, REFERENCE_DATE, (23, 60))
    by_poo = round(len(people) * RESERVE_POO_NOMINATED / sum(RESERVE_CANDIDATES.values()))
    moments = sorted(
        _working_moment(rng, NOMINATION_STARTS, NOMINATION_ENDS) for _ in range(len(people))
    )
    protocols: Counter[int] = Counter()
    candidates = []
    for index, (member, moment) in enumerate(zip(people, moments, strict=True)):
        clock.set(moment)
        extra = {}
        if index < by_poo:
            protocols[member.poo_id] += 1
            extra = dict(
                nominating_poo=member.poo,
                poo_decision_date=moment.date() - dt.timedelta(days=rng.randint(1, 6)),
                poo_protocol_number=f"{rng.randint(4, 9)}-{protocols[member.poo_id]}",
            )
        candidates.append(
            services.nominate(
                secretary,
                campaign,
                member,
                nomination=Candidate.Nomination.POO if extra else Candidate.Nomination.SELF,
                biography=_biography(rng, member, REFERENCE_DATE),
                program=_program(rng),
                **extra,
            )
        )

    # Registration by the commission.
    clock.set(_aware(NOMINATION_ENDS + dt.timedelta(days=3), 9))
    services.advance(secretary, campaign)
    moments = sorted(
        _working_moment(rng, NOMINATION_ENDS + dt.timedelta(days=3), REGISTRATION_ENDS)
        for _ in candidates
    )
    for candidate, moment in zip(candidates, moments, strict=True):
        clock.set(moment)
        services.set_candidate_status(chair, candidate, status=Candidate.Status.REGISTERED)

    if len(candidates) < campaign.list_length:  # a small demo
        campaign.list_length = len(candidates)
        Campaign.objects.filter(pk=campaign.pk).update(list_length=len(candidates))

    # Voting opens: the roll is the membership of 2019 (see the module's docstring).
    clock.set(VOTING_STARTS - dt.timedelta(minutes=30))
    services.advance(secretary, campaign)
    contest = campaign.contests.get()
    roll = _roll_on(campaign, VOTING_STARTS.date())
    raw_delete(VoterRollEntry.objects.filter(campaign=campaign))
    VoterRollEntry.objects.bulk_create(
        (VoterRollEntry(campaign=campaign, contest=contest, member_id=pk) for pk in roll),
        batch_size=500,
    )

    # Who votes, and where: five rural polling stations take paper ballots.
    count = min(RESERVE_VOTERS, round(len(roll) * RESERVE_TURNOUT))
    voters = rng.sample(roll, count)
    home = dict(Member.objects.filter(pk__in=voters).values_list("pk", "poo_id"))
    rural = list(
        PrimaryOrganization.objects.filter(
            branch=district, workplace_kind__in=[K.VILLAGE, K.AGRICULTURE]
        ).order_by("code")
    )
    stations = rng.sample(rural, min(PAPER_STATIONS, len(rural)))
    paper: dict[int, list[int]] = {s.pk: [] for s in stations}
    online = []
    for pk in voters:
        if home[pk] in paper and rng.random() < 0.8:
            paper[home[pk]].append(pk)
        else:
            online.append(pk)

    weights = _weights(rng, candidates, REFERENCE_DATE, front=20, stars=4)
    home_poo = {c.board_id: c.member.poo_id for c in candidates}
    k_weights = (10, 12, 18, 22, 38)

    def ballot(voter):
        return _ballot(
            rng, candidates, weights, home[voter], lambda c: home_poo[c.board_id], k_weights
        )

    # Online ballots in time order, most in the working day and the evening; paper batches are
    # typed in by two commission members on the last afternoon. Seal every ~300 ballots.
    days = [VOTING_STARTS.date() + dt.timedelta(days=d) for d in range(3)]
    hours = list(range(9, 20))
    hour_weights = (6, 9, 10, 9, 7, 8, 8, 9, 10, 9, 6)
    times = sorted(
        dt.datetime.combine(
            rng.choices(days, (40, 33, 27))[0],
            dt.time(rng.choices(hours, hour_weights)[0], rng.randrange(60), rng.randrange(60)),
        )
        for _ in online
    )
    batch_times = sorted(
        dt.datetime.combine(VOTING_ENDS.date(), dt.time(rng.randint(15, 18), rng.randrange(60)))
        for _ in stations
    )
    events = [(t, "online", pk) for t, pk in zip(times, online, strict=True)]
    events += [(t, "paper", s.pk) for t, s in zip(batch_times, stations, strict=True)]
    events.sort()
    station_by_pk = {s.pk: s for s in stations}
    online_ballots = _OnlineBallots(campaign, contest)
    pending = 0
    next_seal = rng.randint(SEAL_EVERY - 40, SEAL_EVERY + 40)
    typo_shown = False
    for moment, channel, key in events:
        clock.set(moment)
        if channel == "online":
            online_ballots.cast(key, ballot(key), moment.date())
            pending += 1
        elif paper[key]:
            online_ballots.flush()
            ids = paper[key]
            ballots = [ballot(pk) for pk in ids]
            typo_shown |= _enter_paper_batch(
                rng, clerks, campaign, station_by_pk[key], ids, ballots, typo=not typo_shown
            )
            pending += len(ids)
        if pending >= next_seal:
            online_ballots.flush()
            services.seal(campaign)
            pending = 0
            next_seal = rng.randint(SEAL_EVERY - 40, SEAL_EVERY + 40)
    online_ballots.flush()

    # Close, count, publish; close the campaign after the complaints period.
    clock.set(VOTING_ENDS + dt.timedelta(minutes=12))
    services.advance(chair, campaign)
    clock.set(_aware(RESULTS_DATE, 11))
    services.advance(chair, campaign)
    clock.set(_aware(COMPLAINTS_END + dt.timedelta(days=3), 10))
    services.advance(secretary, campaign)
    campaign.refresh_from_db()
    ctx.log(
        f"  {RESERVE_SLUG}: {len(candidates)} candidates, {campaign.tally['ballots']:,} ballots "
        f"of {len(roll):,} on the roll, {_checkpoints(campaign)}"
    )


def _enter_paper_batch(rng, clerks, campaign, poo, voter_ids, ballots, *, typo: bool) -> bool:
    """Two commission members type in a station's batch (the ballots in any order). With
    `typo`, the second typing first differs in one ballot: both typings are discarded and the
    batch is typed in again, as the commission would. Returns whether a typo was made."""
    first, second = clerks
    batch = services.submit_paper_entry(
        first, campaign, poo=poo, voter_ids=voter_ids, ballots=ballots
    )
    shuffled = rng.sample(ballots, len(ballots))
    typo = typo and any(len(b) > 1 for b in shuffled)
    if typo:
        wrong = [list(b) for b in shuffled]
        index = next(i for i, b in enumerate(wrong) if len(b) > 1)
        wrong[index] = wrong[index][:-1]
        try:
            services.submit_paper_entry(
                second, campaign, poo=poo, voter_ids=voter_ids, ballots=wrong, batch=batch
            )
        except ValidationError:
            batch.refresh_from_db()
        services.submit_paper_entry(
            second, campaign, poo=poo, voter_ids=voter_ids, ballots=ballots, batch=batch
        )
        second = first
    services.submit_paper_entry(
        second, campaign, poo=poo, voter_ids=voter_ids, ballots=shuffled, batch=batch
    )
    return typo


# --------------------------------------------------------------------------- open campaign


def _seed_open(ctx: DemoContext, rng, clock: _Clock, commission: dict[str, User]) -> None:
    region = ctx.region()
    admin = Scope(ctx.user("admin"))
    chair = Scope(commission["commission"])
    today = ctx.today
    # Deadlines fall on working days of the reception's calendar.
    cal = work_calendar()
    voting_starts = _aware(today - dt.timedelta(days=3), 9)
    voting_ends = _aware(cal.working_day_on_or_after(today + dt.timedelta(days=7)), 20)
    reference = voting_ends.date()
    results_date = cal.add_working_days(reference, 2)
    nomination_starts = today - dt.timedelta(days=45)
    nomination_ends = cal.working_day_on_or_before(today - dt.timedelta(days=30))
    registration_ends = cal.working_day_on_or_before(today - dt.timedelta(days=12))

    clock.set(_aware(nomination_starts - dt.timedelta(days=7), 10))
    campaign = services.create_campaign(
        admin,
        data={
            "encrypted": True,
            "slug": OPEN_SLUG,
            "title": OPEN_TITLE,
            "kind": Campaign.Kind.MASLIKHAT_LIST,
            "branch": region,
            "maslikhat": OPEN_MASLIKHAT,
            "nomination_starts": nomination_starts,
            "nomination_ends": nomination_ends,
            "registration_ends": registration_ends,
            "voting_starts": voting_starts,
            "voting_ends": voting_ends,
            "results_date": results_date,
            "complaints_end": cal.add_working_days(results_date, 5),
            "choose_up_to": 3,
            "list_length": 10,
            "quota_rules": Campaign.Rules.PARTY_2019,
            "reference_date": reference,
            "tie_break_seed": f"{OPEN_SLUG}/жеребе-2291",
        },
    )
    for username, _role, role in COMMISSION:
        if role is not None:
            services.set_commission_member(admin, campaign, user=commission[username], role=role)

    clock.set(_aware(nomination_starts, 9))
    services.advance(admin, campaign)
    linked = User.objects.filter(member__isnull=False).values("member_id")
    eligible = (
        Member.objects.filter(
            poo__in=demo_poos(),
            status=Member.Status.ACTIVE,
            joined_on__lt=today - dt.timedelta(days=2 * 365),
            birth_date__range=(add_years(reference, -63), add_years(reference, -25)),
        )
        .exclude(pk__in=linked)
        .exclude(candidacies__campaign__slug=RESERVE_SLUG)
    )
    people = _pick_candidates(rng, eligible, OPEN_CANDIDATES, reference, (25, 62))
    moments = sorted(
        _working_moment(rng, nomination_starts, nomination_ends) for _ in range(len(people))
    )
    candidates = []
    for index, (member, moment) in enumerate(zip(people, moments, strict=True)):
        clock.set(moment)
        by_poo = index % 10 < 7
        candidates.append(
            services.nominate(
                admin,
                campaign,
                member,
                nomination=Candidate.Nomination.POO if by_poo else Candidate.Nomination.SELF,
                nominating_poo=member.poo if by_poo else None,
                poo_decision_date=moment.date() - dt.timedelta(days=rng.randint(1, 5))
                if by_poo
                else None,
                poo_protocol_number=str(rng.randint(3, 14)) if by_poo else "",
                biography=_biography(rng, member, reference),
                program=_program(rng),
            )
        )

    # Registration: two older men leave the race (one withdraws, one is refused).
    clock.set(_aware(nomination_ends + dt.timedelta(days=1), 9))
    services.advance(admin, campaign)
    older_men = [c for c in candidates if c.sex == Sex.MALE and not _young(c, reference)]
    dropped = {}
    if len(candidates) > 12 and len(older_men) >= 2:
        dropped = {
            older_men[0].pk: (Candidate.Status.WITHDRAWN, "Өз өтініші бойынша кандидатурасын алды"),
            older_men[1].pk: (
                Candidate.Status.REJECTED,
                "Партия мүшелігінің мерзімі туралы талапқа сай келмейді",
            ),
        }
    moments = sorted(
        _working_moment(rng, nomination_ends + dt.timedelta(days=1), registration_ends)
        for _ in candidates
    )
    for candidate, moment in zip(candidates, moments, strict=True):
        clock.set(moment)
        status, reason = dropped.get(candidate.pk, (Candidate.Status.REGISTERED, ""))
        scope = admin if status == Candidate.Status.WITHDRAWN else chair
        services.set_candidate_status(scope, candidate, status=status, reason=reason)
    registered = [c for c in candidates if c.pk not in dropped]
    if len(registered) < campaign.list_length:
        campaign.list_length = len(registered)
        Campaign.objects.filter(pk=campaign.pk).update(list_length=len(registered))

    # The ballots are encrypted: the trustees' ceremony and the credential list, then the vote.
    clock.set(_aware(registration_ends, 16))
    trustees = e2e.trustee_users(
        ctx, ctx.rng("primaries:trustees"), [c.member_id for c in candidates]
    )
    election, _secrets, keys = e2e.set_up(
        campaign, trustees, member_id=ctx.user("member").member_id, keep=True
    )
    clock.set(voting_starts - dt.timedelta(minutes=30))
    services.advance(admin, campaign)
    election.refresh_from_db()

    # A few dozen members have voted since; the demo users have not.
    roll = list(
        VoterRollEntry.objects.filter(campaign=campaign)
        .exclude(member_id__in=linked)
        .order_by("member__iin")
        .values_list("member_id", flat=True)
    )
    voters = rng.sample(roll, min(OPEN_VOTERS, len(roll) // 8))
    branch_of = dict(Member.objects.filter(pk__in=voters).values_list("pk", "poo__branch_id"))
    home_branch = {c.board_id: c.member.poo.branch_id for c in registered}
    weights = _weights(rng, registered, reference, front=10, stars=2)
    now = _real_now()
    span = max((now - voting_starts).total_seconds() - 300, 60)
    times = sorted(voting_starts + dt.timedelta(seconds=rng.random() * span) for _ in voters)
    pending = 0
    next_seal = rng.randint(OPEN_SEAL_EVERY - 3, OPEN_SEAL_EVERY + 3)
    code = campaign.contests.get().code
    for index, (moment, pk) in enumerate(zip(times, voters, strict=True)):
        clock.set(moment)
        choices = _ballot(
            rng,
            registered,
            weights,
            branch_of[pk],
            lambda c: home_branch[c.board_id],
            (25, 30, 45),
        )
        _cast_encrypted(election, campaign, code, pk, keys[pk], choices)
        pending += 1
        left = len(voters) - index - 1
        if left >= OPEN_UNSEALED and (pending >= next_seal or left == OPEN_UNSEALED):
            encrypted.process(election)
            pending = 0
            next_seal = rng.randint(OPEN_SEAL_EVERY - 3, OPEN_SEAL_EVERY + 3)
    keys.clear()  # the forgetful credential authority
    ctx.log(
        f"  {OPEN_SLUG}: {len(registered)} registered candidates, encrypted; {len(voters)} "
        f"ballots cast, {_batches(election)}, voting until "
        f"{timezone.localtime(voting_ends):%d.%m.%Y %H:%M}"
    )


# --------------------------------------------------------------------------- finished, encrypted

E2E_TITLE = "Мұғалжар аудандық филиалының жастар кеңесіне ішкі партиялық іріктеу (шифрланған)"
#: Six candidates for a list of three, two choices per ballot.
E2E_CANDIDATES = {
    (Sex.FEMALE, True): 2,
    (Sex.FEMALE, False): 1,
    (Sex.MALE, True): 1,
    (Sex.MALE, False): 2,
}
E2E_ONLINE = 36  # encrypted online ballots
E2E_PAPER = 8  # paper ballots of one polling station, encrypted by the server


def _seed_finished_e2e(ctx: DemoContext, rng, clock: _Clock, commission: dict[str, User]) -> None:
    """A small encrypted selection that went the whole way, about two months ago: ceremony,
    credentials, online and paper ballots, close, tally, two trustees' shares, the result,
    the list and the protocol; its record verifies (`bastau verify_election`)."""
    district = ctx.branch(DEMO_DISTRICT)
    secretary = Scope(ctx.user("secretary"))
    chair = Scope(commission["commission"])
    clerks = [Scope(commission["commission2"]), Scope(commission["commission3"])]
    cal = work_calendar()
    today = ctx.today
    nomination_starts = today - dt.timedelta(days=100)
    nomination_ends = cal.working_day_on_or_before(today - dt.timedelta(days=85))
    registration_ends = cal.working_day_on_or_before(today - dt.timedelta(days=70))
    voting_day = cal.working_day_on_or_before(today - dt.timedelta(days=60))
    voting_starts = _aware(voting_day, 9)
    voting_ends = _aware(voting_day, 20)
    results_date = cal.add_working_days(voting_day, 2)
    complaints_end = cal.add_working_days(results_date, 5)

    clock.set(_aware(nomination_starts - dt.timedelta(days=5), 10))
    campaign = services.create_campaign(
        secretary,
        data={
            "encrypted": True,
            "slug": E2E_SLUG,
            "title": E2E_TITLE,
            "kind": Campaign.Kind.PERSONNEL_RESERVE,
            "branch": district,
            "nomination_starts": nomination_starts,
            "nomination_ends": nomination_ends,
            "registration_ends": registration_ends,
            "voting_starts": voting_starts,
            "voting_ends": voting_ends,
            "results_date": results_date,
            "complaints_end": complaints_end,
            "choose_up_to": 2,
            "list_length": 3,
            "quota_rules": Campaign.Rules.PARTY_2019,
            "reference_date": voting_day,
            "tie_break_seed": f"{E2E_SLUG}/жеребе-0613",
        },
    )
    for username, _role, role in COMMISSION:
        if role is not None:
            services.set_commission_member(
                secretary, campaign, user=commission[username], role=role
            )

    clock.set(_aware(nomination_starts, 9))
    services.advance(secretary, campaign)
    linked = User.objects.filter(member__isnull=False).values("member_id")
    eligible = (
        Member.objects.filter(
            poo__branch=district,
            status=Member.Status.ACTIVE,
            joined_on__lt=nomination_starts - dt.timedelta(days=365),
        )
        .exclude(pk__in=linked)
        .exclude(candidacies__isnull=False)
    )
    people = _pick_candidates(rng, eligible, E2E_CANDIDATES, voting_day, (20, 50))
    candidates = []
    for member in people:
        clock.set(_working_moment(rng, nomination_starts, nomination_ends))
        candidates.append(
            services.nominate(
                secretary,
                campaign,
                member,
                nomination=Candidate.Nomination.SELF,
                biography=_biography(rng, member, voting_day),
                program=_program(rng),
            )
        )
    clock.set(_aware(nomination_ends + dt.timedelta(days=1), 9))
    services.advance(secretary, campaign)
    for candidate in candidates:
        clock.set(_working_moment(rng, nomination_ends + dt.timedelta(days=1), registration_ends))
        services.set_candidate_status(chair, candidate, status=Candidate.Status.REGISTERED)
    if len(candidates) < campaign.list_length:  # a tiny demo
        Campaign.objects.filter(pk=campaign.pk).update(list_length=len(candidates))
        campaign.list_length = len(candidates)

    clock.set(_aware(registration_ends, 16))
    trustees = e2e.trustee_users(
        ctx, ctx.rng("primaries:trustees"), [c.member_id for c in candidates]
    )
    election, secrets, keys = e2e.set_up(campaign, trustees, member_id=None, keep=False)
    clock.set(voting_starts - dt.timedelta(minutes=30))
    services.advance(secretary, campaign)
    election.refresh_from_db()

    # Voting day: a polling station's paper ballots, typed in twice; the rest online.
    contest = campaign.contests.get()
    roll = list(
        VoterRollEntry.objects.filter(campaign=campaign)
        .exclude(member_id__in=linked)
        .order_by("member__iin")
        .values_list("member_id", flat=True)
    )
    home = dict(Member.objects.filter(pk__in=roll).values_list("pk", "poo_id"))
    station = PrimaryOrganization.objects.get(pk=home[rng.choice(roll)])
    at_station = [pk for pk in roll if home[pk] == station.pk][:E2E_PAPER]
    online = rng.sample([pk for pk in roll if pk not in set(at_station)], E2E_ONLINE)
    online = online[: max(0, min(E2E_ONLINE, len(roll) - len(at_station)))]
    weights = _weights(rng, candidates, voting_day, front=3, stars=1)
    home_poo = {c.board_id: c.member.poo_id for c in candidates}

    def choices(pk):
        return _ballot(rng, candidates, weights, home[pk], lambda c: home_poo[c.board_id], (3, 7))

    times = sorted(voting_starts + dt.timedelta(seconds=rng.randrange(10 * 3600)) for _ in online)
    for index, (moment, pk) in enumerate(zip(times, online, strict=True)):
        clock.set(moment)
        _cast_encrypted(election, campaign, contest.code, pk, keys[pk], choices(pk))
        if index == len(online) // 2:
            encrypted.process(election)
    paper_keys = {pk: keys[pk] for pk in at_station}  # the authority keeps its map for these
    keys.clear()  # the forgetful credential authority
    if at_station:
        clock.set(voting_ends - dt.timedelta(minutes=90))
        ballots = [choices(pk) for pk in at_station]
        batch = services.submit_paper_entry(
            clerks[0], campaign, poo=station, voter_ids=at_station, ballots=ballots
        )
        services.submit_paper_entry(
            clerks[1], campaign, poo=station, voter_ids=at_station, ballots=ballots[::-1],
            batch=batch,
        )  # fmt: skip
        # The station's paper voters' credentials are voided (a VOID on the record).
        e2e.void_paper_voters(election, paper_keys)
    paper_keys.clear()

    # Close (CLOSE, TALLY), two trustees' shares (RESULT), results, then the campaign closes.
    clock.set(voting_ends + dt.timedelta(minutes=10))
    services.advance(chair, campaign)
    clock.set(_aware(voting_day + dt.timedelta(days=1), 11))
    e2e.decrypt(election, secrets, trustees=(1, 3))
    secrets.clear()
    campaign.refresh_from_db()
    clock.set(_aware(results_date, 11))
    services.advance(chair, campaign)
    clock.set(_aware(complaints_end + dt.timedelta(days=3), 10))
    services.advance(secretary, campaign)
    campaign.refresh_from_db()
    ctx.log(
        f"  {E2E_SLUG}: {len(candidates)} candidates, encrypted; "
        f"{campaign.tally['ballots']} ballots ({len(online)} online, {len(at_station)} on paper) "
        f"of {len(roll):,} on the roll, decrypted by trustees 1 and 3"
    )


# --------------------------------------------------------------------------- the step


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng("primaries")
    existing = set(Campaign.objects.filter(slug__in=SLUGS).values_list("slug", flat=True))
    with _clock() as clock:
        commission = _commission_users(ctx, rng)
        if RESERVE_SLUG not in existing:
            _seed_reserve(ctx, ctx.rng("primaries:reserve"), clock, commission)
        if OPEN_SLUG not in existing:
            _seed_open(ctx, ctx.rng("primaries:open"), clock, commission)
        if E2E_SLUG not in existing:
            _seed_finished_e2e(ctx, ctx.rng("primaries:e2e"), clock, commission)


def is_done(ctx: DemoContext) -> bool:
    return Campaign.objects.filter(slug__in=SLUGS).count() == len(SLUGS)


def reset(ctx: DemoContext) -> None:
    ids = list(Campaign.objects.filter(slug__in=SLUGS).values_list("pk", flat=True))
    candidates = list(Candidate.objects.filter(campaign_id__in=ids).values_list("pk", flat=True))
    batches = list(PaperBatch.objects.filter(campaign_id__in=ids).values_list("pk", flat=True))
    elections = list(E2EElection.objects.filter(campaign_id__in=ids).values_list("pk", flat=True))
    raw_delete(E2EBallotPath.objects.filter(election_id__in=elections))
    raw_delete(E2EEvent.objects.filter(election_id__in=elections))
    raw_delete(EncryptedBallot.objects.filter(election_id__in=elections))
    raw_delete(E2ECredential.objects.filter(election_id__in=elections))
    raw_delete(E2ECredentialList.objects.filter(election_id__in=elections))
    raw_delete(E2ETrustee.objects.filter(election_id__in=elections))
    raw_delete(E2EElection.objects.filter(pk__in=elections))
    raw_delete(Ballot.objects.filter(campaign_id__in=ids))
    raw_delete(PendingBallot.objects.filter(campaign_id__in=ids))
    raw_delete(Checkpoint.objects.filter(campaign_id__in=ids))
    # Who voted and the rolls point at members (PROTECT): gone before the members step resets.
    raw_delete(Participation.objects.filter(campaign_id__in=ids))
    raw_delete(VoterRollEntry.objects.filter(campaign_id__in=ids))
    raw_delete(PaperBatchEntry.objects.filter(batch_id__in=batches))
    raw_delete(PaperBatch.objects.filter(pk__in=batches))
    raw_delete(ListResult.objects.filter(contest__campaign_id__in=ids))
    raw_delete(ListBallotCount.objects.filter(campaign_id__in=ids))
    raw_delete(TurnoutCount.objects.filter(campaign_id__in=ids))
    raw_delete(Candidate.history.filter(id__in=candidates))
    raw_delete(Candidate.objects.filter(pk__in=candidates))
    raw_delete(CommissionMember.objects.filter(campaign_id__in=ids))
    raw_delete(Contest.objects.filter(campaign_id__in=ids))
    raw_delete(Campaign.history.filter(id__in=ids))
    raw_delete(Campaign.objects.filter(pk__in=ids))
    raw_delete(
        AuditEvent.objects.filter(
            Q(object_type="primaries.campaign", object_id__in=[str(i) for i in ids])
            | Q(object_type="primaries.candidate", object_id__in=[str(i) for i in candidates])
            | Q(object_type="primaries.paperbatch", object_id__in=[str(i) for i in batches])
        )
    )
    # Only commission users anchored in the demo region: a real account of that name stays.
    User.objects.filter(
        username__in=COMMISSION_USERNAMES + e2e.TRUSTEE_USERNAMES, member__poo__in=demo_poos()
    ).delete()


def summary(ctx: DemoContext) -> list[str]:
    lines = []
    reserve = Campaign.objects.filter(slug=RESERVE_SLUG).first()
    if reserve is not None:
        stats = candidate_figures(reserve)
        channels = Counter(
            Participation.objects.filter(campaign=reserve).values_list("channel", flat=True)
        )
        result = ListResult.objects.filter(contest__campaign=reserve).first()
        departures = (
            sum(1 for row in result.data.get("list", []) if row.get("reason"))
            if result is not None
            else 0
        )
        lines.append(
            f"Primaries {RESERVE_SLUG} ({reserve.status}): "
            f"{stats['total']} candidates ({stats['poo']} by POOs, {stats['self']} "
            f"self-nominated; {stats['women_pct']}% women, {stats['youth_pct']}% under 35), "
            f"{(reserve.tally or {}).get('ballots', 0):,} ballots ({channels['online']:,} online, "
            f"{channels['paper']:,} on paper) of {reserve.roll.count():,} on the roll, "
            f"{_checkpoints(reserve)}; list of {reserve.list_length}"
            + (f" with {departures} quota departure(s)" if result is not None else "")
        )
    open_campaign = Campaign.objects.filter(slug=OPEN_SLUG).first()
    if open_campaign is not None:
        registered = open_campaign.candidates.filter(status=Candidate.Status.REGISTERED).count()
        cast = Participation.objects.filter(campaign=open_campaign).count()
        election = E2EElection.objects.filter(campaign=open_campaign).first()
        if election is not None:
            unsealed = election.ballots.filter(batch__isnull=True).count()
            sealed = f"{_batches(election)}"
        else:
            unsealed = PendingBallot.objects.filter(campaign=open_campaign).count()
            sealed = _checkpoints(open_campaign)
        lines.append(
            f"Primaries {OPEN_SLUG} ({open_campaign.status} until "
            f"{timezone.localtime(open_campaign.voting_ends):%d.%m.%Y %H:%M}"
            f"{', encrypted' if open_campaign.encrypted else ''}): {registered} "
            f"candidates for a list of {open_campaign.list_length}, "
            f"{open_campaign.roll.count():,} on the roll, {cast} voted "
            f"({cast - unsealed} sealed in {sealed}, "
            f"{unsealed} waiting); the demo member has not voted"
        )
    finished = Campaign.objects.filter(slug=E2E_SLUG).first()
    if finished is not None:
        lines.append(
            f"Primaries {E2E_SLUG} ({finished.status}, encrypted): "
            f"{finished.candidates.count()} candidates, "
            f"{(finished.tally or {}).get('ballots', 0)} ballots decrypted by two of three "
            f"trustees, list of {finished.list_length}"
        )
    return lines


def candidate_figures(campaign: Campaign) -> dict:
    """Registered candidates: total, by nomination, women and youth (on the reference date)."""
    rows = list(
        campaign.candidates.filter(status=Candidate.Status.REGISTERED).values_list(
            "nomination", "sex", "birth_date"
        )
    )
    reference = services.reference_date(campaign)
    total = len(rows)
    women = sum(1 for _n, sex, _b in rows if sex == Sex.FEMALE)
    youth = sum(1 for _n, _s, birth in rows if age_on(birth, reference) < 35)
    return {
        "total": total,
        "poo": sum(1 for n, _s, _b in rows if n == Candidate.Nomination.POO),
        "self": sum(1 for n, _s, _b in rows if n == Candidate.Nomination.SELF),
        "women": women,
        "youth": youth,
        "women_pct": round(100 * women / total, 1) if total else 0,
        "youth_pct": round(100 * youth / total, 1) if total else 0,
    }


def _server_key(campaign: Campaign) -> str:
    election = E2EElection.objects.filter(campaign=campaign).first()
    return b64e(bytes(election.server_key)) if election is not None else "-"


def login_notes(site: str = "") -> list[str]:
    """What `bastau demo_logins` says about the campaigns and the commission; `site` prefixes
    the paths (SITE_URL)."""
    campaigns = {c.slug: c for c in Campaign.objects.filter(slug__in=SLUGS)}
    if not campaigns:
        return []

    def url(name: str, slug: str, default: str) -> str:
        try:
            return site + reverse(f"primaries:{name}", args=[slug])
        except NoReverseMatch:
            return f"{site}/primaries/{slug}/{default}"

    lines = ["Primaries:"]
    reserve = campaigns.get(RESERVE_SLUG)
    if reserve is not None:
        lines.append(
            f"- {url('campaign', RESERVE_SLUG, '')}: the finished Mugalzhar personnel-reserve "
            f"selection of 2019 ({reserve.candidates.count()} candidates, "
            f"{(reserve.tally or {}).get('ballots', 0):,} ballots; results, list, board). Check "
            f"its board: `bastau export_board {RESERVE_SLUG} -o board.json && bastau "
            f"verify_board board.json --public-key {reserve.public_key}` (the key its "
            "page and protocol publish)."
        )
    open_campaign = campaigns.get(OPEN_SLUG)
    if open_campaign is not None and open_campaign.encrypted:
        until = f"{timezone.localtime(open_campaign.voting_ends):%d.%m.%Y %H:%M}"
        lines.append(
            f"- {url('e2e_vote', OPEN_SLUG, 'e2e/vote/')}: the regional maslikhat-list "
            f'primaries, encrypted ballots, voting until {until}. Sign in as "member" (on the '
            "roll, not voted yet) and type the credential the (simulated) credential authority "
            f"issued: {e2e.member_credential(OPEN_SLUG)} (the server never shows it). Audit "
            "ballots as often as you like, cast one, keep the receipt and find its tracker on "
            f"{url('e2e_check', OPEN_SLUG, 'e2e/check/')}."
        )
        lines.append(
            f"- Trustees (any {e2e.THRESHOLD} of 3 decrypt): "
            f"{', '.join(e2e.TRUSTEE_USERNAMES)} (password {DEMO_PASSWORD}). Their keystores: "
            f"{e2e.keystore_path(1).parent}/trustee-N.key and trustee-N-backup.key, passphrase "
            f"{e2e.TRUSTEE_PASSPHRASE} (also in passphrase.txt there). After the close: "
            f"`bastau export_election {OPEN_SLUG} -o record.jsonl && bastau-trustee share "
            f"record.jsonl --keystore {e2e.keystore_path(1)} --passphrase-file "
            f"{e2e.passphrase_path()} --server-key {_server_key(open_campaign)} -o share-1.json`, "
            f"then upload share-1.json on {url('trustee', OPEN_SLUG, 'trustee/')} signed in as "
            "trustee1."
        )
    elif open_campaign is not None:
        lines.append(
            f"- {url('vote', OPEN_SLUG, 'vote/')}: the regional maslikhat-list primaries, voting "
            f"until {timezone.localtime(open_campaign.voting_ends):%d.%m.%Y %H:%M}. Sign in as "
            '"member" to vote (on the roll, not voted yet), keep the tracker and find it on '
            f"{url('board', OPEN_SLUG, 'board/')}."
        )
    finished = campaigns.get(E2E_SLUG)
    if finished is not None:
        lines.append(
            f"- {url('campaign', E2E_SLUG, '')}: a finished encrypted selection (ceremony, "
            "credentials, online and paper ballots, tally, shares of trustees 1 and 3, result, "
            f"list and protocol). Verify it in the browser on "
            f"{url('e2e_verify', E2E_SLUG, 'e2e/verify/')}, or: `bastau export_election "
            f"{E2E_SLUG} -o e2e.jsonl && bastau verify_election e2e.jsonl --server-key "
            f"{_server_key(finished)}`."
        )
    commission = list(
        User.objects.filter(username__in=COMMISSION_USERNAMES)
        .order_by("username")
        .values_list("username", flat=True)
    )
    if commission:
        lines.append(
            f"- Election commission: {', '.join(commission)} (password {DEMO_PASSWORD}). "
            '"commission" chairs both commissions: registration, paper ballots, closing and '
            f"counting at {url('manage_campaign', OPEN_SLUG, '').replace(OPEN_SLUG, '<slug>')}."
        )
    return lines


STEP = Step(name="primaries", seed=seed, is_done=is_done, reset=reset, summary=summary)
