"""`bastau review_reminders`: remind the leaders of POOs late in a running review of members.
Run once a day (`bastau run_periodic`, cron or a systemd timer)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bastau.members.review import send_reminders


class Command(BaseCommand):
    help = "Remind the leaders of POOs late in a running review of members."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Count as of this day (YYYY-MM-DD); today by default.")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD") from exc
        result = send_reminders(today)
        self.stdout.write(
            f"{result.reviews} reviews, {result.poos} late POOs; {len(result.recipients)} "
            f"leaders; {result.emails} emails, {result.sms} SMS; {result.failures} failures."
        )
        if result.failures:
            raise CommandError("some reminders could not be sent (see the log)")
