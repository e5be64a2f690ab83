"""Three journeys with the keyboard alone (Tab, Shift+Tab, Enter, Space, arrow keys, typing; no
mouse, no Playwright click/fill/check), on the demo region:

1. the demo member signs in, opens the encrypted ballot of the open campaign with the code from
   their letter, chooses, encrypts, audits the ballot (Benaloh: the opened ballot shows the choice
   and the audit file is saved), encrypts again, casts, and gets the receipt with its tracker;
2. a citizen submits a public appeal and gets its tracking code;
3. a district secretary finds a member by name and opens the member's page.

Every focus stop shows a visible focus indicator with enough contrast (keyboard.py), and axe-core
checks the states of the ballot page that a crawl cannot reach (opened, tracker, audit, receipt).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bastau import demo
from bastau.accounts.models import User
from bastau.accounts.scoping import scope_for
from bastau.demo import e2e as demo_e2e
from bastau.demo.primaries import OPEN_SLUG
from bastau.members import permissions as member_rules
from bastau.primaries.models import EncryptedBallot
from bastau.reception.models import Appeal

from . import axe
from .keyboard import choose_option, is_focused, tab_to, type_into
from .test_links import demo_region  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 900}
GROUPED_TRACKER = re.compile(r"^([A-Za-z0-9_-]{4} ){10}[A-Za-z0-9_-]{3}$")


def _sign_in_by_keyboard(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    type_into(page, page.get_by_label("Username"), username)
    type_into(page, page.get_by_label("Password"), demo.DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


def _no_serious_axe_findings(page, where: str) -> None:
    problems = axe.failing(axe.check(page, where))
    assert not problems, "\n".join(map(str, problems))


def test_the_member_votes_audits_and_casts_with_the_keyboard(
    live_server,
    demo_region,  # noqa: F811
    browser_context_factory,
    artifacts_dir,
):
    base = live_server.url
    page = browser_context_factory(viewport=DESKTOP, accept_downloads=True).new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    ballots_before = EncryptedBallot.objects.count()
    _sign_in_by_keyboard(page, base, "member")

    # The code arrives in the link of the member's letter (the URL fragment, never sent).
    code = demo_e2e.member_credential(OPEN_SLUG)
    page.goto(f"{base}/primaries/{OPEN_SLUG}/e2e/vote/#c={code}")
    credential = page.locator("#e2e-credential")
    expect(credential).to_have_value(code)
    _no_serious_axe_findings(page, "vote: the code")
    tab_to(page, page.get_by_role("button", name="Open the ballot"))
    page.keyboard.press("Enter")

    # The ballot opens with the focus on its title; Tab reaches the first candidate, Space ticks.
    boxes = page.locator("input[name=e2e-choice]")
    expect(boxes.first).to_be_visible()
    _no_serious_axe_findings(page, "vote: the ballot")
    tab_to(page, boxes.first)
    page.keyboard.press("Space")
    expect(boxes.first).to_be_checked()
    chosen = page.locator("#e2e-candidates .name").first.text_content().strip()
    tab_to(page, page.get_by_role("button", name="Encrypt my ballot"))
    page.keyboard.press("Enter")
    tracker = page.locator("#e2e-tracker")
    expect(tracker).to_have_text(GROUPED_TRACKER, timeout=60_000)
    first_tracker = tracker.text_content()
    _no_serious_axe_findings(page, "vote: the tracker")

    # The audit step: the opened ballot shows the choice, and the audit file is saved.
    tab_to(page, page.get_by_role("button", name="Audit it"))
    page.keyboard.press("Enter")
    expect(page.locator("#e2e-audit-choices")).to_have_text(chosen)
    _no_serious_axe_findings(page, "vote: the audit")
    tab_to(page, page.get_by_role("button", name="Save the audit file"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    audit = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert audit, "the audit file is empty"
    tab_to(page, page.get_by_role("button", name="Encrypt again"))
    page.keyboard.press("Enter")
    expect(tracker).to_have_text(GROUPED_TRACKER, timeout=60_000)
    expect(tracker).not_to_have_text(first_tracker)
    second_tracker = tracker.text_content()

    # Cast: Shift+Tab works too (the focus is on the step's heading, Cast is the next stop).
    cast = page.get_by_role("button", name="Cast this ballot")
    tab_to(page, cast)
    page.keyboard.press("Shift+Tab")
    assert not is_focused(cast)
    page.keyboard.press("Tab")
    assert is_focused(cast)
    page.keyboard.press("Enter")
    expect(page.locator("#e2e-receipt-tracker")).to_have_text(second_tracker, timeout=30_000)
    _no_serious_axe_findings(page, "vote: the receipt")
    page.screenshot(path=artifacts_dir / "keyboard-vote-receipt.png", full_page=True)
    # Only the cast ballot reached the server; the audited one never did.
    assert EncryptedBallot.objects.count() == ballots_before + 1
    assert errors == []


def test_a_citizen_submits_an_appeal_with_the_keyboard(
    live_server,
    demo_region,  # noqa: F811
    browser_context_factory,
    settings,
    artifacts_dir,
):
    settings.RECEPTION_FORM_MIN_SECONDS = 0  # keys are typed faster than a person types
    base = live_server.url
    page = browser_context_factory(viewport=DESKTOP).new_page()
    before = Appeal.objects.count()
    page.goto(base + "/reception/public/")
    tab_to(
        page,
        page.get_by_role("main").get_by_role("link", name=re.compile("^Submit an appeal online")),
    )
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/reception/appeal/$"))

    type_into(page, page.get_by_label("Your full name"), "Серікбаев Нұрлан")
    type_into(page, page.get_by_label("Phone"), "+7 701 555 12 34")
    for label in ("District or city where you live", "Topic"):
        select = page.get_by_label(label)
        choose_option(page, select, select.locator("option").nth(2).text_content().strip())
    type_into(
        page,
        page.get_by_label("Your question or problem"),
        "Ауламыздағы жылу құбыры үш аптадан бері жөнделмей тұр, көмектесуіңізді сұраймыз.",
    )
    consent = page.get_by_label(re.compile("I agree to the processing"))
    tab_to(page, consent)
    page.keyboard.press("Space")
    expect(consent).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Send the appeal"))
    page.keyboard.press("Enter")

    code = page.locator("#code-copy")
    expect(code).to_be_visible()
    assert re.fullmatch(r"[A-Z2-9]{5}-?[A-Z2-9]{5}", code.input_value())
    assert Appeal.objects.count() == before + 1
    _no_serious_axe_findings(page, "appeal: submitted")
    page.screenshot(path=artifacts_dir / "keyboard-appeal-code.png", full_page=True)


def test_a_secretary_finds_a_member_with_the_keyboard(
    live_server,
    demo_region,  # noqa: F811
    browser_context_factory,
):
    base = live_server.url
    secretary = User.objects.get(username="secretary")
    wanted = member_rules.members(scope_for(secretary)).order_by("pk")[7]
    page = browser_context_factory(viewport=DESKTOP).new_page()
    _sign_in_by_keyboard(page, base, "secretary")

    nav = page.get_by_role("navigation", name="Main")
    tab_to(page, nav.get_by_role("link", name="Members", exact=True))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/members/$"))
    type_into(page, page.get_by_label("Name or IIN"), f"{wanted.last_name} {wanted.first_name}")
    page.keyboard.press("Enter")
    result = page.locator("#member-rows").get_by_role("link", name=wanted.full_name)
    expect(result.first).to_be_visible()
    tab_to(page, result.first)
    page.keyboard.press("Enter")
    page.wait_for_url("**" + wanted.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text(wanted.last_name)
