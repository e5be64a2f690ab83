"""The language switcher in the top bar changes the page's language."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_language_switcher_changes_the_page_language(page, live_server):
    page.goto(live_server.url + "/accounts/login/")
    html = page.locator("html")
    heading = page.get_by_role("heading", level=1)
    # Its label is translated too, so after the first switch the select is found by its id.
    switcher = page.locator("#lang-select")
    expect(html).to_have_attribute("lang", "en")  # the browser asks for en-US
    expect(heading).to_have_text("Sign in")
    expect(page.get_by_label("Language")).to_have_value("en")

    page.get_by_label("Language").select_option("ru")
    expect(html).to_have_attribute("lang", "ru")
    expect(page).to_have_url(live_server.url + "/accounts/login/")
    expect(switcher).to_have_value("ru")
    expect(heading).not_to_have_text("Sign in")
    russian = heading.inner_text()

    switcher.select_option("kk")
    expect(html).to_have_attribute("lang", "kk")
    expect(heading).not_to_have_text("Sign in")
    expect(heading).not_to_have_text(russian)
    # The choice is kept in a cookie and wins over the browser's Accept-Language.
    page.reload()
    expect(html).to_have_attribute("lang", "kk")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("bastau_language") == "kk"
    page.problems.assert_none()
