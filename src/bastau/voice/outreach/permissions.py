"""Who may do what in information work, and the scoped querysets.

- campaigns: the regional administrator sees and manages all; a district secretary sees the
  campaigns their branch organises or that target their district (or one of its POOs) and
  manages those their branch organises; a POO leader sees the campaigns that target their POO
  or its district. A campaign outside these is a 404.
- plan and reach are cut to the scope: a district sees its district, a POO leader their POO.
- events: the administrator records them anywhere, a district secretary in their district, a
  POO leader for their POO; the same people record an event's reach and invite the supporters
  (of the event's place, within their own scope) to an upcoming one.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.structure.models import Branch, PrimaryOrganization

from .models import Campaign, Event, Material, PlanTarget


def is_district_secretary(scope: Scope) -> bool:
    return scope.role == Role.DISTRICT_SECRETARY and bool(scope.user.branch_id)


def is_poo_leader(scope: Scope) -> bool:
    return scope.role == Role.POO_LEADER and bool(scope.user.poo_id)


# Rules of the pages ----------------------------------------------------------------------
def view_outreach(scope: Scope) -> bool:
    return scope.is_regional_admin or is_district_secretary(scope) or is_poo_leader(scope)


def create_campaigns(scope: Scope) -> bool:
    return scope.is_regional_admin or is_district_secretary(scope)


def record_events(scope: Scope) -> bool:
    return view_outreach(scope)


# Objects ---------------------------------------------------------------------------------
def _leader_branch_id(scope: Scope):
    return (
        PrimaryOrganization.objects.filter(pk=scope.user.poo_id)
        .values_list("branch_id", flat=True)
        .first()
    )


def campaigns(scope: Scope) -> QuerySet:
    qs = Campaign.objects.select_related("branch")
    if scope.is_regional_admin:
        return qs
    if is_district_secretary(scope):
        b = scope.user.branch_id
        ids = Campaign.objects.filter(
            Q(branch_id=b) | Q(target_branches=b) | Q(target_poos__branch_id=b)
        ).values("pk")
        return qs.filter(pk__in=ids)
    if is_poo_leader(scope):
        ids = Campaign.objects.filter(
            Q(target_poos=scope.user.poo_id) | Q(target_branches=_leader_branch_id(scope))
        ).values("pk")
        return qs.filter(pk__in=ids)
    return qs.none()


def manages_campaign(scope: Scope, campaign: Campaign) -> bool:
    if scope.is_regional_admin:
        return True
    return is_district_secretary(scope) and campaign.branch_id == scope.user.branch_id


def organising_branches(scope: Scope) -> QuerySet:
    if scope.is_regional_admin:
        return Branch.objects.order_by("kind", "name")
    if is_district_secretary(scope):
        return Branch.objects.filter(pk=scope.user.branch_id)
    return Branch.objects.none()


def districts(scope: Scope) -> QuerySet:
    """The districts this scope may target, plan for and record events in."""
    qs = Branch.objects.exclude(kind=Branch.Kind.REGION).order_by("name")
    if scope.is_regional_admin:
        return qs
    if is_district_secretary(scope):
        return qs.filter(pk=scope.user.branch_id)
    if is_poo_leader(scope):
        return qs.filter(pk=_leader_branch_id(scope))
    return qs.none()


def poos(scope: Scope) -> QuerySet:
    qs = PrimaryOrganization.objects.filter(status=PrimaryOrganization.Status.ACTIVE).order_by(
        "name"
    )
    if scope.is_regional_admin:
        return qs
    if is_district_secretary(scope):
        return qs.filter(branch_id=scope.user.branch_id)
    if is_poo_leader(scope):
        return qs.filter(pk=scope.user.poo_id)
    return qs.none()


def events(scope: Scope, campaign: Campaign | None = None) -> QuerySet:
    """The events the scope sees: of `campaign`, or of every campaign it sees."""
    qs = Event.objects.select_related("branch", "poo")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    else:
        qs = qs.filter(campaign__in=campaigns(scope).values("pk"))
    if scope.is_regional_admin:
        return qs
    if is_district_secretary(scope):
        return qs.filter(branch_id=scope.user.branch_id)
    if is_poo_leader(scope):
        return qs.filter(poo_id=scope.user.poo_id)
    return qs.none()


def plan(scope: Scope, campaign: Campaign) -> QuerySet:
    qs = PlanTarget.objects.filter(campaign=campaign)
    if scope.is_regional_admin:
        return qs
    if is_district_secretary(scope):
        return qs.filter(branch_id=scope.user.branch_id)
    if is_poo_leader(scope):
        return qs.filter(poo_id=scope.user.poo_id)
    return qs.none()


def materials(scope: Scope) -> QuerySet:
    return Material.objects.filter(campaign__in=campaigns(scope).values("pk"))
