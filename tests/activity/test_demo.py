"""The branch activity of the demo region (DESIGN.md section 4: the activists' meeting).

The module seeds a small demo once (3,000 members), inside a transaction rolled back at the
end; each test runs in a savepoint of its own, as in tests/test_seed_demo.py. The figures are
read through the activity services, as the regional administrator and the secretary see them.
"""

import datetime as dt
import io
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from bastau import demo
from bastau.accounts.models import User
from bastau.accounts.scoping import Scope
from bastau.activity import permissions, services
from bastau.activity.models import (
    Award,
    Commission,
    CommissionDecision,
    CommissionMembership,
    Contest,
    ContestEntry,
    Decision,
    ExecutionReport,
    Instruction,
    Juror,
    Meeting,
    ProjectEvent,
    Score,
    SocialProject,
)
from bastau.core.models import AuditEvent
from bastau.demo import activity as demo_activity
from bastau.demo import oversight as demo_oversight
from bastau.demo import reception as demo_reception
from bastau.members.models import Admission, Member, PartyCard

HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SMALL = 3000


#: The demo is seeded and checked as of this moment; the clock moves on from it, so no
#: test depends on the day it runs (tests/test_demo_days.py seeds on other days).
DEMO_NOW = dt.datetime(2026, 12, 5, 15, 0, tzinfo=ZoneInfo("Asia/Aqtobe"))


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


def user(name: str) -> User:
    return User.objects.get(username=name)


def activists_meeting() -> Meeting:
    return Meeting.objects.get(branch__code=demo.REGION_CODE, kind=Meeting.Kind.ACTIVISTS)


def test_the_activists_meeting(demo_db):
    today = timezone.localdate()
    meeting = activists_meeting()
    assert today - dt.timedelta(days=21) <= meeting.date <= today - dt.timedelta(days=10)
    assert meeting.date.weekday() < 5
    assert meeting.chair_member is not None and meeting.place
    groups = dict(meeting.participant_groups.values_list("category", "count"))
    assert groups == demo_activity.PARTICIPANTS
    items = list(meeting.agenda_items.order_by("position"))
    assert [i.title for i in items] == [
        demo_activity.ITEM_TASKS,
        demo_activity.ITEM_REPORTS,
        demo_activity.ITEM_CARDS,
        demo_activity.ITEM_AWARDS,
    ]
    assert [i.position for i in items] == [1, 2, 3, 4]
    assert all(i.speakers.exists() and i.decisions.exists() for i in items)
    assert items[1].speakers.count() == 2 and "фракция" in items[1].speakers_text
    assert meeting.chair_member in items[0].speakers.all()
    # The admin sees it; the Mugalzhar secretary does not (a regional meeting).
    assert permissions.meetings(Scope(user("admin"))).filter(pk=meeting.pk).exists()
    assert not permissions.meetings(Scope(user("secretary"))).filter(pk=meeting.pk).exists()
    assert AuditEvent.objects.filter(action="meeting.created", object_id=str(meeting.pk)).exists()


def test_the_chairs_five_instructions(demo_db):
    today = timezone.localdate()
    meeting = activists_meeting()
    admin = Scope(user("admin"))
    mine = permissions.instructions(admin).filter(agenda_item__meeting=meeting)
    assert mine.count() == 5
    assert all(i.issuer.username == "admin" and i.issued_on == meeting.date for i in mine)
    states = Counter(services.with_state(mine, today).values_list("state", flat=True))
    assert states == {"done": 3, "overdue": 1, "extended": 1}
    texts = set(mine.values_list("text", flat=True))
    assert {
        "Праймериз бойынша түсіндіру жұмыстарын ұйымдастыру",
        "Сайлауалды бағдарламаның жобасын әзірлеу",
        "Бюджет көрсеткіштерін партия активіне жеткізу",
    } <= texts
    # Done: reports accepted, two on time and one late.
    done = mine.filter(status="done")
    assert done.filter(done_on__lte=F("deadline")).count() == 2
    assert done.filter(done_on__gt=F("deadline")).count() == 1
    for instruction in done:
        assert instruction.reports.filter(status=ExecutionReport.Status.ACCEPTED).exists()
        assert instruction.done_on <= today
    # Overdue: the deadline passed, a report returned for rework, still open.
    overdue = services.with_state(mine, today).get(state="overdue")
    assert overdue.deadline < today and overdue.status in Instruction.OPEN
    assert overdue.reports.get().status == ExecutionReport.Status.RETURNED
    # Extended: the approved new deadline is ahead.
    extended = mine.get(status="extended")
    assert extended.deadline > today > extended.original_deadline
    assert extended.extension_requests.get().status == "approved"
    # The control board, as the admin sees it by person and by branch.
    board = services.control_board(admin, today=today)
    assert sum(r.overdue for r in board) == 1
    assert sum(r.on_time for r in board) >= 2 and sum(r.late for r in board) >= 1
    by_branch = services.control_board(admin, by="branch", today=today)
    assert [(r.label, r.overdue, r.on_time, r.late, r.open) for r in by_branch] == [
        ("Ақтөбе облыстық филиалы", 1, 2, 1, 1)
    ]
    # The Mugalzhar secretary is responsible for the overdue one and sees it.
    secretary = Scope(user("secretary"))
    assert permissions.instructions(secretary).filter(pk=overdue.pk).exists()
    assert sum(r.overdue for r in services.control_board(secretary, today=today)) == 1
    assert user("secretary") in overdue.responsible_users.all()
    assert AuditEvent.objects.filter(action="instruction.done").count() >= 3


def test_ten_new_members_given_cards(demo_db):
    meeting = activists_meeting()
    decisions = Decision.objects.filter(admission__isnull=False).select_related(
        "admission__member", "agenda_item__meeting"
    )
    assert decisions.count() == demo_activity.NEW_MEMBERS == 10
    attendees = set(meeting.attendees.values_list("pk", flat=True))
    for decision in decisions:
        admission = decision.admission
        poo_meeting = decision.agenda_item.meeting
        # The admitting POO meeting, on the admission's own date and protocol number.
        assert poo_meeting.kind == Meeting.Kind.POO_MEETING
        assert poo_meeting.poo_id == admission.poo_id
        assert poo_meeting.date == admission.poo_meeting_date
        assert poo_meeting.number == admission.poo_protocol_number
        assert admission.stage == Admission.Stage.CARD_ISSUED
        member = admission.member
        assert member.is_member and member.joined_on < meeting.date
        card = member.cards.get(status=PartyCard.Status.VALID)
        assert card.issued_on == meeting.date and card.series == "AKT"
        assert card.issued_by.username == "admin"
        assert member.pk in attendees
    # The decision on the cards names them all, with their cards.
    text = meeting.agenda_items.get(position=3).decisions.get().text
    for decision in decisions:
        assert decision.admission.member.last_name in text


def test_the_contest_and_its_eight_winners(demo_db):
    meeting = activists_meeting()
    contest = Contest.objects.get(name="Үздік бастауыш партия ұйымы")
    assert contest.year == meeting.date.year and contest.status == Contest.Status.FINISHED
    assert contest.branch.code == demo.REGION_CODE and contest.winners_count == 8
    criteria = contest.criteria.all()
    assert criteria.count() == 5 and sum(c.weight for c in criteria) == Decimal("1.00")
    jurors = Juror.objects.filter(contest=contest)
    district = jurors.filter(stage="district")
    assert district.values("district").distinct().count() == 13
    assert district.get(district__code="mugalzhar").user.username == "secretary"
    assert set(jurors.filter(stage="regional").values_list("user__username", flat=True)) == {
        "admin",
        *demo_activity.REGIONAL_JURY,
    }
    for juror in district.exclude(district__code="mugalzhar").select_related("user__member__poo"):
        assert juror.user.username == f"jury-{juror.district.code}"
        assert juror.user.member.poo.branch_id == juror.district_id
    entries = ContestEntry.objects.filter(contest=contest)
    assert entries.count() >= 40
    assert entries.values("poo__branch").distinct().count() == 13
    assert not entries.filter(district_place__isnull=True).exists()
    assert entries.filter(advanced=True).count() == 13 * contest.advance_per_district
    assert not entries.filter(advanced=False, regional_place__isnull=False).exists()
    assert Score.objects.filter(entry__contest=contest, stage="district").count() == sum(
        5 * district.filter(district=e.poo.branch).count() for e in entries
    )
    assert Score.objects.filter(entry__contest=contest, stage="regional").exists()
    winners = entries.filter(is_winner=True)
    assert winners.count() == 8
    assert sorted(winners.values_list("regional_place", flat=True)) == list(range(1, 9))
    for entry in winners:
        award = entry.awards.get()
        assert award.kind == Award.Kind.DIPLOMA and award.poo_id == entry.poo_id
        assert award.meeting == meeting and award.awarded_on == meeting.date


def test_letters_of_thanks_to_four_veterans(demo_db):
    meeting = activists_meeting()
    thanks = Award.objects.filter(kind=Award.Kind.LETTER_OF_THANKS).select_related("member")
    assert thanks.count() == 4
    assert all(a.meeting == meeting and a.member.is_veteran for a in thanks)
    assert all(a.member.is_member for a in thanks)
    assert Member.objects.filter(is_veteran=True).count() == demo_activity.VETERANS
    assert set(thanks.values_list("member", flat=True)) <= set(
        meeting.attendees.values_list("pk", flat=True)
    )


def test_six_projects_and_twenty_four_optimised(demo_db):
    today = timezone.localdate()
    admin = Scope(user("admin"))
    active = permissions.social_projects(admin).filter(status=SocialProject.Status.ACTIVE)
    assert set(active.values_list("name", flat=True)) == {
        "Ардагерлерді ардақтайық",
        "Кедергісіз келешек",
        "Бақытты отбасы",
        "Құтты мекен",
        "Халыққа көмек",
        "Жастар — Отанға",
    }
    year_ago = today - dt.timedelta(days=365)
    for project in active:
        assert project.goal and project.target_groups and project.curator is not None
        assert project.branch.code == demo.REGION_CODE
        events = ProjectEvent.objects.filter(project=project, date__gte=year_ago)
        assert events.count() >= 5 and all(e.reach > 0 for e in events)
    assert not ProjectEvent.objects.filter(date__gt=today).exists()
    ended = services.projects_ended(admin, start=today.replace(month=1, day=1), end=today)
    assert ended["merged"] + ended["closed"] == 24
    assert ended["merged"] == 18 and ended["closed"] == 6
    optimised = SocialProject.objects.exclude(status=SocialProject.Status.ACTIVE)
    assert all(p.status_reason and p.status_changed_on.year == today.year for p in optimised)
    assert set(optimised.exclude(merged_into=None).values_list("merged_into", flat=True)) <= set(
        active.values_list("pk", flat=True)
    )
    for p in optimised:
        assert not p.events.filter(date__gt=p.status_changed_on).exists()
    # The Mugalzhar secretary sees their branch's own optimised projects.
    assert permissions.social_projects(Scope(user("secretary"))).exists()


def test_two_commissions(demo_db):
    today = timezone.localdate()
    commissions = Commission.objects.filter(branch__code=demo.REGION_CODE)
    assert set(commissions.values_list("kind", flat=True)) == {"control", "anticorruption"}
    for commission in commissions:
        seats = CommissionMembership.objects.filter(commission=commission)
        sitting = seats.filter(until__isnull=True)
        assert sitting.filter(role="chair").count() == 1
        assert sitting.filter(role="secretary").count() == 1
        assert sitting.filter(role="chair", member__isnull=False).exists()
        assert commission.term_start < today and commission.term_end > today
        sessions = commission.sessions.all()
        assert sessions.count() >= 2
        for session in sessions:
            assert session.date <= today and session.decisions.count() >= 2
    council = commissions.get(kind="anticorruption")
    outsiders = CommissionMembership.objects.filter(commission=council, member__isnull=True)
    assert outsiders.count() == len(demo_activity.COUNCIL_OUTSIDERS)
    assert all(s.name and s.position for s in outsiders)
    control = commissions.get(kind="control")
    assert CommissionMembership.objects.filter(commission=control, until__isnull=False).exists()
    assert not CommissionMembership.objects.filter(commission=control, member__isnull=True).exists()
    assert CommissionDecision.objects.filter(session__commission=control).count() >= 6


def test_summary(demo_db):
    assert "the chair's 5 instructions: 3 done (1 late), 1 extended, 1 overdue" in demo_db
    assert "10 new members given party cards" in demo_db
    assert "8 winners with diplomas; 4 letters of thanks to veterans" in demo_db
    assert "24 optimised this year (18 merged, 6 closed)" in demo_db
    assert "Commissions: 2 (6 outside members on the public council)" in demo_db
    notes = demo_activity.login_notes("http://demo")
    assert notes[0] == "Branch activity:" and "http://demo/activity/" in notes[1]


def sizes() -> tuple[int, ...]:
    models = (
        Meeting,
        Decision,
        Instruction,
        ExecutionReport,
        Award,
        Contest,
        Score,
        SocialProject,
        ProjectEvent,
        Commission,
        CommissionMembership,
        PartyCard,
    )
    cards = Admission.objects.filter(stage=Admission.Stage.CARD_ISSUED).count()
    veterans = Member.objects.filter(is_veteran=True).count()
    return (*(model.objects.count() for model in models), cards, veterans)


def _steps_after(name):
    """The demo steps seeded after `name` (the voice steps link to meetings, decisions,
    instructions, appeals and deputies' questions), so they are reset before it."""
    names = [step.name for step in demo.steps()]
    return demo.steps()[names.index(name) + 1 :]


def _reset_later_steps(ctx, name):
    for step in reversed(_steps_after(name)):
        if step.reset is not None:
            step.reset(ctx)


def _reseed_later_steps(ctx, name):
    for step in _steps_after(name):
        step.seed(ctx)


def test_reset_and_reseed_the_step(demo_db):
    before = sizes()
    cards = sorted(
        PartyCard.objects.filter(issued_by__isnull=False).values_list("number", "member__iin")
    )
    winners = sorted(
        ContestEntry.objects.filter(is_winner=True).values_list("regional_place", "poo__code")
    )
    ctx = demo.DemoContext(members=SMALL, log=lambda line: None)
    _reset_later_steps(ctx, "activity")
    demo_activity.reset(ctx)
    assert not demo_activity.is_done(ctx)
    for model in (Meeting, Instruction, Award, Contest, SocialProject, Commission):
        assert not model.objects.exists(), model
    # nor the history records of the awards and commissions (the reset's deletes write some)
    for model in (Award, Commission, CommissionMembership, CommissionDecision):
        assert not model.history.exists(), model
    assert not PartyCard.objects.filter(issued_by__isnull=False).exists()
    assert not Member.objects.filter(is_veteran=True).exists()
    assert not AuditEvent.objects.filter(object_type__startswith="activity.").exists()
    demo_activity.seed(ctx)
    assert demo_activity.is_done(ctx)
    _reseed_later_steps(ctx, "activity")
    assert sizes() == before
    assert (
        sorted(
            PartyCard.objects.filter(issued_by__isnull=False).values_list("number", "member__iin")
        )
        == cards
    )
    assert (
        sorted(
            ContestEntry.objects.filter(is_winner=True).values_list("regional_place", "poo__code")
        )
        == winners
    )


def test_other_steps_reset_alone_while_the_activity_is_there(demo_db):
    """The oversight and reception steps delete their own users when reset alone: nothing of
    this step may hold on to them."""
    ctx = demo.DemoContext(members=SMALL, log=lambda line: None)
    _reset_later_steps(ctx, "activity")  # the voice steps link to appeals and questions
    before = sizes()
    demo_oversight.reset(ctx)
    demo_reception.reset(ctx)
    assert not User.objects.filter(username__in=["faction", "reception"]).exists()
    assert sizes() == before


def test_the_whole_demo_resets_with_the_step(demo_db):
    ctx = demo.DemoContext(log=lambda line: None)
    demo.reset(ctx)
    assert not Member.objects.exists() and not User.objects.exists()
    assert not Meeting.objects.exists() and not Award.objects.exists()
