"""Candidate spreadsheets in, built lists out: the file side of `bastau build_list` (no Django).

Input columns (header row, any order, case-insensitive): id, name, votes, gender (F or M),
birth_date (YYYY-MM-DD or a spreadsheet date), disability (0/1, optional). Rows keep their file
order, which is the registration order used for ties when no lot seed is given.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from bastau.primaries.quota import Candidate, ListResult

REQUIRED = ("id", "name", "votes", "gender", "birth_date")
OPTIONAL = ("disability",)
OUTPUT_COLUMNS = ("position", "id", "name", "votes", "vote_rank", "groups", "reason")
_TRUE = {"1", "yes", "true", "y"}
_FALSE = {"", "0", "no", "false", "n"}


class CandidateFileError(ValueError):
    """A row that cannot be read; `row` is the 1-based spreadsheet row (the header is row 1)."""

    def __init__(self, message: str, row: int | None = None):
        super().__init__(f"row {row}: {message}" if row else message)
        self.row = row


def read_candidates(path: str | Path) -> list[Candidate]:
    """Candidates from a .csv (UTF-8, comma or semicolon separated) or .xlsx file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return parse_rows(_csv_rows(path.read_text(encoding="utf-8-sig")))
    if suffix in (".xlsx", ".xlsm"):
        return parse_rows(_xlsx_rows(path))
    raise CandidateFileError(f"{path.name}: expected a .csv or .xlsx file")


def _csv_rows(text: str) -> Iterable[list[Any]]:
    try:
        dialect: Any = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text), dialect)


def _xlsx_rows(path: Path) -> Iterable[list[Any]]:
    """The first sheet's rows, read by python-calamine behind bastau.lib.xlsx's limits (a
    candidates file is as untrusted as any upload); empty cells are ""."""
    from bastau.lib import xlsx

    with path.open("rb") as handle:
        try:
            with xlsx.read_rows(handle) as rows:
                previous = 0
                for number, cells in rows:
                    # parse_rows numbers rows by position: keep empty rows in place.
                    for _missing in range(number - previous - 1):
                        yield []
                    previous = number
                    yield cells
        except xlsx.XlsxRefused as exc:
            detail = ", ".join(f"{k} {v}" for k, v in exc.params.items())
            raise CandidateFileError(
                f"not a readable spreadsheet ({exc.code}{': ' + detail if detail else ''})"
            ) from None


def parse_rows(rows: Iterable[list[Any]]) -> list[Candidate]:
    """Header row first; blank rows are skipped; every error names its row."""
    it = iter(rows)
    try:
        header = [str(h or "").strip().lower() for h in next(it)]
    except StopIteration:
        raise CandidateFileError("the file is empty") from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise CandidateFileError(f"missing columns: {', '.join(missing)}", 1)
    index = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
    out: list[Candidate] = []
    for number, row in enumerate(it, start=2):
        if not any(str(v or "").strip() for v in row):
            continue
        cells = {name: row[i] if i < len(row) else None for name, i in index.items()}
        out.append(_candidate(cells, number))
    return out


def _candidate(cells: Mapping[str, Any], row: int) -> Candidate:
    cid = _text(cells["id"])
    if not cid:
        raise CandidateFileError("id is empty", row)
    votes = cells["votes"]
    if isinstance(votes, float) and votes.is_integer():
        votes = int(votes)
    try:
        votes = int(str(votes).strip())
    except ValueError:
        raise CandidateFileError(f"votes {votes!r} is not a whole number", row) from None
    gender = _text(cells["gender"]).upper()
    if gender not in ("F", "M"):
        raise CandidateFileError(f"gender {cells['gender']!r}: use F or M", row)
    born = cells["birth_date"]
    if isinstance(born, dt.datetime):
        born = born.date()
    elif not isinstance(born, dt.date):
        try:
            born = dt.date.fromisoformat(_text(born))
        except ValueError:
            raise CandidateFileError(f"birth_date {born!r}: use YYYY-MM-DD", row) from None
    flag = _text(cells.get("disability")).lower()
    if flag.endswith(".0"):
        flag = flag[:-2]
    if flag not in _TRUE | _FALSE:
        raise CandidateFileError(f"disability {cells.get('disability')!r}: use 0 or 1", row)
    try:
        return Candidate(
            id=cid,
            name=_text(cells["name"]),
            votes=votes,
            gender=gender,
            birth_date=born,
            disability=flag in _TRUE,
        )
    except ValueError as exc:
        raise CandidateFileError(str(exc), row) from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets turn id 17 into 17.0
    return str(value).strip()


# --------------------------------------------------------------------------- output


def result_rows(result: ListResult) -> list[list[Any]]:
    """Flat rows for CSV/XLSX: groups joined by ';', the reason as its English sentence."""
    rows = []
    for row in result.rows:
        data = row.to_dict()
        rows.append(
            [
                data["position"],
                data["id"],
                data["name"],
                data["votes"],
                data["vote_rank"],
                ";".join(data["groups"]),
                row.reason.text if row.reason else "",
            ]
        )
    return rows


def write_result(result: ListResult, fmt: str, out: IO[bytes]) -> None:
    """Write the list as json, csv or xlsx to a binary stream."""
    if fmt == "json":
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
        out.write(text.encode("utf-8"))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(OUTPUT_COLUMNS)
        writer.writerows(result_rows(result))
        out.write(buffer.getvalue().encode("utf-8"))
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "list"
        sheet.append(list(OUTPUT_COLUMNS))
        for values in result_rows(result):
            sheet.append(values)
        book.save(out)
    else:
        raise ValueError(f"unknown format {fmt!r}; use json, csv or xlsx")
