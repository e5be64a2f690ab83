"""Branch activity pages (/activity/...): meetings, instructions under execution control, the
control board and the social projects registry.

Who may do what (the services check it again):
- `Scope.can_view_activity` (regional administrator; district secretary: their branch and its
  POOs; POO leader: their POO) sees the overview, meetings, the control board and issues
  instructions; a meeting outside the scope is a 404;
- anyone signed in sees the instructions list, cut by `services.instructions` to those they
  issued, execute or co-execute (a plain member sees only those); an instruction outside it
  is a 404; acting on one is checked by the services (executor / issuer), else 403;
- the social projects registry: `services.can_view_projects` (administrator, district
  secretary); others get a 403;
- files are streamed by `attachment`, after `services.open_attachment`'s check, never from a
  public URL.
Lists read the scoped querysets of `services.py` and paginate in the database.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from bastau.accounts.models import Role, User
from bastau.accounts.scoping import Scope, scope_for
from bastau.core.forms import apply_errors as _apply_errors
from bastau.core.models import AuditEvent
from bastau.primaries.models import Candidate

from . import documents, recognition, services
from .forms import (
    AgendaItemForm,
    AttachmentForm,
    CancelForm,
    DecisionForm,
    EndProjectForm,
    ExtensionDecisionForm,
    ExtensionForm,
    InstructionFilterForm,
    InstructionForm,
    MeetingFilterForm,
    MeetingForm,
    ParticipantsForm,
    PeriodForm,
    ProjectEventForm,
    ProjectFilterForm,
    ProjectForm,
    ReportForm,
    ReturnForm,
)
from .models import (
    AgendaItem,
    Decision,
    ExecutionReport,
    ExtensionRequest,
    Instruction,
    Meeting,
    ProjectEvent,
    SocialProject,
)

PAGE_SIZE = 50

#: CSS badge classes of bastau.css for each instruction state.
STATE_BADGES = {
    Instruction.Status.ISSUED: "pending",
    Instruction.Status.IN_PROGRESS: "running",
    Instruction.Status.DONE: "done",
    Instruction.Status.OVERDUE: "rejected",
    Instruction.Status.EXTENDED: "suspended",
    Instruction.Status.CANCELLED: "closed",
}
STATE_LABELS = dict(Instruction.Status.choices)


# Access --------------------------------------------------------------------------------------
def _scope(request) -> Scope:
    """Those who manage a unit; others get a 403."""
    scope = scope_for(request.user)
    scope.require(scope.can_view_activity)
    return scope


def _projects_scope(request) -> Scope:
    scope = scope_for(request.user)
    scope.require(services.can_view_projects(scope))
    return scope


def _managed_branches(scope: Scope):
    """The branches whose meetings and instructions this user may hold and issue."""
    if scope.is_regional_admin:
        return scope.branches().order_by("kind", "name")
    if scope.role == Role.DISTRICT_SECRETARY:
        return scope.branches().order_by("name")
    return scope.branches().none()


def _reachable_users(scope: Scope):
    """People an instruction may name: active users of the issuer's branch or POO."""
    qs = User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")
    user = scope.user
    if scope.is_regional_admin:
        return qs
    if scope.role == Role.DISTRICT_SECRETARY and user.branch_id:
        b = user.branch_id
        return qs.filter(
            pk__in=User.objects.filter(
                Q(branch_id=b) | Q(poo__branch_id=b) | Q(member__poo__branch_id=b)
            ).values("pk")
        )
    if scope.role == Role.POO_LEADER and user.poo_id:
        return qs.filter(Q(poo_id=user.poo_id) | Q(member__poo_id=user.poo_id))
    return qs.none()


def _render(request, template: str, context: dict):
    """`render`, with what the section navigation needs."""
    scope = scope_for(request.user)
    context.setdefault("can_projects", services.can_view_projects(scope))
    context.setdefault("can_manage_commissions", recognition.can_manage_commissions(scope))
    return render(request, template, context)


def _render_form(request, form, *, title, cancel, section, submit=None, subtitle="", files=False):
    return _render(
        request,
        "activity/form.html",
        {
            "form": form,
            "title": title,
            "subtitle": subtitle,
            "cancel": cancel,
            "section": section,
            "submit": submit,
            "multipart": files,
        },
    )


def _mine_q(user) -> Q:
    return Q(
        pk__in=Instruction.objects.filter(
            Q(issuer=user) | Q(responsible_users=user) | Q(co_executors=user)
        ).values("pk")
    )


# Overview ------------------------------------------------------------------------------------
@require_GET
@login_required
def index(request):
    scope = _scope(request)
    today = timezone.localdate()
    visible = services.meetings(scope)
    upcoming = list(visible.filter(date__gte=today).order_by("date", "id")[:5])
    recent = list(visible.filter(date__lt=today)[:5])
    mine = services.with_state(
        services.instructions(scope)
        .filter(_mine_q(request.user))
        .select_related("agenda_item__meeting"),
        today,
    )
    my_rows = list(mine.order_by("deadline", "id")[:10])
    my_counts = {
        row["state"]: row["n"]
        for row in mine.order_by().values("state").annotate(n=Count("pk", distinct=True))
    }
    board = services.control_board(scope, by="branch", today=today)
    totals = {
        key: sum(getattr(r, key) for r in board) for key in ("on_time", "late", "overdue", "open")
    }
    projects = None
    if services.can_view_projects(scope):
        year_start = dt.date(today.year, 1, 1)
        ended = services.projects_ended(scope, start=year_start, end=dt.date(today.year, 12, 31))
        projects = {
            "active": services.social_projects(scope)
            .filter(status=SocialProject.Status.ACTIVE)
            .count(),
            "optimised": ended["merged"] + ended["closed"],
            "year": today.year,
        }
    return _render(
        request,
        "activity/index.html",
        {
            "upcoming": upcoming,
            "recent": recent,
            "my_rows": _instruction_rows(my_rows),
            "my_counts": [
                (STATE_LABELS[s], my_counts.get(s, 0), STATE_BADGES[s], s)
                for s in Instruction.Status.values
                if my_counts.get(s)
            ],
            "totals": totals,
            "projects": projects,
            "section": "index",
        },
    )


# Meetings ------------------------------------------------------------------------------------
@require_GET
@login_required
def meetings(request):
    scope = _scope(request)
    form = MeetingFilterForm(request.GET or None, branches=_managed_branches(scope))
    qs = services.meetings(scope).annotate(agenda_count=Count("agenda_items"))
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["branch"]:
            qs = qs.filter(branch=data["branch"])
        if data["year"]:
            qs = qs.filter(date__year=data["year"])
    page = Paginator(qs.order_by("-date", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request, "activity/meetings.html", {"form": form, "page": page, "section": "meetings"}
    )


def _meeting_for(request, pk) -> tuple[Scope, Meeting]:
    scope = _scope(request)
    return scope, get_object_or_404(services.meetings(scope), pk=pk)


@require_http_methods(["GET", "POST"])
@login_required
def meeting_new(request):
    scope = _scope(request)
    branches = _managed_branches(scope)
    form = MeetingForm(
        request.POST or None,
        branches=branches if scope.role != Role.POO_LEADER else None,
        poos=scope.poos().order_by("name"),
        members=scope.members(),
        initial={"date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.create_meeting(
                scope,
                kind=data["kind"],
                date=data["date"],
                branch=data.get("branch"),
                poo=data["poo"],
                place=data["place"],
                number=data["number"],
                chair_member=data["chair_iin"],
                chair_name=data["chair_name"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The meeting is recorded."))
            return redirect("activity:meeting", meeting.pk)
    return _render_form(
        request,
        form,
        title=_("Record a meeting"),
        cancel=reverse("activity:meetings"),
        section="meetings",
    )


@require_GET
@login_required
def meeting(request, pk):
    scope, obj = _meeting_for(request, pk)
    today = timezone.localdate()
    items = obj.agenda_items.prefetch_related(
        "speakers",
        Prefetch(
            "decisions",
            queryset=Decision.objects.select_related("admission", "candidate__campaign"),
        ),
        Prefetch(
            "instructions",
            queryset=services.with_state(Instruction.objects.all(), today).order_by("deadline"),
        ),
    )
    items = list(items)
    for item in items:
        for i in item.instructions.all():
            i.label = STATE_LABELS.get(i.state, i.state)
            i.badge = STATE_BADGES.get(i.state, "")
    groups = list(obj.participant_groups.all())
    return _render(
        request,
        "activity/meeting.html",
        {
            "meeting": obj,
            "groups": groups,
            "participants_total": sum(g.count for g in groups),
            "attendees": obj.attendees.order_by("last_name", "first_name"),
            "items": items,
            "attachments": obj.attachments.all(),
            "section": "meetings",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def meeting_participants(request, pk):
    scope, obj = _meeting_for(request, pk)
    initial = {
        "categories": "\n".join(f"{g.category}: {g.count}" for g in obj.participant_groups.all()),
        "attendees": "\n".join(obj.attendees.values_list("iin", flat=True)),
    }
    form = ParticipantsForm(request.POST or None, initial=initial, members=scope.members())
    if request.method == "POST" and form.is_valid():
        try:
            services.set_participants(
                scope,
                obj,
                categories=form.cleaned_data["categories"],
                members=form.cleaned_data["attendees"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The participants are saved."))
            return redirect("activity:meeting", obj.pk)
    return _render_form(
        request,
        form,
        title=_("Participants"),
        subtitle=str(obj),
        cancel=reverse("activity:meeting", args=[obj.pk]),
        section="meetings",
    )


@require_http_methods(["GET", "POST"])
@login_required
def agenda_item_new(request, pk):
    scope, obj = _meeting_for(request, pk)
    form = AgendaItemForm(request.POST or None, members=scope.members())
    if request.method == "POST" and form.is_valid():
        try:
            services.add_agenda_item(
                scope,
                obj,
                title=form.cleaned_data["title"],
                speakers=form.cleaned_data["speakers"],
                speakers_text=form.cleaned_data["speakers_text"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The question is on the agenda."))
            return redirect("activity:meeting", obj.pk)
    return _render_form(
        request,
        form,
        title=_("Add an agenda item"),
        subtitle=str(obj),
        cancel=reverse("activity:meeting", args=[obj.pk]),
        section="meetings",
    )


@require_http_methods(["GET", "POST"])
@login_required
def decision_new(request, pk):
    scope = _scope(request)
    item = get_object_or_404(
        AgendaItem.objects.select_related("meeting", "meeting__branch", "meeting__poo").filter(
            meeting__in=services.meetings(scope).values("pk")
        ),
        pk=pk,
    )
    meeting_obj = item.meeting
    links = {}
    if meeting_obj.kind == Meeting.Kind.POO_MEETING:
        links = {
            "admissions": scope.admissions().filter(poo=meeting_obj.poo).order_by("last_name"),
            "candidates": Candidate.objects.filter(nominating_poo=meeting_obj.poo)
            .select_related("campaign")
            .order_by("-nominated_on", "name"),
        }
    form = DecisionForm(request.POST or None, **links)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_decision(
                scope,
                item,
                text=form.cleaned_data["text"],
                admission=form.cleaned_data.get("admission"),
                candidate=form.cleaned_data.get("candidate"),
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("activity:meeting", meeting_obj.pk)
    return _render_form(
        request,
        form,
        title=_("Record a decision"),
        subtitle=str(item),
        cancel=reverse("activity:meeting", args=[meeting_obj.pk]),
        section="meetings",
    )


@require_http_methods(["GET", "POST"])
@login_required
def meeting_attachment_new(request, pk):
    scope, obj = _meeting_for(request, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_meeting_attachments(
                scope, obj, form.cleaned_data["attachments"], request=request
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The files are attached."))
            return redirect("activity:meeting", obj.pk)
    return _render_form(
        request,
        form,
        title=_("Attach files"),
        subtitle=str(obj),
        cancel=reverse("activity:meeting", args=[obj.pk]),
        section="meetings",
        submit=_("Attach"),
        files=True,
    )


@require_GET
@login_required
def meeting_minutes(request, pk, lang, fmt):
    _scope_, obj = _meeting_for(request, pk)
    if lang not in documents.LANGUAGES or fmt not in documents.FORMATS:
        raise Http404
    handle = io.BytesIO()
    documents.write_minutes(obj, lang, fmt, handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"minutes-{obj.pk}-{lang}.{fmt}",
        content_type=documents.CONTENT_TYPES[fmt],
    )


@require_GET
@login_required
def attachment(request, pk):
    """Stream a meeting's or an execution report's file to someone who may see its owner."""
    scope = scope_for(request.user)
    obj = get_object_or_404(
        services.visible_attachments(scope).select_related(
            "meeting__branch", "report__instruction__branch"
        ),
        pk=pk,
    )
    handle, content_type, name = services.open_attachment(scope, obj, request=request)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# Instructions --------------------------------------------------------------------------------
def _instruction_rows(instructions) -> list[dict]:
    return [
        {
            "instruction": i,
            "state": i.state,
            "label": STATE_LABELS.get(i.state, i.state),
            "badge": STATE_BADGES.get(i.state, ""),
        }
        for i in instructions
    ]


@require_GET
@login_required
def instructions(request):
    scope = scope_for(request.user)
    users = _reachable_users(scope)
    form = InstructionFilterForm(request.GET or None, users=users)
    if not scope.can_view_activity:  # they see only their own: no one else to filter by
        del form.fields["responsible"], form.fields["mine"]
    today = timezone.localdate()
    qs = services.with_state(services.instructions(scope), today)
    if form.is_valid():
        data = form.cleaned_data
        if data["state"]:
            qs = qs.filter(state=data["state"])
        if data.get("responsible"):
            qs = qs.filter(
                pk__in=Instruction.objects.filter(responsible_users=data["responsible"]).values(
                    "pk"
                )
            )
        if data.get("mine"):
            qs = qs.filter(_mine_q(request.user))
    qs = qs.select_related("agenda_item__meeting").prefetch_related(
        "responsible_users", "responsible_branches", "responsible_poos"
    )
    page = Paginator(qs.order_by("deadline", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "activity/instructions.html",
        {
            "form": form,
            "page": page,
            "rows": _instruction_rows(page.object_list),
            "section": "instructions",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def instruction_new(request):
    scope = _scope(request)
    item = None
    item_id = request.GET.get("item", "")
    if item_id:
        if not item_id.isdigit():
            raise Http404
        item = get_object_or_404(
            AgendaItem.objects.select_related("meeting__branch", "meeting__poo").filter(
                meeting__in=services.meetings(scope).values("pk")
            ),
            pk=item_id,
        )
    if item is not None:
        unit_fields = ()
    elif scope.role == Role.POO_LEADER:
        unit_fields = ("poo",)
    else:
        unit_fields = ("branch", "poo")
    branches = _managed_branches(scope)
    poos = scope.poos().order_by("name")
    initial = {}
    if scope.role == Role.DISTRICT_SECRETARY:
        initial["branch"] = scope.user.branch_id
    if scope.role == Role.POO_LEADER:
        initial["poo"] = scope.user.poo_id
    form = InstructionForm(
        request.POST or None,
        users=_reachable_users(scope),
        branches=branches,
        poos=poos,
        unit_fields=unit_fields,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            obj = services.issue_instruction(
                scope,
                text=data["text"],
                deadline=data["deadline"],
                agenda_item=item,
                branch=data.get("branch"),
                poo=data.get("poo"),
                responsible_users=data["responsible_users"],
                responsible_branches=data["responsible_branches"],
                responsible_poos=data["responsible_poos"],
                co_executors=data["co_executors"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The instruction is issued."))
            return redirect("activity:instruction", obj.pk)
    return _render_form(
        request,
        form,
        title=_("Issue an instruction"),
        subtitle=f"{item.meeting} · {item}" if item else "",
        cancel=reverse("activity:meeting", args=[item.meeting_id])
        if item
        else reverse("activity:instructions"),
        section="instructions",
        submit=_("Issue"),
    )


@dataclass
class TimelineEntry:
    date: dt.date
    what: str
    who: str = ""
    text: str = ""
    files: tuple = ()


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else "—"


def _timeline(obj: Instruction, reports, extensions) -> list[TimelineEntry]:
    rows = [TimelineEntry(obj.issued_on, _("Issued"), _who(obj.issuer), obj.text)]
    started = (
        AuditEvent.objects.filter(
            action="instruction.started",
            object_type=Instruction._meta.label_lower,
            object_id=str(obj.pk),
        )
        .select_related("actor")
        .first()
    )
    if started is not None:
        rows.append(
            TimelineEntry(timezone.localdate(started.created_at), _("Started"), _who(started.actor))
        )
    for r in reports:
        rows.append(
            TimelineEntry(
                r.submitted_on,
                _("Execution reported"),
                _who(r.author),
                r.text,
                tuple(r.attachments.all()),
            )
        )
        if r.status == ExecutionReport.Status.ACCEPTED:
            rows.append(TimelineEntry(r.decided_on, _("Report accepted"), _who(r.decided_by)))
        elif r.status == ExecutionReport.Status.RETURNED:
            rows.append(
                TimelineEntry(r.decided_on, _("Report returned"), _who(r.decided_by), r.note)
            )
    for e in extensions:
        rows.append(
            TimelineEntry(
                e.requested_on,
                _("Extension to %(date)s requested")
                % {"date": e.new_deadline.strftime("%d.%m.%Y")},
                _who(e.requested_by),
                e.reason,
            )
        )
        if e.status == ExtensionRequest.Status.APPROVED:
            rows.append(
                TimelineEntry(e.decided_on, _("Extension approved"), _who(e.decided_by), e.note)
            )
        elif e.status == ExtensionRequest.Status.REFUSED:
            rows.append(
                TimelineEntry(
                    e.decided_on or e.requested_on,
                    _("Extension refused"),
                    _who(e.decided_by),
                    e.note,
                )
            )
    rows.sort(key=lambda r: r.date)
    if obj.status == Instruction.Status.CANCELLED:
        rows.append(
            TimelineEntry(
                rows[-1].date,
                pgettext("instruction status", "Cancelled"),
                _who(obj.issuer),
                obj.status_reason,
            )
        )
    return rows


#: action -> (form prefix, form class); the two decisions on an extension share one form.
ACTION_FORMS = {
    "report": ("report", ReportForm),
    "return": ("return", ReturnForm),
    "extend": ("extend", ExtensionForm),
    "approve_extension": ("decide_ext", ExtensionDecisionForm),
    "refuse_extension": ("decide_ext", ExtensionDecisionForm),
    "cancel": ("cancel", CancelForm),
}


def _act(scope: Scope, request, obj: Instruction, action: str, form, pending_report, pending_ext):
    """Run one action through the services; returns the success message."""
    data = form.cleaned_data if form is not None else {}
    if action == "start":
        services.start_instruction(scope, obj, request=request)
        return _("The work on the instruction has started.")
    if action == "report":
        services.submit_report_with_files(
            scope, obj, text=data["text"], files=data["attachments"], request=request
        )
        return _("The execution report is sent to the issuer.")
    if action in ("accept", "return"):
        if pending_report is None:
            raise ValidationError(_("No report is waiting for a decision."))
        if action == "accept":
            services.accept_report(scope, pending_report, request=request)
            return _("The report is accepted; the instruction is done.")
        services.return_report(scope, pending_report, note=data["note"], request=request)
        return _("The report is returned for rework.")
    if action == "extend":
        services.request_extension(
            scope, obj, new_deadline=data["new_deadline"], reason=data["reason"], request=request
        )
        return _("The extension request is sent to the issuer.")
    if action in ("approve_extension", "refuse_extension"):
        if pending_ext is None:
            raise ValidationError(_("No extension request is pending."))
        approve = action == "approve_extension"
        services.decide_extension(
            scope, pending_ext, approve=approve, note=data["note"], request=request
        )
        return _("The deadline is extended.") if approve else _("The extension is refused.")
    if action == "cancel":
        services.cancel_instruction(scope, obj, reason=data["reason"], request=request)
        return _("The instruction is cancelled.")
    raise Http404


@require_http_methods(["GET", "POST"])
@login_required
def instruction(request, pk):
    scope = scope_for(request.user)
    today = timezone.localdate()
    obj = get_object_or_404(
        services.with_state(services.instructions(scope), today).select_related(
            "agenda_item__meeting"
        ),
        pk=pk,
    )
    reports = list(
        obj.reports.select_related("author", "decided_by").prefetch_related("attachments")
    )
    extensions = list(obj.extension_requests.select_related("requested_by", "decided_by"))
    pending_report = next(
        (r for r in reports if r.status == ExecutionReport.Status.SUBMITTED), None
    )
    pending_ext = next((e for e in extensions if e.status == ExtensionRequest.Status.PENDING), None)
    forms = {prefix: cls(prefix=prefix) for prefix, cls in ACTION_FORMS.values()}
    if request.method == "POST":
        action = request.POST.get("action", "")
        form = None
        if action in ACTION_FORMS:
            prefix, form_class = ACTION_FORMS[action]
            form = form_class(request.POST, request.FILES or None, prefix=prefix)
            forms[prefix] = form
        if form is None or form.is_valid():
            try:
                message = _act(scope, request, obj, action, form, pending_report, pending_ext)
            except ValidationError as exc:
                if form is not None:
                    _apply_errors(form, exc)
                else:
                    messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, message)
                return redirect("activity:instruction", obj.pk)
    is_open = obj.status in Instruction.OPEN
    executor = services.is_executor(scope, obj)
    issuer = services.is_issuer(scope, obj)
    return _render(
        request,
        "activity/instruction.html",
        {
            "instruction": obj,
            "state_label": STATE_LABELS.get(obj.state, obj.state),
            "badge": STATE_BADGES.get(obj.state, ""),
            "responsible_users": obj.responsible_users.all(),
            "responsible_branches": obj.responsible_branches.all(),
            "responsible_poos": obj.responsible_poos.all(),
            "co_executors": obj.co_executors.all(),
            "timeline": _timeline(obj, reports, extensions),
            "pending_report": pending_report,
            "pending_ext": pending_ext,
            "can_start": executor and obj.status == Instruction.Status.ISSUED,
            "can_report": executor and is_open and pending_report is None,
            "can_extend": executor and is_open and pending_ext is None,
            "can_decide_report": issuer and is_open and pending_report is not None,
            "can_decide_ext": issuer and is_open and pending_ext is not None,
            "can_cancel": issuer and is_open,
            "can_view_meeting": obj.agenda_item_id is not None
            and services.can_view_meeting(scope, obj.agenda_item.meeting_id),
            "forms": forms,
            "section": "instructions",
        },
    )


@require_GET
@login_required
def board(request):
    scope = _scope(request)
    today = timezone.localdate()
    by_person = services.control_board(scope, by="person", today=today)
    by_branch = services.control_board(scope, by="branch", today=today)
    totals = {
        key: sum(getattr(r, key) for r in by_branch)
        for key in ("on_time", "late", "overdue", "open")
    }
    return _render(
        request,
        "activity/board.html",
        {
            "by_person": by_person,
            "by_branch": by_branch,
            "totals": totals,
            "today": today,
            "section": "board",
        },
    )


# Social projects -----------------------------------------------------------------------------
@require_GET
@login_required
def projects(request):
    scope = _projects_scope(request)
    today = timezone.localdate()
    form = ProjectFilterForm(request.GET or None, initial={"year": today.year})
    year = today.year
    qs = services.social_projects(scope)
    if form.is_valid():
        data = form.cleaned_data
        year = data["year"] or today.year
        if data["status"] == "optimised":
            qs = qs.filter(
                status__in=(SocialProject.Status.MERGED, SocialProject.Status.CLOSED),
                status_changed_on__year=year,
            )
        elif data["status"]:
            qs = qs.filter(status=data["status"])
    ended = services.projects_ended(scope, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    counts = services.social_projects(scope).aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(status=SocialProject.Status.ACTIVE))
    )
    qs = qs.annotate(event_count=Count("events"), reach=Coalesce(Sum("events__reach"), 0))
    page = Paginator(qs.order_by("status", "name", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _render(
        request,
        "activity/projects.html",
        {
            "form": form,
            "page": page,
            "year": year,
            "ended": ended,
            "optimised": ended["merged"] + ended["closed"],
            "counts": counts,
            "section": "projects",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def project_new(request):
    scope = _projects_scope(request)
    branches = _managed_branches(scope)
    initial = {"started_on": timezone.localdate()}
    if scope.user.branch_id:
        initial["branch"] = scope.user.branch_id
    form = ProjectForm(
        request.POST or None, branches=branches, members=scope.members(), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            obj = services.create_project(
                scope,
                branch=data["branch"],
                name=data["name"],
                goal=data["goal"],
                target_groups=data["target_groups"],
                curator=data["curator_iin"],
                started_on=data["started_on"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The project is registered."))
            return redirect("activity:project", obj.pk)
    return _render_form(
        request,
        form,
        title=_("Register a social project"),
        cancel=reverse("activity:projects"),
        section="projects",
    )


def _project_for(request, pk) -> tuple[Scope, SocialProject]:
    scope = _projects_scope(request)
    return scope, get_object_or_404(services.social_projects(scope), pk=pk)


@require_GET
@login_required
def project(request, pk):
    _s, obj = _project_for(request, pk)
    events = ProjectEvent.objects.filter(project=obj).order_by("-date", "-id")
    totals = events.aggregate(count=Count("pk"), reach=Coalesce(Sum("reach"), 0))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "activity/project.html",
        {
            "project": obj,
            "page": page,
            "totals": totals,
            "merged_from": obj.merged_from.order_by("name"),
            "section": "projects",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def project_event_new(request, pk):
    scope, obj = _project_for(request, pk)
    form = ProjectEventForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_project_event(scope, obj, request=request, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The event is recorded."))
            return redirect("activity:project", obj.pk)
    return _render_form(
        request,
        form,
        title=_("Record an event"),
        subtitle=obj.name,
        cancel=reverse("activity:project", args=[obj.pk]),
        section="projects",
    )


@require_http_methods(["GET", "POST"])
@login_required
def project_end(request, pk):
    scope, obj = _project_for(request, pk)
    targets = (
        services.social_projects(scope)
        .filter(status=SocialProject.Status.ACTIVE)
        .exclude(pk=obj.pk)
        .order_by("name")
    )
    form = EndProjectForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.end_project(
                scope,
                obj,
                on=data["on"],
                reason=data["reason"],
                merged_into=data["merged_into"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The project is ended."))
            return redirect("activity:project", obj.pk)
    return _render_form(
        request,
        form,
        title=_("Merge or close the project"),
        subtitle=obj.name,
        cancel=reverse("activity:project", args=[obj.pk]),
        section="projects",
    )


@require_GET
@login_required
def project_figures(request):
    scope = _projects_scope(request)
    today = timezone.localdate()
    defaults = {"start": dt.date(today.year, 1, 1), "end": today}
    form = PeriodForm(request.GET if "start" in request.GET else None, initial=defaults)
    period = defaults
    if form.is_bound and form.is_valid():
        period = {"start": form.cleaned_data["start"], "end": form.cleaned_data["end"]}
    qs = services.project_figures(scope, **period).order_by("-reach", "name", "id")
    totals = ProjectEvent.objects.filter(
        project__in=services.social_projects(scope).values("pk"),
        date__gte=period["start"],
        date__lte=period["end"],
    ).aggregate(events=Count("pk"), reach=Coalesce(Sum("reach"), 0))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "activity/project_figures.html",
        {"form": form, "page": page, "period": period, "totals": totals, "section": "figures"},
    )
