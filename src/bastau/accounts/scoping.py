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

    # Guards --------------------------------------------------------------------------
    def require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied


def scope_for(user) -> Scope:
    return Scope(user)
