"""The Benaloh audit checker (e2e/audit.py and `bastau check_audit`): a file the voting page
saves is accepted with its choices; any change to choices, randomness, tracker, manifest or
phi is refused naming what failed."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.management import CommandError, call_command

from bastau.primaries.e2e import audit


@pytest.fixture(scope="module")
def fixture():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "js" / "fixtures" / "mini-record.json"
    return json.loads(path.read_text())


def audit_file(fx) -> dict:
    setup = json.loads(fx["record"].split("\n")[0])
    from bastau.primaries.e2e import canonical

    return {
        "format": audit.FORMAT,
        "election": fx["phi"],
        "manifest": canonical.dumps(setup["payload"]["manifest"]).decode(),
        "question": "A-01",
        "audit": fx["audit"],
    }


def test_a_good_audit_file_shows_its_choices(fixture, tmp_path, capsys):
    checked = audit.check_file(audit_file(fixture))
    assert checked.tracker == fixture["audit"]["tracker"]
    assert checked.chosen == ["Айгүл Серікқызы", "Бауыржан Асқаров"]
    assert checked.phi == fixture["phi"]
    path = tmp_path / "audit.json"
    path.write_text(json.dumps(audit_file(fixture), ensure_ascii=False))
    call_command("check_audit", str(path))
    out = capsys.readouterr().out
    assert "OK" in out and "Бауыржан Асқаров" in out and fixture["audit"]["tracker"] in out


def _swap_choice(f):
    f["audit"]["m"][0] = [0, 1, 1]


def _swap_r(f):
    r = f["audit"]["r"][0]
    r[0], r[1] = r[1], r[0]


def _other_tracker(f):
    f["audit"]["tracker"] = f["audit"]["tracker"][::-1]


def _other_manifest(f):
    f["manifest"] = f["manifest"].replace("Дина Омарова", "Дина Омар")


@pytest.mark.parametrize(
    "change,needle",
    [
        (_swap_choice, "do not reproduce"),
        (_swap_r, "do not reproduce"),
        (_other_tracker, "tracker"),
        (_other_manifest, "phi"),
    ],
)
def test_a_changed_audit_file_is_refused(fixture, tmp_path, change, needle):
    f = copy.deepcopy(audit_file(fixture))
    change(f)
    with pytest.raises(audit.AuditError, match=needle):
        audit.check_file(f)
    path = tmp_path / "audit.json"
    path.write_text(json.dumps(f, ensure_ascii=False))
    with pytest.raises(CommandError, match="FAILED"):
        call_command("check_audit", str(path))
