"""The branch report: who may read it about which place, what it counts, its sentences and its
files (DOCX read back with python-docx, PDF text through its ToUnicode maps, XLSX with
openpyxl), and bad input refused with a message that changes nothing."""

import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from bastau.core.models import AuditEvent

from ..activity.test_documents import pdf_texts

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member_user", "leader", "secretary", "other_secretary", "admin"]
LOGIN = "login"
NB = "\u00a0"
PERIOD = {
    "start": "2026-01-01",
    "end": "2026-12-05",
    "compare_start": "2025-01-01",
    "compare_end": "2025-12-05",
}


def _pages(w):
    page = reverse("reports:report")
    own = f"{page}?branch={w.district.code}"
    rows = [
        (
            "report",
            page,
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 200,
                "secretary": 200,
                "other_secretary": 200,
                "admin": 200,
            },
        ),
        # Another district's report: refused with a message, nothing shown.
        (
            "report of mugalzhar",
            own,
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 200,
                "secretary": 200,
                "other_secretary": 400,
                "admin": 200,
            },
        ),
    ]
    for lang in ("kk", "ru"):
        for fmt in ("docx", "pdf", "xlsx"):
            url = reverse("reports:file", args=[lang, fmt])
            rows.append(
                (
                    f"{fmt} {lang}",
                    url,
                    {
                        "anonymous": LOGIN,
                        "member_user": 403,
                        "leader": 200,
                        "secretary": 200,
                        "other_secretary": 200,
                        "admin": 200,
                    },
                )
            )
    rows.append(
        (
            "bad language",
            reverse("reports:file", args=["en", "pdf"]),
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 404,
                "secretary": 404,
                "other_secretary": 404,
                "admin": 404,
            },
        )
    )
    return rows


@pytest.mark.parametrize("role", ROLES)
def test_every_report_page_answers_each_role(client, world, role, settings):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    failures = []
    for label, url, expected_by_role in _pages(world):
        expected = expected_by_role[role]
        response = client.get(url)
        if expected == LOGIN:
            ok = response.status_code == 302 and reverse("accounts:login") in response["Location"]
        else:
            ok = response.status_code == expected
        if not ok:
            failures.append(f"{label} {url}: expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)


def test_the_matrix_covers_every_report_url(world):
    from django.urls import get_resolver, resolve

    covered = {
        f"{m.namespace}:{m.url_name}"
        for m in (resolve(url.split("?")[0]) for _l, url, _e in _pages(world))
    }
    sub = get_resolver().namespace_dict["reports"][1]
    names = {f"reports:{n}" for n in sub.reverse_dict if isinstance(n, str)}
    assert names and names <= covered


def _figures(response):
    return {f["key"]: f for s in response.context["sections"] for f in s["figures"]}


def test_a_district_secretarys_report_counts_their_district_only(client, world):
    client.force_login(world.secretary)
    response = client.get(reverse("reports:report"), {**PERIOD})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.place.kind == "branch" and report.place.branch == world.district
    # Three members in Mugalzhar, four in the region.
    assert _figures(response)["members_total"]["value"] == "3"
    client.force_login(world.admin)
    response = client.get(reverse("reports:report"), {**PERIOD})
    assert response.context["report"].place.kind == "region"
    assert _figures(response)["members_total"]["value"] == "4"
    response = client.get(reverse("reports:report"), {**PERIOD, "poo": world.other_poo.code})
    assert _figures(response)["members_total"]["value"] == "1"


def test_a_poo_outside_the_scope_is_refused_in_the_readers_language(client, world):
    client.force_login(world.secretary)
    before = AuditEvent.objects.count()
    client.cookies["bastau_language"] = "ru"
    response = client.get(
        reverse("reports:file", args=["ru", "pdf"]), {**PERIOD, "poo": world.other_poo.code}
    )
    assert response.status_code == 400
    assert "Такого филиала или ППО нет среди доступных вам." in response.content.decode()
    client.cookies["bastau_language"] = "kk"
    response = client.get(reverse("reports:report"), {**PERIOD, "poo": world.other_poo.code})
    assert response.status_code == 400
    assert "Сізге қолжетімді филиалдар мен БПҰ арасында мұндай жоқ." in response.content.decode()
    assert response.context["report"] is None
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    "lang, message",
    [
        ("kk", "Кезеңнің аяқталу күні басталу күнінен бұрын."),
        ("ru", "Период заканчивается раньше, чем начинается."),
    ],
)
def test_a_bad_period_is_refused_and_changes_nothing(client, world, lang, message):
    client.force_login(world.admin)
    client.cookies["bastau_language"] = lang
    before = AuditEvent.objects.count()
    response = client.get(
        reverse("reports:file", args=[lang, "docx"]), {**PERIOD, "end": "2025-06-01"}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    response = client.get(reverse("reports:report"), {**PERIOD, "start": "2026-02-30"})
    assert response.status_code == 400
    assert response.context["report"] is None
    assert AuditEvent.objects.count() == before


def test_files_hold_the_figures_and_sentences(client, world):
    client.force_login(world.admin)
    docx = client.get(reverse("reports:file", args=["ru", "docx"]), PERIOD)
    assert docx.status_code == 200
    doc = Document(io.BytesIO(docx.content))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Отчёт филиала" in body
    assert "На 05.12.2026 в партии состоят 4 члена партии" in body
    assert len(doc.inline_shapes) >= 3  # the charts are images
    docx_kk = Document(
        io.BytesIO(client.get(reverse("reports:file", args=["kk", "docx"]), PERIOD).content)
    )
    body_kk = "\n".join(p.text for p in docx_kk.paragraphs)
    assert "05.12.2026 жағдай бойынша партияда 4 мүше бар" in body_kk
    pdf = client.get(reverse("reports:file", args=["kk", "pdf"]), PERIOD)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(pdf_texts(pdf.content))
    assert "Филиалдың есебі" in text
    assert b"/Subtype /Image" in pdf.content
    xlsx = client.get(reverse("reports:file", args=["ru", "xlsx"]), PERIOD)
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = {r[1]: r for r in ws.iter_rows(values_only=True) if r and len(r) > 2}
    assert rows["Члены партии"][2] == 4
    assert AuditEvent.objects.filter(action="report.exported").count() == 4
