"""A district secretary makes an API token on their page, uses it with a plain HTTP client,
revokes it; and the API docs page runs the vendored Swagger UI under the strict CSP."""

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.e2e


def _get(url, token, language="kk"):
    request = urllib.request.Request(
        url, headers={"Authorization": f"Bearer {token}", "Accept-Language": language}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_token_made_on_the_page_works_with_a_plain_http_client(page, live_server, e2e_world):
    w = e2e_world
    base = live_server.url
    login(page, base, w.secretary.username)
    page.goto(f"{base}/api/tokens/")
    page.get_by_label("Token name").fill("Central office")
    page.get_by_label("Members and admissions").check()
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text().strip()
    assert re.fullmatch(r"bst_[A-Za-z0-9_-]{43}", token)

    status, body = _get(f"{base}/api/v1/members?limit=500", token)
    assert status == 200
    ids = {row["id"] for row in body["items"]}
    assert w.named.pk in ids and w.other_member.pk not in ids

    status, body = _get(f"{base}/api/v1/structure/poos", token, language="ru")
    assert status == 403 and body["title"] == "Доступ запрещён"  # the token opens members only

    page.goto(f"{base}/api/tokens/")
    expect(page.locator("body")).not_to_contain_text(token)
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator("main")).to_contain_text("revoked")
    status, body = _get(f"{base}/api/v1/members", token)
    assert status == 401 and body["status"] == 401


def test_the_docs_page_runs_under_the_csp(page, live_server, e2e_world):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Bastau API")
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    assert violations == []
