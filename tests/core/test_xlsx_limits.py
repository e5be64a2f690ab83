"""Untrusted workbooks (bastau.lib.xlsx behind core.spreadsheets): every hostile file is
built here, small on disk, and refused with a clear message before calamine sees it. The
reading runs in a child process whose address space is capped at 500 MB, so a guard that
let a bomb through would crash it (calamine aborts when an allocation fails) and fail the
test."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import textwrap
import zipfile

import pytest

from bastau.core.spreadsheets import ImportFileError, inspect_upload, xlsx_rows
from bastau.lib import xlsx
from bastau.members.models import ImportJob, Member

from ..factories.members import MEMBER_HEADER, member_row, upload, xlsx_bytes

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.'
    'org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
    "</sheets></workbook>"
)
WORKBOOK_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def package(sheet_data: str, *, prolog: str = "", extra: dict | None = None) -> bytes:
    """A minimal workbook whose first sheet holds `sheet_data` (the rows)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0"?>{prolog}<worksheet xmlns="{MAIN}"><sheetData>{sheet_data}'
            "</sheetData></worksheet>",
        )
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()


HEADER_ROW = '<row r="1">' + cell("A1", "iin") + cell("B1", "last_name") + "</row>"

BILLION_LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


def zip_bomb() -> bytes:
    """A real bomb: one part of 64 MB of zeros, packed (streamed) to about 64 kB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            zeros = b" " * (1 << 20)
            for _ in range(64):
                sheet.write(zeros)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def declared_giant() -> bytes:
    """A package whose central directory declares a 4 GB part (the bytes are tiny): the
    declared size alone refuses it, nothing is unpacked."""
    data = bytearray(package(HEADER_ROW))
    name = b"xl/worksheets/sheet1.xml"
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    # Uncompressed size: offset 24 of a central directory header.
    data[central + 24 : central + 28] = (0xFFFFFFFE).to_bytes(4, "little")
    return bytes(data)


def million_columns() -> bytes:
    # Column 1,000,000 is BDWGN; calamine would build a 3 x 1,000,000 grid for it.
    return package(HEADER_ROW + '<row r="3">' + cell("BDWGN3", "x") + "</row>")


def far_cell() -> bytes:
    """Row 2 holds a cell that says it is at XFD1048576: a 17-billion-cell grid."""
    return package(
        HEADER_ROW + '<row r="2">' + cell("A2", "1") + cell("XFD1048576", "x") + "</row>"
    )


def row_span() -> bytes:
    """Narrow, but one cell of row 2 claims row 1,000,000: a million-row grid."""
    return package(HEADER_ROW + '<row r="2">' + cell("A1000000", "x") + "</row>")


def many_parts() -> bytes:
    extra = {f"xl/media/p{i}.xml": "<a/>" for i in range(1100)}
    return package(HEADER_ROW, extra=extra)


def xml_bomb() -> bytes:
    return package(HEADER_ROW + '<row r="2">' + cell("A2", "&lol9;") + "</row>",
                   prolog=BILLION_LAUGHS)  # fmt: skip


def xml_bomb_in_strings() -> bytes:
    buffer = io.BytesIO(package(HEADER_ROW))
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            target.writestr(item, content)
        target.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0"?>{BILLION_LAUGHS}<sst xmlns="{MAIN}"><si><t>&lol9;</t></si>'
            "</sst>",
        )
    return out.getvalue()


HOSTILE = {
    "xml_bomb": (xml_bomb, "xlsx_dtd"),
    "xml_bomb_in_shared_strings": (xml_bomb_in_strings, "xlsx_dtd"),
    "zip_bomb": (zip_bomb, "xlsx_ratio"),
    "declared_4_GB": (declared_giant, "xlsx_ratio"),
    "million_columns": (million_columns, "too_many_columns"),
    "far_cell": (far_cell, "too_many_columns"),
    "row_span": (row_span, "bad_xlsx"),
    "1100_parts": (many_parts, "xlsx_entries"),
}

CHILD = textwrap.dedent(
    """
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (500 * 1024 * 1024, 500 * 1024 * 1024))
    from bastau.lib import xlsx
    try:
        with open(sys.argv[1], "rb") as handle, xlsx.read_rows(handle) as rows:
            result = {"rows": sum(1 for _ in rows)}
    except xlsx.XlsxRefused as exc:
        result = {"refused": exc.code}
    print(json.dumps(result))
    """
)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_workbook_is_refused_within_500_mb(name, tmp_path):
    build, code = HOSTILE[name]
    data = build()
    assert len(data) < 200_000  # small on disk
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(data)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr[-2000:]
    assert json.loads(child.stdout) == {"refused": code}


def test_the_child_can_fail_a_bomb_that_gets_through(tmp_path):
    """The same child, reading the far-cell file with calamine directly (no guard), dies:
    the 500 MB cap is what would catch a guard that let it pass."""
    path = tmp_path / "far.xlsx"
    path.write_bytes(far_cell())
    unguarded = CHILD.replace(
        'with open(sys.argv[1], "rb") as handle, xlsx.read_rows(handle) as rows:',
        "import python_calamine\n"
        "        if True:\n"
        "            rows = python_calamine.CalamineWorkbook.from_path(sys.argv[1])"
        ".get_sheet_by_index(0).to_python()",
    )
    child = subprocess.run(
        [sys.executable, "-c", unguarded, str(path)], capture_output=True, text=True, timeout=120
    )
    assert child.returncode != 0


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_upload_check_refuses_hostile_workbook_before_it_is_stored(name):
    build, code = HOSTILE[name]
    with pytest.raises(ImportFileError) as refused:
        inspected = inspect_upload(upload("m.xlsx", build()))
        # Checks that need the sheet's cells are made when the rows are read.
        with xlsx_rows(upload("m.xlsx", build())) as rows:
            list(rows)
        raise AssertionError(f"accepted: {inspected}")
    assert refused.value.code == code


def test_unpacked_size_limit_is_a_setting(settings):
    settings.IMPORT_XLSX_MAX_UNPACKED_BYTES = 2000
    content = package(HEADER_ROW + "".join(
        f'<row r="{n}">{cell(f"A{n}", "x" * 50)}</row>' for n in range(2, 60)))  # fmt: skip
    with pytest.raises(ImportFileError) as refused:
        inspect_upload(upload("m.xlsx", content))
    assert refused.value.code == "xlsx_unpacked"
    assert "2.0" in refused.value.message and "KB" in refused.value.message


def test_column_limit_is_a_setting(settings):
    content = package(HEADER_ROW + '<row r="2">' + cell("AA2", "x") + "</row>")
    with xlsx_rows(upload("m.xlsx", content)) as rows:
        assert [n for n, _cells in rows] == [1, 2]
    settings.IMPORT_MAX_COLUMNS = 26
    with pytest.raises(ImportFileError) as refused, xlsx_rows(upload("m.xlsx", content)) as rows:
        list(rows)
    assert refused.value.message == (
        "The sheet has cells beyond column 26; delete the extra columns or split the file."
    )


@pytest.mark.parametrize(
    "language, words",
    [
        ("kk", "«zip-бомба»"),
        ("ru", "«zip-бомба»"),
        ("en", "“zip bomb”"),
    ],
)
def test_zip_bomb_upload_is_refused_in_the_users_language(client, world, language, words):
    client.force_login(world.secretary)
    before = Member.objects.count()
    response = client.post(
        "/members/imports/",
        {"kind": "members", "file": upload("m.xlsx", zip_bomb())},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert words in page
    assert Member.objects.count() == before
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    "language, words",
    [("kk", "«XML-бомба»"), ("ru", "«XML-бомба»"), ("en", "“XML bomb”")],
)
def test_xml_bomb_upload_is_refused_in_the_users_language(client, world, language, words):
    client.force_login(world.secretary)
    response = client.post(
        "/members/imports/",
        {"kind": "members", "file": upload("m.xlsx", xml_bomb())},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert words in response.content.decode()
    assert not ImportJob.objects.exists()


# What calamine gives back through the slabs -------------------------------------------------
def test_rows_keep_their_numbers_types_and_columns_across_slabs(monkeypatch):
    """Small slabs (one 10,000-row block each, blocks with gaps): every row comes back once,
    with its spreadsheet number, in order, with dates and numbers as cells."""
    monkeypatch.setattr(xlsx, "ROW_BLOCK", 10)
    rows = [["n", "when", "text"]]
    numbers = [*range(2, 35), *range(61, 64)]
    header = "".join(cell(f"{c}1", t) for c, t in zip("ABC", rows[0], strict=True))
    sheet = [f'<row r="1">{header}</row>']
    for n in numbers:
        sheet.append(
            f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="B{n}" s="1"><v>45000</v></c>'
            + cell(f"C{n}", f"текст {n}")
            + "</row>"
        )
    styles = (
        f'<?xml version="1.0"?><styleSheet xmlns="{MAIN}"><cellXfs count="2">'
        '<xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>'
    )
    # The styles (dates) are found through the workbook's relations.
    source = zipfile.ZipFile(io.BytesIO(package("".join(sheet), extra={"xl/styles.xml": styles})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
                    b"</Relationships>",
                )
            target.writestr(item.filename, data)
    limits = xlsx.Limits(slab_cells=10 * 26)  # one block per slab
    with xlsx.read_rows(io.BytesIO(out.getvalue()), limits) as read:
        got = list(read)
    data_rows = [(n, cells) for n, cells in got if any(c != "" for c in cells)]
    assert [n for n, _ in data_rows] == [1, *numbers]
    assert data_rows[0][1] == ["n", "when", "text"]
    for n, cells in data_rows[1:]:
        assert cells[0] == n
        assert cells[1] in (dt.date(2023, 3, 15), dt.datetime(2023, 3, 15))
        assert cells[2] == f"текст {n}"


def test_a_workbook_written_by_openpyxl_reads_as_before():
    when = dt.date(2001, 4, 5)
    content = xlsx_bytes(MEMBER_HEADER, [["011204500123", "Ахметова", "Айгүл", "p-1", when, 7]])
    with xlsx_rows(upload("m.xlsx", content)) as rows:
        got = list(rows)
    assert got[0] == (1, MEMBER_HEADER)
    number, cells = got[1]
    assert number == 2
    assert cells[:4] == ["011204500123", "Ахметова", "Айгүл", "p-1"]
    assert cells[4] in (when, dt.datetime(2001, 4, 5))
    assert cells[5] == 7


def test_member_import_of_a_good_xlsx_still_succeeds(client, world):
    client.force_login(world.secretary)
    content = xlsx_bytes(MEMBER_HEADER, [member_row(world.poo), member_row(world.poo2)])
    client.post("/members/imports/", {"kind": "members", "file": upload("m.xlsx", content)})
    job = ImportJob.objects.latest("id")
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.created_count == 2


def test_rows_without_their_places_are_refused_not_misread():
    """A cell without r="..." would be placed by counting; the reader refuses such a sheet
    (no spreadsheet program writes one) rather than guess its grid."""
    content = package(HEADER_ROW + '<row r="2"><c t="inlineStr"><is><t>x</t></is></c></row>')
    with pytest.raises(ImportFileError) as refused, xlsx_rows(upload("m.xlsx", content)) as rows:
        list(rows)
    assert refused.value.code == "bad_xlsx"


def test_a_block_that_widens_late_starts_a_slab_of_its_own(monkeypatch, tmp_path):
    """Blocks 0-2 fill a slab at one letter's width; a later piece of block 2 has a cell in
    column AD: the rest of block 2 goes to a new slab instead of widening the whole slab's
    grid, and every row still comes back once, whole, in order."""
    monkeypatch.setattr(xlsx, "ROW_BLOCK", 10)
    monkeypatch.setattr(xlsx, "CHUNK", 300)  # many pieces: block 2 arrives in several
    rows = [f'<row r="{n}">{cell(f"A{n}", f"a{n}")}</row>' for n in range(1, 27)]
    rows.append(f'<row r="27">{cell("A27", "a27")}{cell("AD27", "wide")}</row>')
    rows += [f'<row r="{n}">{cell(f"A{n}", f"a{n}")}</row>' for n in range(28, 30)]
    content = package("".join(rows))
    limits = xlsx.Limits(slab_cells=3 * 10 * 26)
    written = xlsx._write_package(
        xlsx._open_package(io.BytesIO(content), limits), limits, str(tmp_path / "p.xlsx")
    )
    assert len(written) == 2
    with xlsx.read_rows(io.BytesIO(content), limits) as read:
        got = list(read)
    assert [n for n, _cells in got] == list(range(1, 30))
    assert all(cells[0] == f"a{n}" for n, cells in got)
    assert got[26][1][29] == "wide"
