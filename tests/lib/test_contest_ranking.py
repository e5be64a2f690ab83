import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bastau.lib import contest_ranking as cr

C1 = cr.Criterion("activity", Decimal("2"), 10, position=1)
C2 = cr.Criterion("growth", Decimal("1.5"), 10, position=2)
D = dt.date(2026, 3, 1)


def entry(key, group="A", day=1, order=None):
    return cr.Entry(key, group, dt.date(2026, 3, day), order if order is not None else key)


def test_score_is_the_weighted_sum_of_the_jurors_means():
    marks = [
        cr.Mark(1, "activity", 8),
        cr.Mark(1, "activity", 9),  # mean 8.5 -> 17
        cr.Mark(1, "growth", Decimal("7.5")),  # 7.5 -> 11.25
        cr.Mark(2, "activity", 10),  # 20
    ]
    assert cr.scores([C1, C2], marks) == {1: Fraction("28.25"), 2: Fraction(20)}
    standings = cr.rank([entry(1), entry(2), entry(3)], [C1, C2], marks)
    assert [(s.entry.key, s.place, s.score_decimal, s.marks) for s in standings] == [
        (1, 1, Decimal("28.25"), 3),
        (2, 2, Decimal("20.00"), 1),
        (3, 3, Decimal("0.00"), 0),  # nobody scored it
    ]


def test_mean_is_exact_not_rounded():
    # three jurors: 10, 10, 9 -> 29/3; weight 3 -> exactly 29
    marks = [cr.Mark(1, "x", 10), cr.Mark(1, "x", 10), cr.Mark(1, "x", 9)]
    crit = cr.Criterion("x", Decimal("3"), 10)
    assert cr.scores([crit], marks) == {1: Fraction(29)}
    # 1/3 stays 1/3: no 0.33 + 0.33 + 0.33 drift
    assert cr.as_decimal(Fraction(1, 3)) == Decimal("0.33")
    assert cr.as_decimal(Fraction(2, 3)) == Decimal("0.67")


def test_tie_broken_by_first_criterion_then_submission_then_id():
    # both score 20; entry 2 has more first-criterion points than entry 1
    marks = [
        cr.Mark(1, "activity", 4),
        cr.Mark(1, "growth", 8),  # 8 + 12 = 20
        cr.Mark(2, "activity", 10),  # 20
    ]
    standings = cr.rank([entry(1), entry(2)], [C1, C2], marks)
    assert [s.entry.key for s in standings] == [2, 1]
    assert standings[1].tied and not standings[0].tied

    # same score and same first criterion: earlier submission first
    same = [cr.Mark(k, "activity", 7) for k in (1, 2, 3)]
    standings = cr.rank([entry(1, day=5), entry(2, day=2), entry(3, day=2)], [C1, C2], same)
    assert [s.entry.key for s in standings] == [2, 3, 1]  # 2 and 3 same day: smaller id
    assert [s.place for s in standings] == [1, 2, 3]
    assert [s.tied for s in standings] == [False, True, True]


def test_entry_without_date_comes_after_dated_ones():
    standings = cr.rank([cr.Entry(1, order=1), entry(2, order=2)], [C1], [])
    assert [s.entry.key for s in standings] == [2, 1]


def test_first_criterion_is_the_lowest_position_not_the_first_given():
    marks = [cr.Mark(1, "growth", 10), cr.Mark(2, "activity", Decimal("7.5"))]  # 15 each
    standings = cr.rank([entry(1), entry(2)], [C2, C1], marks)
    assert [s.entry.key for s in standings] == [2, 1]


def test_marks_of_unknown_criteria_are_ignored():
    marks = [cr.Mark(1, "other", 10), cr.Mark(2, "activity", 1)]
    standings = cr.rank([entry(1), entry(2)], [C1], marks)
    assert [s.entry.key for s in standings] == [2, 1]
    assert standings[1].marks == 0


def test_top_per_group_ranks_each_district_on_its_own():
    entries = [entry(1, "A"), entry(2, "A"), entry(3, "A"), entry(4, "B"), entry(5, "B")]
    marks = [cr.Mark(k, "activity", p) for k, p in [(1, 3), (2, 9), (3, 6), (4, 1), (5, 2)]]
    best = cr.top_per_group(entries, [C1], marks, 2)
    assert {g: [s.entry.key for s in lst] for g, lst in best.items()} == {
        "A": [2, 3],
        "B": [5, 4],
    }
    assert [s.place for s in best["B"]] == [1, 2]
    one = cr.top_per_group(entries, [C1], marks, 5)
    assert len(one["A"]) == 3  # fewer than n: all of them


@pytest.mark.parametrize(
    "points,ok",
    [(0, True), (10, True), ("7.25", True), (Decimal("9.99"), True), (-1, False),
     ("10.01", False), ("7.125", False), ("abc", False), ("NaN", False), (None, False)],
)  # fmt: skip
def test_check_points(points, ok):
    if ok:
        assert cr.check_points(points, 10) == Decimal(str(points))
    else:
        with pytest.raises(cr.PointsError):
            cr.check_points(points, 10)


# Properties -----------------------------------------------------------------------------------
points_st = st.integers(0, 1000).map(lambda n: Decimal(n) / 100)  # 0.00 .. 10.00
weight_st = st.integers(1, 500).map(lambda n: Decimal(n) / 100)


@st.composite
def contests(draw):
    n_crit = draw(st.integers(1, 4))
    criteria = [cr.Criterion(f"c{i}", draw(weight_st), 10, position=i) for i in range(n_crit)]
    n_entries = draw(st.integers(1, 8))
    entries = [
        cr.Entry(k, draw(st.sampled_from("AB")), D + dt.timedelta(days=draw(st.integers(0, 3))), k)
        for k in range(n_entries)
    ]
    marks = []
    for e in entries:
        for c in criteria:
            for _juror in range(draw(st.integers(0, 3))):
                marks.append(cr.Mark(e.key, c.key, draw(points_st)))
    return entries, criteria, marks


@settings(deadline=None)  # the machine is shared: time is not what is tested
@given(contests())
def test_ranking_is_a_permutation_in_descending_score(data):
    entries, criteria, marks = data
    standings = cr.rank(entries, criteria, marks)
    assert sorted(s.entry.key for s in standings) == sorted(e.key for e in entries)
    assert [s.place for s in standings] == list(range(1, len(entries) + 1))
    for above, below in zip(standings, standings[1:], strict=False):
        assert above.score >= below.score
        assert below.tied == (above.score == below.score)
    # the score never exceeds the weighted maximum
    ceiling = sum(Fraction(c.weight) * c.max_points for c in criteria)
    assert all(0 <= s.score <= ceiling for s in standings)


@settings(deadline=None)
@given(contests(), st.randoms(use_true_random=False))
def test_ranking_does_not_depend_on_input_order(data, rnd):
    entries, criteria, marks = data
    expected = [s.entry.key for s in cr.rank(entries, criteria, marks)]
    for lst in (entries, criteria, marks):
        rnd.shuffle(lst)
    assert [s.entry.key for s in cr.rank(entries, criteria, marks)] == expected


@settings(deadline=None)
@given(contests(), st.integers(1, 4))
def test_top_per_group_agrees_with_ranking_each_group(data, n):
    entries, criteria, marks = data
    best = cr.top_per_group(entries, criteria, marks, n)
    for group in {e.group for e in entries}:
        own = [e for e in entries if e.group == group]
        ranked = cr.rank(own, criteria, marks)
        assert [s.entry.key for s in best[group]] == [s.entry.key for s in ranked[:n]]
