"""The demo's youth-needs survey (src/bastau/demo/voice_surveys.py), seeded into a small
region built here: 13 branches named as the demo's, with young and older members. The step is
also seeded by `bastau seed_demo` with the rest of the demo (tests/test_seed_demo.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from bastau import demo
from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.demo import voice_surveys as step
from bastau.lib.dates import add_years
from bastau.structure.models import Branch
from bastau.voice.surveys import services
from bastau.voice.surveys.models import Participation, Response, Survey, SurveyTopic, Tally

from ... import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    today = timezone.localdate()
    region = f.branch(kind=Branch.Kind.REGION, name="Ақтөбе облысы", code=demo.REGION_CODE)
    codes = [step.CITY] + [f"district-{i:02d}" for i in range(12)]
    members = []
    for i, code in enumerate(codes):
        branch = f.branch(
            kind=Branch.Kind.CITY if code == step.CITY else Branch.Kind.DISTRICT,
            parent=region,
            name=f"Аудан {i}",
            code=code,
        )
        poo = f.poo(branch)
        for k in range(14):
            age = 16 + (k * 3 + i) % 19 if k < 11 else 50  # 11 young, 3 older a branch
            members.append(
                f.member(
                    poo,
                    sex="F" if k % 2 else "M",
                    birth_date=add_years(today, -age) - dt.timedelta(days=40),
                )
            )
    f.user(Role.REGIONAL_ADMIN, branch=region, username="admin")
    f.user(Role.MEMBER, member=members[0], username="member")
    return region, members


def test_the_youth_survey_of_the_demo(region):
    today = timezone.localdate()
    ctx = demo.DemoContext(today=today, log=lambda *_a: None)
    assert not step.is_done(ctx)
    step.seed(ctx)
    assert step.is_done(ctx)
    survey = Survey.objects.get(title=step.TITLE)
    assert survey.is_open_on(today) and survey.anonymous and survey.public_results
    young = services.audience_members(survey).count()
    assert young == 13 * 11
    answers = Response.objects.filter(survey=survey).count()
    # Most young members but never the demo member (the demo has fewer than 3,000 here).
    assert young * 0.7 <= answers <= young - 1
    assert Participation.objects.filter(survey=survey).count() == answers
    # Every district answered; the demo member has not, and finds the survey open.
    assert len(services.respondents_by_district(survey)) == 13
    member = region[1][0]
    assert [s.pk for s in services.open_for_member(member.pk, today)] == [survey.pk]
    assert not Participation.objects.filter(survey=survey, member=member).exists()
    # The tallies are a true count; needs are visible by district and age group.
    kept = sorted(Tally.objects.filter(survey=survey).values_list("slot", "count"))
    services.rebuild_tally(survey)
    assert sorted(Tally.objects.filter(survey=survey).values_list("slot", "count")) == kept
    result = services.results(survey, by="age")
    assert result.questions[0].answered == answers
    assert {c.key for c in result.columns} >= {"14-17", "18-24", "25-29", "30-34"}
    # Proposals in free text, most tagged into the four topics.
    topics = services.topic_counts(survey)
    assert {t.name for t in topics} == {t[0] for t in step.TOPICS}
    assert sum(t.n for t in topics) > 0
    assert step.summary(ctx)[0].startswith("Youth-needs survey:")
    # The regional administrator sees the results; reset removes everything.
    assert services.results(survey, by="district").respondents.total == answers
    assert Scope(ctx.user("admin")).is_regional_admin
    step.reset(ctx)
    assert not Survey.objects.filter(title=step.TITLE).exists()
    assert not SurveyTopic.objects.exists() and not Tally.objects.exists()


def test_the_full_demo_shows_top_needs_at_its_size(region):
    """At the full demo's size the step writes about 3,000 answers (here: all it can)."""
    ctx = demo.DemoContext(today=timezone.localdate(), members=demo.DEFAULT_MEMBERS)
    ctx.log = lambda *_a: None
    step.seed(ctx)
    survey = Survey.objects.get(title=step.TITLE)
    need = services.results(survey, by="district").questions[0]
    top = max(need.rows, key=lambda r: r.total)
    assert top.code in {"jobs", "housing", "education"} and top.total > 0
