"""Reception statistics for any period and scope, in a fixed number of queries (8 per
period, whatever the data: pinned by a test).

Definitions. Periods are inclusive date ranges; figures use the data as it stands when they
are computed (`as_of`, today by default).

- **Cohort**: the appeals *registered* in the period (`registered_on` in the period) that the
  scope covers (the user's branch, or every branch for the regional administrator; appeals
  merely assigned to the user do not count). Counts by topic, channel, type, the applicant's
  district and the receiving branch are of the cohort.
- **Positive share**: of the cohort's appeals *decided on the merits* (resolved positively,
  explained or refused), the share resolved positively. Forwarded appeals were not decided by
  the branch and are left out (their count is given apart); open ones are not decided yet.
  So "46%" reads "of the appeals registered this year that we have decided, 46% positively".
- **Overdue share**: of the cohort, the share that missed the deadline in force: decided after
  `due_on`, forwarded after `forward_by`, or still open with `due_on` before `as_of`.
- **Days to resolve**: calendar days from registration to decision (`resolved_on -
  registered_on`) over the appeals *decided in the period* (`resolved_on` in the period):
  the pace of the period's work, unaffected by appeals still open. Average to one decimal
  (half up); 90th percentile by the nearest-rank method, `sorted[ceil(0.9 n) - 1]` (a value
  that really occurred; at least 90% of appeals took that long or less). It is computed in
  Python from a streamed `values_list`, so SQLite and PostgreSQL give the same figure
  (PostgreSQL's percentile_cont would interpolate).
- **Receptions**: reception sessions held in the period in the scope's branches.
- **Comparisons**: counts as the change and the percent change (`lib.stats.Growth`); shares
  as the difference in percentage points of the rounded shares, so the figures shown add up
  (46.0% against 28.0% is +18.0 points); a ratio for "receptions tripled".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bastau.accounts.scoping import Scope
from bastau.lib import stats
from bastau.lib.dates import add_years
from bastau.lib.workdays import add_months

from .models import Appeal, ReceptionSession


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("a period ends on or after its start")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def last_two_months(today: dt.date) -> tuple[Period, Period]:
    """(the last two months up to today, the two months before): e.g. for 26 November,
    27 September - 26 November and 27 July - 26 September."""
    current = Period(add_months(today, -2) + dt.timedelta(days=1), today)
    previous = Period(add_months(today, -4) + dt.timedelta(days=1), add_months(today, -2))
    return current, previous


def this_year(today: dt.date, *, whole_previous_year: bool = False) -> tuple[Period, Period]:
    """(1 January - today, the same part of last year); with `whole_previous_year`, all of
    last year (the figure an annual report compares with)."""
    current = Period(dt.date(today.year, 1, 1), today)
    previous_end = dt.date(today.year - 1, 12, 31) if whole_previous_year else add_years(today, -1)
    return current, Period(dt.date(today.year - 1, 1, 1), previous_end)


def nearest_rank(sorted_values: list[int], percent: int) -> int | None:
    """The nearest-rank percentile of sorted values: sorted[ceil(p n / 100) - 1]."""
    n = len(sorted_values)
    if n == 0:
        return None
    rank = max(1, -(-percent * n // 100))
    return sorted_values[rank - 1]


@dataclass(frozen=True)
class Bucket:
    key: object
    label: str
    count: int


@dataclass
class Summary:
    period: Period
    as_of: dt.date
    registered: int
    open: int
    positive: int
    explained: int
    refused: int
    forwarded: int
    late: int
    reception_sessions: int
    by_topic: list[Bucket]
    by_channel: list[Bucket]
    by_kind: list[Bucket]
    by_district: list[Bucket]
    by_branch: list[Bucket]
    decided_in_period: int
    average_days: Decimal | None
    p90_days: int | None

    @property
    def decided(self) -> int:
        return self.positive + self.explained + self.refused

    @property
    def closed(self) -> int:
        return self.decided + self.forwarded

    @property
    def positive_share(self) -> Decimal:
        return stats.share(self.positive, self.decided)

    @property
    def overdue_share(self) -> Decimal:
        return stats.share(self.late, self.registered)

    @property
    def reception_visits(self) -> int:
        return next((b.count for b in self.by_channel if b.key == Appeal.Channel.RECEPTION), 0)


def _localized(name: str, name_ru: str | None, name_en: str | None = None) -> str:
    language = (get_language() or "kk")[:2]
    if language == "ru" and name_ru:
        return name_ru
    if language == "en" and name_en:
        return name_en
    return name


def _cohort(scope: Scope, branch):
    scope.require(scope.can_view_reception_statistics)
    qs = scope.appeals(include_assigned=False)
    if branch is not None:
        scope.require(scope.handles_branch(branch))
        qs = qs.filter(receiving_branch=branch)
    return qs


def _late_condition(as_of: dt.date) -> Q:
    return (
        Q(status__in=Appeal.DECIDED, resolved_on__gt=F("due_on"))
        | Q(status=Appeal.Status.FORWARDED, forwarded_on__gt=F("forward_by"))
        | Q(status__in=Appeal.OPEN, due_on__lt=as_of)
    )


def _choice_buckets(rows, field: str, choices) -> list[Bucket]:
    counts = {row[field]: row["n"] for row in rows}
    return [Bucket(value, str(label), counts.get(value, 0)) for value, label in choices]


def summary(scope: Scope, period: Period, *, branch=None, as_of: dt.date | None = None) -> Summary:
    """Every figure of the reception dashboard for one period (see the module docstring)."""
    as_of = as_of or timezone.localdate()
    base = _cohort(scope, branch)
    cohort = base.filter(registered_on__gte=period.start, registered_on__lte=period.end)
    S = Appeal.Status
    row = cohort.aggregate(
        registered=Count("pk"),
        open=Count("pk", filter=Q(status__in=Appeal.OPEN)),
        positive=Count("pk", filter=Q(status=S.RESOLVED_POSITIVE)),
        explained=Count("pk", filter=Q(status=S.EXPLAINED)),
        refused=Count("pk", filter=Q(status=S.REFUSED)),
        forwarded=Count("pk", filter=Q(status=S.FORWARDED)),
        late=Count("pk", filter=_late_condition(as_of)),
    )
    topics = (
        cohort.values("topic_id", "topic__name", "topic__name_ru", "topic__name_en")
        .annotate(n=Count("pk"))
        .order_by("-n", "topic__order", "topic_id")
    )
    by_topic = [
        Bucket(
            r["topic_id"],
            _localized(r["topic__name"], r["topic__name_ru"], r["topic__name_en"]),
            r["n"],
        )
        for r in topics
    ]
    channels = cohort.values("channel").annotate(n=Count("pk")).order_by()
    by_channel = _choice_buckets(channels, "channel", Appeal.Channel.choices)
    by_kind = _choice_buckets(
        cohort.values("kind").annotate(n=Count("pk")).order_by(), "kind", Appeal.Kind.choices
    )
    districts = (
        cohort.values("district_id", "district__name", "district__name_ru")
        .annotate(n=Count("pk"))
        .order_by("-n", "district__name")
    )
    by_district = [
        Bucket(
            r["district_id"],
            _localized(r["district__name"], r["district__name_ru"])
            if r["district_id"]
            else _("Not given"),
            r["n"],
        )
        for r in districts
    ]
    branches = (
        cohort.values("receiving_branch_id", "receiving_branch__name", "receiving_branch__name_ru")
        .annotate(n=Count("pk"))
        .order_by("-n", "receiving_branch__name")
    )
    by_branch = [
        Bucket(
            r["receiving_branch_id"],
            _localized(r["receiving_branch__name"], r["receiving_branch__name_ru"]),
            r["n"],
        )
        for r in branches
    ]

    durations = sorted(
        (resolved - registered).days
        for registered, resolved in base.filter(
            status__in=Appeal.DECIDED,
            resolved_on__gte=period.start,
            resolved_on__lte=period.end,
        )
        .values_list("registered_on", "resolved_on")
        .iterator(chunk_size=2000)
    )
    average = None
    if durations:
        average = (Decimal(sum(durations)) / len(durations)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    sessions = ReceptionSession.objects.filter(date__gte=period.start, date__lte=period.end)
    sessions = sessions.filter(branch__in=scope.reception_branches())
    if branch is not None:
        sessions = sessions.filter(branch=branch)

    return Summary(
        period=period,
        as_of=as_of,
        registered=row["registered"],
        open=row["open"],
        positive=row["positive"],
        explained=row["explained"],
        refused=row["refused"],
        forwarded=row["forwarded"],
        late=row["late"],
        reception_sessions=sessions.count(),
        by_topic=by_topic,
        by_channel=by_channel,
        by_kind=by_kind,
        by_district=by_district,
        by_branch=by_branch,
        decided_in_period=len(durations),
        average_days=average,
        p90_days=nearest_rank(durations, 90),
    )


def ratio(after: int, before: int) -> Decimal | None:
    """after / before to one decimal ("tripled" is 3.0); None when before is 0."""
    if before <= 0:
        return None
    return (Decimal(after) / Decimal(before)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Comparison:
    current: Summary
    previous: Summary

    @property
    def registered(self) -> stats.Growth:
        return stats.Growth(before=self.previous.registered, after=self.current.registered)

    @property
    def reception_sessions(self) -> stats.Growth:
        return stats.Growth(
            before=self.previous.reception_sessions, after=self.current.reception_sessions
        )

    @property
    def reception_visits(self) -> stats.Growth:
        return stats.Growth(
            before=self.previous.reception_visits, after=self.current.reception_visits
        )

    @property
    def sessions_ratio(self) -> Decimal | None:
        return ratio(self.current.reception_sessions, self.previous.reception_sessions)

    @property
    def registered_ratio(self) -> Decimal | None:
        return ratio(self.current.registered, self.previous.registered)

    @property
    def positive_share_points(self) -> Decimal:
        """Change of the positive share in percentage points."""
        return self.current.positive_share - self.previous.positive_share

    @property
    def overdue_share_points(self) -> Decimal:
        return self.current.overdue_share - self.previous.overdue_share

    @property
    def average_days_change(self) -> Decimal | None:
        if self.current.average_days is None or self.previous.average_days is None:
            return None
        return self.current.average_days - self.previous.average_days


def compare(
    scope: Scope,
    current: Period,
    previous: Period,
    *,
    branch=None,
    as_of: dt.date | None = None,
) -> Comparison:
    return Comparison(
        current=summary(scope, current, branch=branch, as_of=as_of),
        previous=summary(scope, previous, branch=branch, as_of=as_of),
    )


def two_month_comparison(scope: Scope, today: dt.date | None = None, *, branch=None) -> Comparison:
    """The last two months against the two before ("receptions tripled")."""
    today = today or timezone.localdate()
    current, previous = last_two_months(today)
    return compare(scope, current, previous, branch=branch, as_of=today)


def year_comparison(
    scope: Scope,
    today: dt.date | None = None,
    *,
    whole_previous_year: bool = False,
    branch=None,
) -> Comparison:
    """This year so far against the same part of last year (or all of last year)."""
    today = today or timezone.localdate()
    current, previous = this_year(today, whole_previous_year=whole_previous_year)
    return compare(scope, current, previous, branch=branch, as_of=today)
