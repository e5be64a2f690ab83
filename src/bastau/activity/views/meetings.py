"""Branch activity pages (/activity/...): meetings, instructions under execution control, the
control board and the social projects registry.

Who may do what (each view names its rule of `permissions.py`; the services check again):
- `view_activity` (regional administrator; district secretary: their branch and its
  POOs; POO leader: their POO) sees the overview, meetings, the control board and issues
  instructions; a meeting outside the scope is a 404;
- anyone signed in sees the instructions list, cut by `permissions.instructions` to those they
  issued, execute or co-execute (a plain member sees only those); an instruction outside it
  is a 404; acting on one is checked by the services (executor / issuer), else 403;
- the social projects registry: `view_projects` (administrator, district
  secretary); others get a 403;
- files are streamed by `attachment`, after `services.open_attachment`'s check, never from a
  public URL.
Lists read the scoped querysets of `permissions.py` and paginate in the database.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.contrib import messages
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

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.core import audit
from bastau.core.forms import apply_errors
from bastau.core.models import AuditEvent
from bastau.core.pages import form_page
from bastau.core.permissions import requires
from bastau.members import permissions as members_permissions
from bastau.primaries.models import Candidate
from bastau.structure import permissions as structure_permissions

from .. import documents, links, permissions, services
from ..forms.meetings import (
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
    person_label,
)
from ..models import (
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


#: The section navigation shown above the forms of these pages.
NAV = "activity/_nav.html"


def _mine_q(user) -> Q:
    return Q(
        pk__in=Instruction.objects.filter(
            Q(issuer=user) | Q(responsible_users=user) | Q(co_executors=user)
        ).values("pk")
    )


# Overview ------------------------------------------------------------------------------------
@require_GET
@requires("activity.view_activity")
def index(request):
    scope = request.scope
    today = timezone.localdate()
    visible = permissions.meetings(scope)
    upcoming = list(visible.filter(date__gte=today).order_by("date", "id")[:5])
    recent = list(visible.filter(date__lt=today)[:5])
    mine = services.with_state(
        permissions.instructions(scope)
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
    if permissions.view_projects(scope):
        year_start = dt.date(today.year, 1, 1)
        ended = services.projects_ended(scope, start=year_start, end=dt.date(today.year, 12, 31))
        projects = {
            "active": permissions.social_projects(scope)
            .filter(status=SocialProject.Status.ACTIVE)
            .count(),
            "optimised": ended["merged"] + ended["closed"],
            "year": today.year,
        }
    return render(
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
@requires("activity.view_activity")
def meetings(request):
    scope = request.scope
    form = MeetingFilterForm(request.GET or None, branches=permissions.managed_branches(scope))
    qs = permissions.meetings(scope).annotate(agenda_count=Count("agenda_items"))
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["branch"]:
            qs = qs.filter(branch=data["branch"])
        if data["year"]:
            qs = qs.filter(date__year=data["year"])
    page = Paginator(qs.order_by("-date", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "activity/meetings.html", {"form": form, "page": page, "section": "meetings"}
    )


def _meeting(scope: Scope, pk) -> Meeting:
    return get_object_or_404(permissions.meetings(scope), pk=pk)


@require_http_methods(["GET", "POST"])
@requires("activity.view_activity")
def meeting_new(request):
    scope = request.scope
    branches = permissions.managed_branches(scope)
    form = MeetingForm(
        request.POST or None,
        branches=branches if scope.role != Role.POO_LEADER else None,
        poos=structure_permissions.poos(scope).order_by("name"),
        members=members_permissions.members(scope),
        initial={"date": timezone.localdate()},
    )
    return form_page(
        request,
        form,
        save=lambda data: services.create_meeting(
            scope,
            kind=data["kind"],
            date=data["date"],
            branch=data.get("branch"),
            poo=data["poo"],
            place=data["place"],
            number=data["number"],
            chair_member=data["chair"],
            chair_name=data["chair_name"],
            request=request,
        ),
        done=lambda meeting: reverse("activity:meeting", args=[meeting.pk]),
        message=_("The meeting is recorded."),
        title=_("Record a meeting"),
        cancel=reverse("activity:meetings"),
        nav=NAV,
        context={"section": "meetings"},
    )


@require_GET
@requires("activity.view_activity")
def meeting(request, pk):
    scope = request.scope
    obj = _meeting(scope, pk)
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
    return render(
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
@requires("activity.view_activity")
def meeting_participants(request, pk):
    scope = request.scope
    obj = _meeting(scope, pk)
    initial = {
        "categories": "\n".join(f"{g.category}: {g.count}" for g in obj.participant_groups.all()),
        "attendees": list(obj.attendees.values_list("pk", flat=True)),
    }
    form = ParticipantsForm(
        request.POST or None, initial=initial, members=members_permissions.members(scope)
    )
    back = reverse("activity:meeting", args=[obj.pk])
    return form_page(
        request,
        form,
        save=lambda data: services.set_participants(
            scope, obj, categories=data["categories"], members=data["attendees"], request=request
        ),
        done=back,
        message=_("The participants are saved."),
        title=_("Participants"),
        subtitle=str(obj),
        cancel=back,
        nav=NAV,
        context={"section": "meetings"},
    )


@require_http_methods(["GET", "POST"])
@requires("activity.view_activity")
def agenda_item_new(request, pk):
    scope = request.scope
    obj = _meeting(scope, pk)
    form = AgendaItemForm(request.POST or None, members=members_permissions.members(scope))
    back = reverse("activity:meeting", args=[obj.pk])
    return form_page(
        request,
        form,
        save=lambda data: services.add_agenda_item(
            scope,
            obj,
            title=data["title"],
            speakers=data["speakers"],
            speakers_text=data["speakers_text"],
            request=request,
        ),
        done=back,
        message=_("The question is on the agenda."),
        title=_("Add an agenda item"),
        subtitle=str(obj),
        cancel=back,
        nav=NAV,
        context={"section": "meetings"},
    )


@require_http_methods(["GET", "POST"])
@requires("activity.view_activity")
def decision_new(request, pk):
    scope = request.scope
    item = get_object_or_404(
        AgendaItem.objects.select_related("meeting", "meeting__branch", "meeting__poo").filter(
            meeting__in=permissions.meetings(scope).values("pk")
        ),
        pk=pk,
    )
    meeting_obj = item.meeting
    links = {}
    if meeting_obj.kind == Meeting.Kind.POO_MEETING:
        links = {
            "admissions": members_permissions.admissions(scope)
            .filter(poo=meeting_obj.poo)
            .order_by("last_name"),
            "candidates": Candidate.objects.filter(nominating_poo=meeting_obj.poo)
            .select_related("campaign")
            .order_by("-nominated_on", "name"),
        }
    form = DecisionForm(request.POST or None, **links)
    back = reverse("activity:meeting", args=[meeting_obj.pk])
    return form_page(
        request,
        form,
        save=lambda data: services.record_decision(
            scope,
            item,
            text=data["text"],
            admission=data.get("admission"),
            candidate=data.get("candidate"),
            request=request,
        ),
        done=back,
        message=_("The decision is recorded."),
        title=_("Record a decision"),
        subtitle=str(item),
        cancel=back,
        nav=NAV,
        context={"section": "meetings"},
    )


@require_http_methods(["GET", "POST"])
@requires("activity.view_activity")
def meeting_attachment_new(request, pk):
    scope = request.scope
    obj = _meeting(scope, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    back = reverse("activity:meeting", args=[obj.pk])
    return form_page(
        request,
        form,
        save=lambda data: services.add_meeting_attachments(
            scope, obj, data["attachments"], request=request
        ),
        done=back,
        message=_("The files are attached."),
        title=_("Attach files"),
        subtitle=str(obj),
        cancel=back,
        submit=_("Attach"),
        nav=NAV,
        context={"section": "meetings"},
    )


@require_GET
@requires("activity.view_activity")
def meeting_minutes(request, pk, lang, fmt):
    obj = _meeting(request.scope, pk)
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
@requires("activity.open_files")
def attachment(request, pk):
    """Stream a meeting's or an execution report's file to someone who may see its owner."""
    scope = request.scope
    obj = get_object_or_404(
        permissions.visible_attachments(scope).select_related(
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
@requires("activity.view_instructions")
def instructions(request):
    scope = request.scope
    users = permissions.reachable_users(scope)
    form = InstructionFilterForm(request.GET or None, users=users)
    if not permissions.view_activity(scope):  # they see only their own: none else to filter
        del form.fields["responsible"], form.fields["mine"]
    today = timezone.localdate()
    qs = services.with_state(permissions.instructions(scope), today)
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
    return render(
        request,
        "activity/instructions.html",
        {
            "form": form,
            "page": page,
            "rows": _instruction_rows(page.object_list),
            "section": "instructions",
        },
    )


@require_GET
@requires("activity.view_activity")
def pick_user(request):
    """The searchable account picker of the instruction forms and the instructions filter: up
    to 20 of the accounts an instruction may name (`permissions.reachable_users`: the whole
    region for its administrator, the district or the POO otherwise), by name or login. Names
    of people are personal data: each search that finds someone is audited, as the member
    picker's are."""
    query = request.GET.get("q", "")
    short = len(query.strip()) < 2
    found = [] if short else permissions.search_users(request.scope, query)
    if found:
        audit.record(
            request.user,
            "accounts.user_picker_search",
            request=request,
            data={"found": [u.pk for u in found]},
        )
    options = [(u.pk, person_label(u)) for u in found]
    return render(request, "core/autocomplete_results.html", {"options": options, "short": short})


@require_http_methods(["GET", "POST"])
@requires("activity.view_activity")
def instruction_new(request):
    scope = request.scope
    item = None
    item_id = request.GET.get("item", "")
    if item_id:
        if not item_id.isdigit():
            raise Http404
        item = get_object_or_404(
            AgendaItem.objects.select_related("meeting__branch", "meeting__poo").filter(
                meeting__in=permissions.meetings(scope).values("pk")
            ),
            pk=item_id,
        )
    if item is not None:
        unit_fields = ()
    elif scope.role == Role.POO_LEADER:
        unit_fields = ("poo",)
    else:
        unit_fields = ("branch", "poo")
    branches = permissions.managed_branches(scope)
    poos = structure_permissions.poos(scope).order_by("name")
    initial = {}
    if scope.role == Role.DISTRICT_SECRETARY:
        initial["branch"] = scope.user.branch_id
    if scope.role == Role.POO_LEADER:
        initial["poo"] = scope.user.poo_id
    form = InstructionForm(
        request.POST or None,
        users=permissions.reachable_users(scope),
        branches=branches,
        poos=poos,
        unit_fields=unit_fields,
        initial=initial,
    )
    return form_page(
        request,
        form,
        save=lambda data: services.issue_instruction(
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
        ),
        done=lambda obj: reverse("activity:instruction", args=[obj.pk]),
        message=_("The instruction is issued."),
        title=_("Issue an instruction"),
        subtitle=f"{item.meeting} · {item}" if item else "",
        cancel=reverse("activity:meeting", args=[item.meeting_id])
        if item
        else reverse("activity:instructions"),
        submit=_("Issue"),
        nav=NAV,
        context={"section": "instructions"},
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
@requires("activity.view_instructions")
def instruction(request, pk):
    scope = request.scope
    today = timezone.localdate()
    obj = get_object_or_404(
        services.with_state(permissions.instructions(scope), today).select_related(
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
                    apply_errors(form, exc)
                else:
                    messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, message)
                return redirect("activity:instruction", obj.pk)
    is_open = obj.status in Instruction.OPEN
    executor = permissions.is_executor(scope, obj)
    issuer = permissions.is_issuer(scope, obj)
    return render(
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
            and permissions.can_view_meeting(scope, obj.agenda_item.meeting_id),
            "related_links": links.for_instruction(scope, obj),
            "forms": forms,
            "section": "instructions",
        },
    )


@require_GET
@requires("activity.view_activity")
def board(request):
    scope = request.scope
    today = timezone.localdate()
    by_person = services.control_board(scope, by="person", today=today)
    by_branch = services.control_board(scope, by="branch", today=today)
    totals = {
        key: sum(getattr(r, key) for r in by_branch)
        for key in ("on_time", "late", "overdue", "open")
    }
    return render(
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
@requires("activity.view_projects")
def projects(request):
    scope = request.scope
    today = timezone.localdate()
    form = ProjectFilterForm(request.GET or None, initial={"year": today.year})
    year = today.year
    qs = permissions.social_projects(scope)
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
    counts = permissions.social_projects(scope).aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(status=SocialProject.Status.ACTIVE))
    )
    qs = qs.annotate(event_count=Count("events"), reach=Coalesce(Sum("events__reach"), 0))
    page = Paginator(qs.order_by("status", "name", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
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
@requires("activity.view_projects")
def project_new(request):
    scope = request.scope
    branches = permissions.managed_branches(scope)
    initial = {"started_on": timezone.localdate()}
    if scope.user.branch_id:
        initial["branch"] = scope.user.branch_id
    form = ProjectForm(
        request.POST or None,
        branches=branches,
        members=members_permissions.members(scope),
        initial=initial,
    )
    return form_page(
        request,
        form,
        save=lambda data: services.create_project(
            scope,
            branch=data["branch"],
            name=data["name"],
            goal=data["goal"],
            target_groups=data["target_groups"],
            curator=data["curator"],
            started_on=data["started_on"],
            request=request,
        ),
        done=lambda obj: reverse("activity:project", args=[obj.pk]),
        message=_("The project is registered."),
        title=_("Register a social project"),
        cancel=reverse("activity:projects"),
        nav=NAV,
        context={"section": "projects"},
    )


def _project(scope: Scope, pk) -> SocialProject:
    return get_object_or_404(permissions.social_projects(scope), pk=pk)


@require_GET
@requires("activity.view_projects")
def project(request, pk):
    obj = _project(request.scope, pk)
    events = ProjectEvent.objects.filter(project=obj).order_by("-date", "-id")
    totals = events.aggregate(count=Count("pk"), reach=Coalesce(Sum("reach"), 0))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
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
@requires("activity.view_projects")
def project_event_new(request, pk):
    scope = request.scope
    obj = _project(scope, pk)
    form = ProjectEventForm(request.POST or None, initial={"date": timezone.localdate()})
    back = reverse("activity:project", args=[obj.pk])
    return form_page(
        request,
        form,
        save=lambda data: services.record_project_event(scope, obj, request=request, **data),
        done=back,
        message=_("The event is recorded."),
        title=_("Record an event"),
        subtitle=obj.name,
        cancel=back,
        nav=NAV,
        context={"section": "projects"},
    )


@require_http_methods(["GET", "POST"])
@requires("activity.view_projects")
def project_end(request, pk):
    scope = request.scope
    obj = _project(scope, pk)
    targets = (
        permissions.social_projects(scope)
        .filter(status=SocialProject.Status.ACTIVE)
        .exclude(pk=obj.pk)
        .order_by("name")
    )
    form = EndProjectForm(request.POST or None, targets=targets)
    back = reverse("activity:project", args=[obj.pk])
    return form_page(
        request,
        form,
        save=lambda data: services.end_project(
            scope,
            obj,
            on=data["on"],
            reason=data["reason"],
            merged_into=data["merged_into"],
            request=request,
        ),
        done=back,
        message=_("The project is ended."),
        title=_("Merge or close the project"),
        subtitle=obj.name,
        cancel=back,
        nav=NAV,
        context={"section": "projects"},
    )


@require_GET
@requires("activity.view_projects")
def project_figures(request):
    scope = request.scope
    today = timezone.localdate()
    defaults = {"start": dt.date(today.year, 1, 1), "end": today}
    form = PeriodForm(request.GET if "start" in request.GET else None, initial=defaults)
    period = defaults
    if form.is_bound and form.is_valid():
        period = {"start": form.cleaned_data["start"], "end": form.cleaned_data["end"]}
    qs = services.project_figures(scope, **period).order_by("-reach", "name", "id")
    totals = ProjectEvent.objects.filter(
        project__in=permissions.social_projects(scope).values("pk"),
        date__gte=period["start"],
        date__lte=period["end"],
    ).aggregate(events=Count("pk"), reach=Coalesce(Sum("reach"), 0))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activity/project_figures.html",
        {"form": form, "page": page, "period": period, "totals": totals, "section": "figures"},
    )
