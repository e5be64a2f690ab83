"""Who may see and do what with members and admissions: the rules (functions of the user's
Scope) and the scoped querysets. A district secretary's members are those of their branch's
POOs, a POO leader's those of their POO, a member's only their own record."""

from __future__ import annotations

from django.db.models import QuerySet

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope

from .models import Admission, Member


# Rules ------------------------------------------------------------------------------------
def see_personal_data(scope: Scope) -> bool:
    """IIN, phone and address of other members."""
    return scope.is_regional_admin or scope.role == Role.DISTRICT_SECRETARY


def view_members(scope: Scope) -> bool:
    """The member list and its export, the POO export: those who work with others' records."""
    return scope.is_staff_role


def edit_members(scope: Scope) -> bool:
    return scope.is_regional_admin or scope.role == Role.DISTRICT_SECRETARY


def register_applications(scope: Scope) -> bool:
    return scope.is_staff_role


def approve_admissions(scope: Scope) -> bool:
    """District approval and card issuance."""
    return edit_members(scope)


def import_members(scope: Scope) -> bool:
    return edit_members(scope)


def view_statistics(scope: Scope) -> bool:
    return scope.is_staff_role


# Scoped querysets -------------------------------------------------------------------------
def members(scope: Scope, qs: QuerySet | None = None) -> QuerySet:
    user = scope.user
    qs = Member.objects.all() if qs is None else qs
    if scope.is_regional_admin:
        return qs
    if scope.role == Role.DISTRICT_SECRETARY and user.branch_id:
        return qs.filter(poo__branch_id=user.branch_id)
    if scope.role == Role.POO_LEADER and user.poo_id:
        return qs.filter(poo_id=user.poo_id)
    if user.is_authenticated and user.member_id:
        return qs.filter(pk=user.member_id)
    return qs.none()


def admissions(scope: Scope, qs: QuerySet | None = None) -> QuerySet:
    user = scope.user
    qs = Admission.objects.all() if qs is None else qs
    if scope.is_regional_admin:
        return qs
    if scope.role == Role.DISTRICT_SECRETARY and user.branch_id:
        return qs.filter(poo__branch_id=user.branch_id)
    if scope.role == Role.POO_LEADER and user.poo_id:
        return qs.filter(poo_id=user.poo_id)
    return qs.none()
