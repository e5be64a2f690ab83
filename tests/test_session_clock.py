"""BASTAU_TEST_NOW runs the whole test session as of another moment (tests/conftest.py)."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone

ROOT = Path(__file__).resolve().parent.parent
PROBE = "BASTAU_TEST_CLOCK_PROBE"
HERE = "tests/test_session_clock.py"


def pytest_session(moment: str, *tests: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BASTAU_TEST_NOW": moment, PROBE: moment}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.skipif(PROBE not in os.environ, reason="run by the tests below, in their session")
def test_probe_the_clock():
    """In a session started with BASTAU_TEST_NOW, the clock starts at that moment and runs."""
    moment = dt.datetime.fromisoformat(os.environ[PROBE])
    now = timezone.now()
    assert moment <= now < moment + dt.timedelta(minutes=10)
    assert time.time() >= moment.timestamp()
    # 19:30 UTC on 31 December is already New Year's Day in Aqtobe (UTC+5).
    assert timezone.localdate() == dt.date(2036, 1, 1)


def test_the_session_runs_as_of_the_moment_given():
    result = pytest_session("2035-12-31T19:30+00:00", f"{HERE}::test_probe_the_clock")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_a_moment_without_its_offset_is_refused_with_a_clear_message():
    result = pytest_session("2035-12-31T23:30", "--collect-only", HERE)
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    expected = "BASTAU_TEST_NOW='2035-12-31T23:30': give an ISO date-time with its UTC offset"
    assert expected in result.stdout + result.stderr
