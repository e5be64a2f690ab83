"""The encrypted-ballot pages (views/e2e_pages.py): vote/, verify/ and check/.

Each page is static HTML: the policy adds 'wasm-unsafe-eval' and worker-src 'self' only here,
every module is preloaded with the sha384 of the file actually served, the scripts' text comes
translated in a JSON script element (no inline script), and the vote page wants a signed-in user.
"""

import base64
import hashlib
import json
import re

import pytest
from django.contrib.staticfiles import finders

from ..factories.primaries import open_, text, url, voter_user

pytestmark = pytest.mark.django_db


def config_of(response) -> dict:
    m = re.search(
        r'<script id="e2e-config" type="application/json">(.*?)</script>', text(response), re.S
    )
    assert m, "no JSON configuration element"
    return json.loads(m.group(1))


def sha384_of(static_url: str) -> str:
    path = finders.find(static_url.removeprefix("/static/"))
    return "sha384-" + base64.b64encode(hashlib.sha384(open(path, "rb").read()).digest()).decode()


@pytest.mark.parametrize("name", ["e2e_verify", "e2e_check"])
def test_public_pages_carry_the_worker_policy_and_checked_modules(client, election, name):
    campaign = open_(election)
    response = client.get(url(name, campaign))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1).split()
    assert "'wasm-unsafe-eval'" in script_src and "'unsafe-eval'" not in script_src
    assert "'unsafe-inline'" not in policy
    assert re.search(r"worker-src 'self'", policy)
    body = text(response)
    config = config_of(response)
    for name_, integrity in config["integrity"].items():
        href = config["urls"][name_]
        assert integrity == sha384_of(href)
        assert f'<link rel="modulepreload" href="{href}" integrity="{integrity}">' in body
    entry = config["urls"]["entry"]
    assert f'<script type="module" src="{entry}" integrity="{sha384_of(entry)}"></script>' in body
    # Only the JSON element and the module entry: no inline script.
    assert len(re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", body)) == 0


def test_other_pages_keep_the_strict_policy(client, election):
    campaign = open_(election)
    policy = client.get(url("campaign", campaign))["Content-Security-Policy"]
    assert "wasm-unsafe-eval" not in policy


def test_vote_page_needs_a_signed_in_member_and_speaks_the_users_language(client, election):
    campaign = open_(election)
    assert client.get(url("e2e_vote", campaign)).status_code == 302
    client.force_login(voter_user(election.voters[4]))
    client.cookies["django_language"] = "kk"
    response = client.get(url("e2e_vote", campaign), HTTP_ACCEPT_LANGUAGE="kk")
    assert response.status_code == 200
    config = config_of(response)
    assert config["urls"]["package"].endswith(f"/{campaign.slug}/e2e/package/")
    assert config["csrf"]
    # Kazakh text in the catalogue the scripts use (no English fallback for kk users).
    assert (
        config["messages"]["voted"]
        != "You have already voted in this campaign. Each member votes once."
    )
    assert "Encrypt my ballot" not in text(response)


def test_encrypted_campaigns_link_their_pages_and_send_the_plain_ballot_to_them(client, election):
    from .test_encrypted import setup_encrypted

    enc = setup_encrypted(election)
    campaign = enc.campaign
    client.force_login(voter_user(election.voters[4]))
    response = client.get(url("vote", campaign))
    assert response.status_code == 302 and response["Location"] == url("e2e_vote", campaign)
    page = text(client.get(url("campaign", campaign)))
    for name in ("e2e_vote", "e2e_verify", "e2e_check"):
        assert f'href="{url(name, campaign)}"' in page
