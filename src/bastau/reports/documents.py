"""The branch report printed: DOCX (editable), PDF and an XLSX of every figure, in Kazakh or
Russian. Charts (bars, the monthly trend, the age pyramid) are drawn as PNG images with Pillow
in DejaVu Sans, which carries every Kazakh letter, and embedded in the DOCX and the PDF.
"""

from __future__ import annotations

import io
import logging
from decimal import Decimal
from typing import IO

from PIL import Image, ImageDraw, ImageFont

from bastau.core.printing import DOCX_LANG, FONT_BOLD, FONT_REGULAR, add_fonts, fmt_date
from bastau.lib.numerals import fmt

from . import wording
from .figures import Chart, Figure, Report
from .texts import definition, text

LANGUAGES = ("kk", "ru")
COLOURS = [(30, 96, 160), (200, 80, 60), (90, 150, 70), (150, 110, 180)]


def value_text(f: Figure, value=None) -> str:
    value = f.value if value is None else value
    if value is None:
        return "—"
    if f.kind == "share":
        return f"{fmt(Decimal(value))}%"
    return fmt(value)


def heading(report: Report, lang: str) -> tuple[str, str]:
    place = report.place_name(lang) if report.place.kind != "region" else ""
    title = text("title", lang)
    if report.place.kind == "region":
        title = f"{title}: {report.place_name(lang) or text('region', lang)}"
    elif place:
        title = f"{title}: {place}"
    span = (
        f"{text('period', lang)}: {fmt_date(report.period.start)} – {fmt_date(report.period.end)}; "
        f"{text('comparison', lang)}: {fmt_date(report.comparison.start)} – "
        f"{fmt_date(report.comparison.end)}"
    )
    return title, span


def figure_rows(report: Report, lang: str):
    """(section title, [(label, value, previous, definition, figure)]) for every section."""
    for section in report.sections:
        rows = []
        for f in section.figures:
            previous = value_text(f, f.previous) if f.previous is not None else ""
            rows.append((text(f.key, lang), value_text(f), previous, definition(f.key, lang), f))
        yield section, text(section.key, lang), rows


# Charts ------------------------------------------------------------------------------------
def _font(size: int, bold: bool = False):
    return ImageFont.truetype(str(FONT_BOLD if bold else FONT_REGULAR), size)


def chart_png(chart: Chart, lang: str, width: int = 1200) -> bytes:
    """One chart as a PNG: horizontal bars, a pyramid (men left, women right) or a monthly
    trend (two series as paired columns)."""
    labels = [
        text(x, lang) if x in ("on_time", "late", "overdue", "open") else x for x in chart.labels
    ]
    rows = len(labels)
    small, regular = _font(20), _font(24, bold=True)
    row_h = 34
    top = 60
    if chart.kind == "trend":
        height = 420
    else:
        height = top + rows * row_h + 40
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    draw.text((20, 14), text(chart.key, lang), font=regular, fill=(0, 0, 0))
    series = chart.series
    peak = max([v for _k, values in series for v in values] + [1])
    if chart.kind == "pyramid":
        mid = width // 2
        half = mid - 120
        (_m, men), (_w, women) = series
        for i, label in enumerate(labels):
            y = top + i * row_h
            lm = int(half * men[i] / peak)
            lw = int(half * women[i] / peak)
            draw.rectangle([mid - 50 - lm, y, mid - 50, y + row_h - 8], fill=COLOURS[0])
            draw.rectangle([mid + 50, y, mid + 50 + lw, y + row_h - 8], fill=COLOURS[1])
            draw.text((mid - 40, y), label, font=small, fill=(0, 0, 0))
            draw.text(
                (mid - 60 - lm - 10 * len(fmt(men[i])), y), fmt(men[i]), font=small, fill=(0, 0, 0)
            )
            draw.text((mid + 60 + lw, y), fmt(women[i]), font=small, fill=(0, 0, 0))
        draw.text((20, height - 34), text("men", lang), font=small, fill=COLOURS[0])
        draw.text((width - 160, height - 34), text("women", lang), font=small, fill=COLOURS[1])
    elif chart.kind == "trend":
        base = height - 70
        span = base - top
        n = max(rows, 1)
        slot = (width - 80) / n
        for i, label in enumerate(labels):
            x = 60 + i * slot
            for s, (_key, values) in enumerate(series):
                h = int(span * values[i] / peak)
                bw = slot / (len(series) + 1)
                x0 = x + s * bw
                draw.rectangle([x0, base - h, x0 + bw - 2, base], fill=COLOURS[s % len(COLOURS)])
            draw.text((x, base + 8), label[:7], font=_font(14), fill=(0, 0, 0))
        for s, (key, _values) in enumerate(series):
            draw.text(
                (60 + s * 300, height - 34),
                text(key, lang),
                font=small,
                fill=COLOURS[s % len(COLOURS)],
            )
    else:
        label_w = 420
        bar_w = width - label_w - 140
        (_key, values) = series[0]
        for i, label in enumerate(labels):
            y = top + i * row_h
            draw.text((20, y), label[:38], font=small, fill=(0, 0, 0))
            w = int(bar_w * values[i] / peak)
            draw.rectangle([label_w, y, label_w + w, y + row_h - 8], fill=COLOURS[0])
            draw.text((label_w + w + 10, y), fmt(values[i]), font=small, fill=(0, 0, 0))
    out = io.BytesIO()
    img.save(out, "PNG", optimize=False)
    return out.getvalue()


# DOCX --------------------------------------------------------------------------------------
def write_docx(report: Report, lang: str, out: IO[bytes]) -> None:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin, sec.right_margin = Mm(20), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)
    rpr = style.element.get_or_add_rPr()
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang_el)
    lang_el.set(qn("w:val"), DOCX_LANG.get(lang, "kk-KZ"))
    title, span = heading(report, lang)
    doc.core_properties.title = title
    doc.core_properties.language = DOCX_LANG.get(lang, "kk-KZ")
    doc.add_heading(title, level=0)
    doc.add_paragraph(span)
    for section, section_title, rows in figure_rows(report, lang):
        doc.add_heading(section_title, level=1)
        for sentence in wording.sentences(section.key, section.facts, lang):
            doc.add_paragraph(sentence)
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        head = table.rows[0].cells
        for cell, key in zip(head, ("figure", "value", "previous", "definition"), strict=True):
            cell.text = text(key, lang)
        for label, value, previous, defn, _f in rows:
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text, cells[3].text = (
                label,
                value,
                previous,
                defn,
            )
        for chart in section.charts:
            doc.add_picture(io.BytesIO(chart_png(chart, lang)), width=Mm(170))
    doc.save(out)


# PDF ---------------------------------------------------------------------------------------
def write_pdf(report: Report, lang: str, out: IO[bytes]) -> None:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    add_fonts(pdf)
    title, span = heading(report, lang)
    pdf.set_title(title)
    pdf.set_creator("Bastau")
    pdf.set_lang(DOCX_LANG.get(lang, "kk-KZ"))
    pdf.add_page()
    nl = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}

    def para(value: str, *, bold=False, size=10, height=5.2):
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, height, value, **nl)

    para(title, bold=True, size=15, height=8)
    para(span, size=9)
    for section, section_title, rows in figure_rows(report, lang):
        pdf.ln(3)
        para(section_title, bold=True, size=12.5, height=7)
        for sentence in wording.sentences(section.key, section.facts, lang):
            para(sentence)
        pdf.ln(1)
        pdf.set_font("DejaVu", "", 8)
        with pdf.table(col_widths=(45, 22, 22, 88), line_height=4.2) as table:
            table.row([text(k, lang) for k in ("figure", "value", "previous", "definition")])
            for label, value, previous, defn, _f in rows:
                table.row([label, value, previous, defn])
        for chart in section.charts:
            pdf.ln(2)
            pdf.image(io.BytesIO(chart_png(chart, lang)), w=170)
    pdf.output(out)


# XLSX --------------------------------------------------------------------------------------
def write_xlsx(report: Report, lang: str, out: IO[bytes]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = text("title", lang)[:31]
    title, span = heading(report, lang)
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([span])
    ws.append([])
    ws.append([text(k, lang) for k in ("section", "figure", "value", "previous", "definition")])
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for _section, section_title, rows in figure_rows(report, lang):
        for label, _value, _previous, defn, f in rows:
            value = f.value
            previous = f.previous
            if isinstance(value, Decimal):
                value = float(value)
            if isinstance(previous, Decimal):
                previous = float(previous)
            ws.append([section_title, label, value, previous, defn])
    for col, width in zip("ABCDE", (30, 40, 12, 12, 90), strict=True):
        ws.column_dimensions[col].width = width
    wb.save(out)


WRITERS = {"docx": write_docx, "pdf": write_pdf, "xlsx": write_xlsx}
