"""The deputies' oversight pages (/oversight/...).

Who may do what (the services check it again):
- `Scope.can_view_oversight` (regional administrator: every maslikhat; district secretary
  and faction secretary: the maslikhat of their branch) sees every page here;
- `can_manage_deputies` (administrator, district secretary): maslikhats, convocations,
  deputies, the budget threshold, and approving reporting schedules;
- `can_record_reports` / `can_edit_budget` / `can_manage_factions` (also the faction
  secretary): reports and their outcomes, questions, faction membership, indicators, notes
  and budget imports;
- turning a question into an appeal needs the reception's right for the branch
  (`Scope.handles_branch`);
- deputies' phone and email are shown only through `services.deputy_contacts`.
An object of a maslikhat outside the scope is a 404; a page the role may not use is a 403.
Lists read the scoped querysets of `services.py` and paginate in the database.
"""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from bastau.accounts.scoping import Scope, scope_for
from bastau.core import audit
from bastau.core.forms import apply_errors as _apply_errors
from bastau.core.spreadsheets import sheet_title, spreadsheet_safe, workbook_response

from . import budget_import, documents, services, statistics
from .forms import (
    BudgetImportForm,
    ConvocationForm,
    DeputyFilterForm,
    DeputyForm,
    EndMandateForm,
    FactionForm,
    FactionLeaderForm,
    FactionMemberForm,
    HeldForm,
    IndicatorFilterForm,
    MaslikhatForm,
    MissedForm,
    NoteForm,
    PostponeForm,
    QuestionAppealForm,
    QuestionForm,
    ReportForm,
    ResponsibleForm,
    ScheduleForm,
    ThresholdForm,
)
from .models import (
    BudgetImport,
    BudgetSector,
    Convocation,
    Deputy,
    Faction,
    Maslikhat,
    ScheduledReport,
)

PAGE_SIZE = 50

#: CSS badge classes of bastau.css for each report status.
REPORT_BADGES = {
    ScheduledReport.Status.SCHEDULED: "pending",
    ScheduledReport.Status.POSTPONED: "suspended",
    ScheduledReport.Status.HELD: "done",
    ScheduledReport.Status.MISSED: "rejected",
}


# Access --------------------------------------------------------------------------------------
def _scope(request) -> Scope:
    """Anyone who oversees a maslikhat; others get a 403."""
    scope = scope_for(request.user)
    scope.require(scope.can_view_oversight)
    return scope


def _maslikhat_filter(scope: Scope, request) -> Maslikhat | None:
    """The `?maslikhat=` filter (a maslikhat outside the scope is a 404)."""
    value = request.GET.get("maslikhat", "")
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return get_object_or_404(services.maslikhats(scope), pk=value)


def _render_form(
    request, form, *, title, cancel, section, submit=None, subtitle="", multipart=False
):
    return render(
        request,
        "oversight/form.html",
        {
            "form": form,
            "title": title,
            "subtitle": subtitle,
            "cancel": cancel,
            "section": section,
            "submit": submit,
            "multipart": multipart,
        },
    )


def _report_rows(reports, today):
    return [
        {"report": r, "overdue": r.is_overdue(today), "badge": REPORT_BADGES.get(r.status, "")}
        for r in reports
    ]


# Register ------------------------------------------------------------------------------------
@require_GET
@login_required
def index(request):
    """The register: the maslikhats in scope, their seats, convocations and factions, and
    the headline figures of reports and the budget."""
    scope = _scope(request)
    today = timezone.localdate()
    rows = (
        services.maslikhats(scope)
        .annotate(
            active_deputies=Count("deputies", filter=Q(deputies__status=Deputy.Status.ACTIVE))
        )
        .prefetch_related(
            Prefetch("convocations", queryset=Convocation.objects.order_by("-number")),
            Prefetch(
                "factions",
                queryset=Faction.objects.select_related("convocation", "leader").order_by(
                    "-convocation__number"
                ),
            ),
        )
    )
    counts = statistics.report_counts(scope, today=today)
    lagging = services.indicators(scope, lagging=True).count()
    return render(
        request,
        "oversight/index.html",
        {"maslikhats": rows, "counts": counts, "lagging": lagging, "section": "register"},
    )


@require_GET
@login_required
def deputies(request):
    scope = _scope(request)
    form = DeputyFilterForm(request.GET or None, maslikhats=services.maslikhats(scope))
    qs = services.deputies(scope).annotate(person_sex=Coalesce("member__sex", "sex"))
    if form.is_valid():
        data = form.cleaned_data
        if data["maslikhat"]:
            qs = qs.filter(maslikhat=data["maslikhat"])
        if data["party"]:
            qs = qs.filter(party=data["party"])
        if data["sex"]:
            qs = qs.filter(person_sex=data["sex"])
        if data["elected_by"]:
            qs = qs.filter(elected_by=data["elected_by"])
        if data["faction"] == "yes":
            qs = qs.filter(faction__isnull=False)
        elif data["faction"] == "no":
            qs = qs.filter(faction__isnull=True)
        if data["status"]:
            qs = qs.filter(status=data["status"])
        for word in data["q"].split():
            qs = qs.filter(
                Q(last_name__icontains=word)
                | Q(first_name__icontains=word)
                | Q(patronymic__icontains=word)
            )
    page = Paginator(qs.order_by("last_name", "first_name", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "oversight/deputies.html",
        {"form": form, "page": page, "section": "deputies"},
    )


@require_http_methods(["GET", "POST"])
@login_required
def deputy(request, pk):
    scope = _scope(request)
    obj = get_object_or_404(services.deputies(scope), pk=pk)
    contacts = None
    if services.can_see_contacts(scope, obj):
        contacts = services.deputy_contacts(scope, obj)
    end_form = None
    if scope.can_manage_deputies and obj.is_active:
        end_form = EndMandateForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and end_form.is_valid():
            try:
                services.end_mandate(scope, obj, request=request, **end_form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(end_form, exc)
            else:
                messages.success(request, _("The mandate is recorded as ended."))
                return redirect("oversight:deputy", obj.pk)
    elif request.method == "POST":
        scope.require(False)
    today = timezone.localdate()
    reports = services.reports(scope).filter(deputy=obj).order_by("-date")
    return render(
        request,
        "oversight/deputy.html",
        {
            "deputy": obj,
            "contacts": contacts,
            "end_form": end_form,
            "reports": _report_rows(reports, today),
            "indicators": services.indicators(scope).filter(responsible_deputy=obj),
            "age": obj.age_on(today),
            "section": "deputies",
        },
    )


def _member_for(scope: Scope, form) -> tuple[bool, object]:
    iin = (form.cleaned_data.get("member_iin") or "").strip()
    if not iin:
        return True, None
    member = scope.members().filter(iin=iin).first()
    if member is None:
        form.add_error("member_iin", _("No party member with this IIN in your branch."))
        return False, None
    return True, member


def _deputy_data(form) -> dict:
    return {
        name: form.cleaned_data[name]
        for name in services.DEPUTY_FIELDS
        if name in form.cleaned_data
    }


@require_http_methods(["GET", "POST"])
@login_required
def deputy_new(request):
    scope = _scope(request)
    scope.require(scope.can_manage_deputies)
    convocations = services.convocations(scope).order_by("maslikhat__level", "-number")
    form = DeputyForm(request.POST or None, convocations=convocations)
    if request.method == "POST" and form.is_valid():
        ok, member = _member_for(scope, form)
        if ok:
            try:
                obj = services.register_deputy(
                    scope,
                    convocation=form.cleaned_data["convocation"],
                    data=_deputy_data(form),
                    member=member,
                    request=request,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The deputy is registered."))
                return redirect("oversight:deputy", obj.pk)
    return _render_form(
        request,
        form,
        title=_("Register a deputy"),
        cancel=reverse("oversight:deputies"),
        section="deputies",
    )


@require_http_methods(["GET", "POST"])
@login_required
def deputy_edit(request, pk):
    scope = _scope(request)
    obj = get_object_or_404(services.deputies(scope), pk=pk)
    scope.require(scope.can_manage_deputies)
    with_contacts = services.can_see_contacts(scope, obj)
    initial = {name: getattr(obj, name) for name in services.DEPUTY_FIELDS}
    initial["member_iin"] = obj.member.iin if obj.member_id else ""
    form = DeputyForm(
        request.POST or None, initial=initial, editing=True, with_contacts=with_contacts
    )
    if request.method == "POST" and form.is_valid():
        ok, member = _member_for(scope, form)
        if ok:
            changes = _deputy_data(form)
            if member is not None or obj.member_id:
                changes["member"] = member
            try:
                services.update_deputy(scope, obj, changes=changes, request=request)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The deputy's record is saved."))
                return redirect("oversight:deputy", obj.pk)
    return _render_form(
        request,
        form,
        title=_("Edit the deputy"),
        subtitle=obj.full_name,
        cancel=reverse("oversight:deputy", args=[obj.pk]),
        section="deputies",
    )


@require_http_methods(["GET", "POST"])
@login_required
def maslikhat_new(request):
    scope = _scope(request)
    scope.require(scope.can_manage_deputies)
    branches = scope.branches().filter(maslikhat__isnull=True).order_by("kind", "name")
    form = MaslikhatForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_maslikhat(scope, request=request, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The maslikhat is registered."))
            return redirect("oversight:index")
    return _render_form(
        request,
        form,
        title=_("Register a maslikhat"),
        cancel=reverse("oversight:index"),
        section="register",
    )


@require_http_methods(["GET", "POST"])
@login_required
def maslikhat_edit(request, pk):
    scope = _scope(request)
    obj = get_object_or_404(services.maslikhats(scope), pk=pk)
    scope.require(scope.can_manage_deputies)
    fields = ("name", "name_ru", "seats_total", "seats_by_list", "seats_by_district")
    form = MaslikhatForm(
        request.POST or None, initial={f: getattr(obj, f) for f in fields}, editing=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_maslikhat(scope, obj, changes=form.cleaned_data, request=request)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The maslikhat is saved."))
            return redirect("oversight:index")
    return _render_form(
        request,
        form,
        title=_("Edit the maslikhat"),
        subtitle=str(obj),
        cancel=reverse("oversight:index"),
        section="register",
    )


@require_http_methods(["GET", "POST"])
@login_required
def convocation_new(request, pk):
    scope = _scope(request)
    obj = get_object_or_404(services.maslikhats(scope), pk=pk)
    scope.require(scope.can_manage_deputies)
    form = ConvocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_convocation(scope, maslikhat=obj, request=request, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The convocation is registered."))
            return redirect("oversight:index")
    return _render_form(
        request,
        form,
        title=_("Register a convocation"),
        subtitle=str(obj),
        cancel=reverse("oversight:index"),
        section="register",
    )


@require_GET
@login_required
def register_statistics(request):
    scope = _scope(request)
    maslikhat = _maslikhat_filter(scope, request)
    overview = statistics.register_overview(scope, maslikhat=maslikhat)
    counts = statistics.report_counts(scope)

    def top(rows):
        return max([row[-1] for row in rows] or [0])

    return render(
        request,
        "oversight/statistics.html",
        {
            "o": overview,
            "counts": counts,
            "maslikhat": maslikhat,
            "maslikhats": services.maslikhats(scope),
            "top_maslikhat": max([r["count"] for r in overview.by_maslikhat] or [0]),
            "top_party": top(overview.by_party),
            "top_sex": top(overview.by_sex),
            "top_election": top(overview.by_election),
            "top_band": top(overview.age_bands),
            "section": "statistics",
        },
    )


# Factions ------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@login_required
def faction_new(request, pk):
    """The party's faction in one of the maslikhat's convocations (one per convocation)."""
    scope = _scope(request)
    obj = get_object_or_404(services.maslikhats(scope), pk=pk)
    scope.require(scope.can_manage_factions)
    convocations = services.convocations(scope).filter(maslikhat=obj).order_by("-number")
    latest = convocations.first()
    form = FactionForm(
        request.POST or None,
        convocations=convocations,
        initial={"convocation": getattr(latest, "pk", None)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            faction = services.create_faction(scope, request=request, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The faction is registered."))
            return redirect("oversight:faction", faction.pk)
    return _render_form(
        request,
        form,
        title=_("Register a faction"),
        subtitle=obj.display_name,
        cancel=reverse("oversight:index"),
        section="register",
    )


@require_http_methods(["GET", "POST"])
@login_required
def faction(request, pk):
    scope = _scope(request)
    obj = get_object_or_404(services.factions(scope), pk=pk)
    today = timezone.localdate()
    o = services.faction_overview(scope, obj, today=today)
    candidates = services.deputies(scope, active_only=True).filter(
        convocation=obj.convocation, party=Deputy.Party.OURS
    )
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if post else None
    join_form = FactionMemberForm(
        post if action == "join" else None, deputies=candidates.exclude(faction=obj)
    )
    leader_form = FactionLeaderForm(
        post if action == "leader" else None,
        deputies=candidates.filter(faction=obj),
        initial={"leader": obj.leader_id},
    )
    if post is not None:
        scope.require(scope.can_manage_factions)
        try:
            if action == "join" and join_form.is_valid():
                services.add_to_faction(
                    scope, obj, join_form.cleaned_data["deputy"], request=request
                )
                messages.success(request, _("The deputy joined the faction."))
                return redirect("oversight:faction", obj.pk)
            if action == "leader" and leader_form.is_valid():
                services.set_faction_leader(
                    scope, obj, leader_form.cleaned_data["leader"], request=request
                )
                messages.success(request, _("The faction's leader is saved."))
                return redirect("oversight:faction", obj.pk)
            if action == "leave":
                member = get_object_or_404(o.deputies, pk=request.POST.get("deputy") or 0)
                services.remove_from_faction(scope, member, request=request)
                messages.success(request, _("The deputy left the faction."))
                return redirect("oversight:faction", obj.pk)
            if action not in ("join", "leader"):
                raise Http404
        except ValidationError as exc:
            _apply_errors(join_form if action == "join" else leader_form, exc)
    reports = o.reports.order_by("-date")[:50]
    return render(
        request,
        "oversight/faction.html",
        {
            "o": o,
            "faction": obj,
            "members": o.deputies.order_by("last_name", "first_name"),
            "reports": _report_rows(reports, today),
            "overdue_count": o.overdue_reports.count(),
            "held_count": o.reports.filter(status=ScheduledReport.Status.HELD).count(),
            "indicators": o.indicators.order_by("-lagging", "execution_percent", "code")[:100],
            "lagging_count": o.lagging_indicators.count(),
            "join_form": join_form,
            "leader_form": leader_form,
            "section": "register",
        },
    )


# Reporting schedule --------------------------------------------------------------------------
@require_GET
@login_required
def schedules(request):
    scope = _scope(request)
    today = timezone.localdate()
    qs = services.schedules(scope).annotate(
        total=Count("reports"),
        held=Count("reports", filter=Q(reports__status=ScheduledReport.Status.HELD)),
        overdue=Count(
            "reports",
            filter=Q(reports__status__in=ScheduledReport.OPEN, reports__date__lt=today),
        ),
    )
    maslikhat = _maslikhat_filter(scope, request)
    if maslikhat is not None:
        qs = qs.filter(maslikhat=maslikhat)
    qs = qs.order_by("-period_start", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    overdue = services.overdue(scope, today).select_related("schedule__maslikhat")[:100]
    return render(
        request,
        "oversight/schedules.html",
        {
            "page": page,
            "overdue": _report_rows(overdue, today),
            "counts": statistics.report_counts(scope, today=today),
            "section": "schedules",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def schedule_new(request):
    scope = _scope(request)
    scope.require(scope.can_approve_report_schedules)
    form = ScheduleForm(
        request.POST or None,
        maslikhats=services.maslikhats(scope),
        initial={"approved_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            obj = services.create_schedule(scope, request=request, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The reporting schedule is approved."))
            return redirect("oversight:schedule", obj.pk)
    return _render_form(
        request,
        form,
        title=_("Approve a reporting schedule"),
        submit=_("Approve"),
        cancel=reverse("oversight:schedules"),
        section="schedules",
    )


@require_GET
@login_required
def schedule(request, pk):
    scope = _scope(request)
    obj = get_object_or_404(services.schedules(scope), pk=pk)
    today = timezone.localdate()
    reports = (
        services.reports(scope)
        .filter(schedule=obj)
        .annotate(question_count=Count("questions"))
        .order_by("date", "time", "id")
    )
    return render(
        request,
        "oversight/schedule.html",
        {
            "schedule": obj,
            "reports": _report_rows(reports, today),
            "counts": statistics.report_counts(scope, today=today, schedule=obj),
            "languages": documents.LANGUAGES,
            "section": "schedules",
        },
    )


@require_GET
@login_required
def schedule_document(request, pk, lang, fmt):
    scope = _scope(request)
    obj = get_object_or_404(services.schedules(scope), pk=pk)
    if lang not in documents.LANGUAGES or fmt not in documents.FORMATS:
        raise Http404
    handle = io.BytesIO()
    documents.write_schedule(obj, lang, fmt, handle, timezone.localdate())
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"report-schedule-{obj.pk}-{lang}.{fmt}",
        content_type=documents.CONTENT_TYPES[fmt],
    )


@require_http_methods(["GET", "POST"])
@login_required
def report_new(request, pk):
    scope = _scope(request)
    obj = get_object_or_404(services.schedules(scope), pk=pk)
    scope.require(scope.can_record_reports)
    candidates = services.deputies(scope, active_only=True).filter(maslikhat=obj.maslikhat_id)
    form = ReportForm(request.POST or None, deputies=candidates, initial={"date": obj.period_start})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_report(scope, obj, request=request, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The report is added to the schedule."))
            return redirect("oversight:schedule", obj.pk)
    return _render_form(
        request,
        form,
        title=_("Add a report"),
        subtitle=obj.title,
        cancel=reverse("oversight:schedule", args=[obj.pk]),
        section="schedules",
    )


REPORT_EDIT_FIELDS = ("date", "time", "place", "audience", "subject", "topic")


@require_http_methods(["GET", "POST"])
@login_required
def report_edit(request, pk):
    """Correct an open report's date, time, place, audience, subject and topic; once the
    outcome is recorded the report is not edited (back to its page with a message)."""
    scope = _scope(request)
    obj = get_object_or_404(services.reports(scope).select_related("schedule__maslikhat"), pk=pk)
    scope.require(scope.can_record_reports)
    if not obj.is_open:
        messages.error(request, _("The outcome is recorded; the report cannot be edited."))
        return redirect("oversight:report", obj.pk)
    form = ReportForm(
        request.POST or None, editing=True, initial={f: getattr(obj, f) for f in REPORT_EDIT_FIELDS}
    )
    if request.method == "POST" and form.is_valid():
        changes = {
            name: value
            for name, value in form.cleaned_data.items()
            if (value.strip() if isinstance(value, str) else value) != getattr(obj, name)
        }
        try:
            if changes:
                services.edit_report(scope, obj, changes=changes, request=request)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The report is saved."))
            return redirect("oversight:report", obj.pk)
    return _render_form(
        request,
        form,
        title=_("Edit the report"),
        subtitle=f"{obj.deputy.full_name}: {obj.schedule.title}",
        cancel=reverse("oversight:report", args=[obj.pk]),
        section="schedules",
    )


def _can_make_appeals(scope: Scope, maslikhat: Maslikhat) -> bool:
    return scope.handles_branch(maslikhat.branch)


@require_http_methods(["GET", "POST"])
@login_required
def report(request, pk):
    """A scheduled report: record the outcome (held, postponed, missed), the questions
    raised, and turn a question into an appeal."""
    scope = _scope(request)
    obj = get_object_or_404(services.reports(scope).select_related("schedule__maslikhat"), pk=pk)
    today = timezone.localdate()
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if post else None
    forms = {
        "held": HeldForm(post if action == "held" else None, initial={"held_on": obj.date}),
        "postpone": PostponeForm(post if action == "postpone" else None, prefix="p"),
        "missed": MissedForm(post if action == "missed" else None, prefix="m"),
        "question": QuestionForm(post if action == "question" else None, prefix="q"),
    }
    if post is not None:
        scope.require(scope.can_record_reports)
        form = forms.get(action)
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "held":
                    services.record_outcome(
                        scope, obj, held=True, held_on=data["held_on"],
                        attendance=data["attendance"], note=data["note"],
                        questions=form.question_list(), request=request,
                    )  # fmt: skip
                    messages.success(request, _("The report is recorded as held."))
                elif action == "postpone":
                    services.postpone(scope, obj, request=request, **data)
                    messages.success(request, _("The report is postponed."))
                elif action == "missed":
                    services.record_outcome(scope, obj, held=False, note=data["note"],
                                            request=request)  # fmt: skip
                    messages.success(request, _("The report is recorded as missed."))
                else:
                    services.add_question(scope, obj, request=request, **data)
                    messages.success(request, _("The question is recorded."))
                return redirect("oversight:report", obj.pk)
            except ValidationError as exc:
                _apply_errors(form, exc)
    return render(
        request,
        "oversight/report.html",
        {
            "report": obj,
            "overdue": obj.is_overdue(today),
            "badge": REPORT_BADGES.get(obj.status, ""),
            "questions": obj.questions.select_related("appeal"),
            "can_make_appeals": _can_make_appeals(scope, obj.schedule.maslikhat),
            "forms": forms,
            "action": action,
            "section": "schedules",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def question_appeal(request, pk):
    scope = _scope(request)
    question = get_object_or_404(
        services.questions(scope).select_related("report__schedule__maslikhat__branch",
                                                 "report__deputy"),
        pk=pk,
    )  # fmt: skip
    report_obj = question.report
    scope.require(scope.can_record_reports)
    scope.require(_can_make_appeals(scope, report_obj.schedule.maslikhat))
    if question.appeal_id:
        messages.info(request, _("This question is already an appeal."))
        return redirect("oversight:report", report_obj.pk)
    from bastau.reception.models import Topic

    form = QuestionAppealForm(
        request.POST or None,
        topics=Topic.objects.filter(active=True),
        initial={"applicant_name": question.asked_by},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        topic = data.pop("topic")
        try:
            appeal = services.question_to_appeal(
                scope, question, topic=topic, applicant=data, request=request
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("Appeal %(number)s is registered.") % {"number": appeal.number}
            )
            return redirect("oversight:report", report_obj.pk)
    return _render_form(
        request,
        form,
        title=_("Turn the question into an appeal"),
        subtitle=question.text,
        submit=_("Register the appeal"),
        cancel=reverse("oversight:report", args=[report_obj.pk]),
        section="schedules",
    )


# Budget monitoring ---------------------------------------------------------------------------
def _execution_width(value: Decimal | None) -> int:
    """Width of an execution bar in whole percent, 0-100 (a bar never overflows its row),
    for the `pct-N` classes of bastau.css."""
    if value is None:
        return 0
    return int(min(max(Decimal(value), Decimal(0)), Decimal(100)).to_integral_value(ROUND_HALF_UP))


@require_GET
@login_required
def budget(request):
    scope = _scope(request)
    maslikhat = _maslikhat_filter(scope, request)
    table = statistics.sector_year_table(scope, maslikhat=maslikhat)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and int(year) in table.years else None
    if year is None and table.years:
        year = table.years[-1]
    chart = []
    if year is not None:
        for value, label in table.sectors:
            cell = table.cell(value, year)
            main = cell.main
            execution = main.execution if main else None
            if cell.indicators:
                chart.append(
                    {
                        "sector": value,
                        "label": label,
                        "execution": execution,
                        "width": _execution_width(execution),
                        "lagging": cell.lagging,
                        "unit": main.unit if main else "",
                    }
                )
    rows = []
    for value, label, cells in table.rows():
        if any(c.indicators for c in cells):
            rows.append((value, label, list(zip(table.years, cells, strict=True))))
    maslikhats = services.maslikhats(scope)
    return render(
        request,
        "oversight/budget.html",
        {
            "table": table,
            "rows": rows,
            "year": year,
            "chart": chart,
            "maslikhat": maslikhat,
            "maslikhats": maslikhats,
            "responsible": statistics.by_responsible(scope, maslikhat=maslikhat, year=year)[:20],
            "lagging": services.lagging_indicators(scope, maslikhat=maslikhat).count(),
            "section": "budget",
        },
    )


def _filtered_indicators(scope: Scope, form):
    qs = services.indicators(scope)
    if form.is_valid():
        data = form.cleaned_data
        if data["maslikhat"]:
            qs = qs.filter(maslikhat=data["maslikhat"])
        if data["year"]:
            qs = qs.filter(year=data["year"])
        if data["sector"]:
            qs = qs.filter(sector=data["sector"])
        if data["lagging"]:
            qs = qs.filter(lagging=True)
        if data["responsible"] == "faction":
            qs = qs.filter(responsible_faction__isnull=False)
        elif data["responsible"] == "deputy":
            qs = qs.filter(responsible_deputy__isnull=False)
        elif data["responsible"] == "none":
            qs = qs.filter(responsible_faction__isnull=True, responsible_deputy__isnull=True)
        if data["q"]:
            qs = qs.filter(Q(code__icontains=data["q"]) | Q(name__icontains=data["q"]))
    return qs


@require_GET
@login_required
def indicators(request):
    scope = _scope(request)
    form = IndicatorFilterForm(request.GET or None, maslikhats=services.maslikhats(scope))
    qs = _filtered_indicators(scope, form).order_by("-year", "sector", "code", "id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/indicators.html",
        {"form": form, "page": page, "section": "indicators"},
    )


@require_GET
@login_required
def indicators_xlsx(request):
    """Every indicator of the filter as XLSX (the first columns are the import template's)."""
    scope = _scope(request)
    form = IndicatorFilterForm(request.GET or None, maslikhats=services.maslikhats(scope))
    qs = _filtered_indicators(scope, form).order_by("maslikhat", "year", "sector", "code")
    from openpyxl import Workbook

    labels = dict(BudgetSector.choices)
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(sheet_title(_("Indicators")))
    sheet.append([*budget_import.TEMPLATE, _("Maslikhat"), pgettext("budget", "Sector"),
                  _("Execution, %"), _("Lagging"), _("Responsible faction"),
                  _("Responsible deputy")])  # fmt: skip
    for i in qs.iterator(chunk_size=2000):
        sheet.append([i.year, i.sector, spreadsheet_safe(i.code), spreadsheet_safe(i.name),
                      spreadsheet_safe(i.program), spreadsheet_safe(i.unit), i.plan,
                      i.corrected_plan, i.actual, spreadsheet_safe(str(i.maslikhat)),
                      str(labels.get(i.sector, i.sector)), i.execution_percent,
                      _("yes") if i.lagging else "",
                      spreadsheet_safe(str(i.responsible_faction or "")),
                      spreadsheet_safe(str(i.responsible_deputy or ""))])  # fmt: skip
    return workbook_response(wb, "budget-indicators.xlsx")


@require_GET
@login_required
def budget_xlsx(request):
    """The whole budget monitor (sector x year, lagging, responsible, indicators)."""
    scope = _scope(request)
    maslikhat = _maslikhat_filter(scope, request)
    return workbook_response(
        statistics.export_workbook(scope, maslikhat=maslikhat), "budget-monitoring.xlsx"
    )


@require_http_methods(["GET", "POST"])
@login_required
def indicator(request, pk):
    scope = _scope(request)
    obj = get_object_or_404(services.indicators(scope), pk=pk)
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if post else None
    note_form = NoteForm(post if action == "note" else None, initial={"date": timezone.localdate()})
    responsible_form = ResponsibleForm(
        post if action == "responsible" else None,
        prefix="r",
        factions=services.factions(scope).filter(maslikhat=obj.maslikhat_id),
        deputies=services.deputies(scope, active_only=True).filter(maslikhat=obj.maslikhat_id),
        initial={"faction": obj.responsible_faction_id, "deputy": obj.responsible_deputy_id},
    )
    if post is not None:
        scope.require(scope.can_edit_budget)
        if action == "note":
            if note_form.is_valid():
                try:
                    services.add_note(scope, obj, request=request, **note_form.cleaned_data)
                except ValidationError as exc:
                    _apply_errors(note_form, exc)
                else:
                    messages.success(request, _("The note is added."))
                    return redirect("oversight:indicator", obj.pk)
        elif action == "responsible":
            if responsible_form.is_valid():
                try:
                    services.set_responsible(
                        scope, obj, request=request, **responsible_form.cleaned_data
                    )
                except ValidationError as exc:
                    _apply_errors(responsible_form, exc)
                else:
                    messages.success(request, _("Responsibility is saved."))
                    return redirect("oversight:indicator", obj.pk)
        else:
            raise Http404
    return render(
        request,
        "oversight/indicator.html",
        {
            "indicator": obj,
            "notes": obj.notes.select_related("author"),
            "note_form": note_form,
            "responsible_form": responsible_form,
            "width": _execution_width(obj.execution_percent),
            "section": "indicators",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def threshold(request, pk):
    scope = _scope(request)
    obj = get_object_or_404(services.maslikhats(scope), pk=pk)
    scope.require(scope.can_manage_deputies)
    form = ThresholdForm(request.POST or None, initial={"budget_threshold": obj.budget_threshold})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_budget_threshold(
                scope, obj, form.cleaned_data["budget_threshold"], request=request
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The threshold is saved; lagging flags are updated."))
            return redirect(reverse("oversight:budget") + f"?maslikhat={obj.pk}")
    return _render_form(
        request,
        form,
        title=_("Budget execution threshold"),
        subtitle=str(obj),
        cancel=reverse("oversight:budget"),
        section="budget",
    )


@require_http_methods(["GET", "POST"])
@login_required
def budget_imports(request):
    scope = _scope(request)
    scope.require(scope.can_edit_budget)
    if request.method == "GET" and request.GET.get("template"):
        return workbook_response(budget_import.template_workbook(), "budget-template.xlsx")
    maslikhats = services.maslikhats(scope)
    form = BudgetImportForm(
        request.POST or None,
        request.FILES or None,
        maslikhats=maslikhats,
        initial={"maslikhat": maslikhats.first() if maslikhats.count() == 1 else None},
    )
    if request.method == "POST" and form.is_valid():
        job = budget_import.import_budget(
            scope,
            maslikhat=form.cleaned_data["maslikhat"],
            upload=form.cleaned_data["file"],
            request=request,
        )
        if job.succeeded:
            messages.success(
                request,
                _("Imported %(rows)s rows: %(created)s indicators created, %(updated)s updated.")
                % {"rows": job.total_rows, "created": job.created_count,
                   "updated": job.updated_count},
            )  # fmt: skip
        else:
            messages.error(request, _("Nothing was imported: the file has errors."))
        return redirect("oversight:budget_import", job.pk)
    page = Paginator(budget_import.imports(scope), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/imports.html",
        {"form": form, "page": page, "section": "imports"},
    )


def _import_for(request, pk) -> BudgetImport:
    scope = _scope(request)
    scope.require(scope.can_edit_budget)
    return get_object_or_404(budget_import.imports(scope), pk=pk)


@require_GET
@login_required
def budget_import_detail(request, pk):
    job = _import_for(request, pk)
    page = Paginator(job.errors.all(), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/import_detail.html",
        {"job": job, "page": page, "section": "imports"},
    )


@require_GET
@login_required
def budget_import_errors(request, pk):
    """The problems of a failed import as XLSX (row, column, value, message)."""
    job = _import_for(request, pk)
    from openpyxl import Workbook

    audit.record(request.user, "budget.import_errors_downloaded", job,
                 branch=job.maslikhat.branch, request=request)  # fmt: skip
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(sheet_title(_("Errors")))
    sheet.append([_("Row"), _("Column"), _("Value"), _("Message")])
    for error in job.errors.all():
        sheet.append([error.row, error.column, spreadsheet_safe(error.value),
                      spreadsheet_safe(error.message)])  # fmt: skip
    return workbook_response(wb, f"budget-import-{job.pk}-errors.xlsx")
