"""The programme through the API and open data: programmes, versions and commitments are the
agenda app's scoped querysets, each commitment with the state its pages show (overdue derived
from today); the public reads only published, adopted versions, through the API and as the
open dataset of the programme's commitments (CSV and JSON, in the DCAT catalogue)."""

import csv
import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.voice.agenda import permissions as agenda_perms
from bastau.voice.agenda import services as s

from ..voice.agenda.conftest import aw, item_data, youth  # noqa: F401 (the agenda's world fixture)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member_user", "leader", "secretary", "other_secretary", "admin"]
STAFF = {
    "anonymous": 401,
    "member_user": 403,
    "leader": 403,
    "secretary": 200,
    "other_secretary": 200,
    "admin": 200,
}
EVERYONE = dict.fromkeys(ROLES, 200)


def _adopted(w):
    """The district programme: one commitment on time, one past its deadline, adopted at a
    meeting and published; the regional programme: a draft version only."""
    sec = Scope(w.secretary)
    today = timezone.localdate()
    w.on_time = s.add_item(sec, w.district_programme, issues_answered=[w.issue], **item_data())
    w.late = s.add_item(
        sec,
        w.district_programme,
        issues_answered=[w.issue],
        **item_data(title="Жолды жөндеу", deadline=today - dt.timedelta(days=1)),
    )
    w.version = s.create_version(sec, w.district_programme)
    s.submit_version(sec, w.version, meeting=w.meeting)
    s.approve_at_meeting(sec, w.version, text="Қабылдансын.")
    s.publish_version(sec, w.version)
    s.track_item(sec, w.on_time, status="in_progress", today=today)
    w.regional_item = s.add_item(
        Scope(w.admin), w.programme, issues_answered=[w.issue], **item_data()
    )
    w.regional_version = s.create_version(Scope(w.admin), w.programme)
    return w


def _api(w, role, **token):
    from .conftest import Api, make_token

    if role == "anonymous":
        return Api()
    return Api(make_token(getattr(w, role), **token))


@pytest.mark.parametrize("role", ROLES)
def test_programme_endpoints_answer_each_role_as_the_pages_do(aw, role):  # noqa: F811
    w = _adopted(aw)
    caller = _api(w, role)
    rows = [
        ("/programme/programmes", STAFF),
        ("/programme/versions", STAFF),
        ("/programme/commitments", STAFF),
        (f"/programme/versions/{w.version.pk}", {**STAFF, "other_secretary": 404}),
        (
            f"/programme/versions/{w.regional_version.pk}",
            {**STAFF, "secretary": 404, "other_secretary": 404},
        ),
        (f"/programme/published/{w.district_programme.pk}", EVERYONE),
        (f"/programme/published/{w.programme.pk}", dict.fromkeys(ROLES, 404)),  # not adopted
    ]
    failures = []
    for path, expected in rows:
        response = caller.get(path)
        if response.status_code != expected[role]:
            failures.append(f"{path}: expected {expected[role]}, got {response.status_code}")
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/problem+json"), path
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ["secretary", "other_secretary", "admin"])
def test_lists_are_the_agenda_scoped_querysets(aw, role):  # noqa: F811
    w = _adopted(aw)
    caller = _api(w, role)
    scope = Scope(getattr(w, role))
    cases = [
        ("/programme/programmes", agenda_perms.programmes(scope)),
        ("/programme/versions", agenda_perms.versions(scope)),
        ("/programme/commitments", agenda_perms.items(scope)),
    ]
    for path, qs in cases:
        body = caller.get(path, limit=500).json()
        assert [row["id"] for row in body["items"]] == sorted(qs.values_list("pk", flat=True))


def test_commitments_carry_their_state_today_and_the_version_its_snapshot(aw):  # noqa: F811
    w = _adopted(aw)
    caller = _api(w, "secretary")
    rows = {r["id"]: r for r in caller.get("/programme/commitments").json()["items"]}
    assert rows[w.on_time.pk]["state"] == "in_progress"
    assert rows[w.late.pk]["state"] == "overdue"  # never stored: derived from today
    assert rows[w.late.pk]["issue_ids"] == [w.issue.pk]
    assert w.regional_item.pk not in rows  # the region's programme is not the district's
    version = caller.get(f"/programme/versions/{w.version.pk}").json()
    assert version["status"] == "adopted" and version["published_at"]
    assert [i["title"] for i in version["items"]] == [w.on_time.title, "Жолды жөндеу"]
    assert version["items"][0]["issues"] == [w.issue.title]


def test_the_public_reads_the_published_programme_without_a_token(aw):  # noqa: F811
    w = _adopted(aw)
    body = _api(w, "anonymous").get(f"/programme/published/{w.district_programme.pk}").json()
    assert body["version"]["number"] == w.version.number
    assert [(i["key"], i["state"]) for i in body["items"]] == [
        (w.on_time.pk, "in_progress"),
        (w.late.pk, "overdue"),
    ]
    refused = _api(w, "admin", apps=["members"]).get("/programme/programmes")
    assert refused.status_code == 403


def test_a_youth_programme_names_its_wing_survey_and_the_congress_that_adopted_it(aw):  # noqa: F811
    w = youth(_adopted(aw))
    admin = Scope(w.admin)
    today = timezone.localdate()
    s.submit_to_congress(admin, w.youth_v1, on=w.congress.date, today=today)
    s.adopt_at_congress(admin, w.youth_v1, congress=w.congress, today=today)
    s.publish_version(admin, w.youth_v1)
    caller = _api(w, "admin")
    programmes = {
        p["id"]: p for p in caller.get("/programme/programmes", limit=500).json()["items"]
    }
    wing = {"id": w.wing.pk, "name": w.wing.name, "name_ru": w.wing.name_ru}
    assert programmes[w.youth_programme.pk]["youth_wing"] == wing
    assert programmes[w.youth_programme.pk]["survey_id"] == w.survey.pk
    plain = programmes[w.district_programme.pk]
    assert plain["youth_wing"] is None and plain["survey_id"] is None
    congress = {"id": w.congress.pk, "date": w.congress.date.isoformat()}
    versions = {v["id"]: v for v in caller.get("/programme/versions", limit=500).json()["items"]}
    assert versions[w.youth_v1.pk]["congress"] == congress
    assert versions[w.version.pk]["congress"] is None  # adopted at a meeting
    assert caller.get(f"/programme/versions/{w.youth_v1.pk}").json()["congress"] == congress
    public = _api(w, "anonymous").get(f"/programme/published/{w.youth_programme.pk}").json()
    assert public["programme"]["youth_wing"] == wing
    assert public["version"]["congress"] == congress


def test_the_commitments_are_an_open_dataset_in_the_catalogue(aw):  # noqa: F811
    w = _adopted(aw)
    client = Client()
    response = client.get("/data/programme-commitments.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["commitment"], r["state"]) for r in rows] == [
        (w.on_time.title, "in_progress"),
        ("Жолды жөндеу", "overdue"),
    ]
    assert {r["programme"] for r in rows} == {str(w.district_programme.pk)}  # only the adopted
    assert rows[0]["page_url"] == f"/agenda/p/{w.district_programme.pk}/"
    body = json.loads(b"".join(client.get("/data/programme-commitments.json").streaming_content))
    assert body["license"] == "https://creativecommons.org/licenses/by/4.0/"
    w.version.refresh_from_db()
    assert body["modified"] == w.version.published_at.date().isoformat()
    assert len(body["items"]) == 2 and body["items"][1]["state"] == "overdue"
    catalog = client.get("/data/catalog.json").json()
    ids = [d["dct:identifier"] for d in catalog["dcat:dataset"]]
    assert "programme-commitments" in ids
    page = client.get("/data/", headers={"Accept-Language": "kk"}).content.decode()
    assert "/data/programme-commitments.csv" in page
    assert "The programme" not in page and "Every commitment" not in page  # translated
