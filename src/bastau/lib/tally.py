"""Kept counts (no Django): what a member's record adds to the membership aggregates, and the
arithmetic that turns those aggregates back into the figures of a day.

The aggregates (docs/architecture.md, "Kept figures"):

- a *flow* per (POO, day, sex, sector, birth date): how many joined on that day (`joined`) and
  how many left on it (`ended`);
- a *stock* per (POO, sex, sector): the sum of every flow, joined minus ended, whatever the day;
- a *birth stock* per (sex, birth date), the same sum over the whole region.

Members on day D are those with joined_on <= D and (left_on is None or left_on > D), that is
(joined on or before D) - (ended on or before D), or equally stock - (joined after D) + (ended
after D). The second form reads only the flows after D, a few for a recent day. Youth and the
age bands are ranges of birth dates (`bastau.lib.dates.born_after_for_age_below`), so they are
sums over birth dates whatever the reference day: no birth date is ever bucketed by an age.

A record with left_on before joined_on (refused by every action) would count -1 between the two
days; the recount counts it 0. Nothing writes such a record.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

FlowKey = tuple[int, dt.date, str, str, dt.date]  # poo, day, sex, sector, birth date
StockKey = tuple[int, str, str]  # poo, sex, sector
BirthKey = tuple[str, dt.date]  # sex, birth date


@dataclass(frozen=True)
class MemberState:
    """The fields of a member record that the aggregates count."""

    poo_id: int
    sex: str
    sector: str
    birth_date: dt.date
    joined_on: dt.date
    left_on: dt.date | None


@dataclass
class Change:
    """What to add to each aggregate (negative to take away); zero entries are left out."""

    joined: Counter  # FlowKey -> n
    ended: Counter  # FlowKey -> n
    stock: Counter  # StockKey -> n
    birth: Counter  # BirthKey -> n

    def __bool__(self) -> bool:
        return any((self.joined, self.ended, self.stock, self.birth))

    def flows(self) -> dict[FlowKey, tuple[int, int]]:
        """FlowKey -> (joined, ended), for the keys either changes."""
        keys = set(self.joined) | set(self.ended)
        return {k: (self.joined.get(k, 0), self.ended.get(k, 0)) for k in sorted(keys, key=str)}


def _add(change: Change, state: MemberState, sign: int) -> None:
    start = (state.poo_id, state.joined_on, state.sex, state.sector, state.birth_date)
    change.joined[start] += sign
    if state.left_on is None:
        change.stock[(state.poo_id, state.sex, state.sector)] += sign
        change.birth[(state.sex, state.birth_date)] += sign
    else:
        end = (state.poo_id, state.left_on, state.sex, state.sector, state.birth_date)
        change.ended[end] += sign


def change(before: MemberState | None, after: MemberState | None) -> Change:
    """What the aggregates gain when a record goes from `before` to `after` (None: no record)."""
    result = Change(Counter(), Counter(), Counter(), Counter())
    if before == after:
        return result
    if before is not None:
        _add(result, before, -1)
    if after is not None:
        _add(result, after, +1)
    for counter in (result.joined, result.ended, result.stock, result.birth):
        for key in [k for k, n in counter.items() if n == 0]:
            del counter[key]
    return result


def on_day(stock: int, net_after: int) -> int:
    """Members on day D from the stock and the flows after D (joined - ended after D)."""
    return stock - net_after


def up_to_day(net_by: int) -> int:
    """Members on day D from the flows on or before D (joined - ended on or before D)."""
    return net_by


# Appeals ---------------------------------------------------------------------------------
#: The kept appeal figures, by table: what one appeal adds (see `appeal_keys`).
APPEAL_TABLES = (
    "outcome",
    "topic",
    "channel_kind",
    "place_day",
    "place_month",
    "place_year",
    "decided",
)

OPEN_STATUSES = ("registered", "assigned", "in_progress")
DECIDED_STATUSES = ("resolved_positive", "explained", "refused")
FORWARDED = "forwarded"


@dataclass(frozen=True)
class AppealState:
    """The fields of an appeal that the reception figures count."""

    registered_on: dt.date
    receiving_branch_id: int
    district_id: int | None
    topic_id: int
    channel: str
    kind: str
    status: str
    due_on: dt.date
    forward_by: dt.date
    forwarded_on: dt.date | None
    resolved_on: dt.date | None


def late_when_closed(state: AppealState) -> bool | None:
    """Whether a closed appeal missed its deadline (None: still open, late by `due_on`)."""
    if state.status in DECIDED_STATUSES:
        return state.resolved_on is not None and state.resolved_on > state.due_on
    if state.status == FORWARDED:
        return state.forwarded_on is not None and state.forwarded_on > state.forward_by
    return None


def appeal_keys(state: AppealState) -> list[tuple[str, tuple]]:
    """(table, key) of every count one appeal adds 1 to:

    - outcome (registered_on, status, late, due_on): `late` fixed once closed; an open appeal
      keeps its `due_on` instead (late when due_on < the day of the figures);
    - topic (registered_on, topic); channel_kind (registered_on, channel, kind);
    - place_day (registered_on, receiving branch, district) and place_month (the month's first
      day, receiving branch, district): a period sums whole months from the second and its
      partial months from the first; place_year (1 January, receiving branch, district): a
      year so far is its year's counts less the days after it (`place_pieces`);
    - decided (resolved_on, days to resolve), for appeals decided on the merits."""
    day = state.registered_on
    late = late_when_closed(state)
    keys = [
        ("outcome", (day, state.status, late, state.due_on if late is None else None)),
        ("topic", (day, state.topic_id)),
        ("channel_kind", (day, state.channel, state.kind)),
        ("place_day", (day, state.receiving_branch_id, state.district_id)),
        ("place_month", (day.replace(day=1), state.receiving_branch_id, state.district_id)),
        ("place_year", (day.replace(month=1, day=1), state.receiving_branch_id, state.district_id)),
    ]
    if state.status in DECIDED_STATUSES and state.resolved_on is not None:
        keys.append(("decided", (state.resolved_on, (state.resolved_on - day).days)))
    return keys


def appeal_change(before: AppealState | None, after: AppealState | None) -> dict[str, Counter]:
    """table -> Counter(key -> n) to add when an appeal goes from `before` to `after`."""
    result: dict[str, Counter] = {table: Counter() for table in APPEAL_TABLES}
    if before == after:
        return result
    for state, sign in ((before, -1), (after, 1)):
        if state is not None:
            for table, key in appeal_keys(state):
                result[table][key] += sign
    for counter in result.values():
        for key in [k for k, n in counter.items() if n == 0]:
            del counter[key]
    return result


def month_split(start: dt.date, end: dt.date) -> tuple[list[tuple[dt.date, dt.date]], tuple]:
    """A period [start, end] as (day ranges of its partial months, (first, last) whole month
    starts or None): the days are read from the daily counts, the months from the monthly."""
    first_whole = start if start.day == 1 else _next_month(start)
    after_end = end + dt.timedelta(days=1)
    last_whole_end = after_end.replace(day=1)  # whole months end before this day
    if first_whole >= last_whole_end:
        return [(start, end)], None
    partial = []
    if start < first_whole:
        partial.append((start, first_whole - dt.timedelta(days=1)))
    if last_whole_end <= end:
        partial.append((last_whole_end, end))
    last_month = (last_whole_end - dt.timedelta(days=1)).replace(day=1)
    return partial, (first_whole, last_month)


# Rows read per day, month and year of place counts, roughly (a month holds most of the
# (branch, district) pairs a year does): what `place_pieces` weighs its two ways with.
_PLACE_COST = {"day": 1, "month": 5, "year": 6}


def _split_cost(start: dt.date, end: dt.date) -> tuple[list, int]:
    partial, whole = month_split(start, end)
    pieces = [("day", a, b) for a, b in partial]
    cost = sum((b - a).days + 1 for a, b in partial)
    if whole is not None:
        pieces.append(("month", *whole))
        cost += _PLACE_COST["month"] * (
            (whole[1].year - whole[0].year) * 12 + whole[1].month - whole[0].month + 1
        )
    return pieces, cost


def place_pieces(start: dt.date, end: dt.date) -> list[tuple[int, str, dt.date, dt.date]]:
    """A period [start, end] as (sign, table, first, last) pieces of the place counts ("day",
    "month" or "year" rows with keys in [first, last]) whose signed sum is exactly the period:
    per calendar year, its whole-month and partial-month pieces (`month_split`) or, when that
    reads fewer rows, the year's counts less the pieces of the days of that year outside the
    period (counts add up, so the difference is exact)."""
    pieces: list[tuple[int, str, dt.date, dt.date]] = []
    for year in range(start.year, end.year + 1):
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        s, e = max(start, first), min(end, last)
        direct, direct_cost = _split_cost(s, e)
        outside = []
        cost = _PLACE_COST["year"]
        for a, b in ((first, s - dt.timedelta(days=1)), (e + dt.timedelta(days=1), last)):
            if a <= b:
                split, split_cost = _split_cost(a, b)
                outside += split
                cost += split_cost
        if cost < direct_cost:
            pieces.append((1, "year", first, first))
            pieces += [(-1, *piece) for piece in outside]
        else:
            pieces += [(1, *piece) for piece in direct]
    return pieces


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
