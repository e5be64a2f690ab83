from .. import outbox
from .base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    """Keeps messages in bastau.core.sms.outbox, for tests."""

    def send_messages(self, messages) -> int:
        outbox.extend(messages)
        return len(messages)
