"""The browser's encrypted-ballot code, run under Node (tests/js, `node --test`).

Node runs the same ES module the browser loads (static/bastau/e2e/ballot.js) on the vendored
libsodium. Where node is missing the test skips with the reason; with BASTAU_REQUIRE_BROWSER set
(CI does, as for the browser tests in tests/e2e) it fails instead, so CI cannot pass without it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_MAJOR_MIN = 20  # node:test, globalThis.crypto and String.prototype.isWellFormed


def node_required() -> bool:
    value = os.environ.get("BASTAU_REQUIRE_BROWSER", "").strip().lower()
    return value not in {"", "0", "false", "no", "off"}


def node_or_skip() -> str:
    node = shutil.which(os.environ.get("BASTAU_NODE", "node"))
    reason = None
    if node is None:
        reason = "node is not installed (the encrypted-ballot code is tested under Node)"
    else:
        version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
        major = re.match(r"v(\d+)\.", version)
        if not major or int(major.group(1)) < NODE_MAJOR_MIN:
            reason = f"node {version.strip()} is older than {NODE_MAJOR_MIN}"
    if reason:
        if node_required():
            message = f"{reason}; BASTAU_REQUIRE_BROWSER is set, so this is a failure"
            pytest.fail(message, pytrace=False)
        pytest.skip(reason)
    return node


def test_node_suite_passes():
    node = node_or_skip()
    run = subprocess.run(
        [node, "--test", "--test-reporter=spec", "tests/js/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-4000:]
    passed = re.search(r"ℹ pass (\d+)", run.stdout)
    failed = re.search(r"ℹ fail (\d+)", run.stdout)
    assert passed and int(passed.group(1)) > 0 and failed and failed.group(1) == "0", run.stdout
