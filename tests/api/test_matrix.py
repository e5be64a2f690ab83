"""The API's permission matrix: every read endpoint for every role, and what each role sees.

The statuses follow the pages' own rules (tests/test_permissions.py): a role the page rule
refuses gets 403, an object outside the scope is 404, a call without a token 401; the rows a
list returns are exactly the app's scoped queryset, never more."""

import pytest

from bastau.accounts.scoping import Scope
from bastau.api.v1 import api
from bastau.members import permissions as members_perms
from bastau.structure import permissions as structure_perms

ROLES = ["anonymous", "member_user", "leader", "secretary", "other_secretary", "admin"]
STAFF = {
    "anonymous": 401,
    "member_user": 403,
    "leader": 200,
    "secretary": 200,
    "other_secretary": 200,
    "admin": 200,
}
HANDLERS = {**STAFF, "leader": 403}
EVERYONE = dict.fromkeys(ROLES, 200)
SIGNED_IN = {**EVERYONE, "anonymous": 401}


def _rows(w):
    m = w.members[1]  # in the secretary's district and the leader's POO
    return [
        ("/structure/branches", STAFF),
        ("/structure/poos", STAFF),
        ("/members", STAFF),
        (f"/members/{m.pk}", {**STAFF, "other_secretary": 404}),
        (f"/members/{w.other_member.pk}", {**STAFF, "leader": 404, "secretary": 404}),
        ("/admissions", STAFF),
        ("/reception/appeals", HANDLERS),
        ("/oversight/deputies", HANDLERS),
        ("/oversight/factions", HANDLERS),
        ("/oversight/reports", HANDLERS),
        ("/oversight/budget-indicators", HANDLERS),
        ("/primaries/campaigns", EVERYONE),
        ("/activity/meetings", {**STAFF}),
        ("/activity/instructions", SIGNED_IN),
        ("/surveys/surveys", STAFF),
        ("/programme/programmes", {**STAFF, "leader": 403}),
        ("/programme/versions", {**STAFF, "leader": 403}),
        ("/programme/commitments", {**STAFF, "leader": 403}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_answers_each_role_as_the_matrix_says(world, api_for, role):
    caller = api_for(role)
    failures = []
    for path, expected in _rows(world):
        response = caller.get(path)
        if response.status_code != expected[role]:
            failures.append(f"{path}: expected {expected[role]}, got {response.status_code}")
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/problem+json"), path
    assert not failures, "\n".join(failures)


def test_matrix_covers_every_get_endpoint(world):
    """A new GET endpoint must be added to the matrix (or to its own tests, named here)."""
    in_matrix = {f"/api/v1{path}" for path, _ in _rows(world) if path.count("/") < 3}
    in_matrix.add("/api/v1/members/{member_id}")
    own_tests = {  # tests/api/test_primaries.py
        "/api/v1/primaries/campaigns/{slug}/candidates",
        "/api/v1/primaries/campaigns/{slug}/results",
        "/api/v1/reception/appeals/{appeal_id}",  # tests/api/test_reception.py
        "/api/v1/members/imports/{job_id}",  # tests/api/test_imports.py
        "/api/v1/members/imports/{job_id}/errors",
        "/api/v1/surveys/surveys/{survey_id}/results",  # tests/api/test_surveys.py
        "/api/v1/surveys/published/{token}/results",
        "/api/v1/programme/versions/{version_id}",  # tests/api/test_programme.py
        "/api/v1/programme/published/{programme_id}",
    }
    paths = api.get_openapi_schema()["paths"]
    gets = {p for p, ops in paths.items() if "get" in ops}
    assert gets - in_matrix - own_tests == set()


@pytest.mark.parametrize("role", ["leader", "secretary", "other_secretary", "admin"])
def test_lists_are_exactly_the_scoped_querysets(world, api_for, role):
    caller = api_for(role)
    scope = Scope(getattr(world, role))
    cases = [
        ("/members", members_perms.members(scope)),
        ("/structure/poos", structure_perms.poos(scope)),
        ("/structure/branches", structure_perms.branches(scope)),
    ]
    for path, qs in cases:
        body = caller.get(path, limit=500).json()
        assert [row["id"] for row in body["items"]] == sorted(qs.values_list("pk", flat=True))


def test_a_secretary_never_sees_another_district(world, api_for):
    caller = api_for("secretary")
    ids = {row["id"] for row in caller.get("/members", limit=500).json()["items"]}
    assert world.other_member.pk not in ids
    assert world.members[0].pk in ids
    poos = {row["id"] for row in caller.get("/structure/poos").json()["items"]}
    assert world.other_poo.pk not in poos
    response = caller.get(f"/members/{world.other_member.pk}")
    assert response.status_code == 404
    assert world.other_member.last_name not in response.content.decode()
