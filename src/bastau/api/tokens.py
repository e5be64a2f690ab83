"""Making, checking and revoking API tokens. A token is `bst_` and 43 random URL-safe
characters; only its SHA-256 is stored, so a database dump gives no usable token."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bastau.core import audit

from .models import API_APPS, ApiToken

TOKEN_PREFIX = "bst_"
MAX_DAYS = 366


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(
    user, *, name: str, access: str, apps, days: int, language: str, now: dt.datetime, request=None
) -> tuple[ApiToken, str]:
    """A new token of `user`; returns it and the raw token, which is never stored or shown
    again."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the token a name.")]
    if access not in ApiToken.Access.values:
        errors["access"] = [_("Choose the token's access.")]
    apps = [app for app in API_APPS if app in set(apps or ())]
    if not apps:
        errors["apps"] = [_("Choose at least one app.")]
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors["days"] = [_("A token lasts from 1 to %(max)s days.") % {"max": MAX_DAYS}]
    if errors:
        raise ValidationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=raw[:12],
        key_hash=hash_key(raw),
        access=access,
        apps=apps,
        language=language[:8],
        expires_at=now + dt.timedelta(days=days),
    )
    audit.record(
        user,
        "api.token_created",
        token,
        request=request,
        data={"access": access, "apps": apps, "days": days},
    )
    return token, raw


def revoke_token(user, token: ApiToken, *, now: dt.datetime, request=None) -> None:
    """Only the token's owner revokes it; revoking twice changes nothing."""
    if token.user_id != user.pk or token.revoked_at is not None:
        return
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    audit.record(user, "api.token_revoked", token, request=request)


def token_for(raw: str, now: dt.datetime) -> ApiToken | None:
    """The live token `raw` stands for (not expired, not revoked, its user active), or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(raw)).first()
    if token is None or not token.is_active(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
