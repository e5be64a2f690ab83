"""The permission matrix of the supporters, youth wing and information work pages, for every
role: 403 for a role without the right, 404 for an object outside the scope, the login page
for anonymous users. The last test fails when a page of these apps has no row here."""

import re

import pytest
from django.urls import resolve, reverse

from bastau.voice.outreach import urls as outreach_urls
from bastau.voice.people import urls as people_urls

from ..factories.voice import build as build_voice
from ..factories.voice import youth_programme

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member_user", "leader", "secretary", "other_secretary", "admin"]
LOGIN = "login"

STAFF = {
    "anonymous": LOGIN,
    "member_user": 403,
    "leader": 200,
    "secretary": 200,
    "other_secretary": 200,
    "admin": 200,
}
MANAGERS = dict(STAFF, leader=403)
ADMIN = dict(MANAGERS, secretary=403, other_secretary=403)
PUBLIC = dict.fromkeys(ROLES, 200)
#: An object of the secretary's district (a POO leader's POO is in it).
DISTRICT_OWN = dict(STAFF, other_secretary=404)
#: A supporter of the secretary's district without a POO: the leader does not see them.
DISTRICT_ONLY = dict(STAFF, leader=404, other_secretary=404)
#: A campaign the secretary may see but not manage.
REGIONAL_CAMPAIGN_MANAGE = dict(MANAGERS, secretary=403, other_secretary=403)


def build(world):
    """The voice world, and the regional youth programme adopted by the wing's congress."""
    return youth_programme(build_voice(world))


def _p(name, *args):
    return reverse(f"people:{name}", args=args)


def _o(name, *args):
    return reverse(f"outreach:{name}", args=args)


def _matrix(w):
    return [
        ("supporters", _p("supporters"), STAFF),
        ("supporter new", _p("supporter_new"), MANAGERS),
        ("supporter (POO)", _p("supporter", w.supporter.pk), DISTRICT_OWN),
        ("supporter (district)", _p("supporter", w.volunteer.pk), DISTRICT_ONLY),
        (
            "other district's supporter",
            _p("supporter", w.other_supporter.pk),
            dict(STAFF, leader=404, secretary=404),
        ),
        (
            "supporter withdraw",
            _p("supporter_withdraw", w.supporter.pk),
            dict(MANAGERS, other_secretary=404),
        ),
        ("counts", _p("counts"), STAFF),
        ("withdraw (public)", _p("withdraw"), PUBLIC),
        ("youth", _p("youth"), MANAGERS),
        ("wing", _p("wing", w.district_wing.pk), MANAGERS),
        ("wing new", _p("wing_new"), ADMIN),
        ("congress new", _p("congress_new", w.wing.pk), ADMIN),
        ("youth members", _p("youth_members"), MANAGERS),
        ("youth member new", _p("youth_member_new"), MANAGERS),
        (
            "youth member remove",
            _p("youth_member_remove", w.wing_other.pk),
            dict(MANAGERS, other_secretary=404),
        ),
        ("campaigns", _o("index"), STAFF),
        ("campaign new", _o("campaign_new"), MANAGERS),
        ("campaign", _o("campaign", w.campaign.pk), STAFF),
        (
            "other district's campaign",
            _o("campaign", w.other_campaign.pk),
            dict(STAFF, leader=404, secretary=404),
        ),
        ("plan", _o("plan_new", w.campaign.pk), REGIONAL_CAMPAIGN_MANAGE),
        (
            "other district's plan",
            _o("plan_new", w.other_campaign.pk),
            dict(MANAGERS, secretary=404),
        ),
        ("material new", _o("material_new", w.campaign.pk), REGIONAL_CAMPAIGN_MANAGE),
        ("instruction link", _o("instruction_link", w.campaign.pk), REGIONAL_CAMPAIGN_MANAGE),
        ("event new", _o("event_new", w.campaign.pk), STAFF),
        (
            "other district's event new",
            _o("event_new", w.other_campaign.pk),
            dict(STAFF, leader=404, secretary=404),
        ),
        ("material", _o("material", w.material.pk), STAFF),
        # The POO leader sees the events of their POO only; the upcoming one is the district's.
        ("event (POO)", _o("event", w.event.pk), DISTRICT_OWN),
        ("event (district)", _o("event", w.upcoming.pk), DISTRICT_ONLY),
        (
            "other district's event",
            _o("event", w.other_event.pk),
            dict(STAFF, leader=404, secretary=404),
        ),
        ("event reach", _o("event_reach", w.upcoming.pk), DISTRICT_ONLY),
        (
            "other district's event reach",
            _o("event_reach", w.other_event.pk),
            dict(STAFF, leader=404, secretary=404),
        ),
        ("event invite", _o("event_invite", w.upcoming.pk), DISTRICT_ONLY),
        ("event invite (POO)", _o("event_invite", w.event.pk), DISTRICT_OWN),
        (
            "other district's event invite",
            _o("event_invite", w.other_event.pk),
            dict(STAFF, leader=404, secretary=404),
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


def test_the_matrix_covers_every_page(world):
    w = build(world)
    names = {f"people:{p.name}" for p in people_urls.urlpatterns} | {
        f"outreach:{p.name}" for p in outreach_urls.urlpatterns
    }
    covered = set()
    for _label, url, expected in _matrix(w):
        match = resolve(url)
        covered.add(f"{match.namespace}:{match.url_name}")
        assert set(expected) == set(ROLES)
    assert not names - covered, f"pages without a row: {sorted(names - covered)}"


HREF = re.compile(r'href="(/(?!static/)[^"#?]*)')


@pytest.mark.parametrize("role", ROLES[1:])
def test_every_link_on_these_pages_opens_for_who_sees_it(client, world, role):
    w = build(world)
    _login(client, w, role)
    failures, checked = [], 0
    for _label, url, expected in _matrix(w):
        if expected[role] != 200 or "material" in url:
            continue
        response = client.get(url)
        for href in set(HREF.findall(response.content.decode())):
            if not href.startswith(("/people/", "/outreach/", "/activity/", "/agenda/")):
                continue
            if "/outreach/materials/" in href:
                continue
            checked += 1
            target = client.get(href)
            if target.status_code != 200:
                failures.append(f"{url} links to {href}: {target.status_code}")
    assert checked
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("role", "links"), [("admin", True), ("secretary", False)])
def test_the_congress_shows_the_programme_it_adopted_linked_only_where_it_opens(
    client, world, role, links
):
    w = build(world)
    _login(client, w, role)
    page = client.get(_p("youth")).content.decode()
    assert "«Жастар — Отанға!»" in page
    version = reverse("agenda:version", args=[w.youth_version.pk])
    adopt = reverse("agenda:congress_adopt", args=[w.congress.pk])
    assert (f'href="{version}"' in page) is links
    assert (f'href="{adopt}"' in page) is links
    assert (client.get(version).status_code == 200) is links
    assert (client.get(adopt).status_code == 200) is links
