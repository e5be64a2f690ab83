"""`bastau serve` (make serve) and `bastau run_periodic`: the production start."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bastau.core.management.commands import run_periodic, serve
from bastau.primaries import board

DEV_KEY = "django-insecure-bastau-development-key-not-for-production-0123456789"
GOOD_KEY = "k3P9-wQz_7vR2mXc8LtY5nB1hJ6fD4sA0eG9uI2oK7pM3qN8rT5vW1xZ6yC4bE0a"


@pytest.fixture
def no_processes(monkeypatch):
    """Nothing is started in these tests; a test that reached the start fails."""
    started = []
    monkeypatch.setattr(serve.Supervisor, "run", lambda self: started.append(self.commands))
    return started


def run_serve(*args) -> str:
    out = io.StringIO()
    call_command("serve", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"SECRET_KEY": DEV_KEY}, ["SECRET_KEY is the development key", "token_urlsafe(50)"]),
        ({"SECRET_KEY": "short"}, ["SECRET_KEY", "50 or more random characters"]),
        ({"BOARD_SIGNING_KEY": ""}, ["BOARD_SIGNING_KEY is not set", "generate_board_key"]),
        ({"BOARD_SIGNING_KEY": "not-a-key"}, ["cannot be loaded", "generate_board_key"]),
        ({"DEBUG": True}, ["DEBUG is on", "DEBUG=false"]),
    ],
    ids=["development-key", "short-key", "no-board-key", "bad-board-key", "debug"],
)
def test_serve_refuses_development_settings(settings, no_processes, values, expected):
    settings.DEBUG = False
    settings.SECRET_KEY = GOOD_KEY
    settings.BOARD_SIGNING_KEY = board.private_key_to_text(board.generate_private_key())
    for name, value in values.items():
        setattr(settings, name, value)
    with pytest.raises(CommandError) as error:
        run_serve("--dry-run")
    message = str(error.value)
    assert message.startswith("Bastau will not start in production with these settings")
    for text in expected:
        assert text in message
    assert no_processes == []


def test_serve_prepares_static_files_and_runs_the_whole_stack(settings, tmp_path, no_processes, db):
    settings.DEBUG = False
    settings.SECRET_KEY = GOOD_KEY
    settings.BOARD_SIGNING_KEY = board.private_key_to_text(board.generate_private_key())
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    output = run_serve("--host", "0.0.0.0", "--port", "8123")
    # The manifest exists, so pages that link static files render instead of failing.
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    assert "bastau/bastau.css" in manifest["paths"]
    (commands,) = no_processes
    assert set(commands) == {"web", "worker", "sealer", "periodic"}
    web = commands["web"]
    assert web[:3] == [sys.executable, "-m", "granian"]
    assert "bastau.wsgi:application" in web
    assert web[web.index("--host") + 1] == "0.0.0.0"
    assert web[web.index("--port") + 1] == "8123"
    assert commands["worker"][-1] == "db_worker"
    assert commands["sealer"][-5:] == ["seal_boards", "--every", "120", "--min-batch", "20"]
    assert commands["periodic"][-1] == "run_periodic"
    # Listening beyond this machine with only local host names allowed: the operator is told.
    assert "ALLOWED_HOSTS names only this machine" in output


def test_serve_on_another_node_skips_the_daily_jobs(settings, tmp_path, no_processes, db):
    settings.DEBUG = False
    settings.SECRET_KEY = GOOD_KEY
    settings.BOARD_SIGNING_KEY = board.private_key_to_text(board.generate_private_key())
    settings.STATIC_ROOT = tmp_path / "static"
    run_serve("--no-periodic", "--no-migrate")
    assert set(no_processes[0]) == {"web", "worker", "sealer"}


def test_the_supervisor_restarts_a_stopped_part_and_stops_everything():
    out, err = io.StringIO(), io.StringIO()
    supervisor = serve.Supervisor(
        {
            "long": [sys.executable, "-c", "import time; time.sleep(60)"],
            "short": [sys.executable, "-c", "raise SystemExit(3)"],
        },
        out,
        err,
    )
    with pytest.raises(CommandError, match="short keeps stopping"):
        supervisor.run()
    assert "short stopped (exit code 3); starting it again." in err.getvalue()
    assert all(process.poll() is not None for process in supervisor.processes.values())


def test_the_supervisor_stops_on_request():
    supervisor = serve.Supervisor(
        {"long": [sys.executable, "-c", "import time; time.sleep(60)"]},
        io.StringIO(),
        io.StringIO(),
    )
    threading.Timer(1.0, supervisor.stop.set).start()
    supervisor.run()
    assert supervisor.processes["long"].poll() is not None


# run_periodic ------------------------------------------------------------------------------------
def at(day: str, time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}")


@pytest.mark.parametrize(
    ("now", "last_runs", "expected"),
    [
        (at("2026-12-07", "07:29"), {}, []),  # a Monday, before the reports
        (at("2026-12-07", "08:29"), {}, ["reports_send"]),  # before the digest
        (at("2026-12-07", "08:30"), {}, ["reception_digest", "reports_send"]),
        (at("2026-12-07", "08:59"), {}, ["reception_digest", "activity_reminders", "reports_send"]),
        (
            at("2026-12-07", "09:59"),
            {},
            ["reception_digest", "activity_reminders", "review_reminders", "reports_send"],
        ),
        (
            at("2026-12-07", "23:59"),
            {},
            [
                "reception_digest",
                "activity_reminders",
                "review_reminders",
                "reports_send",
                "survey_reminders",
            ],
        ),
        # A Saturday: no digest, no review reminders.
        (at("2026-12-12", "09:00"), {}, ["activity_reminders", "reports_send"]),
        (at("2026-12-12", "10:00"), {}, ["activity_reminders", "reports_send", "survey_reminders"]),
        (
            at("2028-02-29", "10:00"),
            {
                "reception_digest": "2028-02-29",
                "activity_reminders": "2028-02-28",
                "review_reminders": "2028-02-29",
                "reports_send": "2028-02-29",
                "survey_reminders": "2028-02-29",
            },
            ["activity_reminders"],
        ),
        (
            at("2035-01-01", "10:00"),
            {
                "reception_digest": "2035-01-01",
                "activity_reminders": "2035-01-01",
                "review_reminders": "2035-01-01",
                "survey_reminders": "2035-01-01",
            },
            ["reports_send"],
        ),
    ],
)
def test_due_jobs(now, last_runs, expected):
    assert [job.name for job in run_periodic.due_jobs(now, last_runs)] == expected


def test_each_job_runs_once_a_day_and_a_failure_does_not_stop_the_other(tmp_path, monkeypatch):
    ran = []

    def fake_call(name, **kwargs):
        ran.append(name)
        if name == "reception_digest":
            raise CommandError("the mail server is down")

    monkeypatch.setattr(run_periodic, "call_command", fake_call)
    command = run_periodic.Command(stdout=io.StringIO(), stderr=io.StringIO())
    state = tmp_path / "periodic.json"
    monday = at("2026-12-07", "10:00")
    jobs = [
        "reception_digest",
        "activity_reminders",
        "review_reminders",
        "reports_send",
        "survey_reminders",
    ]
    assert command.run_due(state, monday) == jobs
    assert "reception_digest failed: the mail server is down" in command.stderr._out.getvalue()
    # A restart the same day runs nothing again; the next day runs them all again.
    assert command.run_due(state, monday + dt.timedelta(hours=5)) == []
    assert command.run_due(state, monday + dt.timedelta(days=1)) == jobs
    assert ran == jobs * 2
    assert json.loads(state.read_text()) == {
        "activity_reminders": "2026-12-08",
        "reception_digest": "2026-12-08",
        "review_reminders": "2026-12-08",
        "reports_send": "2026-12-08",
        "survey_reminders": "2026-12-08",
    }


def test_every_periodic_job_is_a_command_of_the_project():
    from django.core.management import get_commands

    assert {job.name for job in run_periodic.JOBS} <= set(get_commands())
