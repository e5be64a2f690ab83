"""A young member answers the youth survey on a phone, in Kazakh, and the district's count
on the results chart changes for the regional administrator."""

import re

import pytest
from playwright.sync_api import expect

from bastau.voice.surveys.models import Participation, Response

from ..factories.surveys import build
from .conftest import login

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def _district_count(page, base, w):
    page.goto(f"{base}/surveys/{w.survey.pk}/results/?by=district")
    row = page.locator(f'#respondents-chart .bar-row[data-column="{w.district.name}"] .num')
    return row


def test_a_young_member_answers_on_a_phone_in_kazakh(
    page, live_server, e2e_world, browser_context_factory, artifacts_dir
):
    w = build(e2e_world)
    base = live_server.url
    login(page, base, w.admin.username)
    expect(_district_count(page, base, w)).to_have_text("0")

    context = browser_context_factory(viewport=PHONE)
    phone = context.new_page()
    login(phone, base, w.member_user.username)
    context.add_cookies([{"name": "bastau_language", "value": "kk", "url": base}])
    phone.goto(f"{base}/surveys/mine/")
    expect(phone.locator("html")).to_have_attribute("lang", "kk")
    phone.get_by_role("link", name="Жауап", exact=True).first.click()
    expect(phone).to_have_url(re.compile(rf"/surveys/{w.survey.pk}/answer/$"))

    seeking = phone.locator(f'[data-question="{w.seeking.key}"]')
    expect(seeking).to_be_hidden()  # shown only to those who need jobs
    phone.locator(f'[data-question="{w.need.key}"]').get_by_label("Жұмыс", exact=True).check()
    expect(seeking).to_be_visible()
    support = phone.locator(f'[data-question="{w.support.key}"]')
    support.get_by_label("Грант", exact=True).check()
    support.get_by_label("Курстар", exact=True).check()
    phone.locator(f'[data-question="{w.scale.key}"]').get_by_label("4", exact=True).check()
    seeking.get_by_label("Иә", exact=True).check()
    phone.locator(f'[data-question="{w.text.key}"] textarea').fill("Ауылда жастарға жұмыс керек")
    assert not phone.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    phone.screenshot(path=artifacts_dir / "survey-answer-phone-kk.png", full_page=True)
    phone.get_by_role("button", name="Жауаптарымды жіберу").click()
    expect(phone.get_by_text("Рақмет: жауабыңыз есепке алынды.")).to_be_visible()
    expect(phone.get_by_text("Жауап берілді")).to_be_visible()

    assert Participation.objects.filter(survey=w.survey, member=w.member).count() == 1
    response = Response.objects.get(survey=w.survey)
    assert response.respondent_id is None and response.district_id == w.district.pk

    # The district's bar on the results chart counts the answer.
    expect(_district_count(page, base, w)).to_have_text("1")
    page.screenshot(path=artifacts_dir / "survey-results.png", full_page=True)
