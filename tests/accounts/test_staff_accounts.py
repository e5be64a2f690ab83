"""Staff accounts: the regional administrator and district secretaries create, change,
deactivate and reset accounts within their scope; every change is audited."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from bastau.accounts import services
from bastau.accounts.models import Role, User
from bastau.accounts.scoping import Scope
from bastau.core.models import AuditEvent

PASSWORD = "Kokshetau-2026-orbit"


def _new(client, **data):
    return client.post(reverse("accounts:staff_account_new"), data)


def test_a_secretary_creates_a_poo_leader_of_their_district(client, world):
    client.force_login(world.secretary)
    response = _new(
        client,
        username="aigerim",
        first_name="Айгерім",
        last_name="Сапарова",
        role=Role.POO_LEADER,
        poo=world.poo.pk,
        member=world.members[1].pk,
        password=PASSWORD,
    )
    user = User.objects.get(username="aigerim")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:staff_account", args=[user.pk])
    assert (user.role, user.poo, user.member) == (Role.POO_LEADER, world.poo, world.members[1])
    assert user.check_password(PASSWORD)
    event = AuditEvent.objects.get(action="account.created", object_id=str(user.pk))
    assert event.actor == world.secretary
    assert event.branch == world.district
    # and the new person signs in with that password
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": "aigerim", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


@pytest.mark.parametrize(
    ("field", "value_of"),
    [
        ("poo", lambda w: {"role": Role.POO_LEADER, "poo": w.other_poo.pk}),
        ("branch", lambda w: {"role": Role.DISTRICT_SECRETARY, "branch": w.other_district.pk}),
        ("member", lambda w: {"role": Role.MEMBER, "member": w.other_member.pk}),
        ("role", lambda w: {"role": Role.REGIONAL_ADMIN, "branch": w.district.pk}),
    ],
)
def test_a_secretary_may_not_reach_outside_the_district_or_above_it(client, world, field, value_of):
    client.force_login(world.secretary)
    response = _new(client, username="outsider", **value_of(world))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(username="outsider").exists()
    assert not AuditEvent.objects.filter(action="account.created").exists()


def test_the_action_refuses_what_the_form_would_refuse(world):
    """The action does not trust its caller: a district secretary cannot make an admin."""
    from django.core.exceptions import ValidationError

    data = {"username": "x", "role": Role.REGIONAL_ADMIN, "branch": world.region}
    with pytest.raises(ValidationError):
        services.create_account(Scope(world.secretary), data)
    data = {"username": "y", "role": Role.POO_LEADER, "poo": world.other_poo}
    with pytest.raises(ValidationError):
        services.create_account(Scope(world.secretary), data)
    assert not User.objects.filter(username__in=["x", "y"]).exists()


def test_the_role_needs_its_anchor_and_messages_are_translated(client, world):
    client.force_login(world.secretary)
    client.cookies["bastau_language"] = "kk"
    response = _new(client, username="noanchor", role=Role.POO_LEADER)
    assert response.status_code == 200
    assert "БПҰ" in str(response.context["form"].errors["poo"])
    client.cookies["bastau_language"] = "ru"
    response = _new(client, username="noanchor", role=Role.POO_LEADER)
    assert "ППО" in str(response.context["form"].errors["poo"])


def test_the_admin_may_grant_every_role_and_anchor_anywhere(client, world):
    client.force_login(world.admin)
    response = _new(
        client, username="second-admin", role=Role.REGIONAL_ADMIN, branch=world.region.pk
    )
    assert response.status_code == 302
    assert User.objects.get(username="second-admin").role == Role.REGIONAL_ADMIN
    response = _new(
        client, username="khromtau-leader", role=Role.POO_LEADER, poo=world.other_poo.pk
    )
    assert response.status_code == 302


def test_the_list_shows_the_district_only_with_last_sign_in(client, world):
    mine = services.create_account(
        Scope(world.admin), {"username": "mine", "role": Role.POO_LEADER, "poo": world.poo2}
    )
    theirs = services.create_account(
        Scope(world.admin), {"username": "theirs", "role": Role.POO_LEADER, "poo": world.other_poo}
    )
    from django.utils import timezone

    world.leader.last_login = timezone.localtime().replace(hour=9, minute=41)
    world.leader.save()
    client.force_login(world.secretary)
    response = client.get(reverse("accounts:staff_accounts"), {"state": "all"})
    listed = {u.pk for u in response.context["page"]}
    assert mine.pk in listed and world.leader.pk in listed
    assert world.leader.last_login.strftime("%d.%m.%Y 09:41") in response.content.decode()
    assert theirs.pk not in listed
    assert world.admin.pk not in listed and world.secretary.pk not in listed
    assert world.other_secretary.pk not in listed
    response = client.get(reverse("accounts:staff_accounts"), {"q": "min"})
    assert [u.pk for u in response.context["page"]] == [mine.pk]
    assert client.get(reverse("accounts:staff_account", args=[theirs.pk])).status_code == 404


def test_edit_changes_role_and_is_audited(client, world):
    client.force_login(world.secretary)
    url = reverse("accounts:staff_account_edit", args=[world.leader.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "username": world.leader.username,
            "role": Role.RECEPTION_OFFICER,
            "branch": world.district.pk,
        },
    )
    assert response.status_code == 302
    world.leader.refresh_from_db()
    assert (world.leader.role, world.leader.branch, world.leader.poo) == (
        Role.RECEPTION_OFFICER,
        world.district,
        None,
    )
    event = AuditEvent.objects.get(action="account.updated", object_id=str(world.leader.pk))
    assert set(event.data["fields"]) == {"role", "branch", "poo"}


def test_deactivate_ends_sessions_and_reactivate_restores(client, world):
    from django.test import Client

    leader_client = Client()
    leader_client.force_login(world.leader)
    assert leader_client.get(reverse("members:list")).status_code == 200
    client.force_login(world.secretary)
    url = reverse("accounts:staff_account_deactivate", args=[world.leader.pk])
    assert client.post(url, {"reason": ""}).status_code == 200  # a reason is needed
    assert client.post(url, {"reason": "Left the post"}).status_code == 302
    world.leader.refresh_from_db()
    assert not world.leader.is_active
    # the open session is gone: the next request is sent to sign in
    response = leader_client.get(reverse("members:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert AuditEvent.objects.filter(action="account.deactivated", summary="Left the post").exists()
    response = client.post(reverse("accounts:staff_account_reactivate", args=[world.leader.pk]))
    world.leader.refresh_from_db()
    assert response.status_code == 302 and world.leader.is_active
    assert AuditEvent.objects.filter(action="account.reactivated").exists()


def test_reset_sign_in_ends_sessions_and_can_leave_only_the_code(client, world):
    from django.test import Client

    from bastau.accounts import otp

    leader_client = Client()
    leader_client.force_login(world.leader)
    client.force_login(world.secretary)
    url = reverse("accounts:staff_account_reset", args=[world.leader.pk])
    assert client.post(url, {"password": "123"}).status_code == 200  # too weak: nothing changes
    world.leader.refresh_from_db()
    assert world.leader.has_usable_password()
    assert client.post(url, {"password": ""}).status_code == 302
    world.leader.refresh_from_db()
    assert not world.leader.has_usable_password()
    response = leader_client.get(reverse("members:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert AuditEvent.objects.filter(action="account.sign_in_reset").count() == 1
    # a new password works at once
    assert client.post(url, {"password": PASSWORD}).status_code == 302
    world.leader.refresh_from_db()
    assert world.leader.check_password(PASSWORD)
    assert otp  # the one-time code sign-in stays available (tests/accounts/test_login.py)


def test_a_secretary_cannot_touch_accounts_outside_their_scope(client, world):
    client.force_login(world.secretary)
    for target in (world.admin, world.other_secretary, world.secretary):
        for name in ("staff_account_edit", "staff_account_reset", "staff_account_deactivate"):
            assert client.get(reverse(f"accounts:{name}", args=[target.pk])).status_code == 404
        response = client.post(reverse("accounts:staff_account_reactivate", args=[target.pk]))
        assert response.status_code == 404


def test_username_must_be_free(client, world):
    client.force_login(world.secretary)
    response = _new(
        client, username=world.leader.username.upper(), role=Role.POO_LEADER, poo=world.poo.pk
    )
    assert "username" in response.context["form"].errors


def test_the_list_pages_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(30):
        services.create_account(
            Scope(world.admin), {"username": f"u{n}", "role": Role.POO_LEADER, "poo": world.poo}
        )
    client.force_login(world.admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:staff_accounts"))
    assert len(response.context["page"]) == 30 + 5
