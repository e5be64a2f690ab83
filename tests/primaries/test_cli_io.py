"""Candidate files in, lists out (the file side of `bastau build_list`)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from openpyxl import Workbook, load_workbook

from bastau.primaries.cli_io import CandidateFileError, read_candidates, write_result
from bastau.primaries.quota import build_list

REF = dt.date(2025, 6, 15)
CSV = """id,name,votes,gender,birth_date,disability
1,Arman,90,M,1970-01-01,0
2,Bolat,80,M,1971-02-02,
3,Daulet,70,m,1972-03-03,0
4,Aigerim,60,F,1995-04-04,1
"""


def test_reads_csv_and_builds(tmp_path):
    path = tmp_path / "cands.csv"
    path.write_text(CSV.replace(",", ";"), encoding="utf-8")
    cands = read_candidates(path)
    assert [c.id for c in cands] == ["1", "2", "3", "4"]
    assert cands[3].disability and cands[3].gender == "F" and cands[2].gender == "M"
    result = build_list(cands, 3, "party-2019", REF)
    assert [r.candidate.id for r in result.rows] == ["1", "2", "4"]

    out = io.BytesIO()
    write_result(result, "json", out)
    data = json.loads(out.getvalue())
    assert [row["position"] for row in data["list"]] == [1, 2, 3]
    assert data["list"][2]["reason"]["code"] == "quota"

    out = io.BytesIO()
    write_result(result, "csv", out)
    rows = list(csv.reader(io.StringIO(out.getvalue().decode())))
    assert rows[0] == ["position", "id", "name", "votes", "vote_rank", "groups", "reason"]
    assert rows[3][5] == "women;youth" and rows[3][6].startswith("position 3: Aigerim")


def test_reads_xlsx_with_numbers_and_dates(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["ID", "Name", "Votes", "Gender", "Birth_date"])
    sheet.append([17, "Арман", 12.0, "M", dt.datetime(1980, 5, 6)])
    path = tmp_path / "c.xlsx"
    book.save(path)
    (cand,) = read_candidates(path)
    assert (cand.id, cand.name, cand.votes) == ("17", "Арман", 12)
    assert cand.birth_date == dt.date(1980, 5, 6)

    result = build_list([cand], 1, {"id": "none", "groups": []}, REF)
    out = io.BytesIO()
    write_result(result, "xlsx", out)
    out.seek(0)
    values = list(load_workbook(out).active.iter_rows(values_only=True))
    assert values[1][:3] == (1, "17", "Арман")


@pytest.mark.parametrize(
    ("bad", "row"),
    [
        ("id,name,votes,gender\n", 1),
        ("id,name,votes,gender,birth_date\n1,A,x,M,1970-01-01\n", 2),
        ("id,name,votes,gender,birth_date\n1,A,1,M,1970-01-01\n2,B,1,Q,1970-01-01\n", 3),
        ("id,name,votes,gender,birth_date\n1,A,1,M,01.01.1970\n", 2),
    ],
)
def test_errors_name_the_row(tmp_path, bad, row):
    path = tmp_path / "bad.csv"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(CandidateFileError) as info:
        read_candidates(path)
    assert info.value.row == row
