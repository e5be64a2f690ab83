"""Who may do what with supporters and the youth wing, and the scoped querysets.

- supporters: the regional administrator (all), a district secretary (their district) and a
  POO leader (their POO's, read only) see the registry and the counts by district; the
  administrator and district secretaries register supporters and withdraw a consent at the
  person's request. Phone and email are shown only to `members.see_personal_data` (the same
  rule as members' data), each such read audited; others see them masked.
- the youth wing: the administrator and district secretaries see it; the administrator sets up
  the wings and records congresses; a secretary adds and removes members of their district.
"""

from __future__ import annotations

from django.db.models import QuerySet

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.members import permissions as members_permissions
from bastau.structure.models import Branch

from .models import Supporter, YouthWing, YouthWingMember


def is_district_secretary(scope: Scope) -> bool:
    return scope.role == Role.DISTRICT_SECRETARY and bool(scope.user.branch_id)


def is_poo_leader(scope: Scope) -> bool:
    return scope.role == Role.POO_LEADER and bool(scope.user.poo_id)


# Rules of the pages ----------------------------------------------------------------------
def view_supporters(scope: Scope) -> bool:
    return scope.is_regional_admin or is_district_secretary(scope) or is_poo_leader(scope)


def manage_supporters(scope: Scope) -> bool:
    return scope.is_regional_admin or is_district_secretary(scope)


def see_contacts(scope: Scope) -> bool:
    """Supporters' phone and email unmasked: the members' personal-data rule."""
    return members_permissions.see_personal_data(scope)


def view_youth_wing(scope: Scope) -> bool:
    return scope.is_regional_admin or is_district_secretary(scope)


def manage_youth_members(scope: Scope) -> bool:
    return scope.is_regional_admin or is_district_secretary(scope)


def manage_youth_wing(scope: Scope) -> bool:
    return scope.is_regional_admin


def can_open_programme(scope: Scope, branch_id: int) -> bool:
    """Whether a programme of this branch opens for the user: `voice.agenda.permissions`'s
    `programmes` rule (the administrator: all; a district secretary: their branch's), which
    this floor cannot import; the wing page shows a link to an adopted youth programme only
    then (tests/voice/test_permissions.py follows every link)."""
    if scope.is_regional_admin:
        return True
    return is_district_secretary(scope) and scope.user.branch_id == branch_id


# Scoped querysets ------------------------------------------------------------------------
def supporters(scope: Scope) -> QuerySet:
    qs = Supporter.objects.select_related("branch", "poo")
    if scope.is_regional_admin:
        return qs
    if is_district_secretary(scope):
        return qs.filter(branch_id=scope.user.branch_id)
    if is_poo_leader(scope):
        return qs.filter(poo_id=scope.user.poo_id)
    return qs.none()


def supporter_branches(scope: Scope) -> QuerySet:
    """The districts a supporter may be registered in by this scope."""
    qs = Branch.objects.exclude(kind=Branch.Kind.REGION).order_by("name")
    if scope.is_regional_admin:
        return qs
    if is_district_secretary(scope):
        return qs.filter(pk=scope.user.branch_id)
    return qs.none()


def wings(scope: Scope) -> QuerySet:
    qs = YouthWing.objects.select_related("branch", "parent")
    if view_youth_wing(scope):
        return qs
    return qs.none()


def wing_members(scope: Scope) -> QuerySet:
    qs = YouthWingMember.objects.select_related("wing", "branch", "member")
    if scope.is_regional_admin:
        return qs
    if is_district_secretary(scope):
        return qs.filter(branch_id=scope.user.branch_id)
    return qs.none()
