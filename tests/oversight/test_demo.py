"""The deputies' oversight of the demo region (issue 5 item 6, DESIGN.md section 4).

The module seeds a small demo once (3,000 members; the oversight step does not scale: 204
deputies at any size), inside a transaction rolled back at the end; each test runs in a
savepoint of its own, as in tests/test_seed_demo.py. The figures are read through the
oversight's own statistics, as the regional administrator and the faction secretary see them.
"""

import datetime as dt
import io
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from bastau import demo
from bastau.accounts.models import Role, User
from bastau.accounts.scoping import Scope
from bastau.demo import oversight as demo_oversight
from bastau.oversight import permissions, services, statistics
from bastau.oversight.models import (
    BudgetIndicator,
    BudgetSector,
    Deputy,
    Faction,
    Maslikhat,
    MonitoringNote,
    ReportQuestion,
    ScheduledReport,
)

HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SMALL = 3000


#: The demo is seeded and checked as of this moment; the clock moves on from it, so no
#: test depends on the day it runs (tests/test_demo_days.py seeds on other days).
DEMO_NOW = dt.datetime(2028, 2, 29, 11, 0, tzinfo=ZoneInfo("Asia/Aqtobe"))


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


def admin_scope() -> Scope:
    return Scope(User.objects.get(username="admin"))


def test_register(demo_db):
    today = timezone.localdate()
    overview = statistics.register_overview(admin_scope(), reference=today)
    assert overview.total == demo_oversight.TOTAL_DEPUTIES == 204
    assert 49 <= overview.average_age <= 53
    assert 12 <= overview.women_share <= 35
    assert Maslikhat.objects.count() == 14
    assert Counter(Maslikhat.objects.values_list("level", flat=True)) == {
        "regional": 1,
        "city": 1,
        "district": 12,
    }
    # Every seat of the current convocation taken, each kind within its split.
    for m in Maslikhat.objects.all():
        active = Deputy.objects.filter(maslikhat=m, status=Deputy.Status.ACTIVE)
        assert active.count() == m.seats_total, m
        assert active.filter(elected_by="list").count() == m.seats_by_list
        districts = active.filter(elected_by="district").values_list("district_number", flat=True)
        assert sorted(districts) == list(range(1, m.seats_by_district + 1))
        assert {d.convocation.number for d in active} == {8}
        assert m.convocations.count() == 2
    regional = Maslikhat.objects.get(level="regional")
    assert regional.branch.code == demo.REGION_CODE
    seats = (regional.seats_total, regional.seats_by_list, regional.seats_by_district)
    assert seats == (34, 17, 17)
    parties = Counter(Deputy.objects.filter(status="active").values_list("party", flat=True))
    assert parties["ours"] > 0.6 * 204 and parties["other"] and parties["none"]
    # Party members' deputies: some linked to a current member of the right branch.
    linked = Deputy.objects.filter(member__isnull=False).select_related("member__poo__branch")
    assert linked.count() > 50
    for d in linked:
        assert d.birth_date is None and d.sex == "" and d.last_name == d.member.last_name
        expected = "aktobe-city" if d.maslikhat.level == "regional" else d.maslikhat.branch.code
        assert d.member.poo.branch.code == expected
    assert Deputy.objects.filter(status="ended").count() == 3
    posts = Counter(Deputy.objects.values_list("posts", flat=True))
    assert posts[demo_oversight.CHAIR] == 14 and posts[demo_oversight.SECRETARY] == 14
    assert posts[demo_oversight.COMMITTEE_CHAIR] >= 14 * 3


def test_factions(demo_db):
    for m in Maslikhat.objects.all():
        faction = Faction.objects.get(maslikhat=m)
        assert faction.leader is not None and faction.leader.faction_id == faction.pk
        members = Deputy.objects.filter(faction=faction)
        assert members.count() >= 5
        assert set(members.values_list("party", flat=True)) == {"ours"}
        assert not Deputy.objects.filter(
            maslikhat=m, party="ours", status="active", faction__isnull=True
        ).exists()


def test_reports(demo_db):
    today = timezone.localdate()
    scope = admin_scope()
    counts = statistics.report_counts(scope, today=today)
    assert counts["held"] >= 20 and counts["overdue"] >= 5
    assert counts["postponed"] >= 3 and counts["missed"] >= 1
    assert permissions.reports(scope).filter(date__gte=today, status="scheduled").exists()
    assert all(s.approved_on.year == today.year for s in permissions.schedules(scope))
    held = ScheduledReport.objects.filter(status="held")
    assert not held.filter(attendance__isnull=True).exists()
    assert ReportQuestion.objects.filter(report__in=held).count() >= counts["held"]
    # The faction secretary sees the regional maslikhat's schedule only, with overdue ones.
    faction = User.objects.get(username=demo_oversight.FACTION_USER)
    assert faction.role == Role.FACTION_SECRETARY and faction.branch.code == demo.REGION_CODE
    assert faction.check_password(demo.DEMO_PASSWORD)
    fscope = Scope(faction)
    assert {m.level for m in permissions.maslikhats(fscope)} == {"regional"}
    assert services.overdue(fscope, today).exists()
    assert permissions.reports(fscope).filter(status="held").exists()
    # The demo leaves the reception's appeals alone; on demand, a question of the regional
    # maslikhat becomes an appeal of the public reception through the service.
    assert not ReportQuestion.objects.filter(appeal__isnull=False).exists()
    note = demo_oversight.question_to_appeal(demo.DemoContext(members=SMALL))
    assert "became appeal" in note
    question = ReportQuestion.objects.get(appeal__isnull=False)
    assert question.report.schedule.maslikhat.level == "regional"
    assert question.appeal.receiving_branch.code == demo.REGION_CODE


def test_budget(demo_db):
    indicators = BudgetIndicator.objects.all()
    for code in demo_oversight.BUDGET_SCALE:
        mine = indicators.filter(maslikhat__branch__code=code)
        assert set(mine.values_list("year", "sector")) == {
            (year, sector) for year in (2020, 2021, 2022, 2023) for sector in BudgetSector.values
        }
    roads = indicators.get(maslikhat__level="regional", year=2023, sector="roads", code="268-025")
    assert roads.lagging and roads.execution_percent == 71
    lagging = indicators.filter(lagging=True)
    assert lagging.count() == len(demo_oversight.LAGGING)
    assert not indicators.filter(lagging=False, execution_percent__lt=90).exists()
    for indicator in lagging:
        assert indicator.responsible_faction is not None
        assert MonitoringNote.objects.filter(indicator=indicator).count() >= 2
    assert indicators.filter(responsible_deputy__isnull=False).exists()
    assert not MonitoringNote.objects.filter(date__gt=timezone.localdate()).exists()


def test_summary_and_logins(demo_db):
    assert "Deputies: 204 active in 14 maslikhats" in demo_db
    assert "34 seats, 17 by list and 17 by district" in demo_db
    assert "lagging below the threshold" in demo_db
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert f'"{demo_oversight.FACTION_USER}"' in out.getvalue()


def sizes() -> tuple[int, ...]:
    models = (Deputy, Faction, ScheduledReport, ReportQuestion, BudgetIndicator, MonitoringNote)
    return tuple(model.objects.count() for model in models)


def test_reset_and_reseed_the_step(demo_db):
    before = sizes()
    names = sorted(Deputy.objects.values_list("last_name", "first_name", "district_number"))
    ctx = demo.DemoContext(members=SMALL, log=lambda line: None)
    steps = demo.steps()
    later = steps[[step.name for step in steps].index("oversight") + 1 :]
    for step in reversed(later):  # the issues register links to deputies' questions
        if step.reset is not None:
            step.reset(ctx)
    demo_oversight.reset(ctx)
    assert not Maslikhat.objects.exists() and not demo_oversight.is_done(ctx)
    demo_oversight.seed(ctx)
    assert demo_oversight.is_done(ctx)
    for step in later:
        step.seed(ctx)
    assert sizes() == before
    assert sorted(Deputy.objects.values_list("last_name", "first_name", "district_number")) == names
