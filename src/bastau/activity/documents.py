"""A meeting's minutes (хаттама / протокол) as a printable document (PDF, DOCX) in Kazakh or
Russian.

As `oversight/documents.py`: `gather` reads the meeting once into plain `Minutes`, and
`write_pdf` / `write_docx` render the same facts, so the two formats cannot drift apart.
Every fixed text is an English msgid looked up through gettext under
`translation.override(lang)`, falling back to the Kazakh and Russian written next to it in
`TEXTS`, so the document is right even while the .po files lack these msgids. The PDF embeds
DejaVu Sans (all Kazakh letters).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import IO

from django.db.models import Prefetch
from django.utils.translation import gettext_noop

from bastau.core.printing import CONTENT_TYPES as CONTENT_TYPES
from bastau.core.printing import DOCX_LANG, Texts, add_fonts, fmt_date, normalise_language

from .models import Decision, Instruction, Meeting

LANGUAGES = ("kk", "ru")
FORMATS = ("pdf", "docx")

#: key: (English msgid, Kazakh, Russian).
TEXTS: dict[str, tuple[str, str, str]] = {
    "minutes": (
        gettext_noop("MINUTES No. %(number)s"),
        "№ %(number)s ХАТТАМА",
        "ПРОТОКОЛ № %(number)s",
    ),
    "kind_activists": (
        gettext_noop("Meeting of the party activists"),
        "Партия активінің жиналысы",
        "Собрание партийного актива",
    ),
    "kind_political_council": (
        gettext_noop("Session of the political council"),
        "Саяси кеңестің отырысы",
        "Заседание политического совета",
    ),
    "kind_conference": (gettext_noop("Conference"), "Конференция", "Конференция"),
    "kind_poo_meeting": (
        gettext_noop("Meeting of the primary party organization"),
        "Бастауыш партия ұйымының жиналысы",
        "Собрание первичной партийной организации",
    ),
    "date": (gettext_noop("Date"), "Өткізілген күні", "Дата проведения"),
    "place": (gettext_noop("Place"), "Өткізілген орны", "Место проведения"),
    "chair": (gettext_noop("Chair"), "Төраға", "Председатель"),
    "present": (gettext_noop("Present"), "Қатысқандар", "Присутствовали"),
    "total": (gettext_noop("In all: %(count)s"), "Барлығы: %(count)s", "Всего: %(count)s"),
    "named": (gettext_noop("Named participants"), "Қатысушылар", "Поимённо"),
    "agenda": (gettext_noop("AGENDA"), "КҮН ТӘРТІБІ", "ПОВЕСТКА ДНЯ"),
    "speakers": (gettext_noop("Speakers"), "Баяндамашылар", "Докладчики"),
    "heard": (gettext_noop("HEARD"), "ТЫҢДАЛДЫ", "СЛУШАЛИ"),
    "decided": (gettext_noop("DECIDED"), "ҚАУЛЫ ЕТТІ", "ПОСТАНОВИЛИ"),
    "admission": (
        gettext_noop("Admission to the party: %(name)s"),
        "Партияға қабылдау: %(name)s",
        "Приём в партию: %(name)s",
    ),
    "candidate": (
        gettext_noop("Nominated candidate: %(name)s"),
        "Ұсынылған кандидат: %(name)s",
        "Выдвинутый кандидат: %(name)s",
    ),
    "instructions": (
        gettext_noop("Instructions given"),
        "Берілген тапсырмалар",
        "Данные поручения",
    ),
    "instruction_line": (
        gettext_noop("%(text)s Responsible: %(who)s. Deadline: %(deadline)s."),
        "%(text)s Жауаптылар: %(who)s. Мерзімі: %(deadline)s.",
        "%(text)s Ответственные: %(who)s. Срок: %(deadline)s.",
    ),
    "no_agenda": (
        gettext_noop("No agenda items are recorded."),
        "Күн тәртібінің мәселелері енгізілмеген.",
        "Вопросы повестки дня не внесены.",
    ),
    "sign_chair": (
        gettext_noop("Chair of the meeting"),
        "Жиналыс төрағасы",
        "Председатель собрания",
    ),
    "sign_secretary": (gettext_noop("Secretary"), "Хатшы", "Секретарь"),
    "page": (
        gettext_noop("Page %(page)s of %(pages)s"),
        "%(pages)s беттің %(page)s-беті",
        "Страница %(page)s из %(pages)s",
    ),
}


text = Texts(TEXTS)


@dataclass
class Item:
    number: int
    title: str
    speakers: str
    decisions: list[str] = field(default_factory=list)
    instructions: list[str] = field(default_factory=list)


@dataclass
class Minutes:
    heading: str  # "MINUTES No. 3"
    kind: str
    unit: str
    facts: list[tuple[str, str]]  # (label, value): date, place, chair
    present: list[str]
    items: list[Item]


def _branch_name(branch, lang: str) -> str:
    return branch.name_ru if lang == "ru" and branch.name_ru else branch.name


def _who(instruction: Instruction) -> str:
    names = [u.get_full_name() or u.username for u in instruction.responsible_users.all()]
    names += [b.name for b in instruction.responsible_branches.all()]
    names += [p.name for p in instruction.responsible_poos.all()]
    return ", ".join(names) or "—"


def gather(meeting: Meeting, lang: str) -> Minutes:
    lang = normalise_language(lang, LANGUAGES)
    unit = _branch_name(meeting.branch, lang)
    if meeting.poo_id:
        unit = f"{meeting.poo.name} ({unit})"
    facts = [(text("date", lang), fmt_date(meeting.date))]
    if meeting.place:
        facts.append((text("place", lang), meeting.place))
    facts.append((text("chair", lang), meeting.chair_display or "—"))
    groups = list(meeting.participant_groups.all())
    present = [f"{g.category}: {g.count}" for g in groups]
    if groups:
        present.append(text("total", lang, count=sum(g.count for g in groups)))
    named = [m.full_name for m in meeting.attendees.order_by("last_name", "first_name")]
    if named:
        present.append(f"{text('named', lang)}: {', '.join(named)}")
    agenda = meeting.agenda_items.prefetch_related(
        "speakers",
        Prefetch("decisions", queryset=Decision.objects.select_related("admission", "candidate")),
        Prefetch(
            "instructions",
            queryset=Instruction.objects.exclude(status=Instruction.Status.CANCELLED)
            .prefetch_related("responsible_users", "responsible_branches", "responsible_poos")
            .order_by("deadline", "id"),
        ),
    )
    items = []
    for item in agenda:
        speakers = [s.full_name for s in item.speakers.all()]
        if item.speakers_text:
            speakers.append(item.speakers_text)
        decisions = []
        for d in item.decisions.all():
            line = d.text
            if d.admission_id:
                a = d.admission
                name = " ".join(p for p in (a.last_name, a.first_name, a.patronymic) if p)
                line += " " + text("admission", lang, name=name)
            if d.candidate_id:
                line += " " + text("candidate", lang, name=d.candidate.name)
            decisions.append(line)
        instructions = [
            text(
                "instruction_line",
                lang,
                text=i.text.rstrip(".") + ".",
                who=_who(i),
                deadline=fmt_date(i.deadline),
            )
            for i in item.instructions.all()
        ]
        items.append(Item(item.position, item.title, ", ".join(speakers), decisions, instructions))
    return Minutes(
        heading=text("minutes", lang, number=meeting.number or "___"),
        kind=text(f"kind_{meeting.kind}", lang),
        unit=unit,
        facts=facts,
        present=present,
        items=items,
    )


def write_pdf(minutes: Minutes, lang: str, out: IO[bytes]) -> None:
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
    pdf.set_title(f"{minutes.heading}: {minutes.kind}")
    pdf.set_creator("Bastau")
    pdf.set_lang(DOCX_LANG.get(lang, "kk-KZ"))
    pdf.add_page()
    nl = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}

    def para(value: str, *, bold=False, size=10.5, align="L", height=5.5):
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, height, value, align=align, **nl)

    para(minutes.heading, bold=True, size=13, align="C", height=7)
    para(minutes.kind, bold=True, size=12, align="C", height=6.5)
    para(minutes.unit, align="C")
    pdf.ln(3)
    for label, value in minutes.facts:
        para(f"{label}: {value}")
    if minutes.present:
        pdf.ln(2)
        para(f"{text('present', lang)}:", bold=True)
        for line in minutes.present:
            para(line)
    pdf.ln(3)
    para(text("agenda", lang), bold=True, align="C")
    if not minutes.items:
        para(text("no_agenda", lang))
    for item in minutes.items:
        para(f"{item.number}. {item.title}")
    for item in minutes.items:
        pdf.ln(3)
        para(f"{item.number}. {item.title}", bold=True)
        if item.speakers:
            para(f"{text('heard', lang)}: {item.speakers}")
        if item.decisions:
            para(f"{text('decided', lang)}:", bold=True)
            for n, line in enumerate(item.decisions, start=1):
                para(f"{item.number}.{n}. {line}")
        if item.instructions:
            para(f"{text('instructions', lang)}:", bold=True)
            for line in item.instructions:
                para(f"— {line}")
    pdf.ln(10)
    para(f"{text('sign_chair', lang)}  ____________________")
    pdf.ln(4)
    para(f"{text('sign_secretary', lang)}  ____________________")
    pdf.output(out)


def write_docx(minutes: Minutes, lang: str, out: IO[bytes]) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(15)
    section.top_margin, section.bottom_margin = Mm(15), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    rpr = style.element.get_or_add_rPr()
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang_el)
    lang_el.set(qn("w:val"), DOCX_LANG.get(lang, "kk-KZ"))
    doc.core_properties.title = f"{minutes.heading}: {minutes.kind}"
    doc.core_properties.language = DOCX_LANG.get(lang, "kk-KZ")

    def para(value: str, *, bold=False, center=False, size=None):
        p = doc.add_paragraph()
        run = p.add_run(value)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return p

    para(minutes.heading, bold=True, center=True, size=14)
    para(minutes.kind, bold=True, center=True, size=13)
    para(minutes.unit, center=True)
    for label, value in minutes.facts:
        para(f"{label}: {value}")
    if minutes.present:
        para(f"{text('present', lang)}:", bold=True)
        for line in minutes.present:
            para(line)
    para(text("agenda", lang), bold=True, center=True)
    if not minutes.items:
        para(text("no_agenda", lang))
    for item in minutes.items:
        para(f"{item.number}. {item.title}")
    for item in minutes.items:
        para(f"{item.number}. {item.title}", bold=True)
        if item.speakers:
            para(f"{text('heard', lang)}: {item.speakers}")
        if item.decisions:
            para(f"{text('decided', lang)}:", bold=True)
            for n, line in enumerate(item.decisions, start=1):
                para(f"{item.number}.{n}. {line}")
        if item.instructions:
            para(f"{text('instructions', lang)}:", bold=True)
            for line in item.instructions:
                para(f"— {line}")
    doc.add_paragraph()
    para(f"{text('sign_chair', lang)}  ____________________")
    para(f"{text('sign_secretary', lang)}  ____________________")
    doc.save(out)


def write_minutes(meeting: Meeting, lang: str, fmt: str, out: IO[bytes]) -> None:
    lang = normalise_language(lang, LANGUAGES)
    minutes = gather(meeting, lang)
    (write_pdf if fmt == "pdf" else write_docx)(minutes, lang, out)
