"""The register and the programme's actions: links, counts, merging, versions, adoption by a
meeting's decision, tracking."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.activity import services as activity_services
from bastau.core.models import AuditEvent
from bastau.voice.agenda import logic
from bastau.voice.agenda import services as s
from bastau.voice.agenda.models import Issue, IssueEvent, IssueSource, ProgrammeVersion

from .conftest import item_data

pytestmark = pytest.mark.django_db


def test_people_are_counted_once_across_a_set_single_appeals_and_questions(aw):
    w, sec = aw, Scope(aw.secretary)
    s.link_appeals(sec, w.issue, topic=w.topic, district=w.district)
    assert s.people_counts([w.issue.pk]) == {w.issue.pk: 3}
    # An appeal of the set linked on its own too is still one person.
    s.link_appeal(sec, w.issue, number=w.appeals[0].number)
    s.link_appeal(sec, w.issue, number=w.land_appeal.number)
    assert s.people_counts([w.issue.pk])[w.issue.pk] == 4
    s.link_question(sec, w.issue, question=w.question)
    s.link_decision(sec, w.issue, decision=w.item.decisions.first())
    counts = s.people_counts([w.issue.pk, w.other_issue.pk])
    assert counts == {w.issue.pk: 5, w.other_issue.pk: 0}
    # A question that became one of the issue's appeals is that appeal, counted once.
    w.question.appeal = w.appeals[1]
    w.question.save()
    assert s.people_counts([w.issue.pk])[w.issue.pk] == 4
    assert IssueEvent.objects.filter(issue=w.issue, kind="linked").count() == 5


def test_the_trend_counts_by_quarter_in_the_database(aw):
    w, sec = aw, Scope(aw.secretary)
    s.link_appeals(sec, w.issue, topic=w.topic, district=w.district)
    today = timezone.localdate()
    trend = s.issue_trend(w.issue, today)
    assert len(trend.points) == 8
    assert trend.points[-1].period == logic.quarter_label(today)
    recent = logic.quarter_label(today - dt.timedelta(days=2))
    assert {p.period: p.count for p in trend.points}[recent] == 3
    assert trend.total == 3


def test_links_outside_the_scope_are_refused_and_change_nothing(aw):
    w, sec = aw, Scope(aw.secretary)
    with pytest.raises(PermissionDenied):
        s.link_appeals(sec, w.issue, topic=w.topic, district=w.other_district)
    with pytest.raises(ValidationError):
        s.link_appeal(sec, w.issue, number=w.other_appeal.number)
    with pytest.raises(PermissionDenied):
        s.link_appeals(sec, w.other_issue, topic=w.topic, district=w.district)
    s.link_appeals(sec, w.issue, topic=w.topic, district=w.district)
    with pytest.raises(ValidationError):
        s.link_appeals(sec, w.issue, topic=w.topic, district=w.district)
    assert IssueSource.objects.count() == 1
    with pytest.raises(PermissionDenied):
        s.create_issue(Scope(w.leader), title="x", district=w.district)
    with pytest.raises(ValidationError):
        s.create_issue(sec, title="  ", district=w.district)


def test_merging_moves_links_and_commitments_and_keeps_the_duplicate(aw):
    w, sec = aw, Scope(aw.secretary)
    dup = s.create_issue(sec, title="Көмек кешігуі (қайталанған)", district=w.district)
    s.link_appeals(sec, w.issue, topic=w.topic, district=w.district)
    s.link_appeals(sec, dup, topic=w.topic, district=w.district)  # the same set: not doubled
    s.link_appeal(sec, dup, number=w.land_appeal.number)
    item = s.add_item(sec, w.district_programme, issues_answered=[dup], **item_data())
    s.merge_issues(sec, dup, w.issue)
    dup.refresh_from_db()
    assert dup.status == Issue.Status.MERGED and dup.merged_into == w.issue
    assert not dup.sources.exists()
    assert w.issue.sources.count() == 2
    assert s.people_counts([w.issue.pk])[w.issue.pk] == 4
    assert list(item.issues.all()) == [w.issue]
    assert dup.events.filter(kind="merged_into", other=w.issue).exists()
    assert w.issue.events.filter(kind="merged_from", other=dup).exists()
    assert AuditEvent.objects.filter(action="issue.merged").count() == 1
    with pytest.raises(ValidationError):
        s.merge_issues(sec, w.issue, dup)  # into a merged issue
    with pytest.raises(ValidationError):
        s.merge_issues(sec, w.issue, w.issue)
    with pytest.raises(PermissionDenied):
        s.merge_issues(sec, w.issue, w.other_issue)


def _adopt(w, programme, scope):
    version = s.create_version(scope, programme, note="Бірінші жоба")
    s.submit_version(scope, version, meeting=w.meeting if programme.branch == w.district else
                     _regional_meeting(w))  # fmt: skip
    return version


def _regional_meeting(w):
    if not hasattr(w, "regional_meeting"):
        w.regional_meeting = activity_services.create_meeting(
            Scope(w.admin), kind="conference", branch=w.region, date=timezone.localdate(),
            chair_name="Төраға",
        )  # fmt: skip
    return w.regional_meeting


def test_versions_differ_and_a_meeting_decision_adopts_the_submitted_one(aw):
    w, sec = aw, Scope(aw.secretary)
    first = s.add_item(sec, w.district_programme, issues_answered=[w.issue], **item_data())
    v1 = s.create_version(sec, w.district_programme)
    s.update_item(sec, first, issues_answered=[w.issue], **item_data(target="7", cost=150))
    s.add_item(sec, w.district_programme, issues_answered=[w.issue], **item_data(title="Екінші"))
    v2 = s.create_version(sec, w.district_programme, note="Мақсат өзгерді")
    diff = s.version_diff(v1, v2)
    assert [a["title"] for a in diff.added] == ["Екінші"]
    assert [(c.field, c.old, c.new) for c in diff.changed[0].changes] == [
        ("target", "10", "7"),
        ("cost", None, "150.0"),
    ]
    assert s.previous_version(v2) == v1

    s.submit_version(sec, v2, meeting=w.meeting)
    v2.refresh_from_db()
    assert v2.status == ProgrammeVersion.Status.SUBMITTED
    assert v2.agenda_item.meeting == w.meeting
    with pytest.raises(ValidationError):
        s.submit_version(sec, v2, meeting=w.meeting)
    # The decision is recorded through activity's own action (as from the meeting's page).
    activity_services.record_decision(sec, v2.agenda_item, text="Бағдарлама жобасы қабылдансын.")
    v2.refresh_from_db()
    assert v2.status == ProgrammeVersion.Status.ADOPTED
    assert v2.adopted_on == w.meeting.date and v2.decision.text.startswith("Бағдарлама")
    assert s.adopted_version(w.district_programme) == v2
    v1.refresh_from_db()
    assert v1.status == ProgrammeVersion.Status.DRAFT


def test_a_new_adoption_supersedes_the_old_and_publishing_needs_adoption(aw):
    w, admin = aw, Scope(aw.admin)
    s.add_item(admin, w.programme, issues_answered=[w.issue], **item_data())
    v1 = _adopt(w, w.programme, admin)
    with pytest.raises(ValidationError):
        s.publish_version(admin, v1)
    s.approve_at_meeting(admin, v1, text="Қабылдансын.")
    v1.refresh_from_db()
    assert v1.status == "adopted"
    s.publish_version(admin, v1)
    v2 = _adopt(w, w.programme, admin)
    s.approve_at_meeting(admin, v2, text="Жаңа нұсқа қабылдансын.")
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == ("superseded", "adopted")


def test_the_secretary_cannot_touch_another_programme_or_a_meeting_of_another_branch(aw):
    w, sec = aw, Scope(aw.secretary)
    with pytest.raises(PermissionDenied):
        s.add_item(sec, w.programme, issues_answered=[w.issue], **item_data())
    with pytest.raises(PermissionDenied):
        s.create_programme(sec, branch=w.other_district, title="x")
    s.add_item(sec, w.district_programme, issues_answered=[w.issue], **item_data())
    version = s.create_version(sec, w.district_programme)
    with pytest.raises(ValidationError):
        s.submit_version(sec, version, meeting=w.other_meeting)
    with pytest.raises(ValidationError):
        s.add_item(sec, w.district_programme, issues_answered=[w.other_issue], **item_data())
    with pytest.raises(ValidationError) as bad:
        s.add_item(sec, w.district_programme, issues_answered=[], **item_data(indicator=""))
    assert set(bad.value.message_dict) == {"indicator", "issues"}
    assert w.district_programme.items.count() == 1


def test_tracking_after_adoption_and_overdue_derived_from_today(aw):
    w, sec = aw, Scope(aw.secretary)
    today = timezone.localdate()
    late = s.add_item(sec, w.district_programme, issues_answered=[w.issue],
                      **item_data(deadline=today - dt.timedelta(days=1)))  # fmt: skip
    ok = s.add_item(sec, w.district_programme, issues_answered=[w.issue], **item_data())
    with pytest.raises(ValidationError):
        s.track_item(sec, ok, status="in_progress", today=today)  # not adopted yet
    version = _adopt(w, w.district_programme, sec)
    s.approve_at_meeting(sec, version, text="Қабылдансын.")
    s.track_item(sec, ok, status="in_progress", today=today,
                 budget_indicators=[w.indicator], deputy_reports=[w.held_report])  # fmt: skip
    s.add_evidence(sec, ok, text="Әкімдікпен кездесу өтті", url="https://example.kz/n/1",
                   date=today, today=today)  # fmt: skip
    with pytest.raises(ValidationError):
        s.add_evidence(sec, ok, text="x", date=today + dt.timedelta(days=1), today=today)
    with pytest.raises(ValidationError):
        s.track_item(sec, ok, status="done", today=today, budget_indicators=[w.other_indicator])
    ok.refresh_from_db()
    assert ok.status == "in_progress" and list(ok.budget_indicators.all()) == [w.indicator]
    assert late.state(today) == "overdue" and ok.state(today) == "in_progress"
    counts = s.state_counts(w.district_programme.items.all(), today)
    assert counts == {"overdue": 1, "in_progress": 1}
    # The same day a week earlier: nothing is overdue (time is a parameter).
    assert s.state_counts(w.district_programme.items.all(), today - dt.timedelta(days=7)) == {
        "planned": 1,
        "in_progress": 1,
    }
    s.track_item(sec, late, status="done", today=today)
    late.refresh_from_db()
    assert late.done_on == today and late.state(today) == "done"


def test_counting_people_takes_the_same_few_queries_for_any_number_of_issues(aw):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w, sec = aw, Scope(aw.secretary)
    issues = [w.issue] + [
        s.create_issue(sec, title=f"Мәселе {n}", district=w.district) for n in range(5)
    ]
    for issue in issues:
        s.link_appeals(sec, issue, topic=w.topic, district=w.district)
        s.link_appeal(sec, issue, number=w.land_appeal.number)
        s.link_question(sec, issue, question=w.question)
    with CaptureQueriesContext(connection) as two:
        s.people_counts([i.pk for i in issues[:2]])
    with CaptureQueriesContext(connection) as six:
        counts = s.people_counts([i.pk for i in issues])
    assert len(two) == len(six) <= 5
    assert set(counts.values()) == {5}
