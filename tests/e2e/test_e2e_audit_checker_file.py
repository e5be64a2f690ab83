"""The standalone audit checker opened from disk (file://) in Chromium: no server at all. A good
audit file shows its choices; a file whose revealed choice was changed fails."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from bastau.primaries.e2e import canonical

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "src" / "bastau" / "static" / "bastau" / "e2e" / "audit-checker.html"
FIXTURE = ROOT / "tests" / "js" / "fixtures" / "mini-record.json"


def audit_file() -> dict:
    fx = json.loads(FIXTURE.read_text())
    setup = json.loads(fx["record"].split("\n")[0])
    return {
        "format": "bastau-e2e-audit/1",
        "election": fx["phi"],
        "manifest": canonical.dumps(setup["payload"]["manifest"]).decode(),
        "question": "A-01",
        "audit": fx["audit"],
    }


def run(browser, tmp_path, data: dict) -> str:
    path = tmp_path / "audit.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    context = browser.new_context(locale="en-US")
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(HTML.as_uri())
        page.wait_for_selector("#file:not([disabled])", timeout=15_000)
        page.set_input_files("#file", str(path))
        page.wait_for_selector("#result p", timeout=15_000)
        assert errors == []
        return page.text_content("#result")
    finally:
        context.close()


def test_the_checker_from_disk_shows_the_choices(browser, tmp_path):
    text = run(browser, tmp_path, audit_file())
    assert text.startswith("OK")
    assert "Айгүл Серікқызы, Бауыржан Асқаров" in text


def test_the_checker_from_disk_refuses_a_changed_choice(browser, tmp_path):
    data = copy.deepcopy(audit_file())
    data["audit"]["m"][0] = [0, 1, 1]
    text = run(browser, tmp_path, data)
    assert text.startswith("FAILED") and "NOT hold" in text
