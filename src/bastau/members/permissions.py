"""Who may see and do what with members and admissions: the rules (functions of the user's
Scope) and the scoped querysets. A district secretary's members are those of their branch's
POOs, a POO leader's those of their POO, a member's only their own record."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.structure import permissions as structure_perms

from .models import Admission, Member, Review, ReviewItem


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


def view_reviews(scope: Scope) -> bool:
    """Reviews of members: the list, their progress and report, a POO's roll."""
    return scope.is_staff_role


def open_reviews(scope: Scope) -> bool:
    """Open and close a review of members (of one's own branch; the region's for its admin)."""
    return edit_members(scope)


def answer_reviews(scope: Scope) -> bool:
    """Answer for the members on a review's roll (of the POOs in one's scope)."""
    return scope.is_staff_role


def may_answer(scope: Scope, item: ReviewItem) -> bool:
    """This answer: a running review, a member still in the POO of the roll, a POO in scope."""
    return (
        answer_reviews(scope)
        and item.review.is_open
        and item.member.poo_id == item.poo_id
        and structure_perms.poos(scope).filter(pk=item.poo_id).exists()
    )


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


def reviews(scope: Scope, qs: QuerySet | None = None) -> QuerySet:
    """The reviews that cover some POO of the scope: a district's own and the region's."""
    user = scope.user
    qs = Review.objects.all() if qs is None else qs
    if scope.is_regional_admin:
        return qs
    if scope.role == Role.DISTRICT_SECRETARY and user.branch_id:
        return qs.filter(Q(branch_id=user.branch_id) | Q(branch__kind="region"))
    if scope.role == Role.POO_LEADER and user.poo_id:
        return qs.filter(Q(branch__poos=user.poo_id) | Q(branch__kind="region")).distinct()
    return qs.none()


def review_items(scope: Scope, review: Review) -> QuerySet:
    """The items of a review whose POO (on the roll) is in the scope."""
    qs = ReviewItem.objects.filter(review=review)
    user = scope.user
    if scope.is_regional_admin:
        return qs
    if scope.role == Role.DISTRICT_SECRETARY and user.branch_id:
        return qs.filter(poo__branch_id=user.branch_id)
    if scope.role == Role.POO_LEADER and user.poo_id:
        return qs.filter(poo_id=user.poo_id)
    return qs.none()
