"""Primaries actions: one function per write that matters (DESIGN.md 1, 3.3).

Casting is the hot path: it reads the campaign without locking it, then inserts one
Participation row (the database's unique constraint is the one-member-one-ballot guard across
channels and processes) and one PendingBallot row in a single transaction. Nothing else is
locked, so casts never wait on each other. Sealing takes a row lock on the campaign so that
only one sealer runs at a time; casts do not take that lock.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Value
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from bastau.accounts import sessionproof
from bastau.accounts.models import User
from bastau.accounts.scoping import Scope
from bastau.core import audit, dbrouter
from bastau.members.models import Member
from bastau.structure import permissions as structure_permissions
from bastau.structure.models import Branch

from . import board, quota
from . import tally as kept_figures
from .keys import signing_key
from .models import (
    Ballot,
    Campaign,
    Candidate,
    Checkpoint,
    CommissionMember,
    Contest,
    ListResult,
    PaperBatch,
    PaperBatchEntry,
    Participation,
    PendingBallot,
    VoterRollEntry,
)
from .permissions import act_as_commission, commission_role, manage_campaign

S = Campaign.Status


class AlreadyVoted(Exception):
    pass


class NotOnRoll(Exception):
    pass


def members_in_scope(campaign: Campaign):
    """Current members of the campaign's branch (the whole region for a regional campaign)."""
    qs = Member.objects.exclude(status__in=Member.ENDED).exclude(status=Member.Status.SUSPENDED)
    if campaign.branch.kind != Branch.Kind.REGION:
        qs = qs.filter(poo__branch_id=campaign.branch_id)
    return qs


# Campaign set-up -------------------------------------------------------------------------
def create_campaign(scope: Scope, *, data: dict, request=None) -> Campaign:
    branch = data["branch"]
    scope.require(structure_permissions.manage_structure(scope))
    scope.require(structure_permissions.branches(scope).filter(pk=branch.pk).exists())
    with transaction.atomic():
        campaign = Campaign.objects.create(created_by=scope.user, **data)
        Contest.objects.create(campaign=campaign, code="main", title=campaign.title, branch=branch)
        audit.record(
            scope.user,
            "campaign.created",
            campaign,
            branch=branch,
            request=request,
            summary=campaign.title,
        )
    return campaign


TRANSITIONS = {
    S.DRAFT: S.NOMINATION,
    S.NOMINATION: S.REGISTRATION,
    S.REGISTRATION: S.VOTING,
    S.VOTING: S.COUNTING,
    S.COUNTING: S.RESULTS,
    S.RESULTS: S.CLOSED,
}


def advance(scope: Scope, campaign: Campaign, *, request=None) -> Campaign:
    """Move the campaign to its next stage, doing what that stage needs."""
    target = TRANSITIONS.get(campaign.status)
    if target is None:
        raise ValidationError(_("The campaign is closed."))
    if target in (S.VOTING,):
        scope.require(manage_campaign(scope, campaign))
        open_voting(scope, campaign, request=request)
    elif target == S.COUNTING:
        scope.require(act_as_commission(scope, campaign))
        close_voting(scope, campaign, request=request)
    elif target == S.RESULTS:
        scope.require(act_as_commission(scope, campaign))
        publish_results(scope, campaign, request=request)
    else:
        scope.require(manage_campaign(scope, campaign))
        with transaction.atomic():
            Campaign.objects.filter(pk=campaign.pk).update(status=target)
            campaign.status = target
            audit.record(
                scope.user, f"campaign.{target}", campaign, branch=campaign.branch, request=request
            )
    return campaign


# Nomination ------------------------------------------------------------------------------
def eligibility_error(campaign: Campaign, member: Member) -> str | None:
    if not members_in_scope(campaign).filter(pk=member.pk).exists():
        return _("Only an active member of the campaign's branch can stand.")
    if Candidate.objects.filter(campaign=campaign, member=member).exists():
        return _("This member already stands in this campaign.")
    return None


def contest_for_member(campaign: Campaign, member: Member) -> Contest | None:
    contests = {c.branch_id: c for c in campaign.contests.all()}
    return contests.get(member.poo.branch_id) or contests.get(campaign.branch_id)


def nominate(
    scope: Scope,
    campaign: Campaign,
    member: Member,
    *,
    nomination: str,
    nominating_poo=None,
    poo_decision_date=None,
    poo_protocol_number="",
    biography="",
    program="",
    photo=None,
    contest: Contest | None = None,
    request=None,
) -> Candidate:
    """A POO's nomination (by its leader or the branch staff) or a member's self-nomination."""
    if campaign.status != S.NOMINATION:
        raise ValidationError(_("Nominations are not open in this campaign."))
    if nomination == Candidate.Nomination.SELF:
        if scope.user.member_id != member.pk and not manage_campaign(scope, campaign):
            raise PermissionDenied
    else:
        if nominating_poo is None or poo_decision_date is None or not poo_protocol_number:
            raise ValidationError(
                _("A POO nomination needs the organization, its meeting date and protocol number.")
            )
        if not (
            manage_campaign(scope, campaign)
            or structure_permissions.poos(scope).filter(pk=nominating_poo.pk).exists()
        ):
            raise PermissionDenied
    error = eligibility_error(campaign, member)
    if error:
        raise ValidationError(error)
    contest = contest or contest_for_member(campaign, member)
    if contest is None:
        raise ValidationError(_("No list of this campaign covers the member's branch."))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                number = (campaign.candidates.aggregate(m=Max("number"))["m"] or 0) + 1
                candidate = Candidate.objects.create(
                    campaign=campaign,
                    contest=contest,
                    member=member,
                    number=number,
                    nomination=nomination,
                    nominating_poo=nominating_poo,
                    poo_decision_date=poo_decision_date,
                    poo_protocol_number=poo_protocol_number,
                    name=member.full_name,
                    sex=member.sex,
                    birth_date=member.birth_date,
                    has_disability=member.has_disability,
                    biography=biography,
                    program=program,
                    photo=photo or "",
                    nominated_on=timezone.localdate(),
                )
                audit.record(
                    scope.user,
                    "candidate.nominated",
                    candidate,
                    branch=campaign.branch,
                    request=request,
                    summary=candidate.name,
                )
                return candidate
        except IntegrityError:
            if Candidate.objects.filter(campaign=campaign, member=member).exists():
                raise ValidationError(_("This member already stands in this campaign.")) from None
    raise ValidationError(_("Could not register the nomination; try again."))


def set_candidate_status(
    scope: Scope, candidate: Candidate, *, status: str, reason: str = "", request=None
) -> Candidate:
    campaign = candidate.campaign
    if status == Candidate.Status.WITHDRAWN:
        own = scope.user.member_id == candidate.member_id
        scope.require(own or manage_campaign(scope, campaign))
        allowed = (S.NOMINATION, S.REGISTRATION)
    else:
        scope.require(act_as_commission(scope, campaign))
        allowed = (S.NOMINATION, S.REGISTRATION)
    if campaign.status not in allowed:
        raise ValidationError(_("Candidates cannot change once voting has opened."))
    with transaction.atomic():
        # The campaign's row, locked as open_voting locks it: a status change and the opening
        # of voting cannot interleave (the campaign object above may be a moment old), so no
        # candidate's status changes through Bastau once voting is open.
        locked = Campaign.objects.select_for_update().only("status").get(pk=campaign.pk)
        if locked.status not in allowed:
            raise ValidationError(_("Candidates cannot change once voting has opened."))
        candidate.status = status
        candidate.status_reason = reason
        candidate.save()
        audit.record(
            scope.user,
            f"candidate.{status}",
            candidate,
            branch=campaign.branch,
            request=request,
            summary=reason,
        )
    return candidate


# The roll and voting ---------------------------------------------------------------------
def board_campaign(campaign: Campaign) -> board.Campaign:
    """The campaign as the board sees it: registered candidates in number order.

    bastau-board/2 (campaign.board_format 2) adds what anyone needs to rebuild the party lists
    from the record: the lists (contests, by code) with their lengths, each candidate's list
    and the quota groups they count for at the reference date (not their birth date), the rule
    set, prefix mode, the reference date and the lot's seed."""
    candidates = campaign.candidates.filter(status=Candidate.Status.REGISTERED).order_by("number")
    if campaign.board_format == 1:
        # only() must keep "campaign": the related manager reads each row's campaign_id, and
        # a deferred one costs a query per candidate.
        rows = candidates.only("campaign", "number", "name")
        return board.Campaign(
            slug=campaign.slug,
            title=campaign.title,
            candidates=tuple((c.board_id, c.name) for c in rows),
            choose_up_to=campaign.choose_up_to,
        )
    rules = campaign_rules(campaign)
    reference = reference_date(campaign)
    contests = sorted(campaign.contests.all(), key=lambda c: c.code)
    code_of = {contest.pk: contest.code for contest in contests}
    campaign._board_list_codes = code_of  # lists are fixed once voting opens: saves a query
    rows = list(
        candidates.values_list(
            "number", "name", "contest_id", "sex", "birth_date", "has_disability"
        )
    )
    groups = []
    for number, name, _contest, sex, birth, disability in rows:
        person = quota.Candidate(
            id=f"c{number}", name=name, votes=0, gender=sex, birth_date=birth, disability=disability
        )
        groups.append(rules.group_ids(rules.mask(person, reference)))
    return board.Campaign(
        slug=campaign.slug,
        title=campaign.title,
        candidates=tuple((f"c{number}", name) for number, name, *_ in rows),
        choose_up_to=campaign.choose_up_to,
        lists=tuple(
            board.ListSpec(contest.code, contest.title, contest.list_length or campaign.list_length)
            for contest in contests
        ),
        candidate_lists=tuple(code_of[contest] for _n, _m, contest, *_ in rows),
        candidate_groups=tuple(groups),
        quota_rules=board.canonical_json(rules.to_dict()).decode(),
        prefix=campaign.prefix_mode,
        reference_date=reference.isoformat(),
        tie_break_seed=campaign.tie_break_seed or None,
    )


def board_list_codes(campaign: Campaign) -> dict[int, str] | None:
    """{contest pk: list id on the board} for a bastau-board/2 campaign, None for /1."""
    if campaign.board_format == 1:
        return None
    known = getattr(campaign, "_board_list_codes", None)
    if known is not None:
        return known
    return dict(campaign.contests.values_list("pk", "code"))


def freeze_roll(campaign: Campaign) -> int:
    """Write the voter roll: every active member in scope, each in their contest's roll.

    One INSERT ... SELECT per contest, so a million members never pass through Python.
    """
    contests = list(campaign.contests.all())
    specific = [c for c in contests if c.branch_id != campaign.branch_id]
    general = next((c for c in contests if c.branch_id == campaign.branch_id), None)
    table = VoterRollEntry._meta.db_table
    total = 0
    with connection.cursor() as cursor:
        for contest in specific:
            qs = members_in_scope(campaign).filter(poo__branch_id=contest.branch_id)
            total += _insert_roll(cursor, table, campaign, contest, qs)
        if general is not None:
            qs = members_in_scope(campaign).exclude(
                poo__branch_id__in=[c.branch_id for c in specific]
            )
            total += _insert_roll(cursor, table, campaign, general, qs)
    return total


def _insert_roll(cursor, table, campaign, contest, qs) -> int:
    select = (
        qs.order_by()
        .annotate(roll_campaign=Value(campaign.pk), roll_contest=Value(contest.pk))
        .values_list("roll_campaign", "roll_contest", "pk")
    )
    sql, params = select.query.sql_with_params()
    cursor.execute(f"INSERT INTO {table} (campaign_id, contest_id, member_id) {sql}", params)
    return cursor.rowcount


def open_voting(scope: Scope, campaign: Campaign, *, request=None) -> int:
    if campaign.status != S.REGISTRATION:
        raise ValidationError(_("Voting opens after registration."))
    registered = campaign.candidates.filter(status=Candidate.Status.REGISTERED)
    if not registered.exists():
        raise ValidationError(_("No candidate is registered."))
    for contest in campaign.contests.all():
        length = contest.effective_length
        count = registered.filter(contest=contest).count()
        if length and count < length:
            raise ValidationError(
                _("The list “%(list)s” needs %(length)s candidates; %(count)s are registered.")
                % {"list": contest.title, "length": length, "count": count}
            )
    if campaign.encrypted:
        from . import encrypted

        problem = encrypted.setup_problem(campaign)
        if problem:
            raise ValidationError(problem)
    key = signing_key()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != S.REGISTRATION:
            raise ValidationError(_("Voting opens after registration."))
        if locked.board_format != 1 and locked.reference_date is None:
            # bastau-board/2 publishes each candidate's quota groups at the reference date in
            # the campaign object every checkpoint signs, so the date is fixed now: the planned
            # end of voting's day, or today when no end is planned.
            ends = locked.voting_ends
            locked.reference_date = (
                timezone.localtime(ends).date() if ends else timezone.localdate()
            )
        try:
            board_campaign(locked)  # validates slug, candidate and list ids for the board
        except (board.BoardError, ValueError) as exc:
            raise ValidationError(
                _("The campaign cannot be published on the board: %(error)s") % {"error": exc}
            ) from exc
        if locked.encrypted:
            # The roll was frozen for the credential authority (encrypted.freeze_roll).
            count = VoterRollEntry.objects.filter(campaign=locked).count()
        else:
            count = freeze_roll(locked)
            locked.roll_frozen_at = timezone.now()
        locked.status = S.VOTING
        locked.public_key = board.public_key_to_text(key)
        if locked.voting_starts is None:
            locked.voting_starts = timezone.now()
        locked.save()
        if locked.encrypted:
            encrypted.open_election(locked)
        audit.record(
            scope.user,
            "campaign.voting_opened",
            locked,
            branch=locked.branch,
            request=request,
            data={"roll": count},
        )
    campaign.refresh_from_db()
    return count


def _check_voting_open(campaign: Campaign) -> None:
    now = timezone.now()
    if campaign.status != S.VOTING:
        raise ValidationError(_("Voting is not open."))
    if campaign.voting_starts and now < campaign.voting_starts:
        raise ValidationError(_("Voting has not started yet."))
    if campaign.voting_ends and now >= campaign.voting_ends:
        raise ValidationError(_("Voting has ended."))


def valid_choices(
    campaign: Campaign,
    contest: Contest,
    choices: Iterable[str],
    *,
    allowed: Iterable[str] | None = None,
) -> list[str]:
    """The choices sorted, if they are a valid ballot of `contest`. `allowed`: the board ids of
    the contest's registered candidates when the caller has just read them (the vote view),
    which saves the query."""
    choices = list(choices)
    chosen = sorted(set(choices))
    if len(chosen) != len(choices):
        raise ValidationError(_("A candidate is chosen twice."))
    if len(chosen) > campaign.choose_up_to:
        raise ValidationError(_("Choose at most %(k)s candidates.") % {"k": campaign.choose_up_to})
    if allowed is not None:
        allowed = set(allowed)
    else:
        allowed = {
            f"c{n}"
            for n in contest.candidates.filter(status=Candidate.Status.REGISTERED)
            .order_by()  # the default ordering would join the campaign table on every cast
            .values_list("number", flat=True)
        }
    if not set(chosen) <= allowed:
        raise ValidationError(_("The ballot names a candidate who is not on this list."))
    return chosen


def cast_online(
    user,
    campaign: Campaign,
    choices: Sequence[str],
    *,
    entry: VoterRollEntry | None = None,
    allowed: Iterable[str] | None = None,
    contest: Contest | None = None,
) -> str:
    """Cast the signed-in member's ballot; returns the tracker. One ballot per member.

    The vote view has the list's registered candidates (it drew the form from them) and the
    list the ballot was drawn for (`contest`, or the member's roll `entry`), and passes them
    in. On PostgreSQL the cast is then one statement (`_CAST_SQL`): it checks the roll and the
    voting window, inserts the participation (the unique constraint is the one-per-member
    check) and the pending ballot, atomically, and commits on its own (the hot path,
    bench/b_casting.py). Other callers pass nothing and the roll entry is read here.
    """
    if not user.member_id:
        raise PermissionDenied
    if campaign.encrypted:
        raise ValidationError(_("This campaign's ballots are encrypted: vote on its ballot page."))
    now = timezone.now()
    _check_voting_open(campaign)
    if entry is not None and entry.member_id == user.member_id and entry.campaign_id == campaign.pk:
        contest = entry.contest
    elif contest is None or contest.campaign_id != campaign.pk:
        entry = (
            VoterRollEntry.objects.select_related("contest")
            .filter(campaign=campaign, member_id=user.member_id)
            .first()
        )
        if entry is None:
            raise NotOnRoll
        contest = entry.contest
    chosen = valid_choices(campaign, contest, choices, allowed=allowed)
    ballot = _new_ballot(campaign, contest, chosen)
    if connection.vendor == "postgresql":
        account = sessionproof.Account(user.pk, sessionproof.password_digest(user.password))
        if not _cast_statement(campaign, account, contest, ballot, now):
            raise _why_not_cast(campaign, user.member_id, contest, chosen)
        return ballot.tracker
    # SQLite (development, demo): no data-modifying CTE; the same checks in a transaction.
    try:
        with transaction.atomic():
            if entry is None:  # the caller's campaign may be a few seconds old (the vote view)
                _check_voting_open(Campaign.objects.get(pk=campaign.pk))
                if not VoterRollEntry.objects.filter(
                    campaign=campaign, member_id=user.member_id, contest=contest
                ).exists():
                    raise NotOnRoll
            if allowed is not None and not registered_choices(campaign, contest, chosen):
                # the caller's candidates may be a few seconds old (the vote view keeps them)
                raise ValidationError(_("The ballot names a candidate who is not on this list."))
            _insert_orm(campaign, user.member_id, contest, ballot, now)
    except IntegrityError:
        raise AlreadyVoted from None
    return ballot.tracker


def cast_as(account: sessionproof.Account, campaign: Campaign, contest, chosen: list[str]):
    """The thin path's cast (primaries.castpath): the tracker, or None when nothing was stored.

    `account` is what the session's proof claims (accounts.sessionproof), `chosen` the sorted
    choices already checked against the list's registered candidates with valid_choices'
    rules, `campaign` and `contest` kept by the view. The statement itself confirms the account
    (active, password hash unchanged since the session was verified), its member on the roll
    of this list, the window and one ballot per member. None: the caller hands the request to
    the full view, which reads everything and says why.
    """
    if campaign.encrypted or campaign.status != S.VOTING:
        return None
    now = timezone.now()
    ballot = _new_ballot(campaign, contest, chosen)
    if connection.vendor == "postgresql":
        return ballot.tracker if _cast_statement(campaign, account, contest, ballot, now) else None
    member_id = account_member(account)
    if member_id is None:
        return None
    try:
        with transaction.atomic():
            fresh = Campaign.objects.get(pk=campaign.pk)
            _check_voting_open(fresh)
            if not VoterRollEntry.objects.filter(
                campaign=campaign, member_id=member_id, contest=contest
            ).exists():
                return None
            if len(chosen) > fresh.choose_up_to or not registered_choices(fresh, contest, chosen):
                return None
            _insert_orm(campaign, member_id, contest, ballot, now)
    except (IntegrityError, ValidationError):
        return None
    return ballot.tracker


def registered_choices(campaign: Campaign, contest, chosen) -> bool:
    """Whether every choice is a registered candidate of `contest`, none twice: the cast
    statement's check (_CAST_SQL), as a query, where there is no statement (SQLite) and to say
    why a statement stored nothing."""
    chosen = list(chosen)
    numbers = set()
    for choice in chosen:
        digits = choice[1:] if isinstance(choice, str) and choice.startswith("c") else ""
        if not digits.isdigit() or digits.startswith("0") or not digits.isascii():
            return False
        numbers.add(int(digits))
    if len(numbers) != len(chosen):
        return False
    if not numbers:
        return True
    found = Candidate.objects.filter(
        campaign=campaign,
        contest=contest,
        number__in=numbers,
        status=Candidate.Status.REGISTERED,
    ).count()
    return found == len(numbers)


def account_member(account: sessionproof.Account) -> int | None:
    """The member id of an account whose session proof still holds (active, same password):
    the statement's check, as a query, where there is no statement (SQLite)."""
    row = (
        User.objects.filter(pk=account.user_id, is_active=True)
        .values_list("password", "member_id")
        .first()
    )
    if row is None or not row[1]:
        return None
    if not constant_time_compare(sessionproof.password_digest(row[0]), account.digest):
        return None
    return row[1]


def _new_ballot(campaign: Campaign, contest, chosen) -> board.Ballot:
    list_id = None if campaign.board_format == 1 else contest.code
    return board.new_ballot(_board_stub(campaign), chosen, list_id=list_id)


def _insert_orm(campaign: Campaign, member_id: int, contest, ballot, now) -> None:
    Participation.objects.create(
        campaign=campaign,
        member_id=member_id,
        channel=Participation.Channel.ONLINE,
        voted_on=timezone.localdate(now),
    )
    PendingBallot.objects.create(
        tracker=ballot.tracker,
        campaign=campaign,
        contest=contest,
        nonce=ballot.nonce,
        choices=list(ballot.choices),
    )


#: The whole online cast on PostgreSQL: one statement, one round trip, committed on its own
#: (autocommit) or with the caller's transaction. It inserts only if the account is active and
#: its password hash is the one the session was verified with (accounts.sessionproof: the check
#: Django's AuthenticationMiddleware makes with the user's row, made here so that the thin path
#: need not read the row first), its member is on the campaign's roll for this list, and voting
#: is open at `now` (read again here: a campaign the view kept from an earlier request cannot
#: take a ballot after the close), and every choice is a registered candidate of this list, at
#: most choose_up_to of them and none twice (read again too: the view keeps the list's
#: candidates a few seconds, so a stale form may offer a candidate who is no longer on it; the
#: candidate is found by the campaign and number, the candidate_number unique index). The
#: participation's unique constraint (one_member_one_ballot)
#: is the one-per-member check across channels: ON CONFLICT DO NOTHING waits for a concurrent
#: insert of the same member, then inserts nothing, and so does the ballot's insert, which reads
#: the participation's RETURNING. No row returned: nothing was stored (`_why_not_cast` says
#: why). bench/pgbench_cast.sql is this statement.
_CAST_SQL = """
WITH ballot AS (
    SELECT %(choices)s::jsonb AS choices
), voter AS (
    SELECT u.member_id FROM ballot, accounts_user u
    JOIN primaries_voterrollentry r ON r.member_id = u.member_id
    JOIN primaries_campaign c ON c.id = r.campaign_id
    WHERE u.id = %(user)s AND u.is_active
      AND encode(sha256(convert_to(u.password, 'UTF8')), 'hex') = %(proof)s
      AND r.campaign_id = %(campaign)s AND r.contest_id = %(contest)s AND c.status = %(voting)s
      AND (c.voting_starts IS NULL OR c.voting_starts <= %(now)s)
      AND (c.voting_ends IS NULL OR c.voting_ends > %(now)s)
      AND jsonb_array_length(ballot.choices) <= c.choose_up_to
      AND jsonb_array_length(ballot.choices) = (
          SELECT count(DISTINCT k.number)
          FROM jsonb_array_elements_text(ballot.choices) AS x(id)
          JOIN primaries_candidate k ON k.campaign_id = r.campaign_id
           AND k.number = CASE WHEN x.id ~ '^c[1-9][0-9]{0,8}$' THEN substr(x.id, 2)::integer END
          WHERE k.contest_id = r.contest_id AND k.status = %(registered)s
      )
), voted AS (
    INSERT INTO primaries_participation (id, campaign_id, member_id, channel, voted_on)
    SELECT %(id)s, %(campaign)s, voter.member_id, %(channel)s, %(day)s FROM voter
    ON CONFLICT DO NOTHING
    RETURNING campaign_id
)
INSERT INTO primaries_pendingballot (tracker, campaign_id, contest_id, nonce, choices)
SELECT %(tracker)s, voted.campaign_id, %(contest)s, %(nonce)s, ballot.choices FROM voted, ballot
RETURNING 1
"""


def _cast_statement(campaign: Campaign, account, contest, ballot, now) -> bool:
    params = {
        "user": account.user_id,
        "proof": account.digest,
        "campaign": campaign.pk,
        "contest": contest.pk,
        "voting": S.VOTING.value,
        "registered": Candidate.Status.REGISTERED.value,
        "now": now,
        "id": uuid.uuid4(),
        "channel": Participation.Channel.ONLINE.value,
        "day": timezone.localdate(now),
        "tracker": ballot.tracker,
        "nonce": ballot.nonce,
        "choices": json.dumps(list(ballot.choices)),
    }
    dbrouter.note_write()
    with connection.cursor() as cursor:
        cursor.execute(_CAST_SQL, params)
        return cursor.fetchone() is not None


def _why_not_cast(campaign: Campaign, member_id: int, contest, chosen=()) -> Exception:
    """Why the cast statement stored nothing (read after it, off the path of a good cast)."""
    if Participation.objects.filter(campaign=campaign, member_id=member_id).exists():
        return AlreadyVoted()
    if not VoterRollEntry.objects.filter(
        campaign=campaign, member_id=member_id, contest=contest
    ).exists():
        return NotOnRoll()
    fresh = Campaign.objects.filter(pk=campaign.pk).first()
    if fresh is None:
        return ValidationError(_("Voting is not open."))
    _check_voting_open(fresh)  # raises the reason when the window closed meanwhile
    if len(chosen) > fresh.choose_up_to:
        return ValidationError(_("Choose at most %(k)s candidates.") % {"k": fresh.choose_up_to})
    if not registered_choices(fresh, contest, chosen):
        # a form drawn from candidates kept a few seconds (views.public.ballot_candidates)
        return ValidationError(_("The ballot names a candidate who is not on this list."))
    return ValidationError(_("Voting is not open."))


def _board_stub(campaign: Campaign) -> board.Campaign:
    """Enough of the board campaign to make a tracker (choices were checked already)."""
    return _StubCampaign(campaign.slug, campaign.board_format)


class _StubCampaign:
    def __init__(self, slug, version=2):
        self.slug = slug
        self.lists = None if version == 1 else ()  # the tracker covers the list in /2

    def check_choices(self, choices, list_id=None):
        return tuple(sorted(choices))


def has_voted(campaign: Campaign, member) -> bool:
    return Participation.objects.filter(campaign=campaign, member=member).exists()


# Paper ballots ---------------------------------------------------------------------------
def submit_paper_entry(
    scope: Scope,
    campaign: Campaign,
    *,
    poo,
    voter_ids: list[int],
    ballots: list[list[str]],
    batch: PaperBatch | None = None,
    request=None,
) -> PaperBatch:
    """One commission member's entry of a station's paper ballots. The second entry, by a
    different member, must match the first (same voters, same ballots in any order); then
    the batch is accepted in one transaction, or refused whole if any voter already voted."""
    scope.require(commission_role(scope.user, campaign) is not None)
    _check_voting_open(campaign)
    if len(voter_ids) != len(ballots):
        raise ValidationError(
            _("The number of ballots must equal the number of voters who signed the list.")
        )
    if len(set(voter_ids)) != len(voter_ids):
        raise ValidationError(_("A voter is listed twice."))
    contest = contest_for_poo(campaign, poo)
    if contest is None:
        raise ValidationError(_("No list of this campaign covers this polling station."))
    on_roll = set(
        VoterRollEntry.objects.filter(
            campaign=campaign, contest=contest, member_id__in=voter_ids
        ).values_list("member_id", flat=True)
    )
    missing = [v for v in voter_ids if v not in on_roll]
    if missing:
        raise ValidationError(
            _("Not on this list's voter roll: %(ids)s") % {"ids": ", ".join(map(str, missing))}
        )
    normalised = [valid_choices(campaign, contest, b) for b in ballots]
    try:
        batch, problem = _enter_paper(
            scope, campaign, poo, contest, voter_ids, normalised, batch, request
        )
    except IntegrityError:
        # An online ballot of one of these voters landed between the check and the insert.
        raise ValidationError(
            _("One of these voters has just voted online. Submit the entry again to see who.")
        ) from None
    if problem:
        raise ValidationError(problem)
    return batch


def _enter_paper(scope, campaign, poo, contest, voter_ids, normalised, batch, request):
    problem = None
    with transaction.atomic():
        if batch is None:
            batch = PaperBatch.objects.create(campaign=campaign, contest=contest, poo=poo)
        else:
            batch = PaperBatch.objects.select_for_update().get(pk=batch.pk)
            if batch.status != PaperBatch.Status.AWAITING_SECOND:
                raise ValidationError(_("This batch is not waiting for an entry."))
            if batch.poo_id != poo.pk:
                raise ValidationError(_("The second entry must be for the same polling station."))
            if batch.entries.filter(entered_by=scope.user).exists():
                raise ValidationError(
                    _("The second entry must be made by another member of the commission.")
                )
        PaperBatchEntry.objects.create(
            batch=batch,
            entered_by=scope.user,
            voter_ids=sorted(voter_ids),
            ballots=sorted(normalised),
        )
        entries = list(batch.entries.all())
        if len(entries) == 1:
            audit.record(
                scope.user, "paper.entered", batch, branch=campaign.branch, request=request
            )
        else:
            first, second = entries
            already = set(
                Participation.objects.filter(
                    campaign=campaign, member_id__in=first.voter_ids
                ).values_list("member_id", flat=True)
            )
            if first.voter_ids != second.voter_ids or first.ballots != second.ballots:
                # Both typings are discarded; the commission enters the batch again.
                batch.entries.all().delete()
                batch.status_note = _("The two entries differed; both were discarded.")
                batch.save()
                audit.record(
                    scope.user, "paper.mismatch", batch, branch=campaign.branch, request=request
                )
                problem = _("The two entries differ. Both must be entered again.")
            elif already:
                batch.entries.all().delete()
                batch.status = PaperBatch.Status.REFUSED
                batch.status_note = _(
                    "These voters had already voted, so the batch was refused: %(ids)s"
                ) % {"ids": ", ".join(map(str, sorted(already)))}
                batch.save()
                audit.record(
                    scope.user,
                    "paper.refused",
                    batch,
                    branch=campaign.branch,
                    request=request,
                    data={"already_voted": sorted(already)},
                )
                problem = batch.status_note
            else:
                _accept_paper_batch(campaign, batch, contest, first.voter_ids, first.ballots)
                audit.record(
                    scope.user,
                    "paper.accepted",
                    batch,
                    branch=campaign.branch,
                    request=request,
                    data={"ballots": len(first.ballots)},
                )
    return batch, problem


def _accept_paper_batch(campaign, batch, contest, voter_ids, ballots) -> None:
    today = timezone.localdate()
    stub = _board_stub(campaign)
    # The unique constraint still guards against an online vote racing this transaction.
    Participation.objects.bulk_create(
        Participation(
            campaign=campaign, member_id=v, channel=Participation.Channel.PAPER, voted_on=today
        )
        for v in voter_ids
    )
    if campaign.encrypted:
        from . import encrypted

        encrypted.add_paper_ballots(campaign, contest, ballots)
        batch.entries.all().delete()
        batch.status = PaperBatch.Status.ACCEPTED
        batch.status_note = ""
        batch.save()
        return
    list_id = None if campaign.board_format == 1 else contest.code
    made = [board.new_ballot(stub, b, list_id=list_id) for b in ballots]
    PendingBallot.objects.bulk_create(
        PendingBallot(
            tracker=b.tracker,
            campaign=campaign,
            contest=contest,
            nonce=b.nonce,
            choices=list(b.choices),
        )
        for b in sorted(made, key=lambda b: b.tracker)
    )
    batch.entries.all().delete()  # the pairing of voters and ballots must not outlive the count
    batch.status = PaperBatch.Status.ACCEPTED
    batch.status_note = ""
    batch.save()


def contest_for_poo(campaign: Campaign, poo) -> Contest | None:
    contests = {c.branch_id: c for c in campaign.contests.all()}
    if campaign.branch.kind != Branch.Kind.REGION and poo.branch_id != campaign.branch_id:
        return None
    return contests.get(poo.branch_id) or contests.get(campaign.branch_id)


# Sealing, tally, lists ---------------------------------------------------------------------
def _checkpoint_dataclass(cp: Checkpoint) -> board.Checkpoint:
    return board.Checkpoint(
        seq=cp.seq,
        campaign=cp.campaign.slug if hasattr(cp, "campaign") else "",
        campaign_hash=cp.campaign_hash,
        prev=cp.prev,
        batch_size=cp.batch_size,
        batch_root=cp.batch_root,
        total=cp.total,
        sealed_at=cp.sealed_at,
        signature=cp.signature,
    )


def seal(
    campaign: Campaign, *, limit: int = 50_000, allow_empty: bool = False
) -> Checkpoint | None:
    """Seal the pending ballots into a signed checkpoint. Only one sealer runs at a time."""
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().select_related("branch").get(pk=campaign.pk)
        pending = list(
            PendingBallot.objects.filter(campaign=locked).values_list(
                "tracker", "nonce", "choices", "contest_id"
            )[:limit]
        )
        if not pending and not allow_empty:
            return None
        previous_row = locked.checkpoints.order_by("-seq").first()
        previous = None
        if previous_row is not None:
            previous_row.campaign = locked
            previous = _checkpoint_dataclass(previous_row)
        bcampaign = board_campaign(locked)
        codes = board_list_codes(locked)
        batch = [
            board.Ballot(t, n, tuple(c), None, codes[contest] if codes else None)
            for t, n, c, contest in pending
        ]
        contest_of = {t: contest for t, _n, _c, contest in pending}
        checkpoint, sealed = board.seal_checkpoint(
            bcampaign, batch, previous, signing_key(), timezone.now()
        )
        row = Checkpoint.objects.create(
            campaign=locked,
            seq=checkpoint.seq,
            campaign_hash=checkpoint.campaign_hash,
            prev=checkpoint.prev,
            batch_size=checkpoint.batch_size,
            batch_root=checkpoint.batch_root,
            total=checkpoint.total,
            sealed_at=checkpoint.sealed_at,
            signature=checkpoint.signature,
        )
        Ballot.objects.bulk_create(
            (
                Ballot(
                    tracker=b.tracker,
                    campaign=locked,
                    contest_id=contest_of[b.tracker],
                    checkpoint=row,
                    nonce=b.nonce,
                    choices=list(b.choices),
                )
                for b in sealed
            ),
            batch_size=2000,
        )
        kept_figures.add_sealed(locked.pk, contest_of.values())  # kept ballots per list
        trackers = [t for t, *_ in pending]
        for start in range(0, len(trackers), 900):
            PendingBallot.objects.filter(tracker__in=trackers[start : start + 900]).delete()
    return row


def seal_all(campaign: Campaign) -> int:
    sealed = 0
    while (row := seal(campaign)) is not None:
        sealed += row.batch_size
    return sealed


def seal_due_campaigns(min_age_seconds: int = 0) -> int:
    """Seal every campaign in voting that has pending ballots (for the periodic sealer)."""
    from . import encrypted

    count = 0
    ids = PendingBallot.objects.values_list("campaign_id", flat=True).distinct()
    for campaign in Campaign.objects.filter(pk__in=list(ids)):
        count += seal_all(campaign)
    return count + encrypted.process_due()


def ballots_disclosed(campaign: Campaign) -> bool:
    """Whether the public record may show what the ballots hold (nonce and choices): only once
    voting is closed and the tally signed. Until then it shows trackers and checkpoints only,
    so that nobody can count the running result (docs/verification.md)."""
    return campaign.tally is not None


def iter_board_ballots(campaign: Campaign, *, withhold: bool = False):
    """The sealed ballots in record order; withhold: tracker and checkpoint only (the nonce
    and choices are not even read)."""
    qs = Ballot.objects.filter(campaign=campaign).order_by("checkpoint__seq", "tracker")
    if withhold:
        for tracker, seq in qs.values_list("tracker", "checkpoint__seq").iterator(chunk_size=5000):
            yield board.Ballot(tracker, "", (), seq)
        return
    codes = board_list_codes(campaign)
    for tracker, nonce, choices, seq, contest in qs.values_list(
        "tracker", "nonce", "choices", "checkpoint__seq", "contest_id"
    ).iterator(chunk_size=5000):
        yield board.Ballot(tracker, nonce, tuple(choices), seq, codes[contest] if codes else None)


def count_ballots(campaign: Campaign, bcampaign: board.Campaign) -> dict:
    """The tally of the campaign's stored ballots, as board.compute_tally counts them.

    On PostgreSQL the database counts (one pass over the ballots' jsonb choices: 1.2 s for
    662,687 ballots instead of ~4 s decoding each ballot in Python); elsewhere Python does.
    Either way anyone recounts the exported board with verify_board, which must agree.
    """
    if connection.vendor != "postgresql":
        return board.compute_tally(bcampaign, iter_board_ballots(campaign))
    table = Ballot._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE jsonb_array_length(choices) = 0) "
            f"FROM {table} WHERE campaign_id = %s",
            [campaign.pk],
        )
        total, blank = cursor.fetchone()
        cursor.execute(
            f"SELECT choice, count(*) FROM {table}, jsonb_array_elements_text(choices) AS choice "
            f"WHERE campaign_id = %s GROUP BY choice",
            [campaign.pk],
        )
        counts = dict(cursor.fetchall())
        per_list = {}
        if bcampaign.lists is not None:
            cursor.execute(
                f"SELECT contest_id, count(*), "
                f"count(*) FILTER (WHERE jsonb_array_length(choices) = 0) "
                f"FROM {table} WHERE campaign_id = %s GROUP BY contest_id",
                [campaign.pk],
            )
            per_list = {contest: (n, b) for contest, n, b in cursor.fetchall()}
    tally = {
        "ballots": total,
        "blank": blank,
        "counts": {cid: counts.get(cid, 0) for cid, _ in bcampaign.candidates},
    }
    if bcampaign.lists is not None:
        codes = board_list_codes(campaign) or {}
        figures = {codes[contest]: nb for contest, nb in per_list.items()}
        tally["lists"] = {
            spec.id: {
                "ballots": figures.get(spec.id, (0, 0))[0],
                "blank": figures.get(spec.id, (0, 0))[1],
            }
            for spec in bcampaign.lists
        }
    return tally


def checkpoints_of(campaign: Campaign) -> list[board.Checkpoint]:
    rows = list(campaign.checkpoints.order_by("seq"))
    for row in rows:
        row.campaign = campaign
    return [_checkpoint_dataclass(r) for r in rows]


def close_voting(scope: Scope, campaign: Campaign, *, request=None) -> dict:
    """Close voting: seal what is pending and sign the tally bound to the last checkpoint."""
    if campaign.status != S.VOTING:
        raise ValidationError(_("Voting is not open."))
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != S.VOTING:
            raise ValidationError(_("Voting is not open."))
        locked.status = S.COUNTING
        if locked.voting_ends is None or locked.voting_ends > timezone.now():
            locked.voting_ends = timezone.now()
        locked.save()
    if campaign.encrypted:
        from . import encrypted

        campaign.refresh_from_db()
        encrypted.close(campaign)
        audit.record(
            scope.user, "campaign.voting_closed", campaign, branch=campaign.branch, request=request
        )
        return {}
    # No cast can start now (status is counting); seal the rest and count.
    seal_all(campaign)
    if not campaign.checkpoints.exists():
        seal(campaign, allow_empty=True)
    campaign.refresh_from_db()
    bcampaign = board_campaign(campaign)
    last = checkpoints_of(campaign)[-1]
    close = None
    if bcampaign.lists is not None:
        ends = campaign.voting_ends
        starts = min(campaign.voting_starts or ends, ends)  # closed before it opened: empty
        close = board.sign_close(bcampaign, last, starts, ends, signing_key())
    body = board.tally_body(bcampaign, last, count_ballots(campaign, bcampaign), close)
    tally = {**body, "signature": board.sign(signing_key(), body)}
    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(tally=tally, board_close=close)
        campaign.tally = tally
        campaign.board_close = close
        kept_figures.keep_turnout(campaign)  # final now: no cast or paper entry after close
        audit.record(
            scope.user,
            "campaign.voting_closed",
            campaign,
            branch=campaign.branch,
            request=request,
            data={"ballots": tally["ballots"]},
        )
    return tally


def quota_candidates(campaign: Campaign, contest: Contest) -> list[quota.Candidate]:
    counts = (campaign.tally or {}).get("counts", {})
    return [
        quota.Candidate(
            id=c.board_id,
            name=c.name,
            votes=int(counts.get(c.board_id, 0)),
            gender=c.sex,
            birth_date=c.birth_date,
            disability=c.has_disability,
            registration_order=c.number,
        )
        for c in contest.candidates.filter(status=Candidate.Status.REGISTERED).order_by("number")
    ]


def campaign_rules(campaign: Campaign):
    if campaign.quota_rules == Campaign.Rules.CUSTOM:
        return quota.get_rules(campaign.custom_rules)
    if campaign.quota_rules == Campaign.Rules.NONE:
        return quota.get_rules({"id": "none", "groups": []})
    return quota.get_rules(campaign.quota_rules)


def reference_date(campaign: Campaign) -> dt.date:
    if campaign.reference_date:
        return campaign.reference_date
    if campaign.voting_ends:
        return timezone.localtime(campaign.voting_ends).date()
    return timezone.localdate()


def _quota_pools(campaign: Campaign, contests: Sequence[Contest]) -> dict[int, list]:
    """quota_candidates() of every contest at once: one query for the whole campaign."""
    counts = (campaign.tally or {}).get("counts", {})
    pools: dict[int, list[quota.Candidate]] = {contest.pk: [] for contest in contests}
    rows = (
        Candidate.objects.filter(campaign=campaign, status=Candidate.Status.REGISTERED)
        .order_by("number")  # as quota_candidates; not the default ordering (a join)
        .values_list("contest_id", "number", "name", "sex", "birth_date", "has_disability")
    )
    for contest_id, number, name, sex, birth_date, disability in rows:
        pool = pools.get(contest_id)
        if pool is None:  # a contest without a list length: not built
            continue
        board_id = f"c{number}"  # Candidate.board_id
        pool.append(
            quota.Candidate(
                id=board_id,
                name=name,
                votes=int(counts.get(board_id, 0)),
                gender=sex,
                birth_date=birth_date,
                disability=disability,
                registration_order=number,
            )
        )
    return pools


def _list_data(campaign: Campaign, candidates: list, length: int, rules, reference) -> dict:
    """One contest's built list (quota.ListResult.to_dict()), or why none is possible."""
    try:
        return quota.build_list(
            candidates,
            length,
            rules,
            reference,
            prefix=campaign.prefix_mode,
            seed=campaign.tie_break_seed or None,
        ).to_dict()
    except quota.QuotaInfeasible as exc:
        return {
            "infeasible": exc.to_dict() if hasattr(exc, "to_dict") else str(exc),
            "message": str(exc),
        }
    except quota.ListLengthError as exc:
        return {
            "infeasible": {"length": length, "candidates": len(candidates)},
            "message": str(exc),
        }


def build_lists(scope: Scope | None, campaign: Campaign) -> list[ListResult]:
    """Build every contest's list from the tally (DESIGN.md 3.1-3.2).

    Each contest with a list length gets its ListResult created or replaced; a contest without
    one is left alone. The number of queries does not grow with the number of lists (3,400 in
    the national campaign, bench/b_tally.py): the contests, the registered candidates of all
    of them, and one upsert of all the results (INSERT ... ON CONFLICT (contest) DO UPDATE, on
    SQLite and PostgreSQL alike; in batches of 1,000 rows, one transaction).
    """
    if campaign.tally is None:
        raise ValidationError(_("Count the votes first."))
    rules = campaign_rules(campaign)
    reference = reference_date(campaign)
    # campaign.contests.all() gives every contest this very campaign object, so that
    # effective_length reads it without a query. Not select_related("campaign"): that would
    # load (and decode) the campaign's tally once per list, 20 s for the national campaign.
    contests = [contest for contest in campaign.contests.all() if contest.effective_length]
    pools = _quota_pools(campaign, contests)
    built_by = getattr(scope, "user", None)
    now = timezone.now()  # built_at is auto_now: one time for the whole build
    results = [
        ListResult(
            contest=contest,
            data=_list_data(
                campaign, pools[contest.pk], contest.effective_length, rules, reference
            ),
            built_by=built_by,
            built_at=now,
        )
        for contest in contests
    ]
    with transaction.atomic():
        ListResult.objects.bulk_create(
            results,
            update_conflicts=True,
            unique_fields=["contest"],
            update_fields=["data", "built_by", "built_at"],
            batch_size=1000,
        )
    return results


def publish_results(scope: Scope, campaign: Campaign, *, request=None) -> Campaign:
    if campaign.status != S.COUNTING:
        raise ValidationError(_("Results are published after counting."))
    build_lists(scope, campaign)
    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(status=S.RESULTS)
        campaign.status = S.RESULTS
        audit.record(
            scope.user, "campaign.results", campaign, branch=campaign.branch, request=request
        )
    return campaign


def export_record(campaign: Campaign) -> dict:
    """The public record of the board (docs/verification.md), sealed ballots only: while
    voting is open each ballot is its tracker and checkpoint; once the tally is signed, the
    full record with every ballot's nonce and choices and the tally."""
    withhold = not ballots_disclosed(campaign)
    return board.export_record(
        board_campaign(campaign),
        board.load_public_key(campaign.public_key) if campaign.public_key else signing_key(),
        checkpoints_of(campaign),
        iter_board_ballots(campaign, withhold=withhold),
        campaign.tally,
        withhold=withhold,
        close=None if withhold else campaign.board_close,
    )


# Staff set-up: campaign edits, lists, commission, candidate profiles ---------------------
#: What defines the ballot and the list. Fixed once voting opens: the board's campaign hash
#: covers the slug and the ballot rule, and the list rule and the lot must not move once
#: votes exist.
RULE_FIELDS = frozenset(
    {
        "slug",
        "choose_up_to",
        "list_length",
        "quota_rules",
        "custom_rules",
        "prefix_mode",
        "reference_date",
        "tie_break_seed",
        "encrypted",
    }
)
SETUP_STAGES = (S.DRAFT, S.NOMINATION, S.REGISTRATION)


def rules_locked(campaign: Campaign) -> bool:
    return campaign.status not in SETUP_STAGES


def custom_rules_error(data) -> str | None:
    """Why a custom rule set cannot be used (in the staff's words), or None."""
    if not isinstance(data, dict):
        return _("The custom rule set must be a JSON object with an id and groups.")
    try:
        quota.get_rules(data)
    except KeyError as exc:
        return _("The custom rule set is not valid: the key %(key)s is missing.") % {"key": exc}
    except (ValueError, TypeError, AttributeError) as exc:
        return _("The custom rule set is not valid: %(error)s") % {"error": exc}
    return None


def update_campaign(scope: Scope, campaign: Campaign, *, changes: dict, request=None) -> Campaign:
    """Edit a campaign's titles, dates and (before voting opens) its ballot and list rules."""
    scope.require(manage_campaign(scope, campaign))
    if "branch" in changes:
        raise ValidationError(
            {"branch": _("The scope of a campaign cannot change; create a new campaign.")}
        )
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if rules_locked(locked) and RULE_FIELDS & changes.keys():
            raise ValidationError(
                _("The ballot and list rules cannot change once voting has opened.")
            )
        if changes.get("quota_rules", locked.quota_rules) == Campaign.Rules.CUSTOM:
            error = custom_rules_error(changes.get("custom_rules", locked.custom_rules))
            if error:
                raise ValidationError({"custom_rules": error})
        for name, value in changes.items():
            setattr(locked, name, value)
        if changes:
            locked.save()
        audit.record(
            scope.user,
            "campaign.updated",
            locked,
            branch=locked.branch,
            request=request,
            data={"fields": sorted(changes)},
        )
    return locked


def contest_branch_allowed(campaign: Campaign, branch: Branch) -> bool:
    """A list takes its voters from the campaign's branch or, in a regional campaign, from
    one of its district or city branches."""
    if branch.pk == campaign.branch_id:
        return True
    return campaign.branch.kind == Branch.Kind.REGION and branch.kind != Branch.Kind.REGION


def save_contest(
    scope: Scope, campaign: Campaign, *, data: dict, contest: Contest | None = None, request=None
) -> Contest:
    """Add a list to a campaign or edit one; lists are fixed once voting opens."""
    scope.require(manage_campaign(scope, campaign))
    branch = data.get("branch") or (contest.branch if contest else None)
    if branch is None or not contest_branch_allowed(campaign, branch):
        raise ValidationError(
            {"branch": _("The list's voters must come from the campaign's scope.")}
        )
    try:
        with transaction.atomic():
            locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
            if rules_locked(locked):
                raise ValidationError(_("Lists cannot change once voting has opened."))
            if contest is None:
                contest = Contest.objects.create(campaign=locked, **data)
                action = "contest.created"
            else:
                for name, value in data.items():
                    setattr(contest, name, value)
                contest.save()
                action = "contest.updated"
            audit.record(
                scope.user,
                action,
                contest,
                branch=campaign.branch,
                request=request,
                summary=contest.title,
            )
    except IntegrityError:
        raise ValidationError(
            _("Another list of this campaign has this code or takes voters from this branch.")
        ) from None
    return contest


def _commission_fixed(campaign: Campaign) -> None:
    if campaign.status in (S.RESULTS, S.CLOSED):
        raise ValidationError(_("The commission is fixed once the results are published."))


def set_commission_member(
    scope: Scope, campaign: Campaign, *, user, role: str, request=None
) -> CommissionMember:
    """Add a user to the election commission, or change their role in it."""
    scope.require(manage_campaign(scope, campaign))
    _commission_fixed(campaign)
    with transaction.atomic():
        row, created = CommissionMember.objects.update_or_create(
            campaign=campaign, user=user, defaults={"role": role}
        )
        audit.record(
            scope.user,
            "commission.added" if created else "commission.role_changed",
            campaign,
            branch=campaign.branch,
            request=request,
            summary=str(row),
            data={"user": user.pk, "role": role},
        )
    return row


def remove_commission_member(scope: Scope, row: CommissionMember, *, request=None) -> None:
    campaign = row.campaign
    scope.require(manage_campaign(scope, campaign))
    _commission_fixed(campaign)
    with transaction.atomic():
        audit.record(
            scope.user,
            "commission.removed",
            campaign,
            branch=campaign.branch,
            request=request,
            summary=str(row),
            data={"user": row.user_id, "role": row.role},
        )
        row.delete()


PROFILE_FIELDS = frozenset({"photo", "biography", "program"})


def update_candidate_profile(
    scope: Scope, candidate: Candidate, *, changes: dict, request=None
) -> Candidate:
    """The candidate's photo, biography and program: by the candidate or the organisers,
    until voting opens (voters see what stood when they voted)."""
    campaign = candidate.campaign
    own = scope.user.is_authenticated and scope.user.member_id == candidate.member_id
    scope.require(own or act_as_commission(scope, campaign))
    if set(changes) - PROFILE_FIELDS:
        raise ValidationError(_("Only the photo, biography and program can be edited here."))
    if rules_locked(campaign):
        raise ValidationError(_("Candidate profiles cannot change once voting has opened."))
    with transaction.atomic():
        for name, value in changes.items():
            setattr(candidate, name, value)
        if changes:
            candidate.save()
        audit.record(
            scope.user,
            "candidate.profile_updated",
            candidate,
            branch=campaign.branch,
            request=request,
            data={"fields": sorted(changes)},
        )
    return candidate
