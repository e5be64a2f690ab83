import datetime as dt

import pytest
from django.core.cache import cache

from bastau.accounts.models import Role
from bastau.oversight.models import Convocation, Deputy, Faction, Maslikhat

from .. import factories as f

_numbers = iter(range(1, 10_000))


def deputy(convocation, *, birth_date=dt.date(1973, 4, 5), sex="M", **kwargs) -> Deputy:
    """A deputy straight into the database (services are tested on their own)."""
    n = next(_numbers)
    fields = dict(
        maslikhat=convocation.maslikhat,
        convocation=convocation,
        last_name=f"Deputov{n}",
        first_name=f"Name{n}",
        birth_date=None if kwargs.get("member") else birth_date,
        sex="" if kwargs.get("member") else sex,
        elected_by=Deputy.Election.LIST,
        phone=f"+7702{n:07d}",
        email=f"deputy{n}@example.kz",
    )
    fields.update(kwargs)
    return Deputy.objects.create(**fields)


@pytest.fixture
def ow(world):
    """The foundation's world plus maslikhats (regional, the secretary's district, the other
    district), their current convocations, a faction and faction secretaries."""
    cache.clear()
    w = world
    w.regional = Maslikhat.objects.create(
        level=Maslikhat.Level.REGIONAL,
        name="Облыстық мәслихат",
        branch=w.region,
        seats_total=34,
        seats_by_list=17,
        seats_by_district=17,
    )
    w.maslikhat = Maslikhat.objects.create(
        level=Maslikhat.Level.DISTRICT,
        name="Мұғалжар аудандық мәслихаты",
        branch=w.district,
        seats_total=4,
        seats_by_list=2,
        seats_by_district=2,
    )
    w.other_maslikhat = Maslikhat.objects.create(
        level=Maslikhat.Level.DISTRICT,
        name="Хромтау аудандық мәслихаты",
        branch=w.other_district,
        seats_total=3,
        seats_by_list=3,
    )
    start = dt.date(2023, 3, 20)
    w.reg_conv = Convocation.objects.create(maslikhat=w.regional, number=8, started_on=start)
    w.conv = Convocation.objects.create(maslikhat=w.maslikhat, number=8, started_on=start)
    w.other_conv = Convocation.objects.create(
        maslikhat=w.other_maslikhat, number=8, started_on=start
    )
    w.faction = Faction.objects.create(maslikhat=w.maslikhat, convocation=w.conv, name="Faction")
    w.deputy = deputy(w.conv, faction=w.faction)
    w.other_deputy = deputy(w.other_conv)
    w.faction_secretary = f.user(Role.FACTION_SECRETARY, branch=w.district)
    w.other_faction_secretary = f.user(Role.FACTION_SECRETARY, branch=w.other_district)
    w.regional_faction_secretary = f.user(Role.FACTION_SECRETARY, branch=w.region)
    return w
