"""The demo keeps its promises whatever day it is seeded on (`bastau seed_demo --today`).

Each case seeds the small demo (3,000 members) as of one day, with the clock frozen on that
day (time-machine), inside the test's transaction, and checks the headline figures of
DESIGN.md section 4 and the README: the POO's 118 -> 124, the activists' meeting with its 10
party cards, the chair's five instructions and their states, the contest's 8 winners, the
reception's comparisons, the Mugalzhar 2019 selection and the open campaign. Deadlines of the
demo fall on working days of the reception's calendar.
"""

import datetime as dt
import io
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.utils import timezone

from bastau import demo
from bastau.accounts.models import User
from bastau.accounts.scoping import Scope
from bastau.activity import services as activity_services
from bastau.activity.models import Instruction, Meeting
from bastau.core.choices import Sex
from bastau.demo import activity as demo_activity
from bastau.demo import members as demo_members
from bastau.demo import primaries as demo_primaries
from bastau.demo import reception as demo_reception
from bastau.demo import review as demo_review
from bastau.demo import voice_agenda as demo_agenda
from bastau.demo.structure import GROWTH_POO_CODE
from bastau.lib.dates import add_years, age_on
from bastau.members import review
from bastau.members.models import Member, Review, ReviewItem
from bastau.members.statistics import members_at
from bastau.primaries.models import Ballot, Campaign, Candidate, VoterRollEntry
from bastau.reception.services import work_calendar
from bastau.voice.agenda import services as agenda_services

SMALL = 3000

DAYS = {
    # The day, a Saturday: 9 of 10 cards were given before the fix.
    "saturday-2026-12-05": dt.date(2026, 12, 5),
    # A Monday after a holiday (Orthodox Christmas on Friday 7 January 2028).
    "monday-after-holiday-2028-01-10": dt.date(2028, 1, 10),
    "leap-day-2028-02-29": dt.date(2028, 2, 29),
    "new-years-eve-2026-12-31": dt.date(2026, 12, 31),
    "new-years-day-2027-01-01": dt.date(2027, 1, 1),
    "a-day-in-2035": dt.date(2035, 6, 14),
    "last-day-of-2035": dt.date(2035, 12, 31),
}


@pytest.fixture(autouse=True)
def _demo_trustees_in_a_temporary_directory(settings, tmp_path):
    # seed_demo writes the demo trustees' keystores to VAR_DIR/demo-trustees.
    settings.VAR_DIR = tmp_path


def local(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@pytest.fixture(params=list(DAYS.values()), ids=list(DAYS))
def seeded(request, db, settings):
    """The small demo seeded as of the day, the clock frozen at noon of that day (local)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    day = request.param
    with time_machine.travel(local(day, 12), tick=False):
        out = io.StringIO()
        call_command("seed_demo", members=SMALL, today=day.isoformat(), stdout=out)
        yield day, out.getvalue()


def test_the_headline_figures_hold_on_the_day(seeded):
    day, output = seeded
    cal = work_calendar()
    assert timezone.localdate() == day
    assert f"Seeding the demo region as of {day:%d.%m.%Y}" in output

    # Members: the total today and the growth POO's 118 on 31 December -> 124 today.
    assert members_at(Member.objects.all(), day).count() == SMALL
    assert not Member.objects.filter(joined_on__gt=day).exists()
    growth = Member.objects.filter(poo__code=GROWTH_POO_CODE)
    last_year_end = day.replace(month=1, day=1) - dt.timedelta(days=1)
    assert members_at(growth, last_year_end).count() == 118
    assert members_at(growth, day).count() == 124
    assert f"{GROWTH_POO_CODE}: 118 members on {last_year_end:%d.%m.%Y}, 124 today" in output

    # The activists' meeting on a working day about two weeks ago, its 10 cards, the chair's
    # five instructions: two done on time, one late, one extended, one overdue.
    f = demo_activity.figures(demo.DemoContext(today=day))
    meeting = f["meeting"]
    assert meeting.kind == Meeting.Kind.ACTIVISTS
    assert cal.is_working_day(meeting.date)
    assert day - dt.timedelta(days=21) <= meeting.date <= day - dt.timedelta(days=16)
    assert f["cards"] == demo_activity.NEW_MEMBERS == 10
    assert "10 new members given party cards" in output
    assert f["instructions"] == 5
    assert f["states"] == Counter({"done": 3, "extended": 1, "overdue": 1})
    assert f["late"] == 1
    instructions = Instruction.objects.filter(agenda_item__meeting=meeting)
    assert instructions.filter(status="done", done_on__lte=F("deadline")).count() == 2
    deadlines = [d for i in instructions for d in (i.original_deadline, i.deadline)]
    assert all(cal.is_working_day(d) for d in deadlines), deadlines
    scope = Scope(User.objects.get(username="admin"))
    states = activity_services.with_state(activity_services.instructions(scope), day)
    extended = states.get(state="extended")
    assert extended.deadline > day > extended.original_deadline
    assert states.get(state="overdue").deadline < day

    # The contest's 8 winners, 4 letters of thanks, the six projects and 24 optimised this year.
    assert f["contest"].year == meeting.date.year
    assert f["winners"] == 8 and f["finalists"] == 26 and f["branches"] == 13
    assert f["thanks"] == 4
    assert f["active"] == 6
    assert f["merged"] + f["closed"] == 24

    # The reception: 46% positive this year (+18 points), receptions tripled.
    reception = demo_reception.figures(User.objects.get(username="admin"), day)
    # "This year" is the year reported on: in January, the year just ended.
    assert reception.year == (day.year - 1 if day.month == 1 else day.year)
    assert 25 <= reception.positive_whole_last_year <= 31, reception
    assert reception.decided_this_year >= 20, reception
    assert 43 <= reception.positive_this_year <= 49, reception
    assert 25 <= reception.positive_last_year <= 31, reception
    assert 15 <= reception.points <= 21, reception
    assert (
        f"resolved positively {reception.positive_this_year}% in {reception.year} against" in output
    )
    assert reception.visits_before > 0
    assert reception.visits_now == 3 * reception.visits_before
    assert 2.5 <= reception.sessions_now / reception.sessions_before <= 3.5, reception

    # The Mugalzhar selection of 2019: its roll is the membership of 2019, 85% of it voted.
    reserve = Campaign.objects.get(slug=demo_primaries.RESERVE_SLUG)
    candidates = reserve.candidates.all()
    assert candidates.count() == 73
    assert candidates.filter(nomination=Candidate.Nomination.POO).count() == 44
    assert candidates.filter(nomination=Candidate.Nomination.SELF).count() == 29
    assert candidates.filter(sex=Sex.FEMALE).count() == 27  # 37%
    young_born_after = add_years(demo_primaries.REFERENCE_DATE, -35)
    assert candidates.filter(birth_date__gt=young_born_after).count() == 31  # 42%
    assert all(23 <= age_on(c.birth_date, demo_primaries.REFERENCE_DATE) <= 60 for c in candidates)
    assert not candidates.filter(
        member__joined_on__gte=demo_primaries.NOMINATION_STARTS - dt.timedelta(days=30)
    ).exists()
    assert f"{demo_primaries.RESERVE_SLUG}: 73 candidates" in output
    roll = VoterRollEntry.objects.filter(campaign=reserve).count()
    assert roll >= round(demo_members.ROLL_2019 * SMALL / demo.DEFAULT_MEMBERS)
    ballots = Ballot.objects.filter(campaign=reserve).count()
    assert ballots == min(
        demo_primaries.RESERVE_VOTERS, round(roll * demo_primaries.RESERVE_TURNOUT)
    )

    # The open campaign is voting now, until a working day a week ahead.
    campaign = Campaign.objects.get(slug=demo_primaries.OPEN_SLUG)
    assert campaign.status == Campaign.Status.VOTING
    assert campaign.voting_starts < timezone.now() < campaign.voting_ends
    for deadline in (
        timezone.localtime(campaign.voting_ends).date(),
        campaign.results_date,
        campaign.complaints_end,
    ):
        assert cal.is_working_day(deadline), deadline

    _the_reviews_hold_on_the_day(day, output)


def _the_reviews_hold_on_the_day(day, output):
    """Last year's finished review and the running one the demo leader works through."""
    finished, running = Review.objects.order_by("opened_on")
    assert finished.state == Review.State.CLOSED and finished.closed_on.year == day.year - 1
    assert finished.unanswered_at_close == finished.items.filter(answer="").count() > 0
    assert sum(finished.figures_before.values()) == finished.items.count()
    changed = finished.items.filter(answer__in=review.CHANGING).select_related("member")
    # Every member on its roll whose membership ended in its window is one of its answers.
    window = (finished.opened_on, finished.closed_on)
    ended = Member.objects.filter(pk__in=finished.items.values("member_id"), left_on__gt=window[0])
    ended = ended.filter(left_on__lte=window[1])
    answers = finished.items.filter(member__in=ended)
    assert answers.count() == ended.count()
    assert not answers.filter(answer__in=["", "confirmed", "moved"]).exists()
    for item in changed:
        assert finished.opened_on < item.answered_on <= finished.closed_on
        if item.answer != ReviewItem.Answer.MOVED:
            assert item.member.left_on == item.answered_on
    assert finished.figures_after["active"] < finished.figures_before["active"]

    assert running.is_open and running.opened_on < day < running.deadline
    assert set(running.items.exclude(answer="").values_list("answer", flat=True)) == {"confirmed"}
    leader = User.objects.get(username="leader")
    mine = running.items.filter(poo=leader.poo)
    assert mine.exclude(answer="").count() == demo_review.LEADER_CONFIRMED
    assert mine.filter(answer="").count() > 0
    _overall, _branches, poos = review.progress(Scope(leader), running, day)
    assert [p.key for p in poos] == [leader.poo_id] and poos[0].late
    _overall, _branches, district = review.progress(
        Scope(User.objects.get(username="secretary")), running, day
    )
    assert any(p.late for p in district) and any(p.percent == 100 for p in district)
    assert f"Review «{running.title}» (Running)" in output
    # The demo member is on the roll and can confirm their contacts in their cabinet.
    assert review.own_open_item(User.objects.get(username="member")) is not None

    # Outreach: the announced meeting lies ahead of the day, planned, its supporters invited.
    from bastau.demo import voice_outreach as demo_outreach
    from bastau.voice.outreach.models import Event

    upcoming = Event.objects.get(title=demo_outreach.UPCOMING_TITLE)
    assert upcoming.date == day + dt.timedelta(days=demo_outreach.UPCOMING_IN_DAYS)
    assert upcoming.reach is None and upcoming.invitations.exists()
    assert upcoming.campaign.starts_on <= upcoming.date <= upcoming.campaign.ends_on

    # The demo leader works through it: a member who wishes to leave ends as left today.
    item = mine.filter(answer="").select_related("member").first()
    review.answer_item(Scope(leader), item, answer=ReviewItem.Answer.WISHES_TO_LEAVE, today=day)
    member = Member.objects.get(pk=item.member_id)
    assert member.status == Member.Status.LEFT and member.left_on == day

    # The youth programme «Жастар — Отанға!»: drawn from the youth survey and adopted by the
    # wing's congress held after the survey opened, before the day.
    youth = demo_agenda._youth_programme().get()
    adopted = agenda_services.adopted_version(youth)
    assert adopted.congress.wing == youth.youth_wing and adopted.adopted_on == adopted.congress.date
    assert youth.survey.opens_on < adopted.submitted_on <= adopted.congress.date < day
    assert youth.items.filter(deadline__gt=day).count() == youth.items.count() > 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("05.12.2026", "YYYY-MM-DD"),
        ("2026-02-30", "YYYY-MM-DD"),
        ("tomorrow", "YYYY-MM-DD"),
        ("2019-06-01", "between 2020-01-01"),
    ],
)
def test_a_bad_day_is_refused_with_a_clear_message(db, value, message):
    with pytest.raises(CommandError, match=message):
        call_command("seed_demo", members=SMALL, today=value, stdout=io.StringIO())
    assert not demo.is_seeded()


def test_the_command_line_takes_the_day(db, settings):
    """`bastau seed_demo --today D` as typed: the clock runs from that day while it seeds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    call_command("seed_demo", "--members", str(SMALL), "--today", "2031-03-20", stdout=out)
    assert "as of 20.03.2031" in out.getvalue()
    meeting = Meeting.objects.get(kind=Meeting.Kind.ACTIVISTS)
    assert meeting.created_at.date() == meeting.date  # recorded on its (simulated) day
    latest = Member.objects.order_by("-joined_on").first()
    assert latest.joined_on <= dt.date(2031, 3, 20)
    assert Member.objects.filter(joined_on__year=2031).exists()
