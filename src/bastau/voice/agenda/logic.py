"""The programme's exact logic, without Django: differences between two versions, a
commitment's state on a given day, and the trend of how many people raised an issue.

Time is a parameter (`today`); nothing here reads the clock or the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# Commitment states ----------------------------------------------------------------------------
PLANNED = "planned"
IN_PROGRESS = "in_progress"
DONE = "done"
CANCELLED = "cancelled"
OVERDUE = "overdue"

#: Stored statuses of a commitment still to be kept (as an instruction's issued/in progress).
OPEN = (PLANNED, IN_PROGRESS)


def commitment_state(status: str, deadline: dt.date | None, today: dt.date) -> str:
    """The status as shown: the stored one, or "overdue" for an open commitment whose deadline
    has passed (the rule of activity's instructions: overdue from the day after the deadline,
    never stored)."""
    if status in OPEN and deadline is not None and deadline < today:
        return OVERDUE
    return status


def on_track(status: str, deadline: dt.date | None, today: dt.date) -> bool:
    """Open and not past its deadline, or kept."""
    return commitment_state(status, deadline, today) in (*OPEN, DONE)


# Version differences -----------------------------------------------------------------------------
#: The fields of an item a version records, in the order a difference lists them.
ITEM_FIELDS = (
    "title",
    "title_ru",
    "indicator",
    "target",
    "deadline",
    "responsible",
    "cost",
    "district",
    "issues",
)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object


@dataclass
class ItemChange:
    key: int
    title: str
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class Diff:
    added: list[Mapping] = field(default_factory=list)
    removed: list[Mapping] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_items(old: Sequence[Mapping], new: Sequence[Mapping]) -> Diff:
    """Compare two versions' items, matched by their `key` (the item's id, stable across
    versions): items only in `new` are added, only in `old` removed, in both with a field that
    differs changed (each differing field listed with its old and new value)."""
    before = {item["key"]: item for item in old}
    after = {item["key"]: item for item in new}
    diff = Diff()
    for key, item in after.items():
        if key not in before:
            diff.added.append(item)
            continue
        changes = [
            FieldChange(name, before[key].get(name), item.get(name))
            for name in ITEM_FIELDS
            if _normal(before[key].get(name)) != _normal(item.get(name))
        ]
        if changes:
            diff.changed.append(ItemChange(key, item.get("title", ""), changes))
        else:
            diff.unchanged += 1
    diff.removed = [item for key, item in before.items() if key not in after]
    order = {key: n for n, key in enumerate(after)}
    diff.changed.sort(key=lambda c: order[c.key])
    return diff


def _normal(value):
    if isinstance(value, list | tuple):
        return tuple(sorted(value))
    return "" if value is None else value


# Trend -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Point:
    period: str  # "2026 Q1" or "2026-03"
    count: int
    change: int | None  # against the previous period; None for the first


@dataclass(frozen=True)
class Trend:
    points: tuple[Point, ...]
    total: int
    direction: str  # "up", "down", "flat" or "" (fewer than two periods)

    @property
    def peak(self) -> int:
        return max((p.count for p in self.points), default=0)


def quarter_label(day: dt.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def quarters(first: dt.date, last: dt.date) -> list[str]:
    """The quarter labels from the one holding `first` to the one holding `last`."""
    labels = []
    year, quarter = first.year, (first.month - 1) // 3
    while (year, quarter) <= (last.year, (last.month - 1) // 3):
        labels.append(f"{year} Q{quarter + 1}")
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
    return labels


def trend(counts: Mapping[str, int], periods: Iterable[str]) -> Trend:
    """The series over `periods` (empty periods count 0) with each period's change against
    the one before; the direction compares the last period with the one before it."""
    points, previous = [], None
    for period in periods:
        count = int(counts.get(period, 0))
        points.append(Point(period, count, None if previous is None else count - previous))
        previous = count
    direction = ""
    if len(points) >= 2:
        last, before = points[-1].count, points[-2].count
        direction = "up" if last > before else "down" if last < before else "flat"
    return Trend(tuple(points), sum(p.count for p in points), direction)
