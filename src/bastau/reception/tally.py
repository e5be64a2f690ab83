"""The kept reception figures (bastau.lib.tally.appeal_keys): maintained in the transaction of
every change of an appeal, rebuilt from the appeals by `bastau rebuild_aggregates`.

Every save or delete of an Appeal (register, assign, extend, forward, resolve, the calendar's
new deadlines) passes through the signal handlers below inside the caller's transaction. Bulk
writes (the demo and the national data generator) call `rebuild` after.
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from bastau.core import counts
from bastau.lib import tally

from .models import (
    NO_DAY,
    Appeal,
    AppealChannelCount,
    AppealDecidedCount,
    AppealOutcomeCount,
    AppealPlaceDayCount,
    AppealPlaceMonthCount,
    AppealPlaceYearCount,
    AppealTopicCount,
)

FIELDS = (
    "registered_on",
    "receiving_branch_id",
    "district_id",
    "topic_id",
    "channel",
    "kind",
    "status",
    "due_on",
    "forward_by",
    "forwarded_on",
    "resolved_on",
)

#: table -> (model, key columns)
TABLES = {
    "outcome": (AppealOutcomeCount, ("day", "status", "late", "due_on")),
    "topic": (AppealTopicCount, ("day", "topic_id")),
    "channel_kind": (AppealChannelCount, ("day", "channel", "kind")),
    "place_day": (AppealPlaceDayCount, ("day", "branch_id", "district_id")),
    "place_month": (AppealPlaceMonthCount, ("month", "branch_id", "district_id")),
    "place_year": (AppealPlaceYearCount, ("year", "branch_id", "district_id")),
    "decided": (AppealDecidedCount, ("day", "took")),
}


def _date(value):
    return Appeal._meta.get_field("registered_on").to_python(value) if value else None


def _state(values: dict) -> tally.AppealState:
    return tally.AppealState(
        registered_on=_date(values["registered_on"]),
        receiving_branch_id=values["receiving_branch_id"],
        district_id=values["district_id"],
        topic_id=values["topic_id"],
        channel=values["channel"],
        kind=values["kind"],
        status=values["status"],
        due_on=_date(values["due_on"]),
        forward_by=_date(values["forward_by"]),
        forwarded_on=_date(values["forwarded_on"]),
        resolved_on=_date(values["resolved_on"]),
    )


def _stored(table: str, key: tuple) -> tuple:
    """A key as stored: no NULL (see reception.models, "Kept figures")."""
    if table == "outcome":
        day, status, late, due_on = key
        return (day, status, -1 if late is None else int(late), due_on or NO_DAY)
    if table.startswith("place_"):
        return (key[0], key[1], key[2] or 0)
    return key


def apply(change: dict[str, Counter]) -> None:
    for table, counter in change.items():
        model, keys = TABLES[table]
        rows = [(*_stored(table, key), n) for key, n in counter.items()]
        counts.add(model, keys, ("n",), sorted(rows, key=str))


# Signal handlers (connected in apps.py) ------------------------------------------------------
def _before_save(sender, instance: Appeal, raw=False, **kwargs):
    instance._tally_before = None
    if raw or instance.pk is None:
        return
    row = Appeal.objects.filter(pk=instance.pk).values(*FIELDS).first()
    instance._tally_before = row


def _after_save(sender, instance: Appeal, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    before = getattr(instance, "_tally_before", None)
    instance._tally_before = None
    if before is not None and update_fields is not None:
        # only the saved fields changed (the others may not even be loaded)
        names = {f.removesuffix("_id") for f in update_fields}
        after = {
            f: getattr(instance, f) if f.removesuffix("_id") in names else before[f] for f in FIELDS
        }
    else:
        after = {f: getattr(instance, f) for f in FIELDS}
    apply(tally.appeal_change(_state(before) if before else None, _state(after)))


def _after_delete(sender, instance: Appeal, **kwargs):
    state = _state({f: getattr(instance, f) for f in FIELDS})
    apply(tally.appeal_change(state, None))


def connect() -> None:
    pre_save.connect(_before_save, sender=Appeal, dispatch_uid="reception.tally.pre_save")
    post_save.connect(_after_save, sender=Appeal, dispatch_uid="reception.tally.post_save")
    post_delete.connect(_after_delete, sender=Appeal, dispatch_uid="reception.tally.post_delete")


# The rebuild ----------------------------------------------------------------------------------
def rebuild(batch: int = 100_000, progress=None) -> int:
    """Recount every reception aggregate from the appeals, in one transaction, `batch` appeals
    at a time (read in id order, counted in memory per batch). Idempotent."""
    with transaction.atomic():
        counts.lift_statement_timeout()
        for model, _keys in TABLES.values():
            model.objects.all().delete()
        last, done = 0, 0
        while True:
            rows = list(
                Appeal.objects.filter(pk__gt=last).order_by("pk").values("pk", *FIELDS)[:batch]
            )
            if not rows:
                break
            total: dict[str, Counter] = {table: Counter() for table in TABLES}
            for row in rows:
                for table, key in tally.appeal_keys(_state(row)):
                    total[table][key] += 1
            apply(total)
            last = rows[-1]["pk"]
            done += len(rows)
            if progress:
                progress(done)
    counts.vacuum_analyze(*(model for model, _keys in TABLES.values()))
    return done
