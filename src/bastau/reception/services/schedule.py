"""Reception schedules: officials, their reception days, bookings and the sessions held.

Same recipe as `services/appeals.py`: permission through the Scope (the handlers of the branch the
official or schedule belongs to), a transaction, an audit event. Citizens book without an
account; they get a booking code by SMS to cancel with.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bastau.accounts.scoping import Scope
from bastau.core import audit
from bastau.core.sms import send_sms

from .. import permissions
from ..models import Booking, Official, ReceptionSchedule, ReceptionSession, new_tracking_code
from .appeals import logger, normalize_phone, normalize_tracking_code
from .calendar import work_calendar

#: How far ahead a citizen may book online.
BOOKING_HORIZON_DAYS = 60


@dataclass(frozen=True)
class Occurrence:
    """One reception on one day (for the published schedule)."""

    day: dt.date
    schedule: ReceptionSchedule

    @property
    def official(self) -> Official:
        return self.schedule.official


def reception_days(start: dt.date, end: dt.date, *, branch=None) -> list[Occurrence]:
    """The receptions held from `start` to `end` inclusive, in date and time order.

    Weekly receptions skip days off (holidays, transfers, overrides); a reception set for a
    specific date is held on it whatever the calendar says. Two queries whatever the range.
    """
    schedules = ReceptionSchedule.objects.filter(active=True, official__active=True).filter(
        Q(weekday__isnull=False) | Q(date__range=(start, end))
    )
    if branch is not None:
        schedules = schedules.filter(branch=branch)
    schedules = list(schedules.select_related("official", "branch"))
    cal = work_calendar()
    found = []
    day = start
    while day <= end:
        working = cal.is_working_day(day)
        for schedule in schedules:
            if schedule.occurs_on(day) and (working or schedule.date is not None):
                found.append(Occurrence(day, schedule))
        day += dt.timedelta(days=1)
    found.sort(key=lambda o: (o.day, o.schedule.start_time, o.schedule.official.name))
    return found


def _holds_on(schedule: ReceptionSchedule, day: dt.date) -> bool:
    if not schedule.occurs_on(day):
        return False
    return schedule.date is not None or work_calendar().is_working_day(day)


def free_slots(schedule: ReceptionSchedule, day: dt.date) -> list[dt.time]:
    """Visitor slots still free on `day` (none if there is no reception that day; past
    times of today are not offered)."""
    if not _holds_on(schedule, day):
        return []
    taken = set(
        Booking.objects.filter(official_id=schedule.official_id, date=day)
        .exclude(status=Booking.Status.CANCELLED)
        .values_list("time", flat=True)
    )
    now = timezone.localtime()
    return [
        t
        for t in schedule.slot_times()
        if t not in taken and not (day == now.date() and t <= now.time())
    ]


def book_reception(
    *,
    schedule: ReceptionSchedule,
    day: dt.date,
    time: dt.time,
    applicant_name: str,
    applicant_phone: str,
    topic=None,
    scope: Scope | None = None,
    request=None,
) -> Booking:
    """Book a visitor slot: a citizen online (`scope` None) or staff for them.

    The slot must be one of the schedule's, on a day it is held, from today up to
    BOOKING_HORIZON_DAYS ahead (staff are not held to the horizon) and still free; the
    database refuses a second booking of the same official, day and time. The citizen gets
    an SMS with the booking code.
    """
    if scope is not None:
        scope.require(permissions.handles_branch(scope, schedule.branch))
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    name = " ".join((applicant_name or "").split())
    if not name:
        errors["applicant_name"] = [_("Give your name.")]
    elif len(name) > 200:
        errors["applicant_name"] = [_("The name is too long.")]
    try:
        phone = normalize_phone(applicant_phone)
    except ValidationError as exc:
        errors["applicant_phone"] = exc.messages
        phone = ""
    if day < today:
        errors["day"] = [_("Choose a day from today on.")]
    elif scope is None and day > today + dt.timedelta(days=BOOKING_HORIZON_DAYS):
        errors["day"] = [_("Bookings open %(days)s days ahead.") % {"days": BOOKING_HORIZON_DAYS}]
    elif not _holds_on(schedule, day) or not schedule.official.active:
        errors["day"] = [_("There is no reception on this day.")]
    elif time not in schedule.slot_times():
        errors["time"] = [_("Choose one of the offered times.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                schedule=schedule,
                official=schedule.official,
                date=day,
                time=time,
                applicant_name=name,
                applicant_phone=phone,
                topic=topic,
                code=new_tracking_code(),
                booked_by=scope.user if scope is not None else None,
            )
            audit.record(
                scope.user if scope is not None else None,
                "reception.booked",
                booking,
                branch=schedule.branch,
                request=request if scope is not None else None,
                summary=f"{schedule.official.name} {day} {time:%H:%M}",
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"time": [_("This time has just been taken; choose another.")]}
        ) from exc
    try:
        send_sms(
            phone,
            _("Reception: %(official)s, %(day)s %(time)s, %(place)s. Booking code %(code)s.")
            % {
                "official": schedule.official.name,
                "day": day.strftime("%d.%m.%Y"),
                "time": time.strftime("%H:%M"),
                "place": schedule.place,
                "code": booking.code,
            },
        )
    except Exception:
        logger.warning("Booking SMS for booking %s failed", booking.pk, exc_info=True)
    return booking


def cancel_booking(
    booking: Booking, *, scope: Scope | None = None, code: str = "", request=None
) -> Booking:
    """Cancel a booking: staff of the branch, or the citizen with the booking code."""
    if scope is not None:
        scope.require(permissions.handles_branch(scope, booking.schedule.branch))
    elif not secrets.compare_digest(normalize_tracking_code(code), booking.code):
        raise PermissionDenied
    if booking.status != Booking.Status.BOOKED:
        raise ValidationError(_("Only a booked visit can be cancelled."))
    with transaction.atomic():
        booking.status = Booking.Status.CANCELLED
        booking.save(update_fields=["status"])
        audit.record(
            scope.user if scope is not None else None,
            "reception.booking_cancelled",
            booking,
            branch=booking.schedule.branch,
            request=request if scope is not None else None,
        )
    return booking


def record_attendance(
    scope: Scope,
    booking: Booking,
    *,
    attended: bool,
    session: ReceptionSession | None = None,
    request=None,
) -> Booking:
    scope.require(permissions.handles_branch(scope, booking.schedule.branch))
    if booking.status == Booking.Status.CANCELLED:
        raise ValidationError(_("This booking was cancelled."))
    with transaction.atomic():
        booking.status = Booking.Status.ATTENDED if attended else Booking.Status.NO_SHOW
        booking.session = session
        booking.save(update_fields=["status", "session"])
        audit.record(
            scope.user,
            "reception.attendance",
            booking,
            branch=booking.schedule.branch,
            request=request,
            data={"attended": attended},
        )
    return booking


def open_session(
    scope: Scope,
    *,
    official: Official,
    date: dt.date,
    place: str = "",
    branch=None,
    schedule: ReceptionSchedule | None = None,
    notes: str = "",
    request=None,
) -> ReceptionSession:
    """Record a reception held (or being held): appeals registered at it point to it."""
    branch = branch or (schedule.branch if schedule is not None else official.branch)
    scope.require(permissions.handles_branch(scope, branch))
    place = (place or (schedule.place if schedule is not None else "")).strip()
    if not place:
        raise ValidationError({"place": _("Give the place of the reception.")})
    if schedule is not None and schedule.official_id != official.pk:
        raise ValidationError({"schedule": _("The schedule is another official's.")})
    if date > timezone.localdate() + dt.timedelta(days=1):
        raise ValidationError({"date": _("A session is recorded on the day it is held.")})
    with transaction.atomic():
        session = ReceptionSession.objects.create(
            official=official,
            branch=branch,
            schedule=schedule,
            date=date,
            place=place,
            notes=notes,
            created_by=scope.user,
        )
        audit.record(
            scope.user,
            "reception.session_opened",
            session,
            branch=branch,
            request=request,
            summary=str(session),
        )
    return session


def save_official(scope: Scope, official: Official, *, request=None) -> Official:
    """Create or change an official of a branch the user handles (both the old and the new
    branch when it moves)."""
    scope.require(permissions.handles_branch(scope, official.branch))
    if official.pk:
        old = Official.objects.select_related("branch").get(pk=official.pk)
        scope.require(permissions.handles_branch(scope, old.branch))
    with transaction.atomic():
        official.full_clean()
        official.save()
        audit.record(
            scope.user,
            "reception.official_saved",
            official,
            branch=official.branch,
            request=request,
            summary=official.name,
        )
    return official


def save_schedule(scope: Scope, schedule: ReceptionSchedule, *, request=None) -> ReceptionSchedule:
    scope.require(permissions.handles_branch(scope, schedule.branch))
    if schedule.pk:
        old = ReceptionSchedule.objects.select_related("branch").get(pk=schedule.pk)
        scope.require(permissions.handles_branch(scope, old.branch))
    with transaction.atomic():
        schedule.full_clean()
        schedule.save()
        audit.record(
            scope.user,
            "reception.schedule_saved",
            schedule,
            branch=schedule.branch,
            request=request,
            summary=str(schedule),
        )
    return schedule


def update_session(
    scope: Scope, session: ReceptionSession, *, place: str, notes: str = "", request=None
) -> ReceptionSession:
    """Correct the place or the notes of a session recorded earlier."""
    scope.require(permissions.handles_branch(scope, session.branch))
    place = " ".join((place or "").split())
    if not place:
        raise ValidationError({"place": _("Give the place of the reception.")})
    if len(place) > 300:
        raise ValidationError({"place": _("The place is too long.")})
    with transaction.atomic():
        session.place = place
        session.notes = (notes or "").strip()
        session.save(update_fields=["place", "notes"])
        audit.record(
            scope.user,
            "reception.session_updated",
            session,
            branch=session.branch,
            request=request,
            summary=str(session),
        )
    return session
