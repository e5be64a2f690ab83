"""Pages of contests, awards and commissions (/activity/contests/, /activity/awards/,
/activity/commissions/).

Who may use which page (each view names its rule of `activity/permissions.py`; the services in
`recognition/services.py` check it again):
- contests: every signed-in user sees the list, a contest and its published results; the
  regional administrator creates contests, seats jurors, moves the stages on and awards the
  winners; entry submission is for the administrator, district secretaries and POO leaders;
  the scoring sheet is for a juror of the stage now running;
- awards: every signed-in user sees the awards list cut to their scope (a member: their
  own); the administrator and district secretaries give awards;
- commissions: the administrator and district secretaries only; another district's
  commission is a 404;
- editors: an award's page shows its history to those who may change it (whoever could give
  it, `permissions.change_award`; someone who sees it but may not change it gets a 403 on the
  edit and delete pages); a commission's page shows the history of the commission, its seats,
  sessions and decisions; the deleted awards and deleted commissions pages keep what was
  deleted readable. A deletion is confirmed on its own page (POST).
A page the role may not use is a 403; anonymous users go to the login page. No page here
shows an IIN, a phone number or an address.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl import Workbook

from bastau.accounts.scoping import Scope
from bastau.core.forms import apply_errors
from bastau.core.history import history_rows, merged_history
from bastau.core.pages import form_page
from bastau.core.permissions import requires
from bastau.core.spreadsheets import sheet_title, spreadsheet_safe, workbook_response
from bastau.members import permissions as members_permissions
from bastau.structure import permissions as structure_permissions
from bastau.structure.models import Branch

from .. import permissions
from ..models import (
    Award,
    Commission,
    CommissionDecision,
    CommissionMembership,
    CommissionSession,
    Contest,
    Score,
)
from . import services as rec
from .forms import (
    AwardEditForm,
    AwardFilterForm,
    AwardForm,
    AwardWinnersForm,
    CommissionEditForm,
    CommissionForm,
    ContestForm,
    CriteriaForm,
    DeleteForm,
    EndSeatForm,
    EntryForm,
    JurorForm,
    PooChoiceForm,
    ScoreSheetForm,
    SeatEditForm,
    SeatForm,
    SessionForm,
)

PAGE_SIZE = 50
MEETING_CHOICES = 100

#: CSS badge classes of bastau.css for each contest status.
CONTEST_BADGES = {
    Contest.Status.OPEN: "pending",
    Contest.Status.DISTRICT: "running",
    Contest.Status.REGIONAL: "running",
    Contest.Status.FINISHED: "done",
}


#: The section navigation shown above the forms of these pages.
NAV = "activity/recognition/_nav.html"


def _said(request, message: str, url: str) -> str:
    """For a form page whose message depends on what was done: say it, then go to `url`."""
    messages.success(request, message)
    return url


# Contests ------------------------------------------------------------------------------------
def _contest(scope: Scope, pk) -> Contest:
    return get_object_or_404(permissions.contests(scope), pk=pk)


@require_GET
@requires("activity.view_contests")
def contests(request):
    scope = request.scope
    qs = (
        permissions.contests(scope)
        .annotate(
            entry_count=Count("entries", distinct=True),
            winner_count=Count("entries", filter=Q(entries__is_winner=True), distinct=True),
        )
        .order_by("-year", "name", "pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"contest": c, "badge": CONTEST_BADGES.get(c.status, "")} for c in page]
    return render(
        request,
        "activity/recognition/contests.html",
        dict(section="contests", page=page, rows=rows),
    )


@require_http_methods(["GET", "POST"])
@requires("activity.manage_contests")
def contest_new(request):
    scope = request.scope
    branches = Branch.objects.order_by("kind", "name")
    initial = {"year": timezone.localdate().year, "branch": request.user.branch_id}
    form = ContestForm(request.POST or None, branches=branches, initial=initial)
    return form_page(
        request,
        form,
        save=lambda data: rec.create_contest(scope, request=request, **data),
        done=lambda contest: reverse("activity:contest_jury", args=[contest.pk]),
        message=_("The contest is announced. Seat its jurors next."),
        title=_("Announce a contest"),
        cancel=reverse("activity:contests"),
        nav=NAV,
        context={"section": "contests"},
    )


@require_GET
@requires("activity.view_contests")
def contest(request, pk):
    scope = request.scope
    obj = _contest(scope, pk)
    today = timezone.localdate()
    return render(
        request,
        "activity/recognition/contest.html",
        dict(
            section="contests",
            contest=obj,
            badge=CONTEST_BADGES.get(obj.status, ""),
            criteria=obj.criteria.all(),
            jurors=obj.jurors.select_related("user", "district"),
            entries=permissions.entries(scope, obj).order_by("poo__branch__name", "poo__name"),
            entry_total=obj.entries.count(),
            can_enter=permissions.submit_entries(scope)
            and rec.accepts_entries(obj, today)
            and permissions.entry_poos(scope, obj).exists(),
            seat=permissions.juror_seat(scope, obj),
        ),
    )


@require_http_methods(["GET", "POST"])
@requires("activity.submit_entries")
def contest_enter(request, pk):
    scope = request.scope
    obj = _contest(scope, pk)
    today = timezone.localdate()
    form = EntryForm(request.POST or None, poos=permissions.entry_poos(scope, obj))
    back = reverse("activity:contest", args=[obj.pk])
    return form_page(
        request,
        form,
        save=lambda data: rec.submit_entry(scope, obj, request=request, today=today, **data),
        done=back,
        message=_("The entry is submitted."),
        title=_("Enter the contest"),
        subtitle=str(obj),
        cancel=back,
        submit=_("Submit the entry"),
        notice=""
        if rec.accepts_entries(obj, today)
        else _("This contest no longer accepts entries."),
        nav=NAV,
        context={"section": "contests"},
    )


@require_http_methods(["GET", "POST"])
@requires("activity.manage_contests")
def contest_criteria(request, pk):
    scope = request.scope
    obj = _contest(scope, pk)
    lines = "\n".join(
        f"{c.name}; {c.weight.normalize():f}; {c.max_points}" for c in obj.criteria.all()
    )
    scored = Score.objects.filter(entry__contest=obj).exists()
    back = reverse("activity:contest", args=[obj.pk])
    return form_page(
        request,
        CriteriaForm(request.POST or None, initial={"criteria": lines}),
        save=lambda data: rec.replace_criteria(
            scope, obj, criteria=data["criteria"], request=request
        ),
        done=back,
        message=_("The criteria are saved."),
        title=_("Contest criteria"),
        subtitle=str(obj),
        notice=_("Jurors have recorded scores: the criteria can no longer change.")
        if scored
        else "",
        cancel=back,
        nav=NAV,
        context={"section": "contests"},
    )


@require_http_methods(["GET", "POST"])
@requires("activity.manage_contests")
def contest_jury(request, pk):
    scope = request.scope
    obj = _contest(scope, pk)
    form = JurorForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                seat = get_object_or_404(obj.jurors, pk=request.POST.get("juror") or 0)
                rec.remove_juror(scope, seat, request=request)
                messages.success(request, _("The juror is removed."))
                return redirect("activity:contest_jury", obj.pk)
            if form.is_valid():
                rec.add_juror(
                    scope,
                    obj,
                    user=form.cleaned_data["username"],
                    stage=form.cleaned_data["stage"],
                    district=form.cleaned_data["district"],
                    request=request,
                )
                messages.success(request, _("The juror is seated."))
                return redirect("activity:contest_jury", obj.pk)
        except ValidationError as exc:
            if request.POST.get("action") == "remove":
                messages.error(request, " ".join(exc.messages))
            else:
                apply_errors(form, exc)
    jurors = obj.jurors.select_related("user", "district").annotate(marks=Count("scores"))
    return render(
        request,
        "activity/recognition/jury.html",
        dict(section="contests", contest=obj, jurors=jurors, form=form),
    )


STAGE_ACTIONS = {
    Contest.Status.OPEN: "open_district",
    Contest.Status.DISTRICT: "close_district",
    Contest.Status.REGIONAL: "close_regional",
}


@require_http_methods(["GET", "POST"])
@requires("activity.manage_contests")
def contest_stage(request, pk):
    """Move the contest on: open the district stage, close it, close the regional stage.
    GET shows what will be written (the ranking now); POST does it."""
    scope = request.scope
    obj = _contest(scope, pk)
    action = STAGE_ACTIONS.get(obj.status)
    if request.method == "POST":
        if request.POST.get("action") != action:
            messages.error(request, _("The contest has moved on meanwhile; check and try again."))
            return redirect("activity:contest_stage", obj.pk)
        try:
            if action == "open_district":
                rec.open_district_stage(scope, obj, request=request)
                messages.success(request, _("The district stage is open: jurors may score."))
            elif action == "close_district":
                rec.close_district_stage(scope, obj, request=request)
                messages.success(request, _("The district stage is closed; finalists advance."))
            else:
                rec.close_regional_stage(scope, obj, request=request)
                messages.success(request, _("The contest is finished; the winners are named."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("activity:contest_stage", obj.pk)
        return redirect("activity:contest", obj.pk)
    preview = None
    if obj.status in Contest.Stage.values:
        preview = rec.stage_ranking(obj, obj.status)
    return render(
        request,
        "activity/recognition/stage.html",
        dict(section="contests", contest=obj, action=action, preview=preview),
    )


@require_http_methods(["GET", "POST"])
@requires("activity.view_contests")
def contest_score(request, pk):
    scope = request.scope
    obj = _contest(scope, pk)
    seat = permissions.scoring_seat(scope, obj)
    entries = list(rec.sheet_entries(seat))
    criteria = list(obj.criteria.all())
    marks = {
        (e, c): p
        for e, c, p in Score.objects.filter(juror=seat, stage=seat.stage).values_list(
            "entry_id", "criterion_id", "points"
        )
    }
    form = ScoreSheetForm(request.POST or None, entries=entries, criteria=criteria, marks=marks)
    here = reverse("activity:contest_score", args=[obj.pk])
    return form_page(
        request,
        form,
        save=lambda _data: rec.record_scores(scope, obj, points=form.points(), request=request),
        done=lambda n: _said(request, _("%(n)s marks saved.") % {"n": n}, here),
        title=str(obj),
        cancel=reverse("activity:contest", args=[obj.pk]),
        template="activity/recognition/score.html",
        context={"section": "contests", "contest": obj, "seat": seat, "criteria": criteria},
    )


def _stage_param(request) -> str:
    stage = request.GET.get("stage") or Contest.Stage.DISTRICT
    if stage not in Contest.Stage.values:
        raise Http404
    return stage


@require_GET
@requires("activity.view_contests")
def contest_results(request, pk):
    scope = request.scope
    obj = _contest(scope, pk)
    stage = _stage_param(request)
    return render(
        request,
        "activity/recognition/results.html",
        dict(
            section="contests",
            contest=obj,
            stage=stage,
            stages=Contest.Stage.choices,
            groups=rec.visible_ranking(scope, obj, stage),
            published=rec.stage_closed(obj, stage),
        ),
    )


@require_GET
@requires("activity.view_contests")
def contest_results_xlsx(request, pk):
    scope = request.scope
    obj = _contest(scope, pk)
    wb = Workbook(write_only=True)
    for stage, label in Contest.Stage.choices:
        sheet = wb.create_sheet(sheet_title(str(label)))
        sheet.append(
            [_("District"), pgettext("ranking", "Place"), _("Primary organization"), _("Score"),
             _("Marks"), _("Advanced") if stage == Contest.Stage.DISTRICT else _("Winner")]
        )  # fmt: skip
        for group in rec.visible_ranking(scope, obj, stage) or []:
            for row in group.rows:
                flag = (
                    row.entry.advanced if stage == Contest.Stage.DISTRICT else row.entry.is_winner
                )
                sheet.append(
                    [spreadsheet_safe(row.entry.poo.branch.display_name), row.place,
                     spreadsheet_safe(row.entry.poo.name), row.score, row.marks,
                     _("yes") if flag else ""]
                )  # fmt: skip
    return workbook_response(wb, f"contest-{obj.pk}-results.xlsx")


@require_http_methods(["GET", "POST"])
@requires("activity.manage_contests")
def contest_award_winners(request, pk):
    scope = request.scope
    obj = _contest(scope, pk)
    form = AwardWinnersForm(
        request.POST or None,
        initial={"kind": Award.Kind.DIPLOMA, "awarded_on": timezone.localdate()},
    )
    back = reverse("activity:contest", args=[obj.pk])
    return form_page(
        request,
        form,
        save=lambda data: rec.award_winners(scope, obj, request=request, **data),
        done=lambda given: _said(request, _("%(n)s awards recorded.") % {"n": len(given)}, back),
        title=_("Award the winners"),
        subtitle=str(obj),
        cancel=back,
        notice=""
        if obj.status == Contest.Status.FINISHED
        else _("The winners are known once the contest is finished."),
        nav=NAV,
        context={"section": "contests"},
    )


# Awards --------------------------------------------------------------------------------------
def _filtered_awards(scope: Scope, request):
    districts = (
        structure_permissions.branches(scope).exclude(kind=Branch.Kind.REGION).order_by("name")
    )
    form = AwardFilterForm(request.GET or None, districts=districts)
    qs = rec.filter_awards(permissions.awards(scope), **form.filters())
    return form, qs


@require_GET
@requires("activity.view_awards")
def awards(request):
    scope = request.scope
    form, qs = _filtered_awards(scope, request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activity/recognition/awards.html",
        dict(section="awards", form=form, page=page),
    )


@require_GET
@requires("activity.view_awards")
def awards_xlsx(request):
    scope = request.scope
    _form, qs = _filtered_awards(scope, request)
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(sheet_title(_("Awards")))
    sheet.append(
        [_("Awarded on"), _("Award"), _("Title"), _("Number"), _("Recipient"), _("Veteran"),
         _("Primary organization"), _("District"), _("Awarded by"), _("Occasion"),
         _("Contest")]
    )  # fmt: skip
    for a in qs.iterator(chunk_size=2000):
        poo = a.member.poo if a.member_id else a.poo
        sheet.append(
            [a.awarded_on, str(a.get_kind_display()), spreadsheet_safe(a.title),
             spreadsheet_safe(a.number),
             spreadsheet_safe(a.member.full_name if a.member_id else a.poo.name),
             _("yes") if a.member_id and a.member.is_veteran else "",
             spreadsheet_safe(poo.name), spreadsheet_safe(poo.branch.display_name),
             spreadsheet_safe(a.branch.display_name), spreadsheet_safe(a.occasion),
             spreadsheet_safe(str(a.contest_entry.contest) if a.contest_entry_id else "")]
        )  # fmt: skip
    return workbook_response(wb, "awards.xlsx")


def _award_meetings(scope: Scope, poo, also=None):
    """The latest meetings where the award may have been given: the POO's own, its branch's
    and the regional branch's (those the giver may see), and the meeting `also` (the one an
    award being changed names)."""
    qs = permissions.meetings(scope).filter(
        Q(branch_id=poo.branch_id, poo__isnull=True) | Q(poo=poo) | Q(branch__kind="region")
    )
    latest = list(qs.order_by("-date", "-pk").values_list("pk", flat=True)[:MEETING_CHOICES])
    if also is not None:
        latest.append(also)
    return permissions.meetings(scope).filter(pk__in=latest).order_by("-date", "-pk")


@require_http_methods(["GET", "POST"])
@requires("activity.give_awards")
def award_new(request):
    """Step 1 (GET ?poo= or ?member=): the organization; step 2: recipient and award."""
    scope = request.scope
    poos = (
        structure_permissions.poos(scope).select_related("branch").order_by("branch__name", "name")
    )
    params = request.POST if request.method == "POST" else request.GET
    preset_member = None
    if request.GET.get("member"):
        if not request.GET["member"].isdigit():
            raise Http404
        preset_member = get_object_or_404(
            members_permissions.members(scope), pk=request.GET["member"]
        )
        poo = preset_member.poo
    else:
        value = params.get("poo", "")
        if value and not value.isdigit():
            raise Http404
        poo = get_object_or_404(poos, pk=value) if value else None
    if poo is None:
        chooser = PooChoiceForm(poos=poos)
        return render(
            request,
            "activity/recognition/award_new.html",
            dict(section="awards", chooser=chooser, form=None, poo=None),
        )
    members = (
        members_permissions.members(scope)
        .filter(poo=poo, left_on__isnull=True)
        .only("pk", "last_name", "first_name", "patronymic", "is_veteran", "poo_id")
        .order_by("last_name", "first_name", "pk")
    )
    initial = {"awarded_on": timezone.localdate(), "branch": permissions.award_branches(scope, poo)
               .filter(pk=request.user.branch_id).first() or poo.branch}  # fmt: skip
    if preset_member is not None:
        initial["recipient"] = f"{rec.RECIPIENT_MEMBER}-{preset_member.pk}"
    form = AwardForm(
        request.POST or None,
        initial=initial,
        poo=poo,
        members=list(members),
        branches=permissions.award_branches(scope, poo),
        meetings=_award_meetings(scope, poo),
        entries=poo.contest_entries.select_related("contest"),
    )

    def save(data):
        data = {k: v for k, v in data.items() if k != "recipient"}
        return rec.give_award(scope, request=request, **data, **form.recipient_kwargs())

    return form_page(
        request,
        form,
        save=save,
        done=reverse("activity:awards"),
        message=_("The award is recorded."),
        title=_("Give an award"),
        cancel=reverse("activity:awards"),
        template="activity/recognition/award_new.html",
        context={"section": "awards", "chooser": None, "poo": poo},
    )


def _delete_form(request) -> DeleteForm:
    """Bound on any POST: a confirmation without a reason posts no field at all."""
    return DeleteForm(request.POST if request.method == "POST" else None)


def _award_label(record) -> str:
    """An award's history record in words: the award and its recipient."""
    who = record.member.full_name if record.member_id and record.member else ""
    if not who and record.poo_id and record.poo:
        who = record.poo.name
    name = (
        f"{record.get_kind_display()} «{record.title}»"
        if record.title
        else str(record.get_kind_display())
    )
    return f"{name} — {who}" if who else name


def _changeable_award(request, pk) -> Award:
    """The award if the user sees it (else 404) and may change it (else 403)."""
    award = get_object_or_404(permissions.awards(request.scope), pk=pk)
    if not permissions.change_award(request.scope, award):
        raise PermissionDenied
    return award


@require_GET
@requires("activity.view_awards")
def award(request, pk):
    """An award with its change history (the history for those who may change it)."""
    obj = get_object_or_404(permissions.awards(request.scope), pk=pk)
    can_change = permissions.change_award(request.scope, obj)
    return render(
        request,
        "activity/recognition/award.html",
        dict(
            section="awards",
            award=obj,
            can_change=can_change,
            history=history_rows(obj.history.all()) if can_change else None,
        ),
    )


@require_http_methods(["GET", "POST"])
@requires("activity.give_awards")
def award_edit(request, pk):
    scope = request.scope
    obj = _changeable_award(request, pk)
    home = obj.member.poo if obj.member_id else obj.poo
    fields = ("kind", "title", "number", "awarded_on", "occasion", "branch", "meeting",
              "contest_entry")  # fmt: skip
    form = AwardEditForm(
        request.POST or None,
        initial={name: getattr(obj, name) for name in fields},
        poo=home,
        branches=permissions.award_branches(scope, home),
        meetings=_award_meetings(scope, home, also=obj.meeting_id),
        entries=home.contest_entries.select_related("contest"),
    )
    back = reverse("activity:award", args=[obj.pk])
    return form_page(
        request,
        form,
        save=lambda data: rec.change_award(scope, obj, request=request, **data),
        done=back,
        message=_("The award is saved."),
        title=_("Change the award"),
        subtitle=_award_label(obj),
        cancel=back,
        nav=NAV,
        context={"section": "awards"},
    )


@require_http_methods(["GET", "POST"])
@requires("activity.give_awards")
def award_delete(request, pk):
    scope = request.scope
    obj = _changeable_award(request, pk)
    return form_page(
        request,
        _delete_form(request),
        save=lambda data: rec.delete_award(scope, obj, request=request, **data),
        done=reverse("activity:awards"),
        message=_("The award is deleted; its history stays on the deleted awards page."),
        title=_("Delete the award?"),
        subtitle=_award_label(obj),
        notice=_(
            "Delete an award only when it was recorded by mistake. To correct its details, "
            "change it instead."
        ),
        submit=_("Delete"),
        cancel=reverse("activity:award", args=[obj.pk]),
        nav=NAV,
        context={"section": "awards"},
    )


@require_GET
@requires("activity.give_awards")
def awards_deleted(request):
    """The awards deleted within the user's reach: who deleted which and when, and the whole
    history of each (it stays after the award itself is gone)."""
    qs = (
        permissions.deleted_awards(request.scope)
        .select_related("history_user", "member", "poo")
        .order_by("-history_date", "-history_id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [record.id for record in page]
    history = merged_history(
        [Award.history.filter(id__in=ids).select_related("member", "poo")],
        limit=PAGE_SIZE * 4,
        window=PAGE_SIZE * 8,
        subject=_award_label,
    )
    return render(
        request,
        "activity/recognition/awards_deleted.html",
        dict(
            section="awards",
            page=page,
            rows=[{"record": r, "label": _award_label(r)} for r in page],
            history=history,
        ),
    )


# Commissions ---------------------------------------------------------------------------------
@require_GET
@requires("activity.manage_commissions")
def commissions(request):
    scope = request.scope
    qs = rec.with_current_counts(permissions.commissions(scope))
    qs = qs.order_by("branch__name", "kind", "name")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activity/recognition/commissions.html",
        dict(section="commissions", page=page),
    )


@require_http_methods(["GET", "POST"])
@requires("activity.manage_commissions")
def commission_new(request):
    scope = request.scope
    form = CommissionForm(
        request.POST or None,
        branches=permissions.commission_branches(scope),
        initial={"branch": request.user.branch_id},
    )
    return form_page(
        request,
        form,
        save=lambda data: rec.create_commission(scope, request=request, **data),
        done=lambda obj: reverse("activity:commission", args=[obj.pk]),
        message=_("The commission is registered."),
        title=_("Register a commission"),
        cancel=reverse("activity:commissions"),
        nav=NAV,
        context={"section": "commissions"},
    )


@require_GET
@requires("activity.manage_commissions")
def commission(request, pk):
    scope = request.scope
    obj = get_object_or_404(permissions.commissions(scope), pk=pk)
    today = timezone.localdate()
    sessions = CommissionSession.objects.filter(commission=obj).prefetch_related(
        Prefetch(
            "decisions",
            queryset=CommissionDecision.objects.select_related("member").order_by("position"),
        )
    )
    page = Paginator(sessions, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "activity/recognition/commission.html",
        dict(
            section="commissions",
            commission=obj,
            current=rec.current_seats(obj, today),
            past=rec.past_seats(obj, today),
            page=page,
            history=_commission_history([obj.pk]),
        ),
    )


HISTORY_ROWS = 50


def _history_subject(record) -> str:
    """A commission's, seat's, session's or decision's history record in words."""
    model = record.instance_type
    kind = capfirst(str(model._meta.verbose_name))
    if model is Commission:
        return f"{kind} «{record.name}»"
    if model is CommissionMembership:
        person = record.member.full_name if record.member_id and record.member else record.name
        return f"{kind}: {person} ({record.get_role_display()})"
    if model is CommissionSession:
        when = date_format(record.date, "SHORT_DATE_FORMAT")
        return f"{kind} {when}" + (f" № {record.number}" if record.number else "")
    return f"{kind} {record.position}: {Truncator(record.text).chars(60)}"


def _commission_history(commission_ids, limit: int = HISTORY_ROWS):
    """The changes of these commissions, of their seats, sessions and decisions, deleted ones
    included, newest first."""
    sessions = CommissionSession.history.filter(commission_id__in=commission_ids)
    return merged_history(
        [
            Commission.history.filter(id__in=commission_ids),
            CommissionMembership.history.filter(commission_id__in=commission_ids).select_related(
                "member"
            ),
            sessions,
            CommissionDecision.history.filter(session_id__in=sessions.values("id")),
        ],
        limit=limit,
        subject=_history_subject,
    )


def _commission(request, pk) -> Commission:
    return get_object_or_404(permissions.commissions(request.scope), pk=pk)


@require_http_methods(["GET", "POST"])
@requires("activity.manage_commissions")
def commission_edit(request, pk):
    scope = request.scope
    obj = _commission(request, pk)
    fields = ("kind", "name", "term_start", "term_end", "description")
    form = CommissionEditForm(
        request.POST or None, initial={name: getattr(obj, name) for name in fields}
    )
    back = reverse("activity:commission", args=[obj.pk])
    return form_page(
        request,
        form,
        save=lambda data: rec.change_commission(scope, obj, request=request, **data),
        done=back,
        message=_("The commission is saved."),
        title=_("Change the commission"),
        subtitle=f"{obj.name}, {obj.branch.display_name}",
        cancel=back,
        nav=NAV,
        context={"section": "commissions"},
    )


@require_http_methods(["GET", "POST"])
@requires("activity.manage_commissions")
def commission_delete(request, pk):
    scope = request.scope
    obj = _commission(request, pk)
    held = obj.sessions.exists()
    return form_page(
        request,
        _delete_form(request),
        save=lambda data: rec.delete_commission(scope, obj, request=request, **data),
        done=reverse("activity:commissions"),
        message=_("The commission is deleted; its history stays on the deleted commissions page."),
        title=_("Delete the commission?"),
        subtitle=f"{obj.name}, {obj.branch.display_name}",
        notice=rec.held_sessions_message()
        if held
        else _(
            "Delete a commission only when it was registered by mistake: its seats are deleted "
            "with it. To dissolve a commission, set the end of its term instead."
        ),
        submit=_("Delete"),
        cancel=reverse("activity:commission", args=[obj.pk]),
        back=(reverse("activity:commission_edit", args=[obj.pk]), _("Set the end of its term"))
        if held
        else None,
        nav=NAV,
        context={"section": "commissions"},
    )


@require_GET
@requires("activity.manage_commissions")
def commissions_deleted(request):
    """The commissions deleted within the user's branches and the history of each."""
    qs = (
        permissions.deleted_commissions(request.scope)
        .select_related("history_user", "branch")
        .order_by("-history_date", "-history_id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activity/recognition/commissions_deleted.html",
        dict(
            section="commissions",
            page=page,
            history=_commission_history([r.id for r in page], limit=PAGE_SIZE * 4),
        ),
    )


@require_http_methods(["GET", "POST"])
@requires("activity.manage_commissions")
def commission_seat_new(request, pk):
    scope = request.scope
    obj = get_object_or_404(permissions.commissions(scope), pk=pk)
    members = members_permissions.members(scope).filter(left_on__isnull=True).select_related("poo")
    if obj.branch.kind != Branch.Kind.REGION:
        members = members.filter(poo__branch_id=obj.branch_id)
    # The member is picked through the searchable picker; the submitted id must still be one
    # of the commission's branch in the user's scope (the field's queryset).
    form = SeatForm(
        request.POST or None,
        members=members.order_by("last_name", "first_name"),
        initial={"since": timezone.localdate()},
    )
    back = reverse("activity:commission", args=[obj.pk])
    return form_page(
        request,
        form,
        save=lambda data: rec.add_seat(scope, obj, request=request, **data),
        done=back,
        message=_("The seat is recorded."),
        title=str(obj),
        cancel=back,
        template="activity/recognition/seat_new.html",
        context={"section": "commissions", "commission": obj},
    )


@require_http_methods(["GET", "POST"])
@requires("activity.manage_commissions")
def commission_seat_end(request, pk):
    scope = request.scope
    seat = get_object_or_404(
        CommissionMembership.objects.select_related("commission", "member").filter(
            commission__in=permissions.commissions(scope)
        ),
        pk=pk,
    )
    form = EndSeatForm(request.POST or None, initial={"until": timezone.localdate()})
    back = reverse("activity:commission", args=[seat.commission_id])
    return form_page(
        request,
        form,
        save=lambda data: rec.end_seat(scope, seat, request=request, **data),
        done=back,
        message=_("The seat is ended."),
        title=_("End a seat"),
        subtitle=f"{seat.commission}: {seat.display_name} ({seat.get_role_display()})",
        cancel=back,
        notice=_("This seat has already ended.") if seat.until else "",
        nav=NAV,
        context={"section": "commissions"},
    )


def _seat(request, pk) -> CommissionMembership:
    return get_object_or_404(
        CommissionMembership.objects.select_related(
            "commission", "commission__branch", "member"
        ).filter(commission__in=permissions.commissions(request.scope)),
        pk=pk,
    )


def _seat_title(seat) -> str:
    return f"{seat.commission}: {seat.display_name} ({seat.get_role_display()})"


@require_http_methods(["GET", "POST"])
@requires("activity.manage_commissions")
def commission_seat_edit(request, pk):
    scope = request.scope
    seat = _seat(request, pk)
    outsider = not seat.member_id
    fields = ("name", "position", "role", "since", "until")
    form = SeatEditForm(
        request.POST or None,
        outsider=outsider,
        initial={name: getattr(seat, name) for name in fields},
    )
    back = reverse("activity:commission", args=[seat.commission_id])
    return form_page(
        request,
        form,
        save=lambda data: rec.change_seat(scope, seat, request=request, **data),
        done=back,
        message=_("The seat is saved."),
        title=_("Change the seat"),
        subtitle=_seat_title(seat),
        cancel=back,
        nav=NAV,
        context={"section": "commissions"},
    )


@require_http_methods(["GET", "POST"])
@requires("activity.manage_commissions")
def commission_seat_delete(request, pk):
    scope = request.scope
    seat = _seat(request, pk)
    back = reverse("activity:commission", args=[seat.commission_id])
    return form_page(
        request,
        _delete_form(request),
        save=lambda data: rec.delete_seat(scope, seat, request=request, **data),
        done=back,
        message=_("The seat is deleted; its history stays on the commission's page."),
        title=_("Delete the seat?"),
        subtitle=_seat_title(seat),
        notice=_(
            "Delete a seat only when it was recorded by mistake. When a member leaves the "
            "commission, end the seat instead: they stay among the former members."
        ),
        back=None
        if seat.until
        else (reverse("activity:commission_seat_end", args=[seat.pk]), _("End the seat")),
        submit=_("Delete"),
        cancel=back,
        nav=NAV,
        context={"section": "commissions"},
    )


def _session(request, pk) -> CommissionSession:
    return get_object_or_404(
        CommissionSession.objects.select_related("commission", "commission__branch").filter(
            commission__in=permissions.commissions(request.scope)
        ),
        pk=pk,
    )


def _session_title(session) -> str:
    when = date_format(session.date, "SHORT_DATE_FORMAT")
    return f"{session.commission}: {when}" + (f" № {session.number}" if session.number else "")


@require_http_methods(["GET", "POST"])
@requires("activity.manage_commissions")
def commission_session_edit(request, pk):
    scope = request.scope
    session = _session(request, pk)
    fields = ("date", "number", "place", "present", "agenda")
    initial = {name: getattr(session, name) for name in fields}
    initial["decisions"] = "\n".join(d.text for d in session.decisions.order_by("position"))
    back = reverse("activity:commission", args=[session.commission_id])
    return form_page(
        request,
        SessionForm(request.POST or None, initial=initial),
        save=lambda data: rec.change_session(scope, session, request=request, **data),
        done=back,
        message=_("The session is saved."),
        title=_("Change the session"),
        subtitle=_session_title(session),
        notice=_(
            "Decision n keeps the member it concerns when its text changes; removing a line "
            "deletes the last decisions."
        ),
        cancel=back,
        nav=NAV,
        context={"section": "commissions"},
    )


@require_http_methods(["GET", "POST"])
@requires("activity.manage_commissions")
def commission_session_delete(request, pk):
    scope = request.scope
    session = _session(request, pk)
    back = reverse("activity:commission", args=[session.commission_id])
    count = session.decisions.count()
    return form_page(
        request,
        _delete_form(request),
        save=lambda data: rec.delete_session(scope, session, request=request, **data),
        done=back,
        message=_("The session is deleted; its history stays on the commission's page."),
        title=_("Delete the session?"),
        subtitle=_session_title(session),
        notice=ngettext(
            "Delete a session only when it was recorded by mistake: its %(n)s decision is "
            "deleted with it.",
            "Delete a session only when it was recorded by mistake: its %(n)s decisions are "
            "deleted with it.",
            count,
        )
        % {"n": count},
        submit=_("Delete"),
        cancel=back,
        nav=NAV,
        context={"section": "commissions"},
    )


@require_http_methods(["GET", "POST"])
@requires("activity.manage_commissions")
def commission_session_new(request, pk):
    scope = request.scope
    obj = get_object_or_404(permissions.commissions(scope), pk=pk)
    form = SessionForm(request.POST or None, initial={"date": timezone.localdate()})
    back = reverse("activity:commission", args=[obj.pk])
    return form_page(
        request,
        form,
        save=lambda data: rec.record_session(scope, obj, request=request, **data),
        done=back,
        message=_("The session is recorded."),
        title=_("Record a session"),
        subtitle=str(obj),
        cancel=back,
        nav=NAV,
        context={"section": "commissions"},
    )
