"""Working days in Kazakhstan and the appeal deadlines counted on them (DESIGN.md 3.4).

Django-free. The base is the `holidays` package (Kazakhstan, public category), which already
knows:

- the public holidays (1-2 January, 7 January, 8 March, 21-23 March, 1 May, 7 May, 9 May,
  6 July, Constitution Day, 25 October, 16 December, the first day of Kurban Ait);
- the weekend rule of the Labour Code: a state holiday on a Saturday or Sunday gives the next
  working day off ("observed"), except Orthodox Christmas (7 January) and Kurban Ait, which do
  not move. The package applies this itself, so this module must not shift anything again;
- the Government's yearly transfers ("a Saturday worked, a Friday off"): the weekday off is a
  holiday in the package and the weekend day worked is in its `weekend_workdays`.

On top of that, staff keep overrides as data: (date, is_working_day, note). An override wins
over everything the package says for that date. Typical uses: Kurban Ait's date announced
differently from the package's estimate (two overrides: the estimated day becomes a working
day, the real one a day off), or a transfer decreed after the package was released.

Counting rules (Administrative Procedural Code, used as the branch's service standard): the
day of registration is not counted; a period of n working days ends on the n-th working day
after it.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import holidays

COUNTRY = "KZ"

#: An appeal is considered within this many working days of registration.
CONSIDERATION_WORKING_DAYS = 15
#: The head may extend consideration up to this many calendar months in total from registration.
EXTENSION_MAX_MONTHS = 2
#: The applicant is told of an extension within this many working days of the decision.
EXTENSION_NOTICE_WORKING_DAYS = 3
#: An appeal outside the branch's competence is forwarded within this many working days.
FORWARDING_WORKING_DAYS = 3


@dataclass(frozen=True)
class Override:
    """A staff correction of the calendar: this date is (or is not) a working day."""

    day: dt.date
    is_working_day: bool
    note: str = ""


@dataclass(frozen=True)
class _PackageYear:
    days_off: frozenset[dt.date]  # holidays, observed days and transfer days off in the year
    weekend_workdays: frozenset[dt.date]  # Saturdays/Sundays worked by transfer in the year
    weekend: frozenset[int]  # weekday numbers of the weekend (Monday is 0)


@lru_cache(maxsize=64)
def _package_year(year: int) -> _PackageYear:
    """What the `holidays` package says about one year (cached: the data is static).

    Neighbouring years are loaded too: a transfer decreed for one year may make a day of the
    previous year a working Saturday (28 December 2013 was worked for 3 January 2014).
    """
    data = holidays.country_holidays(
        COUNTRY, years=(year - 1, year, year + 1), categories=(holidays.PUBLIC,)
    )
    return _PackageYear(
        days_off=frozenset(day for day in data if day.year == year),
        weekend_workdays=frozenset(
            day for day in getattr(data, "weekend_workdays", ()) if day.year == year
        ),
        weekend=frozenset(data.weekend),
    )


@lru_cache(maxsize=64)
def _holiday_names(year: int, language: str) -> dict[dt.date, str]:
    data = holidays.country_holidays(
        COUNTRY, years=year, categories=(holidays.PUBLIC,), language=language
    )
    return dict(data.items())


def package_version() -> str:
    return holidays.__version__


def add_months(day: dt.date, months: int) -> dt.date:
    """The same calendar day `months` later (or earlier), clamped to the month's last day:
    31 December + 2 months = 28 (or 29) February. The same arithmetic as lib.dates.add_years."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = _calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


class WorkCalendar:
    """Kazakhstan's working days: the `holidays` package plus staff overrides.

    `overrides` is any iterable of `Override` or of (date, is_working_day[, note]) tuples;
    when a date appears twice, the last entry wins.
    """

    def __init__(self, overrides: Iterable[Override | tuple] = ()):
        self._overrides: dict[dt.date, Override] = {}
        for item in overrides:
            override = item if isinstance(item, Override) else Override(*item)
            self._overrides[override.day] = override

    # Single days ---------------------------------------------------------------------
    def override_for(self, day: dt.date) -> Override | None:
        return self._overrides.get(day)

    def is_working_day(self, day: dt.date) -> bool:
        override = self._overrides.get(day)
        if override is not None:
            return override.is_working_day
        year = _package_year(day.year)
        if day in year.days_off:
            return False
        if day.weekday() in year.weekend:
            return day in year.weekend_workdays
        return True

    def holiday_name(self, day: dt.date, language: str = "kk") -> str | None:
        """Why a day is off (or, for an override, its note); None for an ordinary day.

        `language` is one the package supports for Kazakhstan ("kk", "en_US", "uk"; another
        value gets the English names). The package ships no Russian names.
        """
        override = self._overrides.get(day)
        if override is not None:
            return override.note or None
        return _holiday_names(day.year, language).get(day)

    # Moving along the calendar -------------------------------------------------------
    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        current = day + dt.timedelta(days=1)
        while not self.is_working_day(current):
            current += dt.timedelta(days=1)
        return current

    def previous_working_day(self, day: dt.date) -> dt.date:
        """The last working day strictly before `day`."""
        current = day - dt.timedelta(days=1)
        while not self.is_working_day(current):
            current -= dt.timedelta(days=1)
        return current

    def working_day_on_or_before(self, day: dt.date) -> dt.date:
        return day if self.is_working_day(day) else self.previous_working_day(day)

    def working_day_on_or_after(self, day: dt.date) -> dt.date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (start itself is not counted); n = 0 gives start.

        For n >= 1 the result is a working day, later than start, and exactly n working days
        lie in (start, result].
        """
        if n < 0:
            raise ValueError("n must not be negative")
        current = start
        for _ in range(n):
            current = self.next_working_day(current)
        return current

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """The number of working days in (a, b]; negative (the count in (b, a]) when b < a.

        So working_days_between(d, add_working_days(d, n)) == n.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        current = a + dt.timedelta(days=1)
        while current <= b:
            if self.is_working_day(current):
                count += 1
            current += dt.timedelta(days=1)
        return count

    def days_off(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The non-working days in [start, end], for a printed calendar."""
        days = []
        current = start
        while current <= end:
            if not self.is_working_day(current):
                days.append(current)
            current += dt.timedelta(days=1)
        return days


# Deadlines -----------------------------------------------------------------------------
def consideration_deadline(cal: WorkCalendar, registered_on: dt.date) -> dt.date:
    """The 15th working day after registration."""
    return cal.add_working_days(registered_on, CONSIDERATION_WORKING_DAYS)


def forwarding_deadline(cal: WorkCalendar, registered_on: dt.date) -> dt.date:
    """An appeal outside the branch's competence is forwarded by the 3rd working day after
    registration; the applicant is told at the same time."""
    return cal.add_working_days(registered_on, FORWARDING_WORKING_DAYS)


def extension_limit(cal: WorkCalendar, registered_on: dt.date) -> dt.date:
    """The latest date an extension may set: "up to 2 months in total from registration".

    Registration date + 2 calendar months (day clamped to the month's end: 31 December gives
    28/29 February); when that date is not a working day, the last working day before it.
    We deliberately do not roll forward to the next working day: the extended deadline never
    exceeds two months, whichever calendar the applicant counts with.
    """
    return cal.working_day_on_or_before(add_months(registered_on, EXTENSION_MAX_MONTHS))


def extension_notice_deadline(cal: WorkCalendar, decided_on: dt.date) -> dt.date:
    """The applicant is told of an extension by the 3rd working day after the decision."""
    return cal.add_working_days(decided_on, EXTENSION_NOTICE_WORKING_DAYS)


@dataclass(frozen=True)
class Deadlines:
    """Every deadline of one appeal, fixed by its registration date and the calendar."""

    registered_on: dt.date
    consideration: dt.date  # answer by this day unless extended
    forwarding: dt.date  # forward (and tell the applicant) by this day if not competent
    extension_limit: dt.date  # an extension may move the deadline up to this day

    def allows_extension_to(self, new_deadline: dt.date) -> bool:
        return self.consideration < new_deadline <= self.extension_limit


def deadlines_for(cal: WorkCalendar, registered_on: dt.date) -> Deadlines:
    return Deadlines(
        registered_on=registered_on,
        consideration=consideration_deadline(cal, registered_on),
        forwarding=forwarding_deadline(cal, registered_on),
        extension_limit=extension_limit(cal, registered_on),
    )
