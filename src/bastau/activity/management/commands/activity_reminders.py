"""`bastau activity_reminders`: remind executors of instructions due soon or overdue, and
escalate overdue instructions to their issuers. Run once a day (cron or a systemd timer)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from bastau.activity.services import send_reminders


class Command(BaseCommand):
    help = "Remind executors of instructions due soon or overdue; escalate overdue ones."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Count as of this day (YYYY-MM-DD); today by default.")
        parser.add_argument("--days", type=int, default=3, help="Due soon: within this many days.")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD") from exc
        result = send_reminders(today, days=options["days"])
        self.stdout.write(
            f"{result.reminded} instructions reminded, {result.escalated} escalated; "
            f"{len(result.recipients)} recipients; {result.emails} emails, {result.sms} SMS; "
            f"{result.failures} failures."
        )
        if result.failures:
            raise CommandError("some reminders could not be sent (see the log)")
