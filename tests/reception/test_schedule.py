"""Officials' reception schedules, bookings and sessions."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.core import sms
from bastau.reception.models import Booking, Official, ReceptionSchedule
from bastau.reception.services import schedule as sch
from bastau.reception.services import work_calendar

from ..factories.reception import D

pytestmark = pytest.mark.django_db
T = dt.time


@pytest.fixture
def official(rw):
    return sch.save_official(
        Scope(rw.secretary),
        Official(
            name="Серік Әбенов",
            position="Akim of Mugalzhar district",
            organisation="Akimat",
            kind=Official.Kind.STATE_BODY_HEAD,
            branch=rw.district,
        ),
    )


def weekly(rw, official, weekday, **kwargs):
    values = dict(
        official=official,
        branch=rw.district,
        weekday=weekday,
        start_time=T(10, 0),
        end_time=T(12, 0),
        place="Akimat, room 101",
        slot_minutes=30,
    )
    values.update(kwargs)
    return sch.save_schedule(Scope(rw.secretary), ReceptionSchedule(**values))


def test_slots(rw, official):
    schedule = weekly(rw, official, 2, end_time=T(11, 50))
    assert schedule.slot_times() == [T(10, 0), T(10, 30), T(11, 0)]


def test_published_schedule_skips_days_off(rw, official):
    weekly(rw, official, 2)  # Wednesdays
    sch.save_schedule(
        Scope(rw.secretary),
        ReceptionSchedule(
            official=official,
            branch=rw.district,
            date=D(2026, 3, 28),  # a Saturday, set on purpose
            start_time=T(9, 0),
            end_time=T(10, 0),
            place="Village club",
        ),
    )
    days = [o.day for o in sch.reception_days(D(2026, 3, 23), D(2026, 4, 3))]
    assert days == [D(2026, 3, 28), D(2026, 4, 1)]  # 25 March is Nauryz (observed)
    assert sch.reception_days(D(2026, 3, 23), D(2026, 4, 3), branch=rw.other_district) == []


def test_schedule_needs_a_weekday_or_a_date(rw, official):
    with pytest.raises(ValidationError):
        weekly(rw, official, 2, date=D(2026, 4, 1))
    with pytest.raises(ValidationError):
        weekly(rw, official, None)
    with pytest.raises(ValidationError):
        weekly(rw, official, 2, end_time=T(9, 0))


def test_catalogue_permissions(rw, official):
    with pytest.raises(PermissionDenied):
        sch.save_official(Scope(rw.other_secretary), official)
    official.branch = rw.other_district
    with pytest.raises(PermissionDenied):
        sch.save_official(Scope(rw.secretary), official)  # cannot move it out of reach
    with pytest.raises(PermissionDenied):
        weekly(rw, Official.objects.get(), 2, branch=rw.other_district)


def _next_reception(rw, official):
    target = work_calendar().add_working_days(timezone.localdate(), 2)
    return weekly(rw, official, target.weekday()), target


def test_citizen_books_and_cancels(rw, official):
    schedule, day = _next_reception(rw, official)
    booking = sch.book_reception(
        schedule=schedule,
        day=day,
        time=T(10, 30),
        applicant_name="Гүлнар",
        applicant_phone="8 701 222 33 44",
        topic=rw.topic,
    )
    assert booking.booked_by is None and booking.status == Booking.Status.BOOKED
    assert booking.applicant_phone == "+77012223344"
    assert booking.code in sms.outbox[-1].text
    assert T(10, 30) not in sch.free_slots(schedule, day)
    with pytest.raises(ValidationError) as exc:
        sch.book_reception(
            schedule=schedule,
            day=day,
            time=T(10, 30),
            applicant_name="Other",
            applicant_phone="+77015556677",
        )
    assert "time" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        sch.cancel_booking(booking, code="WRONGCODE2")
    sch.cancel_booking(booking, code=booking.code.lower())
    assert booking.status == Booking.Status.CANCELLED
    assert T(10, 30) in sch.free_slots(schedule, day)
    again = sch.book_reception(
        schedule=schedule,
        day=day,
        time=T(10, 30),
        applicant_name="Other",
        applicant_phone="+77015556677",
    )
    assert again.pk != booking.pk


def test_booking_checks(rw, official):
    schedule, day = _next_reception(rw, official)

    def refused(field, **kwargs):
        args = dict(
            schedule=schedule,
            day=day,
            time=T(10, 0),
            applicant_name="Гүлнар",
            applicant_phone="+77012223344",
        )
        args.update(kwargs)
        with pytest.raises(ValidationError) as exc:
            sch.book_reception(**args)
        assert field in exc.value.message_dict

    refused("time", time=T(10, 15))
    refused("day", day=day + dt.timedelta(days=1))
    refused("day", day=timezone.localdate() - dt.timedelta(days=7))
    far = day + dt.timedelta(days=7 * 10)
    while not work_calendar().is_working_day(far):
        far += dt.timedelta(days=7)
    refused("day", day=far)  # beyond the online horizon...
    staff = sch.book_reception(  # ...but staff may
        schedule=schedule,
        day=far,
        time=T(10, 0),
        applicant_name="Гүлнар",
        applicant_phone="+77012223344",
        scope=Scope(rw.officer),
    )
    assert staff.booked_by == rw.officer
    refused("applicant_phone", applicant_phone="123")
    refused("applicant_name", applicant_name=" ")
    with pytest.raises(PermissionDenied):
        sch.book_reception(
            schedule=schedule,
            day=day,
            time=T(10, 0),
            applicant_name="x",
            applicant_phone="+77012223344",
            scope=Scope(rw.other_officer),
        )


def test_session_and_attendance(rw, official):
    schedule, day = _next_reception(rw, official)
    booking = sch.book_reception(
        schedule=schedule,
        day=day,
        time=T(10, 0),
        applicant_name="Гүлнар",
        applicant_phone="+77012223344",
    )
    session = sch.open_session(
        Scope(rw.officer), official=official, date=timezone.localdate(), schedule=schedule
    )
    assert session.place == "Akimat, room 101" and session.branch == rw.district
    sch.record_attendance(Scope(rw.officer), booking, attended=True, session=session)
    assert booking.status == Booking.Status.ATTENDED and booking.session == session
    with pytest.raises(PermissionDenied):
        sch.open_session(Scope(rw.other_officer), official=official, date=timezone.localdate())
    with pytest.raises(ValidationError):
        sch.open_session(
            Scope(rw.officer), official=official, date=timezone.localdate() + dt.timedelta(days=9)
        )
