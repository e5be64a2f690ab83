"""Downloads: membership statistics as XLSX. Files are written to a temporary file, never
held whole in memory, and streamed back."""

from __future__ import annotations

import tempfile

from django.http import FileResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_response(workbook: Workbook, filename: str) -> FileResponse:
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)


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
