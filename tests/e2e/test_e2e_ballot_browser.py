"""The browser's ballot code in Chromium, loaded the way a voting page will load it.

A small HTTP server (no Django needed) serves the static files, the vectors and a page whose
modules are all listed with subresource integrity (modulepreload), under the site's
Content-Security-Policy plus 'wasm-unsafe-eval', which libsodium.js needs to compile its
WebAssembly. The page reproduces the vectors' ballot byte for byte and makes and verifies a
fresh 73-candidate ballot. Without 'wasm-unsafe-eval' libsodium cannot start: that is checked
too, so the policy's requirement is on record.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import json
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "src" / "bastau" / "static"
MODULES = [
    "/static/vendor/libsodium-sumo-0.8.4/libsodium-sumo.mjs",
    "/static/vendor/libsodium-sumo-0.8.4/libsodium-wrappers.mjs",
    "/static/bastau/e2e/ballot.js",
    "/js/browser_page.mjs",
]


def sri(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def local(url: str) -> Path:
    if url.startswith("/static/"):
        return STATIC / url.removeprefix("/static/")
    if url.startswith("/js/"):
        return ROOT / "tests" / "js" / url.removeprefix("/js/")
    if url.startswith("/vectors/"):
        return ROOT / "tests" / "vectors" / url.removeprefix("/vectors/")
    raise FileNotFoundError(url)


def page_html() -> bytes:
    links = "\n".join(
        f'<link rel="modulepreload" href="{m}" integrity="{sri(local(m))}">' for m in MODULES
    )
    entry = MODULES[-1]
    return (
        '<!doctype html><meta charset="utf-8"><title>ballot</title>\n'
        f"{links}\n"
        '<pre id="result">running</pre>\n'
        f'<script type="module" src="{entry}" integrity="{sri(local(entry))}"></script>\n'
    ).encode()


def site_policy(extra_script_sources: list[str]) -> str:
    directives = {k: list(v) for k, v in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].items()}
    directives["script-src"] += extra_script_sources
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class Handler(http.server.BaseHTTPRequestHandler):
    policy = ""

    def do_GET(self):  # noqa: N802 (the standard library's name)
        path = self.path.split("?")[0]
        try:
            if path == "/":
                body, kind = page_html(), "text/html; charset=utf-8"
            else:
                body = local(path).read_bytes()
                kind = "application/json" if path.endswith(".json") else "text/javascript"
        except (FileNotFoundError, IsADirectoryError):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Security-Policy", self.policy)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def run_page(browser, policy: str, wait_s: float = 30) -> tuple[dict, list[str]]:
    handler = type("PolicyHandler", (Handler,), {"policy": policy})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        # Polled from here: wait_for_function evaluates a string, which the policy forbids.
        deadline = time.monotonic() + wait_s
        text = page.text_content("#result")
        while text == "running" and time.monotonic() < deadline:
            page.wait_for_timeout(100)
            text = page.text_content("#result")
        return ({"stalled": True} if text == "running" else json.loads(text)), problems
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def test_ballot_code_runs_in_chromium_under_the_voting_page_policy(browser):
    result, problems = run_page(browser, site_policy(["'wasm-unsafe-eval'"]))
    assert problems == []
    assert "error" not in result, result
    assert result["vector_ballot_matches"] is True
    assert result["bytes"] == 23_816
    assert result["ms"] < 3_000  # measured about 60-80 ms here; the target is 300 ms


def test_without_wasm_unsafe_eval_libsodium_cannot_start(browser):
    result, _ = run_page(browser, site_policy([]))
    assert "stalled" not in result, "libsodium should fail, not hang"
    assert "WebAssembly" in result.get("error", "") or "wasm" in result.get("error", "").lower()


def test_a_module_that_fails_its_integrity_check_is_not_run(browser, monkeypatch):
    wrong = "sha384-" + base64.b64encode(hashlib.sha384(b"another file").digest()).decode()
    real = sri

    def tampered(path: Path) -> str:
        return wrong if path.name == "libsodium-sumo.mjs" else real(path)

    monkeypatch.setitem(globals(), "sri", tampered)
    result, problems = run_page(browser, site_policy(["'wasm-unsafe-eval'"]), wait_s=4)
    # The preload fails its check, and the import of the same URL is not fetched again without
    # it: nothing of libsodium runs, so no ballot is made.
    assert result == {"stalled": True} or "error" in result, result
