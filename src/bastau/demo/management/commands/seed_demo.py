"""`bastau seed_demo`: build the demo region (DESIGN.md section 4)."""

import contextlib
import datetime as dt
import time

import time_machine
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from bastau import demo

#: Below this the growth POO (124 members) would be most of the region.
MIN_MEMBERS = 1000
#: --today: after the 2019 selection (DESIGN.md section 4) and within the years the `holidays`
#: package knows.
FIRST_DAY = dt.date(2020, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)


class Command(BaseCommand):
    help = (
        "Build the demo region: branches, primary organizations, members, users. "
        "Running it again adds only what is missing; --reset rebuilds it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--members",
            type=int,
            default=demo.DEFAULT_MEMBERS,
            help=f"current members to create (default {demo.DEFAULT_MEMBERS}); "
            "smaller demos are for tests",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the demo region's data (and users anchored in it), then seed again",
        )
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            metavar="YYYY-MM-DD",
            help="seed the demo as of this day (default: today); the clock runs from this day "
            "at the current time while the command seeds",
        )
        # `make demo` runs these three in one process (each start of Django costs seconds of
        # CPU on a loaded machine).
        parser.add_argument(
            "--migrate",
            action="store_true",
            help="apply the database migrations first (as `bastau migrate --noinput`)",
        )
        parser.add_argument(
            "--logins",
            action="store_true",
            help="print the demo logins afterwards (as `bastau demo_logins`)",
        )

    def handle(
        self,
        *args,
        members: int,
        reset: bool,
        today: dt.date | None = None,
        migrate: bool = False,
        logins: bool = False,
        **options,
    ):
        if members < MIN_MEMBERS:
            raise CommandError(f"--members must be at least {MIN_MEMBERS}")
        if isinstance(today, str):  # call_command("seed_demo", today="...")
            today = _day(today)
        if migrate:
            call_command("migrate", interactive=False, stdout=self.stdout, stderr=self.stderr)
        with as_of(today):
            self.seed(members=members, reset=reset)
        if logins:
            call_command("demo_logins", stdout=self.stdout, stderr=self.stderr)

    def seed(self, *, members: int, reset: bool) -> None:
        started = time.perf_counter()
        ctx = demo.DemoContext(members=members, log=self.stdout.write)
        with transaction.atomic():
            if reset and demo.is_seeded():
                self.stdout.write("Removing the demo data...")
                demo.reset(ctx)
            elif all(step.is_done(ctx) for step in demo.steps()):
                self.stdout.write(
                    "Demo data already seeded (`bastau seed_demo --reset` rebuilds it)."
                )
                return
            self.stdout.write(f"Seeding the demo region as of {ctx.today:%d.%m.%Y}...")
            demo.seed(ctx)
        for line in demo.summary(ctx):
            self.stdout.write(line)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Demo seeded in {elapsed:.1f} s."))


def _day(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be a date as YYYY-MM-DD, not {value!r}") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise CommandError(
            f"--today must lie between {FIRST_DAY:%Y-%m-%d} and {LAST_DAY:%Y-%m-%d}: "
            "the demo's 2019 selection must be in the past and the working-day calendar known"
        )
    return day


def as_of(day: dt.date | None):
    """The clock moved to `day` at the current local time of day, ticking, for everything the
    seed does: the steps' dates (DemoContext.today), the actions' timestamps, auto_now fields."""
    if day is None:
        return contextlib.nullcontext()
    now = timezone.localtime()
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, now.time())))
