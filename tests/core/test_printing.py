"""The pieces every printed document shares (core/printing.py)."""

import datetime as dt

from bastau.core import printing

TEXTS = {"hello": ("Hello %(who)s", "Сәлем %(who)s", "Привет %(who)s")}


def test_fonts_are_shipped():
    assert printing.FONT_REGULAR.is_file()
    assert printing.FONT_BOLD.is_file()


def test_normalise_language():
    assert printing.normalise_language("ru-RU") == "ru"
    assert printing.normalise_language("en") == "en"
    assert printing.normalise_language("en", ("kk", "ru")) == "kk"
    assert printing.normalise_language(None) == "kk"
    assert printing.normalise_language("de") == "kk"


def test_texts_fall_back_to_the_table_for_kazakh_and_russian():
    text = printing.Texts(TEXTS)
    assert text("hello", "kk", who="Айгүл") == "Сәлем Айгүл"
    assert text("hello", "ru", who="Айгүл") == "Привет Айгүл"
    assert text("hello", "en", who="Aigul") == "Hello Aigul"


def test_fmt_date():
    assert printing.fmt_date(dt.date(2025, 12, 31)) == "31.12.2025"
    assert printing.fmt_date(None) == "—"
