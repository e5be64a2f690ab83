"""Key pages at 320 CSS px wide and at 200% zoom, in Kazakh: nothing scrolls sideways, and the
page's heading and navigation stay on screen (WCAG 2.1, 1.4.10 reflow and 1.4.4 resize text).

200% zoom is what Chromium does when a 1280×900 window is zoomed to 200%: the page is laid out
in a 640×450 CSS-pixel viewport with two device pixels per CSS pixel (devicePixelRatio 2).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.e2e

#: (name, viewport, device pixels per CSS pixel)
SIZES = [
    ("320px", {"width": 320, "height": 640}, 1),
    ("zoom200", {"width": 640, "height": 450}, 2),
]
PUBLIC_PAGES = (
    "/reception/public/",
    "/reception/appeal/",
    "/reception/status/",
    "/accounts/login/",
)
STAFF_PAGES = (
    "/",
    "/members/",
    "/members/admissions/",
    "/structure/",
    "/activity/",
    "/reception/staff/",
    "/reception/staff/appeals/",
    "/oversight/",
    "/primaries/manage/",
)

SIDEWAYS_JS = """() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > doc.clientWidth + 1
                 && getComputedStyle(e).position !== 'absolute'
                 && !e.closest('.table-wrap, .visually-hidden, .hp, .skip'))
    .slice(0, 5)
    .map(e => e.tagName.toLowerCase() + '.' + String(e.className || '').split(' ')[0]);
  return {scroll: doc.scrollWidth, client: doc.clientWidth, wide};
}"""


def _assert_reflows(page, base: str, path: str, size: str) -> None:
    response = page.goto(base + path)
    assert response is not None and response.status == 200, (path, response and response.status)
    assert page.locator("html").get_attribute("lang") == "kk"
    measured = page.evaluate(SIDEWAYS_JS)
    assert measured["scroll"] <= measured["client"], f"{size} {path} scrolls sideways: {measured}"
    heading = page.locator("main h1").first
    expect(heading).to_be_visible()
    box = heading.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= measured["client"] + 1


def _page(browser_context_factory, base, viewport, scale, username=None):
    context = browser_context_factory(viewport=viewport, device_scale_factor=scale)
    page = context.new_page()
    if username:
        login(page, base, username)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "kk", "url": base}])
    return page


@pytest.mark.parametrize(("size", "viewport", "scale"), SIZES)
def test_public_pages_reflow(
    size, viewport, scale, live_server, e2e_world, browser_context_factory
):
    base = live_server.url
    page = _page(browser_context_factory, base, viewport, scale)
    for path in PUBLIC_PAGES:
        _assert_reflows(page, base, path, size)


@pytest.mark.parametrize(("size", "viewport", "scale"), SIZES)
def test_staff_pages_reflow(
    size, viewport, scale, live_server, e2e_world, browser_context_factory, artifacts_dir
):
    base = live_server.url
    page = _page(browser_context_factory, base, viewport, scale, e2e_world.admin.username)
    assert page.evaluate("window.devicePixelRatio") == scale
    for path in (*STAFF_PAGES, e2e_world.named.get_absolute_url()):
        _assert_reflows(page, base, path, size)
    page.goto(base + "/members/")
    page.screenshot(path=artifacts_dir / f"reflow-members-{size}.png", full_page=True)
    # The navigation is still reachable: behind the menu button at both sizes.
    summary = page.locator("details.navmenu > summary")
    expect(summary).to_be_visible()
    summary.focus()
    page.keyboard.press("Enter")
    nav = page.locator("details.navmenu nav")
    expect(nav).to_be_visible()
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
