"""Cursor pagination that holds at a million rows: keyset on the primary key (`WHERE id > n
ORDER BY id LIMIT k+1`), never OFFSET and never COUNT, so page 20,000 costs what page 1 does.
The cursor is opaque to callers (base64 of a versioned position); a forged cursor can move
only within the caller's scoped queryset."""

from __future__ import annotations

import base64
import binascii

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class BadCursor(ValueError):
    pass


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor(cursor) from None
    version, _, value = text.partition(":")
    if version != "v1" or not value.isdigit() or len(value) > 18:
        raise BadCursor(cursor)
    return int(value)


def page(qs, cursor: str | None, limit: int | None, serialize) -> dict:
    """One page of `qs` after `cursor`, in id order: {"items": [...], "next_cursor": ...}."""
    limit = DEFAULT_LIMIT if limit is None else max(1, min(int(limit), MAX_LIMIT))
    if cursor:
        qs = qs.filter(pk__gt=decode_cursor(cursor))
    rows = list(qs.order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [serialize(row) for row in rows],
        "next_cursor": encode_cursor(rows[-1].pk) if more and rows else None,
    }
