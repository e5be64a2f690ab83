"""The browser's record verifier against records made by the Python e2e modules.

tests/js/fixtures/mini-record.json (a mini-election record and its negative cases) is what
tests/js/make_record.py makes from the Python modules; the Node suite (tests/js/e2e_verify.test.mjs,
run by test_e2e_js.py) checks that the browser verifier accepts the record and refuses each case at
the event the case broke. Here: the committed fixture is exactly what the Python side makes today.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_maker():
    spec = importlib.util.spec_from_file_location(
        "make_record", ROOT / "tests" / "js" / "make_record.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_fixture_is_what_the_python_modules_make():
    maker = load_maker()
    made = json.dumps(maker.main(), ensure_ascii=False, indent=1) + "\n"
    assert maker.OUT.read_text() == made, "run: .venv/bin/python tests/js/make_record.py"


def test_every_negative_case_differs_from_the_good_record():
    fixture = json.loads((ROOT / "tests" / "js" / "fixtures" / "mini-record.json").read_text())
    assert len(fixture["cases"]) >= 10
    for case in fixture["cases"]:
        assert case["record"] != fixture["record"], case["name"]
