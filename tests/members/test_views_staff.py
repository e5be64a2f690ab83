import datetime as dt

from django.urls import reverse

from bastau.core.models import AuditEvent


def test_member_list_is_scoped_to_the_secretarys_district(client, world):
    client.force_login(world.secretary)
    response = client.get(reverse("members:list"))
    shown = {m.pk for m in response.context["page"]}
    assert shown == {m.pk for m in world.members}
    assert world.other_member.pk not in shown


def test_member_list_filters(client, world):
    client.force_login(world.admin)
    url = reverse("members:list")
    women = {m.pk for m in client.get(url, {"sex": "F"}).context["page"]}
    assert women == {world.members[0].pk, world.members[2].pk}
    by_name = client.get(url, {"q": world.members[1].last_name}).context["page"]
    assert [m.pk for m in by_name] == [world.members[1].pk]
    by_poo = {m.pk for m in client.get(url, {"poo": world.poo2.code}).context["page"]}
    assert by_poo == {world.members[2].pk}


def test_veterans_are_marked_filtered_and_show_their_awards(client, world):
    from bastau.activity.models import Award

    veteran = world.members[2]
    veteran.is_veteran = True
    veteran.save()
    Award.objects.create(
        branch=world.district, kind=Award.Kind.LETTER_OF_THANKS, member=veteran,
        awarded_on=dt.date(2026, 5, 7), occasion="Activists' meeting",
    )  # fmt: skip
    client.force_login(world.secretary)
    url = reverse("members:list")
    assert [m.pk for m in client.get(url, {"veterans": "on"}).context["page"]] == [veteran.pk]
    page = client.get(reverse("members:detail", args=[veteran.pk])).content.decode()
    assert "Veteran" in page
    assert "Letter of thanks" in page and "Activists&#x27; meeting" in page
    other = client.get(reverse("members:detail", args=[world.members[1].pk])).content.decode()
    assert "Letter of thanks" not in other


def test_member_list_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    from .. import factories as f

    for _ in range(30):
        f.member(world.poo)
    client.force_login(world.secretary)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("members:list"))
    assert len(response.context["page"]) == 33


def test_poo_leader_cannot_search_by_iin(client, world):
    client.force_login(world.leader)
    response = client.get(reverse("members:list"), {"q": world.members[1].iin[:6]})
    assert list(response.context["page"]) == []


def test_personal_data_masked_for_poo_leader_and_read_is_audited(client, world):
    member = world.members[1]
    client.force_login(world.leader)
    body = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert member.iin not in body
    assert member.iin[-4:] in body
    assert not AuditEvent.objects.filter(action="member.personal_data_viewed").exists()

    client.force_login(world.secretary)
    body = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert member.iin in body
    assert AuditEvent.objects.filter(
        action="member.personal_data_viewed", object_id=str(member.pk)
    ).exists()


def test_member_sees_own_record_with_personal_data(client, world):
    client.force_login(world.member_user)
    body = client.get(reverse("members:me")).content.decode()
    assert world.member.iin in body


def test_edit_records_who_changed_what(client, world):
    member = world.members[1]
    client.force_login(world.secretary)
    response = client.post(
        reverse("members:edit", args=[member.pk]),
        {
            "last_name": member.last_name,
            "first_name": "Changed",
            "patronymic": "",
            "phone": member.phone,
            "email": "",
            "address": "Ақтөбе",
            "sector": "budget",
        },
    )
    assert response.status_code == 302
    latest = member.history.first()
    assert latest.history_user == world.secretary
    assert latest.first_name == "Changed"
    changed = {c.field for c in latest.diff_against(latest.prev_record).changes}
    assert changed == {"first_name", "address", "sector"}
    body = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    old_name = member.first_name
    assert f"given name: {old_name} → Changed" in body


def test_transfer_page_refuses_same_poo(client, world):
    member = world.members[1]
    client.force_login(world.secretary)
    response = client.post(
        reverse("members:transfer", args=[member.pk]),
        {
            "to_poo": member.poo.pk,
            "date": dt.date.today().isoformat(),
            "reason": "",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    member.refresh_from_db()
    assert member.poo == world.poo


def test_member_list_count_is_capped(client, world, monkeypatch):
    """At national size the list counts at most cap + 1 rows (a LIMITed subquery): beyond the
    cap it says "more than" and its pages stop at the cap (issue 7)."""
    from bastau.members.views.staff import CappedPaginator

    from .. import factories as f

    for _ in range(4):
        f.member(world.poo)
    client.force_login(world.secretary)
    url = reverse("members:list")
    monkeypatch.setattr(CappedPaginator, "cap", 4)
    response = client.get(url)
    paginator = response.context["page"].paginator
    assert paginator.capped and paginator.count == 5
    assert "More than 4 members match" in response.content.decode()
    monkeypatch.setattr(CappedPaginator, "cap", 100)
    response = client.get(url)
    assert not response.context["page"].paginator.capped
    assert response.context["page"].paginator.count == 7
    assert "7 members" in response.content.decode()


def test_member_list_pages_stop_at_the_cap(world):
    from bastau.members.models import Member
    from bastau.members.views.staff import CappedPaginator

    from .. import factories as f

    for _ in range(10):
        f.member(world.poo)
    paginator = CappedPaginator(Member.objects.order_by("last_name", "first_name", "id"), 2)
    paginator.cap = 5
    assert paginator.count == 6 and paginator.capped
    assert paginator.num_pages == 3
    last = paginator.get_page(99)
    assert last.number == 3 and len(last) == 2 and not last.has_next()
