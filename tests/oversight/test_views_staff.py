"""The oversight pages: every page works for a faction secretary and a district secretary,
outcomes and notes through the forms, the budget import through the page (all or nothing,
with per-row errors), the schedule as DOCX and PDF, and pinned query counts (no N+1)."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from bastau.accounts.scoping import Scope
from bastau.core.models import AuditEvent
from bastau.oversight import services
from bastau.oversight.models import (
    BudgetImport,
    BudgetIndicator,
    Convocation,
    Deputy,
    Faction,
    MonitoringNote,
    ScheduledReport,
)
from bastau.oversight.services import budget_import

from ..factories import oversight as fo
from ..factories.members import upload, xlsx_bytes
from ..factories.oversight import deputy as make_deputy

pytestmark = pytest.mark.django_db


def _u(name, *args):
    return reverse(f"oversight:{name}", args=args)


def _pages(w):
    return [
        _u("index"),
        _u("statistics"),
        _u("statistics") + f"?maslikhat={w.maslikhat.pk}",
        _u("deputies"),
        _u("deputies") + "?q=Deputov&party=ours&sex=M&elected_by=list&faction=yes&status=active",
        _u("deputy", w.deputy.pk),
        _u("faction", w.faction.pk),
        _u("schedules"),
        _u("schedule", w.schedule.pk),
        _u("report", w.overdue_report.pk),
        _u("report", w.held_report.pk),
        _u("budget"),
        _u("budget") + f"?maslikhat={w.maslikhat.pk}&year=2024",
        _u("indicators"),
        _u("indicators") + "?lagging=on&sector=education&year=2024&responsible=none",
        _u("indicator", w.indicator.pk),
        _u("budget_imports"),
        _u("budget_import", w.failed_import.pk),
        _u("faction_new", w.maslikhat.pk),
        _u("report_edit", w.future_report.pk),
    ]


@pytest.mark.parametrize("role", ["faction_secretary", "secretary"])
def test_every_page_works_for_the_branch_roles(client, ow, role):
    w = fo.pages_world(ow)
    client.force_login(getattr(w, role))
    for url in _pages(w):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert w.other_maslikhat.name not in html, url  # another district never shows


def test_home_routes_the_faction_secretary_to_oversight(client, ow):
    client.force_login(ow.faction_secretary)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"] == _u("index")
    page = client.get(_u("index")).content.decode()
    assert f'href="{_u("index")}"' in page  # the "Deputies" link of the main navigation


def test_deputy_contacts_only_where_the_scope_allows(client, ow):
    w = fo.pages_world(ow)
    client.force_login(w.secretary)
    assert w.deputy.phone in client.get(_u("deputy", w.deputy.pk)).content.decode()
    client.force_login(w.faction_secretary)
    html = client.get(_u("deputy", w.deputy.pk)).content.decode()
    assert w.deputy.phone not in html and w.deputy.email not in html
    assert 'id="deputy-phone"' not in html


def test_deputy_filters(client, ow):
    w = fo.pages_world(ow)
    woman = make_deputy(w.conv, sex="F", last_name="Әйелова")
    client.force_login(w.secretary)
    html = client.get(_u("deputies") + "?sex=F").content.decode()
    assert woman.full_name in html and w.deputy.full_name not in html
    html = client.get(_u("deputies") + "?faction=yes").content.decode()
    assert woman.full_name not in html and w.deputy.full_name in html
    html = client.get(_u("deputies") + "?q=Әйел").content.decode()
    assert woman.full_name in html and w.deputy.full_name not in html


def test_register_a_deputy_through_the_form(client, ow):
    fo.pages_world(ow)
    client.force_login(ow.secretary)
    response = client.post(
        _u("deputy_new"),
        {"convocation": ow.conv.pk, "last_name": "Жаңаев", "first_name": "Асқар",
         "birth_date": "1980-02-03", "sex": "M", "party": "ours", "elected_by": "district",
         "district_number": "3", "phone": "+77015550000"},
    )  # fmt: skip
    created = Deputy.objects.get(last_name="Жаңаев")
    assert response.status_code == 302 and response["Location"] == _u("deputy", created.pk)
    # The form shows the service's errors by field.
    response = client.post(
        _u("deputy_new"),
        {"convocation": ow.conv.pk, "last_name": "X", "first_name": "Y", "party": "ours",
         "elected_by": "district"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Give the birth date." in response.content.decode()


def test_recording_a_held_report(client, ow):
    w = fo.pages_world(ow)
    client.force_login(w.faction_secretary)
    today = timezone.localdate()
    response = client.post(
        _u("report", w.overdue_report.pk),
        {"action": "held", "held_on": today.isoformat(), "attendance": "42",
         "note": "Good turnout", "questions": "Мектеп жөндеуі?\n\nАурухана қашан ашылады?"},
    )  # fmt: skip
    assert response.status_code == 302
    w.overdue_report.refresh_from_db()
    assert w.overdue_report.status == ScheduledReport.Status.HELD
    assert w.overdue_report.attendance == 42 and w.overdue_report.held_on == today
    assert w.overdue_report.questions.count() == 2
    html = client.get(_u("report", w.overdue_report.pk)).content.decode()
    assert "Мектеп жөндеуі?" in html
    # The faction secretary does not handle appeals: no "turn into an appeal" button.
    assert _u("question_appeal", w.overdue_report.questions.first().pk) not in html


def test_postpone_and_form_errors(client, ow):
    w = fo.pages_world(ow)
    client.force_login(w.faction_secretary)
    new_date = timezone.localdate() + dt.timedelta(days=3)
    response = client.post(
        _u("report", w.future_report.pk),
        {"action": "postpone", "p-new_date": new_date.isoformat(), "p-reason": "Weather"},
    )
    assert response.status_code == 302
    w.future_report.refresh_from_db()
    assert w.future_report.status == ScheduledReport.Status.POSTPONED
    assert w.future_report.date == new_date
    # Missed before the date: the form shows the error, nothing changes.
    response = client.post(_u("report", w.future_report.pk), {"action": "missed"})
    assert response.status_code == 200
    assert "A report is missed only once its date has passed." in response.content.decode()
    w.future_report.refresh_from_db()
    assert w.future_report.status == ScheduledReport.Status.POSTPONED


def test_register_a_faction_through_the_page(client, ow):
    w = fo.pages_world(ow)
    ninth = Convocation.objects.create(
        maslikhat=w.maslikhat, number=9, started_on=dt.date(2028, 3, 20)
    )
    client.force_login(w.faction_secretary)
    url = _u("faction_new", w.maslikhat.pk)
    assert f'href="{url}"' in client.get(_u("index")).content.decode()
    assert f'href="{url}"' in client.get(_u("faction", w.faction.pk)).content.decode()
    # Bad input changes nothing: no name; a second faction in the same convocation.
    response = client.post(url, {"convocation": ninth.pk, "name": "  "})
    assert response.status_code == 200
    response = client.post(url, {"convocation": w.conv.pk, "name": "Second"})
    assert response.status_code == 200
    assert "This convocation already has a faction." in response.content.decode()
    # A convocation of another maslikhat is not a choice.
    response = client.post(url, {"convocation": w.other_conv.pk, "name": "Other"})
    assert response.status_code == 200
    assert Faction.objects.count() == 1
    assert not AuditEvent.objects.filter(action="faction.created").exists()
    response = client.post(
        url, {"convocation": ninth.pk, "name": " Фракция ", "formed_on": "2028-04-01"}
    )
    created = Faction.objects.get(convocation=ninth)
    assert response.status_code == 302 and response["Location"] == _u("faction", created.pk)
    assert created.maslikhat == w.maslikhat and created.name == "Фракция"
    assert created.formed_on == dt.date(2028, 4, 1)
    assert AuditEvent.objects.filter(action="faction.created", object_id=str(created.pk)).exists()


def test_edit_an_open_report_through_the_page(client, ow):
    w = fo.pages_world(ow)
    client.force_login(w.faction_secretary)
    report = w.future_report
    url = _u("report_edit", report.pk)
    assert f'href="{url}"' in client.get(_u("report", report.pk)).content.decode()
    new_date = report.date + dt.timedelta(days=2)
    data = {"date": new_date.isoformat(), "place": "Аудан әкімдігі", "audience": "Жастар",
            "subject": "work", "topic": "Жастар саясаты"}  # fmt: skip
    # Bad input changes nothing: a date outside the schedule's period, an empty place.
    outside = w.schedule.period_end + dt.timedelta(days=1)
    response = client.post(url, dict(data, date=outside.isoformat()))
    assert response.status_code == 200
    assert "The date is outside the schedule&#x27;s period." in response.content.decode()
    response = client.post(url, dict(data, place=""))
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.place == "Ауыл клубы" and report.date == w.future_report.first_date
    assert not AuditEvent.objects.filter(action="report.edited").exists()
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == _u("report", report.pk)
    report.refresh_from_db()
    assert (report.date, report.first_date, report.place, report.audience) == (
        new_date, new_date, "Аудан әкімдігі", "Жастар"
    )  # fmt: skip
    assert (report.subject, report.topic) == ("work", "Жастар саясаты")
    event = AuditEvent.objects.get(action="report.edited", object_id=str(report.pk))
    assert "place" in str(event.data)


def test_a_recorded_report_is_not_edited(client, ow):
    w = fo.pages_world(ow)
    client.force_login(w.faction_secretary)
    url = _u("report_edit", w.held_report.pk)
    assert f'href="{url}"' not in client.get(_u("report", w.held_report.pk)).content.decode()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == _u("report", w.held_report.pk)
    before = ScheduledReport.objects.values().get(pk=w.held_report.pk)
    response = client.post(
        url, {"date": w.held_report.date.isoformat(), "place": "Elsewhere", "subject": "budget",
              "topic": "Changed"},
    )  # fmt: skip
    assert response.status_code == 302
    assert ScheduledReport.objects.values().get(pk=w.held_report.pk) == before


def test_a_postponed_report_keeps_its_date_on_edit(client, ow):
    w = fo.pages_world(ow)
    scope = Scope(w.faction_secretary)
    today = timezone.localdate()
    services.postpone(scope, w.future_report, new_date=today + dt.timedelta(days=20),
                      reason="Weather")  # fmt: skip
    client.force_login(w.faction_secretary)
    response = client.post(
        _u("report_edit", w.future_report.pk),
        {"date": (today + dt.timedelta(days=25)).isoformat(), "place": "Ауыл клубы",
         "subject": "budget", "topic": "Жолдар"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "A postponed report gets a new date by postponing." in response.content.decode()
    w.future_report.refresh_from_db()
    assert w.future_report.date == today + dt.timedelta(days=20)


def test_question_turned_into_an_appeal_by_the_secretary(client, ow):
    from bastau.reception.models import Appeal, Topic

    w = fo.pages_world(ow)
    client.force_login(w.secretary)
    html = client.get(_u("report", w.held_report.pk)).content.decode()
    assert _u("question_appeal", w.question.pk) in html
    topic = Topic.objects.get(code="social_aid")
    response = client.post(
        _u("question_appeal", w.question.pk),
        {"topic": topic.pk, "applicant_name": "Ержан Қасымов", "applicant_phone": "+77015554433"},
    )
    assert response.status_code == 302
    w.question.refresh_from_db()
    assert w.question.appeal is not None
    assert w.question.appeal.channel == Appeal.Channel.DEPUTY_MEETING
    assert w.question.appeal.number in client.get(_u("report", w.held_report.pk)).content.decode()


def test_overdue_reports_are_flagged(client, ow):
    w = fo.pages_world(ow)
    client.force_login(w.faction_secretary)
    html = client.get(_u("report", w.overdue_report.pk)).content.decode()
    assert 'id="overdue-flag"' in html
    assert 'id="overdue-flag"' not in client.get(_u("report", w.future_report.pk)).content.decode()
    html = client.get(_u("schedules")).content.decode()
    assert w.overdue_report.place in html  # listed under "Overdue reports"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_schedule_documents(client, ow, lang):
    w = fo.pages_world(ow)
    client.force_login(w.faction_secretary)
    pdf = client.get(_u("schedule_document", w.schedule.pk, lang, "pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    docx = client.get(_u("schedule_document", w.schedule.pk, lang, "docx"))
    assert docx.status_code == 200
    doc = Document(io.BytesIO(b"".join(docx.streaming_content)))
    table = doc.tables[0]
    assert len(table.rows) == 4  # heading + three reports
    header = [c.text for c in table.rows[0].cells]
    assert header[0] == "№" and header[1] == "Депутат"
    assert table.rows[1].cells[1].text == w.deputy.full_name
    text = "\n".join(p.text for p in doc.paragraphs)
    assert ("БЕКІТЕМІН" if lang == "kk" else "УТВЕРЖДАЮ") in text
    assert client.get(_u("schedule_document", w.schedule.pk, "en", "pdf")).status_code == 404


def _snapshot():
    return sorted(
        BudgetIndicator.objects.values_list("maslikhat", "year", "code", "plan", "actual")
    )


def test_bad_budget_file_through_the_page_changes_nothing(client, ow):
    w = fo.pages_world(ow)
    client.force_login(w.faction_secretary)
    before = _snapshot()
    rows = [
        [2024, "education", "261-015", "New school places", "", "places", 100, None, 99],
        [2024, "education", "E2", "x", "", "u", -5, None, None],
        [2024, "space", "E3", "y", "", "u", 1, None, None],
    ]
    response = client.post(
        _u("budget_imports"),
        {"maslikhat": w.maslikhat.pk,
         "file": upload("budget.xlsx", xlsx_bytes(budget_import.TEMPLATE, rows))},
    )  # fmt: skip
    job = BudgetImport.objects.latest("id")
    assert response.status_code == 302 and response["Location"] == _u("budget_import", job.pk)
    assert not job.succeeded
    assert _snapshot() == before  # the good first row was not written either
    html = client.get(response["Location"]).content.decode()
    assert 'id="import-errors"' in html
    table = html.split('id="import-errors"')[1]
    rows_shown = re.findall(r'<td data-label="[^"]*" class="num">(\d+)</td>', table)
    assert rows_shown == ["3", "4"]  # spreadsheet rows: the header is row 1
    assert "-5" in table and "space" in table  # the values quoted next to their problems
    errors = client.get(_u("budget_import_errors", job.pk))
    book = load_workbook(io.BytesIO(b"".join(errors.streaming_content)))
    rows_out = list(book.active.values)
    assert [r[:2] for r in rows_out[1:]] == [(3, "plan"), (4, "sector")]


def test_good_budget_file_and_template(client, ow):
    w = fo.pages_world(ow)
    client.force_login(w.faction_secretary)
    template = client.get(_u("budget_imports") + "?template=xlsx")
    book = load_workbook(io.BytesIO(b"".join(template.streaming_content)))
    assert [c.value for c in book.worksheets[0][1]] == budget_import.TEMPLATE
    rows = [[2024, "education", "261-015", "New school places", "", "places", 100, None, 95]]
    response = client.post(
        _u("budget_imports"),
        {"maslikhat": w.maslikhat.pk,
         "file": upload("b.xlsx", xlsx_bytes(budget_import.TEMPLATE, rows))},
    )  # fmt: skip
    assert response.status_code == 302
    w.indicator.refresh_from_db()
    assert w.indicator.actual == Decimal("95.00") and not w.indicator.lagging


def test_threshold_note_and_export(client, ow):
    w = fo.pages_world(ow)
    client.force_login(w.secretary)
    response = client.post(_u("threshold", w.maslikhat.pk), {"budget_threshold": "40"})
    assert response.status_code == 302
    w.indicator.refresh_from_db()
    assert not w.indicator.lagging  # 50% is above the new 40% threshold
    client.force_login(w.faction_secretary)
    assert (
        client.post(_u("threshold", w.maslikhat.pk), {"budget_threshold": "99"}).status_code == 403
    )
    response = client.post(
        _u("indicator", w.indicator.pk),
        {"action": "note", "date": timezone.localdate().isoformat(), "text": "Called the akimat."},
    )
    assert response.status_code == 302
    assert MonitoringNote.objects.filter(text="Called the akimat.").exists()
    export = client.get(_u("indicators_xlsx"))
    book = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    values = list(book.active.values)
    assert values[0][: len(budget_import.TEMPLATE)] == tuple(budget_import.TEMPLATE)
    assert [r[2] for r in values[1:]] == ["261-015"]  # the other district's indicator is out
    html = client.get(_u("budget") + "?year=2024").content.decode()
    assert 'id="chart-sectors"' in html and 'id="sector-year"' in html


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_lists_do_not_grow_queries_with_rows(client, ow):
    """Pinned: the deputies and indicators lists (and the schedule page) take the same number
    of queries for 1 row as for many."""
    w = fo.pages_world(ow)
    client.force_login(w.secretary)
    urls = [_u("deputies"), _u("indicators"), _u("schedule", w.schedule.pk), _u("index")]
    before = [_count(client, url) for url in urls]
    member = w.members[1]
    make_deputy(w.conv, member=member, elected_by=Deputy.Election.DISTRICT, district_number=1)
    make_deputy(w.reg_conv, faction=None)
    for n in range(5):
        services.save_indicator(
            Scope(w.secretary), maslikhat=w.maslikhat, year=2023, sector="roads",
            code=f"R{n}", data={"name": f"Road {n}", "unit": "km", "plan": "10", "actual": "1"},
        )  # fmt: skip
    services.add_report(
        Scope(w.secretary), w.schedule, deputy=w.deputy,
        date=timezone.localdate() + dt.timedelta(days=20), place="Hall", topic="Budget",
    )  # fmt: skip
    after = [_count(client, url) for url in urls]
    assert after == before
    assert before[0] <= 8 and before[1] <= 8


@pytest.mark.parametrize(("lang", "sector", "members_sector"), [
    ("kk", "Сала", "Қызмет саласы"), ("ru", "Отрасль", "Сфера занятости"),
])  # fmt: skip
def test_budget_sector_is_not_the_members_sector(client, ow, lang, sector, members_sector):
    w = fo.pages_world(ow)
    client.force_login(w.faction_secretary)
    for url in (_u("budget"), _u("indicators")):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert f"<th>{sector}</th>" in html and members_sector not in html, url
    response = client.get(_u("budget_xlsx"), HTTP_ACCEPT_LANGUAGE=lang)
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    headers = [next(sheet.iter_rows(values_only=True)) for sheet in wb.worksheets]
    assert sector in headers[0] and sector in headers[1]
    assert not any(members_sector in row for row in headers)
    response = client.get(_u("indicators_xlsx"), HTTP_ACCEPT_LANGUAGE=lang)
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert sector in next(wb.worksheets[0].iter_rows(values_only=True))
