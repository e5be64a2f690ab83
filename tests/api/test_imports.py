"""Importing members through the API: the import page's own service, its checks and its
per-row error report, for read-write tokens of the roles that may import."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bastau.members.models import ImportJob, Member

from ..factories.members import MEMBER_HEADER, csv_bytes, member_row
from .conftest import make_token


def _post(raw, content, kind="members", language="en"):
    return Client().post(
        "/api/v1/members/imports",
        {"kind": kind, "file": SimpleUploadedFile("m.csv", content, "text/csv")},
        headers={"Authorization": f"Bearer {raw}", "Accept-Language": language},
    )


def test_a_good_file_is_imported(world):
    raw = make_token(world.secretary, access="write")
    before = Member.objects.count()
    response = _post(raw, csv_bytes(MEMBER_HEADER, [member_row(world.poo), member_row(world.poo2)]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == ImportJob.Status.SUCCEEDED and body["created_count"] == 2
    assert Member.objects.count() == before + 2


def test_a_bad_file_imports_nothing_and_reports_each_row(world):
    raw = make_token(world.secretary, access="write")
    before = Member.objects.count()
    rows = [member_row(world.poo), member_row(world.poo, joined="last spring")]
    body = _post(raw, csv_bytes(MEMBER_HEADER, rows)).json()
    assert body["status"] == ImportJob.Status.FAILED and body["error_count"] == 1
    assert Member.objects.count() == before
    headers = {"Authorization": f"Bearer {raw}", "Accept-Language": "ru"}
    errors = Client().get(f"/api/v1/members/imports/{body['id']}/errors", headers=headers).json()
    [error] = errors["items"]
    assert (error["row"], error["column"], error["value"]) == (3, "joined_on", "last spring")
    assert error["message"] != "" and "Not a date" not in error["message"]  # in Russian


def test_a_row_outside_the_secretary_s_district_is_refused(world):
    raw = make_token(world.secretary, access="write")
    body = _post(raw, csv_bytes(MEMBER_HEADER, [member_row(world.other_poo)])).json()
    assert body["status"] == ImportJob.Status.FAILED


def test_who_may_import(world):
    content = csv_bytes(MEMBER_HEADER, [member_row(world.poo)])
    assert _post(make_token(world.secretary), content).status_code == 403  # read-only token
    assert _post(make_token(world.leader, access="write"), content).status_code == 403
    assert _post(make_token(world.member_user, access="write"), content).status_code == 403
    unreadable = _post(make_token(world.secretary, access="write"), b"\x00\x01garbage")
    assert unreadable.status_code == 422
    assert not ImportJob.objects.exists()


def test_another_district_s_job_is_not_found(world):
    raw = make_token(world.secretary, access="write")
    job_id = _post(raw, csv_bytes(MEMBER_HEADER, [member_row(world.poo)])).json()["id"]
    other = make_token(world.other_secretary)
    response = Client().get(
        f"/api/v1/members/imports/{job_id}", headers={"Authorization": f"Bearer {other}"}
    )
    assert response.status_code == 404
