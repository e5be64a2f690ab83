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

    # Guards --------------------------------------------------------------------------
    def require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied

    def require_poo(self, poo) -> None:
        if not self.poos().filter(pk=poo.pk).exists():
            raise PermissionDenied


def scope_for(user) -> Scope:
    return Scope(user)
