"""The reception dashboard's branch filter (a searchable picker: the region's 3,400 branches
are not written into the page) with the keyboard alone, in Kazakh: the regional administrator
types a part of a branch's name, goes Down to the result, picks it with Enter and shows the
figures; axe-core checks the form with the results open. And without JavaScript: the name typed
is sent with the form and the page finds the branch (keyboard.py: no mouse, every focus stop
visible)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from . import axe
from .conftest import PASSWORD
from .keyboard import is_focused, tab_to, type_into

pytestmark = pytest.mark.e2e


def _sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    type_into(page, page.get_by_label("Username"), username)
    type_into(page, page.get_by_label("Password"), PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.context.add_cookies([{"name": "bastau_language", "value": "kk", "url": base}])


def test_the_administrator_picks_a_branch_with_the_keyboard(page, live_server, e2e_world):
    w = e2e_world
    base = live_server.url
    _sign_in(page, base, w.admin.username)
    page.goto(base + "/reception/staff/")
    assert page.locator("form.filters option").count() == 0

    search = page.locator("#id_branch")
    expect(search).to_have_attribute("placeholder", "Барлық филиалдар")
    # The two date fields before it are Chromium's own widgets, whose inner parts Tab passes
    # through with the browser's outline (test_keyboard_pickers.py steps out of one): the
    # keyboard starts at the search box.
    search.focus()
    page.keyboard.type("Khrom")
    option = page.locator("#id_branch_results").get_by_role("option", name="Khromtau")
    expect(option).to_be_visible()
    problems = axe.failing(axe.check(page, "reception dashboard: branch picker with results"))
    assert not problems, "\n".join(map(str, problems))
    page.keyboard.press("ArrowDown")
    assert is_focused(option)
    page.keyboard.press("Enter")
    expect(search).to_be_focused()
    expect(search).to_have_value("Khromtau")
    expect(page.locator('input[type=hidden][name="branch"]')).to_have_value("khromtau")

    show = page.locator("form.filters button[type=submit]")
    tab_to(page, show)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Khromtau")
    assert "branch=khromtau" in page.url
    expect(page.locator("#id_branch")).to_have_value("Khromtau")
    page.problems.assert_none()


def test_the_branch_filter_works_without_javascript(
    browser_context_factory, live_server, e2e_world
):
    w = e2e_world
    base = live_server.url
    page = browser_context_factory(java_script_enabled=False).new_page()
    _sign_in(page, base, w.admin.username)
    page.goto(base + "/reception/staff/")
    page.locator("#id_branch").focus()  # after the date fields (see above)
    page.keyboard.type("mugal")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # no script: Enter sends the form with the name typed
    expect(page.locator("h1")).to_contain_text("Mugalzhar")
    expect(page.locator("#id_branch")).to_have_value("Mugalzhar")
    # A name that several branches share: the page offers them as links.
    page.goto(base + "/reception/staff/?branch_q=r")
    matches = page.locator("#branch-matches")
    expect(matches.get_by_role("link")).to_have_count(3)
    expect(page.locator(".errorlist")).to_contain_text(re.compile("«r»"))
    link = matches.get_by_role("link", name="Khromtau")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Khromtau")
