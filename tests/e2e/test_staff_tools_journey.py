"""Staff accounts in a browser, in Kazakh: a district secretary creates a POO leader's account,
picks the member record through the searchable picker (htmx), and the new person signs in."""

import re

import pytest
from playwright.sync_api import expect

from bastau.accounts.models import User
from bastau.core.models import AuditEvent

from .conftest import login

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Kokshetau-2026-orbit"


def test_a_secretary_creates_a_leader_account_in_kazakh(
    page, live_server, e2e_world, browser_context_factory
):
    w = e2e_world
    base = live_server.url
    login(page, base, w.secretary.username)
    page.context.add_cookies([{"name": "bastau_language", "value": "kk", "url": base}])
    page.goto(f"{base}/accounts/staff/")
    expect(page.get_by_role("heading", name="Қызметкерлер тіркелгілері")).to_be_visible()
    page.get_by_role("link", name="Жаңа тіркелгі").click()

    page.get_by_label("Пайдаланушы аты").fill("abilkairova")
    page.get_by_label("Рөлі").select_option("poo_leader")
    page.get_by_label("Бастауыш партия ұйымы").select_option(str(w.poo.pk))
    picker = page.get_by_label("Есеп карточкасы")
    picker.fill("Әбіл")
    option = page.get_by_role("option", name=re.compile("Әбілқайырова Айгерім"))
    expect(option).to_be_visible()
    option.click()
    expect(picker).to_have_value(re.compile("^Әбілқайырова Айгерім"))
    page.get_by_label("Құпиясөз").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Құру").click()

    expect(page.get_by_role("heading", name="abilkairova")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Тіркелгі құрылды")
    user = User.objects.get(username="abilkairova")
    assert (user.role, user.poo_id, user.member_id) == ("poo_leader", w.poo.pk, w.named.pk)
    assert AuditEvent.objects.filter(action="account.created", object_id=str(user.pk)).exists()

    # The new leader signs in with the password they were given.
    other = browser_context_factory().new_page()
    login(other, base, "abilkairova", NEW_PASSWORD)
    expect(other).not_to_have_url(re.compile("/accounts/login/"))
    user.refresh_from_db()
    assert user.last_login is not None
