"""A generic HTTP SMS provider: POST JSON {"to", "text", "sender"} with a bearer token.

Most Kazakh SMS gateways accept this shape or a close variant; a provider with another
shape gets a small subclass overriding `payload`.
"""

import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import BaseSmsBackend

logger = logging.getLogger(__name__)


class SmsBackend(BaseSmsBackend):
    def __init__(self, url=None, token=None, sender=None, timeout=None, **kwargs):
        super().__init__(**kwargs)
        self.url = url or settings.SMS_HTTP_URL
        self.token = token or settings.SMS_HTTP_TOKEN
        self.sender = sender or settings.SMS_HTTP_SENDER
        self.timeout = timeout or settings.SMS_HTTP_TIMEOUT
        if not self.url:
            raise ImproperlyConfigured("SMS_HTTP_URL must be set for the HTTP SMS backend")

    def payload(self, message) -> dict:
        return {"to": message.to, "text": message.text, "sender": self.sender}

    def send_messages(self, messages) -> int:
        sent = 0
        for message in messages:
            request = urllib.request.Request(
                self.url,
                data=json.dumps(self.payload(message)).encode(),
                headers={
                    "Content-Type": "application/json",
                    **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
                },
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    if 200 <= response.status < 300:
                        sent += 1
                    else:
                        raise urllib.error.HTTPError(
                            self.url, response.status, "SMS provider refused", None, None
                        )
            except (urllib.error.URLError, TimeoutError):
                logger.exception("SMS to %s failed", message.to)
                if not self.fail_silently:
                    raise
        return sent
