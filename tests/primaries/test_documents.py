"""The results protocol (PDF, DOCX in Kazakh and Russian), the results workbook and who may
download them (primaries/documents.py, views/documents.py)."""

import contextlib
import io
import re
import zlib

import pytest
from django.urls import reverse

from bastau.accounts.scoping import Scope
from bastau.core.models import AuditEvent
from bastau.primaries import documents, services
from bastau.primaries.models import Campaign, Candidate

from ..factories.primaries import voter_user

KAZAKH_LETTERS = "әғқңөұүі"
#: c2 5, c6 4, c4 3, c1 2, c3 1, c5 0, one blank: four places need two women (c1, c3), so
#: both stand above c4, who has more votes: two departures from the vote order.
BALLOTS = [
    ["c2", "c4", "c6"],
    ["c2", "c4", "c6"],
    ["c2", "c4", "c6"],
    ["c1", "c2", "c6"],
    ["c1", "c2", "c3"],
    [],
]


def count(election, *, publish=True, paper=True):
    """Vote (online, and two paper ballots), close, and optionally publish the results."""
    campaign = election.campaign
    Candidate.objects.filter(pk=election.candidates[0].pk).update(name="Әсел Қайратқызы Нұрланова")
    Candidate.objects.filter(pk=election.candidates[2].pk).update(name="Гүлнұр Сәкенқызы Өтегенова")
    services.advance(election.scope, campaign)  # -> voting
    campaign.refresh_from_db()
    for i, choices in enumerate(BALLOTS):
        services.cast_online(voter_user(election.voters[4 + i]), campaign, choices)
    services.seal(campaign)
    if paper:
        poo = election.voters[3].poo
        voters = [v.pk for v in election.voters[12:] if v.poo_id == poo.pk][:2]
        ballots = [["c5"], ["c5", "c6"]]
        batch = services.submit_paper_entry(
            Scope(election.chair), campaign, poo=poo, voter_ids=voters, ballots=ballots
        )
        services.submit_paper_entry(
            Scope(election.clerk), campaign, poo=poo, voter_ids=voters, ballots=ballots, batch=batch
        )
    services.close_voting(election.scope, campaign)
    campaign.refresh_from_db()
    if publish:
        services.publish_results(election.scope, campaign)
        campaign.refresh_from_db()
    return campaign


def pdf_text_codepoints(data: bytes) -> set[str]:
    """The characters the PDF's embedded fonts map to (from the ToUnicode CMaps)."""
    found = set()
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        raw = match.group(1)
        with contextlib.suppress(zlib.error):
            raw = zlib.decompress(raw)
        if b"beginbfchar" in raw or b"beginbfrange" in raw:
            for code in re.findall(rb"<([0-9A-Fa-f]{4})>", raw):
                found.add(chr(int(code, 16)))
    return found


@pytest.fixture
def published(election):
    return count(election)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_pdf_protocol_embeds_a_font_with_the_kazakh_letters(election, published, lang):
    out = io.BytesIO()
    documents.write_protocol(published, lang, "pdf", out)
    data = out.getvalue()
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data and b"DejaVuSans" in data  # embedded, not a system font
    chars = pdf_text_codepoints(data)
    # Names hold Kazakh letters in both languages; the Kazakh protocol's own texts hold more.
    assert set("ӘҚқұүӨә") <= chars
    if lang == "kk":
        assert set(KAZAKH_LETTERS) <= chars, set(KAZAKH_LETTERS) - chars
        assert set("хаттама") <= chars
    else:
        assert set("Протокл") <= chars


def docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_docx_protocol_has_the_results_the_list_and_the_signature_block(election, published, lang):
    out = io.BytesIO()
    documents.write_protocol(published, lang, "docx", out)
    body = docx_text(out.getvalue())
    for candidate in Candidate.objects.filter(campaign=published):
        assert candidate.name in body
    for key in ("title", "signatures", "signature", "role_chair", "role_secretary", "quota_check"):
        assert documents.text(key, lang) in body, key
    chair = election.chair.member.full_name
    assert chair in body and election.clerk.member.full_name in body
    # Figures: 8 ballots (6 online, 2 paper), 1 blank.
    assert documents.text("ballots", lang) in body
    # The board binds the protocol to the public record.
    last = services.checkpoints_of(published)[-1]
    assert last.hash() in body and published.tally["signature"] in body
    assert published.public_key in body
    # Both departures are explained in the protocol's own language, naming the quota.
    women = documents.text("women", lang)
    assert body.count(women) >= 2
    if lang == "kk":
        assert "Дауыс беру қорытындылары туралы сайлау комиссиясының хаттамасы" in body
        assert "3-орын: әйелдер квотасын сақтау үшін Әсел Қайратқызы Нұрланова" in body
        assert "(қолы)" in body and "Төраға" in body and "Хатшы" in body
    else:
        assert "Протокол избирательной комиссии об итогах голосования" in body
        assert "Позиция 3: Әсел Қайратқызы Нұрланова поставлен(а) выше" in body
        assert "(подпись)" in body and "Председатель" in body and "Секретарь" in body
    assert "placed before" not in body  # never the builder's English sentence


def test_protocol_language_does_not_follow_the_interface(election, published, settings):
    from django.utils import translation

    with translation.override("en"):
        out = io.BytesIO()
        documents.write_protocol(published, "ru", "docx", out)
    assert "Протокол избирательной комиссии" in docx_text(out.getvalue())


def test_texts_fall_back_to_the_explicit_kk_ru_words():
    for key, (english, kazakh, russian) in documents.TEXTS.items():
        assert documents.text(key, "kk") and documents.text(key, "ru"), key
        assert documents.text(key, "en") == english
        # the Kazakh words hold Kazakh, the Russian words Russian, never the English
        assert kazakh != english and russian != english, key


def test_results_workbook(election, published):
    from openpyxl import load_workbook

    out = io.BytesIO()
    documents.write_results(published, "kk", out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    assert len(book.sheetnames) == 3
    summary, candidates, listing = (book[name] for name in book.sheetnames)
    assert summary.title == "Жиынтық" and candidates.title == "Кандидаттар"
    rows = list(candidates.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == [1, 2, 3, 4, 5, 6]  # rank
    assert rows[0][3] == Candidate.objects.get(campaign=published, number=2).name
    assert rows[0][6] == 5  # c2's votes
    names = [r[1] for r in listing.iter_rows(min_row=3, max_row=6, values_only=True)]
    assert "Әсел Қайратқызы Нұрланова" in names and len(names) == 4


def test_infeasible_list_is_explained(election):
    Campaign.objects.filter(pk=election.campaign.pk).update(list_length=6)
    election.campaign.refresh_from_db()
    campaign = count(election, paper=False)
    Campaign.objects.filter(pk=campaign.pk).update(quota_rules=Campaign.Rules.CUSTOM)
    campaign.custom_rules = {
        "id": "women-80",
        "groups": [{"id": "women", "min_share": 80, "predicate": {"kind": "woman"}}],
    }
    Campaign.objects.filter(pk=campaign.pk).update(custom_rules=campaign.custom_rules)
    campaign.refresh_from_db()
    services.build_lists(election.scope, campaign)
    out = io.BytesIO()
    documents.write_protocol(campaign, "ru", "docx", out)
    body = docx_text(out.getvalue())
    assert "Невозможно составить список из 6 мест, соблюдающий квоты." in body
    assert "женщины: требуется не менее 5; подходящих кандидатов: 3." in body


# Downloads --------------------------------------------------------------------------------
def url(campaign, lang="kk", fmt="pdf"):
    return reverse("primaries:protocol", args=[campaign.slug, lang, fmt])


def test_no_documents_before_the_count(client, world, election):
    services.advance(election.scope, election.campaign)  # voting
    client.force_login(world.secretary)  # an organiser
    assert client.get(url(election.campaign)).status_code == 404
    assert (
        client.get(reverse("primaries:results_xlsx", args=[election.campaign.slug])).status_code
        == 404
    )


def test_counted_but_unpublished_only_for_commission_and_organisers(client, world, election):
    campaign = count(election, publish=False)
    assert campaign.status == Campaign.Status.COUNTING
    client.force_login(world.member_user)
    assert client.get(url(campaign)).status_code == 403
    assert client.get(reverse("primaries:results_xlsx", args=[campaign.slug])).status_code == 403
    client.logout()
    response = client.get(url(campaign))
    assert response.status_code == 302 and "login" in response["Location"]
    for user in (election.chair, world.secretary):
        client.force_login(user)
        response = client.get(url(campaign, "ru", "docx"))
        assert response.status_code == 200
        assert response["Content-Type"] == documents.CONTENT_TYPES["docx"]
        assert "test-reserve-protocol-ru.docx" in response["Content-Disposition"]
        assert (
            "Рабочий экземпляр".lower() in docx_text(b"".join(response.streaming_content)).lower()
        )


def test_published_documents_for_everyone_who_sees_the_campaign(client, world, election):
    campaign = count(election)
    client.force_login(world.member_user)
    response = client.get(url(campaign, "kk", "pdf"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.get(action="campaign.protocol_downloaded")
    assert event.actor == world.member_user and event.data["language"] == "kk"
    response = client.get(reverse("primaries:results_xlsx", args=[campaign.slug]) + "?lang=ru")
    assert response.status_code == 200
    assert response["Content-Type"] == documents.CONTENT_TYPES["xlsx"]
    assert AuditEvent.objects.filter(action="campaign.results_downloaded").count() == 1
    client.logout()
    assert client.get(url(campaign, "ru", "docx")).status_code == 200
    assert client.get(f"/primaries/{campaign.slug}/protocol-en.pdf").status_code == 404
    assert client.get(f"/primaries/{campaign.slug}/protocol-kk.odt").status_code == 404
