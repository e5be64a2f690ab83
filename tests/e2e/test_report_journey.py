"""The branch report's journey: a district secretary picks a period, reads the report on the
page (their district only), downloads the DOCX and the PDF, and the files hold the figures and
sentences the page showed."""

import datetime as dt

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from ..activity.test_documents import pdf_texts
from .conftest import login

pytestmark = pytest.mark.e2e
NB = "\u00a0"


def test_a_secretary_reads_and_downloads_the_report(page, live_server, e2e_world, tmp_path):
    w = e2e_world
    base = live_server.url
    today = timezone.localdate()
    start = dt.date(today.year, 1, 1)
    login(page, base, w.secretary.username)

    page.get_by_role("navigation", name="Main").first.get_by_role("link", name="Report").click()
    page.get_by_label("From", exact=True).fill(start.isoformat())
    page.get_by_label("To", exact=True).fill(today.isoformat())
    page.get_by_label("Compare from").fill(start.replace(year=start.year - 1).isoformat())
    page.get_by_label("Compare to").fill(today.replace(year=today.year - 1).isoformat())
    page.get_by_role("button", name="Show").click()

    # Mugalzhar's four members (three and the Kazakh-named one); never Khromtau's.
    members = page.locator("#section-members")
    expect(members).to_contain_text(
        f"На {today:%d.%m.%Y} в партии состоят 4 члена партии, из них 3 женщины (75%)"
    )
    expect(page.locator("#figure-members_total td.num").first).to_have_text("4")
    expect(page.locator("h1")).to_contain_text("Mugalzhar")

    # The figure links to the list behind it.
    link = page.locator("#figure-members_total a")
    assert "branch=mugalzhar" in link.get_attribute("href")

    with page.expect_download() as info:
        page.get_by_role("link", name="DOCX (рус.)").click()
    docx_path = tmp_path / "report.docx"
    info.value.save_as(docx_path)
    body = "\n".join(p.text for p in Document(str(docx_path)).paragraphs)
    assert "Отчёт филиала: Mugalzhar" in body
    assert f"На {today:%d.%m.%Y} в партии состоят 4 члена партии" in body
    assert "Khromtau" not in body

    with page.expect_download() as info:
        page.get_by_role("link", name="PDF (қаз.)").click()
    pdf_path = tmp_path / "report.pdf"
    info.value.save_as(pdf_path)
    # Each printed line is one string (a sentence may wrap onto the next line).
    lines = pdf_texts(pdf_path.read_bytes())
    assert "Филиалдың есебі: Mugalzhar" in lines
    sentence = f"{today:%d.%m.%Y} жағдай бойынша партияда 4 мүше бар, оның ішінде 3 әйел (75%)"
    assert any(sentence.startswith(line) or line.startswith(sentence) for line in lines if line), [
        line for line in lines if "жағдай" in line
    ]
