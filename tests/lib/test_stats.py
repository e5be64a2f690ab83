import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bastau.lib import stats
from bastau.lib.dates import add_years, age_on, born_after_for_age_below, month_starts


def test_share_rounds_half_up_without_floats():
    assert stats.share(1, 3) == Decimal("33.3")
    assert stats.share(2, 3) == Decimal("66.7")
    assert stats.share(1, 8) == Decimal("12.5")
    assert stats.share(5, 0) == Decimal(0)


def test_growth():
    g = stats.Growth(before=118, after=124)
    assert g.change == 6
    assert g.percent == Decimal("5.1")
    assert stats.Growth(0, 5).percent is None


def test_age_counts_the_birthday():
    assert age_on(dt.date(1990, 5, 10), dt.date(2025, 5, 10)) == 35
    assert age_on(dt.date(1990, 5, 10), dt.date(2025, 5, 9)) == 34
    assert age_on(dt.date(2000, 2, 29), dt.date(2025, 2, 28)) == 24
    assert age_on(dt.date(2000, 2, 29), dt.date(2025, 3, 1)) == 25


@given(
    st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2010, 12, 31)),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31)),
    st.integers(1, 80),
)
def test_cutoff_agrees_with_age(birth, reference, limit):
    cutoff = born_after_for_age_below(limit, reference)
    assert (birth > cutoff) == (age_on(birth, reference) < limit)


@given(
    st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2008, 12, 31)),
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)),
)
def test_every_adult_falls_in_exactly_one_band(birth, reference):
    age = age_on(birth, reference)
    hits = []
    for label, low, high in stats.AGE_BANDS:
        after, on_or_before = stats.birth_range_for_band(low, high, reference)
        if birth <= on_or_before and (after is None or birth > after):
            hits.append(label)
    if age >= 18:
        assert len(hits) == 1
    else:
        assert hits == []


def test_month_starts():
    assert month_starts(dt.date(2025, 11, 15), dt.date(2026, 2, 1)) == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]


def test_add_years_leap_day():
    assert add_years(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
