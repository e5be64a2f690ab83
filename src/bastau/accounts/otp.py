"""One-time login codes sent by SMS or email.

A code is 6 digits, lives OTP_TTL_SECONDS, allows OTP_MAX_ATTEMPTS guesses, and a user gets
at most OTP_MAX_CODES_PER_HOUR codes, so guessing is throttled on both ends. Only an HMAC
of the code is stored.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from bastau.core.sms import send_sms

from .models import OneTimeCode, User


class TooManyCodes(Exception):
    pass


def normalize_phone(raw: str) -> str:
    digits = "".join(c for c in raw if c.isdigit())
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    if len(digits) == 10:
        digits = "7" + digits
    return "+" + digits if digits else ""


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


def _hash(user_id: int, code: str) -> str:
    return salted_hmac("bastau.otp", f"{user_id}:{code}").hexdigest()


def issue_code(user: User, channel: str | None = None) -> OneTimeCode:
    """Create a code and send it. Raises TooManyCodes when the hourly allowance is spent."""
    now = timezone.now()
    recent = OneTimeCode.objects.filter(user=user, created_at__gte=now - dt.timedelta(hours=1))
    if recent.count() >= settings.OTP_MAX_CODES_PER_HOUR:
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
