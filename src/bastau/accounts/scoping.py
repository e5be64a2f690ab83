"""Per-branch scoping: what a signed-in user may see and do.

Every list, page and export asks the Scope for its queryset, so a district secretary can
never reach another district's members or counts, and a member sees only their own record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

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

    # What the role may do -------------------------------------------------------------
    @property
    def can_see_personal_data(self) -> bool:
        """IIN, phone and address of other members."""
        return self.is_regional_admin or self.role == Role.DISTRICT_SECRETARY

    @property
    def can_edit_members(self) -> bool:
        return self.is_regional_admin or self.role == Role.DISTRICT_SECRETARY

    @property
    def can_register_applications(self) -> bool:
        return self.is_staff_role

    @property
    def can_approve_admissions(self) -> bool:
        """District approval and card issuance."""
        return self.can_edit_members

    @property
    def can_manage_structure(self) -> bool:
        return self.is_regional_admin or self.role == Role.DISTRICT_SECRETARY

    @property
    def can_import(self) -> bool:
        return self.can_edit_members

    @property
    def can_view_statistics(self) -> bool:
        return self.is_staff_role

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
        from bastau.structure.models import Branch

        qs = Branch.objects.all() if qs is None else qs
        if self.is_regional_admin:
            return qs
        if self.role == Role.DISTRICT_SECRETARY and self.user.branch_id:
            return qs.filter(pk=self.user.branch_id)
        if self.role == Role.POO_LEADER and self.user.poo_id:
            return qs.filter(poos=self.user.poo_id)
        return qs.none()

    def poos(self, qs: QuerySet | None = None) -> QuerySet:
        from bastau.structure.models import PrimaryOrganization

        qs = PrimaryOrganization.objects.all() if qs is None else qs
        if self.is_regional_admin:
            return qs
        if self.role == Role.DISTRICT_SECRETARY and self.user.branch_id:
            return qs.filter(branch_id=self.user.branch_id)
        if self.role == Role.POO_LEADER and self.user.poo_id:
            return qs.filter(pk=self.user.poo_id)
        return qs.none()

    def members(self, qs: QuerySet | None = None) -> QuerySet:
        from bastau.members.models import Member

        qs = Member.objects.all() if qs is None else qs
        if self.is_regional_admin:
            return qs
        if self.role == Role.DISTRICT_SECRETARY and self.user.branch_id:
            return qs.filter(poo__branch_id=self.user.branch_id)
        if self.role == Role.POO_LEADER and self.user.poo_id:
            return qs.filter(poo_id=self.user.poo_id)
        if self.user.is_authenticated and self.user.member_id:
            return qs.filter(pk=self.user.member_id)
        return qs.none()

    def admissions(self, qs: QuerySet | None = None) -> QuerySet:
        from bastau.members.models import Admission

        qs = Admission.objects.all() if qs is None else qs
        if self.is_regional_admin:
            return qs
        if self.role == Role.DISTRICT_SECRETARY and self.user.branch_id:
            return qs.filter(poo__branch_id=self.user.branch_id)
        if self.role == Role.POO_LEADER and self.user.poo_id:
            return qs.filter(poo_id=self.user.poo_id)
        return qs.none()

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
        from bastau.structure.models import Branch

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

    # Guards --------------------------------------------------------------------------
    def require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied

    def require_poo(self, poo) -> None:
        if not self.poos().filter(pk=poo.pk).exists():
            raise PermissionDenied


def scope_for(user) -> Scope:
    return Scope(user)
