"""A programme version printed in Kazakh or Russian, as DOCX and PDF (as activity/documents.py:
`gather` reads the version once into plain facts, both writers render the same facts)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext_noop

from bastau.core.printing import CONTENT_TYPES as CONTENT_TYPES
from bastau.core.printing import DOCX_LANG, Texts, add_fonts, fmt_date, normalise_language

from .models import ProgrammeVersion

LANGUAGES = ("kk", "ru")
FORMATS = ("pdf", "docx")

TEXTS: dict[str, tuple[str, str, str]] = {
    "heading": (
        gettext_noop("PRE-ELECTION PROGRAMME"),
        "САЙЛАУАЛДЫ БАҒДАРЛАМА",
        "ПРЕДВЫБОРНАЯ ПРОГРАММА",
    ),
    "version": (gettext_noop("Version %(number)s"), "%(number)s-нұсқа", "Версия %(number)s"),
    "adopted": (
        gettext_noop("Adopted on %(date)s by the decision of the meeting: %(meeting)s"),
        "%(date)s жиналыс шешімімен қабылданды: %(meeting)s",
        "Принята %(date)s решением собрания: %(meeting)s",
    ),
    "draft": (gettext_noop("Draft"), "Жоба", "Проект"),
    "indicator": (gettext_noop("Indicator"), "Көрсеткіш", "Показатель"),
    "target": (gettext_noop("Target"), "Мақсатты мән", "Целевое значение"),
    "deadline": (gettext_noop("Deadline"), "Мерзімі", "Срок"),
    "responsible": (gettext_noop("Responsible"), "Жауапты", "Ответственный"),
    "cost": (
        gettext_noop("Cost, thousand tenge"),
        "Құны, мың теңге",
        "Стоимость, тыс. тенге",
    ),
    "issues": (gettext_noop("Issues it answers"), "Шешетін мәселелер", "Решаемые проблемы"),
    "district": (gettext_noop("District"), "Аудан", "Район"),
    "page": (
        gettext_noop("Page %(page)s of %(pages)s"),
        "%(pages)s беттің %(page)s-беті",
        "Страница %(page)s из %(pages)s",
    ),
}
text = Texts(TEXTS)


@dataclass
class Printed:
    heading: str
    title: str
    unit: str
    status: str
    items: list[tuple[str, list[tuple[str, str]]]]  # (numbered title, [(label, value)])


def _iso(value: str) -> str:
    try:
        return fmt_date(dt.date.fromisoformat(value))
    except (TypeError, ValueError):
        return value or "—"


def gather(version: ProgrammeVersion, lang: str) -> Printed:
    lang = normalise_language(lang, LANGUAGES)
    programme = version.programme
    branch = programme.branch
    title = programme.title_ru if lang == "ru" and programme.title_ru else programme.title
    unit = branch.name_ru if lang == "ru" and branch.name_ru else branch.name
    if version.adopted_on and version.agenda_item_id:
        meeting = version.agenda_item.meeting
        label = f"{meeting.number or '—'}, {fmt_date(meeting.date)}"
        status = text("adopted", lang, date=fmt_date(version.adopted_on), meeting=label)
    else:
        status = text("draft", lang)
    status = f"{text('version', lang, number=version.number)}. {status}"
    rows = []
    for n, item in enumerate(version.items, start=1):
        name = item["title_ru"] if lang == "ru" and item.get("title_ru") else item["title"]
        facts = [
            (text("indicator", lang), item["indicator"]),
            (text("target", lang), item["target"]),
            (text("deadline", lang), _iso(item["deadline"])),
            (text("responsible", lang), item["responsible"]),
        ]
        if item.get("cost"):
            facts.append((text("cost", lang), item["cost"]))
        if item.get("district"):
            facts.append((text("district", lang), item["district"]))
        if item.get("issues"):
            facts.append((text("issues", lang), "; ".join(item["issues"])))
        rows.append((f"{n}. {name}", facts))
    return Printed(text("heading", lang), title, unit, status, rows)


def write_pdf(doc: Printed, lang: str, out: IO[bytes]) -> None:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    page_label = text("page", lang, page="{page}", pages="{nb}")

    class Doc(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font("DejaVu", "", 7)
            self.cell(0, 5, page_label.replace("{page}", str(self.page_no())), align="R")

    pdf = Doc(format="A4")
    pdf.set_margins(20, 15, 15)
    pdf.set_auto_page_break(True, margin=16)
    add_fonts(pdf)
    pdf.set_title(f"{doc.heading}: {doc.title}")
    pdf.set_creator("Bastau")
    pdf.set_lang(DOCX_LANG.get(lang, "kk-KZ"))
    pdf.add_page()
    nl = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}

    def para(value: str, *, bold=False, size=10.5, align="L", height=5.5):
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, height, value, align=align, **nl)

    para(doc.heading, bold=True, size=13, align="C", height=7)
    para(doc.title, bold=True, size=12, align="C", height=6.5)
    para(doc.unit, align="C")
    para(doc.status, size=9, align="C")
    for title, facts in doc.items:
        pdf.ln(3)
        para(title, bold=True)
        for label, value in facts:
            para(f"{label}: {value}", size=9.5, height=5)
    pdf.output(out)


def write_docx(doc: Printed, lang: str, out: IO[bytes]) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document()
    document.core_properties.title = f"{doc.heading}: {doc.title}"
    document.core_properties.language = DOCX_LANG.get(lang, "kk-KZ")

    def para(value: str, *, bold=False, center=False, size=None):
        p = document.add_paragraph()
        run = p.add_run(value)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return p

    para(doc.heading, bold=True, center=True, size=14)
    para(doc.title, bold=True, center=True, size=13)
    para(doc.unit, center=True)
    para(doc.status, center=True, size=10)
    for title, facts in doc.items:
        para(title, bold=True)
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in facts:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value
    document.save(out)


def write_programme(version: ProgrammeVersion, lang: str, fmt: str, out: IO[bytes]) -> None:
    lang = normalise_language(lang, LANGUAGES)
    printed = gather(version, lang)
    (write_pdf if fmt == "pdf" else write_docx)(printed, lang, out)
