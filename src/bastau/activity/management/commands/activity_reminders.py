"""`bastau activity_reminders`: remind executors of instructions due soon or overdue, and
escalate overdue instructions to their issuers. Run once a day (cron or a systemd timer)."""

from django.core.management.base import BaseCommand, CommandError

from bastau.activity.services import send_reminders
from bastau.core.management.days import add_date_option, date_option


class Command(BaseCommand):
    help = "Remind executors of instructions due soon or overdue; escalate overdue ones."

    def add_arguments(self, parser):
        add_date_option(parser)
        parser.add_argument("--days", type=int, default=3, help="Due soon: within this many days.")

    def handle(self, *args, **options):
        today = date_option(options["date"])
        result = send_reminders(today, days=options["days"])
        self.stdout.write(
            f"{result.reminded} instructions reminded, {result.escalated} escalated; "
            f"{len(result.recipients)} recipients; {result.emails} emails, {result.sms} SMS; "
            f"{result.failures} failures."
        )
        if result.failures:
            raise CommandError("some reminders could not be sent (see the log)")
