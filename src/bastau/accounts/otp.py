"""One-time login codes sent by SMS or email.

A code is 6 digits, lives OTP_TTL_SECONDS, allows OTP_MAX_ATTEMPTS guesses; only an HMAC of the
code is stored.

Asking for a code never tells whether an account exists. The request is answered the same way
in every case (the view redirects to "enter the code" with one neutral message) and does the same
work in every case: it counts the request against the limits below and queues one background task
with the destination. The task (`bastau db_worker`) looks the account up and sends the code, or
sends nothing. So the status, the page, the message and the time taken are those of an unknown
phone for an existing one, and the limits, being counted per request rather than per account,
stop at the same point for both.

Limits, so that nobody can make the system send a stream of messages:
- per client address: OTP_MAX_REQUESTS_PER_ADDRESS_PER_HOUR requests (counted in the cache);
- per destination (one phone or email, existing or not): OTP_MAX_CODES_PER_HOUR requests (cache),
  and the same number of codes per account (database, shared by every process);
- in total: OTP_MAX_CODES_TOTAL_PER_HOUR codes sent by the whole installation (database).
A request over a limit gets the same answer and sends nothing. The cache is per process unless
REDIS_URL is set (docs/deploy.md); the database limits hold across processes in any case.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from bastau.core.sms import send_sms

from .models import OneTimeCode, User

# A window of the request counters; the estimate over the last hour weighs the previous window
# by how much of it still lies within the hour (a sliding window, two counters per key).
WINDOW_SECONDS = 3600
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class TooManyCodes(Exception):
    pass


def normalize_phone(raw: str) -> str:
    digits = "".join(c for c in raw if c.isdigit())
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    if len(digits) == 10:
        digits = "7" + digits
    return "+" + digits if digits else ""


def normalize_destination(identifier: str) -> str:
    """The canonical form of a phone (+7XXXXXXXXXX) or email (lower case); "" when it is
    neither, so that the form can say so."""
    identifier = (identifier or "").strip()
    if "@" in identifier:
        return identifier.lower() if _EMAIL_RE.match(identifier) else ""
    if re.search(r"[^\d\s()+\-.]", identifier):
        return ""
    phone = normalize_phone(identifier)
    return phone if 11 <= len(phone) - 1 <= 15 else ""


def find_user(identifier: str) -> User | None:
    identifier = identifier.strip()
    if not identifier:
        return None
    if "@" in identifier:
        query = Q(email__iexact=identifier)
    else:
        phone = normalize_phone(identifier)
        if not phone:
            return None
        query = Q(phone=phone)
    return User.objects.filter(query, is_active=True).order_by("pk").first()


# Request limits (cache) --------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Limit:
    name: str
    per_hour: int


def request_limits() -> list[Limit]:
    return [
        Limit("address", settings.OTP_MAX_REQUESTS_PER_ADDRESS_PER_HOUR),
        Limit("destination", settings.OTP_MAX_CODES_PER_HOUR),
    ]


def _counter_key(name: str, value: str, window: int) -> str:
    digest = hashlib.sha256(f"{name}:{value}".encode()).hexdigest()[:32]
    return f"bastau:otp:{name}:{digest}:{window}"


def _count(name: str, value: str, now: float) -> float:
    """Count one more request for (name, value); return the requests in the last hour."""
    window, offset = divmod(now, WINDOW_SECONDS)
    window = int(window)
    key = _counter_key(name, value, window)
    cache.add(key, 0, timeout=2 * WINDOW_SECONDS + 60)
    try:
        current = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=2 * WINDOW_SECONDS + 60)
        current = 1
    previous = cache.get(_counter_key(name, value, window - 1), 0)
    return previous * (1 - offset / WINDOW_SECONDS) + current


def allow_request(client_address: str, destination: str, now: float) -> bool:
    """Count a code request; False when it goes over a limit (then nothing must be sent).

    `now` is the time in seconds since the epoch. The same counting happens whether or not an
    account has this destination. A limit of 0 turns that limit off."""
    values = {"address": client_address or "-", "destination": destination}
    for limit in request_limits():
        if limit.per_hour <= 0:
            continue
        if _count(limit.name, values[limit.name], now) > limit.per_hour:
            return False
    return True


# Sending (background task) -----------------------------------------------------------------------
def _hash(user_id: int, code: str) -> str:
    return salted_hmac("bastau.otp", f"{user_id}:{code}").hexdigest()


def issue_code(user: User, channel: str | None = None, *, now=None) -> OneTimeCode:
    """Create a code and send it. Raises TooManyCodes when the account's hourly allowance or the
    installation's hourly total is spent."""
    now = now or timezone.now()
    hour_ago = now - dt.timedelta(hours=1)
    recent = OneTimeCode.objects.filter(created_at__gte=hour_ago)
    total_limit = settings.OTP_MAX_CODES_TOTAL_PER_HOUR
    if (
        settings.OTP_MAX_CODES_PER_HOUR > 0
        and recent.filter(user=user).count() >= settings.OTP_MAX_CODES_PER_HOUR
    ):
        raise TooManyCodes
    if total_limit > 0 and recent.count() >= total_limit:
        raise TooManyCodes
    if channel is None:
        channel = OneTimeCode.Channel.SMS if user.phone else OneTimeCode.Channel.EMAIL
    code = "".join(secrets.choice("0123456789") for _ in range(settings.OTP_LENGTH))
    with transaction.atomic():
        # A new code replaces any older unused one.
        OneTimeCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
        otp = OneTimeCode.objects.create(
            user=user,
            channel=channel,
            code_hash=_hash(user.pk, code),
            expires_at=now + dt.timedelta(seconds=settings.OTP_TTL_SECONDS),
        )
    text = _("Bastau login code: %(code)s. Do not share it with anyone.") % {"code": code}
    if channel == OneTimeCode.Channel.SMS:
        send_sms(user.phone, text)
    else:
        send_mail(_("Your Bastau login code"), text, None, [user.email])
    return otp


def deliver_code(destination: str) -> str:
    """Send a code to the account that has this destination, if any and if the database limits
    allow; what happened, for the task's result: "sent", "no-account" or "limited"."""
    user = find_user(destination)
    if user is None:
        return "no-account"
    # The code goes where it was asked for: to the email when an email was given.
    channel = OneTimeCode.Channel.EMAIL if "@" in destination else None
    try:
        issue_code(user, channel)
    except TooManyCodes:
        return "limited"
    return "sent"


def verify_code(user: User, code: str) -> bool:
    """True once for the right code within its lifetime and attempt allowance."""
    now = timezone.now()
    code = (code or "").strip()
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if otp is None or otp.attempts >= settings.OTP_MAX_ATTEMPTS:
            return False
        if constant_time_compare(otp.code_hash, _hash(user.pk, code)):
            otp.used_at = now
            otp.save(update_fields=["used_at"])
            return True
        OneTimeCode.objects.filter(pk=otp.pk).update(attempts=F("attempts") + 1)
        return False
