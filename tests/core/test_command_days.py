"""The daily jobs' `--date` option (core.management.days)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bastau.core.management.days import date_option


def test_a_given_day_is_read_and_no_day_is_none():
    assert date_option("2028-02-29") == dt.date(2028, 2, 29)
    assert date_option(None) is None
    assert date_option("") is None


@pytest.mark.parametrize("value", ["2027-02-29", "29.02.2028", "tomorrow"])
def test_a_malformed_day_stops_with_a_clear_message(value):
    with pytest.raises(CommandError, match="--date must be YYYY-MM-DD"):
        date_option(value)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "command", ["reception_digest", "activity_reminders", "review_reminders", "survey_reminders"]
)
def test_every_daily_job_refuses_a_malformed_day(command):
    with pytest.raises(CommandError, match="--date must be YYYY-MM-DD"):
        call_command(command, date="2027-13-01")
