"""Oversight statistics for any scope, counted in the database in a fixed number of queries.

- `register_overview`: the deputies' register by maslikhat, party, sex, age (average and the
  bands of `bastau.lib.stats`) and how elected: 2 queries, whatever the number of deputies.
- `report_counts`: reporting schedule outcomes and overdue reports: 1 query.
- `sector_year_table`: budget plan / actual / execution % by sector and year: 1 query.
- `by_responsible`: indicators and lagging ones by responsible faction and deputy: 2 queries.
- `export_workbook`: all of the budget figures as an XLSX workbook.

Ages are whole years on the reference date, computed by the database; a deputy who is a party
member takes birth date and sex from the member record. Percentages are Decimal, exact from
the sums (never floats).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from bastau.accounts.scoping import Scope
from bastau.core.choices import Sex
from bastau.core.spreadsheets import sheet_title, spreadsheet_safe
from bastau.lib import stats

from . import execution
from .models import BudgetIndicator, BudgetSector, Deputy, Maslikhat, ScheduledReport
from .permissions import in_scope
from .permissions import indicators as scoped_indicators
from .services.budget_import import IGNORED, TEMPLATE

AMOUNT_FIELD = BudgetIndicator._meta.get_field("plan")


# Deputies' register -------------------------------------------------------------------------------
@dataclass
class RegisterOverview:
    reference: dt.date
    total: int
    by_maslikhat: list[dict]  # {"maslikhat_id", "name", "name_ru", "level", "seats", "count"}
    by_party: list[tuple[str, str, int]]  # value, label, count
    by_sex: list[tuple[str, str, int]]
    by_election: list[tuple[str, str, int]]
    age_bands: list[tuple[str, int]]  # label, count
    age_sum: int
    women: int = 0

    @property
    def average_age(self) -> Decimal | None:
        """Mean whole-year age, rounded half-up to one decimal."""
        if not self.total:
            return None
        return (Decimal(self.age_sum) / Decimal(self.total)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def women_share(self) -> Decimal:
        return stats.share(self.women, self.total)


def _deputies_qs(scope: Scope, *, active_only: bool, maslikhat=None, convocation=None):
    qs = in_scope(scope, Deputy.objects.all())
    if active_only:
        qs = qs.filter(status=Deputy.Status.ACTIVE)
    if maslikhat is not None:
        qs = qs.filter(maslikhat=maslikhat)
    if convocation is not None:
        qs = qs.filter(convocation=convocation)
    return qs


def register_overview(
    scope: Scope,
    *,
    reference: dt.date | None = None,
    active_only: bool = True,
    maslikhat: Maslikhat | None = None,
    convocation=None,
) -> RegisterOverview:
    """The register's figures on `reference` (today by default): 2 queries."""
    reference = reference or timezone.localdate()
    qs = _deputies_qs(
        scope, active_only=active_only, maslikhat=maslikhat, convocation=convocation
    ).annotate(
        born=Coalesce("member__birth_date", "birth_date"),
        person_sex=Coalesce("member__sex", "sex"),
    )
    qs = qs.annotate(
        born_year=ExtractYear("born"), born_month=ExtractMonth("born"), born_day=ExtractDay("born")
    )
    # Whole years on the reference date: the year difference, less one before the birthday.
    before_birthday = Q(born_month__gt=reference.month) | Q(
        born_month=reference.month, born_day__gt=reference.day
    )
    age = (
        Value(reference.year)
        - F("born_year")
        - Case(When(before_birthday, then=Value(1)), default=Value(0), output_field=IntegerField())
    )
    aggregates = {
        "total": Count("pk"),
        "age_sum": Sum(age, output_field=IntegerField()),
    }
    for value, _label in Deputy.Party.choices:
        aggregates[f"party_{value}"] = Count("pk", filter=Q(party=value))
    for value, _label in Sex.choices:
        aggregates[f"sex_{value}"] = Count("pk", filter=Q(person_sex=value))
    for value, _label in Deputy.Election.choices:
        aggregates[f"elected_{value}"] = Count("pk", filter=Q(elected_by=value))
    for index, (_label, low, high) in enumerate(stats.AGE_BANDS):
        born_after, born_on_or_before = stats.birth_range_for_band(low, high, reference)
        band = Q(born__lte=born_on_or_before)
        if born_after is not None:
            band &= Q(born__gt=born_after)
        aggregates[f"band_{index}"] = Count("pk", filter=band)
    row = qs.aggregate(**aggregates)

    by_maslikhat = list(
        _deputies_qs(scope, active_only=active_only, maslikhat=maslikhat, convocation=convocation)
        .values(
            "maslikhat_id",
            name=F("maslikhat__name"),
            name_ru=F("maslikhat__name_ru"),
            level=F("maslikhat__level"),
            seats=F("maslikhat__seats_total"),
        )
        .annotate(count=Count("pk"))
        .order_by("level", "name")
    )
    return RegisterOverview(
        reference=reference,
        total=row["total"],
        by_maslikhat=by_maslikhat,
        by_party=[(v, label, row[f"party_{v}"]) for v, label in Deputy.Party.choices],
        by_sex=[(v, label, row[f"sex_{v}"]) for v, label in Sex.choices],
        by_election=[(v, label, row[f"elected_{v}"]) for v, label in Deputy.Election.choices],
        age_bands=[(label, row[f"band_{i}"]) for i, (label, _l, _h) in enumerate(stats.AGE_BANDS)],
        age_sum=row["age_sum"] or 0,
        women=row[f"sex_{Sex.FEMALE}"],
    )


# Reporting schedule -------------------------------------------------------------------------------
def report_counts(scope: Scope, *, today: dt.date | None = None, schedule=None) -> dict:
    """{"total", "scheduled", "postponed", "held", "missed", "overdue", "attendance"} over the
    reports in scope (or of one schedule): 1 query."""
    today = today or timezone.localdate()
    qs = in_scope(scope, ScheduledReport.objects.all(), "schedule__maslikhat")
    if schedule is not None:
        qs = qs.filter(schedule=schedule)
    aggregates = {"total": Count("pk"), "attendance": Coalesce(Sum("attendance"), 0)}
    for value, _label in ScheduledReport.Status.choices:
        aggregates[value] = Count("pk", filter=Q(status=value))
    aggregates["overdue"] = Count("pk", filter=Q(status__in=ScheduledReport.OPEN, date__lt=today))
    return qs.aggregate(**aggregates)


# Budget -------------------------------------------------------------------------------------------
@dataclass
class UnitTotal:
    """Sums of the indicators of one unit (amounts only add up within a unit)."""

    unit: str
    indicators: int
    plan: Decimal
    base: Decimal  # corrected plan, else plan
    actual: Decimal
    base_reported: Decimal  # the base of the indicators that have an actual

    @property
    def execution(self) -> Decimal | None:
        """Actual over the base of the indicators reported so far, in %."""
        return execution.ratio_percent(self.actual, self.base_reported)


@dataclass
class Cell:
    indicators: int = 0
    reported: int = 0
    lagging: int = 0
    totals: list[UnitTotal] = field(default_factory=list)

    @property
    def main(self) -> UnitTotal | None:
        """The unit most indicators use (thousand tenge, usually): what a chart shows."""
        return self.totals[0] if self.totals else None


@dataclass
class SectorYearTable:
    years: list[int]
    sectors: list[tuple[str, str]]  # value, label
    cells: dict[tuple[str, int], Cell]
    year_totals: dict[int, Cell]

    def cell(self, sector: str, year: int) -> Cell:
        return self.cells.get((sector, year)) or Cell()

    def rows(self):
        """[(sector value, label, [Cell per year])] for a template."""
        return [(v, label, [self.cell(v, y) for y in self.years]) for v, label in self.sectors]


def _dec(value) -> Decimal:
    if value is None:
        return Decimal("0.00")
    return Decimal(value).quantize(Decimal("0.01"))


def sector_year_table(
    scope: Scope, *, maslikhat: Maslikhat | None = None, years: list[int] | None = None
) -> SectorYearTable:
    """Plan, corrected plan, actual and execution % by sector and year (and unit): 1 query."""
    qs = in_scope(scope, BudgetIndicator.objects.all())
    if maslikhat is not None:
        qs = qs.filter(maslikhat=maslikhat)
    if years:
        qs = qs.filter(year__in=years)
    base = Coalesce("corrected_plan", "plan")
    reported = Q(actual__isnull=False)
    rows = (
        qs.values("sector", "year", "unit")
        .annotate(
            n=Count("pk"),
            reported=Count("pk", filter=reported),
            lagging=Count("pk", filter=Q(lagging=True)),
            plan_sum=Sum("plan", output_field=AMOUNT_FIELD),
            base_sum=Sum(base, output_field=AMOUNT_FIELD),
            actual_sum=Sum("actual", output_field=AMOUNT_FIELD),
            base_reported=Sum(base, filter=reported, output_field=AMOUNT_FIELD),
        )
        .order_by("year", "sector", "-n", "unit")
    )
    cells: dict[tuple[str, int], Cell] = defaultdict(Cell)
    by_year: dict[int, dict[str, UnitTotal]] = defaultdict(dict)
    year_totals: dict[int, Cell] = defaultdict(Cell)
    seen_years: set[int] = set(years or ())
    for r in rows:
        seen_years.add(r["year"])
        total = UnitTotal(
            unit=r["unit"],
            indicators=r["n"],
            plan=_dec(r["plan_sum"]),
            base=_dec(r["base_sum"]),
            actual=_dec(r["actual_sum"]),
            base_reported=_dec(r["base_reported"]),
        )
        for cell in (cells[(r["sector"], r["year"])], year_totals[r["year"]]):
            cell.indicators += r["n"]
            cell.reported += r["reported"]
            cell.lagging += r["lagging"]
        cells[(r["sector"], r["year"])].totals.append(total)
        merged = by_year[r["year"]].get(r["unit"])
        if merged is None:
            by_year[r["year"]][r["unit"]] = UnitTotal(**vars(total))
        else:
            merged.indicators += total.indicators
            merged.plan += total.plan
            merged.base += total.base
            merged.actual += total.actual
            merged.base_reported += total.base_reported
    for year, units in by_year.items():
        year_totals[year].totals = sorted(units.values(), key=lambda t: (-t.indicators, t.unit))
    return SectorYearTable(
        years=sorted(seen_years),
        sectors=[(v, str(label)) for v, label in BudgetSector.choices],
        cells=dict(cells),
        year_totals=dict(year_totals),
    )


@dataclass
class ResponsibleRow:
    kind: str  # "faction" or "deputy"
    pk: int
    name: str
    indicators: int
    reported: int
    lagging: int


def by_responsible(
    scope: Scope, *, maslikhat: Maslikhat | None = None, year: int | None = None
) -> list[ResponsibleRow]:
    """Indicators, reported and lagging ones per responsible faction and per responsible
    deputy (an indicator with both counts for each): 2 queries. Most lagging first."""
    qs = in_scope(scope, BudgetIndicator.objects.all())
    if maslikhat is not None:
        qs = qs.filter(maslikhat=maslikhat)
    if year is not None:
        qs = qs.filter(year=year)
    counts = dict(
        n=Count("pk"),
        reported=Count("pk", filter=Q(actual__isnull=False)),
        lagging=Count("pk", filter=Q(lagging=True)),
    )
    result = [
        ResponsibleRow("faction", r["responsible_faction"], r["responsible_faction__name"],
                       r["n"], r["reported"], r["lagging"])
        for r in qs.filter(responsible_faction__isnull=False)
        .values("responsible_faction", "responsible_faction__name")
        .annotate(**counts)
        .order_by()
    ]  # fmt: skip
    for r in (
        qs.filter(responsible_deputy__isnull=False)
        .values(
            "responsible_deputy",
            "responsible_deputy__last_name",
            "responsible_deputy__first_name",
            "responsible_deputy__patronymic",
        )
        .annotate(**counts)
        .order_by()
    ):
        name = " ".join(
            p
            for p in (
                r["responsible_deputy__last_name"],
                r["responsible_deputy__first_name"],
                r["responsible_deputy__patronymic"],
            )
            if p
        )
        result.append(
            ResponsibleRow("deputy", r["responsible_deputy"], name, r["n"], r["reported"],
                           r["lagging"])
        )  # fmt: skip
    result.sort(key=lambda row: (-row.lagging, -row.indicators, row.kind, row.name))
    return result


def export_workbook(
    scope: Scope, *, maslikhat: Maslikhat | None = None, years: list[int] | None = None
) -> Workbook:
    """The budget monitor as XLSX in the active language: the sector x year table, the
    lagging indicators, responsibility, and every indicator (whose first columns are the
    import template's, so the sheet can be edited and imported again). A page streams it
    with `core.spreadsheets.workbook_response(wb, filename)`."""

    table = sector_year_table(scope, maslikhat=maslikhat, years=years)
    wb = Workbook(write_only=True)

    summary = wb.create_sheet(sheet_title(_("Sector x year")))
    summary.append([pgettext("budget", "Sector"), _("Year"), _("Unit"), _("Indicators"),
                    _("Reported"), _("Lagging"), _("Plan"), _("Corrected plan or plan"),
                    _("Actual"), _("Execution, %")])  # fmt: skip
    labels = dict(table.sectors)
    for (sector, year), cell in sorted(table.cells.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        for total in cell.totals:
            summary.append([labels[sector], year, total.unit, total.indicators, cell.reported,
                            cell.lagging, total.plan, total.base, total.actual,
                            total.execution])  # fmt: skip

    qs = scoped_indicators(scope, maslikhat=maslikhat)
    if years:
        qs = qs.filter(year__in=years)

    lagging = wb.create_sheet(sheet_title(_("Lagging")))
    lagging.append([_("Maslikhat"), _("Year"), pgettext("budget", "Sector"), _("Code"),
                    _("Indicator"), _("Unit"), _("Corrected plan or plan"), _("Actual"),
                    _("Execution, %"), _("Threshold, %"), _("Responsible")])  # fmt: skip
    for i in qs.filter(lagging=True).order_by("execution_percent", "year", "code"):
        responsible = ", ".join(
            str(x) for x in (i.responsible_faction, i.responsible_deputy) if x is not None
        )
        lagging.append([spreadsheet_safe(str(i.maslikhat)), i.year, labels[i.sector],
                        spreadsheet_safe(i.code), spreadsheet_safe(i.name), i.unit, i.base,
                        i.actual, i.execution_percent, i.maslikhat.budget_threshold,
                        spreadsheet_safe(responsible)])  # fmt: skip

    people = wb.create_sheet(sheet_title(_("Responsible")))
    people.append([_("Faction or deputy"), _("Name"), _("Indicators"), _("Reported"),
                   _("Lagging")])  # fmt: skip
    for row in by_responsible(scope, maslikhat=maslikhat):
        kind = _("Faction") if row.kind == "faction" else _("Deputy")
        people.append([kind, spreadsheet_safe(row.name), row.indicators, row.reported,
                       row.lagging])  # fmt: skip

    every = wb.create_sheet(sheet_title(_("Indicators")))
    every.append([*TEMPLATE, *IGNORED])
    for i in qs.order_by("maslikhat", "year", "sector", "code").iterator(chunk_size=2000):
        every.append([i.year, i.sector, spreadsheet_safe(i.code), spreadsheet_safe(i.name),
                      spreadsheet_safe(i.program), spreadsheet_safe(i.unit), i.plan,
                      i.corrected_plan, i.actual, spreadsheet_safe(str(i.maslikhat)),
                      i.execution_percent, _("yes") if i.lagging else "",
                      spreadsheet_safe(str(i.responsible_faction or "")),
                      spreadsheet_safe(str(i.responsible_deputy or ""))])  # fmt: skip
    return wb
