"""`bastau serve` (`make serve`): the production stack in one command.

It refuses to start with development keys (bastau.core.deploy), applies the migrations, collects
the static files (so the manifest WhiteNoise serves from exists), and then runs and watches:
granian with the production settings, the task worker (`bastau db_worker`, which also sends the
one-time login codes), the ballot sealer (`bastau seal_boards --every 120 --min-batch 20`) and
the daily jobs (`bastau run_periodic`). A part that stops is started again; Ctrl-C or SIGTERM
stops them all. The database is the one DATABASE_URL names, or the embedded SQLite.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from bastau.core.deploy import start_problems

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1", "testserver"}


def bastau(*args: str) -> list[str]:
    return [sys.executable, "-m", "bastau", *args]


def stack(host: str, port: int, workers: int, threads: int, periodic: bool) -> dict:
    """The processes of the production stack: name -> command line."""
    commands = {
        "web": [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "bastau.wsgi:application",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--backpressure",
            "1024",
            "--respawn-failed-workers",
            "--no-ws",
        ],
        "worker": bastau("db_worker"),
        "sealer": bastau("seal_boards", "--every", "120", "--min-batch", "20"),
    }
    if periodic:
        commands["periodic"] = bastau("run_periodic")
    return commands


class Command(BaseCommand):
    help = (
        "Run the production stack: check the keys, migrate, collect static files, then run "
        "granian, the task worker, the ballot sealer and the daily jobs until stopped."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="granian worker processes")
        parser.add_argument(
            "--threads",
            type=int,
            default=64,
            help="threads per worker; keep it above MAX_CONCURRENT_REQUESTS (docs/deploy.md)",
        )
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="do not run the daily jobs (on every node but one)",
        )
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help="do not apply migrations (on every node but the one that migrates)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check, migrate and collect static files, print the commands, start nothing",
        )

    def handle(
        self, *args, host, port, workers, threads, no_periodic, no_migrate, dry_run, **options
    ):
        problems = start_problems()
        if problems:
            raise CommandError(
                "Bastau will not start in production with these settings:\n- "
                + "\n- ".join(problems)
            )
        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads must be at least 1")
        database = settings.DATABASES["default"]
        if database["ENGINE"] == "django.db.backends.sqlite3":
            Path(database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        call_command("check", stdout=self.stdout)
        if not no_migrate:
            self.stdout.write("Applying migrations...")
            call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Collecting static files into {settings.STATIC_ROOT}...")
        call_command("collectstatic", interactive=False, verbosity=0)
        commands = stack(host, port, workers, threads, periodic=not no_periodic)
        scheme = "https (behind the TLS proxy)" if settings.SESSION_COOKIE_SECURE else "http"
        self.stdout.write(f"Serving on {host}:{port}, {scheme}; Ctrl-C or SIGTERM stops.")
        if host not in LOCAL_HOSTS and set(settings.ALLOWED_HOSTS) <= LOCAL_HOSTS:
            self.stdout.write(
                "Note: ALLOWED_HOSTS names only this machine; set it to the host name or "
                "address clients use, or they get 400 Bad Request."
            )
        for name, command in commands.items():
            self.stdout.write(f"  {name}: {' '.join(command)}")
        if dry_run:
            return
        Supervisor(commands, self.stdout, self.stderr).run()


class Supervisor:
    """Starts the processes, starts again one that stops (at most 5 times a minute each), and
    stops them all on Ctrl-C or SIGTERM."""

    MAX_RESTARTS_PER_MINUTE = 5

    def __init__(self, commands: dict, stdout, stderr):
        self.commands = commands
        self.stdout = stdout
        self.stderr = stderr
        self.processes: dict[str, subprocess.Popen] = {}
        self.restarts: dict[str, list[float]] = {name: [] for name in commands}
        self.stop = threading.Event()

    def run(self) -> None:
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: self.stop.set())
        failed = None
        try:
            for name in self.commands:
                self.start(name)
            while not self.stop.is_set():
                for name, process in list(self.processes.items()):
                    code = process.poll()
                    if code is None or self.stop.is_set():
                        continue
                    now = time.monotonic()
                    recent = [t for t in self.restarts[name] if now - t < 60] + [now]
                    self.restarts[name] = recent
                    if len(recent) > self.MAX_RESTARTS_PER_MINUTE:
                        failed = f"{name} keeps stopping (exit code {code}); stopping Bastau."
                        self.stop.set()
                        break
                    self.stderr.write(f"{name} stopped (exit code {code}); starting it again.")
                    self.start(name)
                self.stop.wait(1)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.terminate()
        if failed:
            raise CommandError(failed)
        self.stdout.write("Bastau stopped.")

    def start(self, name: str) -> None:
        self.processes[name] = subprocess.Popen(self.commands[name], stdin=subprocess.DEVNULL)

    def terminate(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
