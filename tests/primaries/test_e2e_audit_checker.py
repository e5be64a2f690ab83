"""The standalone audit checker file is exactly what tools/build_audit_checker.py builds from the
vendored libsodium and static/bastau/e2e today, and its committed SHA-256 is that file's."""

import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "src" / "bastau" / "static" / "bastau" / "e2e" / "audit-checker.html"


def test_committed_checker_is_the_build_of_todays_sources():
    run = subprocess.run(
        [sys.executable, "tools/build_audit_checker.py", "--check"], cwd=ROOT, capture_output=True
    )
    assert run.returncode == 0, "run: .venv/bin/python tools/build_audit_checker.py"


def test_committed_checksum_is_the_files():
    digest, name = (HTML.parent / "audit-checker.html.sha256").read_text().split()
    assert name == HTML.name
    assert digest == hashlib.sha256(HTML.read_bytes()).hexdigest()
