"""The permission matrix of the register and the programme pages, for every role.

A role without the right gets 403; another district's issue or programme is a 404 for a
district secretary; anonymous users go to the login page; the public pages open for anyone
but only for a published version."""

import html
import re

import pytest
from django.urls import resolve, reverse

from bastau.accounts.scoping import Scope
from bastau.voice.agenda import services as s
from bastau.voice.agenda import urls
from bastau.voice.agenda.models import Issue, IssueSource, ProgrammeItem

from .conftest import item_data, youth

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member_user", "leader", "secretary", "other_secretary", "admin"]
LOGIN = "login"
STAFF = {
    "anonymous": LOGIN,
    "member_user": 403,
    "leader": 403,
    "secretary": 200,
    "other_secretary": 200,
    "admin": 200,
}
OWN = dict(STAFF, other_secretary=404)
REGIONAL = dict(STAFF, secretary=404, other_secretary=404)
ADMIN = dict(STAFF, secretary=403, other_secretary=403)
PUBLIC = dict.fromkeys(ROLES, 200)


def build(w):
    sec = Scope(w.secretary)
    w.source = s.link_appeals(sec, w.issue, topic=w.topic, district=w.district)
    w.pitem = s.add_item(sec, w.district_programme, issues_answered=[w.issue], **item_data())
    w.v1 = s.create_version(sec, w.district_programme)
    s.update_item(sec, w.pitem, issues_answered=[w.issue], **item_data(target="8"))
    w.v2 = s.create_version(sec, w.district_programme)
    s.submit_version(sec, w.v2, meeting=w.meeting)
    s.approve_at_meeting(sec, w.v2, text="Қабылдансын.")
    s.publish_version(sec, w.v2)
    w.regional_item = s.add_item(
        Scope(w.admin), w.programme, issues_answered=[w.issue], **item_data()
    )
    w.regional_version = s.create_version(Scope(w.admin), w.programme)
    youth(w)
    return w


def _u(name, *args):
    return reverse(f"agenda:{name}", args=args)


def _matrix(w):
    return [
        ("issues", _u("issues"), STAFF),
        ("issue new", _u("issue_new"), STAFF),
        ("issue", _u("issue", w.issue.pk), OWN),
        ("another district's issue", _u("issue", w.other_issue.pk), dict(STAFF, secretary=404)),
        ("link appeals", _u("issue_link", w.issue.pk, "appeals"), OWN),
        ("link an appeal", _u("issue_link", w.issue.pk, "appeal"), OWN),
        ("link a question", _u("issue_link", w.issue.pk, "question"), OWN),
        ("link a decision", _u("issue_link", w.issue.pk, "decision"), OWN),
        ("link a survey topic", _u("issue_link", w.issue.pk, "survey"), OWN),
        (
            "link of no kind",
            _u("issue_link", w.issue.pk, "nonsense"),
            dict(OWN, secretary=404, admin=404),
        ),
        ("overdue commitments", _u("programme", w.district_programme.pk) + "?state=overdue", OWN),
        (
            "unlink (POST only)",
            _u("issue_unlink", w.issue.pk, w.source.pk),
            dict.fromkeys(ROLES, 405),
        ),  # fmt: skip
        ("merge", _u("issue_merge", w.issue.pk), OWN),
        ("programmes", _u("programmes"), STAFF),
        ("programme new", _u("programme_new"), STAFF),
        ("district programme", _u("programme", w.district_programme.pk), OWN),
        ("regional programme", _u("programme", w.programme.pk), REGIONAL),
        ("item new", _u("item_new", w.district_programme.pk), OWN),
        (
            "version new (POST only)",
            _u("version_new", w.district_programme.pk),
            dict.fromkeys(ROLES, 405),
        ),  # fmt: skip
        ("item", _u("item", w.pitem.pk), OWN),
        ("item edit", _u("item_edit", w.pitem.pk), OWN),
        ("regional item", _u("item", w.regional_item.pk), REGIONAL),
        ("version", _u("version", w.v2.pk), OWN),
        ("diff", _u("version_diff", w.v2.pk), OWN),
        ("submit", _u("version_submit", w.regional_version.pk), REGIONAL),
        ("approve", _u("version_approve", w.v2.pk), OWN),
        (
            "publish (POST only)",
            _u("version_publish", w.v2.pk),
            dict.fromkeys(ROLES, 405),
        ),  # fmt: skip
        ("congress adopt", _u("congress_adopt", w.congress.pk), ADMIN),
        ("youth programme", _u("programme", w.youth_programme.pk), REGIONAL),
        ("youth version submit", _u("version_submit", w.youth_v1.pk), REGIONAL),
        ("version pdf kk", _u("version_document", w.v2.pk, "kk", "pdf"), OWN),
        ("version docx ru", _u("version_document", w.v2.pk, "ru", "docx"), OWN),
        ("public programmes", _u("public_programmes"), PUBLIC),
        ("public programme", _u("public_programme", w.district_programme.pk), PUBLIC),
        (
            "unpublished programme",
            _u("public_programme", w.programme.pk),
            dict.fromkeys(ROLES, 404),
        ),  # fmt: skip
        ("public pdf ru", _u("public_document", w.district_programme.pk, "ru", "pdf"), PUBLIC),
    ]


def _login(client, w, role):
    if role != "anonymous":
        client.force_login(getattr(w, role))


def _ok(response, expected) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and reverse("accounts:login") in response["Location"]
    return response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_matrix_says(client, aw, role):
    w = build(aw)
    _login(client, w, role)
    failures = []
    for label, url, expected_by_role in _matrix(w):
        expected = expected_by_role[role]
        response = client.get(url)
        if not _ok(response, expected):
            failures.append(f"{label} {url}: expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)


def test_the_matrix_covers_every_page(aw):
    w = build(aw)
    names = {p.name for p in urls.urlpatterns}
    covered = {resolve(url.split("?")[0]).url_name for _label, url, _e in _matrix(w)}
    assert not names - covered, sorted(names - covered)
    for _label, _url, expected in _matrix(w):
        assert set(expected) == set(ROLES)


@pytest.mark.parametrize("role", ["member_user", "leader", "other_secretary"])
def test_refused_posts_change_nothing(client, aw, role):
    w = build(aw)
    _login(client, w, role)
    before = (Issue.objects.count(), IssueSource.objects.count(), ProgrammeItem.objects.count())
    client.post(_u("issue_new"), {"title": "x", "district": w.district.pk})
    client.post(_u("issue_unlink", w.issue.pk, w.source.pk))
    client.post(_u("issue_link", w.issue.pk, "appeal"), {"number": w.appeals[0].number})
    client.post(_u("item_new", w.district_programme.pk), {"title": "x"})
    client.post(_u("issue_merge", w.other_issue.pk), {"into": w.issue.pk})
    after = (Issue.objects.count(), IssueSource.objects.count(), ProgrammeItem.objects.count())
    assert after == before
    assert Issue.objects.filter(status="merged").count() == 0


HREF = re.compile(r'href="(/(?!static/)[^"#]*)"')


@pytest.mark.parametrize("role", ["secretary", "admin"])
def test_every_link_on_the_agenda_pages_opens(client, aw, role):
    w = build(aw)
    s.link_question(Scope(w.secretary), w.issue, question=w.question)
    s.link_appeal(Scope(w.secretary), w.issue, number=w.land_appeal.number)
    s.link_decision(Scope(w.secretary), w.issue, decision=w.item.decisions.first())
    _login(client, w, role)
    pages = [
        _u("issues"), _u("issue", w.issue.pk), _u("programmes"),
        _u("programme", w.district_programme.pk), _u("item", w.pitem.pk), _u("version", w.v2.pk),
        _u("version_diff", w.v2.pk), _u("public_programme", w.district_programme.pk),
    ]  # fmt: skip
    failures, checked = [], 0
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        for href in sorted(set(HREF.findall(response.content.decode()))):
            if "logout" in href:
                continue
            target = client.get(html.unescape(href))
            checked += 1
            if target.status_code >= 400:
                failures.append(f"{target.status_code} {href} (on {page})")
    assert checked > 20
    assert not failures, "\n".join(failures)
