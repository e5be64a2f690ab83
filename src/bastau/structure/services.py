"""Structure actions: found, move, merge and close primary organizations, keeping history.

Merging and closing touch the POO's members through `membership`, which members fills in."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bastau.accounts.scoping import Scope
from bastau.core import audit

from . import membership, permissions
from .models import PrimaryOrganization, StructureEvent
from .permissions import require_branch


def found_poo(scope: Scope, *, data: dict, request=None) -> PrimaryOrganization:
    require_branch(scope, data["branch"])
    with transaction.atomic():
        poo = PrimaryOrganization.objects.create(**data)
        StructureEvent.objects.create(
            poo=poo,
            kind=StructureEvent.Kind.FOUNDED,
            date=poo.founded_on or poo_today(),
            to_branch=poo.branch,
            created_by=scope.user,
        )
        audit.record(
            scope.user, "poo.founded", poo, branch=poo.branch, request=request, summary=poo.name
        )
    return poo


def update_poo(scope: Scope, poo: PrimaryOrganization, *, changes: dict, request=None):
    require_branch(scope, poo.branch)
    if "branch" in changes and changes["branch"].pk != poo.branch_id:
        raise ValidationError(_("Use “Move” to change the branch, so the move is recorded."))
    with transaction.atomic():
        for name, value in changes.items():
            setattr(poo, name, value)
        poo.full_clean()
        poo.save()
        audit.record(
            scope.user,
            "poo.updated",
            poo,
            branch=poo.branch,
            request=request,
            data={"fields": sorted(changes)},
        )
    return poo


def move_poo(scope: Scope, poo, *, to_branch, date, reason="", request=None):
    require_branch(scope, poo.branch)
    if to_branch.kind == to_branch.Kind.REGION:
        raise ValidationError({"to_branch": _("A POO belongs to a district or city branch.")})
    if to_branch.pk == poo.branch_id:
        raise ValidationError({"to_branch": _("The organization is already in this branch.")})
    if poo.status != poo.Status.ACTIVE:
        raise ValidationError(_("Only an active organization can be moved."))
    with transaction.atomic():
        StructureEvent.objects.create(
            poo=poo,
            kind=StructureEvent.Kind.MOVED,
            date=date,
            from_branch=poo.branch,
            to_branch=to_branch,
            reason=reason,
            created_by=scope.user,
        )
        old_branch = poo.branch
        poo.branch = to_branch
        poo.save()
        audit.record(
            scope.user,
            "poo.moved",
            poo,
            branch=old_branch,
            request=request,
            data={"to_branch": to_branch.pk, "date": str(date)},
        )
    return poo


def merge_poo(scope: Scope, poo, *, into, date, reason="", request=None) -> int:
    """Merge `poo` into `into`: its current members move there; returns how many moved."""
    require_branch(scope, poo.branch)
    if not permissions.poos(scope).filter(pk=into.pk).exists():
        raise PermissionDenied
    if into.pk == poo.pk:
        raise ValidationError({"into": _("An organization cannot merge into itself.")})
    if poo.status != poo.Status.ACTIVE or into.status != into.Status.ACTIVE:
        raise ValidationError(_("Both organizations must be active."))
    with transaction.atomic():
        moved = membership.move_current_members(poo, into, date=date, user=scope.user)
        poo.status = poo.Status.MERGED
        poo.merged_into = into
        poo.closed_on = date
        poo.save()
        StructureEvent.objects.create(
            poo=poo,
            kind=StructureEvent.Kind.MERGED,
            date=date,
            merged_into=into,
            from_branch=poo.branch,
            to_branch=into.branch,
            reason=reason,
            created_by=scope.user,
        )
        audit.record(
            scope.user,
            "poo.merged",
            poo,
            branch=poo.branch,
            request=request,
            data={"into": into.pk, "members_moved": moved, "date": str(date)},
        )
    return moved


def close_poo(scope: Scope, poo, *, date, reason, request=None):
    require_branch(scope, poo.branch)
    if poo.status != poo.Status.ACTIVE:
        raise ValidationError(_("The organization is not active."))
    if membership.has_current_members(poo):
        raise ValidationError(
            _("The organization still has members: transfer them or merge it instead.")
        )
    with transaction.atomic():
        poo.status = poo.Status.CLOSED
        poo.closed_on = date
        poo.save()
        StructureEvent.objects.create(
            poo=poo,
            kind=StructureEvent.Kind.CLOSED,
            date=date,
            from_branch=poo.branch,
            reason=reason,
            created_by=scope.user,
        )
        audit.record(
            scope.user, "poo.closed", poo, branch=poo.branch, request=request, summary=reason
        )
    return poo


def poo_today():
    from django.utils import timezone

    return timezone.localdate()
