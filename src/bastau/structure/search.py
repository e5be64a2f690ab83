"""Finding branches by what a person types (the searchable branch pickers): a code, or words of
the Kazakh or Russian name, in any letter case. Matched in Python over (code, name, name_ru) of
the queryset given (a few thousand rows at national size, read as plain values): Kazakh letters
fold the same way on SQLite and PostgreSQL, whatever the database's collation."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import get_language


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def find_branches(
    branches: QuerySet, text: str
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(exact, other) matches among `branches` for `text`, each a list of (code, name in the
    reader's language), in the order of the branch lists (kind, then name). Exact: the text is
    the code or a name; other: every word of the text is in a name, or the code starts with
    the text."""
    wanted = _fold(text)
    words = wanted.split()
    if not words:
        return [], []
    russian = get_language() == "ru"
    exact, others = [], []
    rows = branches.order_by("kind", "name", "pk").values_list("code", "name", "name_ru")
    for code, name, name_ru in rows:
        names = (_fold(name), _fold(name_ru or ""))
        label = name_ru if russian and name_ru else name
        if wanted == code.casefold() or wanted in names:
            exact.append((code, label))
        elif code.casefold().startswith(wanted) or all(
            any(word in n for n in names) for word in words
        ):
            others.append((code, label))
    return exact, others
