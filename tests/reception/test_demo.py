"""The public reception of the demo region (issue 4 item 7, DESIGN.md section 4).

The module seeds a small demo once (3,000 members, so about 220 appeals: the step scales with
the demo), inside a transaction rolled back at the end; each test runs in a savepoint of its
own, as in tests/test_seed_demo.py. One test reseeds only the reception step at full size
(2,500 appeals, a few seconds: the members need not be full size for it).

The figures are checked as the reception's statistics module computes them, for the regional
administrator and, at full size, for the Mugalzhar secretary and reception officer.
"""

import datetime as dt
import io
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from bastau import demo
from bastau.accounts.models import Role, User
from bastau.accounts.scoping import Scope
from bastau.demo import reception as demo_reception
from bastau.demo.structure import DEMO_DISTRICT
from bastau.lib import iin as iin_lib
from bastau.lib import workdays
from bastau.reception import permissions, services
from bastau.reception.models import (
    TRACKING_ALPHABET,
    Appeal,
    AppealEvent,
    Booking,
    Official,
    ReceptionSchedule,
    ReceptionSession,
)
from bastau.reception.services import work_calendar
from bastau.structure.models import Branch

HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SMALL = 3000


#: The demo is seeded and checked as of this moment; the clock moves on from it, so no
#: test depends on the day it runs (tests/test_demo_days.py seeds on other days).
DEMO_NOW = dt.datetime(2028, 1, 10, 10, 0, tzinfo=ZoneInfo("Asia/Aqtobe"))


@pytest.fixture(scope="module")
def small_demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        time_machine.travel(DEMO_NOW),
        override_settings(PASSWORD_HASHERS=HASHERS),
        transaction.atomic(),
    ):
        out = io.StringIO()
        call_command("seed_demo", members=SMALL, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo_db(small_demo, db, settings):
    settings.PASSWORD_HASHERS = HASHERS
    return small_demo


def user(username: str) -> User:
    return User.objects.get(username=username)


def check_figures(f: demo_reception.Figures, *, exact_visits: bool = True) -> None:
    assert 25 <= f.positive_whole_last_year <= 31, f
    # The year reported on (in January the year just ended) has decided appeals to count.
    assert f.decided_this_year >= 20, f
    assert 43 <= f.positive_this_year <= 49, f
    assert 25 <= f.positive_last_year <= 31, f
    assert 15 <= f.points <= 21, f
    assert f.visits_before > 0 and 2.5 <= f.visits_now / f.visits_before <= 3.5, f
    assert 2.5 <= f.sessions_now / f.sessions_before <= 3.5, f
    assert f.open > 0 and f.extended > 0 and f.forwarded > 0, f
    if exact_visits:
        assert f.visits_now == 3 * f.visits_before


def test_small_demo_figures(demo_db):
    today = timezone.localdate()
    f = demo_reception.figures(user("admin"), today)
    expected = round(demo_reception.APPEALS * SMALL / demo.DEFAULT_MEMBERS)  # 221
    assert abs(f.appeals - expected) <= 0.05 * expected
    assert f.appeals == Appeal.objects.count()
    check_figures(f)
    assert "Reception, the region (admin)" in demo_db
    assert today == dt.date(2028, 1, 10)
    assert f.year == 2027  # in January the year reported on is the year just ended
    assert f"resolved positively {f.positive_this_year}% in {f.year} against" in demo_db


def test_full_size_figures(demo_db):
    """The reception step at full size: about 2,500 appeals and the report's figures, for the
    region and for the Mugalzhar district's secretary and reception officer."""
    ctx = demo.DemoContext(log=lambda line: None)  # members=DEFAULT_MEMBERS: scale 1
    demo_reception.reset(ctx)
    demo_reception.seed(ctx)
    today = timezone.localdate()
    region = demo_reception.figures(user("admin"), today)
    assert 2375 <= region.appeals <= 2625
    check_figures(region)
    assert region.visits_before >= 60
    # Today's open appeals: about three weeks' intake; a few overdue.
    assert 50 <= region.open <= 200
    assert 0 < region.overdue <= 0.3 * region.open
    statuses = set(Appeal.objects.values_list("status", flat=True))
    assert statuses == set(Appeal.Status.values)  # new ones too, waiting to be assigned
    for username in ("secretary", "reception"):
        mugalzhar = demo_reception.figures(user(username), today)
        assert 150 <= mugalzhar.appeals <= 450
        check_figures(mugalzhar)
    lines = demo_reception.summary(ctx)
    assert any("Reception, the region (admin): 2," in line for line in lines)
    assert any(DEMO_DISTRICT in line for line in lines)


def test_the_mix(demo_db):
    appeals = Appeal.objects.all()
    assert set(appeals.values_list("channel", flat=True)) == set(Appeal.Channel.values)
    assert set(appeals.values_list("kind", flat=True)) == set(Appeal.Kind.values)
    assert appeals.values("topic").distinct().count() >= 8
    districts = set(appeals.values_list("district__code", flat=True))
    assert len(districts) >= 12 and None not in districts
    region = Branch.objects.get(code=demo.REGION_CODE)
    assert not appeals.filter(district=region).exists()
    receiving = set(appeals.values_list("receiving_branch__code", flat=True))
    assert demo.REGION_CODE in receiving and len(receiving) >= 12
    statuses = Counter(appeals.values_list("status", flat=True))
    assert set(Appeal.CLOSED) | {Appeal.Status.IN_PROGRESS} <= set(statuses), statuses
    assert set(appeals.values_list("language", flat=True)) == {"kk", "ru"}
    today = timezone.localdate()
    assert appeals.filter(registered_on__lt=today - dt.timedelta(days=700)).exists()
    assert not appeals.filter(registered_on__gte=today).exists()
    assert appeals.filter(registered_on__year=today.year - 1).count() > 60


def test_every_appeal_follows_the_rules(demo_db):
    """Deadlines on the working-day calendar, statuses and fields that agree, events in
    order from registration to the present status, applicants' data that validates."""
    cal = work_calendar()
    today = timezone.localdate()
    appeals = list(Appeal.objects.select_related("session").prefetch_related("events"))
    assert appeals
    codes = set()
    for a in appeals:
        assert a.deadline == workdays.consideration_deadline(cal, a.registered_on), a
        assert a.forward_by == workdays.forwarding_deadline(cal, a.registered_on), a
        assert a.due_on == (a.extended_deadline or a.deadline)
        assert a.number == f"{a.receiving_branch.code.upper()}-{a.year}-{a.seq:06d}"
        assert a.year == a.registered_on.year
        assert timezone.localtime(a.registered_at).date() == a.registered_on
        assert len(a.tracking_code) == 10 and set(a.tracking_code) <= set(TRACKING_ALPHABET)
        codes.add(a.tracking_code)
        if a.applicant_iin:
            iin_lib.parse(a.applicant_iin)
        if a.applicant_phone:
            assert services.normalize_phone(a.applicant_phone) == a.applicant_phone
        assert a.text and a.applicant_name and a.district_id
        if a.channel == Appeal.Channel.RECEPTION:
            assert a.session.date == a.registered_on
            assert a.session.branch_id == a.receiving_branch_id
            assert a.registered_by is not None
        else:
            assert a.session is None
        if a.channel == Appeal.Channel.ONLINE:
            assert a.registered_by is None and a.consent_at == a.registered_at
            assert a.applicant_phone or a.applicant_email
            assert a.receiving_branch_id == a.district_id
        if a.channel == Appeal.Channel.EOTINISH:
            assert a.eotinish_reference.startswith("ЖТ-")
        if a.extended_deadline:
            limit = workdays.extension_limit(cal, a.registered_on)
            assert a.deadline < a.extended_deadline <= limit and cal.is_working_day(
                a.extended_deadline
            )
            assert a.registered_on < a.extended_on <= a.deadline
            assert a.extension_notice_by == workdays.extension_notice_deadline(cal, a.extended_on)
            assert a.extension_reason and a.extension_notified_at is not None
            assert a.extension_count == 1
        if a.status in Appeal.DECIDED:
            assert a.registered_on <= a.resolved_on < today
            assert a.response_text and a.assignee_id
        else:
            assert a.resolved_on is None and not a.response_text
        if a.status == Appeal.Status.FORWARDED:
            assert a.forwarded_to and a.registered_on < a.forwarded_on < today
            assert bool(a.forward_late_reason) == (a.forwarded_on > a.forward_by)
        else:
            assert not a.forwarded_to and a.forwarded_on is None
        if a.status in (Appeal.Status.ASSIGNED, Appeal.Status.IN_PROGRESS):
            assert a.assignee_id and a.assignee.role == Role.RECEPTION_OFFICER
        events = list(a.events.all())
        assert events[0].kind == AppealEvent.Kind.REGISTERED and events[0].at == a.registered_at
        status = ""
        for before, event in zip([None, *events], events, strict=False):
            if before is not None:
                assert before.at <= event.at, a
            assert event.from_status == status, (a, event.kind)
            status = event.to_status
            assert event.at < timezone.make_aware(dt.datetime.combine(today, dt.time()))
        assert status == a.status, a
        kinds = [e.kind for e in events]
        if a.status in Appeal.DECIDED:
            assert kinds[:3] == ["registered", "assigned", "started"] and "resolved" in kinds
            resolved = next(e for e in events if e.kind == "resolved")
            assert timezone.localtime(resolved.at).date() == a.resolved_on
            assert resolved.data["late"] == (a.resolved_on > a.due_on)
        if a.extended_deadline:
            assert "extended" in kinds and "notified" in kinds
    assert len(codes) == len(appeals)


def test_reception_visits_tripled_at_the_sessions(demo_db):
    today = timezone.localdate()
    from bastau.reception.statistics import last_two_months

    current, previous = last_two_months(today)

    def visits(period):
        return Appeal.objects.filter(
            channel=Appeal.Channel.RECEPTION,
            registered_on__gte=period.start,
            registered_on__lte=period.end,
        ).count()

    def sessions(period):
        return ReceptionSession.objects.filter(date__gte=period.start, date__lte=period.end)

    assert visits(current) == 3 * visits(previous) > 0
    ratio = sessions(current).count() / sessions(previous).count()
    assert 2.5 <= ratio <= 3.5
    # The project's receptions began with the current window.
    new = sessions(current).filter(schedule__valid_from=current.start)
    assert not sessions(previous).filter(schedule__valid_from=current.start).exists()
    assert new.count() > sessions(current).count() / 2


def test_officials_schedules_sessions_bookings(demo_db):
    officials = Official.objects.all()
    assert officials.count() == 3 * 14 + 1
    assert set(officials.values_list("kind", flat=True)) == {
        Official.Kind.PARTY_LEADER,
        Official.Kind.STATE_BODY_HEAD,
        Official.Kind.DEPUTY,
    }
    assert officials.filter(member__isnull=False).count() >= 10  # party leaders are members
    schedules = ReceptionSchedule.objects.all()
    assert schedules.filter(weekday__isnull=False).count() == 42
    assert schedules.filter(date__isnull=False).count() == 1
    assert all(s.place and s.slot_times() for s in schedules)
    cal = work_calendar()
    today = timezone.localdate()
    for session in ReceptionSession.objects.select_related("schedule"):
        assert session.date < today and cal.is_working_day(session.date)
        assert session.schedule.occurs_on(session.date)
    bookings = Booking.objects.all()
    coming = bookings.filter(date__gte=today)
    assert coming.exists() and set(coming.values_list("status", flat=True)) == {"booked"}
    past = set(bookings.filter(date__lt=today).values_list("status", flat=True))
    assert past == {"attended", "no_show", "cancelled"}
    live = bookings.exclude(status="cancelled").values_list("official", "date", "time")
    assert len(set(live)) == len(live)
    assert not bookings.filter(status="attended", session__isnull=True).exists()


def test_users_and_what_they_see(demo_db):
    officer = user("reception")
    assert officer.role == Role.RECEPTION_OFFICER and officer.branch.code == DEMO_DISTRICT
    assert officer.check_password(demo.DEMO_PASSWORD)
    assert officer.phone == demo_reception.RECEPTION_PHONE and officer.email
    scope = Scope(officer)
    assert permissions.view_statistics(scope) and not permissions.extend_appeals(scope)
    assert not permissions.appeals(scope).exclude(receiving_branch__code=DEMO_DISTRICT).exists()
    assert permissions.appeals(scope).exists()
    others = User.objects.filter(username__startswith=demo_reception.OFFICER_PREFIX)
    assert others.count() == 13
    assert {u.branch.code for u in others} | {DEMO_DISTRICT} == set(demo_reception.BRANCH_WEIGHTS)
    assert permissions.extend_appeals(Scope(user("secretary")))
    assert permissions.appeals(Scope(user("admin"))).count() == Appeal.objects.count()


def test_the_workflow_works_on_demo_appeals(demo_db):
    """Open demo appeals can be moved on by the demo users (the data fits the services)."""
    officer, secretary = user("reception"), user("secretary")
    today = timezone.localdate()
    open_appeals = permissions.appeals(Scope(officer)).filter(status__in=Appeal.OPEN).order_by("pk")
    if not open_appeals.exists():  # a small demo may have none in Mugalzhar today
        open_appeals = Appeal.objects.filter(status__in=Appeal.OPEN).order_by("pk")
        officer = user("admin")
    appeal = open_appeals.first()
    scope = Scope(officer)
    if appeal.status == Appeal.Status.REGISTERED:
        services.assign(scope, appeal, assignee=officer)
    if appeal.status == Appeal.Status.ASSIGNED:
        services.start(scope, appeal)
    services.resolve(
        scope, appeal, outcome=Appeal.Status.RESOLVED_POSITIVE, response_text="Шешілді."
    )
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.RESOLVED_POSITIVE and appeal.resolved_on == today
    extendable = (
        Appeal.objects.filter(
            receiving_branch=secretary.branch,
            status__in=Appeal.OPEN,
            extended_deadline__isnull=True,
            due_on__gte=today,
        )
        .order_by("pk")
        .first()
    )
    if extendable is not None:
        cal = work_calendar()
        new = cal.working_day_on_or_before(workdays.extension_limit(cal, extendable.registered_on))
        if new > extendable.due_on:
            services.extend(Scope(secretary), extendable, new_deadline=new, reason="Тексеру.")


def test_status_page_with_a_demo_code(demo_db, client):
    appeal = Appeal.objects.filter(status=Appeal.Status.RESOLVED_POSITIVE).first()
    response = client.post(
        reverse("reception:status"), {"code": appeal.tracking_code}, REMOTE_ADDR="10.7.7.7"
    )
    html = response.content.decode()
    assert response.status_code == 200 and appeal.number in html
    assert appeal.applicant_name not in html and appeal.text not in html
    response = client.get(reverse("reception:schedule"))
    assert response.status_code == 200
    assert (
        Official.objects.filter(kind=Official.Kind.DEPUTY).first().name in response.content.decode()
    )


def test_running_again_adds_nothing_and_reset_rebuilds(demo_db):
    before = (
        Appeal.objects.count(),
        AppealEvent.objects.count(),
        ReceptionSession.objects.count(),
        Booking.objects.count(),
    )
    codes = set(Appeal.objects.values_list("number", "tracking_code", "status"))
    out = io.StringIO()
    call_command("seed_demo", members=SMALL, stdout=out)
    assert "already seeded" in out.getvalue()
    ctx = demo.DemoContext(members=SMALL, log=lambda line: None)
    assert demo_reception.is_done(ctx)
    demo_reception.reset(ctx)
    assert not Appeal.objects.exists() and not Official.objects.exists()
    assert not ReceptionSession.objects.exists() and not Booking.objects.exists()
    assert not User.objects.filter(role=Role.RECEPTION_OFFICER).exists()
    assert not demo_reception.is_done(ctx)
    demo_reception.seed(ctx)
    after = (
        Appeal.objects.count(),
        AppealEvent.objects.count(),
        ReceptionSession.objects.count(),
        Booking.objects.count(),
    )
    assert after == before
    assert set(Appeal.objects.values_list("number", "tracking_code", "status")) == codes


def test_full_reset_removes_the_reception_first(demo_db):
    """A full reset (reception first, before the members and structure steps) leaves no
    reception rows that would block the branches' deletion."""
    demo.reset(demo.DemoContext(log=lambda line: None))
    assert not Appeal.objects.exists() and not Branch.objects.exists()


def test_demo_logins_mention_the_reception(demo_db):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert '"reception"' in text and demo.DEMO_PASSWORD in text
    assert reverse("reception:public") in text and reverse("reception:status") in text
    code = re.search(r"A demo tracking code to try: ([0-9A-Z]{5}-[0-9A-Z]{5})", text)
    if code:
        assert services.public_status(code.group(1)) is not None
