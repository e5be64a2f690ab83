"""A meeting's minutes as DOCX and PDF, in Kazakh and Russian: python-docx reads the DOCX
back, and the PDF's text (decoded through its embedded ToUnicode maps) holds the agenda."""

import contextlib
import io
import re
import zlib

import pytest
from django.urls import reverse
from docx import Document

from bastau.activity import documents

from ..factories.activity import build

pytestmark = pytest.mark.django_db


def _unescape(raw: bytes) -> bytes:
    """A PDF literal string's bytes, escapes resolved."""
    out, i = bytearray(), 0
    simple = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    while i < len(raw):
        c = raw[i : i + 1]
        if c != b"\\":
            out += c
            i += 1
            continue
        nxt = raw[i + 1 : i + 2]
        if nxt in simple:
            out += simple[nxt]
            i += 2
        elif nxt.isdigit():
            digits = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4]).group(0)
            out.append(int(digits, 8))
            i += 1 + len(digits)
        else:
            out += nxt
            i += 2
    return bytes(out)


def pdf_texts(data: bytes) -> list[str]:
    """Every shown string of the PDF, decoded with each embedded font's ToUnicode map."""
    streams = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        body = m.group(1)
        with contextlib.suppress(zlib.error):
            body = zlib.decompress(body)
        streams.append(body)
    cmaps = []
    for body in streams:
        if b"beginbfchar" in body:
            pairs = re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4,8})>", body)
            cmaps.append({int(a, 16): chr(int(b, 16)) for a, b in pairs})
    texts = []
    for body in streams:
        for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", body, re.S):
            codes = _unescape(raw)
            glyphs = [int.from_bytes(codes[k : k + 2], "big") for k in range(0, len(codes) - 1, 2)]
            texts.extend("".join(cmap.get(g, "?") for g in glyphs) for cmap in cmaps)
    return texts


def _get(client, meeting, lang, fmt):
    return client.get(reverse("activity:meeting_minutes", args=[meeting.pk, lang, fmt]))


@pytest.mark.parametrize(
    ("lang", "heading", "kind", "decided"),
    [
        ("kk", "№ 7 ХАТТАМА", "Партия активінің жиналысы", "ҚАУЛЫ ЕТТІ"),
        ("ru", "ПРОТОКОЛ № 7", "Собрание партийного актива", "ПОСТАНОВИЛИ"),
    ],
)
def test_minutes_docx(client, world, lang, heading, kind, decided):
    w = build(world)
    client.force_login(w.secretary)
    response = _get(client, w.meeting, lang, "docx")
    assert response.status_code == 200
    assert response["Content-Type"] == documents.CONTENT_TYPES["docx"]
    assert f"minutes-{w.meeting.pk}-{lang}.docx" in response["Content-Disposition"]
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(p.text for p in doc.paragraphs)
    for expected in (
        heading,
        kind,
        decided,
        "1. Праймериз қорытындысы туралы",
        "Ақпарат назарға алынсын.",
        "БПҰ төрағалары: 45",
        w.members[1].full_name,  # chair and speaker
        w.members[2].full_name,  # named participant
        "Праймериз бойынша түсіндіру жұмысын ұйымдастыру",
        "Қандыағаш, мәдениет үйі",
    ):
        assert expected in text, expected
    assert doc.core_properties.language == {"kk": "kk-KZ", "ru": "ru-RU"}[lang]


@pytest.mark.parametrize(("lang", "heading"), [("kk", "№ 7 ХАТТАМА"), ("ru", "ПРОТОКОЛ № 7")])
def test_minutes_pdf(client, world, lang, heading):
    w = build(world)
    client.force_login(w.secretary)
    response = _get(client, w.meeting, lang, "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF") and len(data) > 1000
    texts = pdf_texts(data)
    assert any("Праймериз қорытындысы туралы" in t for t in texts)
    assert any(heading in t for t in texts)
    assert any("Ақпарат назарға алынсын." in t for t in texts)


def test_poo_minutes_name_the_admitted_applicant(client, world):
    w = build(world)
    client.force_login(w.leader)
    response = _get(client, w.poo_meeting, "ru", "docx")
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Приём в партию: Серікова Әсел" in text
    assert "Собрание первичной партийной организации" in text


def test_unknown_language_or_format_is_404(client, world):
    w = build(world)
    client.force_login(w.secretary)
    assert _get(client, w.meeting, "en", "pdf").status_code == 404
    assert _get(client, w.meeting, "kk", "xlsx").status_code == 404


def test_minutes_of_an_empty_meeting(world):
    """No agenda, no participants: the document still renders and says so."""
    from bastau.accounts.scoping import Scope
    from bastau.activity import services

    meeting = services.create_meeting(
        Scope(world.admin), kind="conference", branch=world.district, date=world.member.joined_on,
        chair_name="Төраға",
    )  # fmt: skip
    out = io.BytesIO()
    documents.write_minutes(meeting, "kk", "docx", out)
    text = "\n".join(p.text for p in Document(io.BytesIO(out.getvalue())).paragraphs)
    assert "Күн тәртібінің мәселелері енгізілмеген." in text and "№ ___ ХАТТАМА" in text
    out = io.BytesIO()
    documents.write_minutes(meeting, "ru", "pdf", out)
    assert any("Вопросы повестки дня не внесены." in t for t in pdf_texts(out.getvalue()))
