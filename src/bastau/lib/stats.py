"""Pure arithmetic for membership statistics: shares, growth and age bands.

Counting itself happens in the database; these functions turn counts into the figures a
branch reports, in integer/Decimal arithmetic so that a share never drifts by a float.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bastau.lib.dates import add_years

#: Age bands of the pyramid: (label, lowest age, highest age or None for open-ended).
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("18-24", 18, 24),
    ("25-29", 25, 29),
    ("30-34", 30, 34),
    ("35-39", 35, 39),
    ("40-44", 40, 44),
    ("45-49", 45, 49),
    ("50-54", 50, 54),
    ("55-59", 55, 59),
    ("60-64", 60, 64),
    ("65+", 65, None),
)


def share(part: int, whole: int, places: int = 1) -> Decimal:
    """part/whole as a percentage rounded half-up to `places` decimals; 0 when whole is 0."""
    if whole <= 0:
        return Decimal(0)
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(quantum, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Growth:
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before

    @property
    def percent(self) -> Decimal | None:
        if self.before == 0:
            return None
        return share(self.change, self.before)


def birth_range_for_band(
    low: int, high: int | None, reference: dt.date
) -> tuple[dt.date | None, dt.date]:
    """Birth dates (exclusive lower bound or None, inclusive upper bound) of people whose age on
    `reference` lies in [low, high]. Age >= low <=> born on or before reference - low years;
    age <= high <=> born after reference - (high + 1) years."""
    born_on_or_before = add_years(reference, -low)
    born_after = None if high is None else add_years(reference, -(high + 1))
    return born_after, born_on_or_before
