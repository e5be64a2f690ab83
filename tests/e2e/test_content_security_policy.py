"""In a real browser the strict Content-Security-Policy blocks nothing on the main pages of each
role, the behaviours moved out of inline handlers still work (the language switcher, the
htmx member search) and the styles moved into the stylesheet apply."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.e2e

# Runs before any script of the page (Playwright injects it past the page's policy) and keeps
# every violation the browser reports, whether or not it also logs it to the console.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`
  );
});
"""


class PolicyWatch:
    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.seen: list[str] = []
        page.on("console", self._console)

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or text.startswith("Refused to"):
            self.console.append(text)

    def visit(self, url: str):
        response = self.page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        policy = response.header_value("content-security-policy") or ""
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, url
        self.check(url)

    def check(self, where: str):
        self.page.wait_for_load_state("load")
        violations = self.page.evaluate("window.__cspViolations || []")
        self.seen.append(where)
        assert violations == [], (where, violations)
        assert self.console == [], (where, self.console)


def watched(browser_context_factory):
    context = browser_context_factory(viewport={"width": 390, "height": 844})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    return page, PolicyWatch(page)


def test_anonymous_pages_break_no_policy_and_the_switcher_works(
    live_server, browser_context_factory, e2e_world
):
    page, watch = watched(browser_context_factory)
    base = live_server.url
    for name in ["accounts:login", "reception:public", "reception:submit", "primaries:campaigns"]:
        watch.visit(base + reverse(name))

    # The public reception's stylesheet is in the head and applies.
    assert page.locator("head link[href*='reception-public.css']").count() == 0  # campaigns page
    watch.visit(base + reverse("reception:submit"))
    assert page.locator("head link[href*='reception-public.css']").count() == 1

    # The login card takes its width from the stylesheet, not from a style attribute.
    watch.visit(base + reverse("accounts:login"))
    card = page.locator("main .card").first
    assert card.get_attribute("style") is None
    assert card.evaluate("e => getComputedStyle(e).maxWidth") == "448px"  # 28rem

    # The language switcher (a listener in bastau.js, no inline handler) still submits.
    page.locator("#lang-select").select_option("ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    watch.check("login page in Russian")


def test_staff_and_member_pages_break_no_policy(live_server, browser_context_factory, e2e_world):
    world = e2e_world
    base = live_server.url
    page, watch = watched(browser_context_factory)
    login(page, base, world.secretary.username)
    watch.check("secretary's first page")
    for url in [
        reverse("members:overview"),
        reverse("members:list"),
        reverse("members:detail", args=[world.named.pk]),
        reverse("members:admissions"),
        reverse("structure:branches"),
        reverse("primaries:manage"),
        reverse("reception:staff_dashboard"),
        reverse("reception:staff_appeals"),
        reverse("reception:staff_bookings"),
        reverse("activity:instructions"),
    ]:
        watch.visit(base + url)

    # Bars are drawn with width classes: the widest bar of a chart fills its track.
    watch.visit(base + reverse("members:overview"))
    widest = page.locator(".pyramid-row .bar.pct-100").first
    expect(widest).to_be_visible()
    assert widest.get_attribute("style") is None
    bar, track = widest.evaluate(
        "e => [e.getBoundingClientRect().width, e.parentElement.getBoundingClientRect().width]"
    )
    assert track > 0 and abs(bar - track) < 1

    # The htmx search swaps the rows in, under the policy, and keeps no copy in localStorage.
    watch.visit(base + reverse("members:list"))
    page.get_by_label("Name or IIN").fill("Әбілқайыр")
    rows = page.locator("#member-rows tbody tr")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q="))
    watch.check("member search")
    assert page.evaluate("window.localStorage.getItem('htmx-history-cache')") is None

    # A member's own record.
    member_page, member_watch = watched(browser_context_factory)
    login(member_page, base, world.member_user.username)
    member_watch.visit(base + reverse("members:me"))
    member_watch.visit(base + reverse("primaries:campaigns"))
    member_watch.visit(base + reverse("reception:public"))
