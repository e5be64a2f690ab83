"""Who manages staff accounts: the regional administrator (every account) and a district
secretary (the accounts of their district, with roles no higher than their own)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Role, User
from .scoping import Scope

#: The roles a district secretary may give: their own level and below, never the region's.
DISTRICT_ROLES = (
    Role.DISTRICT_SECRETARY,
    Role.POO_LEADER,
    Role.RECEPTION_OFFICER,
    Role.FACTION_SECRETARY,
    Role.MEMBER,
)


# Rules ------------------------------------------------------------------------------------
def manage_accounts(scope: Scope) -> bool:
    """The staff accounts pages: create, edit, deactivate, reset sign-in."""
    return scope.is_regional_admin or (
        scope.role == Role.DISTRICT_SECRETARY and bool(scope.user.branch_id)
    )


def pick_people(scope: Scope) -> bool:
    """The searchable pickers of members: those who work with other people's records."""
    return scope.is_staff_role


def grantable_roles(scope: Scope) -> tuple[str, ...]:
    if scope.is_regional_admin:
        return tuple(Role.values)
    if manage_accounts(scope):
        return tuple(DISTRICT_ROLES)
    return ()


# Scoped querysets -------------------------------------------------------------------------
def accounts(scope: Scope, qs: QuerySet | None = None) -> QuerySet:
    """The accounts the scope manages. A district secretary's: anchored in their district
    (its branch, one of its POOs, or a member of it), never a regional administrator or a
    superuser, and never their own (no one raises or locks out themselves)."""
    qs = User.objects.all() if qs is None else qs
    if scope.is_regional_admin:
        return qs
    if not manage_accounts(scope):
        return qs.none()
    branch = scope.user.branch_id
    return (
        qs.filter(Q(branch_id=branch) | Q(poo__branch_id=branch) | Q(member__poo__branch_id=branch))
        .filter(role__in=DISTRICT_ROLES, is_superuser=False)
        .exclude(pk=scope.user.pk)
    )
