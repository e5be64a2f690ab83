"""The register and programme pages in Kazakh and Russian: the journey through the pages, the
printed programme, and bad input (clear words in the reader's language, nothing changed)."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.voice.agenda import services as s
from bastau.voice.agenda.models import Issue, IssueSource, ProgrammeItem, ProgrammeVersion

from .conftest import item_data

pytestmark = pytest.mark.django_db


def _u(name, *args):
    return reverse(f"agenda:{name}", args=args)


def _lang(client, lang):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang


def test_from_an_issue_to_an_adopted_published_programme_through_the_pages(client, aw):
    w = aw
    client.force_login(w.secretary)
    _lang(client, "kk")
    r = client.post(_u("issue_new"), {"title": "Жол жөндеу", "district": w.district.pk,
                                      "topic": w.topic.pk})  # fmt: skip
    issue = Issue.objects.get(title="Жол жөндеу")
    assert r.status_code == 302 and r["Location"] == _u("issue", issue.pk)
    r = client.post(_u("issue_link", issue.pk, "appeals"),
                    {"topic": w.topic.pk, "district": w.district.pk})  # fmt: skip
    assert r.status_code == 302
    page = client.get(_u("issue", issue.pk)).content.decode()
    assert "Тоқсандар бойынша өзгерісі" in page and 'id="kpi-people"><div class="value">3<' in page
    r = client.post(_u("item_new", w.district_programme.pk), {
        "title": "Жолдарды жөндеу", "indicator": "км", "target": "12",
        "deadline": (timezone.localdate() + dt.timedelta(days=200)).isoformat(),
        "responsible": "Фракция", "cost": "1500", "issue_numbers": f"{issue.pk}",
    })  # fmt: skip
    assert r.status_code == 302
    item = ProgrammeItem.objects.get(title="Жолдарды жөндеу")
    assert list(item.issues.all()) == [issue]
    r = client.post(_u("version_new", w.district_programme.pk), {"note": "Жоба"})
    version = ProgrammeVersion.objects.get(programme=w.district_programme)
    assert r["Location"] == _u("version", version.pk)
    assert (
        client.post(_u("version_submit", version.pk), {"meeting": w.meeting.pk}).status_code == 302
    )
    r = client.post(_u("version_approve", version.pk), {"text": "Қабылдансын."})
    version.refresh_from_db()
    assert version.status == "adopted" and version.decision.agenda_item == version.agenda_item
    client.post(_u("version_publish", version.pk))
    client.logout()
    _lang(client, "ru")
    public = client.get(_u("public_programme", w.district_programme.pk)).content.decode()
    assert "Жолдарды жөндеу" in public and "Запланировано" in public


@pytest.mark.parametrize(
    ("lang", "words"),
    [("kk", "Мәселелердің нөмірлерін үтір арқылы жазыңыз."),
     ("ru", "Укажите номера проблем через запятую.")],
)  # fmt: skip
def test_bad_input_is_refused_in_the_readers_language_and_changes_nothing(client, aw, lang, words):
    w = aw
    client.force_login(w.secretary)
    _lang(client, lang)
    r = client.post(_u("item_new", w.district_programme.pk), {
        "title": "x", "indicator": "x", "target": "x", "deadline": "2030-01-01",
        "responsible": "x", "issue_numbers": "бір, екі",
    })  # fmt: skip
    assert r.status_code == 200 and words in r.content.decode()
    r = client.post(_u("item_new", w.district_programme.pk), {
        "title": "x", "indicator": "x", "target": "x", "deadline": "2030-01-01",
        "responsible": "x", "issue_numbers": f"{w.other_issue.pk}",
    })  # fmt: skip
    expected = {"kk": "Өз тізіліміңіздегі ашық мәселелерді таңдаңыз.",
                "ru": "Выберите открытые проблемы вашего реестра."}[lang]  # fmt: skip
    assert expected in r.content.decode()
    r = client.post(_u("issue_merge", w.issue.pk), {"into": w.issue.pk})
    expected = {"kk": "Мәселені өзіне біріктіруге болмайды.",
                "ru": "Проблему нельзя объединить с самой собой."}[lang]  # fmt: skip
    assert expected in r.content.decode()
    r = client.post(_u("issue_link", w.issue.pk, "appeal"), {"number": "NO-SUCH"})
    expected = {"kk": "Филиалыңызда мұндай нөмірлі өтініш жоқ.",
                "ru": "В вашем филиале нет обращения с таким номером."}[lang]  # fmt: skip
    assert expected in r.content.decode()
    assert ProgrammeItem.objects.count() == 0 and IssueSource.objects.count() == 0
    assert Issue.objects.filter(status="merged").count() == 0


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_pages_speak_the_readers_language(client, aw, lang):
    w = aw
    sec = Scope(w.secretary)
    item = s.add_item(sec, w.district_programme, issues_answered=[w.issue], **item_data())
    v1 = s.create_version(sec, w.district_programme)
    s.update_item(sec, item, issues_answered=[w.issue], **item_data(target="5"))
    v2 = s.create_version(sec, w.district_programme)
    client.force_login(w.secretary)
    _lang(client, lang)
    words = {
        "kk": ["Жергілікті мәселелер", "Көтерген адамдар", "Уәде қосу", "Нұсқалар",
               "Өзгертілді", "Бұрын"],
        "ru": ["Местные проблемы", "Подняли человек", "Добавить обязательство", "Версии",
               "Изменено", "Было"],
    }[lang]  # fmt: skip
    text = "".join(
        client.get(u).content.decode()
        for u in (_u("issues"), _u("programme", w.district_programme.pk),
                  _u("version_diff", v2.pk) + f"?against={v1.pk}")
    )  # fmt: skip
    missing = [word for word in words if word not in text]
    assert not missing, missing


def test_the_programme_prints_in_kazakh_and_russian(client, aw):
    w = aw
    sec = Scope(w.secretary)
    s.add_item(sec, w.district_programme, issues_answered=[w.issue], **item_data())
    version = s.create_version(sec, w.district_programme)
    client.force_login(w.secretary)
    from docx import Document

    r = client.get(_u("version_document", version.pk, "ru", "docx"))
    doc = Document(io.BytesIO(b"".join(r.streaming_content)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "ПРЕДВЫБОРНАЯ ПРОГРАММА" in text and "Атаулы көмекті" in text
    r = client.get(_u("version_document", version.pk, "kk", "pdf"))
    assert b"".join(r.streaming_content).startswith(b"%PDF")
    assert client.get(_u("version_document", version.pk, "en", "pdf")).status_code == 404


def test_overdue_commitments_are_flagged_and_listed_as_instructions_are(client, aw):
    """The programmes list counts each programme's overdue commitments (of its adopted
    version) and links to them; the programme's page lists the commitments of a state, as the
    instructions' list does: overdue from the day after the deadline."""
    w, sec = aw, Scope(aw.secretary)
    today = timezone.localdate()

    def add(title, days):
        data = item_data(title=title, deadline=today + dt.timedelta(days=days))
        return s.add_item(sec, w.district_programme, issues_answered=[w.issue], **data)

    late, due_today, later = add("Кешіккен", -1), add("Бүгін", 0), add("Кейінірек", 40)
    version = s.create_version(sec, w.district_programme)
    s.submit_version(sec, version, meeting=w.meeting)
    s.approve_at_meeting(sec, version, text="Қабылдансын.")
    # A draft commitment added after the adoption is not yet promised: never flagged.
    add("Жоба", -5)
    client.force_login(w.admin)  # the administrator's list has the regional programme too
    _lang(client, "ru")

    page = client.get(_u("programmes")).content.decode()
    row = page.split(f'data-programme="{w.district_programme.pk}"')[1].split("</tr>")[0]
    cell = row.split('class="num overdue">')[1].split("</td>")[0]
    assert ">1</a>" in cell and "?state=overdue" in cell and "badge rejected" in cell
    regional = page.split(f'data-programme="{w.programme.pk}"')[1].split("</tr>")[0]
    assert 'class="num overdue">0</td>' in regional
    client.force_login(w.secretary)

    response = client.get(_u("programme", w.district_programme.pk), {"state": "overdue"})
    body = response.content.decode()
    assert response.status_code == 200
    assert _u("item", late.pk) in body
    assert _u("item", due_today.pk) not in body and _u("item", later.pk) not in body
    assert 'id="state-filter"' in body and "Просроченные" in body and "Жоба" not in body
    planned = client.get(_u("programme", w.district_programme.pk), {"state": "planned"})
    shown = planned.content.decode()
    assert _u("item", due_today.pk) in shown and _u("item", later.pk) in shown
    assert _u("item", late.pk) not in shown
    whole = client.get(_u("programme", w.district_programme.pk)).content.decode()
    assert 'id="state-filter"' not in whole and "Жоба" in whole
    unknown = client.get(_u("programme", w.district_programme.pk), {"state": "nonsense"})
    assert 'id="state-filter"' not in unknown.content.decode()
    assert unknown.content.decode().count("/agenda/commitments/") == 4  # no filter
