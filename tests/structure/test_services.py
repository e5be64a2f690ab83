import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bastau.accounts.scoping import Scope
from bastau.members import permissions as members_permissions
from bastau.members.models import Transfer
from bastau.structure import services
from bastau.structure.models import PrimaryOrganization, StructureEvent

from .. import factories as f

TODAY = dt.date.today()


def test_found_a_poo_records_the_event(world):
    poo = services.found_poo(
        Scope(world.secretary),
        data={
            "code": "new-poo",
            "name": "New POO",
            "branch": world.district,
            "workplace_kind": "school",
            "address": "",
            "founded_on": TODAY,
        },
    )
    assert poo.events.get().kind == StructureEvent.Kind.FOUNDED


def test_secretary_cannot_found_in_another_district(world):
    with pytest.raises(PermissionDenied):
        services.found_poo(
            Scope(world.secretary),
            data={
                "code": "x",
                "name": "X",
                "branch": world.other_district,
                "workplace_kind": "school",
                "founded_on": TODAY,
            },
        )
    assert not PrimaryOrganization.objects.filter(code="x").exists()


def test_move_keeps_history_and_members_follow(world):
    services.move_poo(
        Scope(world.admin),
        world.poo2,
        to_branch=world.other_district,
        date=TODAY,
        reason="re-zoning",
    )
    world.poo2.refresh_from_db()
    assert world.poo2.branch == world.other_district
    event = world.poo2.events.get(kind=StructureEvent.Kind.MOVED)
    assert (event.from_branch, event.to_branch) == (world.district, world.other_district)
    # The member now counts for the other district.
    assert (
        members_permissions.members(Scope(world.other_secretary))
        .filter(pk=world.members[2].pk)
        .exists()
    )
    assert world.poo2.history.count() == 2


def test_move_to_region_is_refused(world):
    with pytest.raises(ValidationError):
        services.move_poo(Scope(world.admin), world.poo2, to_branch=world.region, date=TODAY)


def test_merge_moves_members_and_keeps_the_old_poo(world):
    extra = f.member(world.poo2)
    moved = services.merge_poo(Scope(world.secretary), world.poo2, into=world.poo, date=TODAY)
    assert moved == 2
    world.poo2.refresh_from_db()
    assert world.poo2.status == PrimaryOrganization.Status.MERGED
    assert world.poo2.merged_into == world.poo
    extra.refresh_from_db()
    assert extra.poo == world.poo
    assert Transfer.objects.filter(from_poo=world.poo2, to_poo=world.poo).count() == 2


def test_close_refuses_while_members_remain(world):
    with pytest.raises(ValidationError):
        services.close_poo(Scope(world.secretary), world.poo2, date=TODAY, reason="empty")
    empty = f.poo(world.district)
    services.close_poo(Scope(world.secretary), empty, date=TODAY, reason="enterprise closed")
    empty.refresh_from_db()
    assert empty.status == PrimaryOrganization.Status.CLOSED and empty.closed_on == TODAY
