"""The permission matrix of the reception's staff pages, for every role.

A role that may not use a page at all gets 403; an object of another branch is a 404 (it does
not exist for that user); anonymous users go to the login page. The citizens' pages
(views/public.py) are checked by their own tests and exempt here by name.
"""

import datetime as dt

import pytest
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.reception import services, urls
from bastau.reception.models import Appeal, Booking, CalendarOverride

from ..factories.reception import build

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "member_user",
    "leader",
    "secretary",
    "other_secretary",
    "officer",
    "admin",
]
LOGIN = "login"

#: Pages for reception roles, without an object of a branch.
RECEPTION = {
    "anonymous": LOGIN,
    "member_user": 403,
    "leader": 403,
    "secretary": 200,
    "other_secretary": 200,
    "officer": 200,
    "admin": 200,
}
#: The region-wide catalogue (appeal topics): the regional administrator only.
CATALOGUE = dict(RECEPTION, secretary=403, other_secretary=403, officer=403)
#: An object of the secretary's district (the appeal's branch).
OWN_BRANCH = dict(RECEPTION, other_secretary=404)


def _u(name, *args):
    return reverse(f"reception:{name}", args=args)


def _matrix(w):
    """(label, url, {role: expected}) for every GET page."""
    return [
        ("dashboard", _u("staff_dashboard"), RECEPTION),
        ("dashboard of a period", _u("staff_dashboard") + "?start=2026-01-01", RECEPTION),
        ("dashboard xlsx", _u("staff_dashboard_xlsx"), RECEPTION),
        # The branch filter's search: only the regional administrator has the filter.
        ("branch picker", _u("staff_pick_branch") + "?q=Mug", CATALOGUE),
        ("appeals", _u("staff_appeals"), RECEPTION),
        ("appeals searched", _u("staff_appeals") + "?q=MUG&status=open", RECEPTION),
        ("appeals xlsx", _u("staff_appeals_xlsx"), RECEPTION),
        ("overdue", _u("staff_overdue"), RECEPTION),
        ("due soon", _u("staff_due_soon"), RECEPTION),
        ("register", _u("staff_appeal_new"), RECEPTION),
        ("appeal", _u("staff_appeal", w.appeal.pk), OWN_BRANCH),
        (
            "another district's appeal",
            _u("staff_appeal", w.other_appeal.pk),
            dict(RECEPTION, secretary=404, officer=404),
        ),
        ("attachment", _u("staff_attachment", w.attachment.pk), OWN_BRANCH),
        ("officials", _u("staff_officials"), RECEPTION),
        ("official new", _u("staff_official_new"), RECEPTION),
        ("official edit", _u("staff_official_edit", w.official.pk), OWN_BRANCH),
        ("schedules", _u("staff_schedules"), RECEPTION),
        ("schedule new", _u("staff_schedule_new"), RECEPTION),
        ("schedule edit", _u("staff_schedule_edit", w.schedule.pk), OWN_BRANCH),
        ("sessions", _u("staff_sessions"), RECEPTION),
        ("session new", _u("staff_session_new"), RECEPTION),
        ("session", _u("staff_session", w.session.pk), OWN_BRANCH),
        ("session edit", _u("staff_session_edit", w.session.pk), OWN_BRANCH),
        ("bookings", _u("staff_bookings"), RECEPTION),
        ("booking new", _u("staff_booking_new"), RECEPTION),
        ("calendar", _u("staff_calendar"), RECEPTION),
        ("topics", _u("staff_topics"), CATALOGUE),
        ("topic new", _u("staff_topic_new"), CATALOGUE),
        ("topic edit", _u("staff_topic_edit", w.topic.pk), CATALOGUE),
    ]


def _post_matrix(w):
    """(label, url, data, {role: expected}) for the POST-only endpoints and the POSTs that
    need more than the page: a success is a redirect (302)."""
    ok = dict(RECEPTION, secretary=302, other_secretary=302, officer=302, admin=302)
    own = dict(ok, other_secretary=404)
    admin_only = dict(ok, secretary=403, other_secretary=403, officer=403)
    return [
        (
            "booking attended",
            _u("staff_booking_action", w.booking.pk),
            {"action": "attended"},
            own,
        ),
        (
            "calendar override",
            _u("staff_calendar"),
            {"day": "2026-12-31", "is_working_day": "0", "note": "test"},
            dict(admin_only, admin=302),
        ),
        (
            "calendar remove",
            _u("staff_calendar_remove"),
            {"day": "2026-12-31"},
            admin_only,
        ),
        (
            "topic remove (in use: retired)",
            _u("staff_topic_remove", w.topic.pk),
            {},
            admin_only,
        ),
        (
            "appeal comment",
            _u("staff_appeal", w.appeal.pk),
            {"action": "comment", "text": "Called the applicant."},
            own,
        ),
        (
            "appeal extend (the head only)",
            _u("staff_appeal", w.fresh.pk),
            {
                "action": "extend",
                "new_deadline": "2099-01-01",
                "reason": "x",
                "decided_on": timezone.localdate().isoformat(),
            },
            # The officer does not see the form (403); the heads get the form back with the
            # error (200: the date is past the two-month cap).
            dict(own, secretary=200, officer=403, admin=200),
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
def test_every_page_answers_each_role_as_the_matrix_says(client, rw, role):
    w = build(rw)
    _login(client, w, role)
    failures = []
    for label, url, expected_by_role in _matrix(w):
        expected = expected_by_role[role]
        response = client.get(url)
        if not _ok(response, expected):
            failures.append(f"{label} {url}: expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_every_post_answers_each_role_as_the_matrix_says(client, rw, role):
    w = build(rw)
    CalendarOverride.objects.create(date=dt.date(2026, 12, 31), is_working_day=False)
    _login(client, w, role)
    failures = []
    for label, url, data, expected_by_role in _post_matrix(w):
        expected = expected_by_role[role]
        response = client.post(url, data)
        if not _ok(response, expected):
            failures.append(f"{label} {url}: expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)


def test_refused_posts_change_nothing(client, rw):
    w = build(rw)
    before = (
        w.booking.status,
        w.appeal.events.count(),
        CalendarOverride.objects.count(),
    )
    client.force_login(w.other_secretary)
    client.post(_u("staff_booking_action", w.booking.pk), {"action": "cancel"})
    client.post(_u("staff_appeal", w.appeal.pk), {"action": "comment", "text": "Intruder"})
    client.post(_u("staff_calendar"), {"day": "2026-12-30", "is_working_day": "0", "note": "no"})
    w.booking.refresh_from_db()
    assert before == (
        w.booking.status,
        w.appeal.events.count(),
        CalendarOverride.objects.count(),
    )
    assert w.booking.status == Booking.Status.BOOKED


def test_the_officer_cannot_extend_but_the_secretary_can(client, rw):
    w = build(rw)
    client.force_login(w.officer)
    page = client.get(_u("staff_appeal", w.fresh.pk)).content.decode()
    assert 'id="act-extend"' not in page and 'id="act-assign"' in page
    client.force_login(w.secretary)
    page = client.get(_u("staff_appeal", w.fresh.pk)).content.decode()
    assert 'id="act-extend"' in page


def test_an_assignee_outside_the_branch_works_on_their_appeal_only(client, rw):
    """A POO leader (a deputy with an account, say) given one appeal sees that appeal and
    the list of their appeals, works on it, but does not assign, forward or extend, and
    sees none of the branch's pages."""
    w = build(rw)
    services.assign(Scope(w.secretary), w.fresh, assignee=w.leader)
    client.force_login(w.leader)
    assert client.get(_u("staff_appeals")).status_code == 200
    listing = client.get(_u("staff_appeals")).content.decode()
    assert w.fresh.number in listing and w.appeal.number not in listing
    page = client.get(_u("staff_appeal", w.fresh.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="act-start"' in html and 'id="act-resolve"' in html
    assert 'id="act-assign"' not in html and 'id="act-forward"' not in html
    assert 'id="act-extend"' not in html
    assert client.get(_u("staff_appeal", w.appeal.pk)).status_code == 404
    assert client.get(_u("staff_attachment", w.attachment.pk)).status_code == 404
    assert client.get(_u("staff_dashboard")).status_code == 403
    assert client.get(_u("staff_officials")).status_code == 403
    response = client.post(
        _u("staff_appeal", w.fresh.pk), {"action": "forward", "to": "Akimat", "on": "2026-11-26"}
    )
    assert response.status_code == 403
    response = client.post(_u("staff_appeal", w.fresh.pk), {"action": "start", "comment": ""})
    assert response.status_code == 302
    w.fresh.refresh_from_db()
    assert w.fresh.status == Appeal.Status.IN_PROGRESS


def test_matrix_covers_every_staff_url(rw):
    """A new staff page of the reception must be added to a matrix (or this test fails)."""
    w = build(rw)
    covered = set()
    for _label, url, _expected in _matrix(w):
        covered.add(resolve(url.split("?")[0]).url_name)
    for _label, url, _data, _expected in _post_matrix(w):
        covered.add(resolve(url).url_name)
    names = {
        name
        for name in get_resolver().namespace_dict["reception"][1].reverse_dict
        if isinstance(name, str)
    }
    public = {
        pattern.name
        for pattern in urls.urlpatterns
        if pattern.callback.__module__ == "bastau.reception.views.public"
    }
    assert names - public - covered == set()
    assert all(name.startswith("staff_") for name in covered)
