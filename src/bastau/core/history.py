"""Readable change history from django-simple-history records, without a query per row."""

from __future__ import annotations

from dataclasses import dataclass

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


def history_rows(history_qs, limit: int = 30) -> list[HistoryRow]:
    """The newest `limit` changes, each with the fields it changed (old -> new).

    Fetches one extra record so that the oldest shown row can be diffed too; consecutive
    records are compared in memory (`diff_against` reads no database rows).
    """
    records = list(history_qs.select_related("history_user").order_by("-history_date")[: limit + 1])
    rows = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            model = record.instance_type
            for change in record.diff_against(previous, foreign_keys_are_objs=False).changes:
                field = model._meta.get_field(change.field)
                changes.append(
                    Change(
                        str(field.verbose_name),
                        _display(field, change.old),
                        _display(field, change.new),
                    )
                )
        rows.append(
            HistoryRow(
                when=record.history_date,
                who=record.history_user,
                kind=KIND_LABELS.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return rows


def _display(field, value):
    if value in (None, ""):
        return "—"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value
