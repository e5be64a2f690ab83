"""The demo's register and programme: built from the demo's appeals and deputies' questions,
a regional programme of 12-20 commitments adopted by a meeting's decision, two commitments on
track and one overdue. Seeded once as of the session clock (any date)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from bastau import demo
from bastau.accounts.models import User
from bastau.accounts.scoping import Scope
from bastau.demo import voice_agenda as demo_agenda
from bastau.voice.agenda import logic, permissions, services
from bastau.voice.agenda.models import Issue, IssueSource

HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def small_demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=HASHERS),
        transaction.atomic(),
    ):
        out = io.StringIO()
        call_command("seed_demo", members=3000, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo_db(small_demo, db):
    return small_demo


def test_the_register_is_built_from_appeals_and_questions(demo_db):
    assert "voice_agenda done" in demo_db
    issues = Issue.objects.filter(status="open")
    assert issues.count() >= demo_agenda.ISSUES
    assert IssueSource.objects.filter(kind="appeals").count() == demo_agenda.ISSUES
    assert IssueSource.objects.filter(kind="question").exists()
    surveyed = IssueSource.objects.filter(kind="survey").values_list("issue_id", flat=True)
    assert len(surveyed) >= 4
    counts = services.people_counts(issues.values_list("pk", flat=True))
    assert sum(counts.values()) > 100
    assert all(n > 0 for n in counts.values())
    assert all(counts[pk] > 0 for pk in surveyed)  # answers tagged with the survey's topics
    # The secretary sees the issues of Mugalzhar only.
    secretary = User.objects.get(username="secretary")
    mine = permissions.issues(Scope(secretary))
    assert set(mine.values_list("district_id", flat=True)) <= {secretary.branch_id}


def test_the_programme_is_adopted_at_a_meeting_with_two_on_track_and_one_overdue(demo_db):
    today = timezone.localdate()
    programme = demo_agenda._programme().get()
    assert 12 <= programme.items.count() <= 20
    version = services.adopted_version(programme)
    assert version.number == 2 and version.published_at is not None
    assert version.decision is not None
    assert version.adopted_on == version.agenda_item.meeting.date < today
    assert not services.version_diff(services.previous_version(version), version).empty
    states = services.state_counts(programme.items.all(), today)
    assert states[logic.OVERDUE] == 1
    assert states[logic.IN_PROGRESS] == 2
    assert all(i.issues.exists() for i in programme.items.all())


def test_the_youth_programme_is_drawn_from_the_survey_and_adopted_by_a_later_congress(demo_db):
    today = timezone.localdate()
    programme = demo_agenda._youth_programme().get()
    survey = programme.survey
    assert survey is not None and programme.youth_wing is not None
    assert programme.youth_wing.branch == programme.branch
    items = list(programme.items.prefetch_related("issues__sources"))
    assert 3 <= len(items) <= 8
    for item in items:
        assert item.indicator and item.target and item.deadline > today
        # Each commitment answers an issue made of the youth survey's topics.
        assert any(
            src.kind == "survey" and src.survey_topic.survey_id == survey.pk
            for issue in item.issues.all()
            for src in issue.sources.all()
        )
    version = services.adopted_version(programme)
    congress = version.congress
    assert congress is not None and congress.wing == programme.youth_wing
    assert version.decision is None and version.published_at is not None
    assert version.adopted_on == congress.date
    assert survey.opens_on < version.submitted_on <= congress.date < today
    assert today - congress.date < dt.timedelta(days=10)


def test_the_step_reruns_and_resets_cleanly(demo_db):
    ctx = demo.DemoContext(members=3000, log=lambda *_: None)
    assert demo_agenda.is_done(ctx)
    demo_agenda.reset(ctx)
    assert not demo_agenda.is_done(ctx)
    demo_agenda.seed(ctx)
    assert demo_agenda.is_done(ctx)
    assert services.adopted_version(demo_agenda._youth_programme().get()).congress_id
