import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bastau.accounts.scoping import Scope
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
    assert Scope(world.other_secretary).members().filter(pk=world.members[2].pk).exists()
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


def test_branch_page_counts_members_per_poo(client, world, django_assert_max_num_queries):
    for _ in range(5):
        f.member(world.poo)
    client.force_login(world.secretary)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("structure:branch", args=[world.district.code]))
    counts = {p.pk: p.member_count for p in response.context["page"]}
    assert counts == {world.poo.pk: 7, world.poo2.pk: 1}


def test_branches_page_counts_current_members(client, world):
    client.force_login(world.admin)
    rows = {b.code: b for b in client.get(reverse("structure:branches")).context["branches"]}
    assert rows["mugalzhar"].member_count == 3
    assert rows["khromtau"].member_count == 1
    assert rows["mugalzhar"].poo_count == 2


def test_poo_pages_post(client, world):
    client.force_login(world.secretary)
    response = client.post(
        reverse("structure:poo_close", args=[world.poo2.code]),
        {"date": TODAY.isoformat(), "reason": "x"},
    )
    assert response.status_code == 200  # refused: members remain
    assert "members" in str(response.context["form"].non_field_errors())
    response = client.post(
        reverse("structure:poo_create"),
        {
            "code": "s-77",
            "name": "School 77",
            "branch": world.district.pk,
            "workplace_kind": "school",
            "address": "",
            "founded_on": "2020-09-01",
        },
    )
    assert response.status_code == 302
    assert PrimaryOrganization.objects.filter(code="s-77", branch=world.district).exists()
