"""The journey of issue 4: a citizen submits an appeal on a phone and checks its status; the
district secretary assigns, extends and resolves it; the dashboard's figure changes."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bastau.reception.models import Appeal, Topic
from bastau.reception.services import work_calendar

from .conftest import login

pytestmark = pytest.mark.e2e


@pytest.fixture
def reception_world(e2e_world, settings):
    settings.RECEPTION_FORM_MIN_SECONDS = 0  # the browser fills the form faster than a person
    # Transactional tests flush the topics that a data migration seeded; make one.
    Topic.objects.get_or_create(
        code="housing-e2e",
        defaults={"name": "Тұрғын үй", "name_ru": "Жильё", "name_en": "Housing", "order": 1},
    )
    return e2e_world


def test_citizen_appeal_to_resolution(
    page, live_server, reception_world, browser_context_factory, artifacts_dir
):
    world = reception_world
    base = live_server.url

    # The citizen, on a phone, without an account.
    phone = browser_context_factory(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(f"{base}/reception/appeal/")
    phone.get_by_label("Your full name").fill("Серікбаев Нұрлан")
    phone.get_by_label("Phone").fill("+7 701 555 12 34")
    phone.get_by_label("District or city where you live").select_option(label="Mugalzhar")
    phone.get_by_label("Topic").select_option(label="Housing")
    phone.get_by_label("Your question or problem").fill(
        "Ауламыздағы жылу құбыры үш аптадан бері жөнделмей тұр, көмектесуіңізді сұраймыз."
    )
    phone.get_by_label(re.compile("I agree to the processing")).check()
    phone.get_by_role("button", name="Send the appeal").click()
    code = phone.locator("#code-copy").input_value()
    assert re.fullmatch(r"[A-Z2-9]{5}-?[A-Z2-9]{5}", code)
    phone.screenshot(path=artifacts_dir / "reception-submitted-phone.png", full_page=True)
    appeal = Appeal.objects.get()
    assert appeal.receiving_branch == world.district

    phone.goto(f"{base}/reception/status/")
    phone.get_by_label("Tracking code").fill(code.lower())
    phone.get_by_role("button", name="Check").click()
    expect(phone.locator("main")).to_contain_text("Registered")
    expect(phone.locator("main")).not_to_contain_text("Серікбаев")  # no personal data

    # The district secretary sees it on the dashboard and works it through.
    login(page, base, world.secretary.username)
    page.goto(f"{base}/reception/staff/")
    expect(page.locator("#kpi-registered .value")).to_have_text("1")
    expect(page.locator("#kpi-positive .value")).to_have_text(re.compile(r"^0[.,]0%$"))
    page.goto(f"{base}/reception/staff/appeals/")
    page.get_by_role("link", name=appeal.number).click()
    expect(page.locator("#applicant-name")).to_have_text("Серікбаев Нұрлан")

    page.locator("summary", has_text="Assign").click()
    assign = page.locator("#act-assign")
    assign.get_by_label("State body").fill("Мұғалжар ауданының тұрғын үй-коммуналдық бөлімі")
    assign.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Мұғалжар ауданының тұрғын үй-коммуналдық")

    cal = work_calendar()
    appeal.refresh_from_db()
    new_deadline = cal.add_working_days(appeal.deadline, 5)
    today = timezone.localdate()
    page.locator("summary", has_text="Extend the deadline").click()
    extend = page.locator("#act-extend")
    extend.get_by_label("New deadline").fill(new_deadline.isoformat())
    extend.get_by_label("Reason").fill("Жылу жүйесін тексеру үшін мердігер қажет.")
    extend.get_by_label("Decided on").fill(today.isoformat())
    extend.get_by_role("button", name="Save").click()
    appeal.refresh_from_db()
    assert appeal.extended_deadline == new_deadline

    page.locator("summary", has_text="Resolve").click()
    resolve = page.locator("#act-resolve")
    resolve.get_by_label("Resolved positively").check()
    resolve.get_by_label("Response letter").fill("Құбыр жөнделді, жылу берілді.")
    resolve.get_by_label("Decided on").fill(today.isoformat())
    resolve.get_by_role("button", name="Save").click()
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.RESOLVED_POSITIVE

    page.goto(f"{base}/reception/staff/")
    expect(page.locator("#kpi-positive .value")).to_have_text(re.compile(r"^100[.,]0%$"))
    page.screenshot(path=artifacts_dir / "reception-dashboard.png", full_page=True)

    # The citizen sees the outcome.
    phone.goto(f"{base}/reception/status/")
    phone.get_by_label("Tracking code").fill(code)
    phone.get_by_role("button", name="Check").click()
    expect(phone.locator("main")).to_contain_text("Resolved positively")
    page.problems.assert_none()
