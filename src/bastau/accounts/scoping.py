"""Who the signed-in user is and where: their role, branch and POO.

What each app allows lives in that app's ``permissions`` module, as rules of this Scope and
scoped querysets (``members.permissions.members(scope)``), so a district secretary can never
reach another district's members or counts, and a member sees only their own record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from bastau.core.permissions import rule

from .models import Role


@dataclass(frozen=True)
class Scope:
    user: object

    @property
    def role(self) -> str:
        return self.user.role if self.user.is_authenticated else ""

    @property
    def is_regional_admin(self) -> bool:
        return self.user.is_authenticated and (
            self.user.role == Role.REGIONAL_ADMIN or self.user.is_superuser
        )

    @property
    def is_staff_role(self) -> bool:
        """Works with other people's records (not only their own)."""
        return self.is_regional_admin or self.role in (Role.DISTRICT_SECRETARY, Role.POO_LEADER)

    # Moved to the apps' permissions modules (structure, members). The Scope keeps these
    # few names while callers outside those apps still use them; each looks its rule up by
    # name (core.permissions.rule), so this floor imports no app.
    @property
    def can_see_personal_data(self) -> bool:
        # moved: members.permissions.see_personal_data; callers outside members to follow
        return rule("members.see_personal_data")(self)

    @property
    def can_manage_structure(self) -> bool:
        # moved: structure.permissions.manage_structure; callers outside structure to follow
        return rule("structure.manage_structure")(self)

    @property
    def can_view_activity(self) -> bool:
        """Branch activity (meetings, instructions, the control board): those who manage a
        unit. Anyone else sees only the instructions they execute (see activity/services)."""
        return self.is_regional_admin or (
            (self.role == Role.DISTRICT_SECRETARY and bool(self.user.branch_id))
            or (self.role == Role.POO_LEADER and bool(self.user.poo_id))
        )

    # Querysets -----------------------------------------------------------------------
    def branches(self, qs: QuerySet | None = None) -> QuerySet:
        # moved: structure.permissions.branches; callers outside structure to follow
        return rule("structure.branches")(self, qs)

    def poos(self, qs: QuerySet | None = None) -> QuerySet:
        # moved: structure.permissions.poos; callers outside structure to follow
        return rule("structure.poos")(self, qs)

    def members(self, qs: QuerySet | None = None) -> QuerySet:
        # moved: members.permissions.members; callers outside members to follow
        return rule("members.members")(self, qs)

    def admissions(self, qs: QuerySet | None = None) -> QuerySet:
        # moved: members.permissions.admissions; callers outside members to follow
        return rule("members.admissions")(self, qs)

    # Public reception ----------------------------------------------------------------
    # Appeals belong to the branch that received them. The regional administrator handles
    # every branch's appeals; a district secretary and a reception officer handle those of
    # their own branch; anyone an appeal is assigned to works on that appeal only.
    @property
    def is_reception_officer(self) -> bool:
        return self.role == Role.RECEPTION_OFFICER

    @property
    def can_handle_appeals(self) -> bool:
        """Registers, assigns, forwards and resolves the appeals of their branch."""
        return self.is_regional_admin or (
            self.role in (Role.DISTRICT_SECRETARY, Role.RECEPTION_OFFICER)
            and bool(self.user.branch_id)
        )

    @property
    def can_extend_appeals(self) -> bool:
        """Extending the consideration period is the head's decision, not the officer's."""
        return self.is_regional_admin or (
            self.role == Role.DISTRICT_SECRETARY and bool(self.user.branch_id)
        )

    @property
    def can_manage_reception_catalogue(self) -> bool:
        """Appeal topics and the working-day calendar are region-wide data."""
        return self.is_regional_admin

    @property
    def can_view_reception_statistics(self) -> bool:
        return self.can_handle_appeals

    def reception_branches(self, qs: QuerySet | None = None) -> QuerySet:
        """The branches whose appeals, officials and schedules this user handles."""
        # By name, not by import: structure is a floor above (goes with reception's rules).
        from django.apps import apps

        Branch = apps.get_model("structure", "Branch")  # noqa: N806

        qs = Branch.objects.all() if qs is None else qs
        if self.is_regional_admin:
            return qs
        if self.can_handle_appeals:
            return qs.filter(pk=self.user.branch_id)
        return qs.none()

    def handles_branch(self, branch) -> bool:
        if branch is None:
            return False
        if self.is_regional_admin:
            return True
        return self.can_handle_appeals and self.user.branch_id == branch.pk

    def handles_appeal(self, appeal) -> bool:
        """Acts for the receiving branch (not merely as the assignee)."""
        if self.is_regional_admin:
            return True
        return self.can_handle_appeals and self.user.branch_id == appeal.receiving_branch_id

    def is_appeal_assignee(self, appeal) -> bool:
        return self.user.is_authenticated and appeal.assignee_id == self.user.pk

    def appeals(self, qs: QuerySet | None = None, *, include_assigned: bool = True) -> QuerySet:
        """The appeals this user may open: their branch's, plus those assigned to them
        (`include_assigned=False` leaves the branch's only, as statistics need)."""
        from django.db.models import Q

        from bastau.reception.models import Appeal

        qs = Appeal.objects.all() if qs is None else qs
        if self.is_regional_admin:
            return qs
        if not self.user.is_authenticated:
            return qs.none()
        condition = Q(pk__in=[])
        if self.can_handle_appeals:
            condition |= Q(receiving_branch_id=self.user.branch_id)
        if include_assigned:
            condition |= Q(assignee_id=self.user.pk)
        return qs.filter(condition)

    # Deputies' oversight --------------------------------------------------------------
    # Maslikhats belong to a branch (one each: the regional maslikhat to the regional branch,
    # a city or district maslikhat to that branch). The regional administrator oversees every
    # maslikhat; a district secretary and a faction secretary only the maslikhat of their own
    # branch (`user.branch`), never those below it.
    @property
    def is_faction_secretary(self) -> bool:
        return self.role == Role.FACTION_SECRETARY

    @property
    def can_view_oversight(self) -> bool:
        """Sees the deputies' register, factions, reporting schedules and budget monitor."""
        return self.is_regional_admin or (
            self.role in (Role.DISTRICT_SECRETARY, Role.FACTION_SECRETARY)
            and bool(self.user.branch_id)
        )

    @property
    def can_manage_deputies(self) -> bool:
        """Maslikhats, convocations, deputies (the register) and the branch's threshold."""
        return self.is_regional_admin or (
            self.role == Role.DISTRICT_SECRETARY and bool(self.user.branch_id)
        )

    @property
    def can_manage_factions(self) -> bool:
        """Faction leader and membership."""
        return self.can_view_oversight

    @property
    def can_approve_report_schedules(self) -> bool:
        """The branch approves the deputies' reporting schedule."""
        return self.can_manage_deputies

    @property
    def can_record_reports(self) -> bool:
        """Adds and edits scheduled reports, records outcomes, postpones, notes questions."""
        return self.can_view_oversight

    @property
    def can_edit_budget(self) -> bool:
        """Imports budget files, edits indicators, responsibility and monitoring notes."""
        return self.can_view_oversight

    @property
    def can_see_deputy_contacts(self) -> bool:
        """Deputies' phone and email: the roles that see members' personal data."""
        return self.can_see_personal_data

    def oversight_maslikhats(self, qs: QuerySet | None = None) -> QuerySet:
        from bastau.oversight.models import Maslikhat

        qs = Maslikhat.objects.all() if qs is None else qs
        if self.is_regional_admin:
            return qs
        if self.can_view_oversight:
            return qs.filter(branch_id=self.user.branch_id)
        return qs.none()

    def oversight(self, qs: QuerySet, path: str = "maslikhat") -> QuerySet:
        """Any oversight queryset (deputies, reports, indicators, ...) cut to the maslikhats
        this user oversees; `path` leads from the model to its Maslikhat."""
        if self.is_regional_admin:
            return qs
        if self.can_view_oversight:
            return qs.filter(**{f"{path}__branch_id": self.user.branch_id})
        return qs.none()

    def handles_maslikhat(self, maslikhat) -> bool:
        if maslikhat is None:
            return False
        if self.is_regional_admin:
            return True
        return self.can_view_oversight and maslikhat.branch_id == self.user.branch_id

    def require_maslikhat(self, maslikhat) -> None:
        if not self.handles_maslikhat(maslikhat):
            raise PermissionDenied

    # Guards --------------------------------------------------------------------------
    def require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied


def scope_for(user) -> Scope:
    return Scope(user)
