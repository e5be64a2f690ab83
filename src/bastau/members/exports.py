"""Downloads: membership statistics, member and POO lists, import templates and error
reports, written with the shared spreadsheet writers (core.spreadsheets)."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import FileResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from bastau.core.spreadsheets import (
    ITERATOR_CHUNK,
    cells,
    csv_response,
    sheet_title,
    spreadsheet_safe,
    workbook_response,
    xlsx_response,
)
from bastau.lib.iin import mask


def overview_workbook_response(o, place) -> FileResponse:
    wb = Workbook(write_only=True)
    summary = wb.create_sheet(_("Summary"))
    summary.append([_("Scope"), str(place) if place else _("All I may see")])
    summary.append([_("As of"), o.reference])
    summary.append([_("Members"), o.total])
    summary.append([_("Women"), o.women, float(o.women_share)])
    summary.append(
        [_("Youth (younger than %(age)s)") % {"age": o.youth_age}, o.youth, float(o.youth_share)]
    )
    summary.append([_("Members on %(date)s") % {"date": o.growth_from}, o.growth.before])
    summary.append([_("Change"), o.growth.change])

    sectors = wb.create_sheet(_("Sectors"))
    sectors.append([_("Sector"), _("Members")])
    for _value, label, count in o.sectors:
        sectors.append([str(label), count])

    pyramid = wb.create_sheet(_("Age pyramid"))
    pyramid.append([_("Age"), _("Men"), _("Women")])
    for label, men, women in o.pyramid:
        pyramid.append([label, men, women])

    months = wb.create_sheet(_("By month"))
    months.append([_("Month"), _("Admissions"), _("Exits")])
    for row in o.months:
        months.append([row["month"].strftime("%Y-%m"), row["admissions"], row["exits"]])
    return workbook_response(wb, f"bastau-statistics-{o.reference:%Y-%m-%d}.xlsx")


# Lists -------------------------------------------------------------------------------------
#: Member export columns: the first ones are exactly the import columns, so an export of
#: someone who may see personal data can be loaded into another installation.
MEMBER_EXPORT_COLUMNS = [
    "iin", "last_name", "first_name", "patronymic", "phone", "email", "address", "poo_code",
    "sector", "joined_on", "status", "birth_date", "sex", "has_disability", "left_on",
    "poo_name", "branch_name", "is_veteran",
]  # fmt: skip
POO_EXPORT_COLUMNS = [
    "code", "name", "branch_code", "workplace_kind", "address", "founded_on",
    "status", "closed_on", "branch_name", "leader",
]  # fmt: skip


def member_rows(qs, *, masked: bool, for_csv: bool) -> Iterator[list]:
    """One list per member; `qs` must select_related("poo", "poo__branch")."""
    for m in qs.iterator(chunk_size=ITERATOR_CHUNK):
        row = [
            mask(m.iin) if masked else m.iin,
            m.last_name,
            m.first_name,
            m.patronymic,
            mask(m.phone) if masked else m.phone,
            "" if masked else m.email,
            "" if masked else m.address,
            m.poo.code,
            m.sector,
            m.joined_on,
            m.status,
            m.birth_date,
            m.sex,
            m.has_disability,
            m.left_on,
            m.poo.name,
            m.poo.branch.display_name,
            m.is_veteran,
        ]
        yield cells(row, for_csv)


def poo_rows(qs, *, for_csv: bool) -> Iterator[list]:
    """One list per POO; `qs` must select_related("branch", "leader")."""
    for p in qs.iterator(chunk_size=ITERATOR_CHUNK):
        row = [
            p.code,
            p.name,
            p.branch.code,
            p.workplace_kind,
            p.address,
            p.founded_on,
            p.status,
            p.closed_on,
            p.branch.display_name,
            p.leader.full_name if p.leader_id else "",
        ]
        yield cells(row, for_csv)


def list_response(kind: str, qs, fmt: str, *, masked: bool, filename_stem: str):
    """The member or POO list as CSV (streamed) or XLSX (a temporary file)."""
    for_csv = fmt == "csv"
    if kind == "members":
        header, rows = MEMBER_EXPORT_COLUMNS, member_rows(qs, masked=masked, for_csv=for_csv)
        title = _("Members")
    else:
        header, rows = POO_EXPORT_COLUMNS, poo_rows(qs, for_csv=for_csv)
        title = _("Primary organizations")
    if for_csv:
        return csv_response(header, rows, f"{filename_stem}.csv")
    return xlsx_response(title, header, rows, f"{filename_stem}.xlsx")


# Import templates and error reports -------------------------------------------------------
def import_template_response(kind: str, columns: list[str], choices: dict, fmt: str):
    """An empty file with the header row; the XLSX one lists the allowed values too."""
    filename = f"bastau-import-{kind}"
    if fmt == "csv":
        return csv_response(columns, [], f"{filename}.csv")
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(sheet_title(_("Import")))
    sheet.append(columns)
    values = wb.create_sheet(sheet_title(_("Allowed values")))
    values.append([_("Column"), _("Value"), _("Meaning")])
    for column, pairs in choices.items():
        for value, label in pairs:
            values.append([column, value, str(label)])
    return workbook_response(wb, f"{filename}.xlsx")


def import_errors_response(job, errors_qs, fmt: str):
    header = [_("Row"), _("Column"), _("Value"), _("Message")]

    def rows():
        for error in errors_qs.iterator(chunk_size=ITERATOR_CHUNK):
            yield [
                error.row if error.row is not None else "",
                spreadsheet_safe(error.column),
                spreadsheet_safe(error.value),
                error.message,
            ]

    filename = f"bastau-import-{job.pk}-errors"
    if fmt == "csv":
        return csv_response(header, rows(), f"{filename}.csv")
    return xlsx_response(_("Errors"), header, rows(), f"{filename}.xlsx")


# The review of members ------------------------------------------------------------------
def review_workbook_response(rep) -> FileResponse:
    """The report of a review: figures before and after, answers, the members it changed."""
    rev = rep.review
    wb = Workbook(write_only=True)
    figures = wb.create_sheet(sheet_title(_("Figures")))
    figures.append([spreadsheet_safe(rev.title)])
    figures.append([_("Opened on"), rev.opened_on, _("Deadline"), rev.deadline])
    figures.append([_("Closed on"), rev.closed_on or _("Running")])
    figures.append([])
    figures.append([_("Status"), _("Before"), _("After")])
    for (label, before), (_label, after) in zip(rep.before, rep.after, strict=True):
        figures.append([str(label), before, after])
    figures.append([])
    figures.append([_("Answer"), _("Members")])
    for label, count in rep.answers:
        figures.append([str(label), count])
    figures.append([_("Not answered"), rep.unanswered])

    changed = wb.create_sheet(sheet_title(_("Changed members")))
    changed.append(
        [_("Name"), _("Primary organization"), _("Answer"), _("Moved to"), _("Reason"), _("Date")]
    )
    for item in rep.changed.iterator(chunk_size=ITERATOR_CHUNK):
        changed.append(
            [
                spreadsheet_safe(item.member.full_name),
                spreadsheet_safe(item.poo.name),
                str(item.get_answer_display()),
                spreadsheet_safe(item.to_poo.name) if item.to_poo else "",
                spreadsheet_safe(item.reason),
                item.answered_on,
            ]
        )
    return workbook_response(wb, f"bastau-review-{rev.pk}-{rev.opened_on:%Y-%m-%d}.xlsx")
