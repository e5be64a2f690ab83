"""A signed-in session's proof that the database can check (the thin cast path, issue #16).

Django's AuthenticationMiddleware reads the user's row on every request to check that the
session still holds: the user exists and is active, and the session's `_auth_user_hash` (an HMAC
of the password hash under SECRET_KEY) matches the password hash now, so that a password change
or reset ends every other session. On the cast path that read was a quarter of the request's
CPU, and the cast statement reads the row anyway (primaries.castpath): so the session keeps a
proof that lets the statement make the same checks itself, in the same round trip.

At sign-in (`user_logged_in`), and on a page where the full stack has just verified the session
(`refresh`), the session gets PROOF_KEY = "<digest>:<tag>":

- digest: SHA-256 of the user's password hash as it is now. The statement requires
  `sha256(password) = digest` on the row, with `is_active`: a changed password (a reset, a
  change in another browser) or a deactivated account stores nothing, and the full stack then
  answers (it signs the session out, as Django does).
- tag: an HMAC (SECRET_KEY) over the user id, Django's session hash and the digest. It proves
  that this server set them together after verifying the session: a value written into the
  session store by anyone else, or a changed SECRET_KEY (which ends Django's sessions too),
  fails it before any statement is sent.

So `claim` plus the statement's condition hold exactly when Django's own check would: the
password hash is the one the session was verified with, under the same key, on an active user.
Only sessions of ModelBackend (password and one-time-code logins) are claimed; anything else
goes the full way. A digest of a password hash (itself a salted Argon2 hash) reveals nothing
that the session's HMAC of it does not.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils.crypto import constant_time_compare, salted_hmac

PROOF_KEY = "_bastau_proof"
BACKEND = "django.contrib.auth.backends.ModelBackend"
_SALT = "bastau.accounts.sessionproof"


@dataclass(frozen=True, slots=True)
class Account:
    """Who a session says it is, for a statement to confirm: the user id and the digest of the
    password hash the session was verified with."""

    user_id: int
    digest: str


def password_digest(password_hash: str) -> str:
    """What the statement compares: encode(sha256(convert_to(password, 'UTF8')), 'hex')."""
    return hashlib.sha256(password_hash.encode()).hexdigest()


def _tag(user_id, session_hash: str, digest: str) -> str:
    return salted_hmac(_SALT, f"{user_id}:{session_hash}:{digest}", algorithm="sha256").hexdigest()


def remember(session, user) -> None:
    """Give a session that Django has just verified for `user` its proof."""
    session_hash = session.get(HASH_SESSION_KEY)
    if not session_hash or not user.password:
        return
    digest = password_digest(user.password)
    value = f"{digest}:{_tag(user.pk, session_hash, digest)}"
    if session.get(PROOF_KEY) != value:
        session[PROOF_KEY] = value


def on_login(sender, request, user, **kwargs) -> None:
    """user_logged_in: login() has just stored the user and the session hash."""
    session = getattr(request, "session", None)
    if session is not None:
        remember(session, user)


def refresh(request) -> None:
    """On a page the full stack served (request.user verified by Django): renew the proof if
    the password changed in this session (update_session_auth_hash) or it predates the proof."""
    user = request.user
    if user.is_authenticated and request.session.get(BACKEND_SESSION_KEY) == BACKEND:
        remember(request.session, user)


def claim(session) -> Account | None:
    """The account a session speaks for, if it holds a proof this server made; None: let the
    full stack decide (no session, another backend, no proof, a proof that does not verify)."""
    try:
        user_id = session[SESSION_KEY]
        backend = session[BACKEND_SESSION_KEY]
        session_hash = session[HASH_SESSION_KEY]
        proof = session[PROOF_KEY]
    except KeyError:
        return None
    if backend != BACKEND or backend not in settings.AUTHENTICATION_BACKENDS:
        return None
    digest, _sep, tag = str(proof).partition(":")
    if not tag or not constant_time_compare(tag, _tag(user_id, session_hash, digest)):
        return None
    try:
        return Account(int(user_id), digest)
    except (TypeError, ValueError):
        return None
