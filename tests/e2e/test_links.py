"""Every link a demo user is shown opens for that user.

The small demo region is seeded (the same data `make demo` shows, with fewer members), each
demo role signs in, and the crawl of tests/e2e/crawl.py follows the links reachable from the
start page: any answer of 400 or more fails the test, naming the page that showed the link.
"""

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command

from bastau import demo

from .crawl import crawl

pytestmark = pytest.mark.e2e

ROLES = ["admin", "secretary", "leader", "reception", "faction", "member"]
#: The smallest demo seed_demo builds; enough for every kind of page.
DEMO_MEMBERS = 1000


@pytest.fixture
def demo_region(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A transactional test empties the tables after it, data migrations' rows included.
    importlib.import_module("bastau.reception.migrations.0002_seed_topics").seed(apps, None)
    call_command("seed_demo", members=DEMO_MEMBERS, stdout=io.StringIO())


def _sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


@pytest.mark.parametrize("role", ROLES)
def test_every_link_a_role_is_shown_opens(role, page, live_server, demo_region, artifacts_dir):
    base = live_server.url
    _sign_in(page, base, role)
    start = page.url
    page.screenshot(path=artifacts_dir / f"links-{role}-start.png", full_page=True)

    result = crawl(page, start, max_pages=600)

    assert len(result.visited) > 20, f"{role}: only {result.visited} were reachable"
    if result.failures:
        failures = "\n".join(str(failure) for failure in result.failures)
        pytest.fail(f"{role}: links that do not open:\n{failures}", pytrace=False)


def test_the_public_pages_links_open(page, live_server, demo_region):
    base = live_server.url
    result = crawl(page, base + "/reception/public/", max_pages=150)
    result_primaries = crawl(page, base + "/primaries/", max_pages=150)
    visited = result.visited + result_primaries.visited
    failures = result.failures + result_primaries.failures
    assert len(visited) > 10
    if failures:
        pytest.fail("links that do not open:\n" + "\n".join(map(str, failures)), pytrace=False)
