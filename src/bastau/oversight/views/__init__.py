"""The deputies' oversight pages (/oversight/...), by page group: `register` (maslikhats,
convocations, deputies, factions, figures), `reports` (reporting schedules, reports, questions)
and `budget` (the budget monitor, indicators, imports).

Every view says what it needs with `@requires("oversight.<rule>")` (the rules are in
`oversight/permissions.py`; the services check them again):
- `view_oversight` (regional administrator: every maslikhat; district secretary and faction
  secretary: the maslikhat of their branch) opens every page here;
- `manage_deputies` (administrator, district secretary): maslikhats, convocations, deputies,
  the budget threshold; `approve_report_schedules`: approving reporting schedules;
- `record_reports` / `edit_budget` / `manage_factions` (also the faction secretary): reports
  and their outcomes, questions, faction membership, indicators, notes and budget imports;
- turning a question into an appeal needs the reception's right for the branch
  (`permissions.make_appeals`);
- deputies' phone and email are shown only through `services.deputy_contacts`.
An object of a maslikhat outside the scope is a 404 (the scoped querysets of
`permissions.py`); a page the role may not use is a 403. Where a page opens for every overseer
but one of its actions is the register's (editing a maslikhat or a deputy), the object is
looked up first, so another branch's object stays a 404 before the role's 403. Lists
paginate in the database.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from .. import permissions
from ..models import Maslikhat, ScheduledReport

PAGE_SIZE = 50

#: The section navigation shown above every oversight page (its `section` is highlighted).
NAV = "oversight/_nav.html"

#: CSS badge classes of bastau.css for each report status.
REPORT_BADGES = {
    ScheduledReport.Status.SCHEDULED: "pending",
    ScheduledReport.Status.POSTPONED: "suspended",
    ScheduledReport.Status.HELD: "done",
    ScheduledReport.Status.MISSED: "rejected",
}


def maslikhat_filter(request) -> Maslikhat | None:
    """The `?maslikhat=` filter (a maslikhat outside the scope is a 404)."""
    value = request.GET.get("maslikhat", "")
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return get_object_or_404(permissions.maslikhats(request.scope), pk=value)


def report_rows(reports, today):
    return [
        {"report": r, "overdue": r.is_overdue(today), "badge": REPORT_BADGES.get(r.status, "")}
        for r in reports
    ]
