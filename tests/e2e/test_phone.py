"""Bastau on a phone (390×844): the header leaves the first screen to the content, the menu
opens by touch and by keyboard, the board's tracker search is on the first screen, a long
unbroken value does not make a page scroll sideways, and the favicon is there."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from bastau.accounts.models import Role
from bastau.primaries import services
from bastau.primaries.models import Campaign
from tests import factories as f
from tests.factories.primaries import election  # noqa: F401  (fixture)

from .conftest import login

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
#: Where the content must start on a phone, at the latest.
CONTENT_TOP_PX = 160
LONG = "Ә" * 100  # the longest surname a member record holds, without a break
LONG_POO = "Қандыағаш" * 22  # 198 letters, no space
LONG_TITLE = (
    "Ақтөбе облыстық мәслихатына партиялық тізім бойынша кандидаттарды ішкі партиялық іріктеу"
)
#: The board's tracker field ends above this line on a phone (the screen is 844 px high).
SEARCH_FIELD_BOTTOM_PX = 600


def _phone_page(browser_context_factory, base, username=None, language="kk"):
    context = browser_context_factory(viewport=PHONE)
    page = context.new_page()
    if username:
        login(page, base, username)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
    return page


def _content_top(page) -> float:
    """The top of the first thing shown in <main>, in CSS pixels from the top of the screen."""
    return page.evaluate(
        """() => {
          const main = document.querySelector('main');
          const first = [...main.children].find(e => e.getBoundingClientRect().height > 0);
          return (first || main).getBoundingClientRect().top;
        }"""
    )


def _scrolls_sideways(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("language", ["kk", "ru"])
@pytest.mark.parametrize("role", ["admin", "secretary"])
def test_the_header_leaves_the_first_screen_to_the_content(
    role, language, live_server, e2e_world, browser_context_factory, artifacts_dir
):
    base = live_server.url
    user = getattr(e2e_world, role)
    page = _phone_page(browser_context_factory, base, user.username, language)
    for path in ("/", "/members/", "/activity/"):
        page.goto(base + path)
        assert page.locator("html").get_attribute("lang") == language
        top = _content_top(page)
        assert top <= CONTENT_TOP_PX, f"{path}: the content starts at {top:.0f} px"
        assert not _scrolls_sideways(page), path
    page.screenshot(path=artifacts_dir / f"phone-header-{role}-{language}.png")

    # The navigation is behind the menu button, and opens by touch.
    menu = page.locator("details.navmenu")
    nav = menu.locator("nav")
    expect(page.locator("nav.mainnav.wide")).to_be_hidden()
    expect(nav).to_be_hidden()
    menu.locator("summary").click()
    expect(nav).to_be_visible()
    links = nav.get_by_role("link")
    assert links.count() >= 5
    page.screenshot(path=artifacts_dir / f"phone-menu-{role}-{language}.png")
    links.nth(1).click()  # the members list
    expect(page).to_have_url(re.compile(r"/members/$"))
    expect(page.locator("details.navmenu nav")).to_be_hidden()  # closed again on the new page


def test_the_menu_opens_from_the_keyboard(live_server, e2e_world, browser_context_factory):
    base = live_server.url
    page = _phone_page(browser_context_factory, base, e2e_world.secretary.username, "en")
    page.goto(base + "/")
    summary = page.locator("details.navmenu > summary")
    expect(summary).to_have_text("Menu")
    summary.focus()
    page.keyboard.press("Enter")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    assert nav.count() == 1  # the wide navigation is hidden from assistive technology too
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('details.navmenu') !== null")
    assert focused, "Tab moves into the opened menu"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("details.navmenu nav")).to_be_hidden()


def test_the_wide_screen_keeps_the_inline_navigation(
    live_server, e2e_world, browser_context_factory
):
    base = live_server.url
    page = browser_context_factory(viewport={"width": 1280, "height": 800}).new_page()
    login(page, base, e2e_world.admin.username)
    expect(page.locator("nav.mainnav.wide")).to_be_visible()
    expect(page.locator("details.navmenu")).to_be_hidden()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Members")
    ).to_be_visible()


@pytest.fixture
def voting(e2e_world, election):  # noqa: F811
    services.advance(election.scope, election.campaign)  # registration -> voting
    election.campaign.refresh_from_db()
    assert election.campaign.status == Campaign.Status.VOTING
    return election


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_tracker_search_is_on_the_first_screen(
    language, live_server, voting, browser_context_factory, artifacts_dir
):
    base = live_server.url
    # A title as long as the demo's open campaign: it takes four lines on a phone.
    Campaign.objects.filter(pk=voting.campaign.pk).update(title=LONG_TITLE)
    voter = f.user(Role.MEMBER, member=voting.voters[3], username="voter3")
    for who in (None, voter.username):
        page = _phone_page(browser_context_factory, base, who, language)
        page.goto(f"{base}/primaries/{voting.campaign.slug}/board/")
        box = page.locator("#id_tracker").bounding_box()
        button = page.locator("form[role=search] button[type=submit]").bounding_box()
        assert box is not None and button is not None
        # At once in view, not at the bottom edge of the first screen.
        assert box["y"] + box["height"] <= SEARCH_FIELD_BOTTOM_PX, f"the search field: {box}"
        assert button["y"] + button["height"] <= PHONE["height"] - 100, f"the button: {button}"
        assert not _scrolls_sideways(page)
        name = "member" if who else "public"
        page.screenshot(path=artifacts_dir / f"phone-board-{name}-{language}.png")


def test_a_long_unbroken_name_does_not_scroll_sideways(
    live_server, e2e_world, browser_context_factory, artifacts_dir
):
    base = live_server.url
    w = e2e_world
    poo = f.poo(w.district, name=LONG_POO)
    long_one = f.member(poo, last_name=LONG, first_name="Айгерім")
    page = _phone_page(browser_context_factory, base, w.admin.username)
    for path in ("/members/", f"/members/?q={LONG[:20]}", long_one.get_absolute_url()):
        page.goto(base + path)
        expect(page.locator("main")).to_contain_text(LONG)
        assert not _scrolls_sideways(page), path
    page.goto(base + "/members/?q=" + LONG[:20])
    page.screenshot(path=artifacts_dir / "phone-members-long-name.png", full_page=True)
    page.goto(base + "/structure/branches/")
    assert not _scrolls_sideways(page)


def test_the_favicon_is_there(page, live_server):
    base = live_server.url
    response = page.goto(base + "/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    page.goto(base + "/accounts/login/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    icon = page.context.request.get(base + href)
    assert icon.status == 200 and icon.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page.problems.assert_none()
