"""The pure arithmetic of the kept figures (bastau.lib.tally)."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from bastau.lib import tally

D = dt.date
A = tally.MemberState(1, "F", "budget", D(1995, 3, 1), D(2020, 5, 1), None)


def test_a_new_member_joins_on_their_day_and_counts_in_the_stocks():
    c = tally.change(None, A)
    assert c.flows() == {(1, D(2020, 5, 1), "F", "budget", D(1995, 3, 1)): (1, 0)}
    assert c.stock == {(1, "F", "budget"): 1}
    assert c.birth == {("F", D(1995, 3, 1)): 1}


def test_a_transfer_moves_the_whole_record_and_leaves_the_region_stock_alone():
    moved = tally.MemberState(2, "F", "budget", D(1995, 3, 1), D(2020, 5, 1), None)
    c = tally.change(A, moved)
    assert c.stock == {(1, "F", "budget"): -1, (2, "F", "budget"): 1}
    assert c.birth == {}
    assert set(c.joined.values()) == {-1, 1}


def test_leaving_ends_on_the_day_and_leaves_the_stocks():
    left = tally.MemberState(1, "F", "budget", D(1995, 3, 1), D(2020, 5, 1), D(2024, 1, 9))
    c = tally.change(A, left)
    assert c.flows() == {(1, D(2024, 1, 9), "F", "budget", D(1995, 3, 1)): (0, 1)}
    assert c.stock == {(1, "F", "budget"): -1}
    assert not tally.change(left, left)


days = st.dates(min_value=D(2010, 1, 1), max_value=D(2030, 12, 31))


@given(st.lists(st.tuples(days, st.one_of(st.none(), days)), max_size=30), days)
def test_members_on_a_day_from_stock_or_flows_equal_a_recount(spans, day):
    spans = [(j, e) for j, e in spans if e is None or e >= j]
    recount = sum(1 for j, e in spans if j <= day and (e is None or e > day))
    stock = sum(1 for _j, e in spans if e is None)
    net_after = sum(j > day for j, _e in spans) - sum(e is not None and e > day for _j, e in spans)
    net_by = sum(j <= day for j, _e in spans) - sum(e is not None and e <= day for _j, e in spans)
    assert tally.on_day(stock, net_after) == recount == tally.up_to_day(net_by)


def test_appeal_keys_keep_the_due_date_only_while_open():
    open_ = tally.AppealState(
        D(2026, 3, 5),
        7,
        None,
        3,
        "phone",
        "complaint",
        "registered",
        D(2026, 4, 1),
        D(2026, 3, 11),
        None,
        None,
    )
    assert ("outcome", (D(2026, 3, 5), "registered", None, D(2026, 4, 1))) in tally.appeal_keys(
        open_
    )
    closed = tally.AppealState(
        D(2026, 3, 5),
        7,
        None,
        3,
        "phone",
        "complaint",
        "refused",
        D(2026, 4, 1),
        D(2026, 3, 11),
        None,
        D(2026, 4, 3),
    )
    keys = dict(tally.appeal_keys(closed))
    assert keys["outcome"] == (D(2026, 3, 5), "refused", True, None)
    assert keys["decided"] == (D(2026, 4, 3), 29)
    assert keys["place_month"] == (D(2026, 3, 1), 7, None)
