"""Who may read the branch report, and about which place.

The regional administrator reads the report of the region, of any branch or POO; a district
secretary of their branch or one of its POOs; a POO leader of their POO. The place is looked up
through the structure's scoped querysets, so a place outside the reader's scope does not exist
for them; every figure inside is then counted over that place only."""

from __future__ import annotations

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope


def view_reports(scope: Scope) -> bool:
    if scope.is_regional_admin:
        return True
    user = scope.user
    if scope.role == Role.DISTRICT_SECRETARY:
        return bool(user.branch_id)
    if scope.role == Role.POO_LEADER:
        return bool(user.poo_id)
    return False


def schedule_reports(scope: Scope) -> bool:
    """Monthly and quarterly reports by email: the administrator and district secretaries."""
    return scope.is_regional_admin or (
        scope.role == Role.DISTRICT_SECRETARY and bool(scope.user.branch_id)
    )
