"""Who may see and change the party structure: the rules (functions of the user's Scope) and the
scoped querysets of branches and primary organizations. A district secretary's branches are
their own; a POO leader's, the branch of their POO; the regional administrator's, all."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope

from .models import Branch, PrimaryOrganization


# Rules ------------------------------------------------------------------------------------
def view_structure(scope: Scope) -> bool:
    """Branches, POOs and their lists: those who work with other people's records."""
    return scope.is_staff_role


def manage_structure(scope: Scope) -> bool:
    """Found, edit, move, merge and close POOs; the audit log of one's branch."""
    return scope.is_regional_admin or scope.role == Role.DISTRICT_SECRETARY


# Scoped querysets -------------------------------------------------------------------------
def branches(scope: Scope, qs: QuerySet | None = None) -> QuerySet:
    user = scope.user
    qs = Branch.objects.all() if qs is None else qs
    if scope.is_regional_admin:
        return qs
    if scope.role == Role.DISTRICT_SECRETARY and user.branch_id:
        return qs.filter(pk=user.branch_id)
    if scope.role == Role.POO_LEADER and user.poo_id:
        return qs.filter(poos=user.poo_id)
    return qs.none()


def poos(scope: Scope, qs: QuerySet | None = None) -> QuerySet:
    user = scope.user
    qs = PrimaryOrganization.objects.all() if qs is None else qs
    if scope.is_regional_admin:
        return qs
    if scope.role == Role.DISTRICT_SECRETARY and user.branch_id:
        return qs.filter(branch_id=user.branch_id)
    if scope.role == Role.POO_LEADER and user.poo_id:
        return qs.filter(pk=user.poo_id)
    return qs.none()


def require_poo(scope: Scope, poo) -> None:
    if not poos(scope).filter(pk=poo.pk).exists():
        raise PermissionDenied


def require_branch(scope: Scope, branch) -> None:
    """May change the structure, and this branch is theirs."""
    if not manage_structure(scope) or not branches(scope).filter(pk=branch.pk).exists():
        raise PermissionDenied
