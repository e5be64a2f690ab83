"""The youth wing's age limits: pure, exact on birthdays and 29 February."""

import datetime as dt

import pytest

from bastau.voice.people.ages import birth_range, within_limits


@pytest.mark.parametrize(
    "born, on, expected",
    [
        (dt.date(2000, 6, 15), dt.date(2035, 6, 14), True),  # 34, the day before turning 35
        (dt.date(2000, 6, 15), dt.date(2035, 6, 15), True),  # 35 on the day: still within
        (dt.date(2000, 6, 15), dt.date(2036, 6, 14), True),  # 35 until the next birthday
        (dt.date(2000, 6, 15), dt.date(2036, 6, 15), False),  # 36
        (dt.date(2010, 6, 15), dt.date(2024, 6, 14), False),  # 13
        (dt.date(2010, 6, 15), dt.date(2024, 6, 15), True),  # 14 on the day
        (dt.date(2008, 2, 29), dt.date(2022, 2, 28), False),  # 29 February: 13 until 1 March
        (dt.date(2008, 2, 29), dt.date(2022, 3, 1), True),
    ],
)
def test_within_limits(born, on, expected):
    assert within_limits(born, on, 14, 35) is expected


@pytest.mark.parametrize(
    "on", [dt.date(2026, 1, 1), dt.date(2028, 2, 29), dt.date(2027, 2, 28), dt.date(2030, 12, 31)]
)
def test_birth_range_selects_exactly_those_within_the_limits(on):
    after, until = birth_range(on, 14, 35)
    day = dt.date(on.year - 40, 1, 1)
    while day <= dt.date(on.year - 10, 12, 31):
        assert (after < day <= until) == within_limits(day, on, 14, 35), day
        day += dt.timedelta(days=1)
