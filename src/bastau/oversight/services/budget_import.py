"""Import budget indicators of one maslikhat from XLSX (or CSV), all-or-nothing.

Reuses the members import's machinery: its upload inspection (`inspect_upload`: extension,
size, a readable workbook), its streaming readers (`open_rows`), its header and cell rules
(`import_rules.read_header`, `parse_cells`, `parse_text`, `parse_choice`) and its problem
codes and messages. What is new here: the budget columns, number/year/code cells, the
natural key and the write (create or update).

1. Every row is parsed and checked; duplicates of the natural key (year, sector, code) inside
   the file are problems. The maslikhat is chosen by the uploader, not named in the file.
2. Only when no row has a problem, the rows are written in one transaction: a row whose key
   already exists for the maslikhat updates that indicator (name, programme, unit, plan,
   corrected plan, actual: a blank corrected plan or actual clears it), the others are
   created. Execution % and the lagging flag are computed as they are written.

The outcome is a `BudgetImport` with its `BudgetImportError` rows (spreadsheet row, column as
the file names it, value, problem code), worded in the reader's language when shown; a page
can offer them as a file with `members.exports.import_errors_response(job, job.errors.all(),
"xlsx")`. Budget files are small (at most MAX_ROWS rows), so they are read into memory and
imported inline, never in the background.
"""

from __future__ import annotations

import logging
import os
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from bastau.accounts.scoping import Scope
from bastau.core import audit
from bastau.core.spreadsheets import ImportFileError, inspect_upload, open_rows, sheet_title
from bastau.members import import_rules as rules
from bastau.members.imports import problem_message as members_problem_message

from .. import permissions
from ..models import BudgetImport, BudgetImportError, BudgetIndicator, BudgetSector, Maslikhat

logger = logging.getLogger(__name__)

#: A budget file has at most this many data rows.
MAX_ROWS = 20_000
#: At most this many problems are stored per import; the count goes on beyond it.
MAX_STORED_ERRORS = 2_000
MAX_AMOUNT = Decimal(10) ** 16
YEAR_RANGE = (2000, 2100)

PROBLEM_MESSAGES = {
    "number": gettext_lazy("Not a number; write digits with a decimal point or comma."),
    "negative": gettext_lazy("The amount cannot be negative."),
    "decimal_places": gettext_lazy("At most two decimal places."),
    "too_large": gettext_lazy("The amount is too large."),
    "year": gettext_lazy("Not a year between %(low)s and %(high)s."),
    "budget_code": gettext_lazy("A code has only Latin letters, digits, and the signs - . / _"),
}


def problem_message(code: str, params: dict | None = None) -> str:
    """A problem code put into words in the active language (shared codes come from the
    members import)."""
    template = PROBLEM_MESSAGES.get(code)
    if template is None:
        return members_problem_message(code, params)
    return str(template) % (params or {})


def problem_text(row: int | None, column: str, code: str, params: dict | None = None) -> str:
    """ "Row 4, column plan: The amount cannot be negative." in the active language."""
    message = problem_message(code, params)
    if row is None:
        return message
    if column:
        return _("Row %(row)s, column %(column)s: %(message)s") % {
            "row": row,
            "column": column,
            "message": message,
        }
    return _("Row %(row)s: %(message)s") % {"row": row, "message": message}


# Cells ----------------------------------------------------------------------------------------
def parse_amount(value: Any) -> Decimal:
    """A non-negative amount with at most two decimals: a number cell, or text such as
    "1 234 567,89" or "1234567.89"."""
    if isinstance(value, bool):
        raise rules.CellError("number")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # the shortest text that reads back as this float
    else:
        text = rules.cell_text(value).replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise rules.CellError("number") from exc
    if not number.is_finite():
        raise rules.CellError("number")
    if number < 0:
        raise rules.CellError("negative")
    if number != number.quantize(Decimal("0.01")):
        raise rules.CellError("decimal_places")
    if number >= MAX_AMOUNT:
        raise rules.CellError("too_large")
    return number.quantize(Decimal("0.01"))


def parse_year(value: Any) -> int:
    text = rules.cell_text(value)
    if isinstance(value, bool) or not text.isdigit():
        raise rules.CellError("year", low=YEAR_RANGE[0], high=YEAR_RANGE[1])
    year = int(text)
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise rules.CellError("year", low=YEAR_RANGE[0], high=YEAR_RANGE[1])
    return year


_CODE_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-./_")


def parse_budget_code(value: Any) -> str:
    """A budget classification code such as "123-015", "01.1" or "261/015"."""
    text = rules.cell_text(value)
    if len(text) > 40:
        raise rules.CellError("too_long", max=40)
    if not text or not set(text) <= _CODE_CHARS:
        raise rules.CellError("budget_code")
    return text


SECTOR_WORDS = {
    "education": ["білім", "білім беру", "образование"],
    "healthcare": ["health", "денсаулық", "денсаулық сақтау", "здравоохранение"],
    "social": ["social protection", "әлеуметтік көмек", "әлеуметтік қорғау",
               "социальная защита", "социальная помощь"],
    "housing": ["housing", "utilities", "тұрғын үй", "тұрғын үй коммуналдық шаруашылық",
                "жкх", "жилищно коммунальное хозяйство"],
    "roads": ["roads", "transport", "жолдар", "көлік", "жолдар және көлік",
              "дороги", "транспорт", "дороги и транспорт"],
    "agriculture": ["ауыл шаруашылығы", "сельское хозяйство"],
    "culture": ["culture", "sport", "мәдениет", "спорт", "мәдениет және спорт",
                "культура", "культура и спорт"],
    "other": ["басқа", "басқалар", "другое", "прочее", "прочие"],
}  # fmt: skip

#: The template's columns, in order (the header row uses these keys).
TEMPLATE = ["year", "sector", "code", "name", "program", "unit", "plan", "corrected_plan", "actual"]
#: Columns of the export that describe rather than define: the import reads past them.
IGNORED = ("maslikhat", "execution_percent", "lagging", "responsible_faction",
           "responsible_deputy")  # fmt: skip


def sector_aliases() -> dict[str, str]:
    """Stored values, the words above and the labels in every language."""
    merged: dict[str, list[str]] = {v: list(SECTOR_WORDS.get(v, ())) for v in BudgetSector.values}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in BudgetSector.choices:
                merged[value].append(str(label))
    return rules.alias_map(merged)


def columns() -> list[rules.Column]:
    sectors = rules.parse_choice(sector_aliases(), BudgetSector.values)
    return [
        rules.Column("year", parse_year, True, ("жыл", "год")),
        rules.Column("sector", sectors, True, ("сала", "отрасль", "сфера")),
        rules.Column("code", parse_budget_code, True, ("код", "коды", "indicator code")),
        rules.Column("name", rules.parse_text(300), True,
                     ("indicator", "атауы", "көрсеткіш", "наименование", "показатель")),
        rules.Column("program", rules.parse_text(300), False,
                     ("programme", "budget programme", "бюджеттік бағдарлама",
                      "бюджетная программа")),
        rules.Column("unit", rules.parse_text(40), True,
                     ("өлшем бірлігі", "единица измерения", "ед изм")),
        rules.Column("plan", parse_amount, True, ("жоспар", "план")),
        rules.Column("corrected_plan", parse_amount, False,
                     ("corrected plan", "нақтыланған жоспар", "түзетілген жоспар",
                      "уточненный план", "скорректированный план"), default=None),
        rules.Column("actual", parse_amount, False,
                     ("нақты", "орындалуы", "факт", "исполнение", "фактически"), default=None),
    ]  # fmt: skip


# The import -----------------------------------------------------------------------------------
class _Errors:
    def __init__(self):
        self.count = 0
        self.items: list[tuple[int | None, str, rules.Problem]] = []

    def add(self, row: int | None, column: str, problem: rules.Problem) -> None:
        self.count += 1
        if self.count <= MAX_STORED_ERRORS:
            self.items.append((row, column, problem))

    def file(self, code: str, params: dict | None = None) -> None:
        self.add(None, "", rules.Problem("", "", code, params or {}))


def _read(upload, errors: _Errors) -> list[tuple[int, dict]]:
    """Parse and check every row; returns (row number, values) of the rows."""
    inspection = inspect_upload(upload)
    if inspection.rows > MAX_ROWS:
        raise ImportFileError("too_many_rows", max=MAX_ROWS)
    spec = columns()
    parsed: list[tuple[int, dict]] = []
    first_row: dict[tuple, int] = {}
    with open_rows(upload, inspection.format) as rows:
        header = None
        for number, cells in rows:
            if rules.row_is_blank(cells):
                continue
            if header is None:
                header = rules.read_header(cells, spec, IGNORED)
                if header.problems:
                    for problem in header.problems:
                        errors.add(number, problem.column, problem)
                    return []
                continue
            if len(parsed) >= MAX_ROWS:
                raise ImportFileError("too_many_rows", max=MAX_ROWS)
            values, problems = rules.parse_cells(cells, header, spec)
            key = (values.get("year"), values.get("sector"), values.get("code"))
            if None not in key and "" not in key:
                first = first_row.setdefault(key, number)
                if first != number:
                    problems.append(
                        rules.Problem("code", key[2], "duplicate_in_file", {"row": first})
                    )
            for problem in problems:
                errors.add(number, header.names.get(problem.column, problem.column), problem)
            parsed.append((number, values))
        if header is None:
            raise ImportFileError("no_header")
    if not parsed and not errors.count:
        raise ImportFileError("no_rows")
    return parsed


def _write(maslikhat: Maslikhat, parsed: list[tuple[int, dict]], user) -> tuple[int, int]:
    """Create or update every row (one transaction, the caller's); returns (created, updated)."""
    threshold = maslikhat.budget_threshold
    years = {values["year"] for _row, values in parsed}
    existing = {
        (i.year, i.sector, i.code): i
        for i in BudgetIndicator.objects.select_for_update().filter(
            maslikhat=maslikhat, year__in=years
        )
    }
    fields = ["name", "program", "unit", "plan", "corrected_plan", "actual"]
    new, changed = [], []
    now = timezone.now()
    for _row, values in parsed:
        key = (values["year"], values["sector"], values["code"])
        indicator = existing.get(key)
        if indicator is None:
            indicator = BudgetIndicator(
                maslikhat=maslikhat,
                year=values["year"],
                sector=values["sector"],
                code=values["code"],
                updated_by=user,
            )
            new.append(indicator)
        else:
            changed.append(indicator)
        for name in fields:
            setattr(indicator, name, values[name])
        indicator.updated_by = user
        indicator.updated_at = now
        indicator.refresh_execution(threshold)
    BudgetIndicator.objects.bulk_create(new, batch_size=500)
    BudgetIndicator.objects.bulk_update(
        changed,
        [*fields, "execution_percent", "lagging", "updated_by", "updated_at"],
        batch_size=500,
    )
    return len(new), len(changed)


def import_budget(scope: Scope, *, maslikhat: Maslikhat, upload, request=None) -> BudgetImport:
    """Check `upload` (a Django UploadedFile, .xlsx or .csv) and, when every row is right,
    write it for `maslikhat`. Returns the stored `BudgetImport`; when it failed, nothing but
    the import and its problems was written."""
    scope.require(permissions.edit_budget(scope))
    permissions.require_maslikhat(scope, maslikhat)
    maslikhat = Maslikhat.objects.get(pk=maslikhat.pk)  # the threshold as it is now
    errors = _Errors()
    created = updated = 0
    parsed: list[tuple[int, dict]] = []
    job = BudgetImport(
        maslikhat=maslikhat,
        original_name=os.path.basename(getattr(upload, "name", "") or "")[:255],
        created_by=scope.user,
        status=BudgetImport.Status.FAILED,
    )
    try:
        parsed = _read(upload, errors)
        if not errors.count:
            with transaction.atomic():
                created, updated = _write(maslikhat, parsed, scope.user)
                job.status = BudgetImport.Status.SUCCEEDED
                job.total_rows = len(parsed)
                job.created_count, job.updated_count = created, updated
                job.save()
                audit.record(
                    scope.user,
                    "budget.imported",
                    job,
                    branch=maslikhat.branch,
                    request=request,
                    summary=job.original_name,
                    data={"created": created, "updated": updated},
                )
                return job
    except ImportFileError as exc:
        errors.file(exc.code, exc.params)
    except IntegrityError:
        logger.warning("budget import conflicted with a concurrent change", exc_info=True)
        errors.file("conflict")
    job.status = BudgetImport.Status.FAILED
    job.total_rows = len(parsed)
    job.error_count = errors.count
    job.created_count = job.updated_count = 0
    with transaction.atomic():
        job.save()
        BudgetImportError.objects.bulk_create(
            [
                BudgetImportError(
                    job=job,
                    row=row,
                    column=column[:100],
                    value=str(problem.value)[:200],
                    code=problem.code,
                    params=dict(problem.params),
                )
                for row, column, problem in errors.items
            ]
        )
    return job


# The template ---------------------------------------------------------------------------------
def _column_notes() -> list[tuple[str, bool, str]]:
    return [
        ("year", True, _("Budget year, e.g. 2023.")),
        ("sector", True, _("One of the sector values below (the code or its name).")),
        ("code", True, _("The indicator's code; with the year and sector it identifies the "
                         "indicator: a file with the same year, sector and code updates it.")),
        ("name", True, _("What is measured.")),
        ("program", False, _("The budget programme.")),
        ("unit", True, _("Unit of measure, e.g. thousand tenge, km, units.")),
        ("plan", True, _("The approved plan, a number of at least 0 with at most two "
                         "decimals.")),
        ("corrected_plan", False, _("The corrected plan, if the plan was corrected; execution "
                                    "is measured against it.")),
        ("actual", False, _("The amount executed; leave empty until it is known.")),
    ]  # fmt: skip


def template_workbook() -> Workbook:
    """The import template in the active language: a data sheet whose first row is the
    header the import reads, and an instructions sheet (columns, sector values, rules)."""
    wb = Workbook()
    data = wb.active
    data.title = sheet_title(_("Indicators"))
    data.append(TEMPLATE)
    for cell in data[1]:
        cell.font = Font(bold=True)
    data.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHI", (8, 14, 14, 40, 30, 16, 16, 16, 16), strict=True):
        data.column_dimensions[letter].width = width

    notes = wb.create_sheet(sheet_title(_("Instructions")))
    notes.append([_("How to fill in the budget indicators file")])
    notes["A1"].font = Font(bold=True)
    for line in (
        _("Fill in the first sheet, one indicator per row, under the header row; do not "
          "rename or delete the header row."),
        _("The whole file is checked first: if any row has a problem, nothing is imported "
          "and every problem is listed with its row and column."),
        _("A row whose year, sector and code match an indicator already imported for this "
          "maslikhat updates that indicator."),
        _("Execution is actual / corrected plan (or plan) x 100; indicators below the "
          "branch's threshold are flagged as lagging."),
    ):  # fmt: skip
        notes.append([line])
    notes.append([])
    notes.append([_("Column"), _("Required"), _("Meaning")])
    for key, required, text in _column_notes():
        notes.append([key, _("yes") if required else _("no"), text])
    notes.append([])
    notes.append([pgettext("budget", "Sector"), _("Meaning")])
    for value, label in BudgetSector.choices:
        notes.append([value, str(label)])
    notes.append([])
    notes.append([_("Example")])
    notes.append(TEMPLATE)
    notes.append([2023, "education", "261-015", _("New school places"), "", _("places"),
                  1200, 1150, 1100])  # fmt: skip
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["C"].width = 90
    return wb


def write_template(handle) -> None:
    """Write the XLSX template to a binary file object (a page streams it back)."""
    template_workbook().save(handle)
