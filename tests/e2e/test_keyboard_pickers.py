"""The searchable people pickers with the keyboard alone (issue 17, part 4), in Kazakh: a
district secretary issues an instruction, picks the responsible person and two co-executors by
typing a name, Down to the results and Enter, removes a wrong pick with its own button
(Shift+Tab, Enter), and issues it. No mouse and no Playwright click/fill (keyboard.py): every
focus stop must show a visible focus indicator."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bastau.accounts.models import User
from bastau.activity.models import Instruction
from tests import factories as f

from . import axe
from .conftest import PASSWORD
from .keyboard import is_focused, tab_to, type_into

pytestmark = pytest.mark.e2e


def _named(user, last, first):
    User.objects.filter(pk=user.pk).update(last_name=last, first_name=first)
    user.refresh_from_db()
    return user


def _pick(page, search, text: str, name: str) -> None:
    """Type into the focused search box, wait for the result, Down to it, Enter."""
    assert is_focused(search)
    page.keyboard.type(text)
    option = search.locator("xpath=..").get_by_role("option", name=re.compile(name))
    expect(option).to_be_visible()
    page.keyboard.press("ArrowDown")
    assert is_focused(option.first)
    page.keyboard.press("Enter")
    expect(search).to_be_focused()
    expect(search).to_have_value("")


def test_a_secretary_picks_co_executors_with_the_keyboard(page, live_server, e2e_world):
    w = e2e_world
    base = live_server.url
    leader = _named(w.leader, "Сапарова", "Айгерім")
    member_user = _named(w.member_user, "Нұрланов", "Ержан")
    extra, _created = User.objects.get_or_create(
        username="tolegenov",
        defaults={"role": f.Role.POO_LEADER, "poo": w.poo2},
    )
    _named(extra, "Төлегенов", "Арман")
    outsider = _named(w.other_secretary, "Төлегенова", "Дана")  # another district's

    page.goto(base + "/accounts/login/")
    type_into(page, page.get_by_label("Username"), w.secretary.username)
    type_into(page, page.get_by_label("Password"), PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.context.add_cookies([{"name": "bastau_language", "value": "kk", "url": base}])
    page.goto(base + "/activity/instructions/new/")

    type_into(page, page.locator("#id_text"), "Сайлау учаскелерін аралау")
    deadline = timezone.localdate() + dt.timedelta(days=10)
    date_box = page.locator("#id_deadline")
    type_into(page, date_box, f"{deadline:%m%d%Y}")  # Chromium's date field, en-US order
    expect(date_box).to_have_value(deadline.isoformat())
    # Chromium's date field has parts of its own that Tab passes through (drawn by the browser,
    # the outline is theirs, not the page's): Tab until the focus has left it, then go on.
    for _ in range(4):
        if not is_focused(date_box):
            break
        page.keyboard.press("Tab")
    assert not is_focused(date_box)

    responsible = page.locator("#id_responsible_users")
    tab_to(page, responsible)
    _pick(page, responsible, "Сапар", "Айгерім Сапарова")

    co = page.locator("#id_co_executors")
    tab_to(page, co)
    _pick(page, co, "Нұрла", "Ержан Нұрланов")
    _pick(page, co, "Төлеген", "Арман Төлегенов")
    # Only the secretary's district is offered: the other district's namesake is not.
    page.keyboard.type("Төлеген")
    results = page.locator("#id_co_executors_results")
    expect(results.get_by_role("option")).to_have_count(1)
    expect(results).not_to_contain_text("Төлегенова")
    # axe-core on the form in this state (two people chosen, results open): the crawl of
    # test_accessibility.py sees the form only as it opens.
    problems = axe.failing(axe.check(page, "instruction form: pickers with results"))
    assert not problems, "\n".join(map(str, problems))
    page.keyboard.press("Escape")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    # A wrong pick, removed with its own button (the last one before the search box).
    _pick(page, co, "Сапар", "Айгерім Сапарова")
    chosen = page.locator('input[type=hidden][name="co_executors"]')
    expect(chosen).to_have_count(3)
    page.keyboard.press("Shift+Tab")
    remove = co.locator("xpath=..").get_by_role(
        "button", name=re.compile("^Алып тастау: Айгерім Сапарова")
    )
    assert is_focused(remove)
    page.keyboard.press("Enter")
    expect(chosen).to_have_count(2)

    submit = page.locator("form.form button[type=submit]")
    tab_to(page, submit)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#instruction-state")).to_be_visible()
    instruction = Instruction.objects.get(text="Сайлау учаскелерін аралау")
    assert list(instruction.responsible_users.all()) == [leader]
    assert set(instruction.co_executors.all()) == {member_user, extra}
    assert outsider not in instruction.co_executors.all()
    page.problems.assert_none()
