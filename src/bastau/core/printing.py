"""What every printed document shares: the embedded fonts, the Kazakh and Russian texts, dates.

A document (a results protocol, meeting minutes, a reporting schedule) is printed in Kazakh or
Russian whatever the reader's interface language. Its fixed texts are a table of
``key: (English msgid, Kazakh, Russian)``; ``Texts(table)`` looks a key up through gettext
under ``translation.override(lang)`` (so the translators' kk/ru .po files take over once they
hold it), falling back to the Kazakh and Russian written next to it, so the document is right
even while the .po files lack these msgids.

The PDFs embed DejaVu Sans (static/fonts, with its licence), which has every Kazakh letter
(ә ғ қ ң ө ұ ү һ і), so they do not depend on the fonts of the machine that opens them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
#: The family name the PDFs use for DejaVu Sans (``pdf.set_font(FONT_FAMILY, ...)``).
FONT_FAMILY = "DejaVu"
#: The language tag a DOCX (and a PDF) carries for each interface language.
DOCX_LANG = {"kk": "kk-KZ", "ru": "ru-RU", "en": "en-GB"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def add_fonts(pdf) -> None:
    """Register DejaVu Sans, regular and bold, with an fpdf2 document."""
    pdf.add_font(FONT_FAMILY, "", str(FONT_REGULAR))
    pdf.add_font(FONT_FAMILY, "B", str(FONT_BOLD))


def normalise_language(lang: str | None, languages: Iterable[str] = ("kk", "ru", "en")) -> str:
    """The document language for an interface language ("ru-RU" -> "ru"); Kazakh when the
    language is not one of ``languages``."""
    code = (lang or "").replace("_", "-").split("-")[0].lower()
    return code if code in tuple(languages) else "kk"


class Texts:
    """A document's fixed texts: ``text = Texts(TEXTS)``, then ``text("title", "kk")``."""

    def __init__(self, table: Mapping[str, tuple[str, str, str]]):
        self.table = table

    def __call__(self, key: str, lang: str, **params: Any) -> str:
        """The text ``key`` in ``lang``: the translators' .po when it has it, else the table."""
        english, kazakh, russian = self.table[key]
        with translation.override(lang):
            translated = gettext(english)
        if translated == english and lang in ("kk", "ru"):
            translated = kazakh if lang == "kk" else russian
        return translated % params if params else translated


def fmt_date(value: dt.date | None) -> str:
    """A date as the documents print it, "31.12.2025"; a dash for none."""
    return value.strftime("%d.%m.%Y") if value else "—"
