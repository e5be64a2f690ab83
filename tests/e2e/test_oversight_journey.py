"""The journey of issue 5: a faction secretary records a held report, imports a budget file and
sees a lagging indicator flagged."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import expect

from bastau.accounts.scoping import Scope
from bastau.oversight import services
from bastau.oversight.models import BudgetIndicator, ScheduledReport
from bastau.oversight.services import budget_import
from tests.factories import oversight as fo

from .conftest import login

pytestmark = pytest.mark.e2e


@pytest.fixture
def oversight_world(e2e_world, world):
    ow = fo.world(world)
    today = timezone.localdate()
    schedule = services.create_schedule(
        Scope(ow.secretary), maslikhat=ow.maslikhat, title="Есеп беру кестесі",
        period_start=today - dt.timedelta(days=30), period_end=today + dt.timedelta(days=60),
        approved_on=today - dt.timedelta(days=31),
    )  # fmt: skip
    ow.report = services.add_report(
        Scope(ow.faction_secretary), schedule, deputy=ow.deputy,
        date=today - dt.timedelta(days=2), place="Қандыағаш, мәдениет үйі",
        audience="Тұрғындар", topic="Бюджет шығыстары туралы есеп",
    )  # fmt: skip
    return ow


def test_faction_secretary_reports_and_monitors_the_budget(
    page, live_server, oversight_world, tmp_path, artifacts_dir
):
    w = oversight_world
    base = live_server.url
    today = timezone.localdate()
    login(page, base, w.faction_secretary.username)
    expect(page).to_have_url(re.compile(r"/oversight/"))

    # The report that was due two days ago is flagged overdue; record it as held.
    page.goto(f"{base}/oversight/reports/{w.report.pk}/")
    page.get_by_label("Held on").fill(today.isoformat())
    page.get_by_label("Attendance").fill("48")
    page.get_by_label("Questions raised").fill("Мектеп жөндеуі қашан?\nЖол жөндеуі қашан?")
    page.get_by_role("button", name="Record as held").click()
    expect(page.locator("main")).to_contain_text("Мектеп жөндеуі қашан?")
    w.report.refresh_from_db()
    assert w.report.status == ScheduledReport.Status.HELD
    assert w.report.attendance == 48 and w.report.questions.count() == 2

    # Import a budget file with one indicator on track and one lagging.
    book = Workbook()
    sheet = book.active
    sheet.append(budget_import.TEMPLATE)
    sheet.append([2023, "education", "261-015", "Мектептегі орындар", "", "орын", 100, None, 96])
    sheet.append([2023, "roads", "451-012", "Аудандық жолдарды жөндеу", "", "км", 100, 90, 55])
    path = tmp_path / "budget.xlsx"
    book.save(path)
    page.goto(f"{base}/oversight/budget/imports/")
    page.get_by_label("Maslikhat").select_option(label=w.maslikhat.name)
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Check and import").click()
    expect(page.locator("#import-result")).to_contain_text("2 indicators created")
    lagging = BudgetIndicator.objects.get(code="451-012")
    assert lagging.lagging and not BudgetIndicator.objects.get(code="261-015").lagging

    page.goto(f"{base}/oversight/budget/indicators/?lagging=on")
    rows = page.locator("main tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Аудандық жолдарды жөндеу")
    expect(rows.first).to_contain_text("Lagging")
    page.screenshot(path=artifacts_dir / "oversight-lagging.png", full_page=True)
    page.problems.assert_none()
