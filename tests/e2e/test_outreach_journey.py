"""The journey of information work: a POO leader, on a phone in Kazakh, records a yard
meeting of the primaries campaign, and its reach appears against the plan."""

import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from bastau.voice.outreach.models import Event

from ..factories.voice import build
from .conftest import login

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_an_outreach_events_reach_appears_against_the_plan(
    live_server, e2e_world, browser_context_factory
):
    w = build(e2e_world)
    base = live_server.url
    context = browser_context_factory(viewport=PHONE)
    page = context.new_page()
    login(page, base, w.leader.username)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "kk", "url": base}])

    page.goto(f"{base}/outreach/{w.campaign.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.get_by_role("heading", level=1)).to_have_text("Праймериз дегеніміз не?")
    row = page.locator(f'#reach-by-district tr[data-district="{w.district.code}"]')
    # The leader sees their POO's part: a plan of 150, 60 reached so far.
    expect(row.locator("td.reach")).to_have_text("60")
    expect(page.locator("#total-planned")).to_have_text("150")
    expect(row).to_contain_text("40%")

    page.get_by_role("link", name="Түсіндіру іс-шарасын тіркеу").click()
    expect(page).to_have_url(re.compile(r"/outreach/\d+/events/new/$"))
    page.locator("#id_kind").select_option("yard_meeting")
    page.locator("#id_date").fill(timezone.localdate().isoformat())
    page.locator("#id_title").fill("Аула жиналысы: праймериздің тәртібі")
    page.locator("#id_reach").fill("45")
    page.locator("form.form button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"/outreach/{w.campaign.pk}/$"))
    expect(row.locator("td.reach")).to_have_text("105")
    expect(page.locator("#total-reach")).to_have_text("105")
    expect(row).to_contain_text("70%")
    event = Event.objects.get(title="Аула жиналысы: праймериздің тәртібі")
    assert (event.poo, event.branch, event.reach) == (w.poo, w.district, 45)
    # Nothing scrolls sideways on the phone.
    assert not page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_a_secretary_announces_an_upcoming_meeting_and_invites_its_supporters(
    live_server, e2e_world, browser_context_factory
):
    """In Russian: a meeting three days ahead is announced without reach (the plan does not
    move), the district's supporters are invited by SMS, and the event shows them sent."""
    import datetime as dt

    from bastau.core import sms

    w = build(e2e_world)
    sms.outbox.clear()
    base = live_server.url
    context = browser_context_factory(viewport=PHONE)
    page = context.new_page()
    login(page, base, w.secretary.username)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ru", "url": base}])

    page.goto(f"{base}/outreach/{w.campaign.pk}/events/new/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.locator("#id_kind").select_option("citizens_meeting")
    page.locator("#id_date").fill((timezone.localdate() + dt.timedelta(days=3)).isoformat())
    page.locator("#id_title").fill("Встреча о праймериз")
    page.locator("#id_branch").select_option(str(w.district.pk))
    page.locator("#id_place").fill("Дом культуры")
    page.locator("form.form button[type=submit]").click()

    event = Event.objects.get(title="Встреча о праймериз")
    expect(page).to_have_url(re.compile(rf"/outreach/events/{event.pk}/$"))
    expect(page.locator("#event-reach")).to_contain_text("Запланировано")
    page.get_by_role("link", name="Пригласить сторонников").click()
    page.locator("#id_by_email").uncheck()
    page.get_by_role("button", name="Пригласить и отправить").click()

    expect(page).to_have_url(re.compile(rf"/outreach/events/{event.pk}/$"))
    expect(page.locator("#invited-count")).to_have_text("2")
    expect(page.locator("#sent-count")).to_have_text("2")
    assert {m.to for m in sms.outbox} == {w.supporter.phone, w.volunteer.phone}
    assert all(m.text.startswith("Шақыру") for m in sms.outbox)  # their language: Kazakh
    page.goto(f"{base}/outreach/{w.campaign.pk}/")
    expect(page.locator("#total-reach")).to_have_text("200")
    assert not page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
