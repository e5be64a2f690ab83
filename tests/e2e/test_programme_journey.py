"""The journey of the local issues and the programme: a district secretary, in Kazakh on a
phone, registers an issue from the district's appeals, makes it a commitment of the district
programme, saves a version, puts it on a meeting's agenda and records the meeting's decision,
which adopts the version; the commitment is then tracked and the issue shows the count."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bastau.accounts.scoping import Scope
from bastau.activity import services as activity_services
from bastau.reception.models import Topic
from bastau.voice.agenda.models import Issue, ProgrammeItem, ProgrammeVersion

from ..factories import reception as fr
from .conftest import PageProblems, login

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_an_issue_from_appeals_becomes_a_commitment_a_meeting_approves(
    live_server, e2e_world, browser_context_factory, artifacts_dir
):
    w = e2e_world
    # The migration's topics are gone after an earlier live-server test flushed the database.
    w.topic, _ = Topic.objects.get_or_create(
        code="social_aid",
        defaults={
            "name": "Әлеуметтік көмек",
            "name_ru": "Социальная помощь",
            "name_en": "Social aid",
        },
    )
    today = timezone.localdate()
    for _ in range(3):
        fr.register(w, registered_on=today - dt.timedelta(days=1))
    meeting = activity_services.create_meeting(
        Scope(w.secretary), kind="political_council", branch=w.district, date=today,
        number="4", chair_name="Ермеков Б.",
    )  # fmt: skip
    base = live_server.url
    context = browser_context_factory(viewport=PHONE)
    context.set_default_timeout(45_000)  # a shared 2-core machine serves the first page slowly
    page = context.new_page()
    problems = PageProblems()
    problems.watch(page)
    login(page, base, w.secretary.username)
    context.add_cookies([{"name": "bastau_language", "value": "kk", "url": base}])

    # The register: a new issue of the district, linked to its appeals on the topic.
    page.goto(f"{base}/agenda/")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    page.get_by_role("link", name="Мәселені тіркеу").click()
    page.locator("#id_title").fill("Атаулы көмек кешігіп тағайындалады")
    page.locator("#id_district").select_option(str(w.district.pk))
    page.locator("#id_topic").select_option(str(w.topic.pk))
    page.get_by_role("button", name="Сақтау").click()
    expect(page).to_have_url(re.compile(r"/agenda/issues/\d+/$"))
    issue = Issue.objects.get()
    page.get_by_role("link", name="Тақырып бойынша өтініштерді байланыстыру").click()
    page.get_by_role("button", name="Сақтау").click()
    expect(page.locator("#kpi-people .value")).to_have_text("3")
    expect(page.locator("#sources")).to_contain_text("3")

    # The district programme and a commitment answering the issue.
    page.goto(f"{base}/agenda/programmes/")
    page.get_by_role("link", name="Жаңа бағдарлама").click()
    page.locator("#id_title").fill("Мұғалжар ауданының бағдарламасы")
    page.get_by_role("button", name="Сақтау").click()
    expect(page).to_have_url(re.compile(r"/agenda/programmes/\d+/$"))
    page.get_by_role("link", name="Уәде қосу").click()
    page.locator("#id_title").fill("Атаулы көмекті 10 жұмыс күнінде тағайындау")
    page.locator("#id_indicator").fill("Тағайындау мерзімі, жұмыс күні")
    page.locator("#id_target").fill("10")
    page.locator("#id_deadline").fill((today + dt.timedelta(days=120)).isoformat())
    page.locator("#id_responsible").fill("Аудандық филиал")
    page.locator("#id_issue_numbers").fill(str(issue.pk))
    page.get_by_role("button", name="Сақтау").click()
    expect(page.locator("#items")).to_contain_text("Атаулы көмекті 10 жұмыс күнінде")
    item = ProgrammeItem.objects.get()
    assert list(item.issues.all()) == [issue]

    # A version, on the meeting's agenda; the meeting's decision adopts it.
    page.get_by_role("button", name="Нұсқаны сақтау").click()
    expect(page.locator("#version-status")).to_have_attribute("data-status", "draft")
    page.get_by_role("link", name="Жиналыстың күн тәртібіне енгізу").click()
    page.locator("#id_meeting").select_option(str(meeting.pk))
    page.get_by_role("button", name="Сақтау").click()
    expect(page.locator("#version-status")).to_have_attribute("data-status", "submitted")
    page.get_by_role("link", name="Жиналыстың шешімін енгізу").click()
    page.get_by_role("button", name="Сақтау").click()
    expect(page.locator("#version-status")).to_have_attribute("data-status", "adopted")
    expect(page.locator("#decision")).to_contain_text("қабылдансын")
    version = ProgrammeVersion.objects.get()
    assert version.decision.agenda_item.meeting == meeting

    # The meeting's minutes hold the decision; the commitment is now tracked.
    page.goto(f"{base}/activity/meetings/{meeting.pk}/")
    expect(page.locator("main")).to_contain_text("бағдарламасы")
    page.goto(f"{base}/agenda/commitments/{item.pk}/")
    expect(page.locator("#item-state")).to_have_attribute("data-state", "planned")
    page.screenshot(path=artifacts_dir / "programme-commitment-phone-kk.png", full_page=True)
    problems.assert_none()
