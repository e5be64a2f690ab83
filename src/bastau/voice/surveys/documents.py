"""The printable flyer of a survey: its title and introduction in Kazakh and Russian, and the
QR code of its link (segno), as a PDF through core.printing's embedded fonts."""

from __future__ import annotations

import io
import logging

import segno

from bastau.core.printing import DOCX_LANG, Texts, add_fonts, fmt_date

from .models import Survey

TEXTS = Texts(
    {
        "scan": (
            "Scan the code with your phone's camera, or open the link:",
            "Телефон камерасымен кодты сканерлеңіз немесе сілтемені ашыңыз:",
            "Отсканируйте код камерой телефона или откройте ссылку:",
        ),
        "until": ("Open until %(date)s", "%(date)s дейін ашық", "Открыт до %(date)s"),
        "anonymous": (
            "The survey is anonymous.",
            "Сауалнама жасырын.",
            "Опрос анонимный.",
        ),
    }
)


def qr_png(link: str, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def qr_svg(link: str) -> bytes:
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False)
    return out.getvalue()


def flyer_pdf(survey: Survey, link: str) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=16)
    add_fonts(pdf)
    pdf.set_title(survey.title)
    pdf.set_creator("Bastau")
    pdf.set_lang(DOCX_LANG["kk"])
    pdf.add_page()
    nl = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}

    def para(value: str, *, bold=False, size=11, align="C", height=6):
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, height, value, align=align, **nl)

    for lang, title, intro in (
        ("kk", survey.title, survey.intro),
        ("ru", survey.title_ru, survey.intro_ru),
    ):
        para(title, bold=True, size=16, height=8)
        if intro:
            para(intro)
        para(TEXTS("until", lang, date=fmt_date(survey.closes_on)), size=10)
        if survey.anonymous:
            para(TEXTS("anonymous", lang), size=10)
        pdf.ln(4)
    size = 70
    pdf.image(io.BytesIO(qr_png(link)), x=(pdf.w - size) / 2, w=size, h=size)
    pdf.ln(4)
    for lang in ("kk", "ru"):
        para(TEXTS("scan", lang), size=10)
    para(link, size=10)
    return bytes(pdf.output())
