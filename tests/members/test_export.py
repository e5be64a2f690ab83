import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bastau.core.models import AuditEvent
from bastau.core.spreadsheets import spreadsheet_safe
from bastau.members.exports import MEMBER_EXPORT_COLUMNS, POO_EXPORT_COLUMNS
from bastau.members.models import ImportJob, Member

from .. import factories as f
from ..factories.members import upload

EXPORT = reverse("members:export")
EXPORT_POOS = reverse("members:export_poos")


def read_csv(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def read_xlsx(response) -> list[dict]:
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_secretarys_csv_export_is_scoped_to_the_district_and_audited(client, world):
    client.force_login(world.secretary)
    rows = read_csv(client.get(EXPORT, {"format": "csv"}))
    assert {r["iin"] for r in rows} == {m.iin for m in world.members}
    assert world.other_member.iin not in {r["iin"] for r in rows}
    event = AuditEvent.objects.get(action="members.exported")
    assert event.actor == world.secretary
    assert event.data == {"format": "csv", "filters": {}, "masked": False, "rows": 3}


def test_csv_export_parses_back_to_the_members_values(client, world):
    member = world.members[1]
    Member.objects.filter(pk=member.pk).update(
        email="a@example.kz", address="Қандыағаш, 5", sector="budget", has_disability=True
    )
    client.force_login(world.admin)
    rows = read_csv(client.get(EXPORT, {"format": "csv", "status": "all"}))
    assert list(rows[0]) == MEMBER_EXPORT_COLUMNS
    assert len(rows) == 4
    row = next(r for r in rows if r["iin"] == member.iin)
    assert row["last_name"] == member.last_name
    assert row["birth_date"] == "1970-07-09"
    assert row["joined_on"] == "2015-01-10"
    assert (row["sex"], row["sector"], row["status"]) == ("M", "budget", "active")
    assert row["has_disability"] == "1"
    assert row["poo_code"] == world.poo.code
    assert row["branch_name"] == "Mugalzhar"
    assert (row["email"], row["address"]) == ("a@example.kz", "Қандыағаш, 5")
    assert row["phone"] == member.phone


def test_xlsx_export_parses_back_with_dates_and_text_iins(client, world):
    client.force_login(world.secretary)
    response = client.get(EXPORT, {"format": "xlsx"})
    assert 'filename="bastau-members-' in response["Content-Disposition"]
    rows = read_xlsx(response)
    assert list(rows[0]) == MEMBER_EXPORT_COLUMNS
    by_iin = {r["iin"]: r for r in rows}
    assert set(by_iin) == {m.iin for m in world.members}
    first = by_iin[world.members[0].iin]
    assert isinstance(first["iin"], str)
    assert first["birth_date"].date() == dt.date(1995, 3, 1)
    assert first["has_disability"] is False
    assert AuditEvent.objects.get(action="members.exported").data["format"] == "xlsx"


def test_export_follows_the_on_screen_filters(client, world):
    client.force_login(world.secretary)
    women = read_csv(client.get(EXPORT, {"format": "csv", "sex": "F"}))
    assert {r["iin"] for r in women} == {world.members[0].iin, world.members[2].iin}
    one_poo = read_csv(client.get(EXPORT, {"format": "csv", "poo": world.poo2.code}))
    assert [r["iin"] for r in one_poo] == [world.members[2].iin]
    # Another district's POO is not reachable by filter either.
    assert client.get(EXPORT, {"format": "csv", "poo": world.other_poo.code}).status_code == 404
    assert AuditEvent.objects.filter(action="members.exported").last().data["filters"] == {
        "sex": "F"
    }


def test_poo_leader_export_masks_iin_and_phone(client, world):
    Member.objects.filter(pk=world.members[1].pk).update(email="x@example.kz", address="Street 1")
    client.force_login(world.leader)
    for fmt, reader in (("csv", read_csv), ("xlsx", read_xlsx)):
        rows = reader(client.get(EXPORT, {"format": fmt}))
        mine = {m.iin: m for m in world.members if m.poo_id == world.poo.pk}
        assert len(rows) == len(mine) == 2
        for row in rows:
            assert row["iin"] not in mine
            assert row["iin"][-4:] in {iin[-4:] for iin in mine}
            assert row["iin"].startswith("••••")
            assert row["phone"].startswith("••••")
            assert row["email"] in ("", None) and row["address"] in ("", None)
    assert AuditEvent.objects.filter(action="members.exported", data__masked=True).count() == 2


def test_member_role_and_anonymous_cannot_export(client, world):
    client.force_login(world.member_user)
    assert client.get(EXPORT).status_code == 403
    assert client.get(EXPORT_POOS).status_code == 403
    client.logout()
    assert client.get(EXPORT).status_code == 302
    client.force_login(world.admin)
    assert client.get(EXPORT, {"format": "pdf"}).status_code == 404
    assert client.post(EXPORT).status_code == 405


def test_csv_export_query_count_does_not_grow_with_rows(client, world):
    client.force_login(world.secretary)

    def queries_for_export() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            rows = read_csv(client.get(EXPORT, {"format": "csv"}))
        return len(ctx.captured_queries), len(rows)

    few_queries, few_rows = queries_for_export()
    for i in range(60):
        f.member(world.poo2 if i % 2 else world.poo)
    many_queries, many_rows = queries_for_export()
    assert (few_rows, many_rows) == (3, 63)
    assert many_queries == few_queries


def test_csv_export_has_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(40):
        f.member(world.poo)
    client.force_login(world.secretary)
    with django_assert_max_num_queries(6):
        rows = read_csv(client.get(EXPORT, {"format": "csv"}))
    assert len(rows) == 43


def test_poo_export_is_scoped_and_parses_back(client, world):
    leader = world.members[0]
    world.poo.leader = leader
    world.poo.save()
    client.force_login(world.secretary)
    rows = read_csv(client.get(EXPORT_POOS, {"format": "csv"}))
    assert list(rows[0]) == POO_EXPORT_COLUMNS
    assert {r["code"] for r in rows} == {world.poo.code, world.poo2.code}
    school = next(r for r in rows if r["code"] == world.poo.code)
    assert (school["branch_code"], school["status"]) == ("mugalzhar", "active")
    assert school["leader"] == leader.full_name

    xlsx = read_xlsx(client.get(EXPORT_POOS, {"format": "xlsx"}))
    assert {r["code"] for r in xlsx} == {world.poo.code, world.poo2.code}
    assert AuditEvent.objects.filter(action="poos.exported").count() == 2

    client.force_login(world.admin)
    everything = read_csv(client.get(EXPORT_POOS, {"format": "csv"}))
    assert world.other_poo.code in {r["code"] for r in everything}
    narrowed = read_csv(client.get(EXPORT_POOS, {"format": "csv", "branch": "khromtau"}))
    assert [r["code"] for r in narrowed] == [world.other_poo.code]


def test_exported_members_file_reimports_into_a_fresh_registry(client, world):
    """The export columns are the import columns: an administrator's export loads back."""
    client.force_login(world.admin)
    exported = b"".join(client.get(EXPORT, {"format": "xlsx"}).streaming_content)
    before = {m.iin: (m.last_name, m.poo_id, m.joined_on) for m in Member.objects.all()}
    Member.history.all().delete()
    Member.objects.all().delete()

    client.post(reverse("members:imports"), {"kind": "members", "file": upload("e.xlsx", exported)})

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.SUCCEEDED, [e.text for e in job.errors.all()]
    after = {m.iin: (m.last_name, m.poo_id, m.joined_on) for m in Member.objects.all()}
    assert after == before


@pytest.mark.parametrize(
    "value, expected",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+7 701 123 45 67", "+7 701 123 45 67"),
        ("-5", "-5"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("Ахметова", "Ахметова"),
        (12, 12),
    ],
)
def test_spreadsheet_formulas_are_neutralised(value, expected):
    assert spreadsheet_safe(value) == expected
