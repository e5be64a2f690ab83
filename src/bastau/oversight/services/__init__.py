"""Oversight actions: every write that matters lives here, one function each.

Each action checks permission with the app's rules (`permissions.py`: `manage_deputies`,
`record_reports`, ... and `require_maslikhat`), validates (raising `ValidationError` with
messages by field, ready for a form), writes inside a transaction and records an audit event.
Pages and actions reach the records through the scoped querysets of `permissions.py`
(`deputies`, `reports`, `indicators`, ...) and never build their own from the models, so a
faction secretary can never reach another maslikhat. Two derived reads the pages share live
here too: `overdue` reports and `lagging_indicators`. The budget file import is
`services.budget_import`.

Who may do what:
- view everything of a maslikhat: regional administrator (all), district secretary and
  faction secretary (the maslikhat of their own branch);
- register (maslikhats, convocations, deputies), approve schedules, set the budget
  threshold: regional administrator and district secretary;
- factions, report outcomes, questions, budget indicators/imports/notes: also the faction
  secretary;
- deputies' phone and email: the roles that see members' personal data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bastau.accounts.scoping import Scope
from bastau.core import audit
from bastau.members import permissions as members_permissions
from bastau.structure.models import Branch

from .. import permissions
from ..models import (
    BudgetIndicator,
    BudgetSector,
    Convocation,
    Deputy,
    Faction,
    Maslikhat,
    MonitoringNote,
    ReportQuestion,
    ReportSchedule,
    ScheduledReport,
)
from ..permissions import (
    can_see_contacts,
    deputies,
    handles_maslikhat,
    indicators,
    reports,
    require_maslikhat,
)

#: The branch kind each maslikhat level belongs to.
LEVEL_BRANCH_KIND = {
    Maslikhat.Level.REGIONAL: Branch.Kind.REGION,
    Maslikhat.Level.CITY: Branch.Kind.CITY,
    Maslikhat.Level.DISTRICT: Branch.Kind.DISTRICT,
}


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _record(scope: Scope, action: str, obj, maslikhat: Maslikhat, request=None, **kwargs):
    audit.record(scope.user, action, obj, branch=maslikhat.branch, request=request, **kwargs)


# Derived reads ----------------------------------------------------------------------------------
def overdue(scope: Scope, today: dt.date | None = None) -> QuerySet:
    """Open reports (scheduled or postponed) whose date has passed and nothing was recorded."""
    return reports(scope).filter(status__in=ScheduledReport.OPEN, date__lt=_today(today))


def lagging_indicators(scope: Scope, **filters) -> QuerySet:
    """Indicators executed below their maslikhat's threshold, worst first."""
    return indicators(scope, lagging=True, **filters).order_by(
        "execution_percent", "year", "sector", "code"
    )


# Maslikhats and convocations --------------------------------------------------------------------
def create_maslikhat(
    scope: Scope,
    *,
    branch: Branch,
    level: str,
    name: str,
    seats_total: int,
    seats_by_list: int = 0,
    seats_by_district: int = 0,
    name_ru: str = "",
    request=None,
) -> Maslikhat:
    """A maslikhat for `branch` (one per branch; the level must match the branch's kind)."""
    scope.require(permissions.manage_deputies(scope))
    scope.require(scope.is_regional_admin or branch.pk == scope.user.branch_id)
    errors: dict[str, list[str]] = {}
    if level not in Maslikhat.Level.values:
        errors["level"] = [_("Choose the maslikhat's level.")]
    elif LEVEL_BRANCH_KIND[level] != branch.kind:
        errors["level"] = [_("This level does not match the branch (region, city, district).")]
    if Maslikhat.objects.filter(branch=branch).exists():
        errors["branch"] = [_("This branch already has a maslikhat.")]
    errors.update(_seat_errors(seats_total, seats_by_list, seats_by_district))
    if not name.strip():
        errors["name"] = [_("Give the name.")]
    _raise(errors)
    with transaction.atomic():
        maslikhat = Maslikhat.objects.create(
            branch=branch,
            level=level,
            name=name.strip(),
            name_ru=name_ru.strip(),
            seats_total=seats_total,
            seats_by_list=seats_by_list,
            seats_by_district=seats_by_district,
        )
        _record(scope, "maslikhat.created", maslikhat, maslikhat, request, summary=name)
    return maslikhat


def _seat_errors(total: int, by_list: int, by_district: int) -> dict:
    if min(total, by_list, by_district) < 0 or total == 0:
        return {"seats_total": [_("Give the number of seats.")]}
    if by_list + by_district != total:
        return {
            "seats_by_district": [
                _("Seats by list and by district must add up to %(total)s.") % {"total": total}
            ]
        }
    return {}


def update_maslikhat(scope: Scope, maslikhat: Maslikhat, *, changes: dict, request=None):
    """Name and seats (not the branch or level)."""
    scope.require(permissions.manage_deputies(scope))
    require_maslikhat(scope, maslikhat)
    allowed = {"name", "name_ru", "seats_total", "seats_by_list", "seats_by_district"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(fields)s.")
                              % {"fields": ", ".join(sorted(unknown))})  # fmt: skip
    for name, value in changes.items():
        setattr(maslikhat, name, value)
    m = maslikhat
    _raise(_seat_errors(m.seats_total, m.seats_by_list, m.seats_by_district))
    with transaction.atomic():
        maslikhat.save()
        _record(scope, "maslikhat.updated", maslikhat, maslikhat, request,
                data={"fields": sorted(changes)})  # fmt: skip
    return maslikhat


def set_budget_threshold(scope: Scope, maslikhat: Maslikhat, threshold, *, request=None):
    """The branch's threshold (percent, 0 < t <= 100); every indicator's flag is recomputed."""
    scope.require(permissions.manage_deputies(scope))
    require_maslikhat(scope, maslikhat)
    try:
        value = Decimal(str(threshold)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"budget_threshold": _("Give a percentage.")}) from exc
    if not (Decimal(0) < value <= Decimal(100)):
        raise ValidationError(
            {"budget_threshold": _("The threshold is a percentage above 0 and at most 100.")}
        )
    with transaction.atomic():
        maslikhat = Maslikhat.objects.select_for_update().get(pk=maslikhat.pk)
        old = maslikhat.budget_threshold
        maslikhat.budget_threshold = value
        maslikhat.save(update_fields=["budget_threshold"])
        changed = refresh_flags(maslikhat)
        _record(scope, "budget.threshold", maslikhat, maslikhat, request,
                data={"from": str(old), "to": str(value), "flags_changed": changed})  # fmt: skip
    return maslikhat


def refresh_flags(maslikhat: Maslikhat) -> int:
    """Recompute execution % and lagging of every indicator of `maslikhat` (exact, in
    Python); returns how many rows changed."""
    changed = []
    for indicator in BudgetIndicator.objects.filter(maslikhat=maslikhat).only(
        "pk", "plan", "corrected_plan", "actual", "execution_percent", "lagging"
    ):
        before = (indicator.execution_percent, indicator.lagging)
        indicator.refresh_execution(maslikhat.budget_threshold)
        if (indicator.execution_percent, indicator.lagging) != before:
            changed.append(indicator)
    BudgetIndicator.objects.bulk_update(changed, ["execution_percent", "lagging"], batch_size=500)
    return len(changed)


def create_convocation(
    scope: Scope,
    *,
    maslikhat: Maslikhat,
    number: int,
    started_on: dt.date,
    ended_on: dt.date | None = None,
    request=None,
) -> Convocation:
    scope.require(permissions.manage_deputies(scope))
    require_maslikhat(scope, maslikhat)
    errors = {}
    if number < 1:
        errors["number"] = [_("A convocation number starts at 1.")]
    elif Convocation.objects.filter(maslikhat=maslikhat, number=number).exists():
        errors["number"] = [_("This convocation is already registered.")]
    if ended_on is not None and ended_on < started_on:
        errors["ended_on"] = [_("The end cannot precede the start.")]
    _raise(errors)
    with transaction.atomic():
        convocation = Convocation.objects.create(
            maslikhat=maslikhat, number=number, started_on=started_on, ended_on=ended_on
        )
        _record(scope, "convocation.created", convocation, maslikhat, request)
    return convocation


# Deputies -----------------------------------------------------------------------------------------
DEPUTY_FIELDS = (
    "last_name", "first_name", "patronymic", "birth_date", "sex", "party", "party_name",
    "elected_by", "district_number", "committee", "posts", "phone", "email",
)  # fmt: skip


#: Deputy fields where None is a value (elsewhere None means "empty text").
_NULLABLE = {"birth_date", "district_number"}


def _clean_deputy(deputy: Deputy, *, exclude_pk=None) -> None:
    """Checks of a deputy's fields against each other and the maslikhat's seats."""
    errors: dict[str, list[str]] = {}
    if deputy.convocation.maslikhat_id != deputy.maslikhat_id:
        errors["convocation"] = [_("The convocation belongs to another maslikhat.")]
    if deputy.member_id:
        member = deputy.member
        deputy.birth_date = None
        deputy.sex = ""
        deputy.last_name = deputy.last_name or member.last_name
        deputy.first_name = deputy.first_name or member.first_name
        deputy.patronymic = deputy.patronymic or member.patronymic
    else:
        if deputy.birth_date is None:
            errors["birth_date"] = [_("Give the birth date.")]
        if deputy.sex not in ("M", "F"):
            errors["sex"] = [_("Give the sex.")]
    if not (deputy.last_name or "").strip() or not (deputy.first_name or "").strip():
        errors["last_name"] = [_("Give the surname and given name.")]
    if deputy.party not in Deputy.Party.values:
        errors["party"] = [_("Choose the party.")]
    elif deputy.party == Deputy.Party.OURS:
        deputy.party_name = ""
    elif deputy.party == Deputy.Party.OTHER and not deputy.party_name.strip():
        errors["party_name"] = [_("Name the party.")]
    if deputy.elected_by == Deputy.Election.DISTRICT:
        if not deputy.district_number:
            errors["district_number"] = [_("Give the number of the electoral district.")]
    elif deputy.elected_by == Deputy.Election.LIST:
        if deputy.district_number:
            errors["district_number"] = [_("A deputy elected by list has no district number.")]
        deputy.district_number = None
    else:
        errors["elected_by"] = [_("Choose how the deputy was elected.")]
    if deputy.email:
        try:
            validate_email(deputy.email)
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    if deputy.faction_id and (
        deputy.faction.maslikhat_id != deputy.maslikhat_id
        or deputy.faction.convocation_id != deputy.convocation_id
    ):
        errors["faction"] = [_("The faction belongs to another maslikhat or convocation.")]
    if deputy.is_active and "elected_by" not in errors and "convocation" not in errors:
        seats = (
            deputy.maslikhat.seats_by_list
            if deputy.elected_by == Deputy.Election.LIST
            else deputy.maslikhat.seats_by_district
        )
        taken = (
            Deputy.objects.filter(
                convocation=deputy.convocation,
                elected_by=deputy.elected_by,
                status=Deputy.Status.ACTIVE,
            )
            .exclude(pk=exclude_pk)
            .count()
        )
        if taken >= seats:
            errors["elected_by"] = [
                _("All %(seats)s seats of this kind are already taken.") % {"seats": seats}
            ]
        elif deputy.elected_by == Deputy.Election.DISTRICT and (
            Deputy.objects.filter(
                convocation=deputy.convocation,
                district_number=deputy.district_number,
                status=Deputy.Status.ACTIVE,
            )
            .exclude(pk=exclude_pk)
            .exists()
        ):
            errors["district_number"] = [_("This district already has an active deputy.")]
    if deputy.member_id and (
        Deputy.objects.filter(convocation=deputy.convocation, member_id=deputy.member_id)
        .exclude(pk=exclude_pk)
        .exists()
    ):
        errors["member"] = [_("This member is already a deputy of this convocation.")]
    _raise(errors)


def register_deputy(
    scope: Scope, *, convocation: Convocation, data: dict, member=None, request=None
) -> Deputy:
    """A deputy of `convocation`. `data` holds DEPUTY_FIELDS; with `member` (a party member
    the scope may see) the birth date and sex come from the member record and blank names
    are taken from it."""
    scope.require(permissions.manage_deputies(scope))
    require_maslikhat(scope, convocation.maslikhat)
    if member is not None and not members_permissions.members(scope).filter(pk=member.pk).exists():
        raise PermissionDenied
    unknown = set(data) - set(DEPUTY_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)})
    deputy = Deputy(maslikhat=convocation.maslikhat, convocation=convocation, member=member)
    for name, value in data.items():
        setattr(deputy, name, value if value is not None or name in _NULLABLE else "")
    with transaction.atomic():
        _clean_deputy(deputy)
        deputy.save()
        _record(scope, "deputy.registered", deputy, deputy.maslikhat, request,
                summary=deputy.full_name)  # fmt: skip
    return deputy


def update_deputy(scope: Scope, deputy: Deputy, *, changes: dict, request=None) -> Deputy:
    """Change DEPUTY_FIELDS (and `member`); the maslikhat and convocation stay."""
    scope.require(permissions.manage_deputies(scope))
    require_maslikhat(scope, deputy.maslikhat)
    unknown = set(changes) - set(DEPUTY_FIELDS) - {"member"}
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)})
    member = changes.get("member")
    if member is not None and not members_permissions.members(scope).filter(pk=member.pk).exists():
        raise PermissionDenied
    for name, value in changes.items():
        setattr(deputy, name, value if value is not None or name in _NULLABLE | {"member"} else "")
    with transaction.atomic():
        _clean_deputy(deputy, exclude_pk=deputy.pk)
        deputy.save()
        _record(scope, "deputy.updated", deputy, deputy.maslikhat, request,
                data={"fields": sorted(changes)})  # fmt: skip
    return deputy


def end_mandate(
    scope: Scope, deputy: Deputy, *, ended_on: dt.date, reason: str, request=None
) -> Deputy:
    """The mandate ends (resignation, death, end of the convocation). The deputy stays in the
    register; a faction they led loses its leader."""
    scope.require(permissions.manage_deputies(scope))
    require_maslikhat(scope, deputy.maslikhat)
    if not deputy.is_active:
        raise ValidationError(_("This mandate has already ended."))
    if ended_on < deputy.convocation.started_on:
        raise ValidationError({"ended_on": _("The date precedes the convocation.")})
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": _("The date cannot be in the future.")})
    with transaction.atomic():
        deputy.status = Deputy.Status.ENDED
        deputy.ended_on = ended_on
        deputy.end_reason = reason
        deputy.save()
        Faction.objects.filter(leader=deputy).update(leader=None)
        _record(scope, "deputy.mandate_ended", deputy, deputy.maslikhat, request, summary=reason)
    return deputy


def deputy_contacts(scope: Scope, deputy: Deputy) -> dict[str, str]:
    """{"phone", "email"} of a deputy, for the roles that see personal data; PermissionDenied
    otherwise. Pages show the contacts only through this."""
    scope.require(can_see_contacts(scope, deputy))
    return {"phone": deputy.phone, "email": deputy.email}


# Factions --------------------------------------------------------------------------------------
def create_faction(
    scope: Scope,
    *,
    convocation: Convocation,
    name: str,
    formed_on: dt.date | None = None,
    request=None,
) -> Faction:
    """The party's faction in a convocation (one per maslikhat and convocation)."""
    scope.require(permissions.manage_factions(scope))
    require_maslikhat(scope, convocation.maslikhat)
    if Faction.objects.filter(convocation=convocation).exists():
        raise ValidationError({"convocation": _("This convocation already has a faction.")})
    if not name.strip():
        raise ValidationError({"name": _("Give the name.")})
    with transaction.atomic():
        faction = Faction.objects.create(
            maslikhat=convocation.maslikhat,
            convocation=convocation,
            name=name.strip(),
            formed_on=formed_on,
        )
        _record(scope, "faction.created", faction, faction.maslikhat, request, summary=name)
    return faction


def _check_faction_deputy(faction: Faction, deputy: Deputy) -> None:
    if deputy.convocation_id != faction.convocation_id:
        raise ValidationError({"deputy": _("The deputy is of another maslikhat or convocation.")})
    if deputy.party != Deputy.Party.OURS:
        raise ValidationError({"deputy": _("Only the party's deputies join its faction.")})
    if not deputy.is_active:
        raise ValidationError({"deputy": _("This deputy's mandate has ended.")})


def add_to_faction(scope: Scope, faction: Faction, deputy: Deputy, *, request=None) -> Deputy:
    scope.require(permissions.manage_factions(scope))
    require_maslikhat(scope, faction.maslikhat)
    _check_faction_deputy(faction, deputy)
    with transaction.atomic():
        deputy.faction = faction
        deputy.save(update_fields=["faction", "updated_at"])
        _record(scope, "faction.joined", deputy, faction.maslikhat, request,
                data={"faction": faction.pk})  # fmt: skip
    return deputy


def remove_from_faction(scope: Scope, deputy: Deputy, *, request=None) -> Deputy:
    scope.require(permissions.manage_factions(scope))
    require_maslikhat(scope, deputy.maslikhat)
    if deputy.faction_id is None:
        raise ValidationError(_("This deputy is not in a faction."))
    with transaction.atomic():
        Faction.objects.filter(pk=deputy.faction_id, leader=deputy).update(leader=None)
        old = deputy.faction_id
        deputy.faction = None
        deputy.save(update_fields=["faction", "updated_at"])
        _record(scope, "faction.left", deputy, deputy.maslikhat, request, data={"faction": old})
    return deputy


def set_faction_leader(scope: Scope, faction: Faction, deputy: Deputy | None, *, request=None):
    """The leader must be one of the faction's deputies; None clears it."""
    scope.require(permissions.manage_factions(scope))
    require_maslikhat(scope, faction.maslikhat)
    if deputy is not None:
        _check_faction_deputy(faction, deputy)
        if deputy.faction_id != faction.pk:
            raise ValidationError({"leader": _("The leader must be a member of the faction.")})
    with transaction.atomic():
        faction.leader = deputy
        faction.save(update_fields=["leader"])
        _record(scope, "faction.leader", faction, faction.maslikhat, request,
                data={"leader": getattr(deputy, "pk", None)})  # fmt: skip
    return faction


@dataclass
class FactionOverview:
    """What a faction page shows: its deputies, their reports and the indicators it is
    responsible for (directly or through one of its deputies)."""

    faction: Faction
    deputies: QuerySet
    reports: QuerySet
    overdue_reports: QuerySet
    indicators: QuerySet
    lagging_indicators: QuerySet


def faction_overview(scope: Scope, faction: Faction, today: dt.date | None = None):
    scope.require(handles_maslikhat(scope, faction.maslikhat))
    today = _today(today)
    from django.db.models import Q

    members = deputies(scope).filter(faction=faction)
    faction_reports = reports(scope).filter(deputy__faction=faction)
    monitored = indicators(scope).filter(
        Q(responsible_faction=faction) | Q(responsible_deputy__faction=faction)
    )
    return FactionOverview(
        faction=faction,
        deputies=members,
        reports=faction_reports,
        overdue_reports=faction_reports.filter(status__in=ScheduledReport.OPEN, date__lt=today),
        indicators=monitored,
        lagging_indicators=monitored.filter(lagging=True),
    )


# Reporting schedule -----------------------------------------------------------------------------
def create_schedule(
    scope: Scope,
    *,
    maslikhat: Maslikhat,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    approved_on: dt.date | None = None,
    request=None,
) -> ReportSchedule:
    """The branch approves a reporting schedule for a period; reports are added to it."""
    scope.require(permissions.approve_report_schedules(scope))
    require_maslikhat(scope, maslikhat)
    approved_on = _today(approved_on)
    errors = {}
    if not title.strip():
        errors["title"] = [_("Give the title.")]
    if period_end < period_start:
        errors["period_end"] = [_("The period ends before it starts.")]
    if approved_on > timezone.localdate():
        errors["approved_on"] = [_("The date cannot be in the future.")]
    _raise(errors)
    with transaction.atomic():
        schedule = ReportSchedule.objects.create(
            maslikhat=maslikhat,
            title=title.strip(),
            period_start=period_start,
            period_end=period_end,
            approved_on=approved_on,
            approved_by=scope.user,
        )
        _record(scope, "report_schedule.approved", schedule, maslikhat, request, summary=title)
    return schedule


REPORT_FIELDS = ("deputy", "date", "time", "place", "audience", "subject", "topic")


def _clean_report(report: ScheduledReport) -> None:
    schedule = report.schedule
    errors: dict[str, list[str]] = {}
    deputy = report.deputy
    if deputy.maslikhat_id != schedule.maslikhat_id:
        errors["deputy"] = [_("The deputy is of another maslikhat.")]
    elif not deputy.is_active:
        errors["deputy"] = [_("This deputy's mandate has ended.")]
    if not (schedule.period_start <= report.date <= schedule.period_end):
        errors["date"] = [_("The date is outside the schedule's period.")]
    if not report.place.strip():
        errors["place"] = [_("Give the place.")]
    if not report.topic.strip():
        errors["topic"] = [_("Give the topic.")]
    if report.subject not in ScheduledReport.Subject.values:
        errors["subject"] = [_("Choose the subject.")]
    _raise(errors)


def add_report(
    scope: Scope,
    schedule: ReportSchedule,
    *,
    deputy: Deputy,
    date: dt.date,
    place: str,
    topic: str,
    audience: str = "",
    subject: str = ScheduledReport.Subject.BUDGET,
    time: dt.time | None = None,
    request=None,
) -> ScheduledReport:
    scope.require(permissions.record_reports(scope))
    require_maslikhat(scope, schedule.maslikhat)
    report = ScheduledReport(
        schedule=schedule,
        deputy=deputy,
        date=date,
        first_date=date,
        time=time,
        place=place.strip(),
        audience=audience.strip(),
        subject=subject,
        topic=topic.strip(),
    )
    _clean_report(report)
    with transaction.atomic():
        report.save()
        _record(scope, "report.scheduled", report, schedule.maslikhat, request,
                summary=f"{deputy.full_name} {date}")  # fmt: skip
    return report


def edit_report(scope: Scope, report: ScheduledReport, *, changes: dict, request=None):
    """Correct an open report (place, audience, topic, ...). The date is corrected only while
    the report has never been postponed (a new date after that is `postpone`)."""
    scope.require(permissions.record_reports(scope))
    require_maslikhat(scope, report.schedule.maslikhat)
    if not report.is_open:
        raise ValidationError(_("The outcome is recorded; the report cannot be edited."))
    unknown = set(changes) - set(REPORT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)})
    if "date" in changes and changes["date"] != report.date:
        if report.status == ScheduledReport.Status.POSTPONED:
            raise ValidationError({"date": _("A postponed report gets a new date by postponing.")})
        report.first_date = changes["date"]
    for name, value in changes.items():
        setattr(report, name, value.strip() if isinstance(value, str) else value)
    _clean_report(report)
    with transaction.atomic():
        report.save()
        _record(scope, "report.edited", report, report.schedule.maslikhat, request,
                data={"fields": sorted(changes)})  # fmt: skip
    return report


def postpone(
    scope: Scope,
    report: ScheduledReport,
    *,
    new_date: dt.date,
    reason: str,
    today: dt.date | None = None,
    request=None,
) -> ScheduledReport:
    """Move an open report to a new date (today or later); it stays open, the approved date
    is kept in `first_date`."""
    scope.require(permissions.record_reports(scope))
    require_maslikhat(scope, report.schedule.maslikhat)
    today = _today(today)
    if not report.is_open:
        raise ValidationError(_("The outcome is recorded; the report cannot be postponed."))
    errors = {}
    if new_date == report.date:
        errors["new_date"] = [_("Give a different date.")]
    elif new_date < today:
        errors["new_date"] = [_("The new date cannot be in the past.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason.")]
    _raise(errors)
    with transaction.atomic():
        old = report.date
        report.date = new_date
        report.status = ScheduledReport.Status.POSTPONED
        report.postpone_count += 1
        report.postpone_reason = reason.strip()[:300]
        report.save()
        _record(scope, "report.postponed", report, report.schedule.maslikhat, request,
                summary=reason, data={"from": str(old), "to": str(new_date)})  # fmt: skip
    return report


def record_outcome(
    scope: Scope,
    report: ScheduledReport,
    *,
    held: bool,
    held_on: dt.date | None = None,
    attendance: int | None = None,
    note: str = "",
    questions: list[str] | tuple[str, ...] = (),
    today: dt.date | None = None,
    request=None,
) -> ScheduledReport:
    """Record an open report as held (date, attendance, questions raised) or missed."""
    scope.require(permissions.record_reports(scope))
    require_maslikhat(scope, report.schedule.maslikhat)
    today = _today(today)
    if not report.is_open:
        raise ValidationError(_("The outcome of this report is already recorded."))
    errors = {}
    if held:
        held_on = held_on or report.date
        if held_on > today:
            errors["held_on"] = [_("The date cannot be in the future.")]
        if attendance is None or attendance < 0:
            errors["attendance"] = [_("Give the number of people who attended.")]
    else:
        if report.date > today:
            errors["held"] = [_("A report is missed only once its date has passed.")]
        if questions:
            errors["questions"] = [_("A missed report has no questions.")]
    texts = [q.strip() for q in questions if q and q.strip()]
    _raise(errors)
    with transaction.atomic():
        report.status = ScheduledReport.Status.HELD if held else ScheduledReport.Status.MISSED
        report.held_on = held_on if held else None
        report.attendance = attendance if held else None
        report.outcome_note = note.strip()
        report.recorded_by = scope.user
        report.recorded_at = timezone.now()
        report.save()
        ReportQuestion.objects.bulk_create(
            [ReportQuestion(report=report, text=text, created_by=scope.user) for text in texts]
        )
        _record(scope, "report.recorded", report, report.schedule.maslikhat, request,
                data={"status": report.status, "attendance": report.attendance,
                      "questions": len(texts)})  # fmt: skip
    return report


def add_question(
    scope: Scope, report: ScheduledReport, *, text: str, asked_by: str = "", request=None
) -> ReportQuestion:
    """A question raised at a held report."""
    scope.require(permissions.record_reports(scope))
    require_maslikhat(scope, report.schedule.maslikhat)
    if report.status != ScheduledReport.Status.HELD:
        raise ValidationError(_("Questions are recorded for a held report."))
    if not text.strip():
        raise ValidationError({"text": _("Give the question.")})
    with transaction.atomic():
        question = ReportQuestion.objects.create(
            report=report, text=text.strip(), asked_by=asked_by.strip()[:200], created_by=scope.user
        )
        _record(scope, "report.question", question, report.schedule.maslikhat, request)
    return question


def question_to_appeal(
    scope: Scope,
    question: ReportQuestion,
    *,
    topic,
    applicant: dict | None = None,
    kind: str | None = None,
    request=None,
):
    """Register a question raised at a report as an appeal to the public reception of the
    maslikhat's branch, through `reception.services.register_appeal` (which checks that the
    user handles that branch's appeals and computes the deadlines). The question keeps a link
    to the appeal (`question.appeal`); nothing else is copied back.

    `applicant` holds the reception's applicant fields (applicant_name, applicant_phone,
    applicant_email, applicant_address, applicant_iin, district); the name defaults to the
    question's `asked_by`. The appeal's text is the question; it is registered on the day the
    report was held, with the channel "deputy's meeting".
    """
    from bastau.reception import services as reception
    from bastau.reception.models import Appeal

    report = question.report
    maslikhat = report.schedule.maslikhat
    scope.require(permissions.record_reports(scope))
    require_maslikhat(scope, maslikhat)
    data = {"applicant_name": question.asked_by}
    data.update(applicant or {})
    data.update(topic=topic, kind=kind or Appeal.Kind.APPLICATION, text=question.text)
    with transaction.atomic():
        locked = ReportQuestion.objects.select_for_update().get(pk=question.pk)
        if locked.appeal_id is not None:
            raise ValidationError(_("This question is already an appeal."))
        appeal = reception.register_appeal(
            scope,
            data=data,
            receiving_branch=maslikhat.branch,
            channel=Appeal.Channel.DEPUTY_MEETING,
            registered_on=report.held_on,
            comment=_("Question raised at the report of deputy %(deputy)s on %(date)s.")
            % {"deputy": report.deputy.full_name, "date": report.held_on},
            request=request,
        )
        locked.appeal = appeal
        locked.save(update_fields=["appeal"])
        question.appeal = appeal
        _record(scope, "report.question_to_appeal", question, maslikhat, request,
                summary=appeal.number, data={"appeal": appeal.pk})  # fmt: skip
    return appeal


# Budget monitoring --------------------------------------------------------------------------------
INDICATOR_FIELDS = ("name", "program", "unit", "plan", "corrected_plan", "actual")


def _decimal(value, name: str, errors: dict, *, required: bool) -> Decimal | None:
    if value is None or value == "":
        if required:
            errors[name] = [_("A value is required.")]
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[name] = [_("Not a number.")]
        return None
    if not number.is_finite():
        errors[name] = [_("Not a number.")]
        return None
    if number < 0:
        errors[name] = [_("The amount cannot be negative.")]
    elif number != number.quantize(Decimal("0.01")):
        errors[name] = [_("At most two decimal places.")]
    elif number >= Decimal(10) ** 16:
        errors[name] = [_("The amount is too large.")]
    return number


def save_indicator(
    scope: Scope,
    *,
    maslikhat: Maslikhat,
    year: int,
    sector: str,
    code: str,
    data: dict,
    request=None,
) -> tuple[BudgetIndicator, bool]:
    """Create or update the indicator with the natural key (maslikhat, year, sector, code).
    `data` holds INDICATOR_FIELDS; returns (indicator, created)."""
    scope.require(permissions.edit_budget(scope))
    require_maslikhat(scope, maslikhat)
    errors: dict[str, list[str]] = {}
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = [_("Give a year between 2000 and 2100.")]
    if sector not in BudgetSector.values:
        errors["sector"] = [_("Choose the sector.")]
    code = (code or "").strip()
    if not code or len(code) > 40:
        errors["code"] = [_("Give the code (at most 40 characters).")]
    unknown = set(data) - set(INDICATOR_FIELDS)
    if unknown:
        errors["__all__"] = [_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)}]
    values = {
        "plan": _decimal(data.get("plan"), "plan", errors, required=True),
        "corrected_plan": _decimal(data.get("corrected_plan"), "corrected_plan", errors,
                                   required=False),
        "actual": _decimal(data.get("actual"), "actual", errors, required=False),
    }  # fmt: skip
    for name, limit in (("name", 300), ("program", 300), ("unit", 40)):
        text = " ".join(str(data.get(name) or "").split())
        if name != "program" and not text:
            errors[name] = [_("A value is required.")]
        elif len(text) > limit:
            errors[name] = [_("At most %(max)s characters.") % {"max": limit}]
        values[name] = text
    _raise(errors)
    with transaction.atomic():
        indicator, created = BudgetIndicator.objects.select_for_update().get_or_create(
            maslikhat=maslikhat,
            year=year,
            sector=sector,
            code=code,
            defaults=dict(values, updated_by=scope.user),
        )
        if not created:
            for name, value in values.items():
                setattr(indicator, name, value)
            indicator.updated_by = scope.user
            indicator.maslikhat = maslikhat
            indicator.save()
        _record(scope, "budget.indicator_saved", indicator, maslikhat, request,
                data={"created": created})  # fmt: skip
    return indicator, created


def set_responsible(
    scope: Scope,
    indicator: BudgetIndicator,
    *,
    faction: Faction | None = None,
    deputy: Deputy | None = None,
    request=None,
) -> BudgetIndicator:
    """Who answers for an indicator: a faction, a deputy, both or nobody (both None)."""
    scope.require(permissions.edit_budget(scope))
    require_maslikhat(scope, indicator.maslikhat)
    errors = {}
    if faction is not None and faction.maslikhat_id != indicator.maslikhat_id:
        errors["faction"] = [_("The faction is of another maslikhat.")]
    if deputy is not None and deputy.maslikhat_id != indicator.maslikhat_id:
        errors["deputy"] = [_("The deputy is of another maslikhat.")]
    _raise(errors)
    with transaction.atomic():
        indicator.responsible_faction = faction
        indicator.responsible_deputy = deputy
        indicator.save(update_fields=["responsible_faction", "responsible_deputy", "updated_at"])
        _record(scope, "budget.responsible", indicator, indicator.maslikhat, request,
                data={"faction": getattr(faction, "pk", None),
                      "deputy": getattr(deputy, "pk", None)})  # fmt: skip
    return indicator


def add_note(
    scope: Scope, indicator: BudgetIndicator, *, date: dt.date, text: str, request=None
) -> MonitoringNote:
    """A dated monitoring note on an indicator (the author is the user)."""
    scope.require(permissions.edit_budget(scope))
    require_maslikhat(scope, indicator.maslikhat)
    errors = {}
    if not text.strip():
        errors["text"] = [_("Write the note.")]
    if date > timezone.localdate():
        errors["date"] = [_("The date cannot be in the future.")]
    _raise(errors)
    with transaction.atomic():
        note = MonitoringNote.objects.create(
            indicator=indicator, date=date, text=text.strip(), author=scope.user
        )
        _record(scope, "budget.note", note, indicator.maslikhat, request)
    return note
