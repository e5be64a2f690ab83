"""`bastau review_reminders`: remind the leaders of POOs late in a running review of members.
Run once a day (`bastau run_periodic`, cron or a systemd timer)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bastau.core.management.days import add_date_option, date_option
from bastau.members.review import send_reminders


class Command(BaseCommand):
    help = "Remind the leaders of POOs late in a running review of members."

    def add_arguments(self, parser):
        add_date_option(parser)

    def handle(self, *args, **options):
        today = date_option(options["date"]) or timezone.localdate()
        result = send_reminders(today)
        self.stdout.write(
            f"{result.reviews} reviews, {result.poos} late POOs; {len(result.recipients)} "
            f"leaders; {result.emails} emails, {result.sms} SMS; {result.failures} failures."
        )
        if result.failures:
            raise CommandError("some reminders could not be sent (see the log)")
