"""Branch activity actions and scoped reads: meetings and the execution control of instructions.

Each action checks permission for the caller's `Scope`, validates (raising `ValidationError`
with translated messages), writes inside a transaction and records an audit event.

Who may do what:
- meetings: the regional administrator (any); a district secretary the meetings of their own
  branch (including its POOs' meetings); a POO leader only their POO's meetings; a member none;
- instructions: issued by those who manage the issuing unit (as for meetings). The issuer
  accepts or returns execution reports, decides extension requests and may cancel. The
  responsible people and co-executors (and the secretary of a responsible branch, the leader
  of a responsible POO) start the work, report execution and ask for extensions. A member sees
  only the instructions they are responsible for or co-execute.
- social projects: the regional administrator (any branch) and a district secretary (their
  own branch) register them, merge or close them and record events; POO leaders and members
  do not;
- "overdue" is never stored: it is derived from the deadline (see `with_state`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, CharField, Count, F, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bastau.accounts.models import User
from bastau.accounts.scoping import Scope
from bastau.core import audit
from bastau.core.sms import send_sms
from bastau.structure import permissions as structure_permissions

from .models import (
    AgendaItem,
    Decision,
    ExecutionReport,
    ExtensionRequest,
    Instruction,
    Meeting,
    ParticipantGroup,
    ProjectEvent,
    SocialProject,
)
from .permissions import (
    instructions,
    is_executor,
    manages_projects,
    manages_unit,
    require_meeting,
    require_project,
    social_projects,
    visible_attachments,
)

log = logging.getLogger(__name__)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


# Checks (the rules and scoped querysets live in permissions.py) ---------------------------
def _require_issuer(scope: Scope, instruction: Instruction) -> None:
    if not (scope.user.is_authenticated and instruction.issuer_id == scope.user.pk):
        raise PermissionDenied


def _require_executor(scope: Scope, instruction: Instruction) -> None:
    if not is_executor(scope, instruction):
        raise PermissionDenied


def _require_open(instruction: Instruction) -> None:
    if instruction.status not in Instruction.OPEN:
        raise ValidationError(_("This instruction is no longer open."))


# Meetings -------------------------------------------------------------------------------
def create_meeting(
    scope: Scope,
    *,
    kind: str,
    date: dt.date,
    branch=None,
    poo=None,
    place: str = "",
    number: str = "",
    chair_member=None,
    chair_name: str = "",
    request=None,
) -> Meeting:
    if kind not in Meeting.Kind.values:
        raise ValidationError({"kind": _("Unknown meeting kind.")})
    if kind == Meeting.Kind.POO_MEETING:
        if poo is None:
            raise ValidationError({"poo": _("A POO meeting needs its primary organization.")})
        branch = poo.branch
    elif poo is not None:
        raise ValidationError({"poo": _("Only a POO meeting belongs to a primary organization.")})
    if branch is None:
        raise ValidationError({"branch": _("Choose the branch holding the meeting.")})
    if not manages_unit(scope, branch, poo):
        raise PermissionDenied
    if chair_member is None and not chair_name.strip():
        raise ValidationError({"chair_name": _("Name the chair of the meeting.")})
    with transaction.atomic():
        meeting = Meeting.objects.create(
            kind=kind,
            branch=branch,
            poo=poo,
            date=date,
            place=place,
            number=number,
            chair_member=chair_member,
            chair_name=chair_name.strip(),
            created_by=scope.user,
        )
        audit.record(
            scope.user,
            "meeting.created",
            meeting,
            branch=branch,
            request=request,
            summary=str(meeting),
        )
    return meeting


def set_participants(
    scope: Scope, meeting: Meeting, *, categories: dict[str, int], members=(), request=None
) -> Meeting:
    """Replace the participants: counts by category and the named members."""
    require_meeting(scope, meeting)
    errors = {}
    for category, count in categories.items():
        if not category.strip():
            errors["categories"] = _("Each participant category needs a name.")
        elif count is None or count < 0:
            errors["categories"] = _("A participant count cannot be negative.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting.participant_groups.all().delete()
        ParticipantGroup.objects.bulk_create(
            ParticipantGroup(meeting=meeting, category=c.strip(), count=n)
            for c, n in categories.items()
        )
        meeting.attendees.set(members)
        audit.record(
            scope.user,
            "meeting.participants",
            meeting,
            branch=meeting.branch,
            request=request,
            data={"categories": categories, "named": len(list(members))},
        )
    return meeting


def add_agenda_item(
    scope: Scope,
    meeting: Meeting,
    *,
    title: str,
    speakers=(),
    speakers_text: str = "",
    request=None,
) -> AgendaItem:
    require_meeting(scope, meeting)
    if not title.strip():
        raise ValidationError({"title": _("State the question on the agenda.")})
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        last = meeting.agenda_items.aggregate(m=Max("position"))["m"] or 0
        item = AgendaItem.objects.create(
            meeting=meeting, position=last + 1, title=title.strip(), speakers_text=speakers_text
        )
        item.speakers.set(speakers)
        audit.record(
            scope.user, "meeting.agenda_item", item, branch=meeting.branch, request=request
        )
    return item


def record_decision(
    scope: Scope, item: AgendaItem, *, text: str, admission=None, candidate=None, request=None
) -> Decision:
    meeting = item.meeting
    require_meeting(scope, meeting)
    if not text.strip():
        raise ValidationError({"text": _("State the decision.")})
    if admission is not None and candidate is not None:
        raise ValidationError(_("A decision links to an admission or a candidate, not both."))
    if (
        admission is not None or candidate is not None
    ) and meeting.kind != Meeting.Kind.POO_MEETING:
        raise ValidationError(_("Only a POO meeting decides admissions and nominations."))
    if admission is not None and admission.poo_id != meeting.poo_id:
        raise ValidationError({"admission": _("The application was made to another POO.")})
    if candidate is not None and candidate.nominating_poo_id != meeting.poo_id:
        raise ValidationError({"candidate": _("The candidate was nominated by another POO.")})
    with transaction.atomic():
        decision = Decision.objects.create(
            agenda_item=item, text=text.strip(), admission=admission, candidate=candidate
        )
        audit.record(
            scope.user, "meeting.decision", decision, branch=meeting.branch, request=request
        )
    return decision


# Instructions ---------------------------------------------------------------------------
def issue_instruction(
    scope: Scope,
    *,
    text: str,
    deadline: dt.date,
    agenda_item: AgendaItem | None = None,
    branch=None,
    poo=None,
    responsible_users=(),
    responsible_branches=(),
    responsible_poos=(),
    co_executors=(),
    today: dt.date | None = None,
    request=None,
) -> Instruction:
    """Issue an instruction, from a meeting's agenda item (its unit is the meeting's) or
    standalone (for `branch`, or for `poo` of its branch)."""
    today = _today(today)
    if agenda_item is not None:
        branch, poo = agenda_item.meeting.branch, agenda_item.meeting.poo
    elif poo is not None:
        branch = poo.branch
    if branch is None:
        raise ValidationError({"branch": _("Choose the issuing branch.")})
    if not manages_unit(scope, branch, poo):
        raise PermissionDenied
    responsible_users = list(responsible_users)
    responsible_branches = list(responsible_branches)
    responsible_poos = list(responsible_poos)
    co_executors = list(co_executors)
    errors = {}
    if not text.strip():
        errors["text"] = _("State the instruction.")
    if deadline < today:
        errors["deadline"] = _("The deadline cannot be in the past.")
    if not (responsible_users or responsible_branches or responsible_poos):
        errors["responsible_users"] = _("Name at least one responsible person or unit.")
    if {u.pk for u in co_executors} & {u.pk for u in responsible_users}:
        errors["co_executors"] = _("A responsible person cannot also be a co-executor.")
    if errors:
        raise ValidationError(errors)
    # Units given the instruction must be within the issuer's reach.
    for unit in responsible_branches:
        if not (scope.is_regional_admin or manages_unit(scope, unit)):
            raise PermissionDenied
    for unit in responsible_poos:
        if not structure_permissions.poos(scope).filter(pk=unit.pk).exists():
            raise PermissionDenied
    with transaction.atomic():
        instruction = Instruction.objects.create(
            agenda_item=agenda_item,
            branch=branch,
            poo=poo,
            text=text.strip(),
            issuer=scope.user,
            issued_on=today,
            original_deadline=deadline,
            deadline=deadline,
        )
        instruction.responsible_users.set(responsible_users)
        instruction.responsible_branches.set(responsible_branches)
        instruction.responsible_poos.set(responsible_poos)
        instruction.co_executors.set(co_executors)
        audit.record(
            scope.user,
            "instruction.issued",
            instruction,
            branch=branch,
            request=request,
            summary=instruction.text,
        )
    return instruction


def start_instruction(scope: Scope, instruction: Instruction, *, request=None) -> Instruction:
    _require_executor(scope, instruction)
    if instruction.status != Instruction.Status.ISSUED:
        raise ValidationError(_("Only a newly issued instruction can be started."))
    with transaction.atomic():
        instruction.status = Instruction.Status.IN_PROGRESS
        instruction.save(update_fields=["status"])
        audit.record(
            scope.user,
            "instruction.started",
            instruction,
            branch=instruction.branch,
            request=request,
        )
    return instruction


def submit_report(
    scope: Scope, instruction: Instruction, *, text: str, today: dt.date | None = None, request=None
) -> ExecutionReport:
    """The executor reports execution; an issued instruction becomes in progress."""
    _require_executor(scope, instruction)
    _require_open(instruction)
    if not text.strip():
        raise ValidationError({"text": _("Describe what was done.")})
    if instruction.reports.filter(status=ExecutionReport.Status.SUBMITTED).exists():
        raise ValidationError(_("A report is already waiting for the issuer's decision."))
    with transaction.atomic():
        report = ExecutionReport.objects.create(
            instruction=instruction,
            text=text.strip(),
            author=scope.user,
            submitted_on=_today(today),
        )
        if instruction.status == Instruction.Status.ISSUED:
            instruction.status = Instruction.Status.IN_PROGRESS
            instruction.save(update_fields=["status"])
        audit.record(
            scope.user, "instruction.reported", report, branch=instruction.branch, request=request
        )
    return report


def _pending_report(report: ExecutionReport) -> None:
    if report.status != ExecutionReport.Status.SUBMITTED:
        raise ValidationError(_("This report has already been decided."))


def accept_report(
    scope: Scope, report: ExecutionReport, *, today: dt.date | None = None, request=None
) -> Instruction:
    """The issuer accepts: the instruction is done as of the day the report was submitted."""
    instruction = report.instruction
    _require_issuer(scope, instruction)
    _pending_report(report)
    _require_open(instruction)
    with transaction.atomic():
        report.status = ExecutionReport.Status.ACCEPTED
        report.decided_by = scope.user
        report.decided_on = _today(today)
        report.save()
        instruction.status = Instruction.Status.DONE
        instruction.done_on = report.submitted_on
        instruction.save(update_fields=["status", "done_on"])
        audit.record(
            scope.user, "instruction.done", instruction, branch=instruction.branch, request=request
        )
    return instruction


def return_report(
    scope: Scope, report: ExecutionReport, *, note: str, today: dt.date | None = None, request=None
) -> ExecutionReport:
    instruction = report.instruction
    _require_issuer(scope, instruction)
    _pending_report(report)
    if not note.strip():
        raise ValidationError({"note": _("Say what is missing.")})
    with transaction.atomic():
        report.status = ExecutionReport.Status.RETURNED
        report.decided_by = scope.user
        report.decided_on = _today(today)
        report.note = note.strip()
        report.save()
        audit.record(
            scope.user,
            "instruction.report_returned",
            report,
            branch=instruction.branch,
            request=request,
        )
    return report


def request_extension(
    scope: Scope,
    instruction: Instruction,
    *,
    new_deadline: dt.date,
    reason: str,
    today: dt.date | None = None,
    request=None,
) -> ExtensionRequest:
    _require_executor(scope, instruction)
    _require_open(instruction)
    errors = {}
    if new_deadline <= instruction.deadline:
        errors["new_deadline"] = _("The new deadline must be later than the current one.")
    if not reason.strip():
        errors["reason"] = _("Give the reason for the extension.")
    if errors:
        raise ValidationError(errors)
    if instruction.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
        raise ValidationError(_("An extension request is already pending."))
    with transaction.atomic():
        ext = ExtensionRequest.objects.create(
            instruction=instruction,
            requested_by=scope.user,
            requested_on=_today(today),
            new_deadline=new_deadline,
            reason=reason.strip(),
        )
        audit.record(
            scope.user,
            "instruction.extension_requested",
            ext,
            branch=instruction.branch,
            request=request,
        )
    return ext


def decide_extension(
    scope: Scope,
    ext: ExtensionRequest,
    *,
    approve: bool,
    note: str = "",
    today: dt.date | None = None,
    request=None,
) -> ExtensionRequest:
    instruction = ext.instruction
    _require_issuer(scope, instruction)
    if ext.status != ExtensionRequest.Status.PENDING:
        raise ValidationError(_("This extension request has already been decided."))
    if approve:
        _require_open(instruction)
    with transaction.atomic():
        ext.status = (
            ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REFUSED
        )
        ext.decided_by = scope.user
        ext.decided_on = _today(today)
        ext.note = note.strip()
        ext.save()
        if approve:
            instruction.deadline = ext.new_deadline
            instruction.status = Instruction.Status.EXTENDED
            instruction.escalated_on = None  # a new deadline: escalate again if missed
            instruction.save(update_fields=["deadline", "status", "escalated_on"])
        audit.record(
            scope.user,
            "instruction.extension_approved" if approve else "instruction.extension_refused",
            ext,
            branch=instruction.branch,
            request=request,
        )
    return ext


def cancel_instruction(
    scope: Scope, instruction: Instruction, *, reason: str, request=None
) -> Instruction:
    _require_issuer(scope, instruction)
    _require_open(instruction)
    if not reason.strip():
        raise ValidationError({"status_reason": _("Give the reason for the cancellation.")})
    with transaction.atomic():
        instruction.status = Instruction.Status.CANCELLED
        instruction.status_reason = reason.strip()
        instruction.save(update_fields=["status", "status_reason"])
        instruction.extension_requests.filter(status=ExtensionRequest.Status.PENDING).update(
            status=ExtensionRequest.Status.REFUSED, note=reason.strip()
        )
        audit.record(
            scope.user,
            "instruction.cancelled",
            instruction,
            branch=instruction.branch,
            request=request,
        )
    return instruction


# Control board --------------------------------------------------------------------------
def _open_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": Instruction.OPEN})


def with_state(qs: QuerySet, today: dt.date | None = None) -> QuerySet:
    """Annotate `state`: the stored status, or "overdue" for an open one past its deadline."""
    today = _today(today)
    return qs.annotate(
        state=Case(
            When(_open_q() & Q(deadline__lt=today), then=Value(Instruction.Status.OVERDUE)),
            default="status",
            output_field=CharField(),
        )
    )


def _board_counts(today: dt.date) -> dict:
    """Conditional counts; cancelled instructions count nowhere."""
    return dict(
        on_time=Count("pk", filter=Q(status="done", done_on__lte=F("deadline")), distinct=True),
        late=Count("pk", filter=Q(status="done", done_on__gt=F("deadline")), distinct=True),
        overdue=Count("pk", filter=_open_q() & Q(deadline__lt=today), distinct=True),
        open=Count("pk", filter=_open_q() & Q(deadline__gte=today), distinct=True),
    )


@dataclass
class BoardRow:
    key: int
    label: str
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    open: int = 0

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.overdue + self.open


def control_board(
    scope: Scope, *, by: str = "person", today: dt.date | None = None
) -> list[BoardRow]:
    """Counts of on-time, late, overdue and open instructions the scope may see, grouped by
    responsible person (`by="person"`) or by issuing branch (`by="branch"`). "Late" and
    "on time" compare the execution date with the deadline in force (after extensions).
    One query."""
    today = _today(today)
    visible = instructions(scope).values("pk")
    base = Instruction.objects.filter(pk__in=visible)
    if by == "person":
        rows = (
            base.filter(responsible_users__isnull=False)
            .values(
                "responsible_users",
                "responsible_users__last_name",
                "responsible_users__first_name",
                "responsible_users__username",
            )
            .annotate(**_board_counts(today))
            .order_by("responsible_users__last_name", "responsible_users")
        )
        return [
            BoardRow(
                key=r["responsible_users"],
                label=" ".join(
                    p
                    for p in (r["responsible_users__last_name"], r["responsible_users__first_name"])
                    if p
                )
                or r["responsible_users__username"],
                on_time=r["on_time"],
                late=r["late"],
                overdue=r["overdue"],
                open=r["open"],
            )
            for r in rows
        ]
    if by == "branch":
        rows = (
            base.values("branch", "branch__name")
            .annotate(**_board_counts(today))
            .order_by("branch__name", "branch")
        )
        return [
            BoardRow(
                key=r["branch"],
                label=r["branch__name"],
                on_time=r["on_time"],
                late=r["late"],
                overdue=r["overdue"],
                open=r["open"],
            )
            for r in rows
        ]
    raise ValueError(f"unknown board grouping {by!r}")


# Reminders and escalation ---------------------------------------------------------------
@dataclass
class ReminderResult:
    reminded: int = 0  # instructions whose executors were reminded
    escalated: int = 0  # overdue instructions escalated to the issuer
    emails: int = 0
    sms: int = 0
    failures: int = 0
    recipients: set = field(default_factory=set)


def _notify(user: User, subject: str, body: str, result: ReminderResult) -> None:
    if not user.is_active or not (user.email or user.phone):
        return
    result.recipients.add(user.pk)
    if user.email:
        try:
            result.emails += mail.send_mail(
                subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]
            )
        except Exception:
            log.exception("instruction reminder email to user %s failed", user.pk)
            result.failures += 1
    if user.phone:
        try:
            result.sms += send_sms(user.phone, subject)
        except Exception:
            log.exception("instruction reminder SMS to user %s failed", user.pk)
            result.failures += 1


def send_reminders(today: dt.date | None = None, *, days: int = 3) -> ReminderResult:
    """Remind the executors of open instructions due within `days` calendar days or overdue
    (once a day at most), and escalate each overdue instruction to its issuer once per
    deadline. Messages name the instruction and its deadline only."""
    today = _today(today)
    until = today + dt.timedelta(days=days)
    result = ReminderResult()
    due = list(
        Instruction.objects.filter(_open_q(), deadline__lte=until)
        .exclude(last_reminded_on=today)
        .select_related("issuer")
        .prefetch_related("responsible_users", "co_executors")
        .order_by("deadline", "pk")
    )
    with translation.override(settings.LANGUAGE_CODE):
        for instruction in due:
            overdue = instruction.deadline < today
            short = (
                instruction.text if len(instruction.text) <= 80 else instruction.text[:77] + "..."
            )
            params = {"text": short, "deadline": instruction.deadline.isoformat()}
            if overdue:
                subject = _("Overdue instruction (deadline %(deadline)s): %(text)s") % params
            else:
                subject = _("Instruction due %(deadline)s: %(text)s") % params
            executors = {u.pk: u for u in instruction.responsible_users.all()}
            executors.update({u.pk: u for u in instruction.co_executors.all()})
            for user in executors.values():
                _notify(user, subject, instruction.text, result)
            result.reminded += 1
            update = {"last_reminded_on": today}
            if overdue and instruction.escalated_on is None:
                escalation = _("Not executed by the deadline %(deadline)s: %(text)s") % params
                _notify(instruction.issuer, escalation, instruction.text, result)
                result.escalated += 1
                update["escalated_on"] = today
            Instruction.objects.filter(pk=instruction.pk).update(**update)
    return result


# Social projects ------------------------------------------------------------------------
def create_project(
    scope: Scope,
    *,
    branch,
    name: str,
    goal: str = "",
    target_groups: str = "",
    curator=None,
    started_on: dt.date | None = None,
    request=None,
) -> SocialProject:
    if not manages_projects(scope, branch):
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the project.")})
    if SocialProject.objects.filter(branch=branch, name=name).exists():
        raise ValidationError({"name": _("The branch already has a project with this name.")})
    with transaction.atomic():
        project = SocialProject.objects.create(
            branch=branch,
            name=name,
            goal=goal,
            target_groups=target_groups,
            curator=curator,
            started_on=started_on,
        )
        audit.record(
            scope.user, "project.created", project, branch=branch, request=request, summary=name
        )
    return project


def end_project(
    scope: Scope,
    project: SocialProject,
    *,
    on: dt.date,
    reason: str,
    merged_into: SocialProject | None = None,
    request=None,
) -> SocialProject:
    """Close a project, or merge it into another active project (with `merged_into`)."""
    require_project(scope, project)
    if project.status != SocialProject.Status.ACTIVE:
        raise ValidationError(_("Only an active project can be merged or closed."))
    errors = {}
    if not reason.strip():
        errors["status_reason"] = _("Give the reason.")
    if merged_into is not None:
        if merged_into.pk == project.pk:
            errors["merged_into"] = _("A project cannot be merged into itself.")
        elif merged_into.status != SocialProject.Status.ACTIVE:
            errors["merged_into"] = _("A project can only be merged into an active one.")
        elif not manages_projects(scope, merged_into.branch):
            raise PermissionDenied
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        project.status = SocialProject.Status.MERGED if merged_into else SocialProject.Status.CLOSED
        project.merged_into = merged_into
        project.status_changed_on = on
        project.status_reason = reason.strip()
        project.save()
        audit.record(
            scope.user,
            f"project.{project.status}",
            project,
            branch=project.branch,
            request=request,
            summary=project.status_reason,
        )
    return project


def record_project_event(
    scope: Scope, project: SocialProject, *, date: dt.date, title: str, reach: int, request=None
) -> ProjectEvent:
    require_project(scope, project)
    errors = {}
    if not title.strip():
        errors["title"] = _("Name the event.")
    if reach is None or reach < 0:
        errors["reach"] = _("The reach cannot be negative.")
    if project.status != SocialProject.Status.ACTIVE and (
        project.status_changed_on is None or date > project.status_changed_on
    ):
        errors["date"] = _("The project had ended by this date.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = ProjectEvent.objects.create(
            project=project, date=date, title=title.strip(), reach=reach, created_by=scope.user
        )
        audit.record(scope.user, "project.event", event, branch=project.branch, request=request)
    return event


def project_figures(scope: Scope, *, start: dt.date, end: dt.date) -> QuerySet:
    """Each visible project with `events` and `reach` in [start, end] (one query)."""
    period = Q(events__date__gte=start, events__date__lte=end)
    return social_projects(scope).annotate(
        event_count=Count("events", filter=period),
        reach=Coalesce(Sum("events__reach", filter=period), 0),
    )


def projects_ended(scope: Scope, *, start: dt.date, end: dt.date) -> dict:
    """How many projects were merged and closed in the period ("24 optimised")."""
    qs = social_projects(scope).filter(status_changed_on__gte=start, status_changed_on__lte=end)
    return qs.aggregate(
        merged=Count("pk", filter=Q(status=SocialProject.Status.MERGED)),
        closed=Count("pk", filter=Q(status=SocialProject.Status.CLOSED)),
    )


# Pages: visibility helpers and attachments ----------------------------------------------
def _store_activity_files(checked, by, *, meeting=None, report=None) -> list:
    from .models import ActivityAttachment

    stored = []
    for item in checked:
        attachment = ActivityAttachment(
            meeting=meeting,
            report=report,
            original_name=item.original_name,
            size=item.size,
            content_type=item.content_type,
            sha256=item.sha256,
            uploaded_by=by,
        )
        item.upload.seek(0)
        attachment.file.save(f"file.{item.extension}", item.upload, save=False)
        stored.append(attachment.file.name)
        attachment.save()
    return stored


def _delete_activity_files(names) -> None:
    from .models import ActivityAttachment

    storage = ActivityAttachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            log.warning("Could not delete an orphaned activity attachment file")


#: A meeting keeps at most this many files (minutes, photos, lists).
MEETING_MAX_FILES = 20


def add_meeting_attachments(scope: Scope, meeting: Meeting, uploads, *, request=None) -> list:
    """Attach files to a meeting, checked as appeals' files are (type, content, size); all
    or nothing. Returns the new attachments."""
    from bastau.core import files as files_lib

    require_meeting(scope, meeting)
    uploads = list(uploads or ())
    if not uploads:
        raise ValidationError({"attachments": _("Choose a file to attach.")})
    checked = files_lib.check_files(uploads)
    if meeting.attachments.count() + len(checked) > MEETING_MAX_FILES:
        raise ValidationError(
            {
                "attachments": _("A meeting keeps at most %(count)s files.")
                % {"count": MEETING_MAX_FILES}
            }
        )
    stored: list = []
    try:
        with transaction.atomic():
            stored = _store_activity_files(checked, scope.user, meeting=meeting)
            audit.record(
                scope.user,
                "meeting.attachment_added",
                meeting,
                branch=meeting.branch,
                request=request,
                data={"files": len(checked)},
            )
    except Exception:
        _delete_activity_files(stored)
        raise
    return list(meeting.attachments.order_by("-uploaded_at", "-id")[: len(checked)])


def submit_report_with_files(
    scope: Scope,
    instruction: Instruction,
    *,
    text: str,
    files=(),
    today: dt.date | None = None,
    request=None,
) -> ExecutionReport:
    """`submit_report` with its attached files (checked first; all or nothing)."""
    from bastau.core import files as files_lib

    _require_executor(scope, instruction)
    checked = files_lib.check_files(files) if files else []
    stored: list = []
    try:
        with transaction.atomic():
            report = submit_report(scope, instruction, text=text, today=today, request=request)
            if checked:
                stored = _store_activity_files(checked, scope.user, report=report)
    except Exception:
        _delete_activity_files(stored)
        raise
    return report


def open_attachment(scope: Scope, attachment, *, request=None):
    """For the streaming view: (file, content type, name); the read is audited."""
    if not visible_attachments(scope).filter(pk=attachment.pk).exists():
        raise PermissionDenied
    owner = attachment.meeting or attachment.report.instruction
    audit.record(
        scope.user,
        "activity.attachment_read",
        attachment,
        branch=owner.branch,
        request=request,
        summary=attachment.original_name,
    )
    return attachment.file.open("rb"), attachment.content_type, attachment.original_name
