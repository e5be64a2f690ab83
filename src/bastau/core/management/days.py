"""The `--date YYYY-MM-DD` option of the daily jobs (digest, reminders): "count as of this day"."""

import datetime as dt

from django.core.management.base import CommandError


def add_date_option(parser) -> None:
    parser.add_argument("--date", help="Count as of this day (YYYY-MM-DD); today by default.")


def date_option(value: str | None) -> dt.date | None:
    """The day given with --date, or None when none was given; a malformed day stops the
    command with a clear message."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError("--date must be YYYY-MM-DD") from exc
