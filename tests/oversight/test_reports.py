"""The reporting schedule: approve, add, postpone, record, overdue; questions to appeals."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bastau.accounts.scoping import Scope
from bastau.oversight import services, statistics
from bastau.oversight.models import ReportQuestion, ScheduledReport
from bastau.reception.models import Appeal, Topic

TODAY = dt.date(2024, 4, 15)


@pytest.fixture
def sched(ow):
    ow.schedule = services.create_schedule(
        Scope(ow.secretary),
        maslikhat=ow.maslikhat,
        title="2024 I жартыжылдық",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 6, 30),
        approved_on=dt.date(2023, 12, 20),
    )
    ow.report = services.add_report(
        Scope(ow.faction_secretary),
        ow.schedule,
        deputy=ow.deputy,
        date=dt.date(2024, 4, 10),
        place="Кандыагаш, мәдениет үйі",
        audience="Residents",
        topic="Бюджет шығыстары туралы есеп",
    )
    return ow


def test_schedule_is_approved_by_the_branch(sched):
    assert sched.schedule.approved_by == sched.secretary
    assert sched.report.first_date == sched.report.date
    assert sched.report.status == ScheduledReport.Status.SCHEDULED


def test_report_checks(sched):
    scope = Scope(sched.faction_secretary)
    with pytest.raises(ValidationError) as exc:
        services.add_report(
            scope, sched.schedule, deputy=sched.deputy, date=dt.date(2024, 7, 1), place="",
            topic="",
        )  # fmt: skip
    assert {"date", "place", "topic"} <= set(exc.value.message_dict)


def test_overdue_flags_open_reports_whose_date_passed(sched):
    scope = Scope(sched.faction_secretary)
    later = services.add_report(
        scope, sched.schedule, deputy=sched.deputy, date=dt.date(2024, 5, 20), place="Hall",
        topic="Budget",
    )  # fmt: skip
    assert list(services.overdue(scope, TODAY)) == [sched.report]
    assert sched.report.is_overdue(TODAY) and not later.is_overdue(TODAY)
    assert services.overdue(Scope(sched.other_faction_secretary), TODAY).count() == 0
    counts = statistics.report_counts(scope, today=TODAY)
    assert counts["total"] == 2 and counts["overdue"] == 1 and counts["scheduled"] == 2


def test_postpone_moves_the_date_and_keeps_it_open(sched):
    scope = Scope(sched.faction_secretary)
    report = services.postpone(
        scope, sched.report, new_date=dt.date(2024, 4, 25), reason="Flood", today=TODAY
    )
    assert report.status == ScheduledReport.Status.POSTPONED
    assert report.first_date == dt.date(2024, 4, 10)
    assert report.date == dt.date(2024, 4, 25)
    assert report.postpone_count == 1
    assert services.overdue(scope, TODAY).count() == 0
    assert list(services.overdue(scope, dt.date(2024, 4, 26))) == [report]
    with pytest.raises(ValidationError):
        services.postpone(scope, report, new_date=dt.date(2024, 4, 1), reason="x", today=TODAY)
    with pytest.raises(ValidationError):
        services.edit_report(scope, report, changes={"date": dt.date(2024, 5, 5)})


def test_record_held_with_questions(sched):
    scope = Scope(sched.faction_secretary)
    report = services.record_outcome(
        scope,
        sched.report,
        held=True,
        attendance=85,
        questions=["Мектептің шатырын қашан жөндейді?", " ", "Жол жөндеу қашан басталады?"],
        today=TODAY,
    )
    assert report.status == ScheduledReport.Status.HELD
    assert report.held_on == dt.date(2024, 4, 10)
    assert report.recorded_by == sched.faction_secretary
    assert report.questions.count() == 2
    assert services.overdue(scope, TODAY).count() == 0
    with pytest.raises(ValidationError):  # recorded once
        services.record_outcome(scope, report, held=False, today=TODAY)
    with pytest.raises(ValidationError):
        services.edit_report(scope, report, changes={"place": "Elsewhere"})
    q = services.add_question(scope, report, text="Су құбыры?", asked_by="Ержан")
    assert q.report == report


def test_record_checks(sched):
    scope = Scope(sched.faction_secretary)
    with pytest.raises(ValidationError) as exc:
        services.record_outcome(scope, sched.report, held=True, today=TODAY)
    assert "attendance" in exc.value.message_dict
    with pytest.raises(ValidationError):  # a future report cannot be missed yet
        services.record_outcome(scope, sched.report, held=False, today=dt.date(2024, 4, 1))
    missed = services.record_outcome(scope, sched.report, held=False, today=TODAY)
    assert missed.status == ScheduledReport.Status.MISSED
    with pytest.raises(ValidationError):
        services.add_question(scope, missed, text="?")


def test_question_to_appeal_links_not_copies(sched):
    held = services.record_outcome(
        Scope(sched.faction_secretary),
        sched.report,
        held=True,
        attendance=40,
        questions=["Ауылдағы жолды жөндеу қашан басталады?"],
        today=TODAY,
    )
    question = held.questions.get()
    topic = Topic.objects.get(code="social_aid")
    before_questions = ReportQuestion.objects.count()
    appeal = services.question_to_appeal(
        Scope(sched.secretary),
        question,
        topic=topic,
        applicant={"applicant_name": "Ержан Қасымов", "applicant_phone": "+7 701 555 44 33"},
    )
    question.refresh_from_db()
    assert question.appeal == appeal  # the link
    assert Appeal.objects.get(pk=appeal.pk).deputy_question == question
    assert ReportQuestion.objects.count() == before_questions  # nothing copied
    assert appeal.channel == Appeal.Channel.DEPUTY_MEETING
    assert appeal.receiving_branch == sched.district
    assert appeal.registered_on == held.held_on
    assert appeal.text == question.text
    assert appeal.events.get(kind="registered").comment.startswith("Question raised at the report")
    with pytest.raises(ValidationError):  # once only
        services.question_to_appeal(
            Scope(sched.secretary), question, topic=topic,
            applicant={"applicant_name": "Ержан"},
        )  # fmt: skip
    assert Appeal.objects.count() == 1


def test_question_to_appeal_needs_the_reception_right(sched):
    held = services.record_outcome(
        Scope(sched.faction_secretary), sched.report, held=True, attendance=1,
        questions=["Question text long enough"], today=TODAY,
    )  # fmt: skip
    question = held.questions.get()
    topic = Topic.objects.get(code="social_aid")
    # A faction secretary records reports but does not handle the reception's appeals.
    with pytest.raises(PermissionDenied):
        services.question_to_appeal(
            Scope(sched.faction_secretary), question, topic=topic,
            applicant={"applicant_name": "A"},
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.question_to_appeal(
            Scope(sched.other_secretary), question, topic=topic,
            applicant={"applicant_name": "A"},
        )  # fmt: skip
    question.refresh_from_db()
    assert question.appeal is None and Appeal.objects.count() == 0
