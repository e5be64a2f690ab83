"""Membership statistics for any scope, in a fixed number of queries.

`overview` reads the kept figures (members.tally, bastau.lib.tally): a few thousand rows
whatever the number of members. `overview_recount` counts the member records themselves: the
same figures, the reference the tests compare the kept ones with.
The number of queries does not grow with the data or the number of branches (pinned by tests).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import TruncMonth

from bastau.accounts.scoping import Scope
from bastau.core.choices import Sex
from bastau.lib import stats, tally
from bastau.lib.dates import born_after_for_age_below, month_starts

from . import permissions as perms
from .models import MemberBirthStock, MemberFlow, MemberStock, Sector


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


def overview_recount(
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
    """Members on `day` per POO, for a page of POOs (one query over the kept flows)."""
    poos = scope_poos(scope)
    if poos is not None:
        flows = MemberFlow.objects.filter(poo_id__in=list(poo_ids), day__lte=day)
        if poos is not ALL:
            flows = flows.filter(poos)
        rows = flows.values_list("poo_id").annotate(n=Sum("joined") - Sum("ended")).order_by()
        return {poo: n for poo, n in rows if n}
    rows = (
        members_at(perms.members(scope), day)
        .filter(poo_id__in=list(poo_ids))
        .values_list("poo_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


ALL = Q()


def scope_poos(scope: Scope, branch=None, poo=None) -> Q | None:
    """The POOs whose members the scope sees, as a filter on `poo_id` (ALL: every POO), or None
    when the scope is not a set of POOs (a member seeing their own record: counted from it)."""
    user = scope.user
    if scope.is_regional_admin:
        found = ALL
    elif scope.role == perms.Role.DISTRICT_SECRETARY and user.branch_id:
        found = Q(poo__branch_id=user.branch_id)
    elif scope.role == perms.Role.POO_LEADER and user.poo_id:
        found = Q(poo_id=user.poo_id)
    else:
        return None
    if poo is not None:
        found &= Q(poo_id=poo.pk)
    elif branch is not None and branch.kind != branch.Kind.REGION:
        found &= Q(poo__branch_id=branch.pk)
    return found


def _sums(prefix: str, value, reference: dt.date, youth_age: int, *, where=ALL, kinds=()) -> dict:
    """Filtered sums of `value` (restricted to `where`) for the total and women, and for
    `kinds`: "sectors", "births" (youth and the age bands of the pyramid on `reference`)."""
    sums = {
        f"{prefix}total": Sum(value, filter=where or None),
        f"{prefix}women": Sum(value, filter=where & Q(sex=Sex.FEMALE)),
    }
    if "sectors" in kinds:
        for sector, _label in Sector.choices:
            sums[f"{prefix}sector_{sector}"] = Sum(value, filter=where & Q(sector=sector))
    if "births" in kinds:
        cutoff = born_after_for_age_below(youth_age, reference)
        sums[f"{prefix}youth"] = Sum(value, filter=where & Q(birth_date__gt=cutoff))
        for index, (_label, low, high) in enumerate(stats.AGE_BANDS):
            born_after, born_on_or_before = stats.birth_range_for_band(low, high, reference)
            band = where & Q(birth_date__lte=born_on_or_before)
            if born_after is not None:
                band &= Q(birth_date__gt=born_after)
            sums[f"{prefix}band_{index}_m"] = Sum(value, filter=band & Q(sex=Sex.MALE))
            sums[f"{prefix}band_{index}_f"] = Sum(value, filter=band & Q(sex=Sex.FEMALE))
    return sums


def _figure_keys() -> list[str]:
    keys = ["total", "women", "youth", *(f"sector_{v}" for v, _label in Sector.choices)]
    for index in range(len(stats.AGE_BANDS)):
        keys += [f"band_{index}_m", f"band_{index}_f"]
    return keys


def _birth_slots(reference: dt.date, youth_age: int):
    """A CASE numbering the slots of birth dates between every bound of youth and of the age
    bands on `reference` (slot 0: born after the latest bound; slot i: after bound i, on or
    before bound i - 1), and the bounds, latest first."""
    bounds = {born_after_for_age_below(youth_age, reference)}
    for _label, low, high in stats.AGE_BANDS:
        born_after, born_on_or_before = stats.birth_range_for_band(low, high, reference)
        bounds.add(born_on_or_before)
        if born_after is not None:
            bounds.add(born_after)
    ordered = sorted(bounds, reverse=True)
    whens = [When(birth_date__gt=bound, then=Value(i)) for i, bound in enumerate(ordered)]
    return Case(*whens, default=Value(len(ordered))), ordered


def _slot_figures(slot: int, sex: str, bounds: list, reference: dt.date, youth_age: int):
    """The figures (youth, band_i_m/f) that the members of a birth-date slot count in."""
    above = bounds[slot - 1] if slot > 0 else None  # born on or before this (None: no bound)
    below = bounds[slot] if slot < len(bounds) else None  # born after this (None: no bound)
    found = []
    if below is not None and below >= born_after_for_age_below(youth_age, reference):
        found.append("youth")
    for index, (_label, low, high) in enumerate(stats.AGE_BANDS):
        born_after, born_on_or_before = stats.birth_range_for_band(low, high, reference)
        inside_top = above is not None and above <= born_on_or_before
        inside_bottom = born_after is None or (below is not None and below >= born_after)
        if inside_top and inside_bottom:
            found.append(f"band_{index}_{'f' if sex == Sex.FEMALE else 'm'}")
    return found


def overview(
    scope: Scope,
    *,
    reference: dt.date,
    growth_from: dt.date | None = None,
    youth_age: int | None = None,
    months_back: int = 12,
    branch=None,
    poo=None,
    base_qs=None,
) -> Overview:
    """The branch overview from the kept figures (four queries whatever the data).

    For the whole region: the stocks, less the flows after the reference day (few for a recent
    day); for a branch or a POO: its flows up to the reference day (its own members' rows)."""
    youth_age = youth_age or settings.YOUTH_AGE_LIMIT
    growth_from = growth_from or reference.replace(month=1, day=1)
    poos = scope_poos(scope, branch, poo)
    if poos is None or base_qs is not None:  # a member's own record, or any set of records
        return overview_recount(
            scope,
            reference=reference,
            growth_from=growth_from,
            youth_age=youth_age,
            months_back=months_back,
            base_qs=base_qs,
        )
    before_day = growth_from - dt.timedelta(days=1)
    flows = MemberFlow.objects.filter(poos)
    net = F("joined") - F("ended")
    every = ("sectors", "births")
    if poos is ALL:
        # on day D = stock - (joined - ended) after D: bastau.lib.tally.on_day. The stocks are
        # grouped in the database (by sex and sector; by sex and the birth-date slots between
        # the bounds of youth and the age bands), not summed with a FILTER per figure: one
        # pass each over ~50,000 rows. The flows after D are few for a recent day; the growth
        # needs only their total after its start (an index-only scan of `day, joined, ended`).
        slots, bounds = _birth_slots(reference, youth_age)
        stock_rows = (
            MemberStock.objects.values_list(Value("s"), "sex", "sector", Value(0))
            .annotate(total=Sum("n"))
            .order_by()
        )
        birth_rows = (
            MemberBirthStock.objects.annotate(slot=slots)
            .values_list(Value("b"), "sex", Value(""), "slot")
            .annotate(total=Sum("n"))
            .order_by()
        )
        stock = dict.fromkeys(_figure_keys(), 0)
        for table, sex, sector, slot, n in stock_rows.union(birth_rows, all=True):
            if table == "s":
                stock["total"] += n
                stock["women"] += n if sex == Sex.FEMALE else 0
                if f"sector_{sector}" in stock:
                    stock[f"sector_{sector}"] += n
            else:
                for key in _slot_figures(slot, sex, bounds, reference, youth_age):
                    stock[key] += n
        later = flows.filter(day__gt=reference).aggregate(
            **_sums("l_", net, reference, youth_age, kinds=every)
        )
        row = {key: tally.on_day(stock[key], later["l_" + key] or 0) for key in _figure_keys()}
        since = flows.filter(day__gt=before_day).aggregate(n=Sum(net))["n"] or 0
        before = tally.on_day(stock["total"], since)
    else:
        # on day D = (joined - ended) on or before D: bastau.lib.tally.up_to_day
        upto = flows.filter(day__lte=max(reference, before_day)).aggregate(
            **_sums("u_", net, reference, youth_age, where=Q(day__lte=reference), kinds=every),
            before=Sum(net, filter=Q(day__lte=before_day)),
        )
        row = {key: tally.up_to_day(upto["u_" + key] or 0) for key in _figure_keys()}
        before = tally.up_to_day(upto["before"] or 0)

    first_month = month_starts(reference, reference)[0]
    for _ in range(months_back - 1):
        first_month = (first_month - dt.timedelta(days=1)).replace(day=1)
    # Grouped by day in the database (at most ~366 rows; an index-only scan for the region),
    # by month here: cheaper than truncating every row's day to its month in SQL.
    daily = (
        flows.filter(day__gte=first_month, day__lte=reference)
        .values_list("day")
        .annotate(j=Sum("joined"), e=Sum("ended"))
        .order_by()
    )
    by_month: dict = {}
    for day, j, e in daily:
        month = _as_date(day).replace(day=1)
        joined, ended = by_month.get(month, (0, 0))
        by_month[month] = (joined + (j or 0), ended + (e or 0))
    months = [
        {"month": m, "admissions": by_month.get(m, (0, 0))[0], "exits": by_month.get(m, (0, 0))[1]}
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
