"""Browser tests: Playwright (sync API) drives Debian's chromium against the live server.

Where /usr/bin/chromium is missing the tests skip with the reason; with BASTAU_REQUIRE_BROWSER
set (CI does) they fail instead, so a CI run cannot pass without running them.
Screenshots land in test-artifacts/ at the project root (gitignored), or in $BASTAU_ARTIFACTS_DIR.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests import factories as f

CHROMIUM = os.environ.get("BASTAU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery"
TIMEOUT_MS = 15_000


def browser_required() -> bool:
    value = os.environ.get("BASTAU_REQUIRE_BROWSER", "").strip().lower()
    return value not in {"", "0", "false", "no", "off"}


def _no_browser(reason: str):
    if browser_required():
        pytest.fail(f"{reason}; BASTAU_REQUIRE_BROWSER is set, so this is a failure", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session", autouse=True)
def _live_server_settings():
    """Plain-HTTP settings in place before the session-scoped live server starts.

    The live server builds its middleware once, when it starts, and SecurityMiddleware reads
    SECURE_SSL_REDIRECT then; tests/conftest.py's per-test settings come too late for it
    (with DEBUG off the server would redirect every page to https).
    """
    from django.test.utils import override_settings

    override = override_settings(
        SECURE_SSL_REDIRECT=False,
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
    )
    override.enable()
    yield
    override.disable()


@pytest.fixture(scope="session")
def artifacts_dir(pytestconfig) -> Path:
    path = Path(
        os.environ.get("BASTAU_ARTIFACTS_DIR") or Path(pytestconfig.rootpath) / "test-artifacts"
    )
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("FAILED-*.png"):
        stale.unlink()
    return path


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _no_browser(
            f"browser tests need Debian's chromium at {CHROMIUM} "
            "(apt-get install chromium; .ci/run installs it)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("browser tests need the playwright package (make install)")

    # Playwright's sync API keeps an asyncio loop alive in this thread, which makes Django refuse
    # ORM calls from the test body ("You cannot call this from an async context").
    # The test code is plain synchronous code, so that guard does not apply here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        playwright.stop()
        raise
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class PageProblems:
    """HTTP errors and JavaScript errors seen by a page; tests assert there are none."""

    def __init__(self):
        self.failed_responses: list[str] = []
        self.page_errors: list[str] = []

    def watch(self, page):
        page.on(
            "response",
            lambda r: (
                self.failed_responses.append(f"{r.status} {r.url}") if r.status >= 400 else None
            ),
        )
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))

    def assert_none(self):
        assert self.failed_responses == [], self.failed_responses
        assert self.page_errors == [], self.page_errors


@pytest.fixture
def browser_context_factory(browser):
    contexts = []

    def make(**kwargs):
        # en-US so that LocaleMiddleware serves English, the language the selectors use.
        kwargs.setdefault("locale", "en-US")
        context = browser.new_context(**kwargs)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(request, browser_context_factory, live_server, artifacts_dir):
    context = browser_context_factory()
    page = context.new_page()
    page.problems = PageProblems()
    page.problems.watch(page)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        try:
            page.screenshot(path=artifacts_dir / f"FAILED-{request.node.name}.png", full_page=True)
        except Exception as exc:  # a crashed page must not hide the test's own failure
            print(f"no failure screenshot: {exc}")


@pytest.fixture
def e2e_world(transactional_db, world):
    """The shared `world`, committed for the live server, plus a member with a Kazakh name."""
    named = f.member(
        world.poo,
        last_name="Әбілқайырова",
        first_name="Айгерім",
        patronymic="Серікқызы",
        sex="F",
        birth_date=dt.date(1992, 8, 14),
    )
    return SimpleNamespace(**vars(world), named=named, password=PASSWORD)


def login(page, base_url: str, username: str, password: str = PASSWORD):
    page.goto(base_url + "/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
