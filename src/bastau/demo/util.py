"""Helpers shared by the demo steps."""

from __future__ import annotations

from functools import cache
from importlib import resources


def raw_delete(qs) -> int:
    """Delete the rows of a queryset in one SQL statement, without loading them.

    QuerySet.delete() would load every row and send post_delete signals, for which
    simple_history writes one "deleted" history row per record: tens of thousands of rows
    written only to be thrown away. The caller clears every reference to these rows first.
    """
    return qs._raw_delete(qs.db)


@cache
def data_lines(filename: str) -> tuple[str, ...]:
    """The non-empty, non-comment lines of a file shipped in bastau/data/."""
    text = resources.files("bastau").joinpath("data", filename).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def feminine_surname(surname: str) -> str:
    """Ахметов -> Ахметова, Әлиев -> Әлиева, Шайхин -> Шайхина; other endings are invariant."""
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


#: Kazakh Cyrillic to Latin (for demo e-mail addresses only).
_LATIN = str.maketrans(
    {
        "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e",
        "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l",
        "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s",
        "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e",
        "ю": "yu", "я": "ya",
    }
)  # fmt: skip


def latin(text: str) -> str:
    return text.lower().translate(_LATIN)
