"""Reception statistics for any period and scope, in a fixed number of queries (5 per
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
  Python from the count of appeals per number of days (a histogram counted in the database),
  so SQLite and PostgreSQL give the same figure (PostgreSQL's percentile_cont would
  interpolate).
- **Receptions**: reception sessions held in the period in the scope's branches.
- **Reporting year**: the period the dashboard opens on: this year so far, but in January all
  of last year (`reporting_year`), compared with the same part of the year before.
- **Comparisons**: counts as the change and the percent change (`lib.stats.Growth`); shares
  as the difference in percentage points of the rounded shares, so the figures shown add up
  (46.0% against 28.0% is +18.0 points); a ratio for "receptions tripled".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum, Value
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bastau.accounts.scoping import Scope
from bastau.lib import stats, tally
from bastau.lib.dates import add_years
from bastau.lib.workdays import add_months
from bastau.structure.models import Branch

from . import permissions
from .models import (
    Appeal,
    AppealChannelCount,
    AppealDecidedCount,
    AppealOutcomeCount,
    AppealPlaceDayCount,
    AppealPlaceMonthCount,
    AppealPlaceYearCount,
    AppealTopicCount,
    ReceptionSession,
    Topic,
)


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


def reporting_year(today: dt.date) -> tuple[Period, Period]:
    """The year the reception reports on as of `today`, against the same part of the year
    before: this year so far (1 January - today, as `this_year`), except in January, when the
    new year has hardly begun (its first appeals are not even due) and branches report on the
    year just ended: then all of last year against all of the year before. The dashboard
    opens on it."""
    if today.month == 1:
        return this_year(dt.date(today.year - 1, 12, 31))
    return this_year(today)


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


def _localized(
    name: str, name_ru: str | None, name_en: str | None = None, *, language: str | None = None
) -> str:
    language = language or (get_language() or "kk")[:2]
    if language == "ru" and name_ru:
        return name_ru
    if language == "en" and name_en:
        return name_en
    return name


def _cohort(scope: Scope, branch):
    scope.require(permissions.view_statistics(scope))
    qs = permissions.appeals(scope, include_assigned=False)
    if branch is not None:
        scope.require(permissions.handles_branch(scope, branch))
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


def summary(
    scope: Scope,
    period: Period,
    *,
    branch=None,
    as_of: dt.date | None = None,
    breakdowns: bool = True,
) -> Summary:
    """Every figure of the reception dashboard for one period. For the whole region (the
    regional administrator, no branch chosen) they are read from the kept figures
    (reception.tally): a few thousand rows whatever the number of appeals; for one branch, its
    own appeals are counted (`summary_recount`).

    With `breakdowns=False` the counts by topic, district and receiving branch are left empty
    (the comparisons of the dashboard show none of them): for the region, three queries in
    place of five and none of the thousands of place rows."""
    as_of = as_of or timezone.localdate()
    if branch is None and scope.is_regional_admin:
        scope.require(permissions.view_statistics(scope))
        return _summary_kept(scope, period, as_of, breakdowns=breakdowns)
    return summary_recount(scope, period, branch=branch, as_of=as_of, breakdowns=breakdowns)


def summary_recount(
    scope: Scope,
    period: Period,
    *,
    branch=None,
    as_of: dt.date | None = None,
    breakdowns: bool = True,
) -> Summary:
    """Every figure of the reception dashboard for one period (see the module docstring), in
    five queries whatever the data:

    1. the cohort grouped by (receiving branch, applicant's district), with the outcome counts
       as FILTERed counts: the totals, "by district" and "by branch" are sums of its rows
       (a few thousand rows at national size: districts follow branches);
    2. the cohort grouped by (topic, channel, type): "by topic", "by channel", "by type";
    3. the names of the branches and topics counted (one UNION);
    4. the appeals decided in the period, counted per number of days to resolve (a histogram of
       at most a few hundred rows): the average and the nearest-rank 90th percentile are
       computed from it exactly as from the sorted list of every duration;
    5. the reception sessions.

    Each of 1, 2 and 4 is one pass over the period's rows (on PostgreSQL an index-only scan of the
    covering indexes of reception migration 0003) instead of six passes and a streamed
    cursor of every decided appeal.
    """
    as_of = as_of or timezone.localdate()
    base = _cohort(scope, branch)
    cohort = base.filter(registered_on__gte=period.start, registered_on__lte=period.end)
    S = Appeal.Status
    outcome_counts = {
        "open": Count("pk", filter=Q(status__in=Appeal.OPEN)),
        "positive": Count("pk", filter=Q(status=S.RESOLVED_POSITIVE)),
        "explained": Count("pk", filter=Q(status=S.EXPLAINED)),
        "refused": Count("pk", filter=Q(status=S.REFUSED)),
        "forwarded": Count("pk", filter=Q(status=S.FORWARDED)),
        "late": Count("pk", filter=_late_condition(as_of)),
    }
    places = (
        cohort.values("receiving_branch_id", "district_id")
        .annotate(n=Count("pk"), **outcome_counts)
        .order_by()
    )
    totals = dict.fromkeys(["registered", *outcome_counts], 0)
    district_counts: dict = {}
    branch_counts: dict = {}
    for r in places:
        totals["registered"] += r["n"]
        for key in outcome_counts:
            totals[key] += r[key]
        district = r["district_id"]
        district_counts[district] = district_counts.get(district, 0) + r["n"]
        receiving = r["receiving_branch_id"]
        branch_counts[receiving] = branch_counts.get(receiving, 0) + r["n"]

    kinds = cohort.values("topic_id", "channel", "kind").annotate(n=Count("pk")).order_by()
    topic_counts: dict = {}
    channel_counts: dict = {}
    kind_counts: dict = {}
    for r in kinds:
        topic_counts[r["topic_id"]] = topic_counts.get(r["topic_id"], 0) + r["n"]
        channel_counts[r["channel"]] = channel_counts.get(r["channel"], 0) + r["n"]
        kind_counts[r["kind"]] = kind_counts.get(r["kind"], 0) + r["n"]

    histogram = (
        base.filter(
            status__in=Appeal.DECIDED,
            resolved_on__gte=period.start,
            resolved_on__lte=period.end,
        )
        .annotate(took=ExpressionWrapper(F("resolved_on") - F("registered_on"), DurationField()))
        .values_list("took")
        .annotate(n=Count("pk"))
        .order_by()
    )
    durations = sorted((_days(took), n) for took, n in histogram)
    sessions = ReceptionSession.objects.filter(date__gte=period.start, date__lte=period.end)
    sessions = sessions.filter(branch__in=permissions.reception_branches(scope))
    if branch is not None:
        sessions = sessions.filter(branch=branch)
    if not breakdowns:
        district_counts, branch_counts, topic_counts = {}, {}, {}
    return _summary(
        period,
        as_of,
        totals,
        district_counts,
        branch_counts,
        topic_counts,
        channel_counts,
        kind_counts,
        durations,
        sessions.count(),
    )


def _summary(
    period,
    as_of,
    totals,
    district_counts,
    branch_counts,
    topic_counts,
    channel_counts,
    kind_counts,
    durations,
    reception_sessions,
) -> Summary:
    """The summary from the counts (the same for the kept figures and the recount)."""
    # The names of the branches and topics counted, in one query (grouping by ids only keeps
    # the big groupings narrow: no names dragged through them).
    branch_ids = {pk for pk in (*district_counts, *branch_counts) if pk is not None}
    # For the region, thousands of branches are counted: every branch's name is read then (a
    # list of 3,400 ids made PostgreSQL's plan of this query take ~100 times longer than it).
    branches = (
        Branch.objects.filter(pk__in=branch_ids) if len(branch_ids) <= 200 else Branch.objects
    )
    branch_names = branches.values_list(
        Value("b"), "pk", "name", "name_ru", Value(""), Value(0)
    ).order_by()
    topic_names = (
        Topic.objects.filter(pk__in=list(topic_counts))
        .values_list(Value("t"), "pk", "name", "name_ru", "name_en", "order")
        .order_by()
    )
    names: dict = {}
    if branch_ids or topic_counts:
        for table, pk, name, name_ru, name_en, order in _plain_rows(
            branch_names.union(topic_names, all=True)
        ):
            names[table, pk] = (name, name_ru, name_en, order)

    # Each branch's name in the reader's language, looked up once (thousands of branches).
    language = (get_language() or "kk")[:2]
    no_name = ("", "", "", 0)
    shown = {
        pk: (
            names.get(("b", pk), no_name)[0],
            _localized(*names.get(("b", pk), no_name)[:2], language=language),
        )
        for pk in branch_ids
    }

    # Largest first; ties by name (appeals with no district last among equals), then by id,
    # so the order is total.
    by_district = [
        Bucket(pk, shown[pk][1] if pk else _("Not given"), n)
        for pk, n in sorted(
            district_counts.items(),
            key=lambda item: (
                -item[1],
                item[0] is None,
                shown[item[0]][0] if item[0] is not None else "",
                item[0] or 0,
            ),
        )
    ]
    by_branch = [
        Bucket(pk, shown[pk][1], n)
        for pk, n in sorted(
            branch_counts.items(), key=lambda item: (-item[1], shown[item[0]][0], item[0])
        )
    ]
    by_topic = []
    for pk, n in sorted(
        topic_counts.items(), key=lambda item: (-item[1], names[("t", item[0])][3], item[0])
    ):
        name, name_ru, name_en, _order = names["t", pk]
        by_topic.append(Bucket(pk, _localized(name, name_ru, name_en), n))
    by_channel = [
        Bucket(value, str(label), channel_counts.get(value, 0))
        for value, label in Appeal.Channel.choices
    ]
    by_kind = [
        Bucket(value, str(label), kind_counts.get(value, 0)) for value, label in Appeal.Kind.choices
    ]

    decided_in_period = sum(n for _days_taken, n in durations)
    average = None
    if decided_in_period:
        total_days = sum(days * n for days, n in durations)
        average = (Decimal(total_days) / decided_in_period).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    return Summary(
        period=period,
        as_of=as_of,
        registered=totals["registered"],
        open=totals["open"],
        positive=totals["positive"],
        explained=totals["explained"],
        refused=totals["refused"],
        forwarded=totals["forwarded"],
        late=totals["late"],
        reception_sessions=reception_sessions,
        by_topic=by_topic,
        by_channel=by_channel,
        by_kind=by_kind,
        by_district=by_district,
        by_branch=by_branch,
        decided_in_period=decided_in_period,
        average_days=average,
        p90_days=_histogram_rank(durations, decided_in_period, 90),
    )


def _summary_kept(scope: Scope, period: Period, as_of: dt.date, *, breakdowns: bool) -> Summary:
    """The region's summary from the kept figures (bastau.lib.tally.appeal_keys)."""
    days = Q(day__gte=period.start, day__lte=period.end)
    S = Appeal.Status
    o = AppealOutcomeCount.objects.filter(days).aggregate(
        registered=Sum("n"),
        open=Sum("n", filter=Q(status__in=Appeal.OPEN)),
        positive=Sum("n", filter=Q(status=S.RESOLVED_POSITIVE)),
        explained=Sum("n", filter=Q(status=S.EXPLAINED)),
        refused=Sum("n", filter=Q(status=S.REFUSED)),
        forwarded=Sum("n", filter=Q(status=S.FORWARDED)),
        late=Sum("n", filter=Q(late=1) | Q(late=-1, due_on__lt=as_of)),
    )
    totals = {k: v or 0 for k, v in o.items()}

    district_counts, branch_counts = _kept_places(period) if breakdowns else ({}, {})

    # One query for topics, channels and types, and the days to resolve.
    topics = (
        AppealTopicCount.objects.filter(days)
        .values_list(Value("t"), "topic_id", Value(""), Value(""))
        .annotate(total=Sum("n"))
        .order_by()
    )
    channels = (
        AppealChannelCount.objects.filter(days)
        .values_list(Value("c"), Value(0), "channel", "kind")
        .annotate(total=Sum("n"))
        .order_by()
    )
    decided = (
        AppealDecidedCount.objects.filter(days)
        .values_list(Value("d"), "took", Value(""), Value(""))
        .annotate(total=Sum("n"))
        .order_by()
    )
    topic_counts: dict = {}
    channel_counts: dict = {}
    kind_counts: dict = {}
    durations = []
    parts = [topics, channels, decided] if breakdowns else [channels, decided]
    for table, number, channel, kind, n in parts[0].union(*parts[1:], all=True):
        if not n:
            continue
        if table == "t":
            topic_counts[number] = n
        elif table == "c":
            channel_counts[channel] = channel_counts.get(channel, 0) + n
            kind_counts[kind] = kind_counts.get(kind, 0) + n
        else:
            durations.append((number, n))
    durations.sort()
    sessions = ReceptionSession.objects.filter(date__gte=period.start, date__lte=period.end)
    sessions = sessions.filter(branch__in=permissions.reception_branches(scope))
    return _summary(
        period,
        as_of,
        totals,
        district_counts,
        branch_counts,
        topic_counts,
        channel_counts,
        kind_counts,
        durations,
        sessions.count(),
    )


def open_deadlines(scope: Scope, today: dt.date, soon_until: dt.date) -> tuple[int, int]:
    """(overdue, due soon): the open appeals of the scope whose deadline in force is before
    `today`, and those due from `today` to `soon_until`, as the lists of `services.overdue` and
    `services.due_soon` count them (appeals assigned to the user included), in one query. For
    the regional administrator they are read from the kept outcome counts (an open appeal is
    kept there with its `due_on`): a few thousand rows, not the open appeals of the region."""
    overdue = Q(due_on__lt=today)
    soon = Q(due_on__gte=today, due_on__lte=soon_until)
    last = max(today, soon_until)  # nothing due after both is counted
    if scope.is_regional_admin:
        row = AppealOutcomeCount.objects.filter(status__in=Appeal.OPEN, due_on__lte=last).aggregate(
            overdue=Sum("n", filter=overdue), soon=Sum("n", filter=soon)
        )
    else:
        row = (
            permissions.appeals(scope)
            .filter(status__in=Appeal.OPEN, due_on__lte=last)
            .aggregate(overdue=Count("pk", filter=overdue), soon=Count("pk", filter=soon))
        )
    return row["overdue"] or 0, row["soon"] or 0


def _kept_places(period: Period) -> tuple[dict, dict]:
    """(appeals by district, by receiving branch) of the period from the kept place counts."""
    # One query for the places: each year's whole months from the monthly counts and its
    # partial months' days from the daily ones, or the year's counts less the days and months
    # of that year outside the period (bastau.lib.tally.place_pieces).
    tables = {
        "day": (AppealPlaceDayCount, "day"),
        "month": (AppealPlaceMonthCount, "month"),
        "year": (AppealPlaceYearCount, "year"),
    }
    parts = []
    for sign, table, first, last in tally.place_pieces(period.start, period.end):
        model, field = tables[table]
        parts.append(
            model.objects.filter(**{f"{field}__gte": first, f"{field}__lte": last})
            .values_list("branch_id", "district_id")
            .annotate(total=Sum("n") * Value(sign))
            .order_by()
        )
    place_rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    district_counts: dict = {}
    branch_counts: dict = {}
    for receiving, district, n in _plain_rows(place_rows):
        district = district or None
        district_counts[district] = district_counts.get(district, 0) + n
        branch_counts[receiving] = branch_counts.get(receiving, 0) + n
    for counted in (district_counts, branch_counts):
        for key in [k for k, n in counted.items() if not n]:
            del counted[key]

    return district_counts, branch_counts


def _plain_rows(qs) -> list[tuple]:
    """The rows of a values_list queryset as the database driver returns them, without
    Django's per-value converters (thousands of rows of plain integers and names here: the
    converters cost more CPU than the query). Read on the queryset's database (the replica in
    a @replica_view); only for columns whose driver values are already right (ints, text)."""
    sql, params = qs.query.get_compiler(qs.db).as_sql()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _days(took) -> int:
    """Days from a date difference: a timedelta (PostgreSQL interval, SQLite) or an int."""
    return took.days if isinstance(took, dt.timedelta) else int(took)


def _histogram_rank(histogram: list[tuple[int, int]], n: int, percent: int) -> int | None:
    """`nearest_rank` of the values a sorted (value, count) histogram stands for."""
    if n == 0:
        return None
    rank = max(1, -(-percent * n // 100))
    seen = 0
    for value, count in histogram:
        seen += count
        if seen >= rank:
            return value
    return None


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
