import csv
import datetime as dt
import io
import os

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bastau.core.models import AuditEvent
from bastau.lib import iin as iin_lib
from bastau.members.models import ImportJob, ImportRowError, Member
from bastau.members.tasks import run_import_job
from bastau.structure.models import PrimaryOrganization, StructureEvent

from .. import factories as f
from ..factories.members import (
    MEMBER_HEADER,
    csv_bytes,
    fresh_iin,
    many_iins,
    member_row,
    upload,
    xlsx_bytes,
)

URL = "/members/imports/"


@pytest.fixture(autouse=True)
def _url():
    assert reverse("members:imports") == URL


def post_import(client, name, content, kind="members"):
    return client.post(URL, {"kind": kind, "file": upload(name, content)})


def last_job() -> ImportJob:
    return ImportJob.objects.latest("id")


def texts(job) -> list[str]:
    return [e.text for e in job.errors.all()]


def counts():
    return (
        Member.objects.count(),
        Member.history.count(),
        PrimaryOrganization.objects.count(),
        AuditEvent.objects.filter(action__endswith=".imported").count(),
    )


# Good files -----------------------------------------------------------------------------------
def test_good_csv_import_writes_members_history_and_one_audit_event(client, world):
    client.force_login(world.secretary)
    woman = fresh_iin(dt.date(1990, 2, 3), "F")
    man = fresh_iin(dt.date(1975, 11, 30), "M")
    header = [*MEMBER_HEADER, "status", "sex", "birth_date", "phone", "has_disability"]
    rows = [
        [woman, "Ахметова", "Айгүл", world.poo.code, "2020-01-15", "бюджет", "", "Ж", "", "", "иә"],
        [man, "Серікұлы", "Нұрлан", world.poo2.code, "15.01.2021", "private", "active", "M",
         "30.11.1975", "+7 701 123 45 67", ""],
    ]  # fmt: skip
    before = Member.objects.count()

    response = post_import(client, "members.csv", csv_bytes(header, rows))

    job = last_job()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert (job.total_rows, job.processed_rows, job.created_count, job.error_count) == (2, 2, 2, 0)
    assert not job.in_background
    assert Member.objects.count() == before + 2
    aigul = Member.objects.get(iin=woman)
    assert (aigul.sex, aigul.birth_date, aigul.sector) == ("F", dt.date(1990, 2, 3), "budget")
    assert aigul.has_disability is True
    assert aigul.status == Member.Status.ACTIVE
    nurlan = Member.objects.get(iin=man)
    assert nurlan.joined_on == dt.date(2021, 1, 15)
    assert nurlan.poo == world.poo2
    assert nurlan.phone == "+7 701 123 45 67"
    history = Member.history.filter(iin__in=[woman, man])
    assert history.count() == 2
    assert {h.history_user_id for h in history} == {world.secretary.pk}
    assert {h.history_type for h in history} == {"+"}
    event = AuditEvent.objects.get(action="members.imported")
    assert event.actor == world.secretary
    assert event.branch == world.district
    assert event.data["rows"] == 2
    # The uploaded file (personal data) is removed once the job is done.
    assert not job.file


def test_uploaded_file_is_stored_under_imports_with_a_random_name_and_then_removed(
    client, world, settings
):
    client.force_login(world.secretary)
    post_import(client, "Список членов.csv", csv_bytes(MEMBER_HEADER, [member_row(world.poo)]))
    job = last_job()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.original_name == "Список членов.csv"
    imports_dir = settings.MEDIA_ROOT / "imports"
    assert imports_dir.is_dir()
    assert list(imports_dir.iterdir()) == []


def test_good_xlsx_import_with_russian_headers_and_date_cells(client, world):
    client.force_login(world.secretary)
    # Born in 2001: the IIN starts with 0, which a spreadsheet number cell drops.
    young = fresh_iin(dt.date(2001, 4, 5), "F")
    assert young.startswith("0")
    older = fresh_iin(dt.date(1969, 9, 9), "M")
    header = ["ИИН", "Фамилия", "Имя", "Отчество", "Код ППО", "Дата вступления", "Сектор", "Пол"]
    rows = [
        [int(young), "Қасымова", "Дана", "", world.poo.code, dt.datetime(2022, 3, 1), "Student",
         "Ж"],
        [older, "Омаров", "Ерлан", "Бекұлы", world.poo.code, dt.date(2010, 5, 20), "пенсионер",
         "м"],
    ]  # fmt: skip

    post_import(client, "members.xlsx", xlsx_bytes(header, rows))

    job = last_job()
    assert job.format == ImportJob.Format.XLSX
    assert job.status == ImportJob.Status.SUCCEEDED, texts(job)
    dana = Member.objects.get(iin=young)
    assert (dana.joined_on, dana.sector, dana.sex) == (dt.date(2022, 3, 1), "student", "F")
    erlan = Member.objects.get(iin=older)
    assert erlan.patronymic == "Бекұлы"
    assert erlan.sector == "pensioner"
    assert Member.history.filter(iin__in=[young, older], history_user=world.secretary).count() == 2


def test_semicolon_csv_in_windows_1251_is_read(client, world):
    client.force_login(world.admin)
    iin = fresh_iin()
    header = ["ИИН", "Фамилия", "Имя", "Код ППО", "Дата вступления"]
    row = [iin, "Петрова", "Ольга", world.other_poo.code, "01.02.2003"]
    post_import(client, "excel.csv", csv_bytes(header, [row], ";", "cp1251"))
    job = last_job()
    assert job.status == ImportJob.Status.SUCCEEDED, texts(job)
    assert Member.objects.get(iin=iin).first_name == "Ольга"


def test_poo_import_creates_organizations_with_founding_events(client, world):
    client.force_login(world.secretary)
    header = ["code", "name", "branch_code", "workplace_kind", "address", "founded_on"]
    rows = [
        ["school-7", "№7 мектеп", world.district.code, "мектеп", "Қандыағаш", "01.09.2019"],
        ["farm-2", "Ақжар шаруашылығы", world.district.code, "agriculture", "", ""],
    ]

    post_import(client, "poos.csv", csv_bytes(header, rows), kind="poos")

    job = last_job()
    assert job.status == ImportJob.Status.SUCCEEDED, texts(job)
    school = PrimaryOrganization.objects.get(code="school-7")
    assert (school.branch, school.workplace_kind) == (world.district, "school")
    assert school.founded_on == dt.date(2019, 9, 1)
    assert school.history.get().history_user == world.secretary
    founded = StructureEvent.objects.filter(kind=StructureEvent.Kind.FOUNDED)
    assert set(founded.values_list("poo__code", flat=True)) == {"school-7", "farm-2"}
    assert AuditEvent.objects.filter(action="poos.imported").count() == 1


# Bad files: nothing written, the right messages -------------------------------------------------
def test_wrong_types_are_reported_per_row_and_nothing_is_written(client, world):
    client.force_login(world.secretary)
    good = member_row(world.poo)
    bad_date = member_row(world.poo, joined="last spring")
    bad_sector = member_row(world.poo, sector="astronaut")
    before = counts()

    response = post_import(client, "m.csv", csv_bytes(MEMBER_HEADER, [good, bad_date, bad_sector]))

    job = last_job()
    assert counts() == before
    assert job.status == ImportJob.Status.FAILED
    assert job.error_count == 2
    assert texts(job) == [
        "Row 3, column joined_on: Not a date; write YYYY-MM-DD or DD.MM.YYYY.",
        "Row 4, column sector: Not one of the allowed values: budget, private, self_employed, "
        "pensioner, student, unemployed, other.",
    ]
    errors = list(job.errors.all())
    assert (errors[0].row, errors[0].column, errors[0].value) == (3, "joined_on", "last spring")
    page = client.get(response["Location"])
    assert "last spring" in page.content.decode()
    assert "Not a date" in page.content.decode()


def test_iin_check_digit_and_iin_disagreements(client, world):
    client.force_login(world.secretary)
    valid = fresh_iin(dt.date(1985, 4, 12), "F")
    broken = valid[:11] + str((int(valid[11]) + 1) % 10)
    header = [*MEMBER_HEADER, "birth_date", "sex"]
    rows = [
        [broken, "A", "B", world.poo.code, "2020-01-01", "", "", ""],
        [valid, "A", "B", world.poo.code, "2020-01-01", "", "1985-04-13", "M"],
    ]
    before = counts()

    post_import(client, "m.csv", csv_bytes(header, rows))

    assert counts() == before
    assert texts(last_job()) == [
        "Row 2, column iin: The IIN's check digit is wrong.",
        "Row 3, column birth_date: The birth date does not agree with the IIN (1985-04-12).",
        "Row 3, column sex: The sex does not agree with the IIN.",
    ]


def test_required_values_and_missing_columns(client, world):
    client.force_login(world.secretary)
    row = member_row(world.poo)
    row[1] = ""  # no surname
    post_import(client, "m.csv", csv_bytes(MEMBER_HEADER, [row]))
    assert texts(last_job()) == ["Row 2, column last_name: A value is required."]

    post_import(client, "m.csv", csv_bytes(["iin", "first_name", "poo_code", "joined_on"], [row]))
    assert texts(last_job()) == ["Row 1, column last_name: This required column is missing."]

    post_import(client, "m.csv", csv_bytes([*MEMBER_HEADER, "favourite_colour"], [row + ["red"]]))
    job = last_job()
    assert job.errors.get().code == "unknown_column"
    assert job.errors.get().column == "favourite_colour"


def test_duplicate_iins_within_the_file(client, world):
    client.force_login(world.secretary)
    iin = fresh_iin()
    rows = [member_row(world.poo), member_row(world.poo, iin), member_row(world.poo2, iin)]
    before = counts()

    post_import(client, "m.csv", csv_bytes(MEMBER_HEADER, rows))

    assert counts() == before
    assert texts(last_job()) == ["Row 4, column iin: The same value is already in row 3."]


def test_iin_already_in_the_database(client, world):
    client.force_login(world.secretary)
    existing = world.other_member.iin  # even a member of another district: IINs are unique
    rows = [member_row(world.poo), member_row(world.poo, existing)]
    before = counts()

    post_import(client, "m.csv", csv_bytes(MEMBER_HEADER, rows))

    assert counts() == before
    error = last_job().errors.get()
    assert error.text == "Row 3, column iin: A member with this IIN is already registered."
    assert error.value == existing


def test_unknown_poo_code(client, world):
    client.force_login(world.secretary)
    row = member_row(world.poo)
    row[3] = "no-such-poo"
    before = counts()
    post_import(client, "m.csv", csv_bytes(MEMBER_HEADER, [member_row(world.poo), row]))
    assert counts() == before
    assert texts(last_job()) == ["Row 3, column poo_code: No primary organization has this code."]


def test_poo_outside_the_secretarys_district(client, world):
    client.force_login(world.secretary)
    rows = [member_row(world.poo), member_row(world.other_poo)]
    before = counts()

    post_import(client, "m.csv", csv_bytes(MEMBER_HEADER, rows))

    assert counts() == before
    assert texts(last_job()) == [
        "Row 3, column poo_code: This primary organization is outside your branch."
    ]
    # The regional administrator may import into any district.
    client.force_login(world.admin)
    post_import(client, "m.csv", csv_bytes(MEMBER_HEADER, rows))
    assert last_job().status == ImportJob.Status.SUCCEEDED
    assert Member.objects.count() == before[0] + 2


def test_poo_import_problems(client, world):
    client.force_login(world.secretary)
    header = ["code", "name", "branch_code", "founded_on"]
    rows = [
        [world.poo.code, "Again", world.district.code, ""],
        ["new-1", "New", world.other_district.code, ""],
        ["new-2", "New", "nowhere", "2999-01-01"],
        ["new-3", "", world.district.code, ""],
        ["new-3", "Twice", world.district.code, ""],
        ["bad code!", "X", world.district.code, ""],
    ]
    before = counts()

    post_import(client, "p.csv", csv_bytes(header, rows), kind="poos")

    assert counts() == before
    assert texts(last_job()) == [
        "Row 2, column code: An organization with this code is already registered.",
        "Row 3, column branch_code: This branch is outside your scope.",
        "Row 4, column founded_on: The date cannot be in the future.",
        "Row 4, column branch_code: No branch has this code.",
        "Row 5, column name: A value is required.",
        "Row 6, column code: The same value is already in row 5.",
        "Row 7, column code: A code has only Latin letters, digits, - and _.",
    ]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("members.xlsx", os.urandom(4096), "not a readable Excel workbook"),
        ("members.xlsx", b"PK\x03\x04" + os.urandom(500), "not a readable Excel workbook"),
        ("notes.txt", b"iin,last_name\n", "Upload an .xlsx or .csv file."),
        ("members.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a readable CSV"),
        ("members.csv", b"", "The submitted file is empty."),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(client, world, name, content, message):
    client.force_login(world.secretary)
    before = counts()
    response = post_import(client, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts() == before
    assert not ImportJob.objects.exists()


def test_too_large_file_is_refused(client, world, settings):
    settings.IMPORT_MAX_BYTES = 100
    client.force_login(world.secretary)
    content = csv_bytes(MEMBER_HEADER, [member_row(world.poo) for _ in range(5)])
    response = post_import(client, "m.csv", content)
    assert "The file is larger than 100" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_xlsx_whose_sheet_is_damaged_fails_as_a_job_not_a_500(client, world):
    """A valid zip package whose sheet XML is broken passes the upload check but fails
    cleanly in the check pass."""
    import zipfile

    good = xlsx_bytes(MEMBER_HEADER, [member_row(world.poo)])
    source = zipfile.ZipFile(io.BytesIO(good))
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            target.writestr(item, data)
    client.force_login(world.secretary)
    before = counts()
    response = post_import(client, "m.xlsx", damaged.getvalue())
    assert counts() == before
    job = last_job()
    assert job.status == ImportJob.Status.FAILED
    assert response.status_code == 302
    assert job.errors.get().row is None
    assert "not a readable Excel workbook" in job.errors.get().text


def test_header_only_file(client, world):
    client.force_login(world.secretary)
    post_import(client, "m.csv", csv_bytes(MEMBER_HEADER, []))
    assert texts(last_job()) == ["The file has a header row but no data rows."]


# Size and the background path -------------------------------------------------------------------
def test_ten_thousand_row_csv_imports_in_one_job(client, world, settings):
    settings.IMPORT_INLINE_MAX_ROWS = 20_000  # measure the work itself, inline
    client.force_login(world.secretary)
    iins = many_iins(10_000)
    rows = [member_row(world.poo if i % 2 else world.poo2, iin) for i, iin in enumerate(iins)]
    content = csv_bytes(MEMBER_HEADER, rows)
    before = Member.objects.count()

    post_import(client, "big.csv", content)

    job = last_job()
    assert job.status == ImportJob.Status.SUCCEEDED, texts(job)[:5]
    assert Member.objects.count() == before + 10_000
    assert Member.history.filter(history_user=world.secretary).count() == 10_000
    assert job.processed_rows == job.created_count == 10_000


def test_large_file_runs_in_the_background_task(client, world, settings):
    settings.IMPORT_INLINE_MAX_ROWS = 3
    client.force_login(world.secretary)
    rows = [member_row(world.poo) for _ in range(8)]

    response = post_import(client, "m.csv", csv_bytes(MEMBER_HEADER, rows))

    job = last_job()
    assert job.in_background
    # The test settings use the immediate task backend: the task has already run.
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.created_count == 8
    page = client.get(response["Location"])
    assert "Imported in the background." in page.content.decode()
    assert "8 records were created." in page.content.decode()


def test_task_runs_a_pending_job_once(world):
    from django.core.files.base import ContentFile

    job = ImportJob(
        kind=ImportJob.Kind.MEMBERS,
        format=ImportJob.Format.CSV,
        original_name="m.csv",
        total_rows=1,
        created_by=world.secretary,
        branch=world.district,
    )
    job.file.save("m.csv", ContentFile(csv_bytes(MEMBER_HEADER, [member_row(world.poo)])))
    result = run_import_job.enqueue(job.pk)
    assert result.return_value == "succeeded"
    assert run_import_job.enqueue(job.pk).return_value == "succeeded"  # no second run
    assert Member.history.filter(history_user=world.secretary).count() == 1


def test_a_job_of_a_user_who_lost_the_right_to_import_fails(world):
    from django.core.files.base import ContentFile

    from bastau.members.imports import run_import

    world.secretary.role = f.Role.POO_LEADER
    world.secretary.save()
    job = ImportJob(kind="members", format="csv", original_name="m.csv", created_by=world.secretary)
    job.file.save("m.csv", ContentFile(csv_bytes(MEMBER_HEADER, [member_row(world.poo)])))
    before = counts()
    job = run_import(job.pk)
    assert job.status == ImportJob.Status.FAILED
    assert counts() == before
    assert job.errors.get().code == "not_allowed"


# Pages ------------------------------------------------------------------------------------------
def test_progress_is_polled_while_running_and_the_page_reloads_when_done(client, world):
    job = ImportJob.objects.create(
        kind="members",
        format="csv",
        original_name="big.csv",
        created_by=world.secretary,
        branch=world.district,
        status=ImportJob.Status.RUNNING,
        phase=ImportJob.Phase.CHECKING,
        total_rows=40_000,
        processed_rows=12_000,
        in_background=True,
    )
    client.force_login(world.secretary)
    url = reverse("members:import_detail", args=[job.pk])

    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "Checked 12,000 of about 40,000 rows." in page

    poll = client.get(url, {"poll": "1"}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 200
    assert "<html" not in poll.content.decode()
    assert 'value="12000"' in poll.content.decode()

    ImportJob.objects.filter(pk=job.pk).update(phase=ImportJob.Phase.SAVING)
    assert (
        "saving 40,000 rows"
        in client.get(url, {"poll": "1"}, HTTP_HX_REQUEST="true").content.decode()
    )

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.SUCCEEDED)
    done = client.get(url, {"poll": "1"}, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    assert 'hx-trigger="every 2s"' not in client.get(url).content.decode()


def test_error_report_downloads_as_csv_and_xlsx(client, world):
    client.force_login(world.secretary)
    rows = [member_row(world.poo, joined="32.13.2020"), member_row(world.other_poo)]
    post_import(client, "m.csv", csv_bytes(MEMBER_HEADER, rows))
    job = last_job()
    url = reverse("members:import_errors", args=[job.pk])

    response = client.get(url, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    report = list(csv.reader(io.StringIO(text)))
    assert report[0] == ["Row", "Column", "Value", "Message"]
    assert report[1] == [
        "2",
        "joined_on",
        "32.13.2020",
        "Not a date; write YYYY-MM-DD or DD.MM.YYYY.",
    ]
    assert report[2][:3] == ["3", "poo_code", world.other_poo.code]

    response = client.get(url, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Row", "Column", "Value", "Message")
    assert values[1][0] == 2
    assert len(values) == 3
    assert AuditEvent.objects.filter(action="import.errors_downloaded").count() == 2


def test_imports_page_lists_the_scopes_jobs_and_offers_templates(client, world):
    mine = ImportJob.objects.create(
        kind="members", format="csv", original_name="mine.csv", created_by=world.secretary,
        branch=world.district,
    )  # fmt: skip
    theirs = ImportJob.objects.create(
        kind="members", format="csv", original_name="theirs.csv",
        created_by=world.other_secretary, branch=world.other_district,
    )  # fmt: skip
    client.force_login(world.secretary)
    response = client.get(URL)
    assert [j.pk for j in response.context["page"]] == [mine.pk]
    body = response.content.decode()
    assert "?template=members&amp;format=xlsx" in body
    assert client.get(reverse("members:import_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("members:import_errors", args=[theirs.pk])).status_code == 404

    client.force_login(world.admin)
    shown = {j.pk for j in client.get(URL).context["page"]}
    assert shown == {mine.pk, theirs.pk}


def test_templates_have_the_header_row(client, world):
    client.force_login(world.secretary)
    response = client.get(URL, {"template": "members", "format": "xlsx"})
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = next(wb.worksheets[0].iter_rows(values_only=True))
    assert header[:4] == ("iin", "last_name", "first_name", "patronymic")
    assert "poo_code" in header
    assert ("sector", "budget", "Budget sector") in set(
        wb.worksheets[1].iter_rows(values_only=True)
    )

    response = client.get(URL, {"template": "poos", "format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.strip() == "code,name,branch_code,workplace_kind,address,founded_on"


def test_only_importers_reach_the_import_pages(client, world):
    client.force_login(world.leader)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"kind": "members"}).status_code == 403
    client.force_login(world.member_user)
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302
    client.force_login(world.secretary)
    assert client.put(URL).status_code == 405


def test_a_job_error_row_has_a_full_sentence(world):
    job = ImportJob.objects.create(kind="members", format="csv", original_name="x.csv")
    error = ImportRowError.objects.create(
        job=job,
        row=14,
        column="iin",
        value="123",
        code=f"iin_{iin_lib.IINError('checksum', '').code}",
    )
    assert str(error) == "Row 14, column iin: The IIN's check digit is wrong."


def test_pure_rules_agree_with_the_models():
    from bastau.members import import_rules as rules
    from bastau.members.models import Sector

    assert set(Member.ENDED) == rules.ENDED_STATUSES
    assert set(rules.SECTOR_WORDS) == set(Sector.values)
    assert set(rules.STATUS_WORDS) == set(Member.Status.values)
    assert set(rules.WORKPLACE_WORDS) == set(PrimaryOrganization.WorkplaceKind.values)
    member_fields = {f.name for f in Member._meta.fields}
    assert set(rules.MEMBER_TEMPLATE) - {"poo_code"} <= member_fields


def test_ended_membership_is_imported_with_its_end_date(client, world):
    client.force_login(world.secretary)
    iin = fresh_iin()
    header = [*MEMBER_HEADER, "status", "left_on"]
    rows = [member_row(world.poo, iin) + ["шыққан", "2023-05-01"]]
    post_import(client, "m.csv", csv_bytes(header, rows))
    former = Member.objects.get(iin=iin)
    assert (former.status, former.left_on) == ("left", dt.date(2023, 5, 1))
    assert former.status_changed_on == dt.date(2023, 5, 1)
    assert not former.is_member
