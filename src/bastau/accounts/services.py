"""Staff accounts actions: create, change role and anchor, deactivate and reactivate, reset
sign-in. Each checks the manager's scope, writes in one transaction and records an audit event.

A reset changes the password hash, and Django checks every session against that hash, so all
the person's open sessions end with it; their unused one-time codes are withdrawn too."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bastau.core import audit

from . import directory, permissions
from .models import OneTimeCode, Role, User
from .scoping import Scope

#: Fields the account form edits (the password is set only by `create_account`/`reset_sign_in`).
FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "phone",
    "role",
    "branch",
    "poo",
    "member",
)

#: Roles anchored to a branch, to a POO, or to a member record.
BRANCH_ROLES = (
    Role.REGIONAL_ADMIN,
    Role.DISTRICT_SECRETARY,
    Role.RECEPTION_OFFICER,
    Role.FACTION_SECRETARY,
)


def _district_of(user: User):
    """The branch whose audit log shows changes of this account."""
    if user.branch_id:
        return user.branch
    if user.poo_id:
        return user.poo.branch
    if user.member_id and user.member.poo_id:
        return user.member.poo.branch
    return None


def _check(scope: Scope, data: dict) -> None:
    """The role is one the manager may give, and its anchor is within the manager's scope."""
    role = data["role"]
    if role not in permissions.grantable_roles(scope):
        raise ValidationError({"role": _("You may not give this role.")})
    if role in BRANCH_ROLES and not data.get("branch"):
        raise ValidationError({"branch": _("This role needs a branch.")})
    if role == Role.POO_LEADER and not data.get("poo"):
        raise ValidationError({"poo": _("A primary organization leader needs a POO.")})
    if role == Role.MEMBER and not data.get("member"):
        raise ValidationError({"member": _("A member's account needs the member record.")})
    # The form's querysets already hold this; the action does not trust its caller.
    for name, queryset in (
        ("branch", directory.branches),
        ("poo", directory.poos),
        ("member", directory.members),
    ):
        obj = data.get(name)
        if obj is not None and not queryset(scope).filter(pk=obj.pk).exists():
            raise ValidationError({name: _("This is outside your branch.")})
    if role == Role.REGIONAL_ADMIN and data["branch"].parent_id is not None:
        raise ValidationError({"branch": _("A regional administrator works for the region.")})


def _username_free(username: str, exclude: int | None = None) -> None:
    qs = User.objects.filter(username__iexact=username)
    if exclude:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise ValidationError({"username": _("This username is taken.")})


def create_account(scope: Scope, data: dict, *, request=None) -> User:
    scope.require(permissions.manage_accounts(scope))
    _check(scope, data)
    _username_free(data["username"])
    with transaction.atomic():
        user = User(**{name: data.get(name) or _empty(name) for name in FIELDS})
        password = data.get("password")
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()  # signs in with a one-time code to phone or email
        user.save()
        audit.record(
            scope.user,
            "account.created",
            user,
            branch=_district_of(user),
            request=request,
            summary=user.username,
            data={"role": user.role, "password": bool(password)},
        )
    return user


def _empty(name: str):
    return None if name in ("branch", "poo", "member") else ""


def update_account(scope: Scope, user: User, data: dict, *, request=None) -> User:
    _require_manages(scope, user)
    _check(scope, data)
    _username_free(data["username"], exclude=user.pk)
    with transaction.atomic():
        changed = []
        for name in FIELDS:
            value = data.get(name) or _empty(name)
            if getattr(user, name) != value:
                setattr(user, name, value)
                changed.append(name)
        user.save()
        audit.record(
            scope.user,
            "account.updated",
            user,
            branch=_district_of(user),
            request=request,
            summary=user.username,
            data={"fields": changed, "role": user.role},
        )
    return user


def set_active(scope: Scope, user: User, active: bool, *, reason: str = "", request=None) -> User:
    """Deactivate (the person can no longer sign in; open sessions end) or reactivate."""
    _require_manages(scope, user)
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            _withdraw_codes(user)
        audit.record(
            scope.user,
            "account.reactivated" if active else "account.deactivated",
            user,
            branch=_district_of(user),
            request=request,
            summary=reason or user.username,
        )
    return user


def reset_sign_in(scope: Scope, user: User, *, password: str = "", request=None) -> User:
    """A new password, or none at all (then the person signs in with a one-time code). Either
    way the password hash changes, which ends every open session of the account."""
    _require_manages(scope, user)
    with transaction.atomic():
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(update_fields=["password"])
        _withdraw_codes(user)
        audit.record(
            scope.user,
            "account.sign_in_reset",
            user,
            branch=_district_of(user),
            request=request,
            summary=user.username,
            data={"password": bool(password)},
        )
    return user


def _withdraw_codes(user: User) -> None:
    OneTimeCode.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())


def _require_manages(scope: Scope, user: User) -> None:
    if not permissions.accounts(scope).filter(pk=user.pk).exists():
        raise PermissionDenied
