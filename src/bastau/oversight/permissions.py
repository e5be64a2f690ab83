"""Who may do what in the deputies' oversight, and which records they reach.

Maslikhats belong to a branch (one each: the regional maslikhat to the regional branch, a city
or district maslikhat to that branch). The regional administrator oversees every maslikhat; a
district secretary and a faction secretary only the maslikhat of their own branch
(`user.branch`), never those below it.

- Rules (``rule(scope) -> bool``) decide a page and every link to it: a view says
  ``@requires("oversight.view_oversight")``, a template
  ``{% allowed "oversight.edit_budget" as ok %}`` (``bastau.core.permissions``). The services
  check the same rules again.
- Scoped querysets (``maslikhats``, ``deputies``, ``reports``, ...) are the only way pages and
  services reach the records: an object of a maslikhat outside them is a 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.members import permissions as members_permissions
from bastau.reception import permissions as reception_permissions

from .models import (
    BudgetImport,
    BudgetIndicator,
    Convocation,
    Deputy,
    Faction,
    Maslikhat,
    ReportQuestion,
    ReportSchedule,
    ScheduledReport,
)


# Rules ---------------------------------------------------------------------------------------
def is_faction_secretary(scope: Scope) -> bool:
    return scope.role == Role.FACTION_SECRETARY


def view_oversight(scope: Scope) -> bool:
    """Sees the deputies' register, factions, reporting schedules and budget monitor."""
    return scope.is_regional_admin or (
        scope.role in (Role.DISTRICT_SECRETARY, Role.FACTION_SECRETARY)
        and bool(scope.user.branch_id)
    )


def manage_deputies(scope: Scope) -> bool:
    """Maslikhats, convocations, deputies (the register) and the branch's threshold."""
    return scope.is_regional_admin or (
        scope.role == Role.DISTRICT_SECRETARY and bool(scope.user.branch_id)
    )


def manage_factions(scope: Scope) -> bool:
    """Faction leader and membership."""
    return view_oversight(scope)


def approve_report_schedules(scope: Scope) -> bool:
    """The branch approves the deputies' reporting schedule."""
    return manage_deputies(scope)


def record_reports(scope: Scope) -> bool:
    """Adds and edits scheduled reports, records outcomes, postpones, notes questions."""
    return view_oversight(scope)


def edit_budget(scope: Scope) -> bool:
    """Imports budget files, edits indicators, responsibility and monitoring notes."""
    return view_oversight(scope)


def see_deputy_contacts(scope: Scope) -> bool:
    """Deputies' phone and email: the roles that see members' personal data."""
    return members_permissions.see_personal_data(scope)


# Object-level checks -------------------------------------------------------------------------
def handles_maslikhat(scope: Scope, maslikhat: Maslikhat | None) -> bool:
    if maslikhat is None:
        return False
    if scope.is_regional_admin:
        return True
    return view_oversight(scope) and maslikhat.branch_id == scope.user.branch_id


def require_maslikhat(scope: Scope, maslikhat: Maslikhat | None) -> None:
    if not handles_maslikhat(scope, maslikhat):
        raise PermissionDenied


def can_see_contacts(scope: Scope, deputy: Deputy) -> bool:
    return see_deputy_contacts(scope) and handles_maslikhat(scope, deputy.maslikhat)


def make_appeals(scope: Scope, maslikhat: Maslikhat) -> bool:
    """Turning a report's question into an appeal: the reception's right for the maslikhat's
    branch (`reception.services.register_appeal` checks it again)."""
    return reception_permissions.handles_branch(scope, maslikhat.branch)


# Scoped querysets ----------------------------------------------------------------------------
def in_scope(scope: Scope, qs: QuerySet, path: str = "maslikhat") -> QuerySet:
    """Any oversight queryset (deputies, reports, indicators, ...) cut to the maslikhats this
    user oversees; `path` leads from the model to its Maslikhat."""
    if scope.is_regional_admin:
        return qs
    if view_oversight(scope):
        return qs.filter(**{f"{path}__branch_id": scope.user.branch_id})
    return qs.none()


def maslikhats(scope: Scope, qs: QuerySet | None = None) -> QuerySet:
    qs = Maslikhat.objects.select_related("branch") if qs is None else qs
    if scope.is_regional_admin:
        return qs
    if view_oversight(scope):
        return qs.filter(branch_id=scope.user.branch_id)
    return qs.none()


def convocations(scope: Scope) -> QuerySet:
    return in_scope(scope, Convocation.objects.select_related("maslikhat"))


def deputies(scope: Scope, *, active_only: bool = False) -> QuerySet:
    """The deputies the scope may see (their contacts are for `services.deputy_contacts`)."""
    qs = in_scope(
        scope, Deputy.objects.select_related("maslikhat", "convocation", "faction", "member")
    )
    return qs.filter(status=Deputy.Status.ACTIVE) if active_only else qs


def factions(scope: Scope) -> QuerySet:
    return in_scope(scope, Faction.objects.select_related("maslikhat", "convocation", "leader"))


def schedules(scope: Scope) -> QuerySet:
    return in_scope(scope, ReportSchedule.objects.select_related("maslikhat", "approved_by"))


def reports(scope: Scope) -> QuerySet:
    return in_scope(
        scope,
        ScheduledReport.objects.select_related("schedule", "deputy", "deputy__maslikhat"),
        "schedule__maslikhat",
    )


def questions(scope: Scope) -> QuerySet:
    return in_scope(
        scope,
        ReportQuestion.objects.select_related("report", "appeal"),
        "report__schedule__maslikhat",
    )


def indicators(
    scope: Scope,
    *,
    maslikhat: Maslikhat | None = None,
    year: int | None = None,
    sector: str | None = None,
    lagging: bool | None = None,
) -> QuerySet:
    """Budget indicators in scope, optionally filtered (all filters run in the database)."""
    qs = in_scope(
        scope,
        BudgetIndicator.objects.select_related(
            "maslikhat", "responsible_faction", "responsible_deputy"
        ),
    )
    if maslikhat is not None:
        qs = qs.filter(maslikhat=maslikhat)
    if year is not None:
        qs = qs.filter(year=year)
    if sector:
        qs = qs.filter(sector=sector)
    if lagging is not None:
        qs = qs.filter(lagging=lagging)
    return qs


def budget_imports(scope: Scope) -> QuerySet:
    """The budget imports of the maslikhats in scope, newest first."""
    return in_scope(scope, BudgetImport.objects.select_related("maslikhat", "created_by"))
