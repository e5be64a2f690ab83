"""Builders for members tests: import files (CSV, XLSX, uploads) and fresh valid IINs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from bastau.lib import iin as iin_lib

MEMBER_HEADER = ["iin", "last_name", "first_name", "poo_code", "joined_on", "sector"]

_serials = itertools.count(5000)


def fresh_iin(birth_date=dt.date(1988, 6, 1), sex="M") -> str:
    """An IIN the factories do not hand out (their serials start at 1)."""
    while True:
        value = iin_lib.build(birth_date, sex, next(_serials) % 10000)
        if value is not None:
            return value


def many_iins(count: int) -> list[str]:
    """`count` distinct valid IINs from 1961 on (the world fixture uses 1960)."""
    result = []
    day = dt.date(1961, 1, 1)
    serial = 0
    while len(result) < count:
        value = iin_lib.build(day, "F" if serial % 2 else "M", serial)
        if value is not None:
            result.append(value)
        serial += 1
        if serial == 100:
            serial = 0
            day += dt.timedelta(days=1)
    return result


def csv_bytes(header, rows, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(header, rows) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def member_row(poo, iin=None, joined="2020-01-15", sector="budget"):
    """A row under MEMBER_HEADER."""
    return [iin or fresh_iin(), "Ахметова", "Айгүл", poo.code, joined, sector]
