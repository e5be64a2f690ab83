"""Structure's staff pages: the branch list and page count members, the POO form pages post."""

import datetime as dt

from django.urls import reverse

from bastau.structure.models import PrimaryOrganization

from .. import factories as f

TODAY = dt.date.today()


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
