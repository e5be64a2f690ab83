"""`bastau survey_reminders`: send each open survey's scheduled reminder to those who have not
answered, when its schedule ("every 3 / 7 days") is due. Run once a day (`bastau run_periodic`,
cron or a systemd timer); a second run the same day sends nothing again."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bastau.voice.surveys.services import send_scheduled_reminders


class Command(BaseCommand):
    help = "Send the surveys' scheduled reminders to those who have not answered."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Count as of this day (YYYY-MM-DD); today by default.")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD") from exc
        results = send_scheduled_reminders(today)
        recipients = sum(r.recipients for r in results.values())
        emails = sum(r.emails for r in results.values())
        sms = sum(r.sms for r in results.values())
        failures = sum(r.failures for r in results.values())
        self.stdout.write(
            f"{len(results)} surveys reminded; {recipients} recipients; {emails} emails, "
            f"{sms} SMS; {failures} failures."
        )
        if failures:
            raise CommandError("some reminders could not be sent (see the log)")
