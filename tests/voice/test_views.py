"""The pages of supporters, the youth wing and information work: what they show, what a post
does, and bad input answered in the user's language with nothing changed."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from bastau.core.models import AuditEvent
from bastau.voice.outreach.models import Event, Invitation
from bastau.voice.people.models import Supporter

from ..factories.voice import build, youth_programme

pytestmark = pytest.mark.django_db


def test_a_supporter_page_masks_contacts_for_a_leader_and_audits_a_secretary(client, world):
    w = build(world)
    url = reverse("people:supporter", args=[w.supporter.pk])
    client.force_login(w.leader)
    page = client.get(url).content.decode()
    assert "+77015550101" not in page and "0101" in page
    client.force_login(w.secretary)
    before = AuditEvent.objects.filter(action="supporter.personal_data_viewed").count()
    page = client.get(url).content.decode()
    assert "+77015550101" in page
    assert AuditEvent.objects.filter(action="supporter.personal_data_viewed").count() == before + 1


def test_the_public_withdrawal_page_erases_and_refuses_a_wrong_code_in_kazakh(client, world):
    w = build(world)
    client.cookies["bastau_language"] = "kk"
    url = reverse("people:withdraw")
    response = client.post(url, {"code": "wrong"}, HTTP_ACCEPT_LANGUAGE="kk")
    assert response.status_code == 200
    assert "Бұл кодпен келісім жоқ" in response.content.decode()
    assert Supporter.objects.get(pk=w.supporter.pk).status == Supporter.Status.ACTIVE
    response = client.post(url, {"code": w.supporter.withdrawal_code})
    assert 'id="withdrawn"' in response.content.decode()
    w.supporter.refresh_from_db()
    assert w.supporter.status == Supporter.Status.WITHDRAWN and w.supporter.last_name == ""


def test_registering_a_supporter_needs_the_consent_box(client, world):
    w = build(world)
    client.force_login(w.secretary)
    client.cookies["bastau_language"] = "ru"
    today = timezone.localdate().isoformat()
    data = {
        "kind": "volunteer",
        "last_name": "Смагулова",
        "first_name": "Мадина",
        "phone": "+77017770000",
        "branch": w.district.pk,
        "consent_given_on": today,
        "consent_channel": "paper",
    }
    count = Supporter.objects.count()
    response = client.post(reverse("people:supporter_new"), data)
    assert response.status_code == 200 and Supporter.objects.count() == count
    assert "Обязательное поле" in response.content.decode()
    response = client.post(
        reverse("people:supporter_new"), data | {"consent_confirmed": "on", "language": "ru"}
    )
    assert response.status_code == 302
    added = Supporter.objects.get(last_name="Смагулова", kind="volunteer")
    assert added.language == Supporter.Language.RUSSIAN


def test_a_recorded_event_shows_in_reach_against_plan(client, world):
    w = build(world)
    client.force_login(w.leader)
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("outreach:event_new", args=[w.campaign.pk]),
        {"kind": "yard_meeting", "date": today, "title": "Аула", "poo": w.poo.pk, "reach": "25"},
    )
    assert response.status_code == 302
    page = client.get(reverse("outreach:campaign", args=[w.campaign.pk])).content.decode()
    assert 'id="total-reach">85<' in page  # 60 + 25, the leader's POO only
    assert 'id="total-planned">150<' in page


@pytest.mark.parametrize(
    ("lang", "words"),
    [("kk", "Күн науқан мерзіміне"), ("ru", "Дата должна входить в сроки кампании")],
)
def test_bad_event_input_is_answered_in_the_readers_language_and_changes_nothing(
    client, world, lang, words
):
    w = build(world)
    client.force_login(w.secretary)
    client.cookies["bastau_language"] = lang
    count = Event.objects.count()
    response = client.post(
        reverse("outreach:event_new", args=[w.campaign.pk]),
        {
            "kind": "yard_meeting",
            "date": "2001-01-01",
            "title": "X",
            "branch": w.district.pk,
            "reach": "5",
        },
    )
    assert response.status_code == 200 and Event.objects.count() == count
    assert words in response.content.decode()


def test_the_counts_page_and_the_wing_page_show_the_figures(client, world):
    w = build(world)
    client.force_login(w.admin)
    page = client.get(reverse("people:counts")).content.decode()
    assert 'id="total-supporters">2<' in page and 'id="total-volunteers">1<' in page
    page = client.get(reverse("people:youth")).content.decode()
    assert 'id="wing-total">3<' in page and "«Жастар — Отанға!»" not in page
    youth_programme(w)  # the congress adopts the youth programme: the page now shows it
    page = client.get(reverse("people:youth")).content.decode()
    assert "«Жастар — Отанға!»" in page
    assert reverse("agenda:version", args=[w.youth_version.pk]) in page


def test_the_instruction_page_links_to_its_campaign(client, world):
    w = build(world)
    client.force_login(w.secretary)
    page = client.get(reverse("activity:instruction", args=[w.instruction.pk])).content.decode()
    assert reverse("outreach:campaign", args=[w.campaign.pk]) in page


def _row(page, event, cls):
    row = page.split(f'data-event="{event.pk}"')[1].split("</tr>")[0]
    return row.split(f'class="num {cls}">')[1].split("</td>")[0]


@pytest.mark.parametrize(
    ("lang", "planned", "invited_msg", "not_upcoming"),
    [
        (
            "kk",
            "Жоспарланған",
            "Жақтастар шақырылды",
            "Жақтастар тек алдағы іс-шараға шақырылады.",
        ),
        (
            "ru",
            "Запланировано",
            "Сторонники приглашены",
            "Сторонников приглашают только на предстоящее мероприятие.",
        ),
    ],
)
def test_an_upcoming_event_is_announced_and_its_supporters_invited(
    client, world, lang, planned, invited_msg, not_upcoming
):
    from django.core import mail

    from bastau.core import sms

    w = build(world)
    mail.outbox.clear()
    sms.outbox.clear()
    client.force_login(w.secretary)
    client.cookies["bastau_language"] = lang
    day = (timezone.localdate() + dt.timedelta(days=4)).isoformat()
    response = client.post(
        reverse("outreach:event_new", args=[w.campaign.pk]),
        {"kind": "citizens_meeting", "date": day, "title": "Кездесу", "branch": w.district.pk},
    )
    assert response.status_code == 302
    event = Event.objects.get(title="Кездесу")
    assert event.reach is None and response["Location"] == event.get_absolute_url()
    page = client.get(reverse("outreach:campaign", args=[w.campaign.pk])).content.decode()
    assert planned in _row(page, event, "reach")
    assert 'id="total-reach">200<' in page  # unchanged by the planned events
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'id="invited-count">0<' in page
    assert reverse("outreach:event_invite", args=[event.pk]) in page
    assert reverse("outreach:event_reach", args=[event.pk]) not in page  # not its day yet
    # Invite the volunteers only, by SMS.
    url = reverse("outreach:event_invite", args=[event.pk])
    response = client.post(url, {"kind": "volunteer", "by_sms": "on"}, follow=True)
    assert invited_msg in response.content.decode()
    assert 'id="invited-count">1<' in response.content.decode()
    assert 'id="sent-count">1<' in response.content.decode()
    assert [m.to for m in sms.outbox] == [w.volunteer.phone] and not mail.outbox
    page = client.get(reverse("outreach:campaign", args=[w.campaign.pk])).content.decode()
    assert (_row(page, event, "invited"), _row(page, event, "sent")) == ("1", "1")
    # Nothing ticked: a message in the reader's language, nothing changed.
    response = client.post(url, {"kind": ""})
    assert response.status_code == 200
    assert ("SMS, электрондық поштаны" if lang == "kk" else "Выберите SMS") in (
        response.content.decode()
    )
    # A held event takes no invitations.
    response = client.post(
        reverse("outreach:event_invite", args=[w.sec_event.pk]), {"by_sms": "on"}
    )
    assert response.status_code == 200 and not_upcoming in response.content.decode()
    assert Invitation.objects.filter(event__in=[event, w.sec_event]).count() == 1
    assert len(sms.outbox) == 1


@pytest.mark.parametrize(
    ("lang", "too_early"),
    [("kk", "Қамту іс-шара күні"), ("ru", "Охват записывается в день мероприятия")],
)
def test_the_reach_of_a_planned_event_is_recorded_on_its_day(client, world, lang, too_early):
    w = build(world)
    client.force_login(w.secretary)
    client.cookies["bastau_language"] = lang
    url = reverse("outreach:event_reach", args=[w.upcoming.pk])
    response = client.post(url, {"reach": "50"})
    assert response.status_code == 200 and too_early in response.content.decode()
    w.upcoming.refresh_from_db()
    assert w.upcoming.reach is None
    with time_machine.travel(
        dt.datetime.combine(w.upcoming.date, dt.time(18), tzinfo=timezone.get_current_timezone())
    ):
        client.force_login(w.secretary)  # a new session on that day
        page = client.get(w.upcoming.get_absolute_url()).content.decode()
        assert url in page
        response = client.post(url, {"reach": "50"})
        assert response.status_code == 302
        page = client.get(reverse("outreach:campaign", args=[w.campaign.pk])).content.decode()
    assert 'id="total-reach">250<' in page
    w.upcoming.refresh_from_db()
    assert w.upcoming.reach == 50
