"""Where a staff account may be anchored, without importing the floors above (structure and
members): the branches, POOs and members a scope sees, and a member search for the pickers.

structure and members register their scoped querysets here when Django starts
(``structure.apps``, ``members.apps``), as ``structure.membership`` is filled by members; the
account pages ask through this module, so the scope rules stay in one place, their app's."""

from __future__ import annotations

from collections.abc import Callable

_registered: dict[str, Callable] = {}


def register(**hooks: Callable) -> None:
    _registered.update(hooks)


def _hook(name: str) -> Callable:
    try:
        return _registered[name]
    except KeyError:
        raise RuntimeError(f"no app registered the directory hook {name!r}") from None


def branches(scope):
    """The branches the scope sees (structure.permissions.branches)."""
    return _hook("branches")(scope)


def poos(scope):
    """The primary organizations the scope sees (structure.permissions.poos)."""
    return _hook("poos")(scope)


def members(scope):
    """The members the scope sees (members.permissions.members)."""
    return _hook("members")(scope)


def search_members(scope, query: str, limit: int = 20) -> list:
    """Up to ``limit`` members of the scope matching a name, an IIN prefix or a card number."""
    return _hook("search_members")(scope, query, limit)


def member_label(scope, member) -> str:
    """How a picked member is shown: the name and what the scope may see of the IIN."""
    return _hook("member_label")(scope, member)
