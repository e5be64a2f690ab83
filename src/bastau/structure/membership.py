"""What structure needs to know about the members of a POO, without importing members (the
floor above): how many it has, whether any are current, and moving them all on a merge.

members registers its functions here when Django starts (members.apps.MembersConfig.ready);
structure's pages and actions call them through this module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

_registered: dict[str, Callable] = {}


def register(
    *,
    count_by_poo: Callable[..., dict[int, int]],
    has_current_members: Callable[..., bool],
    move_current_members: Callable[..., int],
) -> None:
    _registered.update(
        count_by_poo=count_by_poo,
        has_current_members=has_current_members,
        move_current_members=move_current_members,
    )


def _hook(name: str) -> Callable:
    try:
        return _registered[name]
    except KeyError:
        raise RuntimeError("bastau.members is not installed: it registers POO membership") from None


def count_by_poo(scope, poo_ids, day: dt.date) -> dict[int, int]:
    """Members on `day` per POO the scope sees, for a page of POOs (one query)."""
    return _hook("count_by_poo")(scope, poo_ids, day)


def has_current_members(poo) -> bool:
    return _hook("has_current_members")(poo)


def move_current_members(poo, into, *, date: dt.date, user) -> int:
    """Move every current member of `poo` to `into` as a transfer on `date`; how many moved."""
    return _hook("move_current_members")(poo, into, date=date, user=user)
