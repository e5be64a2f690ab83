"""Who the signed-in user is and where: their role, branch and POO.

What each app allows lives in that app's ``permissions`` module, as rules of this Scope and
scoped querysets (``members.permissions.members(scope)``), so a district secretary can never
reach another district's members or counts, and a member sees only their own record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

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

    # Guards --------------------------------------------------------------------------
    def require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied


def scope_for(user) -> Scope:
    return Scope(user)
