"""Readable change history from django-simple-history records, without a query per row.

`history_rows` reads one object's records; `merged_history` reads several objects' records at
once (a commission with its seats, sessions and decisions, say), each row naming its object,
deleted objects included: simple_history keeps a "deleted" record with the last values, so
what was deleted, by whom and when stays readable after the row itself is gone.

Values are put into words when shown, in the reader's language: a field by its verbose name, a
choice by its label, a link to another record by that record's name (one query per linked
model for the whole page, not per row).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

KIND_LABELS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


@dataclass
class Change:
    field: str
    old: object
    new: object


@dataclass
class HistoryRow:
    when: object
    who: object
    kind: str
    reason: str
    changes: list[Change]
    #: What the row is about, when rows of several objects are shown together.
    subject: str = ""
    #: The record's history type: "+" created, "~" changed, "-" deleted.
    type: str = ""
    record: object = field(default=None, repr=False)


def history_rows(history_qs, limit: int = 30) -> list[HistoryRow]:
    """The newest `limit` changes of one object, each with the fields it changed (old -> new).

    Fetches one extra record so that the oldest shown row can be diffed too; consecutive
    records are compared in memory (`diff_against` reads no database rows).
    """
    return merged_history([history_qs], limit=limit, window=limit + 1)


def merged_history(
    querysets: Iterable,
    *,
    limit: int = 30,
    window: int = 300,
    subject: Callable[[object], str] | None = None,
) -> list[HistoryRow]:
    """The newest `limit` records of the given history querysets together, newest first.

    Each queryset gives at most `window` of its newest records; a record is diffed against the
    previous record of the same object among those read (the oldest read record of an object
    is shown without its fields). `subject(record)` names the object of each row.
    """
    records = []
    for qs in querysets:
        records += list(
            qs.select_related("history_user").order_by("-history_date", "-history_id")[:window]
        )
    previous = {}
    by_object = defaultdict(list)
    for record in records:
        key = getattr(record, record.instance_type._meta.pk.attname)
        by_object[(record.instance_type, key)].append(record)
    for chain in by_object.values():
        chain.sort(key=lambda r: (r.history_date, r.history_id), reverse=True)
        for index, record in enumerate(chain):
            previous[id(record)] = chain[index + 1] if index + 1 < len(chain) else None
    records.sort(key=lambda r: (r.history_date, r.history_id), reverse=True)
    shown = records[:limit]
    raw = []
    linked = defaultdict(set)  # related model -> pks to name
    for record in shown:
        before = previous[id(record)]
        changes = []
        if before is not None and record.history_type == "~":
            model = record.instance_type
            for change in record.diff_against(before, foreign_keys_are_objs=False).changes:
                f = model._meta.get_field(change.field)
                if isinstance(f, models.ForeignKey):
                    for value in (change.old, change.new):
                        if value not in (None, ""):
                            linked[f.related_model].add(value)
                changes.append((f, change.old, change.new))
        raw.append((record, changes))
    names = {
        model: {pk: str(obj) for pk, obj in model._default_manager.in_bulk(pks).items()}
        for model, pks in linked.items()
    }
    return [
        HistoryRow(
            when=record.history_date,
            who=record.history_user,
            kind=KIND_LABELS.get(record.history_type, record.history_type),
            reason=record.history_change_reason or "",
            changes=[
                Change(str(f.verbose_name), _display(f, old, names), _display(f, new, names))
                for f, old, new in changes
            ],
            subject=subject(record) if subject is not None else "",
            type=record.history_type,
            record=record,
        )
        for record, changes in raw
    ]


def _display(field, value, names=None):
    if value in (None, ""):
        return "—"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.ForeignKey) and names is not None:
        return names.get(field.related_model, {}).get(value, f"#{value}")
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    return value
