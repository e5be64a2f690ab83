"""Reading untrusted XLSX workbooks with python-calamine (Rust), behind explicit limits.
No Django: the limits come from the caller (core.spreadsheets passes the settings).

calamine is fast, but it reads a whole sheet into memory as a dense grid (the rows times the
columns of the sheet's used range) and trusts the package it is handed: a single cell at
XFD1048576 makes it allocate seventeen billion cells. So nothing from an upload reaches it
directly:

1. The zip's central directory is checked before anything is unpacked: the number of parts,
   the declared unpacked size of each and of all, the ratio of unpacked to packed size (zip
   bombs), no encryption, a known compression. Python's zipfile never reads past a part's
   declared size (and checks its CRC), so a part that lies about its size cannot unpack more.
2. Every XML part that is read is checked for a document type declaration (DOCTYPE, ENTITY):
   spreadsheets never have one, and an XML bomb (billion laughs) needs one.
3. The first sheet is streamed, never whole in memory, and cut into blocks of 10,000 rows.
   Each block is checked with a few byte scans: every row and every cell names its place
   (``<row r="..."``, ``<c r="..."``, as every spreadsheet program writes them), rows come
   in order, every cell lies in its row's block, and no cell is beyond the column limit. The
   blocks are written, as sheets of their own ("slabs" of a bounded grid size), with the
   workbook's styles (dates) and shared strings into one stored (uncompressed) package in a
   temporary file, and calamine reads that package one slab at a time: memory is one slab's
   grid, whatever the size of the file.

Rows are yielded as (spreadsheet row number, list of cell values); empty cells are "".
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree


@dataclass(frozen=True)
class Limits:
    """What an uploaded workbook may be. The defaults fit a national import."""

    #: Data rows plus the header.
    max_rows: int = 1_048_576
    #: The rightmost column a cell may be in (256 = column IV, as in Excel 2003).
    max_columns: int = 256
    #: Declared unpacked size of all parts together.
    max_unpacked_bytes: int = 2 * 1024**3
    #: Unpacked / packed size of one part bigger than RATIO_FLOOR (XML sheets: 10-20).
    max_ratio: int = 200
    #: Parts in the zip.
    max_entries: int = 1_000
    #: Grid cells (rows x columns) calamine builds at a time.
    slab_cells: int = 1_500_000


class XlsxRefused(Exception):
    """The workbook is refused; `code` names why (core.spreadsheets words it)."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


RATIO_FLOOR = 1024 * 1024
#: Small parts (package and workbook relations, workbook, content types) are read whole.
SMALL_PART_BYTES = 8 * 1024 * 1024
ROW_BLOCK = 10_000
CHUNK = 4 * 1024 * 1024
#: Exact row count up to this many unpacked sheet bytes; beyond, an estimate.
EXACT_COUNT_BYTES = 16 * 1024 * 1024
EXCEL_MAX_ROW = 1_048_576

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL_ID = "{" + _OFFICE_REL + "}id"
_NAME = rb"(?:[A-Za-z_][\w.-]*:)?"


# The package -----------------------------------------------------------------------------
def _check_directory(archive: zipfile.ZipFile, limits: Limits) -> None:
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise XlsxRefused("xlsx_entries", max=limits.max_entries)
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:  # encrypted
            raise XlsxRefused("bad_xlsx")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise XlsxRefused("bad_xlsx")
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise XlsxRefused("xlsx_ratio")
    if total > limits.max_unpacked_bytes:
        raise XlsxRefused("xlsx_unpacked", bytes=limits.max_unpacked_bytes)


def _check_prolog(head: bytes) -> None:
    """No document type declaration before the root element (the only place one can be)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]:
        raise XlsxRefused("bad_xlsx")  # UTF-16 XML: no spreadsheet program writes it
    root = re.search(rb"<[A-Za-z_]", head)
    if root is None:
        raise XlsxRefused("bad_xlsx")
    prolog = head[: root.start()]
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog or b"<!ENTITY" in head:
        raise XlsxRefused("xlsx_dtd")


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise XlsxRefused("bad_xlsx") from None
    if info.file_size > SMALL_PART_BYTES:
        raise XlsxRefused("bad_xlsx")
    data = archive.read(info)
    _check_prolog(data)
    return data


def _xml(data: bytes) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(data)  # no DTD (checked): no entity can expand
    except ElementTree.ParseError as exc:
        raise XlsxRefused("bad_xlsx") from exc


def _join(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = [p for p in base.split("/") if p] if base else []
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


@dataclass
class _Package:
    archive: zipfile.ZipFile
    sheet: str | None  # the first sheet's part, None when the workbook has no sheet
    styles: str | None
    strings: str | None
    date1904: bool


def _open_package(fileobj, limits: Limits) -> _Package:
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise XlsxRefused("bad_xlsx") from exc
    try:
        _check_directory(archive, limits)
        names = set(archive.namelist())
        if "[Content_Types].xml" not in names:
            raise XlsxRefused("bad_xlsx")
        _small_part(archive, "[Content_Types].xml")
        rels = _xml(_small_part(archive, "_rels/.rels"))
        workbook_path = next(
            (
                _join("", rel.get("Target", ""))
                for rel in rels
                if rel.get("Type", "").endswith("/officeDocument")
            ),
            None,
        )
        if workbook_path is None:
            raise XlsxRefused("bad_xlsx")
        workbook = _xml(_small_part(archive, workbook_path))
        base = workbook_path.rsplit("/", 1)[0] if "/" in workbook_path else ""
        rels_path = _join(base, "_rels/" + workbook_path.rsplit("/", 1)[-1] + ".rels")
        targets = {}
        kinds = {}
        for rel in _xml(_small_part(archive, rels_path)):
            targets[rel.get("Id")] = _join(base, rel.get("Target", ""))
            kinds[rel.get("Type", "").rsplit("/", 1)[-1]] = _join(base, rel.get("Target", ""))
        first = workbook.find("{*}sheets/{*}sheet")
        sheet = targets.get(first.get(_REL_ID)) if first is not None else None
        if first is not None and (sheet is None or sheet not in names):
            raise XlsxRefused("bad_xlsx")
        properties = workbook.find("{*}workbookPr")
        date1904 = properties is not None and properties.get("date1904", "") in ("1", "true")
        styles = kinds.get("styles")
        strings = kinds.get("sharedStrings")
        return _Package(
            archive,
            sheet,
            styles if styles in names else None,
            strings if strings in names else None,
            date1904,
        )
    except BaseException:
        archive.close()
        raise


def _check_part_head(archive: zipfile.ZipFile, name: str) -> None:
    with archive.open(name) as part:
        _check_prolog(part.read(64 * 1024))


# The sheet, streamed ---------------------------------------------------------------------
@dataclass
class _SheetHead:
    header: bytes  # the sheet up to and including its sheetData start tag
    closing: bytes  # what ends a slab: </sheetData></worksheet>
    ns: bytes  # the namespace prefix of the sheet's elements ("" or "x:")
    empty: bool  # <sheetData/>
    rest: bytes  # what came after the sheetData start tag in the buffer


_SHEET_DATA = re.compile(rb"<(" + _NAME + rb")sheetData\b[^>]*?(/?)>")
_ROOT = re.compile(rb"<(" + _NAME + rb"worksheet)\b")
_DIMENSION = re.compile(rb"<" + _NAME + rb"dimension\b[^>]*>")


def _read_head(stream) -> _SheetHead:
    buffer = b""
    while True:
        chunk = stream.read(64 * 1024)
        buffer += chunk
        found = _SHEET_DATA.search(buffer)
        if found:
            break
        if not chunk or len(buffer) > 1024 * 1024:
            raise XlsxRefused("bad_xlsx")
    head = buffer[: found.end()]
    _check_prolog(head)
    root = _ROOT.search(head)
    if root is None:
        raise XlsxRefused("bad_xlsx")
    ns = found.group(1)
    header = _DIMENSION.sub(b"", head)  # calamine may size its grid from it
    if found.group(2):  # <sheetData/>: no rows
        header = header[: -len(found.group(0))] + b"<" + ns + b"sheetData>"
    closing = b"</" + ns + b"sheetData></" + root.group(1) + b">"
    return _SheetHead(header, closing, ns, bool(found.group(2)), buffer[found.end() :])


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + (byte - 64)
    return number


class _BlockChecker:
    """The byte scans of one 10,000-row block (see the module's docstring)."""

    def __init__(self, ns: bytes, limits: Limits):
        self.ns = ns
        self.limits = limits
        self.cell_open = b"<" + ns + b"c"
        self.cell_ref = b"<" + ns + b'c r="'
        self.patterns: dict[int, re.Pattern] = {}

    def pattern(self, block: int) -> re.Pattern:
        found = self.patterns.get(block)
        if found is None:
            width = len(str(ROW_BLOCK)) - 1  # ROW_BLOCK is a power of ten
            digits = (
                rb"[1-9][0-9]{0,%d}" % (width - 1)
                if block == 0
                else str(block).encode() + rb"[0-9]{%d}" % width
            )
            # A cell reference that is not one column letter and a row of this block.
            found = re.compile(re.escape(self.cell_ref) + rb"(?![A-Z]" + digits + rb'")([^"]*)"')
            self.patterns = {block: found}  # blocks come in order: keep one
        return found

    def width(self, block: int, segment: bytes) -> int:
        """The rightmost column of the segment's cells (at least 26: one letter)."""
        if segment.count(self.cell_open) != segment.count(self.cell_ref):
            raise XlsxRefused("bad_xlsx")  # a cell without its place first: not written so
        low = block * ROW_BLOCK
        width = 26
        for match in self.pattern(block).finditer(segment):
            ref = re.fullmatch(rb"([A-Z]{1,7})([0-9]{1,9})", match.group(1))
            if ref is None:
                raise XlsxRefused("bad_xlsx")
            column = _column_number(ref.group(1))
            if column > self.limits.max_columns:
                raise XlsxRefused("too_many_columns", max=self.limits.max_columns)
            if not low <= int(ref.group(2)) < low + ROW_BLOCK:
                raise XlsxRefused("bad_xlsx")  # a cell outside its row's block
            width = max(width, column)
        return width


class _SlabWriter:
    """Writes blocks into sheets of the temporary package, closing a slab when the next
    block is not contiguous or the grid would pass the limit."""

    def __init__(self, out: zipfile.ZipFile, head: _SheetHead, limits: Limits):
        self.out = out
        self.head = head
        self.limits = limits
        self.sheets: list[str] = []
        self.stream = None
        self.first_block = self.last_block = -1
        self.width = 0

    def add(self, block: int, width: int, data: bytes) -> None:
        if self.stream is not None:
            width_after = max(self.width, width)
            rows_after = (block - self.first_block + 1) * ROW_BLOCK
            too_big = rows_after * width_after > self.limits.slab_cells
            if block != self.last_block and (block != self.last_block + 1 or too_big):
                self.close_slab()
            elif block == self.last_block and too_big and self.first_block != block:
                # A later part of this block is wider: the rest of the block starts a slab of
                # its own (a slab of one block is at most 10,000 x max_columns cells).
                self.close_slab()
        if self.stream is None:
            name = f"xl/worksheets/slab{len(self.sheets) + 1}.xml"
            self.sheets.append(name)
            self.stream = self.out.open(name, "w", force_zip64=True)
            self.stream.write(self.head.header)
            self.first_block = block
            self.width = 0
        self.last_block = block
        self.width = max(self.width, width)
        self.stream.write(data)

    def close_slab(self) -> None:
        if self.stream is not None:
            self.stream.write(self.head.closing)
            self.stream.close()
            self.stream = None


def _split_sheet(stream, head: _SheetHead, limits: Limits, writer: _SlabWriter) -> None:
    ns = head.ns
    row_start = re.compile(rb"<" + re.escape(ns) + rb"row(?=[\s>/])")
    row_number = re.compile(rb"<" + re.escape(ns) + rb'row r="([0-9]{1,7})"')
    end_tag = b"</" + ns + b"sheetData>"
    checker = _BlockChecker(ns, limits)
    pending = head.rest
    previous = 0
    rows = 0
    done = head.empty
    while not done:
        chunk = stream.read(CHUNK)
        pending += chunk
        end = pending.find(end_tag)
        if end >= 0:
            piece, pending, done = pending[:end], b"", True
        elif not chunk:
            raise XlsxRefused("bad_xlsx")  # the sheet ends inside its data
        else:
            cut = pending.rfind(b"<" + ns + b"row")
            if cut <= 0:
                continue
            piece, pending = pending[:cut], pending[cut:]
        numbers = list(row_number.finditer(piece))
        if len(numbers) != len(row_start.findall(piece)):
            raise XlsxRefused("bad_xlsx")  # a row without its number first
        if numbers and piece[: numbers[0].start()].strip():
            raise XlsxRefused("bad_xlsx")  # something other than rows in sheetData
        rows += len(numbers)
        if rows > limits.max_rows:
            raise XlsxRefused("too_many_rows", max=limits.max_rows)
        # Segments of consecutive rows of one block.
        segment_start = 0
        segment_block = -1
        for match in numbers:
            number = int(match.group(1))
            if number <= previous or number > EXCEL_MAX_ROW:
                raise XlsxRefused("bad_xlsx")  # rows out of order, or beyond a sheet
            previous = number
            block = number // ROW_BLOCK
            if block != segment_block:
                if segment_block >= 0:
                    segment = piece[segment_start : match.start()]
                    writer.add(segment_block, checker.width(segment_block, segment), segment)
                segment_block, segment_start = block, match.start()
        if segment_block >= 0:
            segment = piece[segment_start:]
            writer.add(segment_block, checker.width(segment_block, segment), segment)
    writer.close_slab()


def _write_package(package: _Package, limits: Limits, path: str) -> list[str]:
    """The first sheet's slabs, the styles and the shared strings as a stored package."""
    archive = package.archive
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as out:
        sheets: list[str] = []
        if package.sheet is not None:
            with archive.open(package.sheet) as stream:
                head = _read_head(stream)
                writer = _SlabWriter(out, head, limits)
                try:
                    _split_sheet(stream, head, limits, writer)
                finally:
                    writer.close_slab()
            sheets = writer.sheets
        overrides = [
            (
                "/xl/workbook.xml",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            )
        ]
        relations = []
        for number, name in enumerate(sheets, start=1):
            overrides.append(
                (
                    "/" + name,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
                )
            )
            relations.append((f"rId{number}", "worksheet", name.removeprefix("xl/")))
        for part, kind, content in (
            (package.styles, "styles", "styles"),
            (package.strings, "sharedStrings", "sharedStrings"),
        ):
            if part is None:
                continue
            _check_part_head(archive, part)
            with (
                archive.open(part) as source,
                out.open(f"xl/{kind}.xml", "w", force_zip64=True) as target,
            ):
                shutil.copyfileobj(source, target, 1024 * 1024)
            overrides.append(
                (
                    f"/xl/{kind}.xml",
                    f"application/vnd.openxmlformats-officedocument.spreadsheetml.{content}+xml",
                )
            )
            relations.append((f"rId{kind}", kind, f"{kind}.xml"))
        out.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{p}" ContentType="{c}"/>' for p, c in overrides)
            + "</Types>",
        )
        out.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_OFFICE_REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        out.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" '
            f'xmlns:r="{_OFFICE_REL}">'
            + ('<workbookPr date1904="1"/>' if package.date1904 else "")
            + "<sheets>"
            + "".join(
                f'<sheet name="s{n}" sheetId="{n}" r:id="rId{n}"/>'
                for n in range(1, len(sheets) + 1)
            )
            + "</sheets></workbook>",
        )
        out.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">'
            + "".join(
                f'<Relationship Id="{i}" Type="{_OFFICE_REL}/{k}" Target="{t}"/>'
                for i, k, t in relations
            )
            + "</Relationships>",
        )
    return sheets


def _calamine_failed(exc: BaseException) -> bool:
    return not isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit | XlsxRefused)


@contextlib.contextmanager
def read_rows(fileobj, limits: Limits = Limits()) -> Iterator[Iterator[tuple[int, list]]]:
    """(spreadsheet row number, cell values) for each row of the first sheet. The whole
    package is checked (and rewritten to a temporary file) on entry; XlsxRefused says why
    a workbook is refused."""
    import python_calamine

    fileobj.seek(0)
    package = _open_package(fileobj, limits)
    directory = tempfile.TemporaryDirectory(prefix="bastau-xlsx-")
    try:
        path = os.path.join(directory.name, "slabs.xlsx")
        try:
            sheets = _write_package(package, limits, path)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as exc:
            raise XlsxRefused("bad_xlsx") from exc
        finally:
            package.archive.close()
        if package.sheet is None:
            raise XlsxRefused("no_sheet")
        try:
            workbook = python_calamine.CalamineWorkbook.from_path(path)
        except BaseException as exc:
            if _calamine_failed(exc):
                raise XlsxRefused("bad_xlsx") from exc
            raise

        def rows() -> Iterator[tuple[int, list]]:
            for index in range(len(sheets)):
                try:
                    sheet = workbook.get_sheet_by_index(index)
                    start = sheet.start
                    # to_python from the slab's first cell: iter_rows would start every
                    # slab at the sheet's row 1 (a million blank rows for the last slab).
                    grid = sheet.to_python(skip_empty_area=True) if start is not None else []
                except BaseException as exc:
                    if _calamine_failed(exc):
                        raise XlsxRefused("bad_xlsx") from exc
                    raise
                del sheet  # calamine's grid; the rows are Python lists now
                if start is None:
                    continue
                number, first_column = start
                pad = [""] * first_column
                grid.reverse()  # pop from the end: each row is freed once it is used
                while grid:
                    cells = grid.pop()
                    number += 1
                    yield number, (pad + cells) if pad else cells

        try:
            yield rows()
        finally:
            workbook.close()
    finally:
        directory.cleanup()


def count_rows(fileobj, limits: Limits = Limits()) -> tuple[int, bool]:
    """(rows of the first sheet, exact?) after the package checks: exact for a sheet of up
    to EXACT_COUNT_BYTES unpacked, otherwise estimated from its first bytes."""
    fileobj.seek(0)
    package = _open_package(fileobj, limits)
    try:
        if package.sheet is None:
            return 0, True
        info = package.archive.getinfo(package.sheet)
        with package.archive.open(info) as stream:
            head = _read_head(stream)
            tag = b"<" + head.ns + b"row"
            tags = re.compile(re.escape(tag) + rb"[\s>/]")
            # A tag cut by a chunk's end is counted with the next chunk: the last len(tag)
            # bytes are carried over (no match can end inside them and start before them).
            count = 0
            tail = head.rest
            read = len(head.header)
            exact = info.file_size <= EXACT_COUNT_BYTES
            while chunk := stream.read(CHUNK):
                buffer = tail + chunk
                count += len(tags.findall(buffer))
                tail = buffer[-len(tag) :]
                read += len(chunk)
                if not exact and read >= CHUNK:
                    return int(count * info.file_size / read), False
            count += len(tags.findall(tail))  # the whole sheet was in the head
            return count, True
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise XlsxRefused("bad_xlsx") from exc
    finally:
        package.archive.close()
