"""The API docs page: the vendored Swagger UI files are the ones VENDORED.md and the page's
integrity attributes name, and the page carries no inline script."""

import base64
import hashlib
import re
from pathlib import Path

from django.test import Client

import bastau
from bastau.api.v1 import SWAGGER_INTEGRITY

VENDOR = Path(bastau.__file__).parent / "static" / "vendor" / "swagger-ui-5.31.0"


def _sri(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def test_vendored_files_match_their_recorded_hashes():
    notes = (VENDOR / "VENDORED.md").read_text()
    for key, name in (("js", "swagger-ui-bundle.js"), ("css", "swagger-ui.css")):
        digest = _sri(VENDOR / name)
        assert digest == SWAGGER_INTEGRITY[key]
        assert f"| {name} | {digest} |" in notes


def test_the_docs_page_loads_only_local_files_and_no_inline_script(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    for attributes, body in scripts:
        if "src=" in attributes:
            assert 'src="/static/' in attributes and not body.strip()
        else:
            assert 'type="application/json"' in attributes  # data, not code
    assert "http://" not in html and "https://" not in html
    assert Client().get("/api/v1/openapi.json").json()["openapi"].startswith("3.")
