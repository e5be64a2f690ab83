"""The youth wing's age limits: pure, no Django (time is a parameter)."""

from __future__ import annotations

import datetime as dt

from bastau.lib.dates import add_years, age_on


def within_limits(birth_date: dt.date, on: dt.date, min_age: int, max_age: int) -> bool:
    """Whether a person born on `birth_date` is `min_age`..`max_age` years old (both included)
    on the day `on`, in whole years (a birthday counts on its day)."""
    return min_age <= age_on(birth_date, on) <= max_age


def birth_range(on: dt.date, min_age: int, max_age: int) -> tuple[dt.date, dt.date]:
    """(born after, born on or before): the birth dates of exactly those within the limits on
    `on`, so a database selects them with an indexed range condition."""
    latest = add_years(on, -min_age)  # reached min_age on or before `on`
    earliest_exclusive = add_years(on, -(max_age + 1))  # not yet max_age + 1
    return earliest_exclusive, latest
