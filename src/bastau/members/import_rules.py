"""Pure rules for imported rows: column names, cell parsing and the checks of one row.

No Django import: everything here works on plain values (what the csv module or openpyxl
gives for a cell) and reports problems as stable codes with parameters. The Django side
(members/imports.py) adds what needs the database (duplicates against stored records,
POO codes, scope) and puts the codes into words in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bastau.lib import iin as iin_lib


class CellError(ValueError):
    """A cell value that cannot be used; `code` is stable for translation."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Problem:
    """One problem in a row: `column` is the canonical column key ("" for the whole row)."""

    column: str
    value: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


# Normalising words ----------------------------------------------------------------------
_SEPARATORS = re.compile(r"[\s_\-]+")


def normalize_word(raw: Any) -> str:
    """Lower case, ё as е, runs of spaces/underscores/hyphens as one space, no trailing dot
    or asterisk (templates often mark required columns with *)."""
    text = str(raw).replace("\ufeff", "").strip().lower().replace("ё", "е")
    text = text.rstrip(".*: ").lstrip("*")
    return _SEPARATORS.sub(" ", text).strip()


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ".0", dates as YYYY-MM-DD."""
    if value.__class__ is str:  # every CSV cell, most XLSX cells
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and (not value or value.isspace()))


# Cell parsers: each takes a raw cell value (never blank) and returns a clean value -------
def parse_text(max_length: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = " ".join(cell_text(value).split())
        if len(text) > max_length:
            raise CellError("too_long", max=max_length)
        return text

    return parse


_DATE_DOTTED = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


#: Dates already read, by their text (a file repeats a few tens of thousands of dates).
_DATES: dict[str, dt.date] = {}
_DATES_MAX = 100_000


def parse_date(value: Any) -> dt.date:
    """YYYY-MM-DD, DD.MM.YYYY (also DD/MM/YYYY) or a spreadsheet date cell."""
    if value.__class__ is str:
        known = _DATES.get(value)
        if known is not None:
            return known
        parsed = _parse_date(value)
        if len(_DATES) >= _DATES_MAX:
            _DATES.clear()
        _DATES[value] = parsed
        return parsed
    return _parse_date(value)


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    # A datetime written as text by some exporters: "2020-01-02 00:00:00".
    if " " in text and _DATE_ISO.match(text.split(" ", 1)[0]):
        text = text.split(" ", 1)[0]
    match = _DATE_ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DATE_DOTTED.match(text)
        if not match:
            raise CellError("date")
        day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise CellError("date") from exc


def parse_iin(value: Any) -> iin_lib.IIN:
    """An IIN; a spreadsheet that stored it as a number lost its leading zero: put it back."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = cell_text(value)
        if text.isdigit() and len(text) < 12:
            text = text.zfill(12)
    else:
        text = cell_text(value).replace(" ", "")
    try:
        return iin_lib.parse(text)
    except iin_lib.IINError as exc:
        raise CellError(f"iin_{exc.code}") from exc


_PHONE = re.compile(r"^\+?[0-9 ()\-]{5,20}$")


def parse_phone(value: Any) -> str:
    text = cell_text(value)
    if not _PHONE.match(text):
        raise CellError("phone")
    if len(text) > 20:
        raise CellError("too_long", max=20)
    return text


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_email(value: Any) -> str:
    text = cell_text(value)
    if len(text) > 254:
        raise CellError("too_long", max=254)
    if not _EMAIL.match(text):
        raise CellError("email")
    return text


_CODE = re.compile(r"^[-a-zA-Z0-9_]+$")


def parse_code(value: Any) -> str:
    text = cell_text(value)
    if len(text) > 40:
        raise CellError("too_long", max=40)
    if not _CODE.match(text):
        raise CellError("code")
    return text


TRUE_WORDS = {"1", "yes", "y", "true", "иә", "ия", "иа", "да", "д", "+", "x", "х", "✓"}
FALSE_WORDS = {"0", "no", "n", "false", "жоқ", "жок", "нет", "н", ""}  # "-" normalises to ""


#: Texts already read by parse_bool, as written ("1", "да", "Yes").
_BOOL_TEXTS: dict[str, bool] = {}
#: At most this many texts are remembered per parser (a file repeats a few of them).
_KNOWN_MAX = 1000


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value.__class__ is str:
        known = _BOOL_TEXTS.get(value)
        if known is not None:
            return known
    word = normalize_word(cell_text(value))
    if word in TRUE_WORDS:
        truth = True
    elif word in FALSE_WORDS:
        truth = False
    else:
        raise CellError("boolean")
    if value.__class__ is str and len(_BOOL_TEXTS) < _KNOWN_MAX:
        _BOOL_TEXTS[value] = truth
    return truth


def parse_choice(aliases: Mapping[str, str], shown: Iterable[str]) -> Callable[[Any], str]:
    """A choice given as its stored value or any alias word (see `alias_map`)."""
    shown_text = ", ".join(shown)
    # Texts already read ("active", "F", "Бюджет"), as written: a file repeats a few of them.
    known: dict[str, str] = {}

    def parse(value: Any) -> str:
        if value.__class__ is str:
            choice = known.get(value)
            if choice is not None:
                return choice
        word = normalize_word(cell_text(value))
        if word in aliases:
            if value.__class__ is str and len(known) < _KNOWN_MAX:
                known[value] = aliases[word]
            return aliases[word]
        raise CellError("choice", choices=shown_text)

    return parse


def alias_map(words_by_value: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """{"budget": ["бюджет", ...]} -> {"budget": "budget", "бюджет": "budget", ...}."""
    result: dict[str, str] = {}
    for value, words in words_by_value.items():
        result[normalize_word(value)] = value
        for word in words:
            result.setdefault(normalize_word(word), value)
    return result


# Words accepted for choices, besides the stored values and the labels in every language
# (the Django side adds the labels as the translations say them).
SEX_WORDS = {
    "M": ["male", "man", "ер", "еркек", "е", "м", "муж", "мужской", "мужчина"],
    "F": ["female", "woman", "әйел", "ә", "ж", "жен", "женский", "женщина"],
}
SECTOR_WORDS = {
    "budget": ["budget sector", "бюджет", "бюджеттік сала", "бюджеттік сектор",
               "бюджетная сфера", "бюджетный сектор"],
    "private": ["private sector", "жеке", "жеке сектор", "частный", "частный сектор"],
    "self_employed": ["self employed", "өзін өзі жұмыспен қамтыған", "самозанятый",
                      "самозанятые"],
    "pensioner": ["зейнеткер", "пенсионер"],
    "student": ["студент", "білім алушы", "учащийся"],
    "unemployed": ["жұмыссыз", "безработный"],
    "other": ["басқа", "другое", "прочее", "прочие"],
}  # fmt: skip
STATUS_WORDS = {
    "active": ["белсенді", "активный", "действующий"],
    "suspended": ["тоқтатылған", "тоқтатылды", "приостановлен", "приостановлено"],
    "left": ["left the party", "шыққан", "партиядан шыққан", "вышел", "выбыл"],
    "expelled": ["шығарылған", "исключен", "исключен из партии"],
    "deceased": ["қайтыс болған", "умер", "скончался"],
}
WORKPLACE_WORDS = {
    "enterprise": ["кәсіпорын", "предприятие"],
    "school": ["мектеп", "школа"],
    "college": ["university", "колледж", "жоо", "вуз", "университет"],
    "hospital": ["healthcare", "денсаулық сақтау", "аурухана", "здравоохранение", "больница"],
    "government": ["state body", "мемлекеттік орган", "госорган", "государственный орган"],
    "village": ["ауыл", "ауылдық округ", "село", "сельский округ"],
    "neighbourhood": ["neighborhood", "residential area", "шағын аудан", "микрорайон",
                      "жилой массив"],
    "agriculture": ["ауыл шаруашылығы", "сельское хозяйство"],
    "other": ["басқа", "другое"],
}  # fmt: skip
ENDED_STATUSES = frozenset({"left", "expelled", "deceased"})


# Columns ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    key: str
    parse: Callable[[Any], Any]
    required: bool = False
    aliases: tuple[str, ...] = ()
    default: Any = ""


def header_map(columns: Iterable[Column], ignored: Iterable[str] = ()) -> dict[str, str]:
    """Normalised header word -> column key ("" for a known column that is not read)."""
    result: dict[str, str] = {}
    for column in columns:
        result[normalize_word(column.key)] = column.key
        for alias in column.aliases:
            result.setdefault(normalize_word(alias), column.key)
    for name in ignored:
        result.setdefault(normalize_word(name), "")
    return result


@dataclass
class Header:
    """Where each column is in the file and how the file names it."""

    positions: dict[str, int]
    names: dict[str, str]
    problems: list[Problem]


def read_header(
    cells: Iterable[Any], columns: Iterable[Column], ignored: Iterable[str] = ()
) -> Header:
    columns = list(columns)
    known = header_map(columns, ignored)
    positions: dict[str, int] = {}
    names: dict[str, str] = {}
    problems: list[Problem] = []
    for index, cell in enumerate(cells):
        if is_blank(cell):
            continue
        written = cell_text(cell).replace("\ufeff", "")
        key = known.get(normalize_word(written))
        if key is None:
            problems.append(Problem(written, written, "unknown_column"))
        elif key == "":
            continue
        elif key in positions:
            problems.append(Problem(written, written, "duplicate_column"))
        else:
            positions[key] = index
            names[key] = written
    for column in columns:
        if column.required and column.key not in positions:
            problems.append(Problem(column.key, "", "missing_column"))
    return Header(positions, names, problems)


def parse_cells(
    cells: list[Any] | tuple[Any, ...], header: Header, columns: Iterable[Column]
) -> tuple[dict[str, Any], list[Problem]]:
    """Each known column of one row parsed; blank optional cells take the default."""
    return row_parser(header, columns)(cells)


def row_parser(
    header: Header, columns: Iterable[Column]
) -> Callable[[list[Any] | tuple[Any, ...]], tuple[dict[str, Any], list[Problem]]]:
    """`parse_cells` for one header, with the per-column lookups done once (a file's rows
    all share them)."""
    plan = [
        (column.key, header.positions.get(column.key), column.parse, column.required,
         column.default)
        for column in columns
    ]  # fmt: skip

    def parse(cells: list[Any] | tuple[Any, ...]) -> tuple[dict[str, Any], list[Problem]]:
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        width = len(cells)
        for key, index, parse_cell, required, default in plan:
            raw = cells[index] if index is not None and index < width else None
            if raw is None or (isinstance(raw, str) and (not raw or raw.isspace())):
                if required:
                    problems.append(Problem(key, "", "required"))
                values[key] = default
                continue
            try:
                values[key] = parse_cell(raw)
            except CellError as exc:
                problems.append(Problem(key, cell_text(raw)[:200], exc.code, exc.params))
                values[key] = None
        return values, problems

    return parse


def row_is_blank(cells: Iterable[Any]) -> bool:
    return all(is_blank(cell) for cell in cells)


# Members ------------------------------------------------------------------------------------
def member_columns(
    sector_aliases: Mapping[str, str] | None = None,
    status_aliases: Mapping[str, str] | None = None,
    sex_aliases: Mapping[str, str] | None = None,
) -> list[Column]:
    sectors = sector_aliases or alias_map(SECTOR_WORDS)
    statuses = status_aliases or alias_map(STATUS_WORDS)
    sexes = sex_aliases or alias_map(SEX_WORDS)
    return [
        Column("iin", parse_iin, required=True, aliases=("жсн", "иин", "iin number")),
        Column("last_name", parse_text(100), True, ("surname", "тегі", "фамилия")),
        Column("first_name", parse_text(100), True, ("given name", "аты", "имя")),
        Column("patronymic", parse_text(100), False, ("middle name", "әкесінің аты", "отчество")),
        Column("phone", parse_phone, False, ("телефон", "телефон нөмірі", "mobile")),
        Column("email", parse_email, False, ("e mail", "эл пошта", "электрондық пошта",
                                             "электронная почта")),
        Column("address", parse_text(300), False, ("мекенжай", "адрес")),
        Column("poo_code", parse_code, True, ("poo", "бпұ", "бпұ коды", "ппо", "код ппо")),
        Column("sector", parse_choice(sectors, SECTOR_WORDS), False, ("сала", "сектор"),
               default="other"),
        Column("joined_on", parse_date, True, ("joined", "кірген күні", "партияға кірген күні",
                                               "дата вступления")),
        Column("status", parse_choice(statuses, STATUS_WORDS), False, ("мәртебе", "статус"),
               default="active"),
        Column("birth_date", parse_date, False, ("туған күні", "дата рождения")),
        Column("sex", parse_choice(sexes, ("M", "F")), False, ("gender", "жынысы", "пол")),
        Column("has_disability", parse_bool, False, ("disability", "мүгедектігі бар",
                                                     "мүгедектік", "инвалидность"),
               default=False),
        Column("left_on", parse_date, False, ("шыққан күні", "дата выбытия"), default=None),
        Column("is_veteran", parse_bool, False, ("veteran", "ардагер", "ветеран"),
               default=False),
    ]  # fmt: skip


#: Columns of the member export that the import reads past (they describe, not define).
MEMBER_IGNORED = ("poo_name", "branch", "branch_name")
MEMBER_TEMPLATE = [
    "iin", "last_name", "first_name", "patronymic", "phone", "email", "address", "poo_code",
    "sector", "joined_on", "status", "birth_date", "sex", "has_disability", "left_on",
    "is_veteran",
]  # fmt: skip


def check_member(
    values: dict[str, Any], today: dt.date, failed: Iterable[str] = ()
) -> list[Problem]:
    """Cross-column checks of a member row: the IIN fixes birth date and sex; the dates must
    be in order. Fills in birth_date and sex from the IIN. Columns in `failed` did not parse
    and are not checked again."""
    failed = set(failed)
    problems: list[Problem] = []
    parsed: iin_lib.IIN | None = values.get("iin")
    if parsed is not None:
        given_birth = values.get("birth_date")
        if given_birth and given_birth != parsed.birth_date:
            problems.append(
                Problem(
                    "birth_date",
                    given_birth.isoformat(),
                    "birth_date_mismatch",
                    {"date": parsed.birth_date.isoformat()},
                )
            )
        given_sex = values.get("sex")
        if given_sex and given_sex != parsed.sex.value:
            problems.append(Problem("sex", given_sex, "sex_mismatch"))
        values["birth_date"] = parsed.birth_date
        values["sex"] = parsed.sex.value
    joined = values.get("joined_on")
    if joined:
        if joined > today:
            problems.append(Problem("joined_on", joined.isoformat(), "future_date"))
        elif parsed is not None and joined < parsed.birth_date:
            problems.append(Problem("joined_on", joined.isoformat(), "joined_before_birth"))
    status = values.get("status")
    left = values.get("left_on")
    if "left_on" in failed or "status" in failed:
        return problems
    if status in ENDED_STATUSES and not left:
        problems.append(Problem("left_on", "", "left_on_required"))
    elif left and status not in ENDED_STATUSES:
        problems.append(Problem("left_on", left.isoformat(), "left_on_unexpected"))
    elif left and left > today:
        problems.append(Problem("left_on", left.isoformat(), "future_date"))
    elif left and joined and left < joined:
        problems.append(Problem("left_on", left.isoformat(), "left_before_joined"))
    return problems


# Primary organizations ----------------------------------------------------------------------
def poo_columns(workplace_aliases: Mapping[str, str] | None = None) -> list[Column]:
    kinds = workplace_aliases or alias_map(WORKPLACE_WORDS)
    return [
        Column("code", parse_code, True, ("код", "коды", "poo code")),
        Column("name", parse_text(250), True, ("атауы", "название", "наименование")),
        Column("branch_code", parse_code, True, ("branch", "филиал", "филиал коды",
                                                 "код филиала")),
        Column("workplace_kind", parse_choice(kinds, WORKPLACE_WORDS), False,
               ("түрі", "тип", "kind"), default="other"),
        Column("address", parse_text(300), False, ("мекенжай", "адрес")),
        Column("founded_on", parse_date, False, ("құрылған күні", "дата создания"),
               default=None),
    ]  # fmt: skip


POO_IGNORED = ("branch_name", "status", "closed_on", "leader")
POO_TEMPLATE = ["code", "name", "branch_code", "workplace_kind", "address", "founded_on"]


def check_poo(values: dict[str, Any], today: dt.date) -> list[Problem]:
    founded = values.get("founded_on")
    if founded and founded > today:
        return [Problem("founded_on", founded.isoformat(), "future_date")]
    return []
