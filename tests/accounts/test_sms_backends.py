import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from bastau.core import sms
from bastau.core.sms.backends import console, filebased, http


def test_console_backend_writes_the_message():
    stream = io.StringIO()
    sent = sms.send_sms("+77010000000", "hello", backend=console.SmsBackend(stream=stream))
    assert sent == 1
    assert "+77010000000" in stream.getvalue() and "hello" in stream.getvalue()


def test_file_backend_writes_one_file_per_message(tmp_path):
    backend = filebased.SmsBackend(file_path=tmp_path)
    sms.send_sms("+77010000001", "first", backend=backend)
    sms.send_sms("+77010000002", "second", backend=backend)
    texts = sorted(p.read_text() for p in tmp_path.iterdir())
    assert len(texts) == 2 and any("second" in t for t in texts)


class _Provider(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers.get("Authorization"), json.loads(body)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    _Provider.received = []
    _Provider.status = 200
    server = HTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def test_http_backend_posts_to_the_provider(provider):
    url = f"http://127.0.0.1:{provider.server_port}/send"
    backend = http.SmsBackend(url=url, token="secret", sender="Bastau")
    assert sms.send_sms("+77010000003", "code 123456", backend=backend) == 1
    auth, payload = _Provider.received[0]
    assert auth == "Bearer secret"
    assert payload == {"to": "+77010000003", "text": "code 123456", "sender": "Bastau"}


def test_http_backend_raises_when_the_provider_refuses(provider):
    _Provider.status = 500
    url = f"http://127.0.0.1:{provider.server_port}/send"
    with pytest.raises(Exception):  # noqa: B017 - urllib raises HTTPError (a URLError)
        sms.send_sms("+77010000004", "x", backend=http.SmsBackend(url=url))
