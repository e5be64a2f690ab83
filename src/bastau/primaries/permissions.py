"""Who may do what in the primaries: the rules (``rule(scope) -> bool``) that views name with
``@requires("primaries.<rule>")`` and templates with ``{% allowed %}``, the per-campaign rules
the actions check, and the scoped querysets of campaigns.

- Organisers (`manage_campaign`): the regional administrator, and a district secretary for the
  campaigns of their own branch: set-up, lists, commission, stage changes, candidates.
- The election commission (`act_as_commission`): its members, and the organisers (except for
  paper entry, which is for commission members only: two of them must type each batch).
- Nominators: a district secretary or POO leader whose organizations the campaign covers may
  record a POO's nomination.
- Members stand and vote as themselves; the public sees campaigns from nomination on.

A campaign outside the user's reach is a 404 (`staff_campaigns`, `visible_campaigns`); an
action their role does not allow is a 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.members import permissions as members_permissions
from bastau.structure import permissions as structure_permissions
from bastau.structure.models import Branch, PrimaryOrganization

from .models import Campaign, CommissionMember

S = Campaign.Status
#: The documents (protocol, workbook) exist once the votes are counted ...
COUNTED = (S.COUNTING, S.RESULTS, S.CLOSED)
#: ... and are everyone's once the results are published.
PUBLISHED = (S.RESULTS, S.CLOSED)


# Rules of pages ----------------------------------------------------------------------------
def view_staff_pages(scope: Scope) -> bool:
    """The organisers' and commission's pages: staff roles and commission members."""
    if not scope.user.is_authenticated:
        return False
    return scope.is_staff_role or CommissionMember.objects.filter(user=scope.user).exists()


def add_campaign(scope: Scope) -> bool:
    """Starting a campaign: the regional administrator and district secretaries."""
    return structure_permissions.manage_structure(scope) and view_staff_pages(scope)


def stand_as_candidate(scope: Scope) -> bool:
    """Self-nomination: a signed-in account with a member record."""
    return bool(getattr(scope.user, "member_id", None))


def act_as_trustee(scope: Scope) -> bool:
    """The trustee pages of encrypted campaigns: accounts named as a trustee of one."""
    from .models import E2ETrustee

    return scope.user.is_authenticated and E2ETrustee.objects.filter(user=scope.user).exists()


# Rules of one campaign ---------------------------------------------------------------------
def manage_campaign(scope: Scope, campaign: Campaign) -> bool:
    """Organisers: the regional administrator, and a district secretary for their branch."""
    if scope.is_regional_admin:
        return True
    return (
        structure_permissions.manage_structure(scope) and campaign.branch_id == scope.user.branch_id
    )


def commission_role(user, campaign: Campaign) -> str | None:
    if not user.is_authenticated:
        return None
    return (
        CommissionMember.objects.filter(campaign=campaign, user=user)
        .values_list("role", flat=True)
        .first()
    )


def act_as_commission(scope: Scope, campaign: Campaign) -> bool:
    return commission_role(scope.user, campaign) is not None or manage_campaign(scope, campaign)


# Scoped querysets --------------------------------------------------------------------------
def visible_campaigns(scope: Scope):
    """Campaigns a user may see: public ones once nomination opened, all for organisers."""
    user = scope.user
    qs = Campaign.objects.select_related("branch")
    if scope.is_regional_admin:
        return qs
    visible = Q(
        status__in=[S.NOMINATION, S.REGISTRATION, S.VOTING, S.COUNTING, S.RESULTS, S.CLOSED]
    )
    if user.is_authenticated and structure_permissions.manage_structure(scope):
        visible |= Q(branch_id=user.branch_id)
    return qs.filter(visible)


def staff_campaigns(scope: Scope):
    """Campaigns a user reaches from the staff pages: all for the regional administrator; their
    branch's campaigns for a district secretary; campaigns they sit on the commission of;
    and, once past the draft, the campaigns that cover a secretary's or a POO leader's
    organizations (to record nominations)."""
    qs = Campaign.objects.select_related("branch")
    if scope.is_regional_admin:
        return qs
    user = scope.user
    visible = Q(pk__in=CommissionMember.objects.filter(user=user).values("campaign_id"))
    past_draft = ~Q(status=S.DRAFT)
    if structure_permissions.manage_structure(scope) and user.branch_id:
        visible |= Q(branch_id=user.branch_id)
        visible |= Q(branch__kind=Branch.Kind.REGION) & past_draft
    elif scope.role == Role.POO_LEADER and user.poo_id:
        own_branch = PrimaryOrganization.objects.filter(pk=user.poo_id).values("branch_id")
        covers = Q(branch__kind=Branch.Kind.REGION) | Q(branch_id__in=own_branch)
        visible |= covers & past_draft
    return qs.filter(visible)


def covered_poos(campaign: Campaign):
    poos = PrimaryOrganization.objects.filter(status=PrimaryOrganization.Status.ACTIVE)
    if campaign.branch.kind != Branch.Kind.REGION:
        poos = poos.filter(branch_id=campaign.branch_id)
    return poos


# One campaign on the staff pages -----------------------------------------------------------
@dataclass(frozen=True)
class Access:
    """What this user may do with this campaign on the staff pages."""

    scope: Scope
    campaign: Campaign
    manage: bool
    role: str | None

    @property
    def commission(self) -> bool:
        """May act as the commission (organisers may too, except for paper entry)."""
        return self.manage or self.role is not None

    def nominating_poos(self):
        poos = covered_poos(self.campaign)
        return poos if self.manage else structure_permissions.poos(self.scope, poos)

    def nominees(self):
        """Members this user may nominate: active members of the campaign's branch, within
        the user's own scope unless they organise the campaign."""
        from .services import members_in_scope

        members = members_in_scope(self.campaign)
        return members if self.manage else members_permissions.members(self.scope, members)

    def may_advance(self) -> bool:
        from .services import TRANSITIONS

        target = TRANSITIONS.get(self.campaign.status)
        if target in (S.COUNTING, S.RESULTS):
            return self.commission
        return target is not None and self.manage


#: What a staff page needs of the user for its campaign.
NEEDS = {
    "manage": lambda access: access.manage,
    "commission": lambda access: access.commission,
    # moving the campaign on; a closed campaign's page is the commission's (it says so)
    "advance": lambda access: (
        access.commission and (access.campaign.status == S.CLOSED or access.may_advance())
    ),
    "paper": lambda access: access.role is not None,
    "nominate": lambda access: access.manage or access.nominating_poos().exists(),
}


def campaign_access(scope: Scope, slug: str, need: str = "commission") -> Access:
    """The campaign of a staff page with what the user may do there: a 404 when the campaign
    is out of their reach, a 403 when their part in it does not meet ``need``."""
    campaign = get_object_or_404(staff_campaigns(scope), slug=slug)
    access = Access(
        scope=scope,
        campaign=campaign,
        manage=manage_campaign(scope, campaign),
        role=commission_role(scope.user, campaign),
    )
    if not NEEDS[need](access):
        raise PermissionDenied
    return access


def trustee_of(scope: Scope, campaign: Campaign):
    """The E2ETrustee this account is in the campaign's encrypted election, or None."""
    from .models import E2ETrustee

    if not scope.user.is_authenticated:
        return None
    return (
        E2ETrustee.objects.select_related("election")
        .filter(election__campaign=campaign, user=scope.user)
        .first()
    )


# Documents ---------------------------------------------------------------------------------
def document_campaign(scope: Scope, slug: str) -> Campaign | None:
    """The campaign whose documents the user may download; None when they must sign in first.

    Before the count the documents do not exist (404); once published they are everyone's who
    may see the campaign; in between, the organisers' and the commission's (403 for others).
    """
    campaign = get_object_or_404(visible_campaigns(scope), slug=slug)
    if campaign.status not in COUNTED:
        raise Http404("The documents exist once the votes are counted.")
    if campaign.status in PUBLISHED:
        return campaign
    if not scope.user.is_authenticated:
        return None
    if act_as_commission(scope, campaign):
        return campaign
    raise PermissionDenied
