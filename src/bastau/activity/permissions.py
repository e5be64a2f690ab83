"""Who may do what in branch activity: the rules of its pages and the scoped querysets.

A rule is a function of the user's `Scope` answering whether a page opens (`@requires(
"activity.view_projects")` on the view, `{% allowed "activity.view_projects" as ok %}` for its
links). The querysets cut meetings, instructions, projects, contests, awards and commissions to
what the scope may see; an object outside them is a 404. The services check the same rules
again before they write.

- meetings, the overview and the control board: those who manage a unit (`view_activity`): the
  regional administrator (any); a district secretary their branch's meetings (including its
  POOs'); a POO leader only their POO's; a member none;
- instructions: anyone signed in sees the list, cut to those they issued, execute or
  co-execute (`instructions`); the issuer decides reports and extensions and may cancel; the
  executors (`is_executor`) start, report and ask for extensions;
- social projects: the regional administrator (any branch) and a district secretary (their
  own branch);
- contests: every signed-in user sees them; the regional administrator manages them; entries
  are submitted by the administrator, district secretaries and POO leaders; a juror scores
  only during their stage (`scoring_seat`);
- awards: every signed-in user sees those of their scope (a member: their own); the
  administrator and district secretaries give them;
- commissions: the administrator (any branch) and a district secretary (their own branch's).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from bastau.accounts.models import Role, User
from bastau.accounts.scoping import Scope
from bastau.structure import permissions as structure_permissions
from bastau.structure.models import Branch, PrimaryOrganization

from .models import (
    ActivityAttachment,
    Award,
    Commission,
    Contest,
    Instruction,
    Juror,
    Meeting,
    SocialProject,
)


def is_district_secretary(scope: Scope) -> bool:
    return scope.role == Role.DISTRICT_SECRETARY and bool(scope.user.branch_id)


def is_poo_leader(scope: Scope) -> bool:
    return scope.role == Role.POO_LEADER and bool(scope.user.poo_id)


def _signed_in(scope: Scope) -> bool:
    return scope.user.is_authenticated


# Rules of the pages ----------------------------------------------------------------------
def view_activity(scope: Scope) -> bool:
    """Branch activity (meetings, instructions, the control board): those who manage a
    unit. Anyone else sees only the instructions they execute (`view_instructions`)."""
    return scope.is_regional_admin or is_district_secretary(scope) or is_poo_leader(scope)


def view_instructions(scope: Scope) -> bool:
    """The instructions list and an instruction: anyone signed in (cut by `instructions`)."""
    return _signed_in(scope)


def open_files(scope: Scope) -> bool:
    """A meeting's or an execution report's file: anyone signed in (cut by
    `visible_attachments` to the files of what they may see)."""
    return _signed_in(scope)


def view_projects(scope: Scope) -> bool:
    """The social projects registry: the regional administrator and district secretaries."""
    return scope.is_regional_admin or is_district_secretary(scope)


def view_contests(scope: Scope) -> bool:
    """Contests are region-wide events: every signed-in user sees them."""
    return _signed_in(scope)


def manage_contests(scope: Scope) -> bool:
    return scope.is_regional_admin


def submit_entries(scope: Scope) -> bool:
    return scope.is_regional_admin or is_district_secretary(scope) or is_poo_leader(scope)


def view_awards(scope: Scope) -> bool:
    """The awards list: every signed-in user (cut by `awards`)."""
    return _signed_in(scope)


def give_awards(scope: Scope) -> bool:
    return scope.is_regional_admin or is_district_secretary(scope)


def manage_commissions(scope: Scope) -> bool:
    return scope.is_regional_admin or is_district_secretary(scope)


# Meetings and instructions ---------------------------------------------------------------
def manages_unit(scope: Scope, branch, poo=None) -> bool:
    """May hold meetings and issue instructions for this branch (or this POO of it)."""
    user = scope.user
    if not user.is_authenticated:
        return False
    if scope.is_regional_admin:
        return True
    if scope.role == Role.DISTRICT_SECRETARY and user.branch_id:
        return branch is not None and branch.pk == user.branch_id
    if scope.role == Role.POO_LEADER and user.poo_id:
        return poo is not None and poo.pk == user.poo_id
    return False


def require_meeting(scope: Scope, meeting: Meeting) -> None:
    if not manages_unit(scope, meeting.branch, meeting.poo):
        raise PermissionDenied


def meetings(scope: Scope) -> QuerySet:
    qs = Meeting.objects.select_related("branch", "poo", "chair_member")
    if scope.is_regional_admin:
        return qs
    user = scope.user
    if scope.role == Role.DISTRICT_SECRETARY and user.branch_id:
        return qs.filter(branch_id=user.branch_id)
    if scope.role == Role.POO_LEADER and user.poo_id:
        return qs.filter(poo_id=user.poo_id)
    return qs.none()


def can_view_meeting(scope: Scope, meeting_id: int) -> bool:
    """Whether the meeting's page opens for this scope (the rule of the meeting views)."""
    return view_activity(scope) and meetings(scope).filter(pk=meeting_id).exists()


def managed_branches(scope: Scope) -> QuerySet:
    """The branches whose meetings and instructions this user may hold and issue."""
    if scope.is_regional_admin:
        return structure_permissions.branches(scope).order_by("kind", "name")
    if scope.role == Role.DISTRICT_SECRETARY:
        return structure_permissions.branches(scope).order_by("name")
    return structure_permissions.branches(scope).none()


def reachable_users(scope: Scope) -> QuerySet:
    """People an instruction may name: active users of the issuer's branch or POO."""
    qs = User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")
    user = scope.user
    if scope.is_regional_admin:
        return qs
    if scope.role == Role.DISTRICT_SECRETARY and user.branch_id:
        b = user.branch_id
        return qs.filter(
            pk__in=User.objects.filter(
                Q(branch_id=b) | Q(poo__branch_id=b) | Q(member__poo__branch_id=b)
            ).values("pk")
        )
    if scope.role == Role.POO_LEADER and user.poo_id:
        return qs.filter(Q(poo_id=user.poo_id) | Q(member__poo_id=user.poo_id))
    return qs.none()


def search_users(scope: Scope, query: str, limit: int = 20) -> list:
    """Up to `limit` of the `reachable_users` whose given name, surname or login starts with
    each word of `query` (the account picker of the instruction forms)."""
    query = " ".join(query.split())[:100]
    if len(query) < 2:
        return []
    match = Q()
    for word in query.split()[:3]:
        match &= (
            Q(last_name__istartswith=word)
            | Q(first_name__istartswith=word)
            | Q(username__istartswith=word)
        )
    return list(reachable_users(scope).filter(match)[:limit])


def instructions(scope: Scope) -> QuerySet:
    """The instructions the scope may see (one row each, no duplicates from the joins)."""
    qs = Instruction.objects.select_related("branch", "poo", "issuer")
    user = scope.user
    if scope.is_regional_admin:
        return qs
    if not user.is_authenticated:
        return qs.none()
    condition = Q(issuer=user) | Q(responsible_users=user) | Q(co_executors=user)
    if scope.role == Role.DISTRICT_SECRETARY and user.branch_id:
        condition |= Q(branch_id=user.branch_id) | Q(responsible_branches=user.branch_id)
    if scope.role == Role.POO_LEADER and user.poo_id:
        condition |= Q(poo_id=user.poo_id) | Q(responsible_poos=user.poo_id)
    return qs.filter(pk__in=Instruction.objects.filter(condition).values("pk"))


def is_executor(scope: Scope, instruction: Instruction) -> bool:
    """Responsible (in person or for a responsible unit) or a co-executor."""
    user = scope.user
    if not user.is_authenticated:
        return False
    if (
        instruction.responsible_users.filter(pk=user.pk).exists()
        or instruction.co_executors.filter(pk=user.pk).exists()
    ):
        return True
    if scope.role == Role.DISTRICT_SECRETARY and user.branch_id:
        return instruction.responsible_branches.filter(pk=user.branch_id).exists()
    if scope.role == Role.POO_LEADER and user.poo_id:
        return instruction.responsible_poos.filter(pk=user.poo_id).exists()
    return False


def is_issuer(scope: Scope, instruction: Instruction) -> bool:
    return scope.user.is_authenticated and instruction.issuer_id == scope.user.pk


def visible_attachments(scope: Scope) -> QuerySet:
    """The activity files the scope may download: its meetings' and its instructions'."""
    return ActivityAttachment.objects.filter(
        Q(meeting__in=meetings(scope).values("pk"))
        | Q(report__instruction__in=instructions(scope).values("pk"))
    )


# Social projects -------------------------------------------------------------------------
def manages_projects(scope: Scope, branch) -> bool:
    return scope.is_regional_admin or (
        scope.role == Role.DISTRICT_SECRETARY and manages_unit(scope, branch)
    )


def require_project(scope: Scope, project: SocialProject) -> None:
    if not manages_projects(scope, project.branch):
        raise PermissionDenied


def social_projects(scope: Scope) -> QuerySet:
    qs = SocialProject.objects.select_related("branch", "curator", "merged_into")
    if scope.is_regional_admin:
        return qs
    if scope.role == Role.DISTRICT_SECRETARY and scope.user.branch_id:
        return qs.filter(branch_id=scope.user.branch_id)
    return qs.none()


# Contests --------------------------------------------------------------------------------
def contests(scope: Scope) -> QuerySet:
    if not scope.user.is_authenticated:
        return Contest.objects.none()
    return Contest.objects.select_related("branch")


def entry_poos(scope: Scope, contest: Contest) -> QuerySet:
    """The active POOs the scope may still enter (not entered yet)."""
    if not submit_entries(scope):
        return PrimaryOrganization.objects.none()
    return (
        structure_permissions.poos(scope)
        .filter(status=PrimaryOrganization.Status.ACTIVE)
        .exclude(contest_entries__contest=contest)
        .select_related("branch")
        .order_by("branch__name", "name")
    )


def entries(scope: Scope, contest: Contest) -> QuerySet:
    """The entries the scope may see in full (its own POOs', or those it scores)."""
    qs = contest.entries.select_related("poo", "poo__branch")
    if scope.is_regional_admin:
        return qs
    if not scope.user.is_authenticated:
        return qs.none()
    condition = Q(pk__in=[])
    if is_district_secretary(scope):
        condition |= Q(poo__branch_id=scope.user.branch_id)
    if is_poo_leader(scope):
        condition |= Q(poo_id=scope.user.poo_id)
    for seat in contest.jurors.filter(user=scope.user):
        if seat.stage == Contest.Stage.DISTRICT:
            condition |= Q(poo__branch_id=seat.district_id)
        else:
            condition |= Q(advanced=True)
    return qs.filter(condition)


def juror_seat(scope: Scope, contest: Contest) -> Juror | None:
    """The caller's seat on the jury of the stage now running, if any."""
    if not scope.user.is_authenticated or contest.status not in Contest.Stage.values:
        return None
    return (
        contest.jurors.filter(user=scope.user, stage=contest.status)
        .select_related("district")
        .first()
    )


def scoring_seat(scope: Scope, contest: Contest) -> Juror:
    """The scoring sheet is for a juror of the stage now running; anyone else gets a 403."""
    seat = juror_seat(scope, contest)
    if seat is None:
        raise PermissionDenied
    return seat


# Awards ----------------------------------------------------------------------------------
def _award_reach(scope: Scope) -> Q | None:
    """The awards a scope sees, as a filter that also fits the awards' history records (same
    field names); None: none at all."""
    if scope.is_regional_admin:
        return Q()
    user = scope.user
    if not user.is_authenticated:
        return None
    if is_district_secretary(scope):
        return Q(member__poo__branch_id=user.branch_id) | Q(poo__branch_id=user.branch_id)
    if is_poo_leader(scope):
        return Q(member__poo_id=user.poo_id) | Q(poo_id=user.poo_id)
    if user.member_id:
        return Q(member_id=user.member_id)
    return None


def awards(scope: Scope) -> QuerySet:
    qs = Award.objects.select_related(
        "branch",
        "member",
        "member__poo",
        "member__poo__branch",
        "poo",
        "poo__branch",
        "meeting",
        "contest_entry__contest",
    )
    reach = _award_reach(scope)
    return qs.none() if reach is None else qs.filter(reach)


def change_award(scope: Scope, award: Award) -> bool:
    """Edit or delete an award (one the scope sees): whoever could give it now, in the name
    of the branch that gave it: the administrator any award; a district secretary those of
    their district given in their branch's name."""
    if not give_awards(scope):
        return False
    home = award.member.poo if award.member_id else award.poo
    return award_branches(scope, home).filter(pk=award.branch_id).exists()


def deleted_awards(scope: Scope) -> QuerySet:
    """The "deleted" history records of the awards the scope saw, for those who give awards
    (`give_awards`): who deleted which award and when, with its last values."""
    reach = _award_reach(scope)
    qs = Award.history.filter(history_type="-")
    if reach is None or not give_awards(scope):
        return qs.none()
    return qs.filter(reach)


def award_branches(scope: Scope, poo: PrimaryOrganization) -> QuerySet:
    """The branches that may give an award to `poo` or one of its members, in the caller's
    name: the administrator any branch, a secretary their own branch (when the POO is in it)."""
    if scope.is_regional_admin:
        return Branch.objects.order_by("kind", "name")
    if is_district_secretary(scope) and poo.branch_id == scope.user.branch_id:
        return Branch.objects.filter(pk=scope.user.branch_id)
    return Branch.objects.none()


# Commissions -----------------------------------------------------------------------------
def commission_branches(scope: Scope) -> QuerySet:
    if scope.is_regional_admin:
        return Branch.objects.order_by("kind", "name")
    if is_district_secretary(scope):
        return Branch.objects.filter(pk=scope.user.branch_id)
    return Branch.objects.none()


def commissions(scope: Scope) -> QuerySet:
    qs = Commission.objects.select_related("branch")
    if scope.is_regional_admin:
        return qs
    if is_district_secretary(scope):
        return qs.filter(branch_id=scope.user.branch_id)
    return qs.none()


def require_commission(scope: Scope, commission: Commission) -> None:
    if not commissions(scope).filter(pk=commission.pk).exists():
        raise PermissionDenied


def deleted_commissions(scope: Scope) -> QuerySet:
    """The "deleted" history records of the commissions of the scope's branches."""
    return Commission.history.filter(
        history_type="-", branch_id__in=commission_branches(scope).order_by().values("pk")
    )
