import sys
import threading

from .base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    """Writes each message to standard output: the development default."""

    _lock = threading.Lock()

    def __init__(self, stream=None, **kwargs):
        super().__init__(**kwargs)
        self.stream = stream or sys.stdout

    def send_messages(self, messages) -> int:
        with self._lock:
            for message in messages:
                self.stream.write(f"SMS to {message.to}: {message.text}\n")
            self.stream.flush()
        return len(messages)
