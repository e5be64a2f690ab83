"""The working-day calendar and the appeal deadlines (DESIGN.md 3.4), checked against the
`holidays` package's Kazakhstan data and hand-counted dates."""

import datetime as dt

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bastau.lib import workdays as w
from bastau.lib.workdays import Override, WorkCalendar

D = dt.date
CAL = WorkCalendar()


def test_package_is_recent_enough():
    major, minor = (int(p) for p in holidays.__version__.split(".")[:2])
    assert (major, minor) >= (0, 101)
    assert holidays.country_holidays("KZ", years=2026)


@pytest.mark.parametrize(
    "day",
    [
        D(2025, 1, 1),
        D(2025, 1, 2),
        D(2025, 1, 7),  # Orthodox Christmas
        D(2026, 1, 7),
        D(2024, 3, 8),
        D(2025, 3, 21),  # Nauryz
        D(2024, 3, 21),
        D(2024, 3, 22),
        D(2026, 3, 23),
        D(2025, 5, 1),
        D(2025, 5, 7),
        D(2025, 5, 9),
        D(2025, 6, 6),  # Kurban Ait 2025 (confirmed)
        D(2026, 7, 6),  # Capital Day
        D(2024, 8, 30),  # Constitution Day (until 2025)
        D(2024, 10, 25),  # Republic Day
        D(2025, 12, 16),  # Independence Day
        D(2026, 12, 16),
    ],
)
def test_public_holidays_are_days_off(day):
    assert day.weekday() < 5
    assert not CAL.is_working_day(day)
    assert CAL.holiday_name(day)


def test_ordinary_days():
    assert CAL.is_working_day(D(2026, 11, 26))  # a Thursday
    assert not CAL.is_working_day(D(2026, 11, 28))  # Saturday
    assert not CAL.is_working_day(D(2026, 11, 29))  # Sunday
    assert CAL.holiday_name(D(2026, 11, 26)) is None


def test_holiday_names_in_kazakh_and_english():
    assert CAL.holiday_name(D(2026, 3, 23)) == "Наурыз мейрамы"
    assert CAL.holiday_name(D(2026, 3, 23), language="en_US") == "Nowruz Holiday"


# Weekend rules -------------------------------------------------------------------------
def test_holiday_on_saturday_moves_the_day_off_to_monday():
    assert D(2025, 3, 8).weekday() == 5  # Women's Day on a Saturday
    assert not CAL.is_working_day(D(2025, 3, 10))
    assert D(2026, 5, 9).weekday() == 5  # Victory Day on a Saturday
    assert not CAL.is_working_day(D(2026, 5, 11))


def test_holiday_on_sunday_moves_the_day_off_to_monday():
    assert D(2026, 3, 8).weekday() == 6
    assert not CAL.is_working_day(D(2026, 3, 9))
    assert CAL.is_working_day(D(2026, 3, 10))
    assert not CAL.is_working_day(D(2026, 10, 26))  # Republic Day on Sunday 25 October


def test_nauryz_on_a_weekend_shifts_each_day_once():
    # 2026: 21 Sat, 22 Sun, 23 Mon -> two observed days, Tuesday 24 and Wednesday 25.
    assert [CAL.is_working_day(D(2026, 3, d)) for d in range(20, 27)] == [
        True,
        False,
        False,
        False,
        False,
        False,
        True,
    ]


def test_religious_days_off_do_not_move():
    assert D(2024, 1, 7).weekday() == 6  # Christmas on a Sunday
    assert CAL.is_working_day(D(2024, 1, 8))
    assert D(2024, 6, 16).weekday() == 6  # Kurban Ait on a Sunday
    assert CAL.is_working_day(D(2024, 6, 17))


def test_no_double_shift():
    # Capital Day on Sunday 6 July 2025 -> Monday 7 July only; Tuesday 8 July works.
    assert not CAL.is_working_day(D(2025, 7, 7))
    assert CAL.is_working_day(D(2025, 7, 8))


# Transfers -----------------------------------------------------------------------------
def test_transfer_2025_new_year():
    """Government transfer for 2025: Sunday 5 January worked, Friday 3 January off."""
    assert not CAL.is_working_day(D(2025, 1, 3))
    assert CAL.is_working_day(D(2025, 1, 5))
    assert not CAL.is_working_day(D(2025, 1, 4))  # the Saturday stays off
    kz = holidays.country_holidays("KZ", years=2025)
    assert D(2025, 1, 5) in kz.weekend_workdays


def test_transfer_2024_may():
    """2024: Saturday 4 May worked, Wednesday 8 May off (7-9 May in a row)."""
    assert CAL.is_working_day(D(2024, 5, 4))
    assert not CAL.is_working_day(D(2024, 5, 8))


def test_transfer_into_the_previous_year():
    """Friday 3 January 2014 off for Saturday 28 December 2013 worked."""
    assert CAL.is_working_day(D(2013, 12, 28))
    assert not CAL.is_working_day(D(2014, 1, 3))


def test_transfers_match_the_package_data():
    kz = holidays.country_holidays("KZ", years=range(2020, 2027))
    for day in kz.weekend_workdays:
        assert CAL.is_working_day(day), day
    for day in kz:
        assert not CAL.is_working_day(day), day


def test_2026_as_the_package_knows_it():
    """Every weekday off in 2026 according to holidays 0.109: no Government transfers for
    2026, Kurban Ait estimated on 27 May, and no Constitution Day on 30 August (the new
    Constitution moves it to 15 March from 2027)."""
    weekdays_off = [d for d in CAL.days_off(D(2026, 1, 1), D(2026, 12, 31)) if d.weekday() < 5]
    assert weekdays_off == [
        D(2026, 1, 1),
        D(2026, 1, 2),
        D(2026, 1, 7),
        D(2026, 3, 9),
        D(2026, 3, 23),
        D(2026, 3, 24),
        D(2026, 3, 25),
        D(2026, 5, 1),
        D(2026, 5, 7),
        D(2026, 5, 11),
        D(2026, 5, 27),
        D(2026, 7, 6),
        D(2026, 10, 26),
        D(2026, 12, 16),
    ]
    workdays_2026 = holidays.country_holidays("KZ", years=2026).weekend_workdays
    assert not [d for d in workdays_2026 if d.year == 2026]
    assert len(CAL.days_off(D(2026, 1, 1), D(2026, 12, 31))) == 14 + 104  # + Sat/Sun


# Overrides -----------------------------------------------------------------------------
def test_overrides_win_over_the_package():
    cal = WorkCalendar(
        [
            (D(2026, 5, 27), True, "Kurban Ait announced for 26 May"),
            Override(D(2026, 5, 26), False, "Kurban Ait"),
            (D(2026, 1, 3), True),  # a Saturday worked, announced late
            (D(2026, 12, 18), False, "Transfer"),
        ]
    )
    assert cal.is_working_day(D(2026, 5, 27))
    assert not cal.is_working_day(D(2026, 5, 26))
    assert cal.is_working_day(D(2026, 1, 3))
    assert not cal.is_working_day(D(2026, 12, 18))
    assert cal.holiday_name(D(2026, 5, 26)) == "Kurban Ait"
    assert cal.override_for(D(2026, 1, 3)).note == ""
    # The package's own calendar is untouched by another instance's overrides.
    assert not CAL.is_working_day(D(2026, 5, 27))


def test_last_override_for_a_date_wins():
    cal = WorkCalendar([(D(2026, 6, 1), False, "a"), (D(2026, 6, 1), True, "b")])
    assert cal.is_working_day(D(2026, 6, 1))


def test_overrides_change_deadlines():
    registered = D(2026, 5, 20)
    base = w.consideration_deadline(CAL, registered)
    moved = WorkCalendar([(D(2026, 6, 1), False, "extra day off")])
    assert w.consideration_deadline(moved, registered) == CAL.next_working_day(base)


# Counting ------------------------------------------------------------------------------
def test_registration_day_is_not_counted():
    # Monday 2 November 2026 -> Tuesday 3 is the first working day.
    assert CAL.add_working_days(D(2026, 11, 2), 1) == D(2026, 11, 3)
    assert CAL.add_working_days(D(2026, 11, 2), 0) == D(2026, 11, 2)
    # Friday -> Monday.
    assert CAL.add_working_days(D(2026, 11, 6), 1) == D(2026, 11, 9)
    # Registered on a Saturday: the period runs from the next working day.
    assert CAL.add_working_days(D(2026, 11, 7), 1) == D(2026, 11, 9)


def test_add_working_days_rejects_negative():
    with pytest.raises(ValueError):
        CAL.add_working_days(D(2026, 1, 1), -1)


def test_fifteen_working_days_across_nauryz_and_womens_day():
    # 6, then 9 March off, 10-13, 16-20, 23-25 March off, 26, 27, 30, 31, 1 April.
    assert w.consideration_deadline(CAL, D(2026, 3, 5)) == D(2026, 4, 1)


def test_fifteen_working_days_across_the_year_end():
    # 25, 26, 29, 30, 31 Dec; 1-2 Jan off; 5, 6; 7 Jan off; 8, 9, 12-16, 19.
    assert w.consideration_deadline(CAL, D(2025, 12, 24)) == D(2026, 1, 19)
    assert CAL.working_days_between(D(2025, 12, 24), D(2026, 1, 19)) == 15


def test_forwarding_across_the_2025_new_year_transfer():
    # 31 Dec (1); 1, 2, 3 Jan off; Sunday 5 Jan worked (2); Monday 6 Jan (3).
    assert w.forwarding_deadline(CAL, D(2024, 12, 30)) == D(2025, 1, 6)


def test_working_days_between():
    assert CAL.working_days_between(D(2026, 11, 2), D(2026, 11, 2)) == 0
    assert CAL.working_days_between(D(2026, 11, 2), D(2026, 11, 9)) == 5
    assert CAL.working_days_between(D(2026, 11, 9), D(2026, 11, 2)) == -5
    assert CAL.working_days_between(D(2025, 12, 31), D(2026, 1, 5)) == 1


def test_next_and_previous_working_day():
    assert CAL.next_working_day(D(2026, 3, 20)) == D(2026, 3, 26)
    assert CAL.previous_working_day(D(2026, 3, 26)) == D(2026, 3, 20)
    assert CAL.working_day_on_or_before(D(2026, 3, 24)) == D(2026, 3, 20)
    assert CAL.working_day_on_or_after(D(2026, 3, 24)) == D(2026, 3, 26)
    assert CAL.working_day_on_or_after(D(2026, 3, 26)) == D(2026, 3, 26)


# Extension and notice ------------------------------------------------------------------
def test_add_months_clamps_to_month_end():
    assert w.add_months(D(2025, 12, 31), 2) == D(2026, 2, 28)
    assert w.add_months(D(2023, 12, 31), 2) == D(2024, 2, 29)
    assert w.add_months(D(2026, 1, 15), 2) == D(2026, 3, 15)
    assert w.add_months(D(2026, 11, 30), 2) == D(2027, 1, 30)
    assert w.add_months(D(2026, 3, 31), -1) == D(2026, 2, 28)


def test_extension_limit_is_two_months_or_the_working_day_before():
    assert w.extension_limit(CAL, D(2026, 1, 14)) == D(2026, 3, 13)  # 14 March is a Saturday
    assert w.extension_limit(CAL, D(2026, 1, 9)) == D(2026, 3, 6)  # 9 March is a day off
    assert w.extension_limit(CAL, D(2025, 12, 31)) == D(2026, 2, 27)  # 28 Feb is a Saturday
    assert w.extension_limit(CAL, D(2026, 2, 12)) == D(2026, 4, 10)  # an ordinary Friday


def test_extension_notice_within_three_working_days():
    assert w.extension_notice_deadline(CAL, D(2026, 3, 20)) == D(2026, 3, 30)
    assert w.extension_notice_deadline(CAL, D(2026, 11, 26)) == D(2026, 12, 1)


def test_deadlines_dataclass():
    d = w.deadlines_for(CAL, D(2026, 3, 5))
    assert d == w.Deadlines(
        registered_on=D(2026, 3, 5),
        consideration=D(2026, 4, 1),
        forwarding=D(2026, 3, 11),  # 6, (9 off), 10, 11
        extension_limit=D(2026, 5, 5),
    )
    assert d.allows_extension_to(D(2026, 5, 5))
    assert not d.allows_extension_to(D(2026, 5, 6))
    assert not d.allows_extension_to(D(2026, 4, 1))


# Properties ----------------------------------------------------------------------------
dates = st.dates(min_value=D(2019, 1, 1), max_value=D(2028, 12, 31))
override_lists = st.lists(st.tuples(dates, st.booleans()), max_size=8)


@settings(max_examples=150, deadline=None)
@given(start=dates, n=st.integers(min_value=1, max_value=45), overrides=override_lists)
def test_add_working_days_properties(start, n, overrides):
    cal = WorkCalendar(overrides)
    result = cal.add_working_days(start, n)
    assert result > start
    assert cal.is_working_day(result)
    assert cal.working_days_between(start, result) == n
    # Exactly n working days in (start, result]: the day before the result has n - 1.
    assert cal.working_days_between(start, result - dt.timedelta(days=1)) == n - 1


@settings(max_examples=100, deadline=None)
@given(a=dates, b=dates)
def test_working_days_between_is_antisymmetric(a, b):
    assert CAL.working_days_between(a, b) == -CAL.working_days_between(b, a)


@settings(max_examples=100, deadline=None)
@given(registered=dates)
def test_deadline_order(registered):
    d = w.deadlines_for(CAL, registered)
    assert registered < d.forwarding < d.consideration < d.extension_limit
    assert d.extension_limit <= w.add_months(registered, 2)
    assert CAL.is_working_day(d.extension_limit)
