"""Who may do what with surveys: the rules (`rule(scope) -> bool`) and the scoped querysets.

- The regional administrator runs every survey and sees every result.
- A district secretary runs their district's surveys and sees the region's surveys too, with
  results and response rates cut to their district (`result_district`).
- A POO leader sees at most the response rate of their own POO.
- A member answers the surveys whose audience includes them.

Views name the rule they need (`@requires("voice.surveys.manage_surveys")`); templates ask the same
rule for their links. A survey outside the scoped querysets is a 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from bastau.accounts.models import Role
from bastau.structure.models import Branch

from .models import Survey


# Rules -------------------------------------------------------------------------------------
def manage_surveys(scope) -> bool:
    return scope.is_regional_admin or (
        scope.role == Role.DISTRICT_SECRETARY and bool(scope.user.branch_id)
    )


def view_rates(scope) -> bool:
    """The survey list and response rates: those who run surveys and POO leaders."""
    return manage_surveys(scope) or (scope.role == Role.POO_LEADER and bool(scope.user.poo_id))


def answer_surveys(scope) -> bool:
    """Anyone signed in with a member record."""
    return scope.user.is_authenticated and bool(scope.user.member_id)


# Object rules ------------------------------------------------------------------------------
def can_edit(scope, survey: Survey) -> bool:
    """Change the questionnaire, open and close, send: the branch that runs it."""
    if scope.is_regional_admin:
        return True
    return manage_surveys(scope) and survey.branch_id == scope.user.branch_id


def can_see_results(scope, survey: Survey) -> bool:
    return manage_surveys(scope) and surveys(scope).filter(pk=survey.pk).exists()


def result_district(scope, survey: Survey) -> int | None:
    """The one district whose results this user sees of a region-wide survey (None: all)."""
    if scope.is_regional_admin or survey.branch_id == scope.user.branch_id:
        return None if survey.branch.kind == Branch.Kind.REGION else survey.branch_id
    return scope.user.branch_id


def rate_poo(scope) -> int | None:
    """A POO leader sees their POO's response rate only."""
    if manage_surveys(scope):
        return None
    return scope.user.poo_id


# Scoped querysets --------------------------------------------------------------------------
def surveys(scope, qs: QuerySet | None = None) -> QuerySet:
    qs = Survey.objects.all() if qs is None else qs
    if scope.is_regional_admin:
        return qs
    user = scope.user
    if manage_surveys(scope):
        return qs.filter(Q(branch_id=user.branch_id) | Q(branch__kind=Branch.Kind.REGION))
    if view_rates(scope):
        poo = user.poo
        member_audience = Q(
            audience__in=[Survey.Audience.MEMBERS, Survey.Audience.YOUTH, Survey.Audience.NAMED]
        )
        covers = Q(poo_id=poo.pk) | Q(
            poo__isnull=True, branch_id__in=[poo.branch_id, poo.branch.parent_id]
        )
        return qs.filter(member_audience & covers).exclude(status=Survey.Status.DRAFT)
    return qs.none()
