"""The journey of issue 3: a member votes on a phone, keeps the tracker and finds it on the
board; the commission closes voting, counts, publishes the list and downloads the protocol."""

import re

import pytest
from playwright.sync_api import expect

from bastau.accounts.models import Role
from bastau.primaries import board, services
from bastau.primaries.models import Ballot, Campaign
from tests import factories as f
from tests.factories.primaries import election  # noqa: F401  (fixture)

from .conftest import PASSWORD, login

pytestmark = pytest.mark.e2e


@pytest.fixture
def voting(e2e_world, election):  # noqa: F811
    services.advance(election.scope, election.campaign)  # registration -> voting
    election.campaign.refresh_from_db()
    assert election.campaign.status == Campaign.Status.VOTING
    return election


def test_member_votes_and_commission_publishes(
    page, live_server, voting, artifacts_dir, browser_context_factory
):
    campaign = voting.campaign
    base = live_server.url
    voter = f.user(Role.MEMBER, member=voting.voters[6], username="voter6")

    # The member, on a phone, goes straight to the ballot and is asked to sign in first.
    phone = browser_context_factory(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(f"{base}/primaries/{campaign.slug}/vote/")
    expect(phone).to_have_url(re.compile(r"/accounts/login/"))
    phone.get_by_label("Username").fill(voter.username)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in", exact=True).click()
    expect(phone).to_have_url(re.compile(rf"/primaries/{campaign.slug}/vote/"))
    first, second = voting.candidates[0], voting.candidates[2]
    phone.get_by_label(re.compile(re.escape(first.name))).check()
    phone.get_by_label(re.compile(re.escape(second.name))).check()
    phone.get_by_role("button", name="Continue").click()
    expect(phone.locator("main")).to_contain_text("You cannot change your vote afterwards")
    expect(phone.locator("main")).to_contain_text(first.name)
    phone.get_by_role("button", name="Cast my vote").click()
    tracker = phone.locator("#tracker-copy").input_value()
    assert re.fullmatch(r"[0-9a-f]{64}", tracker)
    expect(phone.locator("main")).not_to_contain_text(first.name)  # the receipt hides choices
    phone.screenshot(path=artifacts_dir / "primaries-receipt-phone.png", full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the receipt must not scroll sideways on a phone"

    # The tracker is on the public board, waiting for the next checkpoint.
    phone.get_by_role("button", name="Look it up on the bulletin board").click()
    expect(phone.locator("main")).to_contain_text("Received, waiting for the next checkpoint.")

    # A second attempt is refused.
    phone.goto(f"{base}/primaries/{campaign.slug}/vote/")
    expect(phone.locator("main")).to_contain_text("already voted")

    # The commission closes voting, counts and publishes.
    login(page, base, voting.chair.username)
    page.goto(f"{base}/primaries/manage/{campaign.slug}/")
    page.get_by_role("link", name=re.compile("Close voting and count")).click()
    page.get_by_role("button", name=re.compile("Close voting and count")).click()
    expect(page.locator("main")).to_contain_text("Counting")
    page.get_by_role("link", name=re.compile("Publish the results")).click()
    page.get_by_role("button", name=re.compile("Publish the results")).click()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.RESULTS
    assert campaign.tally["counts"][first.board_id] == 1

    page.goto(f"{base}/primaries/{campaign.slug}/results/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(campaign.title)
    expect(page.locator("main")).to_contain_text(first.name)
    page.screenshot(path=artifacts_dir / "primaries-results.png", full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"Protocol \(Kazakh, PDF\)")).click()
    path = download_info.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    # Sealed now: the member finds the ballot in a checkpoint, and the record verifies.
    phone.goto(f"{base}/primaries/{campaign.slug}/board/")
    phone.get_by_label("Your tracker").fill(tracker)
    phone.get_by_role("button", name="Search").click()
    seq = Ballot.objects.get(tracker=tracker).checkpoint.seq
    expect(phone.locator("main")).to_contain_text(f"checkpoint {seq}")
    report = board.verify_board(
        services.export_record(campaign), expected_public_key=campaign.public_key, unfinished=True
    )  # voting is still open: an unfinished record, verified as such
    assert report.ok, report.problems
    page.problems.assert_none()
