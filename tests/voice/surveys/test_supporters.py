"""Supporters as a survey's audience: invited with personal links by SMS, each answers once
through their link, apart from the invitation; a withdrawn consent closes the link."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.core import sms
from bastau.voice.people import services as people
from bastau.voice.surveys import services as s
from bastau.voice.surveys import supporters
from bastau.voice.surveys.models import Response, SupporterInvite, Survey

from ...factories.surveys import _survey, build, choice

pytestmark = pytest.mark.django_db


def _supporter(w, name, phone, branch=None):
    today = timezone.localdate()
    return people.register_supporter(
        Scope(w.admin),
        branch=branch or w.district,
        last_name=name,
        first_name="Айжан",
        consent_given_on=today,
        consent_channel="paper",
        today=today,
        phone=phone,
        birth_date=today - dt.timedelta(days=365 * 22 + 60),
        sex="F",
    )


@pytest.fixture
def survey_of_supporters(world):
    w = build(world)
    sec = Scope(w.secretary)
    survey = _survey(sec, w.district, Survey.Audience.SUPPORTERS)
    w.s_need = choice(sec, survey, "single", "Не қажет?", [("Жұмыс", "Работа"), ("Үй", "Жильё")])
    s.open_survey(sec, survey)
    w.s_survey = survey
    w.ana = _supporter(w, "Ахметова", "+77011112233")
    w.bota = _supporter(w, "Серікова", "+77011112244")
    w.far = _supporter(w, "Қасымова", "+77011112255", branch=w.other_district)
    return w


def test_supporters_are_invited_answer_once_and_a_withdrawal_closes_the_link(
    client, survey_of_supporters
):
    w = survey_of_supporters
    today = timezone.localdate()
    sms.outbox.clear()
    sent = s.send_messages(w.s_survey.pk, today)
    assert sent.recipients == 2 and {m.to for m in sms.outbox} == {w.ana.phone, w.bota.phone}
    invite = SupporterInvite.objects.get(survey=w.s_survey, supporter=w.ana)
    assert invite.token in next(m.text for m in sms.outbox if m.to == w.ana.phone)
    url = reverse("surveys:supporter", args=[invite.token])
    assert client.get(url).status_code == 200
    bad = client.post(url, {w.s_need.key: "9"}, HTTP_ACCEPT_LANGUAGE="ru")
    assert "Выберите один из предложенных вариантов" in bad.content.decode()
    assert client.post(url, {w.s_need.key: "1"}).status_code == 302
    response = Response.objects.get(survey=w.s_survey)
    assert (response.channel, response.district_id, response.age_group) == (
        "supporter",
        w.district.pk,
        "18-24",
    )
    invite.refresh_from_db()
    assert invite.answered_on == today
    with pytest.raises(ValidationError):
        supporters.submit(invite, {w.s_need.key: "2"}, today=today)
    assert Response.objects.filter(survey=w.s_survey).count() == 1
    rows = {r.label: (r.invited, r.answered) for r in s.rates(w.s_survey)}
    assert rows == {w.district.display_name: (2, 1)}
    # A reminder goes only to who has not answered; after a withdrawal, not even to them.
    sms.outbox.clear()
    assert s.send_messages(w.s_survey.pk, today, reminder=True).recipients == 1
    other = SupporterInvite.objects.get(survey=w.s_survey, supporter=w.bota)
    people.withdraw_by_code(w.bota.withdrawal_code, on=today)
    assert client.get(reverse("surveys:supporter", args=[other.token])).status_code == 404
    assert s.send_messages(w.s_survey.pk, today, reminder=True).recipients == 0
    assert client.get(reverse("surveys:supporter", args=["nope"])).status_code == 404
