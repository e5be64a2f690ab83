"""Supporters invited to an upcoming outreach event: who is invited (consent in force, the
event's place, the inviter's scope, the kind asked for), at most once, and the messages the
task sends (SMS and email, in the supporter's language, with the withdrawal link); a
withdrawn supporter gets nothing, even when the withdrawal comes after the invitation."""

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.core import sms
from bastau.voice.outreach import services as s
from bastau.voice.outreach import tasks
from bastau.voice.outreach.models import Event, Invitation
from bastau.voice.people import services as people
from bastau.voice.people.models import Supporter

from ...factories.voice import build, supporter

pytestmark = pytest.mark.django_db


@pytest.fixture
def outboxes():
    mail.outbox.clear()
    sms.outbox.clear()
    return mail.outbox, sms.outbox


def _statuses(event):
    return dict(Invitation.objects.filter(event=event).values_list("supporter_id", "status"))


def test_inviting_sends_to_each_consenting_supporter_of_the_district_once(world, outboxes):
    w = build(world)
    today = timezone.localdate()
    emails, texts = outboxes
    n = s.invite_supporters(Scope(w.secretary), w.upcoming, today=today)
    # The district's supporter and volunteer; not the withdrawn one, not the other district's.
    assert n == 2
    assert _statuses(w.upcoming) == {
        w.supporter.pk: Invitation.Status.SENT,
        w.volunteer.pk: Invitation.Status.SENT,
    }
    assert {m.to for m in texts} == {w.supporter.phone, w.volunteer.phone}
    assert [m.to for m in emails] == [[w.supporter.email]]  # the volunteer has no email
    text = next(m.text for m in texts if m.to == w.supporter.phone)
    assert "Праймериз туралы кездесу" in text and w.upcoming.date.strftime("%d.%m.%Y") in text
    assert "Қандыағаш, Мәдениет үйі" in text
    assert f"/people/withdraw/?code={w.supporter.withdrawal_code}" in text
    assert f"?code={w.supporter.withdrawal_code}" in emails[0].body
    assert s.invitation_counts(w.upcoming) == {"invited": 2, "sent": 2, "queued": 0, "not_sent": 0}
    # A second invitation finds no one new: nobody is invited or written to twice.
    with pytest.raises(ValidationError):
        s.invite_supporters(Scope(w.admin), w.upcoming, today=today)
    assert len(texts) == 2 and Invitation.objects.filter(event=w.upcoming).count() == 2


def test_the_message_is_in_the_supporters_language(world, outboxes):
    w = build(world)
    today = timezone.localdate()
    emails, texts = outboxes
    ru = supporter(
        Scope(w.secretary),
        w.district,
        today,
        last_name="Иванова",
        phone="+77015550199",
        email="ru@example.kz",
        language=Supporter.Language.RUSSIAN,
    )
    s.invite_supporters(Scope(w.secretary), w.upcoming, today=today, by_email=False)
    by_phone = {m.to: m.text for m in texts}
    assert by_phone[ru.phone].startswith("Приглашение")
    assert by_phone[w.supporter.phone].startswith("Шақыру")
    assert not emails  # SMS only was asked for


def test_filtering_by_kind_and_channel(world, outboxes):
    w = build(world)
    today = timezone.localdate()
    emails, texts = outboxes
    # Volunteers by email: the only volunteer has no email, so no one is left to invite.
    with pytest.raises(ValidationError):
        s.invite_supporters(
            Scope(w.secretary), w.upcoming, today=today, kind="volunteer", by_sms=False
        )
    assert s.invite_supporters(Scope(w.secretary), w.upcoming, today=today, kind="volunteer") == 1
    assert set(_statuses(w.upcoming)) == {w.volunteer.pk}
    assert [m.to for m in texts] == [w.volunteer.phone] and not emails


def test_bad_input_changes_nothing(world, outboxes):
    w = build(world)
    today = timezone.localdate()
    sec = Scope(w.secretary)
    cases = [
        (sec, w.upcoming, {"by_sms": False, "by_email": False}, "by_sms"),
        (sec, w.upcoming, {"kind": "member"}, "kind"),
        (sec, w.sec_event, {}, "__all__"),  # held already
        (sec, w.upcoming, {"today": w.upcoming.date + dt.timedelta(days=1)}, "__all__"),
    ]
    for scope, event, change, field in cases:
        with pytest.raises(ValidationError) as exc:
            s.invite_supporters(scope, event, **({"today": today} | change))
        assert field in exc.value.message_dict, change
    with pytest.raises(PermissionDenied):
        s.invite_supporters(Scope(w.other_secretary), w.upcoming, today=today)
    with pytest.raises(PermissionDenied):
        s.invite_supporters(Scope(w.leader), w.upcoming, today=today)  # not their POO's event
    assert not Invitation.objects.filter(event__in=[w.upcoming, w.sec_event]).exists()
    assert outboxes == ([], [])


def test_a_poo_leader_invites_the_supporters_of_their_poo(world, outboxes):
    w = build(world)
    today = timezone.localdate()
    event = s.record_event(
        Scope(w.leader),
        w.campaign,
        kind=Event.Kind.YARD_MEETING,
        date=today + dt.timedelta(days=1),
        title="Аула жиналысы",
        branch=None,
        poo=w.poo,
        reach=None,
        today=today,
    )
    assert s.invite_supporters(Scope(w.leader), event, today=today) == 1
    assert set(_statuses(event)) == {w.supporter.pk}


def test_a_supporter_who_withdraws_before_the_send_gets_nothing(world, outboxes):
    w = build(world)
    today = timezone.localdate()
    emails, texts = outboxes
    # The worker is busy: the invitations wait in the queue.
    with mock.patch.object(tasks, "send_event_invitations") as queued:
        s.invite_supporters(Scope(w.secretary), w.upcoming, today=today)
    queued.enqueue.assert_called_once_with(w.upcoming.pk)
    assert set(_statuses(w.upcoming).values()) == {Invitation.Status.QUEUED}
    people.withdraw_by_code(w.supporter.withdrawal_code, on=today)
    result = s.send_invitations(w.upcoming.pk, today)
    assert (result.sent, result.not_sent) == (1, 1)
    assert _statuses(w.upcoming) == {
        w.supporter.pk: Invitation.Status.NOT_SENT,
        w.volunteer.pk: Invitation.Status.SENT,
    }
    assert [m.to for m in texts] == [w.volunteer.phone] and not emails
    # Running the task again sends nothing more.
    assert tasks.send_event_invitations.call(w.upcoming.pk) == 0
    assert len(texts) == 1


def test_nothing_is_sent_once_the_event_has_passed(world, outboxes):
    w = build(world)
    today = timezone.localdate()
    with mock.patch.object(tasks, "send_event_invitations"):
        s.invite_supporters(Scope(w.secretary), w.upcoming, today=today)
    result = s.send_invitations(w.upcoming.pk, w.upcoming.date + dt.timedelta(days=1))
    assert (result.sent, result.not_sent) == (0, 2)
    assert outboxes == ([], [])
    assert s.invitation_counts(w.upcoming)["not_sent"] == 2


def test_a_failing_provider_marks_the_invitation_not_sent(world, outboxes):
    w = build(world)
    today = timezone.localdate()
    with mock.patch.object(tasks, "send_event_invitations"):
        s.invite_supporters(Scope(w.secretary), w.upcoming, today=today, by_email=False)
    with mock.patch("bastau.voice.outreach.services.send_sms", side_effect=OSError("down")):
        result = s.send_invitations(w.upcoming.pk, today)
    assert result.failures == 2 and result.sent == 0
    assert set(_statuses(w.upcoming).values()) == {Invitation.Status.NOT_SENT}
