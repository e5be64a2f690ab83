"""`bastau survey_reminders`: send each open survey's scheduled reminder to those who have not
answered, when its schedule ("every 3 / 7 days") is due. Run once a day (`bastau run_periodic`,
cron or a systemd timer); a second run the same day sends nothing again."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bastau.core.management.days import add_date_option, date_option
from bastau.voice.surveys.services import send_scheduled_reminders


class Command(BaseCommand):
    help = "Send the surveys' scheduled reminders to those who have not answered."

    def add_arguments(self, parser):
        add_date_option(parser)

    def handle(self, *args, **options):
        today = date_option(options["date"]) or timezone.localdate()
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
