"""Budget import: the template, a good file, re-import, and bad files that change nothing."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation
from openpyxl import load_workbook

from bastau.accounts.scoping import Scope
from bastau.core.models import AuditEvent
from bastau.oversight import permissions
from bastau.oversight.models import BudgetImport, BudgetIndicator
from bastau.oversight.services import budget_import

from ..factories.members import csv_bytes, upload, xlsx_bytes

HEADER = budget_import.TEMPLATE
GOOD = [
    [2023, "education", "261-015", "New school places", "Schools", "places", 1200, 1150, 1100],
    [2023, "Денсаулық сақтау", "253-001", "Clinics built", "", "units", 5, None, 3],
    [2022, "roads", "451.2", "Roads repaired", "", "km", "1 234,50", "", "1234.5"],
]


def _import(ow, content, name="budget.xlsx", user=None):
    return budget_import.import_budget(
        Scope(user or ow.faction_secretary), maslikhat=ow.maslikhat, upload=upload(name, content)
    )


def _snapshot():
    return sorted(
        BudgetIndicator.objects.values_list(
            "maslikhat", "year", "sector", "code", "name", "plan", "corrected_plan", "actual"
        )
    )


def _errors(job):
    return [(e.row, e.column, e.code) for e in job.errors.all()]


def test_template_has_header_and_instructions(ow):
    buffer = io.BytesIO()
    budget_import.write_template(buffer)
    buffer.seek(0)
    book = load_workbook(buffer)
    first, notes = book.worksheets
    assert [c.value for c in first[1]] == HEADER
    assert first.max_row == 1  # nothing to import by accident
    text = " ".join(str(v) for row in notes.values for v in row if v)
    assert "education" in text and "corrected_plan" in text
    # The empty template is a valid header: importing it says "no data rows".
    buffer.seek(0)
    job = _import(ow, buffer.getvalue())
    assert _errors(job) == [(None, "", "no_rows")]


def test_good_file_creates_indicators_and_flags(ow):
    job = _import(ow, xlsx_bytes(HEADER, GOOD))
    assert job.succeeded, [e.text for e in job.errors.all()]
    assert (job.created_count, job.updated_count, job.total_rows) == (3, 0, 3)
    school = BudgetIndicator.objects.get(code="261-015")
    assert school.sector == "education" and school.plan == Decimal("1200.00")
    assert school.corrected_plan == Decimal("1150.00")
    assert school.execution_percent == Decimal("95.65") and not school.lagging
    clinics = BudgetIndicator.objects.get(code="253-001")
    assert clinics.sector == "healthcare" and clinics.lagging  # 60%
    road = BudgetIndicator.objects.get(code="451.2")
    assert road.plan == Decimal("1234.50") and road.corrected_plan is None
    assert road.execution_percent == Decimal("100.00")
    assert AuditEvent.objects.filter(action="budget.imported").count() == 1


def test_csv_works_too(ow):
    job = _import(ow, csv_bytes(HEADER, GOOD[:1], delimiter=";"), name="budget.csv")
    assert job.succeeded and BudgetIndicator.objects.count() == 1


def test_reimport_updates_by_natural_key(ow):
    _import(ow, xlsx_bytes(HEADER, GOOD))
    changed = [list(GOOD[0]), list(GOOD[1])]
    changed[0][8] = 900  # actual lowered: now 78% of the corrected plan
    changed[1][8] = None  # actual cleared
    job = _import(ow, xlsx_bytes(HEADER, changed))
    assert (job.created_count, job.updated_count) == (0, 2)
    assert BudgetIndicator.objects.count() == 3
    school = BudgetIndicator.objects.get(code="261-015")
    assert school.actual == Decimal("900.00") and school.lagging
    clinics = BudgetIndicator.objects.get(code="253-001")
    assert clinics.actual is None and not clinics.lagging
    # The same code in another year or sector is another indicator.
    job = _import(ow, xlsx_bytes(HEADER, [[2024, *GOOD[0][1:]]]))
    assert job.created_count == 1 and BudgetIndicator.objects.count() == 4


def test_uses_the_aliases_of_the_russian_template(ow):
    header = ["Год", "Отрасль", "Код", "Наименование", "Бюджетная программа",
              "Единица измерения", "План", "Уточненный план", "Факт"]  # fmt: skip
    job = _import(ow, xlsx_bytes(header, [[2021, "Образование", "1", "x", "", "u", 1, "", 1]]))
    assert job.succeeded


@pytest.fixture
def existing(ow):
    """An indicator already stored, which a failed import must leave as it is."""
    _import(ow, xlsx_bytes(HEADER, GOOD[:1]))
    return _snapshot()


def _bad(ow, existing, content, name="budget.xlsx"):
    job = _import(ow, content, name=name)
    assert job.status == BudgetImport.Status.FAILED
    assert job.created_count == 0 and job.updated_count == 0
    assert _snapshot() == existing  # the database is unchanged
    assert job.error_count == job.errors.count() > 0
    return job


def test_wrong_types(ow, existing):
    rows = [
        [2023, "education", "261-015", "x", "", "u", 100, None, 99],  # a valid update
        ["twenty", "education", "E2", "x", "", "u", "abc", None, None],
        [2023, "education", "E3", "x", "", "u", True, None, "12.345"],
        [1999, "education", "E4", "x", "", "u", 1, None, None],
        [2023, "education", "bad code!", "x", "", "u", 1, None, None],
    ]
    job = _bad(ow, existing, xlsx_bytes(HEADER, rows))
    assert _errors(job) == [
        (3, "year", "year"),
        (3, "plan", "number"),
        (4, "plan", "number"),
        (4, "actual", "decimal_places"),
        (5, "year", "year"),
        (6, "code", "budget_code"),
    ]


def test_missing_and_unknown_columns(ow, existing):
    header = [c for c in HEADER if c not in ("plan", "unit")] + ["colour"]
    rows = [[2023, "education", "E9", "x", "", None, None, "red"]]
    job = _bad(ow, existing, xlsx_bytes(header, rows))
    assert sorted(_errors(job)) == sorted(
        [(1, "colour", "unknown_column"), (1, "unit", "missing_column"),
         (1, "plan", "missing_column")]
    )  # fmt: skip


def test_broken_xlsx(ow, existing):
    job = _bad(ow, existing, b"PK\x03\x04 this is not really a workbook")
    assert _errors(job) == [(None, "", "bad_xlsx")]
    job = _bad(ow, existing, xlsx_bytes(HEADER, GOOD)[:500])  # a cut-off file
    assert _errors(job) == [(None, "", "bad_xlsx")]


def test_wrong_extension_and_empty_file(ow, existing):
    assert _errors(_bad(ow, existing, b"x", name="budget.pdf")) == [(None, "", "extension")]
    assert _errors(_bad(ow, existing, b"", name="budget.csv")) == [(None, "", "empty_file")]


def test_negative_plan(ow, existing):
    rows = [[2023, "education", "E2", "x", "", "u", -5, -1, None]]
    job = _bad(ow, existing, xlsx_bytes(HEADER, rows))
    assert _errors(job) == [(2, "plan", "negative"), (2, "corrected_plan", "negative")]


def test_unknown_sector_and_missing_values(ow, existing):
    rows = [
        [2023, "space", "E2", "x", "", "u", 1, None, None],
        [2023, "education", None, "", "", "u", None, None, None],
    ]
    job = _bad(ow, existing, xlsx_bytes(HEADER, rows))
    assert _errors(job) == [
        (2, "sector", "choice"),
        (3, "code", "required"),
        (3, "name", "required"),
        (3, "plan", "required"),
    ]


def test_duplicate_rows(ow, existing):
    rows = [GOOD[1], GOOD[2], ["2023", "healthcare", "253-001", "again", "", "u", 1, None, None]]
    job = _bad(ow, existing, xlsx_bytes(HEADER, rows))
    (error,) = job.errors.all()
    assert (error.row, error.column, error.code, error.params) == (
        4, "code", "duplicate_in_file", {"row": 2},
    )  # fmt: skip
    assert error.text == "Row 4, column code: The same value is already in row 2."


def test_messages_in_the_readers_language(ow, existing):
    header = [c for c in HEADER if c != "plan"]
    job = _bad(ow, existing, xlsx_bytes(header, [[2023, "education", "E", "x", "", "u"]]))
    error = job.errors.get()
    assert error.text == "Row 1, column plan: This required column is missing."
    with translation.override("ru"):
        assert error.text == "Строка 1, столбец plan: Отсутствует этот обязательный столбец."


def test_permissions(ow):
    content = xlsx_bytes(HEADER, GOOD)
    with pytest.raises(PermissionDenied):
        _import(ow, content, user=ow.member_user)
    with pytest.raises(PermissionDenied):
        _import(ow, content, user=ow.other_faction_secretary)
    assert BudgetImport.objects.count() == 0
    job = _import(ow, content, user=ow.secretary)
    assert job.succeeded
    assert list(permissions.budget_imports(Scope(ow.faction_secretary))) == [job]
    assert list(permissions.budget_imports(Scope(ow.other_faction_secretary))) == []


def test_hostile_workbooks_change_nothing(ow, existing):
    """The budget import reads sheets through the same guarded reader as the member import
    (tests/core/test_xlsx_limits.py plants each kind)."""
    from ..core.test_xlsx_limits import million_columns, xml_bomb, zip_bomb

    assert _errors(_bad(ow, existing, zip_bomb())) == [(None, "", "xlsx_ratio")]
    assert _errors(_bad(ow, existing, xml_bomb())) == [(None, "", "xlsx_dtd")]
    job = _bad(ow, existing, million_columns())
    assert _errors(job) == [(None, "", "too_many_columns")]
    with translation.override("kk"):
        assert job.errors.get().text == (
            "Парақта 256-бағаннан әрі ұяшықтар бар; артық бағандарды жойыңыз немесе файлды бөліңіз."
        )
