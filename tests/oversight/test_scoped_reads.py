"""Who sees which maslikhat: faction secretary and district secretary their branch's only,
the regional administrator all, a member or a POO leader nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from bastau.accounts.scoping import Scope
from bastau.oversight import permissions, services
from bastau.oversight.models import BudgetIndicator

ROLES = [
    "admin",
    "secretary",
    "other_secretary",
    "faction_secretary",
    "other_faction_secretary",
    "regional_faction_secretary",
    "leader",
    "member_user",
]


def _visible(ow):
    return {
        "admin": {ow.regional.pk, ow.maslikhat.pk, ow.other_maslikhat.pk},
        "secretary": {ow.maslikhat.pk},
        "other_secretary": {ow.other_maslikhat.pk},
        "faction_secretary": {ow.maslikhat.pk},
        "other_faction_secretary": {ow.other_maslikhat.pk},
        "regional_faction_secretary": {ow.regional.pk},  # not the districts below it
        "leader": set(),
        "member_user": set(),
    }


@pytest.mark.parametrize("role", ROLES)
def test_maslikhats_deputies_and_indicators_by_role(ow, role):
    for m in (ow.regional, ow.maslikhat, ow.other_maslikhat):
        BudgetIndicator.objects.create(
            maslikhat=m, year=2023, sector="education", code="E1", name="x", unit="u", plan=1
        )
    scope = Scope(getattr(ow, role))
    expected = _visible(ow)[role]
    assert set(permissions.maslikhats(scope).values_list("pk", flat=True)) == expected
    assert {d.maslikhat_id for d in permissions.deputies(scope)} == expected & {
        ow.maslikhat.pk,
        ow.other_maslikhat.pk,
    }
    assert {i.maslikhat_id for i in permissions.indicators(scope)} == expected
    assert {m.pk for m in (ow.regional, ow.maslikhat, ow.other_maslikhat)
            if permissions.handles_maslikhat(scope, m)} == expected  # fmt: skip


def test_faction_secretary_cannot_act_on_another_maslikhat(ow):
    schedule = services.create_schedule(
        Scope(ow.other_secretary), maslikhat=ow.other_maslikhat, title="H1",
        period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 6, 30),
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.add_report(
            Scope(ow.faction_secretary), schedule, deputy=ow.other_deputy,
            date=dt.date(2024, 3, 1), place="Hall", topic="Budget",
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.save_indicator(
            Scope(ow.faction_secretary), maslikhat=ow.other_maslikhat, year=2023,
            sector="education", code="E1", data={"name": "x", "unit": "u", "plan": 1},
        )  # fmt: skip


def test_faction_secretary_may_not_register_or_approve(ow):
    scope = Scope(ow.faction_secretary)
    with pytest.raises(PermissionDenied):
        services.register_deputy(scope, convocation=ow.conv, data={})
    with pytest.raises(PermissionDenied):
        services.create_schedule(
            scope, maslikhat=ow.maslikhat, title="H1", period_start=dt.date(2024, 1, 1),
            period_end=dt.date(2024, 6, 30),
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.set_budget_threshold(scope, ow.maslikhat, 80)


@pytest.mark.parametrize(
    "role, sees",
    [("admin", True), ("secretary", True), ("other_secretary", False),
     ("faction_secretary", False), ("leader", False), ("member_user", False)],
)  # fmt: skip
def test_deputy_contacts_like_members_personal_data(ow, role, sees):
    scope = Scope(getattr(ow, role))
    assert permissions.can_see_contacts(scope, ow.deputy) is sees
    if sees:
        assert services.deputy_contacts(scope, ow.deputy)["phone"] == ow.deputy.phone
    else:
        with pytest.raises(PermissionDenied):
            services.deputy_contacts(scope, ow.deputy)


def test_member_and_poo_leader_do_nothing(ow):
    for user in (ow.member_user, ow.leader):
        scope = Scope(user)
        assert not permissions.view_oversight(scope)
        assert permissions.reports(scope).count() == 0
        assert services.overdue(scope).count() == 0
        with pytest.raises(PermissionDenied):
            services.faction_overview(scope, ow.faction)
