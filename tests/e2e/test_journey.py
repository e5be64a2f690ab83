"""The journey of issue 2: a district secretary finds a member, admits a new one through to the
party card, and sees the branch's statistics change."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from bastau.members.models import Admission, Member
from tests.factories import make_iin

from .conftest import login

pytestmark = pytest.mark.e2e


def kpi_total(page) -> int:
    text = page.locator("#kpi-total .value").inner_text()
    return int(re.sub(r"\D", "", text))


def test_secretary_admits_a_member_and_the_statistics_change(
    page, live_server, e2e_world, artifacts_dir, browser_context_factory
):
    world = e2e_world
    base = live_server.url

    # Log in with a password; a secretary lands on the overview of their district.
    login(page, base, world.secretary.username)
    expect(page).to_have_url(re.compile(r"/members/overview/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Overview")
    # The stylesheet was served and applied (the top bar is dark blue, not the default).
    topbar_bg = page.locator("header.topbar").evaluate("e => getComputedStyle(e).backgroundColor")
    assert topbar_bg == "rgb(13, 59, 102)"
    before = kpi_total(page)
    # The secretary's district only: the other district's members are not counted.
    in_district = Member.objects.filter(poo__branch=world.district).exclude(status__in=Member.ENDED)
    assert Member.objects.filter(poo__branch=world.other_district).exists()
    assert before == in_district.count()

    # Find a member by name in the member list.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    page.get_by_label("Name or IIN").fill("Әбілқайыр")
    page.get_by_label("Name or IIN").press("Enter")
    rows = page.locator("#member-rows tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Әбілқайырова Айгерім Серікқызы")
    expect(page.locator("#member-rows")).not_to_contain_text(world.other_member.last_name)
    page.get_by_role("link", name="Әбілқайырова Айгерім Серікқызы").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Әбілқайырова Айгерім")
    expect(page.locator("main")).to_contain_text(world.named.iin)

    # A new application.
    iin = make_iin(dt.date(1998, 4, 12), "F")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    page.get_by_role("link", name="New application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New application")
    page.get_by_label("IIN").fill(iin)
    page.get_by_label("Surname").fill("Серікбаева")
    page.get_by_label("Given name").fill("Жанар")
    page.get_by_label("Patronymic").fill("Қайратқызы")
    page.get_by_label("Phone").fill("+77015550123")
    page.get_by_label("Primary organization").select_option(label=world.poo.name)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The application was registered.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Серікбаева Жанар")
    steps = page.get_by_role("list", name="Admission path")
    expect(steps.locator("[aria-current=step]")).to_have_text("Application received")

    # The POO meeting decision (the date defaults to today).
    page.get_by_label("Protocol number").fill("7")
    page.get_by_role("button", name="The POO meeting approved").click()
    expect(steps.locator("[aria-current=step]")).to_have_text("Approved by the POO meeting")

    # District branch approval: from here the applicant is a member.
    page.get_by_role("button", name="Admit to the party").click()
    expect(steps.locator("[aria-current=step]")).to_have_text("Approved by the district branch")

    # The party card: series AKT, next free number.
    expect(page.get_by_label("Series")).to_have_value("AKT")
    page.get_by_role("button", name="Issue the card").click()
    expect(steps.locator("[aria-current=step]")).to_have_text("Party card issued")
    page.screenshot(path=artifacts_dir / "journey-admission-card-issued.png", full_page=True)

    admission = Admission.objects.get(iin=iin)
    assert admission.stage == Admission.Stage.CARD_ISSUED
    member = Member.objects.get(iin=iin)
    assert (member.sex, member.birth_date) == ("F", dt.date(1998, 4, 12))
    assert member.status == Member.Status.ACTIVE
    card = member.cards.get()
    page.get_by_role("link", name="Серікбаева Жанар Қайратқызы").click()
    expect(page.locator("main")).to_contain_text(f"{card.series}")
    expect(page.locator("main")).to_contain_text(str(card.number))

    # The statistics changed: N -> N + 1.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Overview").click()
    expect(page.locator("#kpi-total .value")).to_have_text(str(before + 1))
    page.screenshot(path=artifacts_dir / "journey-overview.png", full_page=True)
    page.problems.assert_none()

    # The member list on a phone: no sideways scrolling of the page.
    phone = browser_context_factory(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        storage_state=page.context.storage_state(),
    ).new_page()
    phone.goto(base + "/members/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Members")
    expect(phone.locator("#member-rows")).to_contain_text("Серікбаева Жанар")
    phone.screenshot(path=artifacts_dir / "journey-members-phone.png", full_page=True)
    page_width = phone.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390, f"the member list is {page_width}px wide on a 390px phone"
