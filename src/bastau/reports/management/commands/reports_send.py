"""`bastau reports_send`: queue the monthly and quarterly reports not yet sent (daily job)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Queue the last finished month's and quarter's branch reports for the regional "
        "administrator and the district secretaries (by email, through the task worker); "
        "reports already sent are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="run as of this day (YYYY-MM-DD)")

    def handle(self, *args, today=None, **options):
        from bastau.reports.schedule import queue_due

        day = timezone.localdate()
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today: give a date as YYYY-MM-DD ({exc})") from None
        queued = queue_due(day)
        self.stdout.write(f"{queued} report(s) queued")
