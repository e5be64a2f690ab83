"""The working-day calendar with the staff's overrides, and deadline upkeep.

`work_calendar()` is the one place that turns `CalendarOverride` rows into a
`bastau.lib.workdays.WorkCalendar`; every deadline of the reception is computed on it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from bastau.lib import workdays
from bastau.lib.workdays import Override, WorkCalendar

from ..models import Appeal, AppealEvent, CalendarOverride


def work_calendar() -> WorkCalendar:
    """The `holidays` package's Kazakhstan calendar plus every override (one query)."""
    rows = CalendarOverride.objects.values_list("date", "is_working_day", "note")
    return WorkCalendar(Override(day, working, note) for day, working, note in rows)


def recompute_after_calendar_change(day: dt.date, *, by=None) -> int:
    """Recompute the deadlines of open appeals that a change of `day` can move.

    A deadline counted from a registration before `day` and ending on or after it depends on
    whether `day` is a working day; later or earlier deadlines do not. Extended deadlines are
    dates the head chose and stay as they are. Returns the number of appeals changed.
    """
    cal = work_calendar()
    affected = Appeal.objects.filter(status__in=Appeal.OPEN, registered_on__lt=day).filter(
        Q(deadline__gte=day) | Q(forward_by__gte=day)
    )
    changed = 0
    with transaction.atomic():
        for appeal in affected.select_for_update():
            fresh = workdays.deadlines_for(cal, appeal.registered_on)
            if (fresh.consideration, fresh.forwarding) == (appeal.deadline, appeal.forward_by):
                continue
            old = {"deadline": str(appeal.deadline), "forward_by": str(appeal.forward_by)}
            appeal.deadline = fresh.consideration
            appeal.forward_by = fresh.forwarding
            if appeal.extended_deadline is None:
                appeal.due_on = fresh.consideration
            appeal.save(update_fields=["deadline", "forward_by", "due_on", "updated_at"])
            AppealEvent.objects.create(
                appeal=appeal,
                kind=AppealEvent.Kind.DEADLINE_RECOMPUTED,
                by=by if by is not None and by.is_authenticated else None,
                data={
                    "calendar_day": str(day),
                    "old": old,
                    "new": {"deadline": str(appeal.deadline), "forward_by": str(appeal.forward_by)},
                },
            )
            changed += 1
    return changed
