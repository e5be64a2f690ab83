"""The Kazakh individual identification number (IIN, ЖСН/ИИН).

12 digits: YYMMDD birth date; digit 7 gives century and sex (1/2: 1800s male/female,
3/4: 1900s, 5/6: 2000s); digits 8-11 a serial; digit 12 a check digit computed from
the first 11 with weights 1..11 mod 11, falling back to weights 3..11,1,2 when the first
sum gives 10; a second 10 makes the number invalid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from operator import mul

WEIGHTS_FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
WEIGHTS_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURY_BY_DIGIT = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


class IINError(ValueError):
    """Why a string is not a valid IIN; `code` is stable for translation."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class IIN:
    value: str
    birth_date: dt.date
    sex: Sex


#: The weighted sums below work on the characters' codes: "0" is 48, so each sum is off by
#: 48 times the sum of its weights (a constant, removed before taking the remainder).
_ZERO_FIRST = 48 * sum(WEIGHTS_FIRST)
_ZERO_SECOND = 48 * sum(WEIGHTS_SECOND)


def check_digit(first_eleven: str) -> int | None:
    """The 12th digit for these 11 digits, or None when no valid IIN can have them."""
    if len(first_eleven) == 11 and first_eleven.isascii() and first_eleven.isdigit():
        # Fast path (an import checks a million of these): no int() per digit.
        codes = first_eleven.encode()
        total = (sum(map(mul, codes, WEIGHTS_FIRST)) - _ZERO_FIRST) % 11
        if total == 10:
            total = (sum(map(mul, codes, WEIGHTS_SECOND)) - _ZERO_SECOND) % 11
            if total == 10:
                return None
        return total
    digits = [int(c) for c in first_eleven]
    total = sum(d * w for d, w in zip(digits, WEIGHTS_FIRST, strict=True)) % 11
    if total == 10:
        total = sum(d * w for d, w in zip(digits, WEIGHTS_SECOND, strict=True)) % 11
        if total == 10:
            return None
    return total


_SEX_BY_DIGIT = {d: Sex.MALE if d % 2 == 1 else Sex.FEMALE for d in CENTURY_BY_DIGIT}
_CENTURY_DIGITS = {str(d): d for d in CENTURY_BY_DIGIT}
_new = object.__new__


def parse(raw: str) -> IIN:
    """Validate an IIN and return it with its birth date and sex; raise IINError if invalid."""
    value = (raw or "").strip()
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise IINError("format", "An IIN is exactly 12 digits.")
    century_digit = _CENTURY_DIGITS.get(value[6])
    if century_digit is None:
        raise IINError("century", "The 7th digit of an IIN must be 1-6.")
    year = CENTURY_BY_DIGIT[century_digit] + int(value[0:2])
    try:
        birth_date = dt.date(year, int(value[2:4]), int(value[4:6]))
    except ValueError as exc:
        raise IINError("date", "The first six digits of an IIN are not a real date.") from exc
    expected = check_digit(value[:11])
    if expected is None or expected != ord(value[11]) - 48:
        raise IINError("checksum", "The IIN's check digit is wrong.")
    # IIN(value=..., birth_date=..., sex=...) without the frozen dataclass's slow __init__.
    parsed = _new(IIN)
    parsed.__dict__.update(value=value, birth_date=birth_date, sex=_SEX_BY_DIGIT[century_digit])
    return parsed


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except IINError:
        return False
    return True


def build(birth_date: dt.date, sex: Sex | str, serial: int) -> str | None:
    """The IIN for a birth date, sex and 4-digit serial, or None if that serial has no check
    digit (then the next serial is used by whoever issues numbers)."""
    sex = Sex(sex)
    century = (birth_date.year // 100) * 100
    base = {1800: 1, 1900: 3, 2000: 5}.get(century)
    if base is None:
        raise ValueError("IINs cover birth years 1800-2099")
    if not 0 <= serial <= 9999:
        raise ValueError("serial is 4 digits")
    century_digit = base if sex is Sex.MALE else base + 1
    first = f"{birth_date:%y%m%d}{century_digit}{serial:04d}"
    digit = check_digit(first)
    return None if digit is None else f"{first}{digit}"


def mask(value: str) -> str:
    """Show only what is needed to tell two people apart on a list: the last four digits."""
    if not value:
        return ""
    return "•" * max(len(value) - 4, 0) + value[-4:]
