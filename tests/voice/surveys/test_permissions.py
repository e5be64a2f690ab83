"""The permission matrix of the survey pages, for every role.

The regional administrator sees every survey; a district secretary runs their district's and
sees the region's (cut to their district), never another district's (404); a POO leader sees
at most response rates; a member answers. Public pages open for everyone.
"""

import re

import pytest
from django.urls import resolve, reverse

from bastau.voice.surveys import urls

from ...factories.surveys import build

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member_user", "leader", "secretary", "other_secretary", "admin"]
LOGIN = "login"

#: Those who run surveys (the administrator and the district secretaries).
MANAGE = {
    "anonymous": LOGIN,
    "member_user": 403,
    "leader": 403,
    "secretary": 200,
    "other_secretary": 200,
    "admin": 200,
}
#: A survey of the secretary's district.
DISTRICT = dict(MANAGE, other_secretary=404)
#: Changing the region's survey: the administrator only.
REGION_EDIT = dict(MANAGE, secretary=403, other_secretary=403)
RATES = dict(MANAGE, leader=200)
MEMBER = dict.fromkeys(ROLES, 403) | {"anonymous": LOGIN, "member_user": 200}
PUBLIC = dict.fromkeys(ROLES, 200)
POST_ONLY = dict.fromkeys(ROLES, 405)


def _u(name, *args):
    return reverse(f"surveys:{name}", args=args)


def _matrix(w):
    y, d, n = w.survey.pk, w.district_survey.pk, w.named_survey.pk
    token = w.public_survey.public_token
    return [
        ("list", _u("list"), RATES),
        ("new", _u("new"), MANAGE),
        ("region survey", _u("survey", y), MANAGE),
        ("district survey", _u("survey", d), DISTRICT),
        ("another district's survey", _u("survey", w.other_survey.pk), dict(MANAGE, secretary=404)),
        ("edit region survey", _u("edit", y), REGION_EDIT),
        ("edit district survey", _u("edit", d), DISTRICT),
        ("question new", _u("question_new", n), DISTRICT),
        ("question delete", _u("question_delete", w.district_q.pk), POST_ONLY),
        ("named list", _u("invitees", n), DISTRICT),
        (
            "named list of a survey for all members",
            _u("invitees", d),
            dict(DISTRICT, secretary=404, admin=404),
        ),
        ("preview", _u("preview", y), MANAGE),
        ("status", _u("status", y), POST_ONLY),
        ("send", _u("send", y), POST_ONLY),
        ("rates region", _u("rates", y), RATES),
        ("rates district", _u("rates", d), dict(RATES, other_secretary=404)),
        ("results", _u("results", y), MANAGE),
        ("results district", _u("results", d), DISTRICT),
        ("topics", _u("topics", y), MANAGE),
        ("identified answers", _u("responses", d), DISTRICT),
        (
            "no names in an anonymous survey",
            _u("responses", y),
            dict(MANAGE, secretary=404, other_secretary=404, admin=404),
        ),
        ("export xlsx", _u("export", y, "xlsx"), MANAGE),
        ("export csv", _u("export", d, "csv"), DISTRICT),
        ("flyer", _u("flyer", y), MANAGE),
        ("mine", _u("mine"), MEMBER),
        ("answer", _u("answer", y), MEMBER),
        ("public", _u("public", token), PUBLIC),
        ("public done", _u("public_done", token), PUBLIC),
        ("public results", _u("public_results", token), PUBLIC),
        ("public results of the youth survey", _u("public_results", w.survey.public_token), PUBLIC),
        ("qr", _u("qr", token), PUBLIC),
    ]


def _as_post(expected: dict) -> dict:
    return {role: (302 if code == 200 else code) for role, code in expected.items()}


def _post_matrix(w):
    return [
        (
            "close the district survey",
            _u("status", w.district_survey.pk),
            {"action": "close"},
            _as_post(DISTRICT),
        ),
        ("remind", _u("send", w.survey.pk), {"action": "remind"}, _as_post(REGION_EDIT)),
        (
            "delete a question of an open survey",
            _u("question_delete", w.district_q.pk),
            {},
            _as_post(DISTRICT),
        ),
    ]


def _login(client, w, role):
    if role != "anonymous":
        client.force_login(getattr(w, role))


def _ok(response, expected) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and reverse("accounts:login") in response["Location"]
    return response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_matrix_says(client, world, role):
    w = build(world)
    _login(client, w, role)
    failures = []
    for label, url, expected_by_role in _matrix(w):
        expected = expected_by_role[role]
        response = client.get(url)
        if not _ok(response, expected):
            failures.append(f"{label} {url}: expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_every_post_answers_each_role_as_the_matrix_says(client, world, role):
    w = build(world)
    _login(client, w, role)
    failures = []
    for label, url, data, expected_by_role in _post_matrix(w):
        expected = expected_by_role[role]
        response = client.post(url, data)
        if not _ok(response, expected):
            failures.append(f"{label} {url}: expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)


def test_the_matrix_covers_every_page(world):
    w = build(world)
    names = {p.name for p in urls.urlpatterns}
    covered = {resolve(url.split("?")[0]).url_name for _label, url, _e in _matrix(w)}
    assert not names - covered, f"pages without a row in the matrix: {sorted(names - covered)}"
    for _label, _url, expected in _matrix(w) + [(p[0], p[1], p[3]) for p in _post_matrix(w)]:
        assert set(expected) == set(ROLES)


HREF = re.compile(r'href="(/(?!static/)[^"#]*)"')


@pytest.mark.parametrize("role", ROLES[1:])
def test_every_link_on_the_survey_pages_opens_for_who_sees_it(client, world, role):
    w = build(world)
    _login(client, w, role)
    pages = [
        "/",
        _u("list"),
        _u("mine"),
        _u("survey", w.survey.pk),
        _u("survey", w.district_survey.pk),
        _u("results", w.survey.pk),
        _u("rates", w.survey.pk),
    ]
    failures, checked = [], 0
    for page in pages:
        response = client.get(page)
        if response.status_code != 200:
            continue
        for href in set(HREF.findall(response.content.decode())):
            href = href.replace("&amp;", "&")
            if not href.startswith(("/surveys/", "/people/")) and href != "/":
                continue
            checked += 1
            target = client.get(href)
            if target.status_code >= 400:
                failures.append(f"{page} -> {href}: {target.status_code}")
    assert checked
    assert not failures, "\n".join(failures)
