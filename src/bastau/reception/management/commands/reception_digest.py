"""`bastau reception_digest`: the daily message to everyone with overdue or due-soon appeals.

Run it once a day (cron or a systemd timer), e.g. `0 8 * * 1-5 bastau reception_digest`.
"""

from django.core.management.base import BaseCommand, CommandError

from bastau.core.management.days import add_date_option, date_option
from bastau.reception.services import daily_digest


class Command(BaseCommand):
    help = "Send each responsible person one message listing their overdue and due-soon appeals."

    def add_arguments(self, parser):
        add_date_option(parser)
        parser.add_argument(
            "--days", type=int, default=3, help="Due soon: within this many working days."
        )

    def handle(self, *args, **options):
        today = date_option(options["date"])
        result = daily_digest(today, days=options["days"])
        self.stdout.write(
            f"{result.appeals} appeals overdue or due soon; {result.recipients} recipients; "
            f"{result.emails} emails, {result.sms} SMS sent; {result.failures} failures."
        )
        if result.failures:
            raise CommandError("some digest messages could not be sent (see the log)")
