"""Spreadsheets, read and written the same way by every app.

Writers: XLSX files are written to a temporary file, never held whole in memory, and streamed
back; CSV is generated row by row while the response streams; every text cell is made safe
against formula injection. Readers: CSV (UTF-8, UTF-16 or Windows-1251, comma, semicolon or tab)
and the first sheet of an XLSX workbook, row by row (python-calamine behind the limits of
bastau.lib.xlsx: zip and XML bombs, too many columns), and the check of an upload
(extension, size, kind of content, row count) before it is stored.
The abstract model of one problem found in an imported file is ``core.models.ImportProblem``."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from bastau.lib import xlsx

# Writing ----------------------------------------------------------------------------------
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_response(workbook: Workbook, filename: str) -> FileResponse:
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)


CSV = "text/csv; charset=utf-8"
ITERATOR_CHUNK = 2000

_PLAIN_NUMBER = re.compile(r"^[+\-]?[0-9 ()\-]*$")


def spreadsheet_safe(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe
    (CSV injection); phone numbers such as +7 701 ... stay as they are."""
    if not isinstance(value, str) or not value:
        return value
    first = value[0]
    if first in "=@\t\r" or (first in "+-" and not _PLAIN_NUMBER.match(value)):
        return "'" + value
    return value


def cells(row: list, for_csv: bool) -> list:
    out = []
    for value in row:
        if value is None:
            value = ""
        elif isinstance(value, bool):
            value = (1 if value else 0) if for_csv else value
        elif for_csv and hasattr(value, "isoformat"):
            value = value.isoformat()
        out.append(spreadsheet_safe(value))
    return out


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value):
        return value


def csv_response(header: list[str], rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a BOM, so that Excel reads the file as UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type=CSV)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def sheet_title(text: str) -> str:
    """A translated text made fit for a sheet name (at most 31 characters, no []:*?/\\)."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(text)).strip()[:31] or "Sheet"


def xlsx_response(
    title: str, header: list[str], rows: Iterable[list], filename: str
) -> FileResponse:
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(sheet_title(title))
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    return workbook_response(wb, filename)


# Reading ----------------------------------------------------------------------------------
SNIFF_BYTES = 64 * 1024
#: The formats a reader takes, by file extension.
EXTENSIONS = {".xlsx": "xlsx", ".csv": "csv"}

#: Problems with a file as a whole; an app's import adds its own problems to these.
FILE_PROBLEMS = {
    "extension": gettext_lazy("Upload an .xlsx or .csv file."),
    "too_big": gettext_lazy("The file is larger than %(size)s."),
    "empty_file": gettext_lazy("The file is empty."),
    "bad_xlsx": gettext_lazy(
        "The file is not a readable Excel workbook (.xlsx). Open it in Excel or LibreOffice "
        "and save it again as .xlsx."
    ),
    "bad_csv": gettext_lazy("The file is not a readable CSV text file."),
    "bad_encoding": gettext_lazy(
        "The text of the file is neither UTF-8 nor Windows-1251; save it as “CSV UTF-8”."
    ),
    "too_many_rows": gettext_lazy(
        "The file has more than %(max)s rows; split it into smaller files."
    ),
    "no_header": gettext_lazy("The file has no header row."),
    "too_many_columns": gettext_lazy(
        "The sheet has cells beyond column %(max)s; delete the extra columns or split the file."
    ),
    "xlsx_entries": gettext_lazy(
        "The workbook has more than %(max)s parts; it was not opened. Save it again as .xlsx "
        "or upload it as CSV."
    ),
    "xlsx_unpacked": gettext_lazy(
        "The workbook unpacks to more than %(size)s; it was not opened. Split it into "
        "smaller files."
    ),
    "xlsx_ratio": gettext_lazy(
        "The workbook is packed far more tightly than any spreadsheet (a “zip bomb”); it was "
        "not opened."
    ),
    "xlsx_dtd": gettext_lazy(
        "The workbook contains XML entity declarations, which spreadsheets never have (an "
        "“XML bomb”); it was not opened."
    ),
    "no_rows": gettext_lazy("The file has a header row but no data rows."),
}


def file_problem_message(code: str, params: dict | None = None) -> str:
    template = FILE_PROBLEMS.get(code)
    return code if template is None else str(template) % (params or {})


class ImportFileError(Exception):
    """A problem with the file as a whole (not with one row)."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        return file_problem_message(self.code, self.params)


# Files ----------------------------------------------------------------------------
def _raw(fileobj):
    """The real binary file under Django's File/UploadedFile wrappers."""
    raw = fileobj
    while not isinstance(raw, io.IOBase) and hasattr(raw, "file"):
        raw = raw.file
    return raw


def detect_encoding(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text"
    if b"\x00" in head:
        raise ImportFileError("bad_csv")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8-sig"
    try:
        head.decode("cp1251")
    except UnicodeDecodeError as exc:
        raise ImportFileError("bad_encoding") from exc
    return "cp1251"


def detect_delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


@contextlib.contextmanager
def csv_rows(fileobj) -> Iterator[Iterator[tuple[int, list]]]:
    """(record number, cells) for each CSV record; the header is record 1."""
    raw = _raw(fileobj)
    raw.seek(0)
    head = raw.read(SNIFF_BYTES)
    raw.seek(0)
    if not head:
        raise ImportFileError("empty_file")
    encoding = detect_encoding(head)
    delimiter = detect_delimiter(head.decode(encoding, errors="ignore"))
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter)

    def rows():
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise ImportFileError("bad_encoding") from exc
            except csv.Error as exc:
                raise ImportFileError("bad_csv") from exc
            number += 1
            yield number, cells

    try:
        yield rows()
    finally:
        text.detach()  # the caller closes the file


def xlsx_limits() -> xlsx.Limits:
    """The limits an uploaded workbook must keep (settings IMPORT_XLSX_*)."""
    return xlsx.Limits(
        max_columns=settings.IMPORT_MAX_COLUMNS,
        max_unpacked_bytes=settings.IMPORT_XLSX_MAX_UNPACKED_BYTES,
        max_ratio=settings.IMPORT_XLSX_MAX_RATIO,
        max_entries=settings.IMPORT_XLSX_MAX_PARTS,
    )


def _file_error(refused: xlsx.XlsxRefused) -> ImportFileError:
    code, params = refused.code, dict(refused.params)
    if code == "no_sheet":
        code = "no_header"
    elif code == "xlsx_unpacked":
        params = {"size": filesizeformat(params.pop("bytes"))}
    return ImportFileError(code, **params)


@contextlib.contextmanager
def xlsx_rows(fileobj) -> Iterator[Iterator[tuple[int, list]]]:
    """(spreadsheet row number, cell values) for each row of the first sheet, read by
    python-calamine behind the limits of bastau.lib.xlsx; empty cells are ""."""
    raw = _raw(fileobj)
    try:
        with xlsx.read_rows(raw, xlsx_limits()) as rows:

            def checked():
                try:
                    yield from rows
                except xlsx.XlsxRefused as exc:
                    raise _file_error(exc) from exc

            yield checked()
    except xlsx.XlsxRefused as exc:
        raise _file_error(exc) from exc


def open_rows(fileobj, fmt: str):
    return xlsx_rows(fileobj) if fmt == "xlsx" else csv_rows(fileobj)


@dataclass(frozen=True)
class Inspection:
    format: str
    rows: int  # data rows, estimated (blank rows are counted; the check pass counts exactly)


def inspect_upload(upload) -> Inspection:
    """Check an uploaded file before it is stored: name, size, kind of content, row count.
    Raises ImportFileError with a message for the form."""
    extension = os.path.splitext(upload.name or "")[1].lower()
    if extension not in EXTENSIONS:
        raise ImportFileError("extension")
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError("too_big", size=filesizeformat(settings.IMPORT_MAX_BYTES))
    if not upload.size:
        raise ImportFileError("empty_file")
    fmt = EXTENSIONS[extension]
    raw = _raw(upload)
    try:
        if fmt == "xlsx":
            try:
                rows, exact = xlsx.count_rows(raw, xlsx_limits())
            except xlsx.XlsxRefused as exc:
                raise _file_error(exc) from exc
        else:
            exact = True
            with csv_rows(raw) as records:
                rows = sum(1 for _number, cells in records if not row_is_blank(cells))
    finally:
        raw.seek(0)
    rows = max(rows - 1, 0)  # the header
    # A large sheet's count is estimated from its first rows: only a clear excess is refused
    # here; the import counts every row and stops at the limit.
    if rows > (settings.IMPORT_MAX_ROWS if exact else settings.IMPORT_MAX_ROWS * 1.2):
        raise ImportFileError("too_many_rows", max=settings.IMPORT_MAX_ROWS)
    return Inspection(fmt, rows)


def row_is_blank(cells: Iterable[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and (not v or v.isspace())) for v in cells)
