import datetime as dt
import uuid
from pathlib import Path

from django.conf import settings

from .base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    """Writes each message to its own file under SMS_FILE_PATH."""

    def __init__(self, file_path=None, **kwargs):
        super().__init__(**kwargs)
        self.directory = Path(file_path or settings.SMS_FILE_PATH)

    def send_messages(self, messages) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        for message in messages:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
            path = self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.txt"
            path.write_text(f"To: {message.to}\n\n{message.text}\n", encoding="utf-8")
        return len(messages)
