"""Small builders for test data: valid IINs, branches, POOs, members and users of each role."""

from __future__ import annotations

import datetime as dt
import itertools

from bastau.accounts.models import Role, User
from bastau.lib import iin as iin_lib
from bastau.members.models import Member
from bastau.structure.models import Branch, PrimaryOrganization

_serials = itertools.count(1)
_codes = itertools.count(1)


def make_iin(birth_date: dt.date, sex: str) -> str:
    while True:
        value = iin_lib.build(birth_date, sex, next(_serials) % 10000)
        if value is not None:
            return value


def branch(kind=Branch.Kind.DISTRICT, parent=None, name=None, **kwargs) -> Branch:
    n = next(_codes)
    return Branch.objects.create(
        kind=kind,
        code=kwargs.pop("code", f"b{n}"),
        name=name or f"Branch {n}",
        parent=parent,
        **kwargs,
    )


def poo(branch_obj: Branch, name=None, **kwargs) -> PrimaryOrganization:
    n = next(_codes)
    return PrimaryOrganization.objects.create(
        branch=branch_obj, code=kwargs.pop("code", f"p{n}"), name=name or f"POO {n}", **kwargs
    )


def member(poo_obj, *, birth_date=dt.date(1980, 5, 17), sex="M", **kwargs) -> Member:
    n = next(_codes)
    fields = dict(
        iin=make_iin(birth_date, sex),
        last_name=f"Surname{n}",
        first_name=f"Name{n}",
        birth_date=birth_date,
        sex=sex,
        poo=poo_obj,
        joined_on=dt.date(2015, 1, 10),
        phone=f"+7701{n:07d}",
    )
    fields.update(kwargs)
    return Member.objects.create(**fields)


def user(role: str, password="correct-horse-battery", **kwargs) -> User:
    n = next(_codes)
    u = User(username=kwargs.pop("username", f"{role}{n}"), role=role, **kwargs)
    u.set_password(password)
    u.save()
    return u


__all__ = ["Role", "branch", "member", "poo", "user", "make_iin"]
