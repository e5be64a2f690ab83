"""The permission matrix of the branch activity pages (meetings, instructions, projects), for
every role.

A role that may not use a page at all gets 403; an object outside the user's scope (another
district's, or a POO leader's view of a branch meeting) is a 404; anonymous users go to the
login page. A plain member sees only the instructions they execute.
"""

import datetime as dt
import html
import re

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.activity import services as s
from bastau.activity import urls
from bastau.activity.models import AgendaItem, Instruction, ParticipantGroup, ProjectEvent
from bastau.activity.recognition import urls as recognition_urls

from ..factories.activity import build

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member_user", "leader", "secretary", "other_secretary", "admin"]
LOGIN = "login"

#: Pages of those who manage a unit (administrator, district secretary, POO leader).
VIEW = {
    "anonymous": LOGIN,
    "member_user": 403,
    "leader": 200,
    "secretary": 200,
    "other_secretary": 200,
    "admin": 200,
}
#: An object of the district branch itself (the POO leader holds only their POO's meetings).
BRANCH_OWN = dict(VIEW, leader=404, other_secretary=404)
#: An object of the leader's POO, in the secretary's district.
POO_OWN = dict(VIEW, other_secretary=404)
#: Anyone signed in (the list is cut to what they may see).
SIGNED_IN = dict.fromkeys(ROLES, 200) | {"anonymous": LOGIN}
#: The social projects registry: the administrator and district secretaries.
PROJECTS = dict(VIEW, leader=403)
PROJECT_OWN = dict(PROJECTS, other_secretary=404)


def _u(name, *args):
    return reverse(f"activity:{name}", args=args)


def _matrix(w):
    m = w.meeting
    return [
        ("index", _u("index"), VIEW),
        ("meetings", _u("meetings"), VIEW),
        ("meeting new", _u("meeting_new"), VIEW),
        ("branch meeting", _u("meeting", m.pk), BRANCH_OWN),
        ("POO meeting", _u("meeting", w.poo_meeting.pk), POO_OWN),
        (
            "another district's meeting",
            _u("meeting", w.other_meeting.pk),
            dict(VIEW, leader=404, secretary=404),
        ),
        ("participants", _u("meeting_participants", m.pk), BRANCH_OWN),
        ("agenda item new", _u("agenda_item_new", m.pk), BRANCH_OWN),
        ("POO agenda item new", _u("agenda_item_new", w.poo_meeting.pk), POO_OWN),
        ("attachment new", _u("meeting_attachment_new", m.pk), BRANCH_OWN),
        ("minutes kk pdf", _u("meeting_minutes", m.pk, "kk", "pdf"), BRANCH_OWN),
        ("minutes ru docx", _u("meeting_minutes", m.pk, "ru", "docx"), BRANCH_OWN),
        ("decision new", _u("decision_new", w.item.pk), BRANCH_OWN),
        ("POO decision new", _u("decision_new", w.poo_item.pk), POO_OWN),
        (
            "meeting file",
            _u("attachment", w.meeting_file.pk),
            dict(BRANCH_OWN, member_user=404),
        ),
        (
            "report file",
            _u("attachment", w.report_file.pk),
            dict(BRANCH_OWN, member_user=200),
        ),
        (
            "another district's file",
            _u("attachment", w.other_file.pk),
            {
                "anonymous": LOGIN,
                "member_user": 404,
                "leader": 404,
                "secretary": 404,
                "other_secretary": 200,
                "admin": 200,
            },
        ),
        ("instructions", _u("instructions"), SIGNED_IN),
        ("instruction new", _u("instruction_new"), VIEW),
        ("instruction from an item", _u("instruction_new") + f"?item={w.item.pk}", BRANCH_OWN),
        (
            "member's instruction",
            _u("instruction", w.instruction.pk),
            dict(BRANCH_OWN, member_user=200),
        ),
        (
            "POO's instruction",
            _u("instruction", w.poo_instruction.pk),
            dict(POO_OWN, member_user=404),
        ),
        (
            "another district's instruction",
            _u("instruction", w.other_instruction.pk),
            dict(VIEW, member_user=404, leader=404, secretary=404),
        ),
        ("board", _u("board"), VIEW),
        ("account picker", _u("pick_user") + "?q=ab", VIEW),
        ("projects", _u("projects"), PROJECTS),
        ("project new", _u("project_new"), PROJECTS),
        ("project figures", _u("project_figures"), PROJECTS),
        ("project", _u("project", w.project.pk), PROJECT_OWN),
        ("project event new", _u("project_event_new", w.project.pk), PROJECT_OWN),
        ("project end", _u("project_end", w.project.pk), PROJECT_OWN),
        (
            "another district's project",
            _u("project", w.other_project.pk),
            dict(PROJECTS, secretary=404),
        ),
    ]


def _as_post(expected: dict) -> dict:
    return {role: (302 if code == 200 else code) for role, code in expected.items()}


def _post_matrix(w):
    """(label, url, data, {role: expected}): a success is a redirect (302)."""
    today = timezone.localdate().isoformat()
    return [
        (
            "participants",
            _u("meeting_participants", w.meeting.pk),
            {"categories": "Активтер: 10", "attendees": ""},
            _as_post(BRANCH_OWN),
        ),
        (
            "agenda item",
            _u("agenda_item_new", w.poo_meeting.pk),
            {"title": "Мәселе"},
            _as_post(POO_OWN),
        ),
        (
            # Only an executor starts: the leader of the responsible POO. The issuing
            # secretary and the administrator see it but may not (403).
            "start the POO's instruction",
            _u("instruction", w.poo_instruction.pk),
            {"action": "start"},
            {
                "anonymous": LOGIN,
                "member_user": 404,
                "leader": 302,
                "secretary": 403,
                "other_secretary": 404,
                "admin": 403,
            },
        ),
        (
            "project event",
            _u("project_event_new", w.project.pk),
            {"date": today, "title": "Акция", "reach": "5"},
            _as_post(PROJECT_OWN),
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


def test_refused_posts_change_nothing(client, world):
    w = build(world)
    groups = list(ParticipantGroup.objects.order_by("pk").values_list("category", "count"))
    items, events = AgendaItem.objects.count(), ProjectEvent.objects.count()
    for role in ("member_user", "other_secretary"):
        _login(client, w, role)
        for _label, url, data, _expected in _post_matrix(w):
            client.post(url, data)
    client.force_login(w.secretary)
    client.post(_u("instruction", w.poo_instruction.pk), {"action": "start"})
    assert list(ParticipantGroup.objects.order_by("pk").values_list("category", "count")) == groups
    assert (AgendaItem.objects.count(), ProjectEvent.objects.count()) == (items, events)
    w.poo_instruction.refresh_from_db()
    assert w.poo_instruction.status == Instruction.Status.ISSUED


def test_the_matrix_covers_every_page_of_meetings_instructions_and_projects(world):
    """Fails when a URL name of urls.py (other than recognition's) is missing from the matrix."""
    w = build(world)
    names = {p.name for p in urls.urlpatterns} - {p.name for p in recognition_urls.urlpatterns}
    covered = {resolve(url.split("?")[0]).url_name for _label, url, _e in _matrix(w)}
    missing = names - covered
    assert not missing, f"pages without a row in the permission matrix: {sorted(missing)}"
    for _label, _url, expected in _matrix(w) + [(p[0], p[1], p[3]) for p in _post_matrix(w)]:
        assert set(expected) == set(ROLES)


HREF = re.compile(r'href="(/(?!static/)[^"#]*)"')  # the test client serves no static files


@pytest.mark.parametrize("role", ROLES[1:])
def test_every_link_on_the_activity_pages_opens_for_who_sees_it(client, world, role):
    """A link is shown only where its target opens: the Commissions button of the overview
    (district secretaries and the administrator only) and an instruction's meeting (only when
    its page opens: not a branch meeting for a POO leader whose POO executes the instruction)."""
    w = build(world)
    from_meeting = s.issue_instruction(
        Scope(w.secretary),
        text="Бастауыш ұйымдарда түсіндіру жиналыстарын өткізу",
        deadline=timezone.localdate() + dt.timedelta(days=10),
        agenda_item=w.item,
        responsible_poos=[w.poo],
    )
    _login(client, w, role)
    pages = [_u("index"), _u("instructions"), _u("instruction", from_meeting.pk)]
    failures, checked = [], 0
    for page in pages:
        response = client.get(page)
        if response.status_code != 200:
            continue
        for href in sorted(set(HREF.findall(response.content.decode()))):
            target = client.get(html.unescape(href))
            checked += 1
            if target.status_code >= 400:
                failures.append(f"{target.status_code} {href} (on {page})")
    assert checked > 5
    assert not failures, "\n".join(failures)
    shown = client.get(_u("instruction", from_meeting.pk)).content.decode()
    meeting_url = _u("meeting", w.meeting.pk)
    assert (f'href="{meeting_url}"' in shown) == (role in {"secretary", "admin"})
