"""The report of a review of members as an editable DOCX, in Kazakh or Russian whatever the
reader's interface language (core.printing: the document language tag and the A4 page)."""

from __future__ import annotations

from typing import IO

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bastau.core.printing import CONTENT_TYPES as CONTENT_TYPES
from bastau.core.printing import DOCX_LANG, fmt_date

LANGUAGES = ("kk", "ru")
#: The changed members listed in the DOCX at most (the XLSX lists them all).
MAX_ROWS = 2000


def write_review_docx(rep, lang: str, out: IO[bytes]) -> None:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    rev = rep.review
    with translation.override(lang):
        doc = Document()
        section = doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        style = doc.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(12)
        rpr = style.element.get_or_add_rPr()
        lang_el = rpr.find(qn("w:lang"))
        if lang_el is None:
            lang_el = rpr.makeelement(qn("w:lang"), {})
            rpr.append(lang_el)
        lang_el.set(qn("w:val"), DOCX_LANG[lang])
        doc.core_properties.language = DOCX_LANG[lang]
        doc.core_properties.title = rev.title

        doc.add_heading(_("Report of the review of members"), level=1)
        doc.add_paragraph(rev.title)
        end = fmt_date(rev.closed_on) if rev.closed_on else _("running")
        doc.add_paragraph(f"{rev.branch.display_name}: {fmt_date(rev.opened_on)} — {end}")
        if rep.unanswered:
            doc.add_paragraph(
                ngettext(
                    "%(n)s member was not reviewed: their record was not changed.",
                    "%(n)s members were not reviewed: their records were not changed.",
                    rep.unanswered,
                )
                % {"n": rep.unanswered}
            )

        doc.add_heading(_("Members by status"), level=2)
        table = doc.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, value in zip(
            table.rows[0].cells, (_("Status"), _("Before"), _("After")), strict=True
        ):
            cell.text = str(value)
        for (label, before), (_label, after) in zip(rep.before, rep.after, strict=True):
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = str(label), str(before), str(after)

        doc.add_heading(_("Answers"), level=2)
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, count in [*rep.answers, (_("Not answered"), rep.unanswered)]:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = str(label), str(count)

        doc.add_heading(_("Members whose record changed"), level=2)
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        header = (_("Name"), _("Primary organization"), _("Answer"), _("Date"))
        for cell, value in zip(table.rows[0].cells, header, strict=True):
            cell.text = str(value)
        for item in rep.changed[:MAX_ROWS]:
            answer = str(item.get_answer_display())
            if item.to_poo_id:
                answer += f" → {item.to_poo.name}"
            if item.reason:
                answer += f" ({item.reason})"
            cells = table.add_row().cells
            cells[0].text = item.member.full_name
            cells[1].text = item.poo.name
            cells[2].text = answer
            cells[3].text = fmt_date(item.answered_on)
        doc.save(out)
