"""A young member answers the youth survey on a phone, in Kazakh or in Russian, and the
district's count on the results chart changes for the regional administrator."""

import re

import pytest
from playwright.sync_api import expect

from bastau.voice.surveys.models import Participation, Response

from ..factories.surveys import build
from .conftest import login

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
#: What the member sees in each language: the options' labels, the button, the messages.
WORDS = {
    "kk": {
        "job": "Жұмыс",
        "grant": "Грант",
        "courses": "Курстар",
        "yes": "Иә",
        "send": "Жауаптарымды жіберу",
        "thanks": "Рақмет: жауабыңыз есепке алынды.",
        "answered": "Жауап берілді",
    },
    "ru": {
        "job": "Работа",
        "grant": "Грант",
        "courses": "Курсы",
        "yes": "Да",
        "send": "Отправить ответы",
        "thanks": "Спасибо: ваш ответ учтён.",
        "answered": "Отвечено",
    },
}


def _district_count(page, base, w):
    page.goto(f"{base}/surveys/{w.survey.pk}/results/?by=district")
    row = page.locator(f'#respondents-chart .bar-row[data-column="{w.district.name}"] .num')
    return row


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_young_member_answers_on_a_phone(
    page, live_server, e2e_world, browser_context_factory, artifacts_dir, language
):
    words = WORDS[language]
    w = build(e2e_world)
    base = live_server.url
    page.set_default_timeout(60_000)  # a loaded machine is slow, not wrong
    login(page, base, w.admin.username)
    expect(_district_count(page, base, w)).to_have_text("0")

    context = browser_context_factory(viewport=PHONE)
    phone = context.new_page()
    phone.set_default_timeout(60_000)
    login(phone, base, w.member_user.username)
    context.add_cookies([{"name": "bastau_language", "value": language, "url": base}])
    phone.goto(f"{base}/surveys/mine/")
    expect(phone.locator("html")).to_have_attribute("lang", language)
    phone.locator(f'a[href="/surveys/{w.survey.pk}/answer/"]').click()
    expect(phone).to_have_url(re.compile(rf"/surveys/{w.survey.pk}/answer/$"))

    seeking = phone.locator(f'[data-question="{w.seeking.key}"]')
    expect(seeking).to_be_hidden()  # shown only to those who need jobs
    phone.locator(f'[data-question="{w.need.key}"]').get_by_label(words["job"], exact=True).check()
    expect(seeking).to_be_visible()
    support = phone.locator(f'[data-question="{w.support.key}"]')
    support.get_by_label(words["grant"], exact=True).check()
    support.get_by_label(words["courses"], exact=True).check()
    phone.locator(f'[data-question="{w.scale.key}"]').get_by_label("4", exact=True).check()
    seeking.get_by_label(words["yes"], exact=True).check()
    phone.locator(f'[data-question="{w.text.key}"] textarea').fill("Ауылда жастарға жұмыс керек")
    assert not phone.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    phone.screenshot(path=artifacts_dir / f"survey-answer-phone-{language}.png", full_page=True)
    phone.get_by_role("button", name=words["send"]).click()
    expect(phone.get_by_text(words["thanks"])).to_be_visible()
    expect(phone.get_by_text(words["answered"], exact=True)).to_be_visible()

    assert Participation.objects.filter(survey=w.survey, member=w.member).count() == 1
    response = Response.objects.get(survey=w.survey)
    assert response.respondent_id is None and response.district_id == w.district.pk

    # The district's bar on the results chart counts the answer.
    expect(_district_count(page, base, w)).to_have_text("1")
    page.screenshot(path=artifacts_dir / f"survey-results-{language}.png", full_page=True)
