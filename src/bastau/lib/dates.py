"""Whole-year ages and the birth-date cutoffs that let a database count by age."""

from __future__ import annotations

import datetime as dt


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later (or earlier); 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_on(birth_date: dt.date, reference: dt.date) -> int:
    """Age in whole years on the reference date (a birthday counts on its day)."""
    before_birthday = (reference.month, reference.day) < (birth_date.month, birth_date.day)
    return reference.year - birth_date.year - (1 if before_birthday else 0)


def born_after_for_age_below(age_limit: int, reference: dt.date) -> dt.date:
    """People younger than `age_limit` on `reference` are exactly those born after this date.

    age_on(b, r) < L  <=>  b > r - L years  (for 29 February births the fallback keeps this exact
    because age_on treats 28 Feb as before 29 Feb's birthday in non-leap years).
    """
    return add_years(reference, -age_limit)


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of each month from start's month through end's month, inclusive."""
    months = []
    current = start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months
