"""Contest scoring and ranking (pure: no Django import).

Score of an entry at a stage
    sum over the contest's criteria of  weight × (mean of the points its jurors gave for that
    criterion at that stage).
    A criterion nobody has scored for the entry adds 0 (an unscored entry scores 0). The
    arithmetic is exact (`fractions.Fraction` built from the `Decimal` weights and points),
    so two entries are tied only when their scores are really equal, never by rounding;
    `as_decimal` rounds for display only.

Order (deterministic, every entry gets its own place 1, 2, 3, ...; no shared places):
    1. higher score;
    2. then higher mean points on the first criterion (the lowest `position`);
    3. then earlier submission date (an entry without a date comes after those with one);
    4. then the smaller `order` key (the database id: the entry registered first).
    An entry whose score equals the one above it is marked `tied`: its place was decided by
    rules 2-4, which the results page says.

Points: a juror gives 0..max_points for a criterion, with at most two decimal places (the
precision the database keeps); `check_points` says whether a value is acceptable.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

#: Points are kept with two decimal places.
POINTS_PLACES = 2


@dataclass(frozen=True)
class Criterion:
    key: Hashable
    weight: Decimal
    max_points: Decimal | int
    position: int = 0


@dataclass(frozen=True)
class Entry:
    key: Hashable
    group: Hashable = None  # the district whose stage ranks the entry
    submitted_on: dt.date | None = None
    order: int = 0  # final tie-break: smaller first (the id)


@dataclass(frozen=True)
class Mark:
    """One juror's points for one criterion of one entry (the juror is not needed here:
    the database allows one mark per juror, criterion, entry and stage)."""

    entry: Hashable
    criterion: Hashable
    points: Decimal | int


@dataclass(frozen=True)
class Standing:
    entry: Entry
    place: int
    score: Fraction
    first: Fraction  # mean points on the first criterion
    marks: int  # how many marks the entry received
    tied: bool  # same score as the entry placed just above

    @property
    def score_decimal(self) -> Decimal:
        return as_decimal(self.score)


class PointsError(ValueError):
    """Points outside 0..max_points or finer than two decimal places."""


def as_decimal(value: Fraction, places: int = POINTS_PLACES) -> Decimal:
    """Round half up for display (the ranking itself never rounds)."""
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        quantum, rounding=ROUND_HALF_UP
    )


def check_points(points, max_points) -> Decimal:
    """The points as a Decimal, or `PointsError` when not a number in 0..max_points with at
    most two decimal places."""
    try:
        value = Decimal(str(points))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise PointsError("not a number") from exc
    if not value.is_finite():
        raise PointsError("not a number")
    if value < 0 or value > Decimal(str(max_points)):
        raise PointsError("out of range")
    if value != value.quantize(Decimal(1).scaleb(-POINTS_PLACES)):
        raise PointsError("too precise")
    return value


def means(marks: Iterable[Mark]) -> dict[tuple[Hashable, Hashable], Fraction]:
    """Mean points per (entry, criterion), exact."""
    totals: dict[tuple[Hashable, Hashable], Fraction] = defaultdict(Fraction)
    counts: dict[tuple[Hashable, Hashable], int] = defaultdict(int)
    for mark in marks:
        key = (mark.entry, mark.criterion)
        totals[key] += Fraction(Decimal(str(mark.points)))
        counts[key] += 1
    return {key: totals[key] / counts[key] for key in totals}


def scores(criteria: Iterable[Criterion], marks: Iterable[Mark]) -> dict[Hashable, Fraction]:
    """Score of each entry that has at least one mark (others score 0)."""
    weights = {c.key: Fraction(Decimal(str(c.weight))) for c in criteria}
    result: dict[Hashable, Fraction] = defaultdict(Fraction)
    for (entry, criterion), mean in means(marks).items():
        if criterion in weights:
            result[entry] += weights[criterion] * mean
    return dict(result)


def rank(
    entries: Iterable[Entry], criteria: Iterable[Criterion], marks: Iterable[Mark]
) -> list[Standing]:
    """All entries in order, places 1..n (see the module docstring for the tie-break)."""
    entries = list(entries)
    criteria = list(criteria)
    marks = list(marks)
    criterion_keys = {c.key for c in criteria}
    marks = [m for m in marks if m.criterion in criterion_keys]
    weights = {c.key: Fraction(Decimal(str(c.weight))) for c in criteria}
    first = min(criteria, key=lambda c: (c.position, str(c.key))).key if criteria else None
    mean = means(marks)
    count: dict[Hashable, int] = defaultdict(int)
    for m in marks:
        count[m.entry] += 1
    total: dict[Hashable, Fraction] = defaultdict(Fraction)
    for (entry, criterion), value in mean.items():
        total[entry] += weights[criterion] * value

    def key(e: Entry):
        return (
            -total[e.key],
            -mean.get((e.key, first), Fraction(0)),
            e.submitted_on is None,
            e.submitted_on or dt.date.min,
            e.order,
        )

    ordered = sorted(entries, key=key)
    standings: list[Standing] = []
    for place, entry in enumerate(ordered, start=1):
        score = total[entry.key]
        standings.append(
            Standing(
                entry=entry,
                place=place,
                score=score,
                first=mean.get((entry.key, first), Fraction(0)),
                marks=count[entry.key],
                tied=bool(standings) and standings[-1].score == score,
            )
        )
    return standings


def rank_groups(
    entries: Iterable[Entry], criteria: Iterable[Criterion], marks: Iterable[Mark]
) -> dict[Hashable, list[Standing]]:
    """Each group (district) ranked on its own, places 1..n within the group."""
    criteria = list(criteria)
    marks = list(marks)
    groups: dict[Hashable, list[Entry]] = defaultdict(list)
    for e in entries:
        groups[e.group].append(e)
    by_entry: dict[Hashable, list[Mark]] = defaultdict(list)
    for m in marks:
        by_entry[m.entry].append(m)
    return {
        group: rank(members, criteria, [m for e in members for m in by_entry.get(e.key, ())])
        for group, members in groups.items()
    }


def top(standings: list[Standing], n: int) -> list[Standing]:
    """The first n (all of them when there are fewer)."""
    return [s for s in standings if s.place <= n]


def top_per_group(
    entries: Iterable[Entry], criteria: Iterable[Criterion], marks: Iterable[Mark], n: int
) -> dict[Hashable, list[Standing]]:
    """The best n entries of each group (district), in order."""
    return {g: top(s, n) for g, s in rank_groups(entries, criteria, marks).items()}
