"""The members' and the public's pages of the primaries.

Who sees what: a campaign exists for a user when permissions.visible_campaigns says so (the public
sees campaigns from nomination on; organisers also their drafts); anything else is a 404. The
board, its JSON record, the candidates and the published results need no login. Voting needs a
signed-in member (password or one-time code); nomination and withdrawal act on the member's own
record only.

Secrecy on the receipt: the tracker is handed to the receipt page in a short-lived signed
cookie scoped to that page's path, not in the server-side session, because session rows live in
the database next to the user's id and a database dump must not link a voter to a ballot
(DESIGN.md 3.3). The receipt shows the tracker once and deletes the cookie.
"""

from __future__ import annotations

import json
import logging
import re
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from bastau.accounts import sessionproof
from bastau.core.dbrouter import replica_view
from bastau.core.pages import form_page
from bastau.core.permissions import requires
from bastau.lib.dates import age_on
from bastau.members.models import Member

from .. import board, permissions, results, services
from ..forms.public import BallotForm, SelfNominationForm, TrackerSearchForm, WithdrawForm
from ..keys import signing_key
from ..models import (
    Ballot,
    Campaign,
    Candidate,
    Checkpoint,
    Participation,
    PendingBallot,
    VoterRollEntry,
)

log = logging.getLogger(__name__)

S = Campaign.Status
BOARD_STATUSES = (S.VOTING, S.COUNTING, S.RESULTS, S.CLOSED)
CANDIDACY_OPEN = (S.NOMINATION, S.REGISTRATION)
RECEIPT_COOKIE = "bastau_receipt"
RECEIPT_SALT = "bastau.primaries.receipt"
RECEIPT_MAX_AGE = 15 * 60
TRACKER_RE = re.compile(r"[0-9a-f]{64}\Z")
BALLOTS_PER_PAGE = 50
CHECKPOINTS_PER_PAGE = 20
# Sealing on demand from the board page: only with at least this many pending ballots (a tiny
# checkpoint narrows down when its ballots were cast), at most once a minute per campaign.
SEAL_MIN_BATCH = getattr(settings, "BOARD_SEAL_MIN_BATCH", 20)
SEAL_ON_DEMAND_LIMIT = 5000


# Helpers ---------------------------------------------------------------------------------
def _campaign(request, slug) -> Campaign:
    """The campaign if this user may see it, else 404."""
    return get_object_or_404(permissions.visible_campaigns(request.scope), slug=slug)


def _member_id(request) -> int | None:
    return getattr(request.user, "member_id", None) if request.user.is_authenticated else None


def _roll_entries(campaign: Campaign, member_id: int | None):
    return VoterRollEntry.objects.filter(campaign=campaign, member_id=member_id)


#: Whether the signed-in member is on a campaign's roll, remembered for the request by the
#: page that looked it up, so that the Vote link costs no second query.
_ON_ROLL_ATTR = "_bastau_on_roll"


def _remember_on_roll(request, campaign: Campaign, on_roll: bool) -> None:
    memo = getattr(request, _ON_ROLL_ATTR, None)
    if memo is None:
        memo = {}
        setattr(request, _ON_ROLL_ATTR, memo)
    memo[campaign.pk] = on_roll


def vote_page_opens(request, campaign: Campaign) -> bool:
    """Whether `vote` shows this user a page rather than refusing with a 403.

    The rule of `vote` itself, for the links to it: a user who is not signed in is taken to the
    login page (the link stays), an account without a member record or a member not on the
    roll is refused. A member on the roll who has voted is told so, which is a page too.
    """
    if campaign.status != S.VOTING:
        return False
    if not request.user.is_authenticated:
        return True
    member_id = _member_id(request)
    if not member_id:
        return False
    memo = getattr(request, _ON_ROLL_ATTR, {})
    if campaign.pk not in memo:
        _remember_on_roll(request, campaign, _roll_entries(campaign, member_id).exists())
        memo = getattr(request, _ON_ROLL_ATTR)
    return memo[campaign.pk]


def voting_problem(campaign: Campaign) -> str | None:
    """Why a ballot cannot be cast now (not open, not started, ended), or None."""
    try:
        services._check_voting_open(campaign)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def tracker_groups(tracker: str, size: int = 4) -> list[str]:
    return [tracker[i : i + size] for i in range(0, len(tracker), size)]


def shorten(text: str, keep: int = 16) -> str:
    return text if len(text) <= keep else text[:keep] + "…"


class KnownCountPaginator(Paginator):
    """A paginator told its count (a checkpoint's total): no COUNT(*) over a million ballots."""

    def __init__(self, object_list, per_page, known_count: int):
        super().__init__(object_list, per_page)
        self._known_count = known_count

    @cached_property
    def count(self):
        return self._known_count


# Campaigns ---------------------------------------------------------------------------------
@require_safe
def campaigns(request):
    qs = permissions.visible_campaigns(request.scope).order_by("-created_at", "-pk")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    member_id = _member_id(request)
    on_roll: set[int] = set()
    voted: set[int] = set()
    if member_id and page.object_list:
        ids = [c.pk for c in page]
        on_roll = set(
            VoterRollEntry.objects.filter(member_id=member_id, campaign_id__in=ids).values_list(
                "campaign_id", flat=True
            )
        )
        voted = set(
            Participation.objects.filter(member_id=member_id, campaign_id__in=ids).values_list(
                "campaign_id", flat=True
            )
        )
    rows = [
        {
            "campaign": c,
            "on_roll": c.pk in on_roll,
            "voted": c.pk in voted,
            "can_vote": c.pk in on_roll and c.pk not in voted and c.status == S.VOTING,
        }
        for c in page
    ]
    return render(
        request,
        "primaries/public/campaigns.html",
        {"page": page, "rows": rows, "is_member": bool(member_id)},
    )


STAGES = [
    (S.NOMINATION, "nomination_starts", "nomination_ends"),
    (S.REGISTRATION, None, "registration_ends"),
    (S.VOTING, "voting_starts", "voting_ends"),
    (S.COUNTING, None, None),
    (S.RESULTS, "results_date", "complaints_end"),
]


def stage_steps(campaign: Campaign) -> list[dict]:
    order = [s for s, *_ in STAGES]
    current = order.index(campaign.status) if campaign.status in order else None
    if campaign.status == S.CLOSED:
        current = len(order)
    steps = []
    for i, (status, start, end) in enumerate(STAGES):
        steps.append(
            {
                "label": S(status).label,
                "state": "done"
                if current is not None and i < current
                else ("current" if i == current else ""),
                "start": getattr(campaign, start) if start else None,
                "end": getattr(campaign, end) if end else None,
            }
        )
    return steps


def _member_panel(request, campaign: Campaign) -> dict | None:
    """What a signed-in member sees about themselves: roll, vote, candidacy."""
    member_id = _member_id(request)
    if not member_id:
        return None
    panel: dict = {"roll_frozen": bool(campaign.roll_frozen_at)}
    if campaign.roll_frozen_at:
        entry = _roll_entries(campaign, member_id).select_related("contest").first()
        panel["roll_entry"] = entry
        panel["on_roll"] = entry is not None
        _remember_on_roll(request, campaign, entry is not None)
        eligible = entry is not None
    else:
        eligible = services.members_in_scope(campaign).filter(pk=member_id).exists()
        panel["eligible"] = eligible
    if campaign.status in BOARD_STATUSES:
        panel["voted"] = services.has_voted(campaign, member_id)
    candidacy = Candidate.objects.filter(campaign=campaign, member_id=member_id).first()
    panel["candidacy"] = candidacy
    panel["can_withdraw"] = (
        candidacy is not None
        and candidacy.status in (Candidate.Status.NOMINATED, Candidate.Status.REGISTERED)
        and campaign.status in CANDIDACY_OPEN
    )
    panel["can_nominate"] = campaign.status == S.NOMINATION and candidacy is None and eligible
    if panel["can_nominate"]:
        panel["nomination_form"] = SelfNominationForm(auto_id="nom_%s")
    problem = voting_problem(campaign) if campaign.status == S.VOTING else None
    panel["voting_problem"] = problem
    panel["can_vote"] = (
        campaign.status == S.VOTING
        and problem is None
        and panel.get("on_roll")
        and not panel.get("voted")
    )
    return panel


def _public_statuses(campaign: Campaign) -> list[str]:
    """Candidates everyone may see: the registered ones, and nominees while candidacies open."""
    if campaign.status in CANDIDACY_OPEN:
        return [Candidate.Status.REGISTERED, Candidate.Status.NOMINATED]
    return [Candidate.Status.REGISTERED]


@require_safe
def campaign_detail(request, slug):
    campaign = _campaign(request, slug)
    contests = list(campaign.contests.order_by("title", "pk"))
    candidates = (
        Candidate.objects.filter(campaign=campaign, status__in=_public_statuses(campaign))
        .select_related("nominating_poo")
        .order_by("number")
    )
    by_contest: dict[int, list] = {c.pk: [] for c in contests}
    for c in candidates:
        by_contest.setdefault(c.contest_id, []).append(c)
    lists = [{"contest": c, "candidates": by_contest.get(c.pk, [])} for c in contests]
    published = campaign.status in results.PUBLISHED
    return render(
        request,
        "primaries/public/campaign.html",
        {
            "campaign": campaign,
            "steps": stage_steps(campaign),
            "lists": lists,
            "several_lists": len(contests) > 1,
            "me": _member_panel(request, campaign),
            "board_open": campaign.status in BOARD_STATUSES,
            "results_visible": published
            or (
                campaign.status == S.COUNTING
                and request.user.is_authenticated
                and permissions.act_as_commission(request.scope, campaign)
            ),
        },
    )


@require_safe
def candidate_detail(request, slug, number):
    campaign = _campaign(request, slug)
    candidate = get_object_or_404(
        Candidate.objects.select_related("nominating_poo", "contest"),
        campaign=campaign,
        number=number,
    )
    if candidate.status not in _public_statuses(campaign):
        own = _member_id(request) == candidate.member_id
        if not (own or permissions.act_as_commission(request.scope, campaign)):
            raise Http404
    votes = None
    if campaign.status in results.PUBLISHED and campaign.tally:
        votes = campaign.tally.get("counts", {}).get(candidate.board_id)
    reference = services.reference_date(campaign)
    return render(
        request,
        "primaries/public/candidate.html",
        {
            "campaign": campaign,
            "candidate": candidate,
            "age": age_on(candidate.birth_date, reference),
            "votes": votes,
            "own": _member_id(request) == candidate.member_id,
        },
    )


# Candidacy -------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@requires("primaries.stand_as_candidate")
def nominate_self(request, slug):
    campaign = _campaign(request, slug)
    member_id = _member_id(request)
    if campaign.status != S.NOMINATION:
        messages.error(request, _("Nominations are not open in this campaign."))
        return redirect(campaign)
    if Candidate.objects.filter(campaign=campaign, member_id=member_id).exists():
        messages.info(request, _("You already stand in this campaign."))
        return redirect(campaign)
    form = SelfNominationForm(request.POST or None, request.FILES or None, auto_id="nom_%s")

    def save(data):
        member = Member.objects.select_related("poo").get(pk=member_id)
        return services.nominate(
            request.scope,
            campaign,
            member,
            nomination=Candidate.Nomination.SELF,
            biography=data["biography"],
            program=data["program"],
            photo=data.get("photo"),
            request=request,
        )

    return form_page(
        request,
        form,
        save=save,
        done=campaign.get_absolute_url(),
        message=_(
            "Your self-nomination is recorded. The election commission will consider "
            "your registration."
        ),
        title=campaign.title,
        cancel=campaign.get_absolute_url(),
        template="primaries/public/nominate.html",
        context={"campaign": campaign},
    )


@require_http_methods(["GET", "POST"])
@login_required
def withdraw(request, slug):
    campaign = _campaign(request, slug)
    member_id = _member_id(request)
    if not member_id:
        raise Http404
    candidate = get_object_or_404(Candidate, campaign=campaign, member_id=member_id)
    if (
        candidate.status not in (Candidate.Status.NOMINATED, Candidate.Status.REGISTERED)
        or campaign.status not in CANDIDACY_OPEN
    ):
        messages.error(request, _("Your candidacy can no longer be withdrawn here."))
        return redirect(campaign)
    form = WithdrawForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda data: services.set_candidate_status(
            request.scope,
            candidate,
            status=Candidate.Status.WITHDRAWN,
            reason=data["reason"],
            request=request,
        ),
        done=campaign.get_absolute_url(),
        message=_("Your candidacy is withdrawn."),
        title=campaign.title,
        cancel=campaign.get_absolute_url(),
        template="primaries/public/withdraw.html",
        context={"campaign": campaign, "candidate": candidate},
    )


# Voting ----------------------------------------------------------------------------------
def _refusal(request, campaign, title, message, status=200, voted=False):
    return render(
        request,
        "primaries/public/vote_refused.html",
        {"campaign": campaign, "title": title, "message": message, "voted": voted},
        status=status,
    )


def _receipt_value(campaign: Campaign, user_pk, tracker: str) -> str:
    return f"{campaign.slug}:{user_pk}:{tracker}"


_receipt_paths: dict[str, str] = {}


def receipt_path(slug: str) -> str:
    path = _receipt_paths.get(slug)
    if path is None:
        if len(_receipt_paths) > 1000:
            _receipt_paths.clear()
        path = _receipt_paths[slug] = reverse("primaries:receipt", args=[slug])
    return path


def receipt_redirect(campaign: Campaign, user_pk, tracker: str):
    """The answer to a stored ballot: to the receipt page, with the tracker in a short-lived
    signed cookie scoped to that page (never in the session: see the module's docstring)."""
    path = receipt_path(campaign.slug)
    response = HttpResponseRedirect(path)
    response.set_signed_cookie(
        RECEIPT_COOKIE,
        _receipt_value(campaign, user_pk, tracker),
        salt=RECEIPT_SALT,
        max_age=RECEIPT_MAX_AGE,
        path=path,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def vote(request, slug):
    sessionproof.refresh(request)  # for the next confirming POST (castpath)
    if request.method == "POST" and request.POST.get("step") == "confirm":
        thin = _confirm(request, slug)
        if thin is not None:
            return thin
    campaign = _campaign(request, slug)
    if campaign.encrypted:  # the browser encrypts: views/e2e_pages.py
        return redirect("primaries:e2e_vote", slug=campaign.slug)
    member_id = _member_id(request)
    if not member_id:
        return _refusal(
            request,
            campaign,
            _("You cannot vote with this account"),
            _(
                "Only party members vote, and this account is not linked to a member record. "
                "Sign in with your own member account."
            ),
            status=403,
        )
    problem = voting_problem(campaign)
    if problem:
        return _refusal(request, campaign, _("Voting is not open"), problem)
    entry = _roll_entries(campaign, member_id).select_related("contest").first()
    _remember_on_roll(request, campaign, entry is not None)
    if entry is None:
        return _refusal(
            request,
            campaign,
            _("You are not on the voter roll"),
            _(
                "The voter roll was drawn up when voting opened: the active members of the "
                "campaign's branch on that day. If you think you should be on it, contact the "
                "election commission."
            ),
            status=403,
        )
    step = request.POST.get("step", "") if request.method == "POST" else ""
    # The confirming POST skips this check: the cast's insert is refused by the unique
    # constraint for a member who has voted, and the same page is shown (one query less on
    # the hot path).
    if step != "confirm" and services.has_voted(campaign, member_id):
        return _already_voted(request, campaign)
    candidates = ballot_candidates(campaign, entry.contest)
    context = {
        "campaign": campaign,
        "contest": entry.contest,
        "candidates": candidates,
        "radio": campaign.choose_up_to == 1,
    }
    if step in ("review", "confirm"):
        form = BallotForm(request.POST, candidates=candidates, choose_up_to=campaign.choose_up_to)
        if form.is_valid() and step == "review":
            return render(
                request,
                "primaries/public/vote_confirm.html",
                {**context, "form": form, "chosen": form.chosen_candidates()},
            )
        if form.is_valid():
            return _cast(request, campaign, form, context, entry)
        if step == "confirm" and services.has_voted(campaign, member_id):
            return _already_voted(request, campaign)
        context["selected"] = set(request.POST.getlist("choice"))
        return render(request, "primaries/public/vote.html", {**context, "form": form})
    form = BallotForm(candidates=candidates, choose_up_to=campaign.choose_up_to)
    context["selected"] = set(request.POST.getlist("choice")) if step == "edit" else set()
    return render(request, "primaries/public/vote.html", {**context, "form": form})


def _confirm(request, slug):
    """The confirming POST (the cast itself), thin: the campaign and the list the ballot page
    was drawn for are kept per process while voting is open, so the request reads the session
    (Redis in production), the user, and sends the one cast statement (services.cast_online),
    which checks the roll, the window and one ballot per member itself. None: anything
    unusual (no list in the form, an old page, another state, an invalid form) goes through the
    full view, which reads everything and explains.
    """
    code = request.POST.get("list", "")
    member_id = _member_id(request)
    if not code or not member_id:
        return None
    campaign = _voting_campaign(slug)
    if campaign is None:
        return None
    contest = _campaign_contests(campaign).get(code)
    if contest is None:
        return None
    candidates = ballot_candidates(campaign, contest)
    form = BallotForm(request.POST, candidates=candidates, choose_up_to=campaign.choose_up_to)
    if not form.is_valid():
        return None
    context = {
        "campaign": campaign,
        "contest": contest,
        "candidates": candidates,
        "radio": campaign.choose_up_to == 1,
    }
    return _cast(request, campaign, form, context, contest=contest)


#: The ballot's description of a campaign in voting, per process, for the ballot page and the
#: confirming POST (castpath): the campaign by slug (its id, slug, choose_up_to, stage,
#: window), its lists by code and each list's registered candidates, each kept a few seconds
#: at most, so that a cast sends only its one statement. Only an unencrypted campaign in the
#: voting stage is kept (visible to everyone then). Correctness does not rest on what is kept:
#: the cast statement (services._CAST_SQL) reads the stage, the window, the roll, choose_up_to
#: and each chosen candidate's registration again, so a campaign closed meanwhile or a
#: candidate no longer on the list takes no ballot, and the full view then explains why; a
#: stale description can only show a form a few seconds out of date.
VOTING_CAMPAIGN_TTL = 5.0
_voting_campaigns: dict[str, tuple[float, Campaign | None]] = {}
_contests: dict[tuple, tuple[float, dict]] = {}
_clock = time.monotonic  # (tests move it on)


def forget_kept_campaigns() -> None:
    """Drop what this process keeps of campaigns in voting (tests: each has a new database;
    a cast refused for its choices: the form is drawn again from the database)."""
    _voting_campaigns.clear()
    _contests.clear()
    _candidates.clear()


def _voting_campaign(slug: str) -> Campaign | None:
    now = _clock()
    hit = _voting_campaigns.get(slug)
    if hit is not None and now - hit[0] < VOTING_CAMPAIGN_TTL:
        return hit[1]
    campaign = (
        Campaign.objects.select_related("branch")
        .filter(slug=slug, status=S.VOTING, encrypted=False, roll_frozen_at__isnull=False)
        .first()
    )
    if len(_voting_campaigns) > 1000:
        _voting_campaigns.clear()
    _voting_campaigns[slug] = (now, campaign)
    return campaign


def _campaign_contests(campaign: Campaign) -> dict:
    """The campaign's lists by code (the roll, frozen when voting opened, names them)."""
    key = (campaign.pk, campaign.roll_frozen_at)
    now = _clock()
    hit = _contests.get(key)
    if hit is None or now - hit[0] >= VOTING_CAMPAIGN_TTL:
        if len(_contests) > 1000:
            _contests.clear()
        hit = _contests[key] = (now, {c.code: c for c in campaign.contests.all()})
    return hit[1]


#: Registered candidates of a list, per process, while voting is open, a few seconds at most
#: (as the campaign above). How a candidate's status could change during voting:
#: set_candidate_status (the commission's register/refuse, a withdrawal) refuses once voting
#: has opened, checked on the campaign's row locked as open_voting locks it; the admin shows
#: the status read-only. What is left is outside Bastau's actions: a superuser deleting a
#: candidate in the admin, a shell, a data migration or SQL. The cast statement checks each
#: choice's registration itself (services._CAST_SQL), so none of these can make a kept list
#: accept a ballot for a candidate who is no longer on it.
CANDIDATES_TTL = VOTING_CAMPAIGN_TTL
_candidates: dict[tuple, tuple[float, list[Candidate]]] = {}


def ballot_candidates(campaign: Campaign, contest) -> list[Candidate]:
    """The list's registered candidates in number order, as the ballot shows them."""
    kept = campaign.status == S.VOTING and campaign.roll_frozen_at is not None
    key = (campaign.pk, contest.pk, campaign.roll_frozen_at)
    now = _clock()
    hit = _candidates.get(key) if kept else None
    if hit is not None and now - hit[0] < CANDIDATES_TTL:
        return hit[1]  # (before any queryset is built: that alone cost 8% of a cast's CPU)
    rows = list(
        contest.candidates.filter(status=Candidate.Status.REGISTERED)
        .order_by("number")
        .only("number", "name", "contest_id", "campaign_id", "nomination")
    )
    if not kept:
        return rows
    if len(_candidates) > 1000:
        _candidates.clear()
    _candidates[key] = (now, rows)
    return rows


def _already_voted(request, campaign):
    return _refusal(
        request,
        campaign,
        _("You have already voted"),
        _(
            "Your ballot is recorded. Each member votes once, online or on paper, and a vote "
            "cannot be changed."
        ),
        voted=True,
    )


def _cast(request, campaign, form, context, entry=None, contest=None):
    try:
        tracker = services.cast_online(
            request.user,
            campaign,
            form.cleaned_data["choice"],
            entry=entry,
            contest=contest,
            allowed=[c.board_id for c in context["candidates"]],
        )
    except services.AlreadyVoted:
        return _already_voted(request, campaign)
    except services.NotOnRoll:
        return _refusal(request, campaign, _("You are not on the voter roll"), "", status=403)
    except ValidationError as exc:
        # read again: the thin confirm path keeps the campaign a few seconds
        fresh = Campaign.objects.filter(pk=campaign.pk).first()
        problem = voting_problem(fresh) if fresh else _("Voting is not open.")
        if problem:
            return _refusal(request, campaign, _("Voting is not open"), problem)
        # e.g. a choice no longer on the list (the kept candidates were a few seconds old):
        # the form again, drawn from the database
        forget_kept_campaigns()
        context["candidates"] = ballot_candidates(fresh, context["contest"])
        form.add_error(None, exc)
        context["selected"] = set(form.cleaned_data.get("choice") or [])
        return render(request, "primaries/public/vote.html", {**context, "form": form})
    return receipt_redirect(campaign, request.user.pk, tracker)


@never_cache
@require_safe
@login_required
def receipt(request, slug):
    campaign = _campaign(request, slug)
    path = reverse("primaries:receipt", args=[campaign.slug])
    tracker = None
    try:
        value = request.get_signed_cookie(
            RECEIPT_COOKIE, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE
        )
    except (KeyError, signing.BadSignature):
        value = None
    if value:
        c_slug, _sep, rest = value.partition(":")
        user_pk, _sep, candidate = rest.partition(":")
        mine = c_slug == campaign.slug and user_pk == str(request.user.pk)
        if mine and TRACKER_RE.match(candidate):
            tracker = candidate
    member_id = _member_id(request)
    voted = bool(member_id) and services.has_voted(campaign, member_id)
    response = render(
        request,
        "primaries/public/receipt.html",
        {
            "campaign": campaign,
            "tracker": tracker,
            "groups": tracker_groups(tracker) if tracker else [],
            "voted": voted,
            "board_url": reverse("primaries:board", args=[campaign.slug]),
        },
    )
    response.delete_cookie(RECEIPT_COOKIE, path=path, samesite="Strict")
    return response


# The bulletin board ----------------------------------------------------------------------
def _maybe_seal(campaign: Campaign, pending: int) -> bool:
    """Seal the waiting ballots if enough wait, at most once a minute per campaign."""
    if campaign.status != S.VOTING or pending < SEAL_MIN_BATCH:
        return False
    if not cache.add(f"primaries:seal-on-demand:{campaign.pk}", 1, 60):
        return False
    try:
        return services.seal(campaign, limit=SEAL_ON_DEMAND_LIMIT) is not None
    except DatabaseError:  # another sealer holds the lock, or the database is busy
        log.warning("sealing on demand failed for %s", campaign.slug, exc_info=True)
        return False


def _choice_labels(choices, names: dict[str, str]) -> list[str]:
    return [f"№{cid[1:]} {names.get(cid, '')}".strip() for cid in choices]


def _encrypted_board(request, campaign, context):
    """An encrypted campaign's board: the events of its record and the trackers of the sealed
    ballots (hashes of ciphertexts), never a choice; the record itself is record.jsonl."""
    from ..e2e.hashing import b64e
    from ..models import E2EElection, E2EEvent, EncryptedBallot

    election = E2EElection.objects.filter(campaign=campaign).first()
    events = (
        E2EEvent.objects.filter(election=election)
        .order_by("-seq")
        .values_list("seq", "type", "hash")
    )
    sealed = EncryptedBallot.objects.filter(
        election=election, status=EncryptedBallot.Status.SEALED
    ).order_by("batch", "tracker")
    page = Paginator(sealed.values_list("tracker", "batch", "channel"), 200).get_page(
        request.GET.get("page")
    )
    context.update(
        {
            "election": election,
            "server_key": b64e(bytes(election.server_key)) if election else "",
            "events": [
                {"seq": seq, "type": type_, "hash": b64e(bytes(h))} for seq, type_, h in events[:50]
            ],
            "page": page,
            "trackers": [
                {"tracker": b64e(bytes(t)), "batch": batch, "channel": channel}
                for t, batch, channel in page.object_list
            ],
        }
    )
    return render(request, "primaries/public/board_e2e.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@replica_view
def board_page(request, slug):
    campaign = _campaign(request, slug)
    context: dict = {"campaign": campaign, "open": campaign.status in BOARD_STATUSES}
    if not context["open"]:
        return render(request, "primaries/public/board.html", context)
    if campaign.encrypted:
        return _encrypted_board(request, campaign, context)
    # Until voting is closed and counted the board shows what proves a ballot was recorded
    # (its tracker, its checkpoint), never what it holds: no running result can be read.
    disclosed = services.ballots_disclosed(campaign)
    context["disclosed"] = disclosed
    names = (
        {
            f"c{n}": name
            for n, name in Candidate.objects.filter(
                campaign=campaign, status=Candidate.Status.REGISTERED
            ).values_list("number", "name")
        }
        if disclosed
        else {}
    )
    pending = 0
    if campaign.status == S.VOTING:
        pending = PendingBallot.objects.filter(campaign=campaign).count()
        if _maybe_seal(campaign, pending):
            pending = PendingBallot.objects.filter(campaign=campaign).count()
    last = campaign.checkpoints.order_by("-seq").first()
    sealed_total = last.total if last else 0

    # "Is my ballot there?"
    # The search is POSTed by the page's own form, so trackers stay out of access logs and
    # browser history; a GET link with ?tracker= still works for people who share one.
    data = request.POST if request.method == "POST" else request.GET
    form = TrackerSearchForm(data if "tracker" in data else None)
    found = None
    if form.is_bound and form.is_valid():
        prefix = form.cleaned_data["tracker"]
        upper = prefix + "g"  # every hex digit sorts below "g": a range the index can serve
        sealed_qs = Ballot.objects.filter(
            campaign=campaign, tracker__gte=prefix, tracker__lt=upper
        ).select_related("checkpoint")
        if not disclosed:
            sealed_qs = sealed_qs.defer("nonce", "choices")
        sealed = list(sealed_qs.order_by("tracker")[:5])
        waiting = list(
            PendingBallot.objects.filter(campaign=campaign, tracker__gte=prefix, tracker__lt=upper)
            .order_by("tracker")
            .values_list("tracker", flat=True)[:5]
        )
        found = {
            "query": prefix,
            "sealed": [
                {
                    "tracker": b.tracker,
                    "groups": tracker_groups(b.tracker),
                    "checkpoint": b.checkpoint,
                    **(
                        {"nonce": b.nonce, "choices": _choice_labels(b.choices, names)}
                        if disclosed
                        else {}
                    ),
                }
                for b in sealed
            ],
            "pending": [{"tracker": t, "groups": tracker_groups(t)} for t in waiting],
        }
        found["none"] = not found["sealed"] and not found["pending"]

    # Checkpoints, newest first.
    cp_page = Paginator(
        campaign.checkpoints.order_by("-seq").only(
            "seq", "batch_size", "total", "sealed_at", "batch_root", "signature", "campaign_id"
        ),
        CHECKPOINTS_PER_PAGE,
    ).get_page(request.GET.get("cpage"))
    checkpoints = [
        {
            "seq": cp.seq,
            "batch_size": cp.batch_size,
            "total": cp.total,
            "sealed_at": cp.sealed_at,
            "batch_root": shorten(cp.batch_root),
            "batch_root_full": cp.batch_root,
            "signature": shorten(cp.signature),
            "signature_full": cp.signature,
        }
        for cp in cp_page
    ]

    # The sealed ballots, by checkpoint then tracker (a checkpoint's id grows with its seq:
    # they are created one at a time under the campaign's lock), 50 a page, counted by the
    # checkpoints rather than COUNT(*).
    only_seq = request.GET.get("checkpoint", "")
    ballots_qs = Ballot.objects.filter(campaign=campaign)
    count = sealed_total
    selected_cp = None
    if only_seq.isdigit():
        selected_cp = (
            Checkpoint.objects.filter(campaign=campaign, seq=int(only_seq))
            .only("pk", "seq", "batch_size")
            .first()
        )
        if selected_cp is None:
            raise Http404
        ballots_qs = ballots_qs.filter(checkpoint=selected_cp)
        count = selected_cp.batch_size
    ballots_qs = ballots_qs.order_by("checkpoint_id", "tracker").values_list(
        "tracker", "checkpoint__seq", *(["choices"] if disclosed else [])
    )
    page = KnownCountPaginator(ballots_qs, BALLOTS_PER_PAGE, count).get_page(
        request.GET.get("page")
    )
    ballots = [
        {
            "tracker": row[0],
            "short": shorten(row[0], 16),
            "checkpoint": row[1],
            **({"choices": _choice_labels(row[2], names)} if disclosed else {}),
        }
        for row in page
    ]
    context.update(
        {
            "form": form,
            "found": found,
            "pending": pending,
            "sealed_total": sealed_total,
            "last_checkpoint": last,
            "cp_page": cp_page,
            "checkpoints": checkpoints,
            "page": page,
            "ballots": ballots,
            "selected_cp": selected_cp,
            "public_key": campaign.public_key,
            "json_url": reverse("primaries:board_json", args=[campaign.slug]),
        }
    )
    return render(request, "primaries/public/board.html", context)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def stream_record(campaign: Campaign, chunk: int = 1000):
    """The board's record as JSON text, piece by piece, equal (after json.load) to
    services.export_record(campaign): the same keys in the same order, sealed ballots only,
    by checkpoint then tracker. Everything but the ballots is read before the first byte,
    and only ballots of the checkpoints read then are written, so a checkpoint sealed while
    the record streams cannot leave a ballot without its checkpoint. Until the tally is
    signed each ballot is its tracker and checkpoint only (nonce and choices not even read)."""
    bcampaign = services.board_campaign(campaign)
    key = board.load_public_key(campaign.public_key) if campaign.public_key else signing_key()
    rows = list(campaign.checkpoints.order_by("seq"))
    for row in rows:
        row.campaign = campaign
    checkpoints = [services._checkpoint_dataclass(r).to_dict() for r in rows]
    tally = dict(campaign.tally) if campaign.tally is not None else None
    close = campaign.board_close if tally is not None else None
    withhold = tally is None  # read together with the tally: the two cannot disagree
    codes = services.board_list_codes(campaign)
    contents = board.WITHHELD if withhold else board.PUBLISHED
    last_pk = rows[-1].pk if rows else None

    def generate():
        yield (
            "{"
            f'"format":{_dumps(bcampaign.format)},\n'
            f'"ballot_contents":{_dumps(contents)},\n'
            f'"campaign":{_dumps(bcampaign.to_dict())},\n'
            f'"public_key":{_dumps(board.public_key_to_text(key))},\n'
            '"checkpoints":['
        ).encode()
        yield ",".join("\n" + _dumps(cp) for cp in checkpoints).encode()
        yield b"],\n"
        if close is not None:
            yield f'"close":{_dumps(close)},\n'.encode()
        yield b'"ballots":['
        if last_pk is not None:
            qs = Ballot.objects.filter(campaign=campaign, checkpoint_id__lte=last_pk).order_by(
                "checkpoint_id", "tracker"
            )
            if withhold:
                rows_qs = qs.values_list("tracker", "checkpoint__seq")
            else:
                rows_qs = qs.values_list(
                    "tracker", "checkpoint__seq", "nonce", "choices", "contest_id"
                )
            buffer: list[str] = []
            first = True
            for row in rows_qs.iterator(chunk_size=5000):
                # trackers and nonces are hex by construction; choices go through the encoder
                if withhold:
                    buffer.append(f'{{"tracker":"{row[0]}","checkpoint":{int(row[1])}}}')
                elif codes is not None:
                    buffer.append(
                        f'{{"tracker":"{row[0]}","list":{_dumps(codes[row[4]])},'
                        f'"nonce":"{row[2]}","choices":{_dumps(row[3])},'
                        f'"checkpoint":{int(row[1])}}}'
                    )
                else:
                    buffer.append(
                        f'{{"tracker":"{row[0]}","nonce":"{row[2]}",'
                        f'"choices":{_dumps(row[3])},"checkpoint":{int(row[1])}}}'
                    )
                if len(buffer) >= chunk:
                    yield (("\n" if first else ",\n") + ",\n".join(buffer)).encode()
                    first = False
                    buffer = []
            if buffer:
                yield (("\n" if first else ",\n") + ",\n".join(buffer)).encode()
        yield b"\n]"
        if tally is not None:
            yield f',\n"tally":{_dumps(tally)}'.encode()
        yield b"}\n"

    return generate()


@require_safe
@replica_view
def board_json(request, slug):
    campaign = _campaign(request, slug)
    if campaign.status not in BOARD_STATUSES:
        raise Http404
    response = StreamingHttpResponse(
        stream_record(campaign), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{campaign.slug}-board.json"'
    # Final once the signed tally is in: caches may keep it longer (overload relief).
    final = campaign.tally is not None
    patch_cache_control(response, public=True, max_age=300 if final else 30)
    return response


# Results ---------------------------------------------------------------------------------
@require_safe
@replica_view
def results_page(request, slug):
    campaign = _campaign(request, slug)
    published = campaign.status in results.PUBLISHED
    preview = (
        not published
        and campaign.status == S.COUNTING
        and request.user.is_authenticated
        and permissions.act_as_commission(request.scope, campaign)
    )
    context: dict = {"campaign": campaign, "published": published, "preview": preview}
    if published or preview:
        reference = services.reference_date(campaign)
        context.update(
            {
                "reference": reference,
                "turnout": results.turnout(campaign),
                "stats": results.candidate_stats(campaign, reference),
                "documents": results.document_links(campaign),
                "youth_age": results.youth_age(),
                "counted": campaign.tally is not None,
            }
        )
        context.update(_results_lists(request, campaign, reference))
    return render(request, "primaries/public/results.html", context)


#: Up to this many lists a campaign's results are one page (a branch's primaries: one list, or
#: a few). A national campaign has thousands (3,400 lists, 11,000 candidates: an 18 MB page
#: that took 40 s to build); its page shows the campaign's figures, an index of the lists with
#: their ballots, 100 a page, and the results of the list chosen from it (?list=<code>).
RESULTS_LISTS_ON_ONE_PAGE = 10
RESULTS_INDEX_PAGE = 100


def _results_lists(request, campaign, reference) -> dict:
    with_results = campaign.contests.select_related("result").order_by("title", "pk")
    first = list(with_results[: RESULTS_LISTS_ON_ONE_PAGE + 1])
    if len(first) <= RESULTS_LISTS_ON_ONE_PAGE:
        return {"contests": results.contest_results(campaign, reference, contests=first)}
    # The index is paginated in the database: one page of lists read, not all 3,400.
    lists = campaign.contests.order_by("title", "pk").only("pk", "campaign_id", "code", "title")
    code = request.GET.get("list", "")
    chosen = list(with_results.filter(code=code)) if code else []
    page = Paginator(lists, RESULTS_INDEX_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    ballots = results.contest_ballots(campaign, shown + chosen, lists=page.paginator.count)
    for contest in shown:
        contest.ballots_cast = ballots.get(contest.pk, 0)
    page.object_list = shown
    return {
        "list_index": page,
        "chosen_list": chosen[0] if chosen else None,
        "contests": (
            results.contest_results(campaign, reference, contests=chosen, ballots=ballots)
            if chosen
            else []
        ),
    }
