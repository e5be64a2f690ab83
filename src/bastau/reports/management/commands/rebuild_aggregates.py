"""`bastau rebuild_aggregates`: recount every kept figure from the records (docs/architecture.md,
"Kept figures"). Idempotent; each app's figures are rebuilt in one transaction, in batches of
record ids, so it is safe on a million rows and readers see the old figures until it commits."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from bastau.members import tally as member_tally
from bastau.primaries import tally as primaries_tally
from bastau.reception import tally as reception_tally


def rebuilders() -> list[tuple[str, object]]:
    """(name, rebuild function) of every app that keeps figures."""
    return [
        ("members", member_tally.rebuild),
        ("reception", reception_tally.rebuild),
        ("primaries", primaries_tally.rebuild),
    ]


class Command(BaseCommand):
    help = "Recount the kept figures (members, appeals, ballots) from the records."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=100_000, help="record ids per batch")
        parser.add_argument("--only", nargs="*", default=None, help="members, reception, primaries")

    def handle(self, *args, batch, only, **options):
        for name, rebuild in rebuilders():
            if only and name not in only:
                continue
            started = time.perf_counter()
            counted = rebuild(batch=batch)
            self.stdout.write(
                f"{name}: {counted:,} records counted in {time.perf_counter() - started:.1f} s"
            )
