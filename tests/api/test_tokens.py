"""The token lifecycle: made on the user's page (shown once, stored hashed), used, expired,
revoked; and the token's own limits (apps, read-only) on top of the user's role."""

import datetime as dt
import re

import time_machine
from django.urls import reverse

from bastau.api import tokens
from bastau.api.models import ApiToken
from bastau.core.models import AuditEvent

from .conftest import Api, make_token


def test_the_page_makes_a_token_shown_once_and_stored_hashed(client, world):
    client.force_login(world.secretary)
    assert client.get(reverse("api:tokens")).status_code == 200
    response = client.post(
        reverse("api:tokens"),
        {"name": "Central office", "access": "read", "apps": ["members", "structure"], "days": 30},
    )
    assert response.status_code == 200
    raw = re.search(r'id="new-token">(bst_[^<]+)<', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=world.secretary)
    assert token.key_hash == tokens.hash_key(raw) and raw not in str(token.__dict__)
    assert raw not in client.get(reverse("api:tokens")).content.decode()
    assert Api(raw).get("/members").status_code == 200
    assert AuditEvent.objects.filter(action="api.token_created").exists()


def test_bad_input_on_the_page_makes_nothing(client, world):
    client.force_login(world.secretary)
    response = client.post(reverse("api:tokens"), {"name": "", "access": "read", "days": 0})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_revoked_from_the_page_the_token_stops_working(client, world):
    raw = make_token(world.secretary)
    caller = Api(raw)
    assert caller.get("/members").status_code == 200
    token = ApiToken.objects.get()
    client.force_login(world.other_secretary)  # another user cannot revoke it
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    assert caller.get("/members").status_code == 200
    client.force_login(world.secretary)
    client.post(reverse("api:token_revoke", args=[token.pk]))
    response = caller.get("/members")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_expired_token_is_refused(world):
    raw = make_token(world.secretary, days=1)
    assert Api(raw).get("/members").status_code == 200
    with time_machine.travel(dt.timedelta(days=1, minutes=1)):
        assert Api(raw).get("/members").status_code == 401


def test_a_token_opens_only_its_apps(world):
    raw = make_token(world.secretary, apps=["structure"])
    assert Api(raw).get("/structure/poos").status_code == 200
    response = Api(raw).get("/members")
    assert response.status_code == 403


def test_a_token_never_opens_more_than_its_user_may(world):
    raw = make_token(world.member_user)  # every app, read-write
    assert Api(raw).get("/members").status_code == 403


def test_an_inactive_user_s_token_is_refused(world):
    raw = make_token(world.secretary)
    world.secretary.is_active = False
    world.secretary.save()
    assert Api(raw).get("/members").status_code == 401


def test_unknown_and_malformed_tokens_are_401(world):
    assert Api("bst_nothing").get("/members").status_code == 401
    caller = Api()
    caller.headers["Authorization"] = "Basic abc"
    assert caller.get("/members").status_code == 401


def test_rate_limit_per_token(world, settings):
    settings.API_RATE_LIMIT = "3/min"
    caller = Api(make_token(world.secretary))
    statuses = [caller.get("/structure/poos").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    last = caller.get("/structure/poos")
    assert last["Content-Type"].startswith("application/problem+json")
    assert int(last["Retry-After"]) >= 1
    # another token has its own allowance
    assert Api(make_token(world.admin)).get("/structure/poos").status_code == 200
