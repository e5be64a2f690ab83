"""Encrypt-and-prove cost of a 73-candidate ballot in headless Chromium (/usr/bin/chromium).

Serves the repository over HTTP on 127.0.0.1 (ES modules do not load from file://), opens
bench/js/e2e_ballot.html with Playwright and prints the page's JSON result.
Usage: .venv/bin/python bench/js/e2e_ballot_chromium.py [n] [k_max] [runs]
"""

from __future__ import annotations

import functools
import http.server
import os
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]


class Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
    }

    csp = ""

    def end_headers(self):
        if self.csp:
            self.send_header("Content-Security-Policy", self.csp)
        super().end_headers()

    def log_message(self, *args):
        pass


def main(n: int = 73, k_max: int = 20, runs: int = 15) -> str:
    # BENCH_CSP: a Content-Security-Policy header on every response. libsodium.js compiles
    # WebAssembly, which needs script-src 'wasm-unsafe-eval'; with script-src 'self' alone the
    # page stays at "running" and this times out.
    Quiet.csp = os.environ.get("BENCH_CSP", "")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=ROOT)
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--headless", "--no-sandbox", "--disable-gpu"],
            )
            page = browser.new_page()
            page.on("console", lambda m: print("console:", m.text, file=sys.stderr))
            page.on("pageerror", lambda e: print("page error:", e, file=sys.stderr))
            port = server.server_address[1]
            page.goto(
                f"http://127.0.0.1:{port}/bench/js/e2e_ballot.html?n={n}&kmax={k_max}&runs={runs}"
            )
            page.wait_for_function(
                "document.getElementById('result').textContent !== 'running'", timeout=60_000
            )
            result = page.text_content("#result")
            browser.close()
            return result
    finally:
        server.shutdown()


if __name__ == "__main__":
    print(main(*(int(a) for a in sys.argv[1:])))
