"""`bastau run_periodic`: the daily jobs, for installations without cron (`bastau serve` runs it).

The jobs are the ones docs/deploy.md (section 7) puts in cron: the reception's daily digest on
weekday mornings, the instruction reminders every morning, the review-of-members reminders
on weekday mornings, the surveys' scheduled reminders every morning (`survey_reminders`), and
the monthly and quarterly branch reports (`reports_send`, which sends each report once). The
jobs are named by their management commands only, so this floor imports no app. Each runs once
a day, at or after its time (local time, TIME_ZONE); a job whose time passed while the process
was down runs when it starts again the same day. The day each job last ran is kept in a small
file, so a restart does not send a digest twice. On PostgreSQL one process leads (core.leader:
an advisory lock): started on several app nodes, the others stand by and the next takes over
when the leader stops.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import signal
import threading
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from bastau.core.leader import Leadership


@dataclasses.dataclass(frozen=True)
class Job:
    name: str  # the management command
    at: dt.time
    weekdays: frozenset[int]  # Monday is 0


EVERY_DAY = frozenset(range(7))
WEEKDAYS = frozenset(range(5))
JOBS = (
    Job("reception_digest", dt.time(8, 30), WEEKDAYS),
    Job("activity_reminders", dt.time(8, 45), EVERY_DAY),
    Job("review_reminders", dt.time(9, 0), WEEKDAYS),
    Job("reports_send", dt.time(7, 30), EVERY_DAY),
    Job("survey_reminders", dt.time(10, 0), EVERY_DAY),
)


def due_jobs(now: dt.datetime, last_runs: dict[str, str], jobs=JOBS) -> list[Job]:
    """The jobs to run at `now` (local time): their day, their time passed, not yet run today."""
    today = now.date()
    return [
        job
        for job in jobs
        if today.weekday() in job.weekdays
        and now.time() >= job.at
        and last_runs.get(job.name) != today.isoformat()
    ]


def read_state(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def write_state(path: Path, state: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n")
    tmp.replace(path)


class Command(BaseCommand):
    help = (
        "Run the daily jobs at their times: reception_digest at 08:30 on weekdays, "
        "activity_reminders at 08:45 every day, review_reminders at 09:00 on weekdays, "
        "survey_reminders at 10:00 every day and reports_send at 07:30 every day (local time). "
        "Keeps running until interrupted (Ctrl-C or SIGTERM); with --once, runs what is due "
        "now and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is due now and exit")
        parser.add_argument(
            "--state",
            default=str(Path(settings.VAR_DIR) / "periodic.json"),
            help="the file that records the day each job last ran "
            "(default: BASTAU_VAR_DIR/periodic.json)",
        )
        parser.add_argument(
            "--every", type=float, default=30.0, metavar="SECONDS", help="how often to look"
        )

    def handle(self, *args, once: bool, state: str, every: float, **options):
        if every < 1:
            raise CommandError("--every must be at least 1 second")
        path = Path(state)
        leadership = Leadership("periodic")
        if once:
            with leadership:
                if leadership.acquire():
                    self.run_due(path, timezone.localtime())
                else:
                    self.stdout.write("Another process runs the periodic jobs; nothing done.")
            return
        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
        names = ", ".join(f"{job.name} at {job.at:%H:%M}" for job in JOBS)
        self.stdout.write(
            f"Periodic jobs: {names} ({settings.TIME_ZONE}); Ctrl-C or SIGTERM stops."
        )
        leading = None
        try:
            while not stop.is_set():
                close_old_connections()
                now_leading = leadership.acquire()
                if now_leading != leading:
                    leading = now_leading
                    self.stdout.write(
                        "Leading." if leading else "Another process leads: standing by."
                    )
                if leading:
                    self.run_due(path, timezone.localtime())
                stop.wait(every)
        except KeyboardInterrupt:
            pass
        finally:
            leadership.release()
            signal.signal(signal.SIGTERM, previous)
        self.stdout.write("Periodic jobs stopped.")

    def run_due(self, path: Path, now: dt.datetime) -> list[str]:
        """Run the jobs due at `now`; each is recorded as run for the day even when it fails
        (its error is logged), so a failing job is not retried every half minute."""
        state = read_state(path)
        ran = []
        for job in due_jobs(now, state):
            state[job.name] = now.date().isoformat()
            write_state(path, state)
            self.stdout.write(f"{now:%Y-%m-%d %H:%M} {job.name}")
            try:
                call_command(job.name, stdout=self.stdout, stderr=self.stderr)
            except Exception as exc:  # one job's failure must not stop the others
                self.stderr.write(f"{now:%Y-%m-%d %H:%M} {job.name} failed: {exc}")
            ran.append(job.name)
        return ran
