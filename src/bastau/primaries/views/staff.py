"""The organisers' and election commission's pages (/primaries/manage/...).

Who may do what is in permissions.py: every page needs `primaries.view_staff_pages` (staff
roles and commission members), and `permissions.campaign_access` gives the campaign of a page
with the user's part in it (a 404 outside their reach, a 403 when their part is not enough):
organisers set up, the commission registers candidates, reads the roll, closes voting and
publishes results, commission members type paper ballots, nominators record nominations.
Views stay thin: every write goes through an action in services.py, which audits it.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bastau.core import audit
from bastau.core.forms import apply_errors
from bastau.core.history import history_rows
from bastau.core.pages import form_page
from bastau.core.permissions import requires
from bastau.core.spreadsheets import csv_response, spreadsheet_safe
from bastau.lib.dates import age_on, born_after_for_age_below
from bastau.lib.iin import mask
from bastau.members import permissions as members_permissions
from bastau.structure import permissions as structure_permissions

from .. import permissions, services
from ..forms.staff import (
    CampaignForm,
    CandidateFilterForm,
    CandidateProfileForm,
    CandidateStatusForm,
    CommissionForm,
    ContestForm,
    NominateForm,
    PaperEntryForm,
)
from ..models import (
    Campaign,
    Candidate,
    Checkpoint,
    CommissionMember,
    Contest,
    ListResult,
    PaperBatch,
    Participation,
    PendingBallot,
    VoterRollEntry,
)
from ..permissions import Access

S = Campaign.Status

#: CSS badge classes of bastau.css for each status.
BADGES = {
    S.NOMINATION: "pending",
    S.REGISTRATION: "pending",
    S.VOTING: "running",
    S.COUNTING: "running",
    S.RESULTS: "done",
    S.CLOSED: "closed",
    Candidate.Status.NOMINATED: "pending",
    Candidate.Status.REGISTERED: "done",
    Candidate.Status.WITHDRAWN: "closed",
    Candidate.Status.REJECTED: "rejected",
    PaperBatch.Status.AWAITING_SECOND: "pending",
    PaperBatch.Status.MISMATCH: "rejected",
    PaperBatch.Status.ACCEPTED: "done",
    PaperBatch.Status.REFUSED: "rejected",
}

#: What the button moving a campaign on says, and what it does.
NEXT_STEP = {
    S.NOMINATION: (
        gettext_lazy("Open nomination"),
        gettext_lazy("Primary organizations and members can then nominate candidates."),
    ),
    S.REGISTRATION: (
        gettext_lazy("End nomination and start registration"),
        gettext_lazy("No new nominations are accepted; the commission registers candidates."),
    ),
    S.VOTING: (
        gettext_lazy("Open voting"),
        gettext_lazy(
            "The voter roll is frozen: the active members of the campaign's branch now. "
            "Registered candidates, the ballot rule and the list rule can no longer change."
        ),
    ),
    S.COUNTING: (
        gettext_lazy("Close voting and count"),
        gettext_lazy(
            "No more ballots are accepted, online or on paper. Every ballot is sealed into "
            "the signed board and the tally is signed."
        ),
    ),
    S.RESULTS: (
        gettext_lazy("Publish the results"),
        gettext_lazy("The lists are built from the tally under the quota rules and published."),
    ),
    S.CLOSED: (
        gettext_lazy("Close the campaign"),
        gettext_lazy("The campaign is archived; nothing changes after this."),
    ),
}


def _share(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal, from integers (None when there is nothing to divide)."""
    if not whole:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"))


def _badge(obj) -> None:
    obj.badge = BADGES.get(obj.status, "")


def _said(request, message: str, url: str) -> str:
    """Where a form page goes next, with a message that names what its action returned."""
    messages.success(request, message)
    return url


# Campaigns ---------------------------------------------------------------------------------
@require_GET
@requires("primaries.view_staff_pages")
def campaign_list(request):
    scope = request.scope
    qs = permissions.staff_campaigns(scope).annotate(candidate_count=Count("candidates"))
    status = request.GET.get("status", "")
    if status in S.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-created_at", "pk"), 30).get_page(request.GET.get("page"))
    mine = set(
        CommissionMember.objects.filter(user=request.user).values_list("campaign_id", flat=True)
    )
    for campaign in page:
        _badge(campaign)
        campaign.can_open = campaign.pk in mine or permissions.manage_campaign(scope, campaign)
    return render(
        request,
        "primaries/staff/campaigns.html",
        {"page": page, "status": status, "statuses": S.choices},
    )


@require_http_methods(["GET", "POST"])
@requires("primaries.add_campaign")
def campaign_create(request):
    scope = request.scope
    form = CampaignForm(
        request.POST or None,
        branches=structure_permissions.branches(scope),
        initial={"choose_up_to": 1, "quota_rules": Campaign.Rules.PARTY_2019},
    )
    return form_page(
        request,
        form,
        save=lambda data: services.create_campaign(scope, data=data, request=request),
        done=lambda campaign: reverse("primaries:manage_campaign", args=[campaign.slug]),
        message=_("The campaign was created."),
        title=_("New campaign"),
        cancel=reverse("primaries:manage"),
    )


@require_http_methods(["GET", "POST"])
@requires("primaries.view_staff_pages")
def campaign_edit(request, slug):
    access = permissions.campaign_access(request.scope, slug, "manage")
    campaign = access.campaign
    form = CampaignForm(
        request.POST or None,
        instance=campaign,
        branches=structure_permissions.branches(access.scope),
    )

    def save(data):
        # Locked (disabled) fields never change, though a disabled JSONField can report a
        # change of its own; an empty rule set typed over an empty one is no change either.
        changes = {
            name: data[name]
            for name in form.changed_data
            if not form.fields[name].disabled and data[name] != form.initial.get(name)
        }
        return services.update_campaign(
            access.scope, Campaign.objects.get(pk=campaign.pk), changes=changes, request=request
        )

    return form_page(
        request,
        form,
        save=save,
        done=lambda saved: reverse("primaries:manage_campaign", args=[saved.slug]),
        message=_("Saved."),
        title=_("Edit the campaign"),
        cancel=reverse("primaries:manage_campaign", args=[slug]),
        back=(reverse("primaries:manage_campaign", args=[slug]), campaign.title),
        notice=_("Voting has opened: the ballot and list rules are locked.")
        if form.rules_locked
        else "",
    )


def _steps(campaign: Campaign) -> list[tuple[str, bool, bool]]:
    order = list(S)
    reached = order.index(campaign.status)
    return [(s.label, i < reached, i == reached) for i, s in enumerate(order)]


@require_GET
@requires("primaries.view_staff_pages")
def campaign_manage(request, slug):
    access = permissions.campaign_access(request.scope, slug, "commission")
    campaign = access.campaign
    _badge(campaign)
    by_status = dict(campaign.candidates.order_by().values_list("status").annotate(n=Count("id")))
    candidate_counts = [
        (value, label, by_status.get(value, 0)) for value, label in Candidate.Status.choices
    ]
    roll_by_contest = dict(
        VoterRollEntry.objects.filter(campaign=campaign)
        .order_by()
        .values_list("contest_id")
        .annotate(n=Count("id"))
    )
    registered_by_contest = dict(
        campaign.candidates.filter(status=Candidate.Status.REGISTERED)
        .order_by()
        .values_list("contest_id")
        .annotate(n=Count("id"))
    )
    results = {r.contest_id: r for r in ListResult.objects.filter(contest__campaign=campaign)}
    contests = list(campaign.contests.select_related("branch"))
    for contest in contests:
        contest.roll_size = roll_by_contest.get(contest.pk, 0)
        contest.registered = registered_by_contest.get(contest.pk, 0)
        contest.list_result = results.get(contest.pk)
    roll_size = sum(roll_by_contest.values())
    by_channel = dict(
        Participation.objects.filter(campaign=campaign)
        .order_by()
        .values_list("channel")
        .annotate(n=Count("id"))
    )
    voted = sum(by_channel.values())
    batches = dict(campaign.paper_batches.order_by().values_list("status").annotate(n=Count("id")))
    last_checkpoint = Checkpoint.objects.filter(campaign=campaign).order_by("-seq").first()
    target = services.TRANSITIONS.get(campaign.status)
    return render(
        request,
        "primaries/staff/campaign.html",
        {
            "campaign": campaign,
            "access": access,
            "steps": _steps(campaign),
            "candidate_counts": candidate_counts,
            "candidate_total": sum(by_status.values()),
            "contests": contests,
            "roll_size": roll_size,
            "voted": voted,
            "voted_online": by_channel.get(Participation.Channel.ONLINE, 0),
            "voted_paper": by_channel.get(Participation.Channel.PAPER, 0),
            "turnout": _share(voted, roll_size),
            "pending": PendingBallot.objects.filter(campaign=campaign).count(),
            "last_checkpoint": last_checkpoint,
            "batch_counts": [
                (value, label, batches.get(value, 0))
                for value, label in PaperBatch.Status.choices
                if batches.get(value)
            ],
            "commission": campaign.commission.select_related("user"),
            "next_step": NEXT_STEP.get(target) if target else None,
            "may_advance": access.may_advance(),
        },
    )


class AdvanceForm(django_forms.Form):
    """The confirmation: names the stage it was shown at, so a double click or a stale page
    cannot move the campaign twice."""

    stage = django_forms.CharField(widget=django_forms.HiddenInput)


@require_http_methods(["GET", "POST"])
@requires("primaries.view_staff_pages")
def campaign_advance(request, slug):
    access = permissions.campaign_access(request.scope, slug, "advance")
    campaign = access.campaign
    target = services.TRANSITIONS.get(campaign.status)
    if target is None:
        messages.error(request, _("The campaign is closed."))
        return redirect("primaries:manage_campaign", slug)
    form = AdvanceForm(request.POST or None, initial={"stage": campaign.status})

    def save(data):
        if data["stage"] != campaign.status:
            raise ValidationError(_("The campaign has moved on since this page was opened."))
        services.advance(access.scope, campaign, request=request)
        campaign.refresh_from_db()
        return campaign

    label, explanation = NEXT_STEP[target]
    return form_page(
        request,
        form,
        save=save,
        done=lambda moved: _said(
            request,
            _("The campaign is now at the stage “%(stage)s”.")
            % {"stage": moved.get_status_display()},
            reverse("primaries:manage_campaign", args=[slug]),
        ),
        title=label,
        cancel=reverse("primaries:manage_campaign", args=[slug]),
        template="primaries/staff/advance.html",
        context={
            "campaign": campaign,
            "access": access,
            "label": label,
            "explanation": explanation,
            "target": S(target).label,
        },
    )


# Lists and commission ----------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@requires("primaries.view_staff_pages")
def contest_list(request, slug):
    access = permissions.campaign_access(request.scope, slug, "manage")
    campaign = access.campaign
    form = ContestForm(request.POST or None, campaign=campaign)
    contests = campaign.contests.select_related("branch").annotate(
        candidate_count=Count(
            "candidates",
            filter=Q(
                candidates__status__in=[Candidate.Status.NOMINATED, Candidate.Status.REGISTERED]
            ),
        )
    )
    return form_page(
        request,
        form,
        save=lambda data: services.save_contest(access.scope, campaign, data=data, request=request),
        done=reverse("primaries:manage_lists", args=[slug]),
        message=_("The list was added."),
        title=_("Lists"),
        cancel=reverse("primaries:manage_lists", args=[slug]),
        template="primaries/staff/lists.html",
        context={
            "campaign": campaign,
            "access": access,
            "contests": contests,
            "locked": services.rules_locked(campaign),
        },
    )


@require_http_methods(["GET", "POST"])
@requires("primaries.view_staff_pages")
def contest_edit(request, slug, code):
    access = permissions.campaign_access(request.scope, slug, "manage")
    campaign = access.campaign
    contest = get_object_or_404(Contest.objects.filter(campaign=campaign), code=code)
    form = ContestForm(request.POST or None, instance=contest, campaign=campaign)
    return form_page(
        request,
        form,
        save=lambda data: services.save_contest(
            access.scope,
            campaign,
            data={name: data[name] for name in form.changed_data},
            contest=Contest.objects.get(pk=contest.pk),
            request=request,
        ),
        done=reverse("primaries:manage_lists", args=[slug]),
        message=_("Saved."),
        title=_("Edit the list"),
        cancel=reverse("primaries:manage_lists", args=[slug]),
        back=(reverse("primaries:manage_campaign", args=[slug]), campaign.title),
    )


@require_http_methods(["GET", "POST"])
@requires("primaries.view_staff_pages")
def commission(request, slug):
    access = permissions.campaign_access(request.scope, slug, "manage")
    campaign = access.campaign
    form = CommissionForm(request.POST or None, scope=access.scope, campaign=campaign)
    return form_page(
        request,
        form,
        save=lambda data: services.set_commission_member(
            access.scope, campaign, user=data["who"], role=data["role"], request=request
        ),
        done=reverse("primaries:manage_commission", args=[slug]),
        message=_("The commission was updated."),
        title=_("Commission"),
        cancel=reverse("primaries:manage_campaign", args=[slug]),
        template="primaries/staff/commission.html",
        context={
            "campaign": campaign,
            "access": access,
            "rows": campaign.commission.select_related("user", "user__member"),
        },
    )


@require_POST
@requires("primaries.view_staff_pages")
def commission_remove(request, slug, pk):
    access = permissions.campaign_access(request.scope, slug, "manage")
    row = get_object_or_404(
        CommissionMember.objects.select_related("user", "campaign"),
        campaign=access.campaign,
        pk=pk,
    )
    try:
        services.remove_commission_member(access.scope, row, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Removed from the commission: %(who)s") % {"who": row.user})
    return redirect("primaries:manage_commission", slug)


# Candidates --------------------------------------------------------------------------------
def filter_candidates(campaign: Campaign, data, contests) -> tuple[CandidateFilterForm, object]:
    form = CandidateFilterForm(data or None, contests=contests)
    form.is_valid()
    f = form.cleaned_data if form.is_bound else {}
    qs = campaign.candidates.all()
    status = f.get("status", "")
    if status == "standing":
        qs = qs.filter(status__in=[Candidate.Status.NOMINATED, Candidate.Status.REGISTERED])
    elif status:
        qs = qs.filter(status=status)
    if f.get("nomination"):
        qs = qs.filter(nomination=f["nomination"])
    if f.get("sex"):
        qs = qs.filter(sex=f["sex"])
    if f.get("youth"):
        qs = qs.filter(birth_date__gt=_youth_cutoff(campaign))
    if f.get("contest"):
        qs = qs.filter(contest__code=f["contest"])
    query = (f.get("q") or "").strip()
    if query.isdigit():
        qs = qs.filter(number=int(query))
    elif query:
        for word in query.split()[:3]:
            qs = qs.filter(name__icontains=word)
    return form, qs


def _youth_cutoff(campaign: Campaign):
    """Youth: younger than YOUTH_AGE_LIMIT (35) on the campaign's reference date."""
    return born_after_for_age_below(settings.YOUTH_AGE_LIMIT, services.reference_date(campaign))


def candidate_statistics(campaign: Campaign, qs) -> dict:
    """POO-nominated vs self-nominated, women and youth, counted by the database."""
    counts = qs.aggregate(
        total=Count("id"),
        poo=Count("id", filter=Q(nomination=Candidate.Nomination.POO)),
        self_nominated=Count("id", filter=Q(nomination=Candidate.Nomination.SELF)),
        women=Count("id", filter=Q(sex="F")),
        youth=Count("id", filter=Q(birth_date__gt=_youth_cutoff(campaign))),
    )
    total = counts["total"]
    return {
        **counts,
        "poo_share": _share(counts["poo"], total),
        "self_share": _share(counts["self_nominated"], total),
        "women_share": _share(counts["women"], total),
        "youth_share": _share(counts["youth"], total),
        "youth_age": settings.YOUTH_AGE_LIMIT,
        "reference_date": services.reference_date(campaign),
    }


@require_GET
@requires("primaries.view_staff_pages")
def candidate_list(request, slug):
    access = permissions.campaign_access(request.scope, slug, "commission")
    campaign = access.campaign
    contests = list(campaign.contests.all())
    form, qs = filter_candidates(campaign, request.GET, contests)
    stats = candidate_statistics(campaign, qs)
    rows = qs.select_related("contest", "nominating_poo").order_by("number")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    reference = stats["reference_date"]
    for candidate in page:
        _badge(candidate)
        candidate.age = age_on(candidate.birth_date, reference)
    context = {
        "campaign": campaign,
        "access": access,
        "form": form,
        "page": page,
        "stats": stats,
        "many_lists": len(contests) > 1,
    }
    template = (
        "primaries/staff/_candidate_rows.html"
        if request.htmx
        else "primaries/staff/candidates.html"
    )
    return render(request, template, context)


def _candidate_for(request, slug, number) -> tuple[Access, Candidate]:
    """A candidate of a campaign the user acts on as the commission (404 outside it)."""
    access = permissions.campaign_access(request.scope, slug, "commission")
    candidate = get_object_or_404(
        Candidate.objects.select_related("contest", "member", "nominating_poo"),
        campaign=access.campaign,
        number=number,
    )
    candidate.campaign = access.campaign
    return access, candidate


def _status_actions(access: Access, candidate: Candidate) -> list[tuple[str, str]]:
    """The status changes this user may make now: (status, button label)."""
    if access.campaign.status not in (S.NOMINATION, S.REGISTRATION):
        return []
    actions = []
    if candidate.status in (Candidate.Status.NOMINATED, Candidate.Status.REJECTED):
        actions.append((Candidate.Status.REGISTERED, _("Register")))
    if candidate.status in (Candidate.Status.NOMINATED, Candidate.Status.REGISTERED):
        actions.append((Candidate.Status.REJECTED, _("Refuse registration")))
        if access.manage:
            actions.append((Candidate.Status.WITHDRAWN, _("Withdraw")))
    return actions


@require_http_methods(["GET", "POST"])
@requires("primaries.view_staff_pages")
def candidate_detail(request, slug, number):
    access, candidate = _candidate_for(request, slug, number)
    actions = _status_actions(access, candidate)
    form = CandidateStatusForm(request.POST or None)

    def save(data):
        if data["status"] not in dict(actions):
            raise ValidationError(_("This change is not possible now."))
        services.set_candidate_status(
            access.scope, candidate, status=data["status"], reason=data["reason"], request=request
        )

    _badge(candidate)
    return form_page(
        request,
        form,
        save=save,
        done=lambda _result: _said(
            request,
            _("%(name)s: %(status)s")
            % {"name": candidate.name, "status": candidate.get_status_display()},
            reverse("primaries:manage_candidate", args=[slug, number]),
        ),
        title=candidate.name,
        cancel=reverse("primaries:manage_candidates", args=[slug]),
        template="primaries/staff/candidate.html",
        context={
            "campaign": access.campaign,
            "access": access,
            "candidate": candidate,
            "age": age_on(candidate.birth_date, services.reference_date(access.campaign)),
            "actions": actions,
            "editable": not services.rules_locked(access.campaign),
            # read only when the page is shown (a template calls a callable)
            "history": lambda: history_rows(candidate.history.all(), limit=20),
        },
    )


@require_http_methods(["GET", "POST"])
@requires("primaries.view_staff_pages")
def candidate_edit(request, slug, number):
    access, candidate = _candidate_for(request, slug, number)
    form = CandidateProfileForm(request.POST or None, request.FILES or None, instance=candidate)

    def save(data):
        changes = {name: data[name] for name in form.changed_data}
        if changes.get("photo") is False:  # "clear" ticked
            changes["photo"] = ""
        fresh = Candidate.objects.select_related("campaign").get(pk=candidate.pk)
        return services.update_candidate_profile(
            access.scope, fresh, changes=changes, request=request
        )

    return form_page(
        request,
        form,
        save=save,
        done=reverse("primaries:manage_candidate", args=[slug, number]),
        message=_("Saved."),
        title=_("Candidate profile: %(name)s") % {"name": candidate.name},
        cancel=reverse("primaries:manage_candidate", args=[slug, number]),
        back=(reverse("primaries:manage_campaign", args=[slug]), access.campaign.title),
    )


def _search_nominees(access: Access, query: str):
    members = access.nominees().exclude(
        pk__in=Candidate.objects.filter(campaign=access.campaign).values("member_id")
    )
    query = query.strip()
    if not query:
        return None
    if query.isdigit():
        if not members_permissions.see_personal_data(access.scope):
            return members.none()
        members = members.filter(iin__startswith=query)
    else:
        for word in query.split()[:3]:
            members = members.filter(
                Q(last_name__istartswith=word)
                | Q(first_name__istartswith=word)
                | Q(patronymic__istartswith=word)
            )
    return members.select_related("poo").order_by("last_name", "first_name", "id")[:20]


@require_http_methods(["GET", "POST"])
@requires("primaries.view_staff_pages")
def nominate(request, slug):
    access = permissions.campaign_access(request.scope, slug, "nominate")
    campaign = access.campaign
    members = access.nominees()
    chosen = None
    initial = {}
    if request.method == "GET" and request.GET.get("member", "").isdigit():
        chosen = members.select_related("poo").filter(pk=int(request.GET["member"])).first()
        if chosen is not None:
            initial = {"member": str(chosen.pk), "nominating_poo": chosen.poo_id}
    form = NominateForm(
        request.POST or None,
        initial=initial,
        members=members,
        poos=access.nominating_poos().order_by("name"),
        contests=campaign.contests.order_by("title"),
    )
    if not access.manage:
        # Recording someone's self-nomination is the organisers' job (or the member's own).
        form.fields["nomination"].choices = [
            c for c in form.fields["nomination"].choices if c[0] == Candidate.Nomination.POO
        ]

    def save(data):
        return services.nominate(
            access.scope,
            campaign,
            data["member"],
            nomination=data["nomination"],
            nominating_poo=data["nominating_poo"],
            poo_decision_date=data["poo_decision_date"],
            poo_protocol_number=data["poo_protocol_number"],
            contest=data.get("contest"),
            request=request,
        )

    def done(candidate):
        if access.commission:
            url = reverse("primaries:manage_candidate", args=[slug, candidate.number])
        else:
            url = reverse("primaries:manage_nominate", args=[slug])
        return _said(
            request,
            _("%(name)s is nominated as candidate No. %(number)s.")
            % {"name": candidate.name, "number": candidate.number},
            url,
        )

    query = request.GET.get("q", "")
    return form_page(
        request,
        form,
        save=save,
        done=done,
        title=_("Record a nomination"),
        cancel=reverse("primaries:manage_campaign", args=[slug]),
        template="primaries/staff/nominate.html",
        context={
            "campaign": campaign,
            "access": access,
            "open": campaign.status == S.NOMINATION,
            # after a post, the member it named (read when the page is shown)
            "chosen": (lambda: form.cleaned_data.get("member"))
            if request.method == "POST"
            else chosen,
            "q": query,
            "found": _search_nominees(access, query),
            "show_personal": members_permissions.see_personal_data(access.scope),
        },
    )


# Voter roll --------------------------------------------------------------------------------
ROLL_COLUMNS = [
    "list",
    "member_number",
    "iin",
    "last_name",
    "first_name",
    "patronymic",
    "poo_code",
    "poo_name",
]


@require_GET
@requires("primaries.view_staff_pages")
def roll_csv(request, slug):
    """The frozen voter roll, streamed; IINs masked for those who may not see them."""
    access = permissions.campaign_access(request.scope, slug, "commission")
    campaign = access.campaign
    masked = not members_permissions.see_personal_data(access.scope)
    qs = VoterRollEntry.objects.filter(campaign=campaign)
    code = request.GET.get("list", "")
    if code:
        contest = get_object_or_404(Contest.objects.filter(campaign=campaign), code=code)
        qs = qs.filter(contest=contest)
    qs = qs.select_related("contest", "member", "member__poo").order_by(
        "contest__code", "member__last_name", "member__first_name", "member_id"
    )
    audit.record(
        request.user,
        "roll.exported",
        campaign,
        branch=campaign.branch,
        request=request,
        data={"list": code, "masked": masked},
    )

    def rows():
        for entry in qs.iterator(chunk_size=2000):
            m = entry.member
            yield [
                entry.contest.code,
                m.pk,
                mask(m.iin) if masked else m.iin,
                spreadsheet_safe(m.last_name),
                spreadsheet_safe(m.first_name),
                spreadsheet_safe(m.patronymic),
                m.poo.code,
                spreadsheet_safe(m.poo.name),
            ]

    suffix = f"-{code}" if code else ""
    return csv_response(ROLL_COLUMNS, rows(), f"bastau-roll-{campaign.slug}{suffix}.csv")


# Paper ballots -----------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@requires("primaries.view_staff_pages")
def paper(request, slug):
    """Commission members type a polling station's paper ballots; two of them per batch."""
    access = permissions.campaign_access(request.scope, slug, "paper")
    campaign = access.campaign
    initial = {}
    if request.method == "GET":
        batch_id = request.GET.get("batch", "")
        batch = (
            PaperBatch.objects.filter(campaign=campaign, pk=int(batch_id)).first()
            if batch_id.isdigit()
            else None
        )
        if batch is not None:
            initial = {"batch": batch.pk, "poo": batch.poo_id}
    form = PaperEntryForm(request.POST or None, initial=initial, campaign=campaign)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "submit":
            try:
                batch = services.submit_paper_entry(
                    access.scope,
                    campaign,
                    poo=data["poo"],
                    voter_ids=data["voter_ids"],
                    ballots=data["ballot_list"],
                    batch=data["batch"],
                    request=request,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if batch.status == PaperBatch.Status.ACCEPTED:
                    messages.success(
                        request,
                        _("Batch No. %(id)s is accepted: the two entries match.")
                        % {"id": batch.pk},
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "Batch No. %(id)s is saved. Another member of the commission must "
                            "now enter the same ballots."
                        )
                        % {"id": batch.pk},
                    )
                return redirect("primaries:manage_paper", slug)
        else:
            preview = _paper_preview(form)
    batches = (
        PaperBatch.objects.filter(campaign=campaign)
        .select_related("poo")
        .annotate(entry_count=Count("entries"))
        .order_by("-created_at", "-pk")
    )
    page = Paginator(batches, 30).get_page(request.GET.get("page"))
    mine = set(
        PaperBatch.objects.filter(
            pk__in=[b.pk for b in page], entries__entered_by=request.user
        ).values_list("pk", flat=True)
    )
    for batch in page:
        _badge(batch)
        batch.entered_by_me = batch.pk in mine
    return render(
        request,
        "primaries/staff/paper.html",
        {
            "campaign": campaign,
            "access": access,
            "form": form,
            "preview": preview,
            "voter_rows": form.voter_rows,
            "page": page,
            "open": campaign.status == S.VOTING,
        },
    )


def _paper_preview(form) -> dict:
    """What was typed, read back: the voters' names and the ballots counted per candidate."""
    ballots = form.cleaned_data["ballot_list"]
    names = dict(
        form.contest.candidates.filter(status=Candidate.Status.REGISTERED).values_list(
            "number", "name"
        )
    )
    counts = Counter(choice for ballot in ballots for choice in ballot)
    per_candidate = sorted(
        ((int(cid[1:]), names.get(int(cid[1:]), ""), n) for cid, n in counts.items()),
        key=lambda row: row[0],
    )
    return {
        "contest": form.contest,
        "ballots": len(ballots),
        "blank": sum(1 for b in ballots if not b),
        "per_candidate": per_candidate,
    }
