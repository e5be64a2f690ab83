"""The deputies' reporting schedule as a printable document (PDF, DOCX) in Kazakh or Russian.

As `primaries/documents.py`: `gather` reads the schedule once, `write_pdf` / `write_docx`
render the same rows, so the two formats cannot drift apart. Every fixed text is an English
msgid looked up through gettext under `translation.override(lang)`, falling back to the
Kazakh and Russian written next to it in `TEXTS`, so the document is right even while the
.po files lack these msgids. The PDF embeds DejaVu Sans (all Kazakh letters).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext_noop

from bastau.core.printing import CONTENT_TYPES as CONTENT_TYPES
from bastau.core.printing import DOCX_LANG, Texts, add_fonts, fmt_date, normalise_language

from .models import ReportSchedule, ScheduledReport

LANGUAGES = ("kk", "ru")
FORMATS = ("pdf", "docx")

#: key: (English msgid, Kazakh, Russian).
TEXTS: dict[str, tuple[str, str, str]] = {
    "title": (
        gettext_noop("Schedule of deputies' reports to voters"),
        "Депутаттардың сайлаушылар алдында есеп беру кестесі",
        "График отчётов депутатов перед избирателями",
    ),
    "period": (
        gettext_noop("Period: %(start)s – %(end)s"),
        "Кезеңі: %(start)s – %(end)s",
        "Период: %(start)s – %(end)s",
    ),
    "approved": (
        gettext_noop("Approved on %(date)s by %(who)s"),
        "%(date)s бекітілді, бекіткен: %(who)s",
        "Утверждён %(date)s, утвердил: %(who)s",
    ),
    "approved_line": (
        gettext_noop("APPROVED: ____________________ (signature)   «___» __________ 20__"),
        "БЕКІТЕМІН: ____________________ (қолы)   «___» __________ 20__ ж.",
        "УТВЕРЖДАЮ: ____________________ (подпись)   «___» __________ 20__ г.",
    ),
    "no": ("No.", "№", "№"),
    "deputy": (gettext_noop("Deputy"), "Депутат", "Депутат"),
    "date": (gettext_noop("Date"), "Күні", "Дата"),
    "place": (gettext_noop("Place"), "Өтетін орны", "Место"),
    "audience": (gettext_noop("Audience"), "Аудитория", "Аудитория"),
    "topic": (gettext_noop("Topic"), "Тақырыбы", "Тема"),
    "status": (gettext_noop("Status"), "Мәртебесі", "Статус"),
    "status_scheduled": (gettext_noop("Scheduled"), "Жоспарланған", "Запланирован"),
    "status_postponed": (
        gettext_noop("Postponed (was %(date)s)"),
        "Ауыстырылды (бұрын %(date)s)",
        "Перенесён (был %(date)s)",
    ),
    "status_held": (gettext_noop("Held"), "Өткізілді", "Проведён"),
    "status_missed": (gettext_noop("Missed"), "Өткізілмеді", "Не проведён"),
    "overdue": (gettext_noop("overdue"), "мерзімі өтті", "просрочен"),
    "empty": (
        gettext_noop("No reports are scheduled yet."),
        "Әзірге есеп берулер жоспарланбаған.",
        "Отчёты пока не запланированы.",
    ),
    "page": (
        gettext_noop("Page %(page)s of %(pages)s"),
        "%(pages)s беттің %(page)s-беті",
        "Страница %(page)s из %(pages)s",
    ),
}


text = Texts(TEXTS)


@dataclass
class Row:
    number: int
    deputy: str
    date: str
    place: str
    audience: str
    topic: str
    status: str


@dataclass
class Facts:
    title: str
    maslikhat: str
    period: str
    approved: str
    rows: list[Row]


def _maslikhat_name(maslikhat, lang: str) -> str:
    if lang == "ru" and maslikhat.name_ru:
        return maslikhat.name_ru
    return maslikhat.name


def _status(report: ScheduledReport, lang: str, today: dt.date) -> str:
    if report.status == ScheduledReport.Status.POSTPONED:
        label = text("status_postponed", lang, date=fmt_date(report.first_date))
    else:
        label = text(f"status_{report.status}", lang)
    if report.is_overdue(today):
        label = f"{label}, {text('overdue', lang)}"
    return label


def gather(schedule: ReportSchedule, lang: str, today: dt.date) -> Facts:
    lang = normalise_language(lang, LANGUAGES)
    reports = schedule.reports.select_related("deputy").order_by("date", "time", "id")
    rows = []
    for n, r in enumerate(reports, start=1):
        when = fmt_date(r.date) + (f" {r.time:%H:%M}" if r.time else "")
        rows.append(
            Row(n, r.deputy.full_name, when, r.place, r.audience, r.topic, _status(r, lang, today))
        )
    approver = schedule.approved_by
    who = (approver.get_full_name() or approver.username) if approver else "—"
    return Facts(
        title=schedule.title,
        maslikhat=_maslikhat_name(schedule.maslikhat, lang),
        period=text(
            "period", lang, start=fmt_date(schedule.period_start), end=fmt_date(schedule.period_end)
        ),
        approved=text("approved", lang, date=fmt_date(schedule.approved_on), who=who),
        rows=rows,
    )


COLUMNS = ("no", "deputy", "date", "place", "audience", "topic", "status")


def _cells(row: Row) -> list[str]:
    return [str(row.number), row.deputy, row.date, row.place, row.audience, row.topic, row.status]


def write_pdf(facts: Facts, lang: str, out: IO[bytes]) -> None:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos
    from fpdf.fonts import FontFace

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    page_label = text("page", lang, page="{page}", pages="{nb}")

    class Doc(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font("DejaVu", "", 7)
            self.cell(0, 5, page_label.replace("{page}", str(self.page_no())), align="R")

    pdf = Doc(orientation="landscape", format="A4")
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=16)
    add_fonts(pdf)
    pdf.set_title(f"{text('title', lang)}: {facts.title}")
    pdf.set_creator("Bastau")
    pdf.set_lang(DOCX_LANG.get(lang, "kk-KZ"))
    pdf.add_page()
    nl = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 5, text("approved_line", lang), align="R", **nl)
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 6, text("title", lang), align="C", **nl)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, f"{facts.maslikhat}: {facts.title}", align="C", **nl)
    pdf.set_font("DejaVu", "", 9.5)
    pdf.multi_cell(0, 5, facts.period, align="C", **nl)
    pdf.ln(3)
    if not facts.rows:
        pdf.multi_cell(0, 5, text("empty", lang), **nl)
    else:
        pdf.set_font("DejaVu", "", 8.5)
        heading = FontFace(emphasis="BOLD", fill_color=(236, 236, 236))
        with pdf.table(
            col_widths=(8, 45, 24, 45, 40, 70, 40),
            headings_style=heading,
            line_height=4.5,
            text_align="LEFT",
            repeat_headings=1,
        ) as table:
            head = table.row()
            for key in COLUMNS:
                head.cell(text(key, lang))
            for row in facts.rows:
                cells = table.row()
                for value in _cells(row):
                    cells.cell(value or "—")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 5, facts.approved, **nl)
    pdf.output(out)


def write_docx(facts: Facts, lang: str, out: IO[bytes]) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(12))
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(10)
    rpr = style.element.get_or_add_rPr()
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang_el)
    lang_el.set(qn("w:val"), DOCX_LANG.get(lang, "kk-KZ"))
    doc.core_properties.title = f"{text('title', lang)}: {facts.title}"
    doc.core_properties.language = DOCX_LANG.get(lang, "kk-KZ")

    approved = doc.add_paragraph(text("approved_line", lang))
    approved.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for line, size in ((text("title", lang), 14), (f"{facts.maslikhat}: {facts.title}", 12)):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(line)
        run.bold = True
        run.font.size = Pt(size)
    p = doc.add_paragraph(facts.period)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if not facts.rows:
        doc.add_paragraph(text("empty", lang))
    else:
        table = doc.add_table(rows=1, cols=len(COLUMNS))
        table.style = "Table Grid"
        for cell, key in zip(table.rows[0].cells, COLUMNS, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text(key, lang)).bold = True
        for row in facts.rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, _cells(row), strict=True):
                cell.text = value or "—"
    doc.add_paragraph()
    doc.add_paragraph(facts.approved)
    doc.save(out)


def write_schedule(schedule: ReportSchedule, lang: str, fmt: str, out: IO[bytes], today) -> None:
    lang = normalise_language(lang, LANGUAGES)
    facts = gather(schedule, lang, today)
    (write_pdf if fmt == "pdf" else write_docx)(facts, lang, out)
