"""Surveys through the API: the list is the surveys app's scoped queryset, results are the
aggregates of the results pages (a district secretary's cut to their district, the public's
with every group under 5 hidden), and no answer sheet or respondent ever appears."""

import pytest
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.voice.surveys import permissions as surveys_perms
from bastau.voice.surveys import services as s

from ..factories.surveys import answer_data, build

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member_user", "leader", "secretary", "other_secretary", "admin"]
MANAGE = {
    "anonymous": 401,
    "member_user": 403,
    "leader": 403,
    "secretary": 200,
    "other_secretary": 200,
    "admin": 200,
}


def _public_answers(w, n, need="2"):
    data = {
        w.p_district.key: str(w.district.pk),
        w.p_age.key: "18-24",
        w.p_sex.key: "F",
        w.p_need.key: need,
    }
    for _i in range(n):
        s.submit_public_answer(w.public_survey, data, today=timezone.localdate())


@pytest.mark.parametrize("role", ROLES)
def test_survey_endpoints_answer_each_role_as_the_pages_do(world, api_for, role):
    w = build(world)
    caller = api_for(role)
    rows = [
        (f"/surveys/surveys/{w.survey.pk}/results", MANAGE),
        (f"/surveys/surveys/{w.district_survey.pk}/results", {**MANAGE, "other_secretary": 404}),
        (f"/surveys/surveys/{w.other_survey.pk}/results", {**MANAGE, "secretary": 404}),
        (f"/surveys/published/{w.public_survey.public_token}/results", dict.fromkeys(ROLES, 200)),
        (f"/surveys/published/{w.district_survey.public_token}/results", dict.fromkeys(ROLES, 404)),
    ]
    failures = []
    for path, expected in rows:
        response = caller.get(path)
        if response.status_code != expected[role]:
            failures.append(f"{path}: expected {expected[role]}, got {response.status_code}")
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/problem+json"), path
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ["leader", "secretary", "other_secretary", "admin"])
def test_the_survey_list_is_the_scoped_queryset(world, api_for, role):
    w = build(world)
    body = api_for(role).get("/surveys/surveys", limit=500).json()
    expected = surveys_perms.surveys(Scope(getattr(w, role)))
    assert [row["id"] for row in body["items"]] == sorted(expected.values_list("pk", flat=True))
    assert body["items"], role  # every one of these roles sees at least one survey


def test_staff_results_are_the_pages_counts_cut_to_the_secretarys_district(world, api_for):
    w = build(world)
    today = timezone.localdate()
    s.submit_member_answer(Scope(w.member_user), w.survey, answer_data(w), today=today)
    body = api_for("secretary").get(f"/surveys/surveys/{w.survey.pk}/results").json()
    assert body["district_id"] == w.district.pk
    assert [c["key"] for c in body["columns"]] == [str(w.district.pk)]
    assert body["respondents"]["total"] == 1
    need = next(q for q in body["questions"] if q["id"] == w.need.pk)
    assert [(r["label"], r["total"], r["cells"]) for r in need["rows"]] == [
        ("Жұмыс", 1, [1]),
        ("Баспана", 0, [0]),
    ]
    admin = api_for("admin").get(f"/surveys/surveys/{w.survey.pk}/results?by=age").json()
    assert admin["district_id"] is None and admin["by"] == "age"
    assert "Жұмыс керек" not in str(admin)  # free text is never in the results
    bad = api_for("admin").get(f"/surveys/surveys/{w.survey.pk}/results?by=iin")
    assert bad.status_code == 422


def test_published_results_hide_every_group_under_five(world, api_for):
    w = build(world)
    _public_answers(w, 6)
    _public_answers(w, 1, need="1")
    body = api_for("anonymous").get(f"/surveys/published/{w.public_survey.public_token}/results")
    body = body.json()
    need = next(q for q in body["questions"] if q["id"] == w.p_need.pk)
    assert [r["total"] for r in need["rows"]] == [None, None]  # 1 hidden, so 6 (=7-1) too
    column = [c["key"] for c in body["columns"]].index(str(w.district.pk))
    assert need["rows"][0]["cells"][column] is None
    assert body["respondents"]["total"] == 7
    _public_answers(w, 5, need="1")
    body = api_for("anonymous").get(f"/surveys/published/{w.public_survey.public_token}/results")
    need = next(q for q in body.json()["questions"] if q["id"] == w.p_need.pk)
    assert [r["total"] for r in need["rows"]] == [6, 6]


def test_a_token_without_the_surveys_app_is_refused(world, api_for):
    w = build(world)
    caller = api_for("admin", apps=["members"])
    response = caller.get(f"/surveys/surveys/{w.survey.pk}/results")
    assert response.status_code == 403
