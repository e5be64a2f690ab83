"""Canonical JSON of the encrypted record: one accepted text for every value.

Every object of the record (manifest, trustee transcript, credential list, events) is published
as its canonical bytes, and every hash covers those exact bytes. The canonical bytes of a value
are Python's `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` in
UTF-8, which is also what a browser gets from JSON.stringify after sorting the keys, because the
values are limited to:

- objects with ASCII keys, arrays, strings, `true` and `false`;
- integers from 0 to 2^53 - 1 (no floats, no negatives, no null).

`loads` refuses anything else, and anything that is not exactly the canonical text of what it
parsed: a byte-order mark, invalid UTF-8, a lone surrogate (escaped or not), a duplicate key,
whitespace, keys out of order, an escape where none is needed. So two parsers can never read two
different values from one accepted text (the "duplicate key, last one wins" forgery), and no
field can ride along outside a hash.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from .hashing import b64d

MAX_INT = 2**53 - 1


class CanonicalError(ValueError):
    """A text that is not the canonical JSON of an allowed value; `where` names the object."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where


def _check(value, where: str) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if not 0 <= value <= MAX_INT:
            raise CanonicalError(where, f"integer out of range: {value}")
        return
    if isinstance(value, str):
        try:
            value.encode("utf-8", errors="strict")
        except UnicodeEncodeError as e:
            raise CanonicalError(where, "a string is not valid Unicode") from e
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise CanonicalError(where, f"a key is not ASCII: {key!r}")
            _check(item, f"{where}.{key}")
        return
    raise CanonicalError(where, f"a value of type {type(value).__name__} is not allowed")


def dumps(value, where: str = "value") -> bytes:
    """The canonical bytes of an allowed value (raises CanonicalError for any other)."""
    _check(value, where)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise CanonicalError("object", f"duplicate key {key!r}")
        seen[key] = value
    return seen


def _no_float(text):
    raise CanonicalError("value", f"a number that is not an integer: {text}")


def _no_constant(text):
    raise CanonicalError("value", f"{text} is not JSON")


def loads(data: bytes, where: str = "value"):
    """Parse canonical bytes; refuse every other text, naming `where`."""
    if not isinstance(data, bytes | bytearray):
        raise CanonicalError(where, "expected bytes")
    if data.startswith(b"\xef\xbb\xbf"):
        raise CanonicalError(where, "a byte-order mark")
    try:
        text = bytes(data).decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise CanonicalError(where, "not valid UTF-8") from e
    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=_no_float,
            parse_constant=_no_constant,
        )
    except CanonicalError as e:
        raise CanonicalError(where, str(e)) from e
    except ValueError as e:
        raise CanonicalError(where, f"not JSON ({e})") from e
    if value is None:
        raise CanonicalError(where, "null is not allowed")
    if dumps(value, where) != bytes(data):
        raise CanonicalError(where, "not in canonical form")
    return value


# Field access with exact shapes. Each names the failing object in its error.


def fields(obj, names: set[str] | frozenset[str], where: str) -> dict:
    """`obj` must be an object with exactly these fields."""
    if not isinstance(obj, dict):
        raise CanonicalError(where, "expected an object")
    have = set(obj)
    if have != set(names):
        extra = sorted(have - set(names))
        missing = sorted(set(names) - have)
        parts = []
        if extra:
            parts.append("unexpected field(s) " + ", ".join(extra))
        if missing:
            parts.append("missing field(s) " + ", ".join(missing))
        raise CanonicalError(where, "; ".join(parts))
    return obj


def integer(obj, key: str, where: str, lo: int = 0, hi: int = MAX_INT) -> int:
    value = obj[key]
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise CanonicalError(f"{where}.{key}", f"expected an integer in {lo}..{hi}")
    return value


def string(obj, key: str, where: str, allow_empty: bool = False) -> str:
    value = obj[key]
    if not isinstance(value, str) or (not allow_empty and not value):
        raise CanonicalError(f"{where}.{key}", "expected a non-empty string")
    return value


def boolean(obj, key: str, where: str) -> bool:
    value = obj[key]
    if not isinstance(value, bool):
        raise CanonicalError(f"{where}.{key}", "expected true or false")
    return value


def array(obj, key: str, where: str) -> list:
    value = obj[key]
    if not isinstance(value, list):
        raise CanonicalError(f"{where}.{key}", "expected an array")
    return value


def data(obj, key: str, where: str, size: int | None = None) -> bytes:
    """Bytes as unpadded, canonical base64url, of `size` bytes when given."""
    try:
        value = b64d(obj[key])
    except ValueError as e:
        raise CanonicalError(f"{where}.{key}", str(e)) from e
    if size is not None and len(value) != size:
        raise CanonicalError(f"{where}.{key}", f"expected {size} bytes, got {len(value)}")
    return value


_DAY = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")
_TIME = re.compile(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")


def day(obj, key: str, where: str) -> dt.date:
    """A calendar day, YYYY-MM-DD; impossible dates (2027-02-29) are refused."""
    value = obj[key]
    if not isinstance(value, str) or not _DAY.match(value):
        raise CanonicalError(f"{where}.{key}", "expected a day as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as e:
        raise CanonicalError(f"{where}.{key}", f"not a real day: {value}") from e


def moment(obj, key: str, where: str) -> dt.datetime:
    """A moment in UTC, YYYY-MM-DDTHH:MM:SSZ; impossible times are refused."""
    value = obj[key]
    if not isinstance(value, str) or not _TIME.match(value):
        raise CanonicalError(f"{where}.{key}", "expected a UTC time as YYYY-MM-DDTHH:MM:SSZ")
    try:
        return dt.datetime.fromisoformat(value[:-1]).replace(tzinfo=dt.UTC)
    except ValueError as e:
        raise CanonicalError(f"{where}.{key}", f"not a real time: {value}") from e


def format_moment(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
