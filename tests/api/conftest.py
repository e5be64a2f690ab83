import pytest
from django.test import Client
from django.utils import timezone

from bastau.api import tokens
from bastau.api.models import API_APPS


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


def make_token(user, *, access="read", apps=API_APPS, days=30, language="kk"):
    _token, raw = tokens.create_token(
        user,
        name="test",
        access=access,
        apps=list(apps),
        days=days,
        language=language,
        now=timezone.now(),
    )
    return raw


class Api:
    """A plain client that speaks to /api/v1/ with a Bearer token (or none)."""

    def __init__(self, raw=None, language=None):
        self.client = Client()
        self.headers = {}
        if raw:
            self.headers["Authorization"] = f"Bearer {raw}"
        if language:
            self.headers["Accept-Language"] = language

    def get(self, path, **params):
        return self.client.get("/api/v1" + path, params, headers=self.headers)

    def post(self, path, body):
        return self.client.post(
            "/api/v1" + path, body, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api_for(world):
    def build(role, **kwargs):
        if role == "anonymous":
            return Api(language=kwargs.get("language"))
        language = kwargs.pop("header_language", None)
        return Api(make_token(getattr(world, role), **kwargs), language=language)

    return build
