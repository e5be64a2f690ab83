"""Maslikhats, convocations, deputies and factions: the actions and their checks."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from bastau.accounts.scoping import Scope
from bastau.core.models import AuditEvent
from bastau.oversight import permissions, services
from bastau.oversight.models import Deputy, Maslikhat

from .. import factories as f
from ..factories.oversight import deputy


def _data(**kwargs):
    data = dict(
        last_name="Серікова",
        first_name="Айгүл",
        birth_date=dt.date(1975, 2, 3),
        sex="F",
        party=Deputy.Party.OURS,
        elected_by=Deputy.Election.DISTRICT,
        district_number=3,
        committee="Бюджет комиссиясы",
        posts="Комиссия төрағасы",
        phone="+77011112233",
        email="serikova@example.kz",
    )
    data.update(kwargs)
    return data


def test_create_maslikhat_checks_level_and_seats(ow):
    admin = Scope(ow.admin)
    branch = f.branch(parent=ow.region, kind="city", name="Aktobe", code="aktobe")
    with pytest.raises(ValidationError) as exc:
        services.create_maslikhat(
            admin, branch=branch, level="district", name="X", seats_total=10, seats_by_list=5
        )
    assert set(exc.value.message_dict) == {"level", "seats_by_district"}
    m = services.create_maslikhat(
        admin,
        branch=branch,
        level="city",
        name="Ақтөбе қалалық мәслихаты",
        seats_total=30,
        seats_by_list=15,
        seats_by_district=15,
    )
    assert m.branch == branch
    assert AuditEvent.objects.filter(action="maslikhat.created", object_id=str(m.pk)).exists()
    with pytest.raises(ValidationError):  # one maslikhat per branch
        services.create_maslikhat(
            admin, branch=branch, level="city", name="Again", seats_total=1, seats_by_list=1
        )


def test_seat_split_is_a_database_constraint(ow):
    with pytest.raises(IntegrityError):
        Maslikhat.objects.create(
            level="city",
            name="Bad",
            branch=f.branch(parent=ow.region, kind="city"),
            seats_total=10,
            seats_by_list=5,
            seats_by_district=4,
        )


def test_secretary_cannot_create_maslikhat_for_another_branch(ow):
    branch = f.branch(parent=ow.region, kind="city")
    with pytest.raises(PermissionDenied):
        services.create_maslikhat(
            Scope(ow.secretary), branch=branch, level="city", name="X", seats_total=1,
            seats_by_list=1,
        )  # fmt: skip


def test_register_deputy_and_audit(ow):
    d = services.register_deputy(Scope(ow.secretary), convocation=ow.conv, data=_data())
    assert d.maslikhat == ow.maslikhat
    assert d.effective_birth_date == dt.date(1975, 2, 3)
    assert d.age_on(dt.date(2025, 2, 2)) == 49
    assert AuditEvent.objects.filter(action="deputy.registered", object_id=str(d.pk)).exists()


def test_deputy_who_is_a_member_takes_birth_date_and_sex_from_the_member(ow):
    member = ow.members[2]  # F, born 1960-01-02, in the secretary's district
    d = services.register_deputy(
        Scope(ow.secretary),
        convocation=ow.conv,
        member=member,
        data=_data(last_name="", first_name="", birth_date=dt.date(1999, 1, 1), sex="M"),
    )
    d.refresh_from_db()
    assert d.birth_date is None and d.sex == ""
    assert d.effective_birth_date == dt.date(1960, 1, 2)
    assert d.effective_sex == "F"
    assert d.last_name == member.last_name
    with pytest.raises(ValidationError) as exc:  # the same member twice in a convocation
        services.register_deputy(
            Scope(ow.secretary), convocation=ow.conv, member=member,
            data=_data(district_number=4),
        )  # fmt: skip
    assert "member" in exc.value.message_dict


def test_member_outside_scope_cannot_be_linked(ow):
    with pytest.raises(PermissionDenied):
        services.register_deputy(
            Scope(ow.secretary), convocation=ow.conv, member=ow.other_member, data=_data()
        )


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"elected_by": "district", "district_number": None}, "district_number"),
        ({"elected_by": "list", "district_number": 5}, "district_number"),
        ({"birth_date": None}, "birth_date"),
        ({"sex": ""}, "sex"),
        ({"party": "other", "party_name": ""}, "party_name"),
        ({"email": "not-an-email"}, "email"),
        ({"elected_by": "lottery"}, "elected_by"),
    ],
)
def test_deputy_checks(ow, changes, field):
    with pytest.raises(ValidationError) as exc:
        services.register_deputy(Scope(ow.secretary), convocation=ow.conv, data=_data(**changes))
    assert field in exc.value.message_dict


def test_seats_of_each_kind_are_limited(ow):
    scope = Scope(ow.secretary)
    # ow.deputy holds one of the 2 list seats.
    services.register_deputy(
        scope, convocation=ow.conv, data=_data(elected_by="list", district_number=None)
    )
    with pytest.raises(ValidationError) as exc:
        services.register_deputy(
            scope, convocation=ow.conv, data=_data(elected_by="list", district_number=None)
        )
    assert "elected_by" in exc.value.message_dict
    services.register_deputy(scope, convocation=ow.conv, data=_data(district_number=1))
    with pytest.raises(ValidationError) as exc:  # district 1 is taken
        services.register_deputy(scope, convocation=ow.conv, data=_data(district_number=1))
    assert "district_number" in exc.value.message_dict


def test_convocation_of_another_maslikhat_is_refused(ow):
    with pytest.raises(PermissionDenied):
        services.register_deputy(Scope(ow.secretary), convocation=ow.other_conv, data=_data())


def test_end_mandate_frees_the_seat_and_the_leadership(ow):
    scope = Scope(ow.secretary)
    services.set_faction_leader(scope, ow.faction, ow.deputy)
    services.end_mandate(scope, ow.deputy, ended_on=dt.date(2024, 5, 1), reason="Resigned")
    ow.deputy.refresh_from_db()
    ow.faction.refresh_from_db()
    assert ow.deputy.status == Deputy.Status.ENDED
    assert ow.faction.leader is None
    with pytest.raises(ValidationError):
        services.end_mandate(scope, ow.deputy, ended_on=dt.date(2024, 5, 2), reason="Again")
    assert ow.deputy not in permissions.deputies(scope, active_only=True)


def test_update_deputy(ow):
    scope = Scope(ow.secretary)
    services.update_deputy(scope, ow.deputy, changes={"committee": "Budget", "posts": "Chair"})
    ow.deputy.refresh_from_db()
    assert ow.deputy.committee == "Budget"
    with pytest.raises(ValidationError):
        services.update_deputy(scope, ow.deputy, changes={"maslikhat": ow.other_maslikhat})


def test_convocations(ow):
    scope = Scope(ow.secretary)
    c = services.create_convocation(
        scope, maslikhat=ow.maslikhat, number=9, started_on=dt.date(2028, 3, 1)
    )
    assert c.is_current(dt.date(2028, 3, 1))
    with pytest.raises(ValidationError):
        services.create_convocation(
            scope, maslikhat=ow.maslikhat, number=9, started_on=dt.date(2028, 3, 1)
        )


# Factions ------------------------------------------------------------------------------------
def test_one_faction_per_convocation(ow):
    scope = Scope(ow.faction_secretary)
    with pytest.raises(ValidationError):
        services.create_faction(scope, convocation=ow.conv, name="Second")
    faction = services.create_faction(Scope(ow.admin), convocation=ow.reg_conv, name="Regional")
    assert faction.maslikhat == ow.regional


def test_faction_membership_and_leader(ow):
    scope = Scope(ow.faction_secretary)
    newcomer = deputy(ow.conv, elected_by="district", district_number=2)
    with pytest.raises(ValidationError):  # not a member yet
        services.set_faction_leader(scope, ow.faction, newcomer)
    services.add_to_faction(scope, ow.faction, newcomer)
    services.set_faction_leader(scope, ow.faction, newcomer)
    assert ow.faction.leader == newcomer
    assert set(ow.faction.deputies.all()) == {ow.deputy, newcomer}
    services.remove_from_faction(scope, newcomer)
    ow.faction.refresh_from_db()
    assert ow.faction.leader is None


def test_only_the_partys_deputies_of_the_convocation_join(ow):
    scope = Scope(ow.faction_secretary)
    outsider = deputy(ow.conv, party="other", party_name="Ak Zhol", elected_by="district",
                      district_number=2)  # fmt: skip
    with pytest.raises(ValidationError):
        services.add_to_faction(scope, ow.faction, outsider)
    with pytest.raises(PermissionDenied):  # another maslikhat's deputy and faction
        services.add_to_faction(Scope(ow.other_faction_secretary), ow.faction, ow.other_deputy)


def test_faction_overview(ow):
    overview = services.faction_overview(Scope(ow.faction_secretary), ow.faction)
    assert list(overview.deputies) == [ow.deputy]
    assert overview.reports.count() == 0
    with pytest.raises(PermissionDenied):
        services.faction_overview(Scope(ow.other_faction_secretary), ow.faction)
