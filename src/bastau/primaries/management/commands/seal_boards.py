"""`bastau seal_boards [--every SECONDS]`: the sealer (docs/verification.md, section 5).

Casting only inserts pending ballots; this process seals them into signed checkpoints. Run it
once (cron), or as a long-lived process beside the web server with --every. Sealing takes a row
lock on the campaign, so two sealers never write the same checkpoint; casts never wait on it.
With --every on PostgreSQL one sealer leads (core.leader: an advisory lock); a sealer started on
another app node stands by and takes over when the leader stops.
"""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections
from django.db.models import Count
from django.utils import timezone

from bastau.core.leader import Leadership
from bastau.primaries import services
from bastau.primaries.models import Campaign, PendingBallot


class Command(BaseCommand):
    help = (
        "Seal the pending ballots of every campaign into signed checkpoints of its public "
        "board. Without --every, seal once and exit; with --every SECONDS, keep sealing at "
        "that interval until interrupted (Ctrl-C or SIGTERM): the production set-up, run "
        "beside the web server (docs/deploy.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            metavar="SECONDS",
            help="seal again every SECONDS seconds until interrupted (at least 1)",
        )
        parser.add_argument(
            "--min-batch",
            type=int,
            default=1,
            metavar="N",
            help="leave a campaign's pending ballots for a later round until there are at "
            "least N (a tiny checkpoint narrows down when its ballots were cast; closing the "
            "vote seals the rest whatever their number). Default 1: seal whatever is pending",
        )

    def handle(self, *args, every: float | None, min_batch: int, **options):
        if every is not None and every < 1:
            raise CommandError("--every must be at least 1 second")
        if min_batch < 1:
            raise CommandError("--min-batch must be at least 1")
        if every is None:
            sealed = self.seal_round(min_batch)
            self.stdout.write(f"Sealed {sealed} ballot(s).")
            return

        stop = threading.Event()

        def on_signal(signum, frame):
            stop.set()

        previous = signal.signal(signal.SIGTERM, on_signal)
        self.stdout.write(
            f"Sealing every {every:g} s (min batch {min_batch}); Ctrl-C or SIGTERM stops."
        )
        leadership = Leadership("sealer")
        leading = None
        try:
            while not stop.is_set():
                close_old_connections()
                now_leading = leadership.acquire()
                if now_leading != leading:
                    leading = now_leading
                    self.stdout.write(
                        f"{timezone.now():%Y-%m-%d %H:%M:%S} "
                        + ("leading" if leading else "another sealer leads: standing by")
                    )
                if not leading:
                    stop.wait(every)
                    continue
                try:
                    sealed = self.seal_round(min_batch)
                except DatabaseError as exc:  # the database restarts: try again next round
                    self.stderr.write(f"{timezone.now():%Y-%m-%d %H:%M:%S} sealing failed: {exc}")
                    close_old_connections()
                else:
                    if sealed:
                        self.stdout.write(
                            f"{timezone.now():%Y-%m-%d %H:%M:%S} sealed {sealed} ballot(s)"
                        )
                stop.wait(every)
        except KeyboardInterrupt:
            pass
        finally:
            leadership.release()
            signal.signal(signal.SIGTERM, previous)
        self.stdout.write("Sealer stopped.")

    @staticmethod
    def seal_round(min_batch: int) -> int:
        if min_batch <= 1:
            return services.seal_due_campaigns()
        due = (
            PendingBallot.objects.values("campaign_id")
            .annotate(n=Count("tracker"))
            .filter(n__gte=min_batch)
            .values_list("campaign_id", flat=True)
        )
        sealed = 0
        for campaign in Campaign.objects.filter(pk__in=list(due)):
            sealed += services.seal_all(campaign)
        return sealed
