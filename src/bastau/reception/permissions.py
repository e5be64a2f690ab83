"""Who may do what in the public reception: the rules (`rule(scope) -> bool`) and the scoped
querysets every page and action of the app starts from.

Appeals belong to the branch that received them. The regional administrator handles every
branch's appeals; a district secretary and a reception officer handle those of their own
branch; anyone an appeal is assigned to (a deputy with an account, say) works on that appeal
only. Extending the consideration period is the head's decision (regional administrator,
district secretary). Appeal topics and the working-day calendar are region-wide data that the
regional administrator changes.

Views name the rule they need (`@requires("reception.handle_appeals")`); templates ask the same
rule for their links (`{% allowed "reception.handle_appeals" as ok %}`). An object outside the
scoped querysets is a 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from bastau.accounts.models import Role
from bastau.structure.models import Branch

from .models import Appeal, Booking, Official, ReceptionSchedule, ReceptionSession


# Rules -------------------------------------------------------------------------------------
def is_reception_officer(scope) -> bool:
    return scope.role == Role.RECEPTION_OFFICER


def handle_appeals(scope) -> bool:
    """Registers, assigns, forwards and resolves the appeals of their branch; manages its
    officials, schedules, sessions and bookings; sees the calendar."""
    return scope.is_regional_admin or (
        scope.role in (Role.DISTRICT_SECRETARY, Role.RECEPTION_OFFICER)
        and bool(scope.user.branch_id)
    )


def extend_appeals(scope) -> bool:
    """Extending the consideration period is the head's decision, not the officer's."""
    return scope.is_regional_admin or (
        scope.role == Role.DISTRICT_SECRETARY and bool(scope.user.branch_id)
    )


def manage_catalogue(scope) -> bool:
    """Appeal topics and the working-day calendar are region-wide data."""
    return scope.is_regional_admin


def view_statistics(scope) -> bool:
    return handle_appeals(scope)


def view_appeals(scope) -> bool:
    """The appeal lists and pages: handlers, and anyone with an appeal assigned to them (who
    sees those only)."""
    return handle_appeals(scope) or appeals(scope).exists()


# Object rules ------------------------------------------------------------------------------
def handles_branch(scope, branch) -> bool:
    if branch is None:
        return False
    if scope.is_regional_admin:
        return True
    return handle_appeals(scope) and scope.user.branch_id == branch.pk


def handles_appeal(scope, appeal) -> bool:
    """Acts for the receiving branch (not merely as the assignee)."""
    if scope.is_regional_admin:
        return True
    return handle_appeals(scope) and scope.user.branch_id == appeal.receiving_branch_id


def is_appeal_assignee(scope, appeal) -> bool:
    return scope.user.is_authenticated and appeal.assignee_id == scope.user.pk


def can_see_personal_data(scope, appeal) -> bool:
    """The applicant's name, IIN, contacts, address, text, answer and files: only the
    appeal's handlers and its assignee. Others see the number, topic, status and dates."""
    if scope.user is None or not scope.user.is_authenticated:
        return False
    return handles_appeal(scope, appeal) or is_appeal_assignee(scope, appeal)


def personal_data_condition(scope) -> Q:
    """`can_see_personal_data` as a database condition on appeals: those of the branches the
    user handles and those assigned to them."""
    if scope.is_regional_admin:
        return Q()
    condition = Q(assignee_id=scope.user.pk)
    if handle_appeals(scope):
        condition |= Q(receiving_branch_id=scope.user.branch_id)
    return condition


# Scoped querysets --------------------------------------------------------------------------
def reception_branches(scope, qs: QuerySet | None = None) -> QuerySet:
    """The branches whose appeals, officials and schedules this user handles."""
    qs = Branch.objects.all() if qs is None else qs
    if scope.is_regional_admin:
        return qs
    if handle_appeals(scope):
        return qs.filter(pk=scope.user.branch_id)
    return qs.none()


def appeals(scope, qs: QuerySet | None = None, *, include_assigned: bool = True) -> QuerySet:
    """The appeals this user may open: their branch's, plus those assigned to them
    (`include_assigned=False` leaves the branch's only, as statistics need)."""
    qs = Appeal.objects.all() if qs is None else qs
    if scope.is_regional_admin:
        return qs
    if not scope.user.is_authenticated:
        return qs.none()
    condition = Q(pk__in=[])
    if handle_appeals(scope):
        condition |= Q(receiving_branch_id=scope.user.branch_id)
    if include_assigned:
        condition |= Q(assignee_id=scope.user.pk)
    return qs.filter(condition)


def officials(scope) -> QuerySet:
    return Official.objects.filter(branch__in=reception_branches(scope))


def schedules(scope) -> QuerySet:
    return ReceptionSchedule.objects.filter(branch__in=reception_branches(scope))


def sessions(scope) -> QuerySet:
    return ReceptionSession.objects.filter(branch__in=reception_branches(scope))


def bookings(scope) -> QuerySet:
    return Booking.objects.filter(schedule__branch__in=reception_branches(scope))
