"""The encrypted ballot in Chromium, on a phone: vote -> audit -> encrypt again -> cast ->
receipt -> one-tap check, and the whole record verified on the phone.

The campaign is made encrypted as in tests/primaries/test_encrypted.py (a simulated 2-of-3
ceremony, a test credential authority); the member's credential arrives in the URL fragment,
as from a phone link. The audit file is checked by the Python checker (bastau check_audit's
code), which the server does not control.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bastau.accounts.models import Role
from bastau.primaries import encrypted
from bastau.primaries.e2e import audit as audit_check
from bastau.primaries.e2e import credentials
from bastau.primaries.models import EncryptedBallot
from tests import factories as f
from tests.factories.primaries import election  # noqa: F401  (fixture)
from tests.primaries.test_encrypted import rng, setup_encrypted

from .conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_member_audits_then_casts_and_checks_on_a_phone(
    live_server,
    e2e_world,
    election,  # noqa: F811
    browser_context_factory,
    artifacts_dir,
):
    enc = setup_encrypted(election)
    campaign = enc.campaign
    person = election.voters[5]
    voter = f.user(Role.MEMBER, member=person, username="e2evoter")
    code = credentials.new_credential(rng(f"cred-{person.pk}"))
    base = live_server.url
    context = browser_context_factory(viewport={"width": 390, "height": 844}, accept_downloads=True)
    phone = context.new_page()
    problems = []
    phone.on("pageerror", lambda exc: problems.append(str(exc)))

    phone.goto(f"{base}/accounts/login/")
    phone.get_by_label("Username").fill(voter.username)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in", exact=True).click()
    phone.wait_for_load_state()

    phone.goto(f"{base}/primaries/{campaign.slug}/e2e/vote/#c={code}")
    # The credential came from the fragment, and the fragment is gone from the address bar.
    expect(phone.locator("#e2e-credential")).to_have_value(code)
    assert "#" not in phone.url
    phone.get_by_role("button", name="Open the ballot").click()
    boxes = phone.locator("input[name=e2e-choice]")
    expect(boxes.first).to_be_visible()
    names = phone.locator("#e2e-candidates .name").all_text_contents()
    boxes.nth(0).check()
    boxes.nth(2).check()
    phone.get_by_role("button", name="Encrypt my ballot").click()
    grouped = re.compile(r"^([A-Za-z0-9_-]{4} ){10}[A-Za-z0-9_-]{3}$")
    expect(phone.locator("#e2e-tracker")).to_have_text(grouped)
    first_tracker = phone.locator("#e2e-tracker").text_content()

    # Audit: the choices are shown, the file is saved, and the Python checker agrees.
    phone.get_by_role("button", name="Audit it").click()
    expect(phone.locator("#e2e-audit-choices")).to_have_text(f"{names[0]}, {names[2]}")
    with phone.expect_download() as dl:
        phone.get_by_role("button", name="Save the audit file").click()
    audit_file = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    checked = audit_check.check_file(audit_file)
    assert checked.tracker == first_tracker.replace(" ", "")
    assert checked.chosen == [names[0], names[2]]

    # Encrypt again: a fresh tracker; then cast.
    phone.get_by_role("button", name="Encrypt again").click()
    expect(phone.locator("#e2e-step-tracker")).to_be_visible()
    expect(phone.locator("#e2e-tracker")).not_to_have_text(first_tracker)
    expect(phone.locator("#e2e-tracker")).to_have_text(grouped)
    second_tracker = phone.locator("#e2e-tracker").text_content()
    phone.get_by_role("button", name="Cast this ballot").click()
    expect(phone.locator("#e2e-receipt-tracker")).to_have_text(second_tracker)
    with phone.expect_download() as dl:
        phone.get_by_role("button", name="Save the receipt").click()
    receipt = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    assert receipt["tracker"] == second_tracker.replace(" ", "")
    # Only the cast ballot reached the server; the audited one never did.
    stored = [bytes(b.tracker) for b in EncryptedBallot.objects.all()]
    assert len(stored) == 1
    phone.screenshot(path=artifacts_dir / "e2e-receipt-phone.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # Before sealing the check says "waiting"; after, the one-tap check passes.
    phone.get_by_role("link", name="Check my ballot in the record").click()
    expect(phone.locator("#e2e-error")).to_contain_text("waits for the next batch")
    encrypted.process(enc.election)
    phone.get_by_role("button", name="Check").click()
    expect(phone.locator("#e2e-result")).to_contain_text("signed by the server")

    # The whole record, verified on the phone.
    phone.goto(f"{base}/primaries/{campaign.slug}/e2e/verify/")
    phone.get_by_role("button", name="Verify the published record").click()
    expect(phone.locator("#e2e-summary")).to_contain_text("The record verifies")
    # Checked again, by three workers sharing the proofs: the head kept on this phone is
    # extended by the record (verify-diff).
    phone.goto(f"{base}/primaries/{campaign.slug}/e2e/verify/?workers=3")
    phone.get_by_role("button", name="Verify the published record").click()
    expect(phone.locator("#e2e-summary")).to_contain_text("earlier states of the record")
    assert problems == []
