"""Commissions: creation by branch, seats (members and outside people, one sitting chair),
sessions with numbered decisions."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bastau.accounts.scoping import Scope
from bastau.activity import permissions as p
from bastau.activity.models import (
    Commission,
    CommissionDecision,
    CommissionMembership,
    CommissionSession,
)
from bastau.activity.recognition import services as r
from bastau.core.models import AuditEvent

START = dt.date(2025, 1, 15)
CHAIR = CommissionMembership.Role.CHAIR


def control(w, user=None, branch=None, **kwargs):
    fields = dict(
        branch=branch or w.district,
        kind=Commission.Kind.CONTROL,
        name="Партиялық бақылау комиссиясы",
        term_start=START,
        term_end=dt.date(2029, 12, 31),
    )
    fields.update(kwargs)
    return r.create_commission(Scope(user or w.secretary), **fields)


def test_secretary_creates_their_branchs_commission(world):
    c = control(world)
    assert c.branch == world.district and c.kind == "control"
    assert AuditEvent.objects.filter(action="commission.created", object_id=str(c.pk)).exists()
    anti = control(world, user=world.admin, branch=world.region, kind="anticorruption",
                   name="Public council against corruption", term_end=None)  # fmt: skip
    assert anti.term_end is None


@pytest.mark.parametrize(
    "role,branch", [("secretary", "other_district"), ("leader", "district"),
                    ("member_user", "district"), ("secretary", "region")],
)  # fmt: skip
def test_commissions_outside_the_scope_are_refused(world, role, branch):
    with pytest.raises(PermissionDenied):
        control(world, user=getattr(world, role), branch=getattr(world, branch))
    assert not Commission.objects.exists()


@pytest.mark.parametrize(
    "kwargs",
    [{"name": " "}, {"kind": "secret"}, {"term_end": START - dt.timedelta(days=1)}],
)
def test_bad_commissions_change_nothing(world, kwargs):
    with pytest.raises(ValidationError):
        control(world, **kwargs)
    assert not Commission.objects.exists()


def test_the_same_commission_term_twice_is_refused(world):
    control(world)
    with pytest.raises(ValidationError):
        control(world)
    assert Commission.objects.count() == 1


def test_seats_for_members_and_outside_people(world):
    w = world
    c = control(w)
    chair = r.add_seat(Scope(w.secretary), c, member=w.members[1], role=CHAIR, since=START)
    outsider = r.add_seat(
        Scope(w.secretary), c, name="Outside Expert", position="Lawyer", since=START
    )
    assert chair.display_name == w.members[1].full_name
    assert outsider.display_name == "Outside Expert"
    assert AuditEvent.objects.filter(action="commission.seat_added").count() == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {},  # nobody
        {"member": "member", "name": "Also a name"},
        {"member": "member", "since": START - dt.timedelta(days=1)},  # before the term
        {"member": "member", "since": dt.date(2030, 1, 1)},  # after the term
        {"member": "member", "role": "boss"},
    ],
)
def test_bad_seats_change_nothing(world, kwargs):
    c = control(world)
    fields = {"since": START, **kwargs}
    if "member" in fields:
        fields["member"] = world.member
    with pytest.raises(ValidationError):
        r.add_seat(Scope(world.secretary), c, **fields)
    assert not c.memberships.exists()


def test_seat_for_a_member_of_another_district_is_refused(world):
    c = control(world)
    with pytest.raises(PermissionDenied):
        r.add_seat(Scope(world.secretary), c, member=world.other_member, since=START)
    with pytest.raises(PermissionDenied):  # not their commission at all
        r.add_seat(Scope(world.other_secretary), c, name="X", since=START)
    assert not c.memberships.exists()


def test_one_sitting_chair_and_one_seat_per_member(world):
    w = world
    c = control(w)
    first = r.add_seat(Scope(w.secretary), c, member=w.members[0], role=CHAIR, since=START)
    with pytest.raises(ValidationError) as exc:
        r.add_seat(Scope(w.secretary), c, member=w.members[1], role=CHAIR, since=START)
    assert "role" in exc.value.message_dict
    with pytest.raises(ValidationError):
        r.add_seat(Scope(w.secretary), c, member=w.members[0], since=START)
    r.end_seat(Scope(w.secretary), first, until=dt.date(2026, 2, 28))
    second = r.add_seat(
        Scope(w.secretary), c, member=w.members[1], role=CHAIR, since=dt.date(2026, 3, 1)
    )
    assert second.role == CHAIR
    on = dt.date(2026, 3, 5)
    assert list(r.current_seats(c, on)) == [second]
    assert list(r.past_seats(c, on)) == [first]
    # on an earlier day, the first chair was the one sitting
    assert list(r.current_seats(c, dt.date(2025, 6, 1))) == [first]


def test_ending_a_seat(world):
    w = world
    c = control(w)
    seat = r.add_seat(Scope(w.secretary), c, name="Outside Expert", since=dt.date(2025, 3, 1))
    with pytest.raises(ValidationError):
        r.end_seat(Scope(w.secretary), seat, until=dt.date(2025, 2, 1))
    with pytest.raises(PermissionDenied):
        r.end_seat(Scope(w.other_secretary), seat, until=dt.date(2025, 6, 1))
    seat.refresh_from_db()
    assert seat.until is None
    r.end_seat(Scope(w.secretary), seat, until=dt.date(2025, 6, 1))
    with pytest.raises(ValidationError):
        r.end_seat(Scope(w.secretary), seat, until=dt.date(2025, 7, 1))
    seat.refresh_from_db()
    assert seat.until == dt.date(2025, 6, 1)
    assert AuditEvent.objects.filter(action="commission.seat_ended").count() == 1


def test_session_with_numbered_decisions(world):
    w = world
    c = control(w)
    session = r.record_session(
        Scope(w.secretary), c, date=dt.date(2026, 2, 10), number="3", present=5,
        agenda="Discipline", decisions=["Take note.", " ", ("Reprimand.", w.members[1])],
    )  # fmt: skip
    decisions = list(session.decisions.all())
    assert [(d.position, d.text, d.member) for d in decisions] == [
        (1, "Take note.", None),
        (2, "Reprimand.", w.members[1]),
    ]
    assert AuditEvent.objects.filter(action="commission.session", object_id=str(session.pk))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"decisions": []},
        {"decisions": ["  "]},
        {"date": START - dt.timedelta(days=1)},
        {"date": dt.date(2030, 1, 1)},
        {"present": -1},
    ],
)
def test_bad_sessions_change_nothing(world, kwargs):
    c = control(world)
    fields = {"date": dt.date(2026, 2, 10), "decisions": ["Decide."], **kwargs}
    with pytest.raises(ValidationError):
        r.record_session(Scope(world.secretary), c, **fields)
    assert not CommissionSession.objects.exists() and not CommissionDecision.objects.exists()


def test_session_decision_about_another_districts_member_is_refused(world):
    c = control(world)
    with pytest.raises(PermissionDenied):
        r.record_session(
            Scope(world.secretary), c, date=dt.date(2026, 2, 10),
            decisions=[("Reprimand.", world.other_member)],
        )  # fmt: skip
    assert not CommissionSession.objects.exists()


def test_who_sees_which_commissions(world):
    w = world
    own = control(w)
    other = control(w, user=w.other_secretary, branch=w.other_district)

    def seen(user):
        return set(p.commissions(Scope(user)).values_list("pk", flat=True))

    assert seen(w.admin) == {own.pk, other.pk}
    assert seen(w.secretary) == {own.pk}
    assert seen(w.other_secretary) == {other.pk}
    assert seen(w.leader) == set() and seen(w.member_user) == set()


def test_current_counts_and_chair_in_two_queries(world, django_assert_num_queries):
    w = world
    c = control(w)
    r.add_seat(Scope(w.secretary), c, member=w.members[0], role=CHAIR, since=START)
    r.add_seat(Scope(w.secretary), c, name="A", since=START)
    ended = r.add_seat(Scope(w.secretary), c, name="B", since=START)
    r.end_seat(Scope(w.secretary), ended, until=dt.date(2025, 6, 1))
    control(w, name="Second")
    with django_assert_num_queries(2):
        rows = list(r.with_current_counts(p.commissions(Scope(w.admin)), dt.date(2026, 1, 1)))
        summary = {x.name: (x.seats, [s.display_name for s in x.chairs]) for x in rows}
    assert summary == {c.name: (2, [w.members[0].full_name]), "Second": (0, [])}
