import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bastau.accounts.scoping import Scope
from bastau.activity import permissions as p
from bastau.activity import services as s
from bastau.activity.models import Decision, Meeting
from bastau.core.models import AuditEvent
from bastau.members.models import Admission

D = dt.date(2026, 3, 10)


def activists_meeting(w, user=None):
    return s.create_meeting(
        Scope(user or w.secretary),
        kind=Meeting.Kind.ACTIVISTS,
        branch=w.district,
        date=D,
        place="Culture house",
        chair_name="A. Chairman",
    )


def poo_meeting(w, user=None, poo=None):
    return s.create_meeting(
        Scope(user or w.leader),
        kind=Meeting.Kind.POO_MEETING,
        poo=poo or w.poo,
        date=D,
        chair_member=w.members[1],
    )


def test_secretary_records_a_meeting_with_agenda_and_participants(world):
    w = world
    meeting = activists_meeting(w)
    assert meeting.branch == w.district and meeting.poo is None
    s.set_participants(
        Scope(w.secretary),
        meeting,
        categories={"POO leaders": 45, "Activists": 120},
        members=[w.members[0], w.members[2]],
    )
    first = s.add_agenda_item(
        Scope(w.secretary), meeting, title="Tasks set by the chairman", speakers=[w.members[1]]
    )
    second = s.add_agenda_item(
        Scope(w.secretary), meeting, title="Primaries", speakers_text="Akim deputy"
    )
    s.record_decision(Scope(w.secretary), first, text="Take the tasks into work.")
    assert [i.position for i in meeting.agenda_items.all()] == [1, 2]
    assert second.speakers_text == "Akim deputy"
    assert list(first.speakers.all()) == [w.members[1]]
    assert {g.category: g.count for g in meeting.participant_groups.all()} == {
        "POO leaders": 45,
        "Activists": 120,
    }
    assert meeting.attendees.count() == 2
    assert meeting.chair_display == "A. Chairman"
    assert AuditEvent.objects.filter(action__startswith="meeting.").count() == 5
    # Replacing participants replaces, not appends.
    s.set_participants(Scope(w.secretary), meeting, categories={"All": 10})
    assert meeting.participant_groups.count() == 1 and meeting.attendees.count() == 0


def test_meeting_validation(world):
    w = world
    with pytest.raises(ValidationError):  # no chair
        s.create_meeting(Scope(w.secretary), kind="activists", branch=w.district, date=D)
    with pytest.raises(ValidationError):  # POO meeting without POO
        s.create_meeting(Scope(w.admin), kind="poo_meeting", date=D, chair_name="X")
    with pytest.raises(ValidationError):  # branch meeting with a POO
        s.create_meeting(
            Scope(w.admin), kind="conference", branch=w.district, poo=w.poo, date=D, chair_name="X"
        )
    with pytest.raises(ValidationError):
        s.set_participants(Scope(w.secretary), activists_meeting(w), categories={"x": -1})


def test_meeting_permissions_by_role_and_branch(world):
    w = world
    with pytest.raises(PermissionDenied):
        activists_meeting(w, w.other_secretary)
    with pytest.raises(PermissionDenied):
        activists_meeting(w, w.leader)  # a POO leader holds only their POO's meetings
    with pytest.raises(PermissionDenied):
        activists_meeting(w, w.member_user)
    with pytest.raises(PermissionDenied):
        poo_meeting(w, w.leader, poo=w.poo2)
    own = poo_meeting(w)
    branch_meeting = activists_meeting(w)
    other = s.create_meeting(
        Scope(w.admin),
        kind="political_council",
        branch=w.other_district,
        date=D,
        chair_name="X",
    )
    # The district secretary also manages the POO meetings of their branch.
    s.add_agenda_item(Scope(w.secretary), own, title="Admission")
    with pytest.raises(PermissionDenied):
        s.add_agenda_item(Scope(w.other_secretary), own, title="x")
    with pytest.raises(PermissionDenied):
        s.add_agenda_item(Scope(w.leader), branch_meeting, title="x")
    with pytest.raises(PermissionDenied):
        s.add_agenda_item(Scope(w.member_user), own, title="x")
    assert set(p.meetings(Scope(w.admin))) == {own, branch_meeting, other}
    assert set(p.meetings(Scope(w.secretary))) == {own, branch_meeting}
    assert set(p.meetings(Scope(w.other_secretary))) == {other}
    assert set(p.meetings(Scope(w.leader))) == {own}
    assert list(p.meetings(Scope(w.member_user))) == []


def test_poo_meeting_decision_links_admission(world):
    w = world
    admission = Admission.objects.create(
        iin="000000000000", last_name="New", first_name="Member", poo=w.poo, applied_on=D
    )
    other_admission = Admission.objects.create(
        iin="000000000001", last_name="Else", first_name="Where", poo=w.poo2, applied_on=D
    )
    meeting = poo_meeting(w)
    item = s.add_agenda_item(Scope(w.leader), meeting, title="Admission to the party")
    decision = s.record_decision(Scope(w.leader), item, text="Admit.", admission=admission)
    assert Decision.objects.get(pk=decision.pk).admission == admission
    assert admission.meeting_decisions.get() == decision
    with pytest.raises(ValidationError):
        s.record_decision(Scope(w.leader), item, text="Admit.", admission=other_admission)
    branch_item = s.add_agenda_item(Scope(w.secretary), activists_meeting(w), title="x")
    with pytest.raises(ValidationError):  # only POO meetings admit
        s.record_decision(Scope(w.secretary), branch_item, text="Admit.", admission=admission)
    with pytest.raises(ValidationError):
        s.record_decision(Scope(w.leader), item, text="  ")
