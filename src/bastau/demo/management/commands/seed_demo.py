"""`bastau seed_demo`: build the demo region (DESIGN.md section 4)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bastau import demo

#: Below this the growth POO (124 members) would be most of the region.
MIN_MEMBERS = 1000


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

    def handle(self, *args, members: int, reset: bool, **options):
        if members < MIN_MEMBERS:
            raise CommandError(f"--members must be at least {MIN_MEMBERS}")
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
