"""Scheduled survey reminders: the schedule rule, the daily `bastau survey_reminders` job
(sends only when due, never twice a day, never for draft or closed surveys, only to those who
have not answered), and the schedule on the survey form in Kazakh and Russian."""

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.core import sms
from bastau.core.models import AuditEvent
from bastau.members.models import Member
from bastau.voice.people import services as people
from bastau.voice.surveys import rules, supporters
from bastau.voice.surveys import services as s
from bastau.voice.surveys.models import SupporterInvite, Survey

from ...factories.surveys import answer_data, build
from .test_supporters import _supporter, survey_of_supporters  # noqa: F401 (a fixture)

D = dt.date
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))


@pytest.mark.parametrize(
    ("today", "every", "sent_on", "reminded_on", "closes_on", "due"),
    [
        (D(2026, 12, 10), 0, D(2026, 12, 1), None, D(2026, 12, 31), False),  # no schedule
        (D(2026, 12, 10), 3, None, None, D(2026, 12, 31), False),  # never invited
        (D(2026, 12, 3), 3, D(2026, 12, 1), None, D(2026, 12, 31), False),  # 2 days only
        (D(2026, 12, 4), 3, D(2026, 12, 1), None, D(2026, 12, 31), True),  # 3 days
        (D(2026, 12, 20), 3, D(2026, 12, 1), None, D(2026, 12, 31), True),  # long overdue
        (D(2026, 12, 7), 7, D(2026, 12, 1), None, D(2026, 12, 31), False),
        (D(2026, 12, 8), 7, D(2026, 12, 1), None, D(2026, 12, 31), True),
        # Counted from the last reminder, and a reminder today is not due again today.
        (D(2026, 12, 6), 3, D(2026, 12, 1), D(2026, 12, 4), D(2026, 12, 31), False),
        (D(2026, 12, 7), 3, D(2026, 12, 1), D(2026, 12, 4), D(2026, 12, 31), True),
        (D(2026, 12, 7), 3, D(2026, 12, 1), D(2026, 12, 7), D(2026, 12, 31), False),
        # Invitations sent again after a reminder: counted from the invitations.
        (D(2026, 12, 9), 3, D(2026, 12, 7), D(2026, 12, 4), D(2026, 12, 31), False),
        # Not on the closing day (nor after): the survey must still be open the next day.
        (D(2026, 12, 31), 3, D(2026, 12, 1), D(2026, 12, 20), D(2026, 12, 31), False),
        (D(2026, 12, 30), 3, D(2026, 12, 1), D(2026, 12, 20), D(2026, 12, 31), True),
        (D(2027, 1, 2), 3, D(2026, 12, 1), D(2026, 12, 20), D(2026, 12, 31), False),
    ],
)
def test_reminder_due(today, every, sent_on, reminded_on, closes_on, due):
    assert (
        rules.reminder_due(
            today, every=every, sent_on=sent_on, reminded_on=reminded_on, closes_on=closes_on
        )
        is due
    )


@pytest.fixture
def day():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _run() -> str:
    out = io.StringIO()
    call_command("survey_reminders", stdout=out)
    return out.getvalue()


def _outbox():
    return sorted(m.to for m in sms.outbox), sorted(tuple(m.to) for m in mail.outbox)


@pytest.mark.django_db
def test_the_daily_job_reminds_those_who_have_not_answered_when_due_once_a_day(day, world):
    w = build(world)
    start = timezone.localdate()
    assert start == NOW.date()
    Member.objects.filter(pk=w.other_member.pk).update(email="other@example.kz")
    Survey.objects.filter(pk=w.survey.pk).update(remind_every=3)
    # No invitations yet: nothing to remind.
    assert _run().startswith("0 surveys reminded")
    assert _outbox() == ([], [])
    s.send_messages(w.survey.pk, start)  # the staff's "send" button
    s.submit_member_answer(Scope(w.member_user), w.survey, answer_data(w), today=start)
    sms.outbox.clear()
    mail.outbox.clear()

    for days in (1, 2):
        day.move_to(NOW + dt.timedelta(days=days))
        _run()
        assert _outbox() == ([], [])
    day.move_to(NOW + dt.timedelta(days=3))
    assert _run().startswith("1 surveys reminded; 1 recipients; 1 emails, 1 SMS")
    # Only the young member who has not answered, by SMS and by email.
    assert _outbox() == ([w.other_member.phone], [("other@example.kz",)])
    assert s.survey_link(w.survey) in sms.outbox[0].text
    survey = Survey.objects.get(pk=w.survey.pk)
    assert survey.reminded_on == start + dt.timedelta(days=3) and survey.sent_on == start
    assert AuditEvent.objects.filter(action="survey.reminders_sent").count() == 1
    # A second run the same day (a restart, cron and run_periodic both) sends nothing.
    _run()
    assert len(sms.outbox) == 1 and len(mail.outbox) == 1
    day.move_to(NOW + dt.timedelta(days=5))
    _run()
    assert len(sms.outbox) == 1
    day.move_to(NOW + dt.timedelta(days=6))
    _run()
    assert len(sms.outbox) == 2 and len(mail.outbox) == 2
    assert AuditEvent.objects.filter(action="survey.reminders_sent").count() == 2


@pytest.mark.django_db
def test_supporters_are_reminded_unless_they_answered_or_withdrew(day, survey_of_supporters):  # noqa: F811
    w = survey_of_supporters
    start = timezone.localdate()
    cara = _supporter(w, "Жақсыбекова", "+77011112266")
    Survey.objects.filter(pk=w.s_survey.pk).update(remind_every=3)
    assert s.send_messages(w.s_survey.pk, start).recipients == 3
    invite = SupporterInvite.objects.get(survey=w.s_survey, supporter=w.ana)
    supporters.submit(invite, {w.s_need.key: "1"}, today=start)
    people.withdraw_by_code(cara.withdrawal_code, on=start)
    sms.outbox.clear()
    day.move_to(NOW + dt.timedelta(days=3))
    _run()
    assert [m.to for m in sms.outbox] == [w.bota.phone]
    _run()
    assert len(sms.outbox) == 1


@pytest.mark.django_db
def test_a_weekly_schedule_stops_before_the_closing_day(day, world):
    w = build(world)
    start = timezone.localdate()
    Survey.objects.filter(pk=w.survey.pk).update(
        remind_every=7, sent_on=start, closes_on=start + dt.timedelta(days=7)
    )
    day.move_to(NOW + dt.timedelta(days=6))
    _run()
    assert sms.outbox == []
    day.move_to(NOW + dt.timedelta(days=7))  # the closing day: too late for a reminder
    _run()
    assert sms.outbox == []
    Survey.objects.filter(pk=w.survey.pk).update(closes_on=start + dt.timedelta(days=8))
    _run()
    assert sorted(m.to for m in sms.outbox) == sorted(
        [w.other_member.phone, w.member_user.member.phone]
    )


@pytest.mark.django_db
def test_never_for_draft_closed_or_public_surveys_nor_without_a_schedule(day, world):
    w = build(world)
    start = timezone.localdate()
    long_ago = start - dt.timedelta(days=3)
    Survey.objects.filter(pk=w.other_survey.pk).update(remind_every=3, sent_on=long_ago)  # draft
    Survey.objects.filter(pk=w.district_survey.pk).update(
        remind_every=3, sent_on=long_ago, status=Survey.Status.CLOSED
    )
    Survey.objects.filter(pk=w.public_survey.pk).update(remind_every=3, sent_on=long_ago)
    Survey.objects.filter(pk=w.survey.pk).update(remind_every=0, sent_on=long_ago)
    assert _run().startswith("0 surveys reminded")
    assert _outbox() == ([], [])
    assert not Survey.objects.filter(reminded_on__isnull=False).exists()
    # The same open survey with a schedule is reminded: the refusals above are not by chance.
    Survey.objects.filter(pk=w.survey.pk).update(remind_every=3)
    assert _run().startswith("1 surveys reminded")
    assert list(Survey.objects.filter(reminded_on=start).values_list("pk", flat=True)) == [
        w.survey.pk
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "label", "off", "every", "shown", "heading"),
    [
        (
            "kk",
            "Жауап бермегендерге еске салу",
            "Жоспарлы еске салу жоқ",
            3,
            "Әр 3 күн сайын",
            "Жоспарлы еске салу",
        ),
        (
            "ru",
            "Напоминать тем, кто не ответил",
            "Без напоминаний по расписанию",
            7,
            "Каждые 7 дней",
            "Напоминания по расписанию",
        ),
    ],
)
def test_the_schedule_on_the_survey_form_and_page_in_kazakh_and_russian(
    client, world, day, language, label, off, every, shown, heading
):
    w = build(world)
    client.force_login(w.secretary)
    page = client.get(
        reverse("surveys:edit", args=[w.district_survey.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert 'name="remind_every"' in page and label in page
    assert off in page and shown in page
    assert "Every 3 days" not in page and "remind those" not in page
    # The survey's page shows the schedule once set.
    survey_url = reverse("surveys:survey", args=[w.district_survey.pk])
    page = client.get(survey_url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert heading not in page and shown not in page
    Survey.objects.filter(pk=w.district_survey.pk).update(remind_every=every)
    page = client.get(survey_url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert heading in page and shown in page and "Scheduled reminders" not in page


@pytest.mark.django_db
def test_the_schedule_is_saved_by_those_who_may_edit_the_survey_only(client, world, day):
    w = build(world)
    survey = w.district_survey
    data = {
        "title": survey.title,
        "title_ru": survey.title_ru,
        "branch": survey.branch_id,
        "audience": survey.audience,
        "youth_age_limit": "35",
        "opens_on": survey.opens_on.isoformat(),
        "closes_on": survey.closes_on.isoformat(),
        "remind_every": "7",
    }
    client.force_login(w.other_secretary)
    response = client.post(reverse("surveys:edit", args=[survey.pk]), data)
    assert response.status_code in (403, 404)
    assert Survey.objects.get(pk=survey.pk).remind_every == 0
    client.force_login(w.secretary)
    response = client.post(reverse("surveys:edit", args=[survey.pk]), data)
    assert response.status_code == 302
    assert Survey.objects.get(pk=survey.pk).remind_every == 7
    # A form posted without the field keeps no schedule rather than failing.
    data.pop("remind_every")
    assert client.post(reverse("surveys:edit", args=[survey.pk]), data).status_code == 302
    assert Survey.objects.get(pk=survey.pk).remind_every == 0
