"""The reception's staff pages: each works, the workflow runs through them, bad input gives a
form error and changes nothing, files are streamed only to those who may see them (and the
read is logged), the XLSX downloads open and carry the figures, and query counts are pinned."""

import datetime as dt
import io
from types import SimpleNamespace

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.core.models import AuditEvent
from bastau.reception import permissions, services
from bastau.reception import statistics as st
from bastau.reception.models import (
    Appeal,
    AppealEvent,
    Attachment,
    Booking,
    CalendarOverride,
    Official,
    ReceptionSchedule,
    ReceptionSession,
    Topic,
)
from bastau.reception.services import schedule as sch
from bastau.reception.services import work_calendar

from ..factories.reception import APPLICANT_NAME, D, build, register

pytestmark = pytest.mark.django_db
S = Appeal.Status
T = dt.time
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100


#: The pages are seen on this day (the clock runs on from it): the fixtures' appeals of 2025 and
#: 2026 are last year, this year and the last two months as the tests say.
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))


@pytest.fixture(autouse=True)
def _on_the_day():
    with time_machine.travel(NOW, tick=True):
        yield


def u(name, *args):
    return reverse(f"reception:{name}", args=args)


@pytest.fixture
def w(rw):
    return build(rw)


def _content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _workbook(response):
    return openpyxl.load_workbook(io.BytesIO(_content(response)))


# Every page ----------------------------------------------------------------------------------
def test_every_page_works_for_the_secretary(client, w):
    client.force_login(w.secretary)
    pages = [
        u("staff_dashboard"),
        u("staff_appeals"),
        u("staff_overdue"),
        u("staff_due_soon"),
        u("staff_appeal_new"),
        u("staff_appeal_new") + f"?session={w.session.pk}",
        u("staff_appeal", w.appeal.pk),
        u("staff_appeal", w.fresh.pk),
        u("staff_officials"),
        u("staff_officials") + "?show=all",
        u("staff_official_new"),
        u("staff_official_edit", w.official.pk),
        u("staff_schedules"),
        u("staff_schedule_new") + f"?official={w.official.pk}",
        u("staff_schedule_edit", w.schedule.pk),
        u("staff_sessions"),
        u("staff_session_new") + f"?schedule={w.schedule.pk}&date=2026-01-01",
        u("staff_session", w.session.pk),
        u("staff_session_edit", w.session.pk),
        u("staff_bookings"),
        u("staff_bookings") + f"?day={w.booking.date.isoformat()}",
        u("staff_booking_new") + f"?schedule={w.schedule.pk}&day={w.booking.date}&time=10:30",
        u("staff_calendar"),
        u("staff_calendar") + "?year=2025",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'aria-current="page"' in response.content, url


def test_the_reception_officer_lands_on_the_dashboard(client, w):
    client.force_login(w.officer)
    response = client.get(reverse("core:home"))
    assert response["Location"] == u("staff_dashboard")
    page = client.get(u("staff_dashboard")).content.decode()
    assert f'href="{u("staff_dashboard")}"' in page  # the main navigation's link


def test_pages_render_in_every_language(client, w):
    client.force_login(w.secretary)
    for language in ("kk", "ru", "en"):
        for url in (u("staff_dashboard"), u("staff_appeal", w.appeal.pk), u("staff_calendar")):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, (language, url)
            assert f'<html lang="{language}">'.encode() in response.content


# Dashboard -----------------------------------------------------------------------------------
def _appeal(w, registered_on, status, *, days=None, branch=None, channel="online", topic=None):
    """An appeal written straight to the table (statistics tests' style)."""
    n = Appeal.objects.count() + 1000
    branch = branch or w.district
    values = dict(
        receiving_branch=branch,
        year=registered_on.year,
        seq=n,
        number=f"T-{n}",
        tracking_code=f"{n:010d}",
        channel=channel,
        kind="application",
        topic=topic or w.topic,
        applicant_name="Тест Өтініш",
        text="Text of the appeal",
        registered_on=registered_on,
        deadline=registered_on + dt.timedelta(days=21),
        due_on=registered_on + dt.timedelta(days=21),
        forward_by=registered_on + dt.timedelta(days=3),
        status=status,
        district=w.district,
    )
    if days is not None:
        values["resolved_on"] = registered_on + dt.timedelta(days=days)
    return Appeal.objects.create(**values)


@pytest.fixture
def figures(rw):
    """This year: 10 decided, 5 positively (50%); the same part of last year: 10 decided,
    3 positively (30%): +20 points. Last two months: 6 appeals at receptions against 2."""
    w = rw
    for i in range(6):
        _appeal(
            w, D(2026, 10, 15), S.RESOLVED_POSITIVE if i < 3 else S.EXPLAINED, days=10,
            channel="reception",
        )  # fmt: skip
    _appeal(w, D(2026, 8, 10), S.RESOLVED_POSITIVE, days=5, channel="reception")
    _appeal(w, D(2026, 8, 10), S.EXPLAINED, days=5, channel="reception")
    _appeal(w, D(2026, 3, 10), S.RESOLVED_POSITIVE, days=30, topic=w.land)
    _appeal(w, D(2026, 3, 10), S.EXPLAINED, days=30, topic=w.land)
    for i in range(10):
        _appeal(w, D(2025, 5, 10), S.RESOLVED_POSITIVE if i < 3 else S.REFUSED, days=12)
    _appeal(w, D(2026, 10, 20), S.REGISTERED, branch=w.other_district)
    return w


def test_dashboard_shows_the_figures_and_comparisons(
    client, figures, django_assert_max_num_queries
):
    client.force_login(figures.secretary)
    # 5 queries for the period's summary (= this year; statistics.py), 4 for each of the three
    # comparisons' (last year, the last two months and the two before: no breakdowns, so no
    # names to read); and one for the overdue and due-soon counts.
    with django_assert_max_num_queries(22):
        response = client.get(u("staff_dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    s = response.context["s"]
    assert (s.registered, s.positive, s.decided) == (10, 5, 10)
    assert "50.0%" in page
    year = response.context["b"].year
    assert (year.current.positive_share, year.previous.positive_share) == (50, 30)
    assert "+20.0 points" in page
    two = {row["key"]: row for row in response.context["two_rows"]}
    assert (two["registered"]["before"], two["registered"]["after"]) == (2, 6)
    assert two["registered"]["change"] == two["visits"]["change"] == "×3.0"
    assert 'id="chart-topic"' in page and 'id="chart-district"' in page
    assert 'id="chart-branch"' not in page  # a district secretary sees one branch
    assert Topic.objects.get(code="land").display_name in page
    # The charts are CSS bars: the largest bucket is full width.
    assert "bar pct-100" in page


def test_dashboard_period_and_branch_filter(client, figures):
    client.force_login(figures.admin)
    response = client.get(u("staff_dashboard"), {"start": "2026-10-01", "end": "2026-10-31"})
    assert response.context["s"].registered == 7  # the district's 6 and the other's 1
    assert 'id="chart-branch"' in response.content.decode()
    response = client.get(
        u("staff_dashboard"),
        {"start": "2026-10-01", "end": "2026-10-31", "branch": figures.other_district.code},
    )
    assert response.context["s"].registered == 1
    assert response.context["b"].branch == figures.other_district
    # A branch outside the choices, or a period ending before it starts, is a form error;
    # the default period is shown.
    assert client.get(u("staff_dashboard"), {"branch": "nowhere"}).status_code == 200
    response = client.get(u("staff_dashboard"), {"start": "2026-10-31", "end": "2026-10-01"})
    assert response.status_code == 200
    assert "The period ends before it starts." in response.content.decode()
    assert response.context["b"].period.start == D(timezone.localdate().year, 1, 1)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.get(u("staff_dashboard"), {"end": future})
    assert "future" in response.content.decode()


def test_dashboard_branch_filter_is_a_searchable_picker(
    client, figures, django_assert_max_num_queries
):
    """The regional administrator's branch filter writes no list of branches (3,400 at national
    size): a search box and a hidden code; a branch chosen by its code is shown by its name."""
    w = figures
    w.other_district.name_ru = "Хромтауский филиал"
    w.other_district.save()
    client.force_login(w.admin)
    with django_assert_max_num_queries(20):
        page = client.get(u("staff_dashboard")).content.decode()
    assert '<select name="branch"' not in page and '<option value="khromtau"' not in page
    assert 'type="hidden" name="branch" value=""' in page
    assert 'name="branch_q" value=""' in page
    assert f'hx-get="{u("staff_pick_branch")}"' in page
    assert 'placeholder="All branches"' in page
    assert 'type="search" id="id_branch"' in page  # the label's control
    # A branch's figures are counted from its appeals (5 + 3 x 4 queries), its code looked
    # up once (was twice, with the list of every branch).
    with django_assert_max_num_queries(22):
        response = client.get(u("staff_dashboard"), {"branch": w.other_district.code})
    assert response.context["b"].branch == w.other_district
    page = response.content.decode()
    assert f'name="branch" value="{w.other_district.code}"' in page
    assert 'name="branch_q" value="Khromtau"' in page
    # The quick periods keep the branch.
    assert all(
        f"branch={w.other_district.code}" in link for _l, link in response.context["presets"]
    )
    response = client.get(
        u("staff_dashboard"), {"branch": w.other_district.code}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert 'name="branch_q" value="Хромтауский филиал"' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"branch_q": "Khromtau"}, "other_district"),  # a name typed without the script
        ({"branch_q": "  khromtau "}, "other_district"),  # any case and spacing
        ({"branch_q": "KHROM"}, "other_district"),  # a part of one name only
        ({"branch_q": "mugalzhar"}, "district"),  # a code
        ({"branch_q": "Хромтауский"}, "other_district"),  # a part of the Russian name
        # The code of the last pick, but another name typed (no script to empty the code).
        ({"branch": "khromtau", "branch_q": "Mugalzhar"}, "district"),
        ({"branch": "khromtau", "branch_q": "Khromtau"}, "other_district"),
        ({"branch": "khromtau", "branch_q": "Хромтауский филиал"}, "other_district"),
        ({"branch": "khromtau", "branch_q": ""}, None),  # the box emptied: every branch
        ({"branch": "", "branch_q": ""}, None),
    ],
)
def test_dashboard_branch_filter_without_the_script(client, figures, params, expected):
    w = figures
    w.other_district.name_ru = "Хромтауский филиал"
    w.other_district.save()
    client.force_login(w.admin)
    response = client.get(u("staff_dashboard"), params)
    assert response.status_code == 200
    assert not response.context["b"].form.errors
    assert response.context["b"].branch == (getattr(w, expected) if expected else None)
    registered = response.context["s"].registered
    assert registered == (1 if expected == "other_district" else 10 if expected else 11)


def test_dashboard_branch_filter_names_several_or_none(client, figures):
    """A name that matches several branches is an error that offers them as links; one that
    matches none is an error; a code outside the choices is an invalid choice. Each shows the
    default figures of every branch, as any form error does."""
    w = figures
    client.force_login(w.admin)
    response = client.get(u("staff_dashboard"), {"branch_q": "r", "start": "2026-10-01"})
    page = response.content.decode()
    assert "Several match “r”: choose one of them." in page
    assert response.context["b"].branch is None
    links = dict(response.context["branch_matches"])
    assert set(links) == {"Region", "Mugalzhar", "Khromtau"}
    assert links["Khromtau"] == "?start=2026-10-01&branch=khromtau&branch_q=Khromtau"
    assert 'id="branch-matches"' in page and 'href="?start=2026-10-01&amp;branch=khromtau' in page
    followed = client.get(u("staff_dashboard") + links["Khromtau"])
    assert followed.context["b"].branch == w.other_district
    response = client.get(u("staff_dashboard"), {"branch_q": "Шалқар"}, HTTP_ACCEPT_LANGUAGE="kk")
    assert response.context["b"].form.errors["branch"] == [
        "«Шалқар» бойынша ештеңе табылмады: басқа атауын теріңіз."
    ]
    assert 'aria-invalid="true"' in response.content.decode()
    response = client.get(u("staff_dashboard"), {"branch": "nowhere", "branch_q": "Khromtau"})
    assert response.context["b"].form.errors["branch"]
    assert response.context["b"].branch is None


def test_dashboard_form_picks_only_branches_in_its_scope(figures):
    from bastau.reception.forms.staff import DashboardForm
    from bastau.structure.models import Branch

    w = figures
    mine = Branch.objects.filter(pk=w.district.pk)
    form = DashboardForm({"branch": w.other_district.code}, branches=mine)
    assert not form.is_valid()
    assert form.errors["branch"][0].startswith("Select a valid choice.")
    form = DashboardForm({"branch_q": "Khromtau"}, branches=mine)
    assert not form.is_valid()
    assert "Nothing found" in form.errors["branch"][0]
    form = DashboardForm({"branch": w.district.code}, branches=mine)
    assert form.is_valid() and form.cleaned_data["branch"] == w.district
    form = DashboardForm({"branch": "ж" * 500}, branches=mine)  # no query for a forged code
    assert not form.is_valid()
    form = DashboardForm({"branch": "а\x00б"}, branches=mine)
    assert not form.is_valid()


def test_branch_picker_search(client, figures):
    w = figures
    client.force_login(w.admin)
    response = client.get(u("staff_pick_branch"), {"q": "khr"})
    page = response.content.decode()
    assert 'data-pick-value="khromtau" data-pick-label="Khromtau"' in page
    assert "Mugalzhar" not in page
    # htmx sends the box under its own name.
    page = client.get(u("staff_pick_branch"), {"branch_q": "mug"}).content.decode()
    assert 'data-pick-value="mugalzhar"' in page and "Khromtau" not in page
    page = client.get(u("staff_pick_branch"), {"q": "k"}).content.decode()
    assert "Type at least two characters." in page and "data-pick-value" not in page
    page = client.get(u("staff_pick_branch"), {"q": "Шалқар"}).content.decode()
    assert "Nothing found." in page
    # Exact matches first, then the others, in the order of the branch lists.
    w.district.name = "Khromtau district"
    w.district.save()
    page = client.get(u("staff_pick_branch"), {"q": "Khromtau"}).content.decode()
    assert page.index('data-pick-value="khromtau"') < page.index('data-pick-value="mugalzhar"')
    # Only the regional administrator has the filter.
    client.force_login(w.secretary)
    assert client.get(u("staff_pick_branch"), {"q": "khr"}).status_code == 403


def test_dashboard_whole_previous_year(client, figures):
    _appeal(figures, D(2025, 12, 10), S.RESOLVED_POSITIVE, days=5)
    client.force_login(figures.secretary)
    same_part = client.get(u("staff_dashboard")).context["b"].year.previous
    whole = client.get(u("staff_dashboard"), {"whole_year": "on"}).context["b"].year.previous
    assert (same_part.decided, whole.decided) == (10, 11)


def test_dashboard_xlsx_has_the_figures_and_is_audited(client, figures):
    client.force_login(figures.secretary)
    response = client.get(u("staff_dashboard_xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    book = _workbook(response)
    assert {"Figures", "Comparisons", "By topic", "By channel", "By type"} <= set(book.sheetnames)
    values = {row[0]: row[1] for row in book["Figures"].iter_rows(values_only=True) if row}
    assert values["Appeals registered"] == 10
    assert values["Resolved positively"] == 5
    assert values["Resolved positively, percent of decided"] == 50.0
    comparisons = [row for row in book["Comparisons"].iter_rows(values_only=True) if row]
    positive = [row for row in comparisons if row[0] == "Resolved positively (share of decided)"]
    assert positive[1][3] == "+20.0 points"
    registered = [row for row in comparisons if row[0] == "Appeals registered"]
    assert registered[0][1:4] == (2, 6, "×3.0")
    topics = {row[0]: row[1] for row in book["By topic"].iter_rows(values_only=True)}
    assert topics[figures.land.display_name] == 2
    event = AuditEvent.objects.get(action="reception.statistics_exported")
    assert event.actor == figures.secretary


def test_dashboard_figure_changes_when_an_appeal_is_resolved(client, w):
    client.force_login(w.secretary)
    before = client.get(u("staff_dashboard")).context["s"]
    services.assign(Scope(w.secretary), w.fresh, assignee=w.officer)
    services.resolve(
        Scope(w.officer), w.fresh, outcome=S.RESOLVED_POSITIVE, response_text="Repaired."
    )
    after = client.get(u("staff_dashboard")).context["s"]
    assert (after.positive, after.decided) == (before.positive + 1, before.decided + 1)


# Lists ---------------------------------------------------------------------------------------
def test_list_filters(client, w):
    today = timezone.localdate()
    soon = work_calendar().add_working_days(today, 1)
    Appeal.objects.filter(pk=w.fresh.pk).update(due_on=soon)
    letter = register(w, channel="letter", kind="proposal", topic=w.land, registered_on=today)
    services.assign(Scope(w.secretary), letter, assignee=w.officer)
    client.force_login(w.officer)

    def numbers(**params):
        response = client.get(u("staff_appeals"), params)
        assert response.status_code == 200
        return {row[0].number for row in response.context["rows"]}

    everything = {w.appeal.number, w.fresh.number, letter.number}
    assert numbers() == everything  # not the other district's
    assert numbers(status="open") == everything
    assert numbers(status="assigned") == {letter.number}
    assert numbers(channel="letter") == {letter.number}
    assert numbers(kind="proposal") == {letter.number}
    assert numbers(topic=w.land.pk) == {letter.number}
    assert numbers(district=w.district.pk) == everything
    assert numbers(district=w.other_district.pk) == set()
    assert numbers(overdue="on") == {w.appeal.number}
    assert numbers(due_soon="on") == {w.fresh.number}
    assert numbers(overdue="on", due_soon="on") == {w.appeal.number, w.fresh.number}
    assert numbers(mine="on") == {letter.number}
    assert numbers(registered_from="2026-03-01", registered_to="2026-03-31") == {w.appeal.number}
    assert numbers(q=w.appeal.number[-6:]) == {w.appeal.number}
    assert numbers(q="Бауыржан") == {w.fresh.number}
    assert numbers(q="Other Applicant") == set()  # the other district's applicant
    assert numbers(status="nonsense") == everything  # an invalid filter is ignored
    # The overdue and due-soon lists.
    response = client.get(u("staff_overdue"))
    assert [row[0].number for row in response.context["rows"]] == [w.appeal.number]
    assert "Overdue by" in response.content.decode()
    response = client.get(u("staff_due_soon"))
    assert [row[0].number for row in response.context["rows"]] == [w.fresh.number]
    assert "1 working day left" in response.content.decode()


def test_the_list_shows_no_personal_data_and_name_searches_are_logged(client, w):
    client.force_login(w.secretary)
    page = client.get(u("staff_appeals")).content.decode()
    assert APPLICANT_NAME not in page and "Бауыржан" not in page
    assert not AuditEvent.objects.filter(action="appeal.personal_data_search").exists()
    client.get(u("staff_appeals"), {"q": "Бауыржан"})
    event = AuditEvent.objects.get(action="appeal.personal_data_search")
    assert event.data["shown"] == [w.fresh.number]
    assert "Бауыржан" not in str(event.data) + event.summary


def test_list_is_paginated_in_the_database_without_n_plus_one(
    client, w, django_assert_max_num_queries
):
    client.force_login(w.secretary)

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(u("staff_appeals"))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    few = count_queries()
    for _i in range(60):
        appeal = _appeal(w, D(2026, 10, 1), S.ASSIGNED, channel="phone")
        appeal.assignee = w.officer
        appeal.save()
    many = count_queries()
    assert many == few
    with django_assert_max_num_queries(9):
        response = client.get(u("staff_appeals"), {"page": 2, "overdue": "on"})
    assert response.context["page"].paginator.count == 61
    assert len(response.context["rows"]) == 11
    with django_assert_max_num_queries(6):
        client.get(u("staff_overdue"))
    with django_assert_max_num_queries(6):
        client.get(u("staff_due_soon"))


def test_htmx_gets_the_rows_only(client, w):
    client.force_login(w.secretary)
    response = client.get(u("staff_appeals"), HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and w.appeal.number.encode() in response.content


def test_appeals_xlsx_has_the_list_without_personal_data(client, w):
    client.force_login(w.secretary)
    response = client.get(u("staff_appeals_xlsx"), {"status": "open"})
    assert response.status_code == 200
    rows = list(_workbook(response).active.iter_rows(values_only=True))
    assert rows[0][0] == "Registration number"
    assert {row[0] for row in rows[1:]} == {w.appeal.number, w.fresh.number}
    assert APPLICANT_NAME not in str(rows)
    overdue = next(row for row in rows if row[0] == w.appeal.number)
    assert "Overdue by" in overdue[14]
    event = AuditEvent.objects.get(action="reception.appeals_exported")
    assert event.data["count"] == 2 and event.data["filters"] == {"status": "open"}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_appeals_xlsx_headers_are_distinct_in_every_language(client, w, language):
    """Two columns once read «Мерзімі» («Срок»): the deadline in force and its state."""
    client.force_login(w.secretary)
    response = client.get(u("staff_appeals_xlsx"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    header = next(_workbook(response).active.iter_rows(values_only=True))
    repeated = {label for label in header if header.count(label) > 1}
    assert not repeated, repeated
    expected = {
        "kk": ("Қолданыстағы мерзім", "Мерзім бойынша күйі"),
        "ru": ("Действующий срок", "Состояние по сроку"),
        "en": ("Deadline in force", "Deadline state"),
    }[language]
    assert (header[12], header[14]) == expected


# Registration --------------------------------------------------------------------------------
def _register_data(w, **overrides):
    data = {
        "receiving_branch": w.district.pk,
        "channel": "phone",
        "eotinish_reference": "",
        "session": "",
        "registered_on": timezone.localdate().isoformat(),
        "applicant_name": "Дана Бекова",
        "applicant_iin": "",
        "applicant_phone": "8 701 555 66 77",
        "applicant_email": "",
        "applicant_address": "Қандыағаш",
        "district": w.district.pk,
        "topic": w.topic.pk,
        "kind": "application",
        "text": "Please repair the road to the school.",
        "language": "kk",
        "comment": "",
    }
    data.update(overrides)
    return data


def _stored_files(settings) -> list:
    root = settings.MEDIA_ROOT / "appeals"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_register_an_appeal_with_files(client, w, settings):
    client.force_login(w.officer)
    files_before = len(_stored_files(settings))
    data = _register_data(w, attachments=[SimpleUploadedFile("хат.pdf", PDF)])
    response = client.post(u("staff_appeal_new"), data)
    appeal = Appeal.objects.get(applicant_name="Дана Бекова")
    assert response.status_code == 302 and response["Location"] == u("staff_appeal", appeal.pk)
    assert appeal.channel == "phone" and appeal.registered_by == w.officer
    assert appeal.applicant_phone == "+77015556677"
    assert appeal.attachments.get().original_name == "хат.pdf"
    assert len(_stored_files(settings)) == files_before + 1
    page = client.get(response["Location"]).content.decode()
    assert appeal.number in page and "was registered" in page


def test_register_at_a_session(client, w):
    client.force_login(w.secretary)
    form = client.get(u("staff_appeal_new"), {"session": w.session.pk}).context["form"]
    assert form.initial["session"] == w.session.pk
    response = client.post(
        u("staff_appeal_new"), _register_data(w, session=w.session.pk, channel="letter")
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get(applicant_name="Дана Бекова")
    assert appeal.session == w.session and appeal.channel == Appeal.Channel.RECEPTION
    page = client.get(u("staff_session", w.session.pk))
    assert [row[0] for row in page.context["rows"]] == [appeal]


def test_register_eotinish_reference(client, w):
    client.force_login(w.secretary)
    response = client.post(u("staff_appeal_new"), _register_data(w, channel="eotinish"))
    assert response.status_code == 200
    assert "Give the e-Otinish reference." in response.content.decode()
    response = client.post(
        u("staff_appeal_new"),
        _register_data(w, channel="eotinish", eotinish_reference="ЖТ-2026-0001"),
    )
    assert response.status_code == 302
    assert Appeal.objects.get(applicant_name="Дана Бекова").eotinish_reference == "ЖТ-2026-0001"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"applicant_name": ""}, "Give your name."),
        ({"applicant_phone": "12345"}, "Enter a phone number like"),
        ({"applicant_iin": "123456789012"}, "IIN"),
        ({"text": "short"}, "The text is too short"),
        ({"topic": ""}, "Choose a topic."),
        ({"registered_on": "2099-01-01"}, "cannot be in the future"),
        ({"attachments": [SimpleUploadedFile("virus.pdf", EXE)]}, "is not what its extension"),
        ({"attachments": [SimpleUploadedFile("run.exe", EXE)]}, "not accepted: run.exe"),
        ({"receiving_branch": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_registration_changes_nothing(client, w, settings, overrides, message):
    client.force_login(w.secretary)
    count, files = Appeal.objects.count(), len(_stored_files(settings))
    response = client.post(u("staff_appeal_new"), _register_data(w, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (Appeal.objects.count(), len(_stored_files(settings))) == (count, files)


def test_attachment_errors_in_the_users_language(client, w):
    client.force_login(w.secretary)
    data = _register_data(w, attachments=[SimpleUploadedFile("run.exe", EXE)])
    response = client.post(u("staff_appeal_new"), data, HTTP_ACCEPT_LANGUAGE="kk")
    kk = response.content.decode()
    data = _register_data(w, attachments=[SimpleUploadedFile("run.exe", EXE)])
    response = client.post(u("staff_appeal_new"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert "Мұндай түрдегі файлдар қабылданбайды: run.exe." in kk
    assert "Files of this type are not accepted: run.exe." in response.content.decode()


def test_the_secretary_registers_for_their_branch_only(client, w):
    client.force_login(w.secretary)
    response = client.post(
        u("staff_appeal_new"), _register_data(w, receiving_branch=w.other_district.pk)
    )
    assert response.status_code == 200  # not one of the choices
    assert not Appeal.objects.filter(applicant_name="Дана Бекова").exists()


# The appeal page -----------------------------------------------------------------------------
def test_appeal_page_shows_personal_data_and_logs_the_read(client, w):
    client.force_login(w.secretary)
    before = AuditEvent.objects.filter(action="appeal.personal_data_read").count()
    page = client.get(u("staff_appeal", w.appeal.pk)).content.decode()
    assert APPLICANT_NAME in page and "+77015551234" in page
    assert "The heating in our building" in page
    assert "скан.pdf" in page and u("staff_attachment", w.attachment.pk) in page
    assert "/media/" not in page
    events = AuditEvent.objects.filter(action="appeal.personal_data_read")
    assert events.count() == before + 1
    assert events.latest("pk").summary == w.appeal.number
    # The deadline: registered 5 March 2026, due 1 April; overdue now, by working days.
    assert "Overdue by" in page and "working days" in page
    assert 'id="deadline-state"' in page


def test_appeal_page_masks_personal_data_for_those_who_may_not_see_it(client, w, monkeypatch):
    monkeypatch.setattr(permissions, "can_see_personal_data", lambda scope, appeal: False)
    client.force_login(w.secretary)
    before = AuditEvent.objects.filter(action="appeal.personal_data_read").count()
    page = client.get(u("staff_appeal", w.appeal.pk)).content.decode()
    assert APPLICANT_NAME not in page and "+77015551234" not in page
    assert "The heating" not in page and "скан.pdf" not in page
    assert "•" in page and 'id="personal-hidden"' in page
    assert AuditEvent.objects.filter(action="appeal.personal_data_read").count() == before
    response = client.get(u("staff_attachment", w.attachment.pk))
    assert response.status_code == 403


def test_the_timeline_shows_who_when_and_comments(client, w):
    services.assign(Scope(w.secretary), w.appeal, body="Аудан әкімдігі", comment="Urgent")
    services.add_comment(Scope(w.officer), w.appeal, text="Called the applicant.")
    client.force_login(w.secretary)
    response = client.get(u("staff_appeal", w.appeal.pk))
    page = response.content.decode()
    kinds = [row.event.kind for row in response.context["timeline"]]
    assert kinds == ["registered", "notified", "attachment", "assigned", "commented"]
    assert "Аудан әкімдігі" in page and "Urgent" in page and "Called the applicant." in page
    assert str(w.officer) in page and str(w.secretary) in page


def test_appeal_page_queries_do_not_grow_with_the_history(client, w):
    client.force_login(w.secretary)

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(u("staff_appeal", w.appeal.pk)).status_code == 200
        return len(ctx.captured_queries)

    services.assign(Scope(w.secretary), w.appeal, assignee=w.officer, official=w.official)
    few = count_queries()
    for i in range(12):
        services.add_comment(Scope(w.officer), w.appeal, text=f"Note {i}")
        services.assign(Scope(w.secretary), w.appeal, assignee=w.secretary, official=w.official)
        services.add_attachment(Scope(w.officer), w.appeal, SimpleUploadedFile(f"{i}.pdf", PDF))
    assert count_queries() == few
    assert few <= 12


def post(client, appeal, action, **data):
    return client.post(u("staff_appeal", appeal.pk), {"action": action, **data})


def test_workflow_through_the_pages(client, w):
    appeal = w.fresh
    today = timezone.localdate()
    client.force_login(w.secretary)
    response = post(client, appeal, "assign", assignee=w.officer.pk, official=w.official.pk)
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.assignee, appeal.responsible_official) == (
        S.ASSIGNED,
        w.officer,
        w.official,
    )
    client.force_login(w.officer)
    assert post(client, appeal, "start", comment="On it").status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == S.IN_PROGRESS
    # The head extends to the two-month cap shown on the form.
    client.force_login(w.secretary)
    page = client.get(u("staff_appeal", appeal.pk))
    cap = page.context["extension_limit"]
    html = page.content.decode()
    assert 'id="extend-help"' in html and cap.strftime("%m/%d/%Y") in html
    notice = page.context["notice_if_today"]
    assert notice == work_calendar().add_working_days(today, 3)
    response = post(
        client,
        appeal,
        "extend",
        new_deadline=cap.isoformat(),
        reason="Waiting for the akimat's answer",
        decided_on=today.isoformat(),
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.due_on == cap and appeal.extension_notice_by == notice
    assert appeal.extension_notified_at is not None  # told by SMS and email at once
    # The officer resolves with the response letter.
    client.force_login(w.officer)
    response = post(
        client,
        appeal,
        "resolve",
        outcome=S.RESOLVED_POSITIVE,
        response_text="The road was repaired.",
        on=today.isoformat(),
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == S.RESOLVED_POSITIVE and appeal.response_text
    page = client.get(u("staff_appeal", appeal.pk)).content.decode()
    assert "The road was repaired." in page and 'id="outcome"' in page
    assert 'id="act-resolve"' not in page  # closed: no more workflow
    kinds = [k for k in appeal.events.values_list("kind", flat=True) if k != "notified"]
    assert kinds == ["registered", "assigned", "started", "extended", "resolved"]


def test_extension_not_yet_told_can_be_recorded(client, w):
    Appeal.objects.filter(pk=w.fresh.pk).update(applicant_phone="", applicant_email="")
    w.fresh.refresh_from_db()
    client.force_login(w.secretary)
    cap = services.extension_limit(w.fresh)
    post(
        client,
        w.fresh,
        "extend",
        new_deadline=cap.isoformat(),
        reason="More documents are needed",
        decided_on=timezone.localdate().isoformat(),
    )
    w.fresh.refresh_from_db()
    assert w.fresh.extension_notified_at is None
    page = client.get(u("staff_appeal", w.fresh.pk)).content.decode()
    assert 'id="act-notified"' in page and "not yet: by" in page
    assert post(client, w.fresh, "notified", how="").status_code == 200
    assert post(client, w.fresh, "notified", how="Letter No. 5").status_code == 302
    w.fresh.refresh_from_db()
    assert w.fresh.extension_notified_at is not None


@pytest.mark.parametrize(
    "action, data, message",
    [
        ("assign", {}, "Choose who is responsible"),
        ("extend", {"reason": "", "new_deadline": "+5"}, "Give the reason for the extension."),
        ("extend", {"reason": "x", "new_deadline": "+200"}, "at the latest (two months in total)"),
        ("extend", {"reason": "x", "new_deadline": "-1"}, "must be later than"),
        ("extend", {"reason": "x", "new_deadline": "nonsense"}, "Enter a valid date."),
        ("forward", {"to": ""}, "Name the body the appeal is forwarded to."),
        ("comment", {"text": " "}, "Write the comment."),
    ],
)
def test_bad_workflow_input_shows_the_error_and_changes_nothing(client, w, action, data, message):
    appeal = w.fresh
    today = timezone.localdate()
    cal = work_calendar()
    values = {"decided_on": today.isoformat(), "on": today.isoformat()}
    for key, value in data.items():
        if isinstance(value, str) and value[:1] in "+-" and value[1:].isdigit():
            n = int(value)
            day = cal.add_working_days(appeal.due_on, n) if n >= 0 else appeal.due_on
            value = (day - dt.timedelta(days=1) if n < 0 else day).isoformat()
        values[key] = value
    client.force_login(w.secretary)
    before = (appeal.status, appeal.due_on, appeal.events.count())
    response = post(client, appeal, action, **values)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'id="act-{action}" open' in page
    appeal.refresh_from_db()
    assert (appeal.status, appeal.due_on, appeal.events.count()) == before


def test_late_forwarding_needs_a_reason(client, w):
    client.force_login(w.secretary)
    response = post(client, w.appeal, "forward", to="Облыс әкімдігі", on="2026-11-26")
    assert "give the reason for the delay" in response.content.decode()
    w.appeal.refresh_from_db()
    assert w.appeal.status == S.REGISTERED
    response = post(
        client,
        w.appeal,
        "forward",
        to="Облыс әкімдігі",
        on=timezone.localdate().isoformat(),
        late_reason="The competent body was unclear",
    )
    assert response.status_code == 302
    w.appeal.refresh_from_db()
    assert w.appeal.status == S.FORWARDED and w.appeal.forwarded_late
    page = client.get(u("staff_appeal", w.appeal.pk)).content.decode()
    assert "Forwarded after the 3-day limit" in page


def test_resolve_needs_the_letter_and_a_started_appeal(client, w):
    client.force_login(w.secretary)
    today = timezone.localdate().isoformat()
    # Not assigned yet: no resolve form, and a POST (from a page loaded before someone else
    # moved the appeal, say) says why nothing happened.
    assert 'id="act-resolve"' not in client.get(u("staff_appeal", w.fresh.pk)).content.decode()
    response = post(client, w.fresh, "resolve", outcome=S.REFUSED, response_text="x", on=today)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "This step is not possible now: the appeal is registered." in page
    services.assign(Scope(w.secretary), w.fresh, assignee=w.officer)
    response = post(client, w.fresh, "resolve", outcome=S.REFUSED, response_text="", on=today)
    assert "Write the response letter." in response.content.decode()
    response = post(client, w.fresh, "resolve", outcome="forwarded", response_text="x", on=today)
    assert "Select a valid choice" in response.content.decode()
    w.fresh.refresh_from_db()
    assert w.fresh.status == S.ASSIGNED
    assert post(client, w.fresh, "nonsense").status_code == 403


def test_attach_a_file_on_the_page(client, w, settings):
    client.force_login(w.officer)
    response = client.post(
        u("staff_appeal", w.fresh.pk),
        {"action": "attach", "attachments": SimpleUploadedFile("answer.pdf", PDF)},
    )
    assert response.status_code == 302
    assert w.fresh.attachments.get().original_name == "answer.pdf"
    files = len(_stored_files(settings))
    response = client.post(
        u("staff_appeal", w.fresh.pk),
        {"action": "attach", "attachments": SimpleUploadedFile("answer.pdf", EXE)},
    )
    assert response.status_code == 200
    assert "is not what its extension says" in response.content.decode()
    assert w.fresh.attachments.count() == 1 and len(_stored_files(settings)) == files


# Attachments ---------------------------------------------------------------------------------
def test_attachment_download_streams_the_file_and_logs_it(client, w):
    client.force_login(w.officer)
    response = client.get(u("staff_attachment", w.attachment.pk))
    assert response.status_code == 200
    assert _content(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.filter(action="appeal.personal_data_read").latest("pk")
    assert event.actor == w.officer
    assert event.data == {"what": f"attachment:{w.attachment.pk}"}


def test_attachment_download_checks_permission(client, w):
    count = AuditEvent.objects.filter(action="appeal.personal_data_read").count()
    client.force_login(w.other_officer)
    assert client.get(u("staff_attachment", w.attachment.pk)).status_code == 404
    client.force_login(w.member_user)
    assert client.get(u("staff_attachment", w.attachment.pk)).status_code == 403
    client.logout()
    assert client.get(u("staff_attachment", w.attachment.pk)).status_code == 302
    assert AuditEvent.objects.filter(action="appeal.personal_data_read").count() == count
    # The assignee may.
    services.assign(Scope(w.secretary), w.appeal, assignee=w.leader)
    client.force_login(w.leader)
    assert client.get(u("staff_attachment", w.attachment.pk)).status_code == 200
    assert not hasattr(Attachment, "url")


# Officials, schedules, sessions, bookings -----------------------------------------------------
def test_officials_create_and_edit(client, w):
    client.force_login(w.secretary)
    data = {
        "name": "Әсел Депутатова",
        "position": "Deputy of the district maslikhat",
        "organisation": "",
        "kind": "deputy",
        "branch": w.district.pk,
        "active": "on",
    }
    response = client.post(u("staff_official_new"), data)
    assert response.status_code == 302
    official = Official.objects.get(name="Әсел Депутатова")
    assert AuditEvent.objects.filter(action="reception.official_saved").count() >= 1
    response = client.post(u("staff_official_edit", official.pk), dict(data, name=""))
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    response = client.post(
        u("staff_official_edit", official.pk), dict(data, position="Secretary of the maslikhat")
    )
    assert response.status_code == 302
    official.refresh_from_db()
    assert official.position == "Secretary of the maslikhat"
    # Not into another branch.
    response = client.post(
        u("staff_official_new"), dict(data, name="X", branch=w.other_district.pk)
    )
    assert response.status_code == 200 and not Official.objects.filter(name="X").exists()
    page = client.get(u("staff_officials")).content.decode()
    assert "Әсел Депутатова" in page and "Other Official" not in page
    # Ids in links are not written with a thousands separator.
    Official.objects.create(
        pk=43210, name="Big Id", position="Akim", kind="other", branch=w.district
    )
    page = client.get(u("staff_officials")).content.decode()
    assert "?official=43210" in page


def test_schedules_create_and_edit(client, w):
    client.force_login(w.officer)
    data = {
        "official": w.official.pk,
        "branch": w.district.pk,
        "weekday": "2",
        "date": "",
        "valid_from": "",
        "valid_until": "",
        "start_time": "15:00",
        "end_time": "14:00",
        "slot_minutes": "20",
        "place": "Mugalzhar akimat",
        "note": "",
        "active": "on",
    }
    count = ReceptionSchedule.objects.count()
    response = client.post(u("staff_schedule_new"), data)
    assert response.status_code == 200
    assert "The reception must end after it starts." in response.content.decode()
    response = client.post(u("staff_schedule_new"), dict(data, date="2026-12-02"))
    assert "Give either a weekday or a date." in response.content.decode()
    assert ReceptionSchedule.objects.count() == count
    response = client.post(u("staff_schedule_new"), dict(data, end_time="17:00"))
    assert response.status_code == 302
    schedule = ReceptionSchedule.objects.latest("pk")
    assert schedule.weekday == 2 and schedule.slot_times()[1] == T(15, 20)
    response = client.post(
        u("staff_schedule_edit", schedule.pk), dict(data, end_time="16:00", active="")
    )
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.end_time == T(16, 0) and not schedule.active
    page = client.get(u("staff_schedules"), {"show": "all"}).content.decode()
    assert "Mugalzhar akimat" in page


def test_sessions_create_edit_and_list(client, w):
    client.force_login(w.officer)
    today = timezone.localdate().isoformat()
    response = client.post(
        u("staff_session_new"),
        {"official": w.official.pk, "schedule": "", "branch": "", "date": today, "place": ""},
    )
    assert response.status_code == 200
    assert "Give the place of the reception." in response.content.decode()
    response = client.post(
        u("staff_session_new"),
        {"official": w.official.pk, "schedule": w.schedule.pk, "date": today, "place": ""},
    )
    assert response.status_code == 302
    session = ReceptionSession.objects.latest("pk")
    assert session.place == "Akimat, room 101" and session.branch == w.district
    response = client.post(u("staff_session_edit", session.pk), {"place": "", "notes": ""})
    assert response.status_code == 200
    response = client.post(
        u("staff_session_edit", session.pk), {"place": "Village club", "notes": "12 visitors"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.place, session.notes) == ("Village club", "12 visitors")
    assert AuditEvent.objects.filter(action="reception.session_updated").exists()
    services.register_appeal(
        Scope(w.officer),
        data={"applicant_name": "Келуші", "topic": w.topic, "text": "Asked about the road."},
        receiving_branch=w.district,
        channel="reception",
        session=session,
    )
    page = client.get(u("staff_sessions"))
    counts = {s.pk: s.appeal_count for s in page.context["page"]}
    assert counts[session.pk] == 1


def test_session_page_lists_its_appeals(client, w, django_assert_max_num_queries):
    for _i in range(5):
        services.register_appeal(
            Scope(w.officer),
            data={
                "applicant_name": "Келуші",
                "topic": w.topic,
                "text": "Asked about the heating.",
            },
            receiving_branch=w.district,
            channel="reception",
            session=w.session,
        )
    client.force_login(w.officer)
    with django_assert_max_num_queries(7):
        response = client.get(u("staff_session", w.session.pk))
    assert len(response.context["rows"]) == 5
    assert "Гүлнар Визитова" not in response.content.decode()  # booked for another day


def test_bookings_day_book_attend_and_cancel(client, w):
    day = w.booking.date
    client.force_login(w.officer)
    page = client.get(u("staff_bookings"), {"day": day.isoformat()})
    assert page.status_code == 200
    reception = page.context["receptions"][0]
    assert reception.bookings == [w.booking]
    assert T(10, 0) not in reception.free and T(10, 30) in reception.free
    assert "Гүлнар Визитова" in page.content.decode()
    # Staff book for a citizen on the phone.
    data = {
        "schedule": w.schedule.pk,
        "day": day.isoformat(),
        "time": "10:30",
        "applicant_name": "Ерлан Қонақов",
        "applicant_phone": "87017778899",
        "topic": w.topic.pk,
    }
    response = client.post(u("staff_booking_new"), dict(data, applicant_phone="12"))
    assert response.status_code == 200 and "Enter a phone number like" in response.content.decode()
    response = client.post(u("staff_booking_new"), dict(data, time="10:00"))
    assert "taken" in response.content.decode()
    response = client.post(u("staff_booking_new"), data)
    assert response.status_code == 302
    booking = Booking.objects.get(applicant_name="Ерлан Қонақов")
    assert booking.booked_by == w.officer and booking.applicant_phone == "+77017778899"
    # Attendance and cancelling.
    response = client.post(
        u("staff_booking_action", w.booking.pk), {"action": "attended", "session": w.session.pk}
    )
    assert response.status_code == 302
    w.booking.refresh_from_db()
    assert w.booking.status == Booking.Status.ATTENDED and w.booking.session == w.session
    client.post(u("staff_booking_action", booking.pk), {"action": "cancel"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    response = client.post(u("staff_booking_action", booking.pk), {"action": "cancel"}, follow=True)
    assert "Only a booked visit can be cancelled." in response.content.decode()
    response = client.post(u("staff_booking_action", booking.pk), {"action": "nonsense"})
    assert response.status_code == 302
    page = client.get(u("staff_bookings"), {"day": day.isoformat(), "status": "attended"})
    assert page.context["receptions"][0].bookings == [w.booking]


# Calendar ------------------------------------------------------------------------------------
def test_calendar_shows_the_years_days_off(client, w):
    client.force_login(w.secretary)
    response = client.get(u("staff_calendar"), {"year": 2026})
    days = {d.day: d for d in response.context["days"]}
    assert not days[D(2026, 3, 23)].working  # Nauryz
    assert not days[D(2026, 1, 1)].working and days[D(2026, 1, 1)].name
    assert D(2026, 1, 10) not in days  # an ordinary Saturday
    assert response.context["working_count"] == sum(
        work_calendar().is_working_day(D(2026, 1, 1) + dt.timedelta(days=n)) for n in range(365)
    )
    page = response.content.decode()
    assert 'id="days-off"' in page and "Add an override" not in page  # the admin edits
    assert "Working-day calendar 2026" in page and "?year=2027" in page  # not "2,026"


def test_calendar_override_recomputes_deadlines(client, w):
    fresh_deadline = w.fresh.deadline
    cal = work_calendar()
    day = cal.add_working_days(w.fresh.registered_on, 2)
    client.force_login(w.admin)
    response = client.post(u("staff_calendar"), {"day": day.isoformat(), "is_working_day": "x"})
    assert response.status_code == 200 and not CalendarOverride.objects.exists()
    response = client.post(
        u("staff_calendar"),
        {"day": day.isoformat(), "is_working_day": "0", "note": "Decree No. 1"},
    )
    assert response.status_code == 302
    override = CalendarOverride.objects.get()
    assert (override.date, override.is_working_day, override.note) == (day, False, "Decree No. 1")
    w.fresh.refresh_from_db()
    assert w.fresh.deadline == work_calendar().next_working_day(fresh_deadline)
    page = client.get(u("staff_calendar"), {"year": day.year})
    assert "Decree No. 1" in page.content.decode()
    assert AppealEvent.objects.filter(appeal=w.fresh, kind="deadline_recomputed").exists()
    response = client.post(u("staff_calendar_remove"), {"day": day.isoformat()})
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    w.fresh.refresh_from_db()
    assert w.fresh.deadline == fresh_deadline
    assert client.post(u("staff_calendar_remove"), {"day": "nonsense"}).status_code == 404


def test_builder_is_reusable(rw):
    w = build(rw)
    assert isinstance(w, SimpleNamespace) and w.appeal.receiving_branch == w.district


def test_catalogue_pages_queries_do_not_grow(client, w):
    client.force_login(w.secretary)
    urls = [
        u("staff_officials"),
        u("staff_schedules"),
        u("staff_sessions"),
        u("staff_bookings") + f"?day={w.booking.date.isoformat()}",
    ]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    few = counts()
    for i in range(8):
        official = sch.save_official(
            Scope(w.secretary),
            Official(
                name=f"Official {i}", position="Akim", kind="state_body_head", branch=w.district
            ),
        )
        schedule = sch.save_schedule(
            Scope(w.secretary),
            ReceptionSchedule(
                official=official,
                branch=w.district,
                date=w.booking.date,
                start_time=T(9, 0),
                end_time=T(10, 0),
                place=f"Room {i}",
            ),
        )
        sch.open_session(
            Scope(w.secretary), official=official, date=timezone.localdate(), place="x"
        )
        sch.book_reception(
            schedule=schedule,
            day=w.booking.date,
            time=T(9, 0),
            applicant_name="Visitor",
            applicant_phone="+77010000000",
            scope=Scope(w.secretary),
        )
    assert counts() == few
    assert max(few) <= 8


def test_dashboard_charts_show_the_largest_buckets_and_sum_the_rest(client, figures, monkeypatch):
    """At national size "by district" and "by receiving branch" have thousands of buckets: a
    chart shows the largest and one line for the rest (issue 7)."""
    from bastau.reception.views import staff as views_staff

    monkeypatch.setattr(views_staff, "CHART_BARS", 1)
    client.force_login(figures.admin)
    response = client.get(u("staff_dashboard"), {"start": "2026-10-01", "end": "2026-10-31"})
    charts = {key: rest for key, _t, _b, _top, *rest in response.context["charts"]}
    assert charts["branch"] == [1, 1]  # the other district's one appeal
    assert "And 1 more (appeals: 1)" in response.content.decode()


def test_dashboard_opens_on_the_year_reported_on(client, figures):
    """In January the new year has hardly begun: the dashboard opens on all of last year
    against all of the year before (the annual report's figures); a chosen period is kept."""
    with time_machine.travel(dt.datetime(2027, 1, 12, 9, 0, tzinfo=NOW.tzinfo), tick=False):
        client.force_login(figures.secretary)
        response = client.get(u("staff_dashboard"))
        board = response.context["b"]
        assert board.period == st.Period(D(2026, 1, 1), D(2026, 12, 31))
        assert (board.year.current.period, board.year.previous.period) == (
            st.Period(D(2026, 1, 1), D(2026, 12, 31)),
            st.Period(D(2025, 1, 1), D(2025, 12, 31)),
        )
        assert (board.year.current.positive_share, board.year.previous.positive_share) == (50, 30)
        assert response.context["s"].registered == 10
        page = response.content.decode()
        assert 'value="2026-01-01"' in page and 'value="2026-12-31"' in page
        # A period the user chose is the user's, in January too.
        response = client.get(u("staff_dashboard"), {"start": "2027-01-01"})
        assert response.context["b"].period == st.Period(D(2027, 1, 1), D(2027, 1, 12))
        assert response.context["s"].registered == 0
    # From February the year reported on is this year so far.
    with time_machine.travel(dt.datetime(2027, 2, 1, 9, 0, tzinfo=NOW.tzinfo), tick=False):
        client.force_login(figures.secretary)
        board = client.get(u("staff_dashboard")).context["b"]
        assert board.period == st.Period(D(2027, 1, 1), D(2027, 2, 1))
