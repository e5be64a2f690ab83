"""The review of members on a phone: a POO leader works through their POO's roll (one member
confirmed with a tap, one who wishes to leave, with a reason), and the district's progress
and the members' statuses change for the secretary."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bastau.accounts.scoping import Scope
from bastau.members import review
from bastau.members.models import Member, ReviewItem

from .conftest import login

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_a_leader_works_through_a_review_on_a_phone(
    page, live_server, e2e_world, browser_context_factory, artifacts_dir
):
    w = e2e_world
    base = live_server.url
    today = timezone.localdate()
    rev = review.open_review(
        Scope(w.secretary),
        branch=w.district,
        title="Сараптау",
        deadline=today + dt.timedelta(days=10),
        today=today,
    )
    staying, leaving = w.members[1], w.named

    # The leader, on a phone.
    phone = browser_context_factory(viewport=PHONE).new_page()
    login(phone, base, w.leader.username)
    phone.goto(f"{base}/members/reviews/")
    phone.get_by_role("link", name="Сараптау").click()
    phone.get_by_role("link", name=w.poo.name).click()
    expect(phone).to_have_url(re.compile(rf"/members/reviews/{rev.pk}/poo/{w.poo.code}/$"))
    expect(phone.locator("#roll-progress")).to_have_text("Answered 0 of 3 (0%)")
    assert not phone.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )

    row = phone.locator("li.roll-item", has_text=staying.full_name)
    row.get_by_role("button", name="Confirmed").click()
    expect(phone.locator("#roll-progress")).to_have_text("Answered 1 of 3 (33%)")

    row = phone.locator("li.roll-item", has_text=leaving.full_name)
    row.get_by_role("link", name="Other answer").click()
    phone.get_by_label("Wishes to leave").check()
    phone.get_by_label("Reason (required for “Other”)").fill("Өз өтініші бойынша")
    phone.get_by_role("button", name="Save the answer").click()
    expect(phone.locator("#roll-progress")).to_have_text("Answered 2 of 3 (66%)")
    expect(phone.locator("li.roll-item", has_text=leaving.full_name)).to_contain_text(
        "Left the party"
    )
    phone.screenshot(path=artifacts_dir / "review-roll-phone.png", full_page=True)

    # Bad input: "Other" with no reason is refused and changes nothing.
    row = phone.locator("li.roll-item", has_text=w.members[0].full_name)
    row.get_by_role("link", name="Other answer").click()
    phone.get_by_label("Other", exact=True).check()
    phone.get_by_role("button", name="Save the answer").click()
    expect(phone.locator(".errorlist").first).to_be_visible()
    expect(phone.get_by_text("Say what the other answer is.")).to_be_visible()

    # The statuses changed through the members' own actions.
    assert Member.objects.get(pk=leaving.pk).status == Member.Status.LEFT
    assert Member.objects.get(pk=staying.pk).status == Member.Status.ACTIVE
    assert ReviewItem.objects.get(review=rev, member=w.members[0]).answer == ""

    # The district's progress, for the secretary.
    login(page, base, w.secretary.username)
    page.goto(f"{base}{rev.get_absolute_url()}")
    expect(page.locator("#review-overall")).to_contain_text("2 / 4 (50%)")
    poo_row = page.locator("#review-poos tr", has_text=w.poo.name)
    expect(poo_row).to_contain_text("2 / 3")
    page.goto(f"{base}/members/{leaving.pk}/")
    expect(page.locator("h1")).to_contain_text("Left the party")
    page.problems.assert_none()
