"""The pure import rules: no database, milliseconds."""

import datetime as dt

import pytest

from bastau.lib import iin as iin_lib
from bastau.members import import_rules as rules

TODAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2020-01-15", dt.date(2020, 1, 15)),
        ("15.01.2020", dt.date(2020, 1, 15)),
        ("5.1.2020", dt.date(2020, 1, 5)),
        ("15/01/2020", dt.date(2020, 1, 15)),
        (" 2020-01-15 00:00:00 ", dt.date(2020, 1, 15)),
        (dt.datetime(2020, 1, 15, 0, 0), dt.date(2020, 1, 15)),
        (dt.date(2020, 1, 15), dt.date(2020, 1, 15)),
    ],
)
def test_dates(raw, expected):
    assert rules.parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["2020-02-30", "31.04.2020", "yesterday", "2020/01/15", 43000])
def test_not_dates(raw):
    with pytest.raises(rules.CellError) as exc:
        rules.parse_date(raw)
    assert exc.value.code == "date"


def test_iin_from_a_number_cell_gets_its_leading_zero_back():
    value = iin_lib.build(dt.date(2003, 7, 1), "M", 42)
    assert value.startswith("0")
    assert rules.parse_iin(int(value)).value == value
    assert rules.parse_iin(float(int(value))).value == value
    assert rules.parse_iin(f" {value} ").birth_date == dt.date(2003, 7, 1)


@pytest.mark.parametrize(
    "raw, code",
    [("12345", "iin_format"), ("900101700017", "iin_century"), ("900101300018", "iin_checksum")],
)
def test_bad_iins(raw, code):
    with pytest.raises(rules.CellError) as exc:
        rules.parse_iin(raw)
    assert exc.value.code == code


def test_choices_accept_values_and_words_in_three_languages():
    parse = rules.parse_choice(rules.alias_map(rules.SECTOR_WORDS), rules.SECTOR_WORDS)
    assert parse("Budget") == "budget"
    assert parse("Бюджеттік сала") == "budget"
    assert parse("Частный сектор") == "private"
    assert parse("self-employed") == parse("Self employed") == "self_employed"
    with pytest.raises(rules.CellError) as exc:
        parse("astronaut")
    assert exc.value.params["choices"].startswith("budget, private")
    sexes = rules.parse_choice(rules.alias_map(rules.SEX_WORDS), ("M", "F"))
    assert [sexes(w) for w in ("M", "м", "Ер", "Ж", "әйел", "female")] == list("MMMFFF")


@pytest.mark.parametrize(
    "raw, expected",
    [("1", True), ("иә", True), ("Да", True), (True, True), ("0", False), ("жоқ", False),
     ("-", False), (0, False)],
)  # fmt: skip
def test_booleans(raw, expected):
    assert rules.parse_bool(raw) is expected


def test_header_aliases_case_and_required_columns():
    columns = rules.member_columns()
    header = rules.read_header(
        ["ЖСН", "Тегі", "Аты*", "БПҰ коды", "Joined On", None, "poo_name"], columns,
        rules.MEMBER_IGNORED,
    )  # fmt: skip
    assert header.problems == []
    assert header.positions == {
        "iin": 0, "last_name": 1, "first_name": 2, "poo_code": 3, "joined_on": 4,
    }  # fmt: skip
    assert header.names["iin"] == "ЖСН"

    broken = rules.read_header(["iin", "IIN", "surname", "colour"], columns)
    assert {(p.column, p.code) for p in broken.problems} == {
        ("IIN", "duplicate_column"),
        ("colour", "unknown_column"),
        ("first_name", "missing_column"),
        ("poo_code", "missing_column"),
        ("joined_on", "missing_column"),
    }


def test_member_row_checks_take_birth_date_and_sex_from_the_iin():
    iin = rules.parse_iin(iin_lib.build(dt.date(1990, 1, 2), "F", 7))
    values = {"iin": iin, "joined_on": dt.date(2010, 1, 1), "status": "active", "left_on": None}
    assert rules.check_member(values, TODAY) == []
    assert (values["birth_date"], values["sex"]) == (dt.date(1990, 1, 2), "F")

    wrong = {**values, "birth_date": dt.date(1990, 1, 3), "sex": "M"}
    assert [p.code for p in rules.check_member(wrong, TODAY)] == [
        "birth_date_mismatch",
        "sex_mismatch",
    ]
    early = {**values, "joined_on": dt.date(1989, 1, 1)}
    assert [p.code for p in rules.check_member(early, TODAY)] == ["joined_before_birth"]
    future = {**values, "joined_on": dt.date(2030, 1, 1)}
    assert [p.code for p in rules.check_member(future, TODAY)] == ["future_date"]


def test_ended_status_needs_an_end_date_after_joining():
    iin = rules.parse_iin(iin_lib.build(dt.date(1970, 1, 2), "M", 7))
    base = {"iin": iin, "joined_on": dt.date(2010, 1, 1)}
    assert [p.code for p in rules.check_member({**base, "status": "left"}, TODAY)] == [
        "left_on_required"
    ]
    left = {**base, "status": "left", "left_on": dt.date(2009, 1, 1)}
    assert [p.code for p in rules.check_member(left, TODAY)] == ["left_before_joined"]
    ok = {**base, "status": "deceased", "left_on": dt.date(2020, 1, 1)}
    assert rules.check_member(ok, TODAY) == []
    active = {**base, "status": "active", "left_on": dt.date(2020, 1, 1)}
    assert [p.code for p in rules.check_member(active, TODAY)] == ["left_on_unexpected"]


def test_parse_cells_reports_every_bad_cell_and_fills_defaults():
    columns = rules.member_columns()
    header = rules.read_header(
        ["iin", "last_name", "first_name", "poo_code", "joined_on", "email", "phone"], columns
    )
    values, problems = rules.parse_cells(
        ["1", "X" * 101, "", "p 1", "2020-01-01", "not-an-email", "call me"], header, columns
    )
    assert [(p.column, p.code) for p in problems] == [
        ("iin", "iin_format"),
        ("last_name", "too_long"),
        ("first_name", "required"),
        ("phone", "phone"),
        ("email", "email"),
        ("poo_code", "code"),
    ]
    assert (values["sector"], values["status"], values["has_disability"]) == (
        "other",
        "active",
        False,
    )


def test_numbers_and_dates_as_text():
    assert rules.cell_text(77011234567.0) == "77011234567"
    assert rules.cell_text(dt.datetime(2020, 1, 2)) == "2020-01-02"
    assert rules.cell_text(None) == ""
    assert rules.row_is_blank([None, "  ", ""])
    assert not rules.row_is_blank([None, 0])


def test_the_rules_do_not_import_django():
    import subprocess
    import sys

    code = (
        "import sys, bastau.members.import_rules; "
        "sys.exit(any(m.split('.')[0] == 'django' for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
