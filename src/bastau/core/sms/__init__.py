"""Text messages, pluggable like Django's email: settings.SMS_BACKEND names the backend.

Backends: console (development), file (one file per message), locmem (tests keep an outbox),
http (a configurable HTTP provider). `send_sms` is the one entry point.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

outbox: list[SmsMessage] = []  # filled by the locmem backend, like django.core.mail.outbox


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str


def get_backend(path: str | None = None, **kwargs):
    return import_string(path or settings.SMS_BACKEND)(**kwargs)


def send_sms(to: str, text: str, backend=None) -> int:
    """Send one message; returns the number sent (0 or 1). Raises on provider errors."""
    connection = backend or get_backend()
    return connection.send_messages([SmsMessage(to=to, text=text)])
