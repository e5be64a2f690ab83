"""Budget monitoring: exact execution %, the branch's threshold, statistics and export."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from bastau.accounts.scoping import Scope
from bastau.oversight import execution, services, statistics
from bastau.oversight.models import BudgetIndicator

D = Decimal


@pytest.mark.parametrize(
    "actual, plan, corrected, percent",
    [
        (D("90"), D("100"), None, D("90.00")),
        (D("0.29"), D("1"), None, D("29.00")),
        (D("1"), D("3"), None, D("33.33")),
        (D("2"), D("3"), None, D("66.67")),
        (D("450"), D("1000"), D("500"), D("90.00")),  # against the corrected plan
        (D("10"), D("0"), None, None),
        (None, D("10"), None, None),
        (D("5"), D("10"), D("0"), None),  # a zero correction: nothing to measure against
    ],
)
def test_execution_percent(actual, plan, corrected, percent):
    assert execution.execution_percent(actual, plan, corrected) == percent


def test_lagging_is_decided_on_exact_values_not_the_rounded_percent():
    threshold = D("90")
    assert not execution.is_lagging(D("90.00"), D("100.00"), None, threshold)  # exactly 90%
    assert execution.is_lagging(D("89999.99"), D("100000.00"), None, threshold)  # 89.99999%
    assert execution.execution_percent(D("89999.99"), D("100000.00")) == D("90.00")
    assert not execution.is_lagging(D("0.29"), D("1"), None, D("29"))  # float would say < 29
    assert not execution.is_lagging(None, D("100"), None, threshold)  # not reported yet


def _save(ow, code, plan, actual, corrected=None, year=2023, sector="education", unit="mln"):
    indicator, _created = services.save_indicator(
        Scope(ow.faction_secretary),
        maslikhat=ow.maslikhat,
        year=year,
        sector=sector,
        code=code,
        data={"name": f"Indicator {code}", "unit": unit, "plan": plan, "actual": actual,
              "corrected_plan": corrected},
    )  # fmt: skip
    return indicator


def test_save_indicator_flags_and_updates_by_natural_key(ow):
    i = _save(ow, "E1", "1000", "850")
    assert i.execution_percent == D("85.00") and i.lagging
    same, created = services.save_indicator(
        Scope(ow.faction_secretary), maslikhat=ow.maslikhat, year=2023, sector="education",
        code="E1", data={"name": "Renamed", "unit": "mln", "plan": "1000", "actual": "950"},
    )  # fmt: skip
    assert not created and same.pk == i.pk
    assert same.execution_percent == D("95.00") and not same.lagging
    assert BudgetIndicator.objects.count() == 1


def test_save_indicator_checks(ow):
    with pytest.raises(ValidationError) as exc:
        services.save_indicator(
            Scope(ow.faction_secretary), maslikhat=ow.maslikhat, year=1999, sector="space",
            code="", data={"name": "", "unit": "u", "plan": "-5", "actual": "1.234"},
        )  # fmt: skip
    assert {"year", "sector", "code", "name", "plan", "actual"} <= set(exc.value.message_dict)


def test_threshold_is_the_branchs_and_recomputes_flags(ow):
    i = _save(ow, "E1", "1000", "850")  # 85%
    j = _save(ow, "E2", "1000", "960")  # 96%
    services.set_budget_threshold(Scope(ow.secretary), ow.maslikhat, "80")
    i.refresh_from_db()
    assert not i.lagging
    services.set_budget_threshold(Scope(ow.secretary), ow.maslikhat, Decimal("97.5"))
    i.refresh_from_db()
    j.refresh_from_db()
    assert i.lagging and j.lagging
    assert list(services.lagging_indicators(Scope(ow.faction_secretary))) == [i, j]
    with pytest.raises(ValidationError):
        services.set_budget_threshold(Scope(ow.secretary), ow.maslikhat, "0")
    with pytest.raises(ValidationError):
        services.set_budget_threshold(Scope(ow.secretary), ow.maslikhat, "101")
    with pytest.raises(PermissionDenied):
        services.set_budget_threshold(Scope(ow.other_secretary), ow.maslikhat, "50")


def test_responsible_and_notes(ow):
    i = _save(ow, "E1", "1000", "500")
    scope = Scope(ow.faction_secretary)
    services.set_responsible(scope, i, faction=ow.faction, deputy=ow.deputy)
    with pytest.raises(ValidationError):
        services.set_responsible(scope, i, deputy=ow.other_deputy)
    note = services.add_note(scope, i, date=dt.date(2024, 2, 1), text="Visited the school site")
    assert note.author == ow.faction_secretary and i.notes.get() == note
    overview = services.faction_overview(scope, ow.faction)
    assert list(overview.lagging_indicators) == [i]
    rows = statistics.by_responsible(scope)
    assert [(r.kind, r.indicators, r.lagging) for r in rows] == [
        ("deputy", 1, 1),
        ("faction", 1, 1),
    ]


def test_sector_year_table(ow, django_assert_num_queries):
    _save(ow, "E1", "1000.50", "900.25")
    _save(ow, "E2", "2000", "1999.75", corrected="2500")
    _save(ow, "E3", "300", None)  # not reported: left out of the execution %
    _save(ow, "E4", "40", "40", unit="schools")
    _save(ow, "H1", "500", "100", sector="healthcare", year=2022)
    scope = Scope(ow.faction_secretary)
    with django_assert_num_queries(1):
        table = statistics.sector_year_table(scope)
    assert table.years == [2022, 2023]
    cell = table.cell("education", 2023)
    assert (cell.indicators, cell.reported, cell.lagging) == (4, 3, 2)  # 89.98% and 79.99%
    money = cell.main
    assert money.unit == "mln" and money.indicators == 3
    assert money.plan == D("3300.50")
    assert money.base == D("3800.50")
    assert money.actual == D("2900.00")
    assert money.base_reported == D("3500.50")
    assert money.execution == D("82.85")  # 2900 / 3500.50 = 82.8453...%
    assert [t.unit for t in cell.totals] == ["mln", "schools"]
    assert table.cell("healthcare", 2022).main.execution == D("20.00")
    assert table.cell("roads", 2023).indicators == 0
    assert table.year_totals[2023].indicators == 4
    assert statistics.sector_year_table(Scope(ow.other_secretary)).cells == {}


def test_export_workbook(ow):
    _save(ow, "E1", "1000", "850")
    _save(ow, "E2", "1000", "990")
    wb = statistics.export_workbook(Scope(ow.secretary))
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    book = load_workbook(buffer)
    assert book.sheetnames == ["Sector x year", "Lagging", "Responsible", "Indicators"]
    lagging = list(book["Lagging"].values)
    assert len(lagging) == 2 and lagging[1][3] == "E1"
    indicators = list(book["Indicators"].values)
    assert indicators[0][:9] == (
        "year", "sector", "code", "name", "program", "unit", "plan", "corrected_plan", "actual",
    )  # fmt: skip
    assert len(indicators) == 3
    summary = list(book["Sector x year"].values)
    assert summary[1][0] == "Education" and summary[1][-1] == 92
