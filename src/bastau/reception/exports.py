"""Reception downloads: the dashboard's figures and the appeals list as XLSX.

Both are written with openpyxl's write-only workbook into a temporary file and streamed
back (core.spreadsheets.workbook_response), so an export never sits whole in memory. Neither
carries applicants' personal data: the list has numbers, dates, topics and outcomes; who
asked is on the appeal page, where reading it is logged.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from openpyxl import Workbook

from bastau.core.spreadsheets import sheet_title, spreadsheet_safe, workbook_response

ITERATOR_CHUNK = 2000


def _share(value) -> float:
    return float(value)


def dashboard_workbook_response(board, two_rows: list[dict], year_rows: list[dict]):
    s = board.summary
    wb = Workbook(write_only=True)
    figures = wb.create_sheet(sheet_title(_("Figures")))
    figures.append(
        [_("Public reception"), str(board.branch) if board.branch else _("All I may see")]
    )
    figures.append([_("Period from"), board.period.start])
    figures.append([_("Period to"), board.period.end])
    figures.append([])
    figures.append([_("Figure"), _("Value")])
    for label, value in [
        (_("Appeals registered"), s.registered),
        (_("Still open"), s.open),
        (_("Resolved positively"), s.positive),
        (_("Explained"), s.explained),
        (_("Refused"), s.refused),
        (_("Forwarded to the competent body"), s.forwarded),
        (_("Decided on the merits"), s.decided),
        (_("Resolved positively, percent of decided"), _share(s.positive_share)),
        (_("Missed the deadline"), s.late),
        (_("Overdue, percent of registered"), _share(s.overdue_share)),
        (_("Decided in the period"), s.decided_in_period),
        (
            _("Average days to resolve"),
            float(s.average_days) if s.average_days is not None else None,
        ),
        (_("90th percentile of days to resolve"), s.p90_days),
        (_("Receptions held"), s.reception_sessions),
        (_("Appeals received at receptions"), s.reception_visits),
    ]:
        figures.append([label, value])

    comparisons = wb.create_sheet(sheet_title(_("Comparisons")))
    for title, comparison, rows in (
        (_("Last two months against the two before"), board.two_months, two_rows),
        (_("This year against last year"), board.year, year_rows),
    ):
        c = comparison
        comparisons.append([title])
        comparisons.append(
            [
                _("Figure"),
                f"{c.previous.period.start:%d.%m.%Y}–{c.previous.period.end:%d.%m.%Y}",
                f"{c.current.period.start:%d.%m.%Y}–{c.current.period.end:%d.%m.%Y}",
                _("Change"),
            ]
        )
        for row in rows:
            comparisons.append([row["label"], row["before"], row["after"], row["change"]])
        comparisons.append([])

    for title, buckets in (
        (_("By topic"), s.by_topic),
        (_("By channel"), s.by_channel),
        (_("By type"), s.by_kind),
        (_("By district"), s.by_district),
        (_("By receiving branch"), s.by_branch),
    ):
        sheet = wb.create_sheet(sheet_title(title))
        sheet.append([title, _("Appeals")])
        for bucket in buckets:
            sheet.append([spreadsheet_safe(bucket.label), bucket.count])
    suffix = f"-{board.branch.code}" if board.branch else ""
    filename = (
        f"bastau-reception{suffix}-{board.period.start:%Y%m%d}-{board.period.end:%Y%m%d}.xlsx"
    )
    return workbook_response(wb, filename)


def appeals_workbook_response(qs, state_of, today: dt.date):
    """The list, one row per appeal; `qs` must select_related topic, receiving_branch,
    district, assignee and responsible_official. `state_of(appeal)` gives the deadline state."""
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(sheet_title(_("Appeals")))
    sheet.append(
        [
            _("Registration number"),
            _("Registered on"),
            _("Receiving branch"),
            _("Channel"),
            _("Type"),
            _("Topic"),
            _("District"),
            _("Status"),
            _("Assignee"),
            _("Responsible official"),
            _("Responsible state body"),
            _("Deadline (15 working days)"),
            _("Deadline in force"),
            _("Extended"),
            _("Deadline state"),
            _("Resolved on"),
            _("Forwarded to"),
            _("Forwarded on"),
        ]
    )
    for a in qs.iterator(chunk_size=ITERATOR_CHUNK):
        row = [
            a.number,
            a.registered_on,
            a.receiving_branch.display_name,
            str(a.get_channel_display()),
            str(a.get_kind_display()),
            a.topic.display_name,
            a.district.display_name if a.district_id else "",
            str(a.get_status_display()),
            str(a.assignee) if a.assignee_id else "",
            a.responsible_official.name if a.responsible_official_id else "",
            a.responsible_body,
            a.deadline,
            a.due_on,
            a.extended_deadline is not None,
            state_of(a).label,
            a.resolved_on,
            a.forwarded_to,
            a.forwarded_on,
        ]
        sheet.append([spreadsheet_safe(v) if isinstance(v, str) else v for v in row])
    return workbook_response(wb, f"bastau-appeals-{today:%Y-%m-%d}.xlsx")
