"""The write pass of an import: the PostgreSQL path (COPY into a temporary table, one
INSERT ... RETURNING feeding the history INSERT) and the ORM path (SQLite, and PostgreSQL with
COPY_ON_POSTGRESQL off) give the same members and the same history rows. The same tests run on
both backends: on SQLite both imports take the ORM path and are checked against the same
expected rows."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.forms.models import model_to_dict

from bastau.core.models import AuditEvent
from bastau.members import imports
from bastau.members.models import ImportJob, Member

from ..factories.members import csv_bytes, fresh_iin, xlsx_bytes

HEADER = [
    "iin", "last_name", "first_name", "patronymic", "phone", "email", "address", "poo_code",
    "sector", "joined_on", "status", "birth_date", "sex", "has_disability", "left_on",
    "is_veteran",
]  # fmt: skip


def _rows(world):
    woman = fresh_iin(dt.date(1990, 2, 3), "F")
    man = fresh_iin(dt.date(1975, 11, 30), "M")
    left = fresh_iin(dt.date(1950, 5, 6), "F")
    odd = fresh_iin(dt.date(2001, 12, 31), "M")
    return [
        [woman, "Ахметова", "Айгүл", "Серікқызы", "+7 701 123 45 67", "a@example.kz",
         'Ақтөбе қ., "Абай" көшесі, 1', world.poo.code, "бюджет", "2020-01-15", "", "", "Ж",
         "иә", "", "0"],
        [man, "Серікұлы", "Нұрлан", "", "", "", "", world.poo2.code, "private", "15.01.2021",
         "active", "30.11.1975", "M", "", "", "да"],
        [left, "Әлиева", "Сәуле", "", "", "", "", world.poo.code, "pensioner", "2010-03-04",
         "вышел", "", "", "0", "01.02.2024", ""],
        # COPY's special characters: a backslash, a literal \N, a tab (spaces after parsing).
        [odd, "O\\Brien", "\\N", "a\tb", "", "back\\slash@example.kz", "\\t \\n",
         world.poo2.code, "", "2022-06-07", "", "", "", "", "", "yes"],
    ]  # fmt: skip


def _import(world, content: bytes, name: str, fmt: str) -> ImportJob:
    job = ImportJob(
        kind=ImportJob.Kind.MEMBERS,
        format=fmt,
        original_name=name,
        total_rows=4,
        created_by=world.secretary,
        branch=world.district,
    )
    job.file.save(name, ContentFile(content))
    job = imports.run_import(job.pk)
    assert job.status == ImportJob.Status.SUCCEEDED, list(job.errors.values_list("code", "row"))
    assert job.created_count == 4
    return job


def _snapshot(iins: list[str]) -> tuple[list[dict], list[dict]]:
    """The members and their history rows, without what differs between two imports (ids,
    history dates, the job in the change reason), in IIN order."""
    members = []
    ids = {}
    for member in Member.objects.filter(iin__in=iins).order_by("iin"):
        ids[member.pk] = member.iin
        row = model_to_dict(member)
        del row["id"]
        members.append(row)
    history = []
    for h in Member.history.filter(iin__in=iins).order_by("iin"):
        assert ids[h.id] == h.iin  # the history row points at its member
        assert h.history_change_reason.startswith("import ")
        row = {
            f.attname: getattr(h, f.attname)
            for f in Member.history.model._meta.concrete_fields
            if f.attname not in {"history_id", "id", "history_date", "history_change_reason"}
        }
        history.append(row)
    return members, history


def _forget(iins: list[str]) -> None:
    Member.objects.filter(iin__in=iins).delete()
    Member.history.filter(iin__in=iins).delete()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_copy_path_and_orm_path_write_the_same_members_and_history(world, monkeypatch, fmt):
    rows = _rows(world)
    iins = [row[0] for row in rows]
    content = csv_bytes(HEADER, rows) if fmt == "csv" else xlsx_bytes(HEADER, rows)
    name = f"m.{fmt}"

    monkeypatch.setattr(imports, "COPY_ON_POSTGRESQL", False)
    orm_job = _import(world, content, name, fmt)
    via_orm = _snapshot(iins)
    _forget(iins)

    monkeypatch.setattr(imports, "COPY_ON_POSTGRESQL", True)
    started = dt.datetime.now(dt.UTC)
    job = _import(world, content, name, fmt)
    via_default = _snapshot(iins)

    assert via_default == via_orm
    members, history = via_default
    assert [m["iin"] for m in members] == sorted(iins)
    by_iin = {m["iin"]: m for m in members}
    woman, man, left, odd = iins
    assert by_iin[woman] | {"iin": None} == {
        "iin": None,
        "last_name": "Ахметова",
        "first_name": "Айгүл",
        "patronymic": "Серікқызы",
        "birth_date": dt.date(1990, 2, 3),
        "sex": "F",
        "phone": "+7 701 123 45 67",
        "email": "a@example.kz",
        "address": 'Ақтөбе қ., "Абай" көшесі, 1',
        "poo": world.poo.pk,
        "sector": "budget",
        "has_disability": True,
        "is_veteran": False,
        "joined_on": dt.date(2020, 1, 15),
        "status": "active",
        "status_changed_on": None,
        "status_reason": "",
        "left_on": None,
    }
    assert (by_iin[man]["birth_date"], by_iin[man]["is_veteran"]) == (dt.date(1975, 11, 30), True)
    assert (by_iin[left]["status"], by_iin[left]["left_on"], by_iin[left]["status_changed_on"]) == (
        "left",
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 1),
    )
    assert (by_iin[odd]["last_name"], by_iin[odd]["first_name"], by_iin[odd]["patronymic"]) == (
        "O\\Brien",
        "\\N",
        "a b",
    )
    assert (by_iin[odd]["email"], by_iin[odd]["address"]) == ("back\\slash@example.kz", "\\t \\n")
    assert by_iin[odd]["sector"] == "other"
    # Every member has its "+" row by the importing user, with the member's values.
    assert len(history) == 4
    for h in history:
        assert (h["history_type"], h["history_user_id"]) == ("+", world.secretary.pk)
        member = by_iin[h["iin"]]
        assert {k: h[k if k != "poo" else "poo_id"] for k in member} == member
    reasons = set(Member.history.filter(iin__in=iins).values_list("history_change_reason", flat=1))
    assert reasons == {f"import {job.pk}"}
    dates = Member.history.filter(iin__in=iins).values_list("history_date", flat=True)
    assert all(started <= d <= dt.datetime.now(dt.UTC) for d in dates)
    assert AuditEvent.objects.filter(action="members.imported", object_id=str(job.pk)).exists()
    assert orm_job.pk != job.pk


def test_the_postgresql_path_is_taken_on_postgresql(world, monkeypatch):
    taken = []
    real = imports._copy_write
    monkeypatch.setattr(
        imports,
        "_copy_write",
        lambda *args, **kwargs: taken.append(args[0]) or real(*args, **kwargs),
    )
    rows = _rows(world)
    _import(world, csv_bytes(HEADER, rows), "m.csv", "csv")
    assert taken == ([Member] if connection.vendor == "postgresql" else [])
    assert Member.history.filter(iin__in=[r[0] for r in rows]).count() == 4


def test_a_member_registered_between_the_passes_fails_the_whole_import(world, monkeypatch):
    """The unique IIN still guards the write pass: nothing is written, the job says why."""
    rows = _rows(world)
    real = imports._write_pass

    def racing(job, spec, user, stage):
        Member.objects.create(
            iin=rows[2][0],
            last_name="Racer",
            first_name="R",
            birth_date=dt.date(1950, 5, 6),
            sex="F",
            poo=world.poo,
            joined_on=dt.date(2020, 1, 1),
        )
        return real(job, spec, user, stage)

    monkeypatch.setattr(imports, "_write_pass", racing)
    before = Member.objects.count(), Member.history.count()
    job = ImportJob(
        kind=ImportJob.Kind.MEMBERS,
        format="csv",
        original_name="m.csv",
        created_by=world.secretary,
        branch=world.district,
    )
    job.file.save("m.csv", ContentFile(csv_bytes(HEADER, rows)))
    job = imports.run_import(job.pk)
    assert job.status == ImportJob.Status.FAILED
    assert job.errors.get().code == "conflict"
    assert Member.objects.count() == before[0] + 1  # only the racer
    assert not Member.objects.filter(iin=rows[0][0]).exists()


def test_stage_round_trips_copy_text():
    stage = imports.Stage(
        Member, ("last_name", "birth_date", "poo_id", "has_disability", "left_on")
    )
    values = ["a\\b\tc\nd\re", "\\N", "", "\\", "plain"]
    stage.add(
        [
            "\t".join(
                (imports.copy_text(v), "2020-01-02", "7", "t" if i % 2 else "f", imports.NULL)
            )
            + "\n"
            for i, v in enumerate(values)
        ]
    )
    records = list(stage.records())
    stage.close()
    assert [r["last_name"] for r in records] == values
    assert records[0] == {
        "last_name": values[0],
        "birth_date": dt.date(2020, 1, 2),
        "poo_id": 7,
        "has_disability": False,
        "left_on": None,
    }
    assert [r["has_disability"] for r in records] == [False, True, False, True, False]
    assert imports.copy_value(None) == "\\N"
    assert imports.copy_value(dt.date(2020, 1, 2)) == "2020-01-02"
    assert (imports.copy_value(True), imports.copy_value(False), imports.copy_value(3)) == (
        "t",
        "f",
        "3",
    )
