"""Membership statistics for any scope, counted in the database in a fixed number of queries.

The number of queries does not grow with the data or the number of branches (pinned by tests).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from bastau.accounts.scoping import Scope
from bastau.core.choices import Sex
from bastau.lib import stats
from bastau.lib.dates import born_after_for_age_below, month_starts

from . import permissions as perms
from .models import Sector


@dataclass
class Overview:
    reference: dt.date
    youth_age: int
    total: int
    women: int
    youth: int
    sectors: list[tuple[str, str, int]]
    pyramid: list[tuple[str, int, int]]  # label, men, women
    growth_from: dt.date
    growth: stats.Growth
    months: list[dict] = field(default_factory=list)  # month, admissions, exits

    @property
    def women_share(self):
        return stats.share(self.women, self.total)

    @property
    def youth_share(self):
        return stats.share(self.youth, self.total)


def members_at(qs, day: dt.date):
    """Who was a member on `day`: joined by then and not yet gone."""
    return qs.filter(joined_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))


def overview(
    scope: Scope,
    *,
    reference: dt.date,
    growth_from: dt.date | None = None,
    youth_age: int | None = None,
    months_back: int = 12,
    base_qs=None,
) -> Overview:
    youth_age = youth_age or settings.YOUTH_AGE_LIMIT
    growth_from = growth_from or reference.replace(month=1, day=1)
    scoped = perms.members(scope, base_qs)
    current = members_at(scoped, reference)

    youth_cutoff = born_after_for_age_below(youth_age, reference)
    aggregates = {
        "total": Count("pk"),
        "women": Count("pk", filter=Q(sex=Sex.FEMALE)),
        "youth": Count("pk", filter=Q(birth_date__gt=youth_cutoff)),
    }
    for value, _label in Sector.choices:
        aggregates[f"sector_{value}"] = Count("pk", filter=Q(sector=value))
    for index, (_label, low, high) in enumerate(stats.AGE_BANDS):
        born_after, born_on_or_before = stats.birth_range_for_band(low, high, reference)
        band = Q(birth_date__lte=born_on_or_before)
        if born_after is not None:
            band &= Q(birth_date__gt=born_after)
        aggregates[f"band_{index}_m"] = Count("pk", filter=band & Q(sex=Sex.MALE))
        aggregates[f"band_{index}_f"] = Count("pk", filter=band & Q(sex=Sex.FEMALE))
    row = current.aggregate(**aggregates)

    before = members_at(scoped, growth_from - dt.timedelta(days=1)).count()

    first_month = month_starts(reference, reference)[0]
    for _ in range(months_back - 1):
        first_month = (first_month - dt.timedelta(days=1)).replace(day=1)
    joined = dict(
        scoped.filter(joined_on__gte=first_month, joined_on__lte=reference)
        .annotate(month=TruncMonth("joined_on"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    left = dict(
        scoped.filter(left_on__gte=first_month, left_on__lte=reference)
        .annotate(month=TruncMonth("left_on"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    joined = {_as_date(k): v for k, v in joined.items()}
    left = {_as_date(k): v for k, v in left.items()}
    months = [
        {"month": m, "admissions": joined.get(m, 0), "exits": left.get(m, 0)}
        for m in month_starts(first_month, reference)
    ]

    return Overview(
        reference=reference,
        youth_age=youth_age,
        total=row["total"],
        women=row["women"],
        youth=row["youth"],
        sectors=[(value, label, row[f"sector_{value}"]) for value, label in Sector.choices],
        pyramid=[
            (label, row[f"band_{i}_m"], row[f"band_{i}_f"])
            for i, (label, _low, _high) in enumerate(stats.AGE_BANDS)
        ],
        growth_from=growth_from,
        growth=stats.Growth(before=before, after=row["total"]),
        months=months,
    )


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def count_by_poo(scope: Scope, poo_ids, day: dt.date) -> dict[int, int]:
    """Members on `day` per POO, for a page of POOs (one query)."""
    rows = (
        members_at(perms.members(scope), day)
        .filter(poo_id__in=list(poo_ids))
        .values_list("poo_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)
