"""`bastau generate_scale`: the national-size benchmark data set (bastau.demo.scale)."""

from __future__ import annotations

import datetime as dt
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bastau.demo import scale


class Bar(scale.ProgressBar):
    """A progress bar on standard error: redrawn in place on a terminal, one line per tenth
    otherwise (logs stay readable)."""

    def __init__(self, label: str, total: int, stream=None):
        self.label, self.total, self.done = label, max(total, 1), 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.perf_counter()
        self.shown = -1.0
        self.next_step = 0.1

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.perf_counter()
        fraction = min(self.done / self.total, 1.0)
        if self.tty:
            if now - self.shown >= 0.2 or fraction >= 1.0:
                self.shown = now
                self.stream.write("\r" + self._line(fraction, now))
                self.stream.flush()
        elif fraction >= self.next_step:
            while self.next_step <= fraction:
                self.next_step += 0.1
            self.stream.write(self._line(fraction, now) + "\n")
            self.stream.flush()

    def _line(self, fraction: float, now: float) -> str:
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate else 0.0
        filled = int(fraction * 30)
        return (
            f"{self.label:>10} [{'#' * filled}{'.' * (30 - filled)}] {self.done:,}/{self.total:,} "
            f"{rate:,.0f}/s, {elapsed:.0f} s elapsed, {eta:.0f} s left"
        )

    def close(self) -> None:
        if self.tty:
            self.stream.write(
                "\r" + self._line(min(self.done / self.total, 1.0), time.perf_counter())
            )
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = (
        "Fill an empty database with a deterministic national-size data set for benchmarks "
        "(docs/performance.md): branches and ~4,000 POOs, members, appeals, and a counted "
        "primaries campaign whose board verifies. The same --seed, --today, sizes and board "
        "key give the same data. It refuses a database that already holds branches, members, "
        "appeals or campaigns unless --reset is given, which first EMPTIES every table of the "
        "project's data (only for a benchmark database)."
    )

    def add_arguments(self, parser):
        s = scale
        parser.add_argument("--members", type=int, default=s.MEMBERS, help="member records")
        parser.add_argument("--appeals", type=int, default=s.APPEALS, help="reception appeals")
        parser.add_argument("--ballots", type=int, default=s.BALLOTS, help="ballots cast")
        parser.add_argument(
            "--candidates", type=int, default=s.CANDIDATES, help="registered candidates"
        )
        parser.add_argument(
            "--lists",
            type=int,
            default=s.LISTS,
            help="party lists of the campaign; one district/city branch is made per list",
        )
        parser.add_argument(
            "--poos", type=int, default=0, help="primary organizations (default: members / 250)"
        )
        parser.add_argument("--seed", default=s.SEED, help="the random seed (text)")
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="the date the data is built around (YYYY-MM-DD; default: today)",
        )
        parser.add_argument(
            "--checkpoint-size", type=int, default=5000, help="ballots per board checkpoint (±20%%)"
        )
        parser.add_argument(
            "--password",
            default=s.DEFAULT_PASSWORD,
            help=f"password of the generated users ({s.ADMIN_USERNAME}, ...)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="EMPTY every table of the project's data first (TRUNCATE on PostgreSQL)",
        )
        parser.add_argument(
            "--no-analyze", action="store_true", help="skip VACUUM ANALYZE at the end (PostgreSQL)"
        )
        parser.add_argument(
            "--quiet-progress", action="store_true", help="no progress bars on standard error"
        )

    def handle(self, *args, **o):
        from django.utils import timezone

        spec = scale.ScaleSpec(
            members=o["members"],
            appeals=o["appeals"],
            ballots=o["ballots"],
            candidates=o["candidates"],
            lists=o["lists"],
            poos=o["poos"],
            seed=o["seed"],
            today=o["today"] or timezone.localdate(),
            checkpoint_size=o["checkpoint_size"],
            password=o["password"],
        )
        problems = spec.problems()
        if problems:
            raise CommandError("; ".join(problems))
        started = time.perf_counter()
        log = self.stdout.write
        with transaction.atomic():
            found = scale.existing_data()
            if found and not o["reset"]:
                what = ", ".join(f"{n:,} {name}" for name, n in found.items())
                raise CommandError(
                    f"the database already holds data ({what}); generate_scale fills an empty "
                    "database. --reset empties it first: use it only on a benchmark database."
                )
            if o["reset"]:
                log(f"Emptying {scale.reset()} tables...")
            log(
                f"Generating: {spec.members:,} members, {spec.appeals:,} appeals, "
                f"{spec.ballots:,} ballots, {spec.candidates:,} candidates in {spec.lists:,} "
                f"lists, {spec.poo_count:,} POOs (seed {spec.seed!r}, date {spec.today})"
            )

            def progress(label, total):
                if o["quiet_progress"]:
                    return scale.ProgressBar()
                return Bar(label, total)

            result = scale.generate(spec, progress=progress, log=log)
        if not o["no_analyze"]:
            began = time.perf_counter()
            scale.analyze()
            result.seconds["analyze"] = round(time.perf_counter() - began, 2)
            log(f"  analyze: {result.seconds['analyze']:.1f} s")
        elapsed = time.perf_counter() - started
        counts = ", ".join(f"{name} {n:,}" for name, n in result.counts.items())
        log(f"Rows: {counts}.")
        log(f"Campaign: {result.campaign_slug} (counted; `bastau export_board` writes its board).")
        log(
            f"Users: {scale.ADMIN_USERNAME} (regional administrator), {scale.SECRETARY_USERNAME}, "
            f"{scale.OFFICER_PREFIX}N; password {spec.password!r}."
        )
        self.stdout.write(self.style.SUCCESS(f"Generated in {elapsed:.1f} s."))
