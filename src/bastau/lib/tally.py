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
