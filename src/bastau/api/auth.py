"""Who calls the API: a Bearer token (`Authorization: Bearer bst_...`) stands for its user, with
the token's own limits on top (read-only or read-write, which apps). What the user may see is
then decided by the apps' own rules and scoped querysets, exactly as on the pages."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from bastau.accounts.scoping import scope_for
from bastau.core.permissions import rule

from . import tokens


class Refused(Exception):
    """403 as problem details, with the reason in the caller's language."""

    def __init__(self, detail: str = ""):
        super().__init__(detail)
        self.detail = detail


class Unauthenticated(Exception):
    def __init__(self, detail: str = ""):
        super().__init__(detail)
        self.detail = detail


def _use_token_language(request, token) -> None:
    """Accept-Language first (LocaleMiddleware did it); else the language the token was made in."""
    if not request.headers.get("Accept-Language") and token.language:
        translation.activate(token.language)
        request.LANGUAGE_CODE = token.language


class TokenAuth(HttpBearer):
    """A token that opens `app` (and allows writes, for `write=True`), whose user the named page
    `rule` lets in (`"members.view_members"`: the same function the pages ask)."""

    def __init__(self, app: str, rule_name: str | None = None, *, write: bool = False):
        super().__init__()
        self.app = app
        self.write = write
        self.rule_name = rule_name
        self.check = rule(rule_name) if rule_name else None

    def __call__(self, request):
        if not request.headers.get("Authorization"):
            raise Unauthenticated(_("Send an API token in the Authorization header (Bearer)."))
        return super().__call__(request)

    def authenticate(self, request, token):
        found = tokens.token_for(token, timezone.now())
        if found is None:
            raise Unauthenticated(_("The API token is unknown, expired or revoked."))
        _use_token_language(request, found)
        request.user = found.user
        request.scope = scope_for(found.user)
        request.api_token = found
        if not found.allows(self.app, self.write):
            if self.write and found.access != found.Access.WRITE:
                raise Refused(_("This token is read-only."))
            raise Refused(_("This token does not open this part of Bastau."))
        if self.check is not None and not self.check(request.scope):
            raise Refused(_("Your role may not see this."))
        return found


class OptionalTokenAuth:
    """Public endpoints: anyone may call them (so the schema asks for no security); a token, if
    sent, is checked and used (a commission member sees what the public does not yet)."""

    def __init__(self, app: str):
        self.token_auth = TokenAuth(app)

    def __call__(self, request):
        if not request.headers.get("Authorization"):
            return AnonymousCaller()
        return self.token_auth(request)


class AnonymousCaller:
    """`request.auth` of a public call without a token (truthy, so ninja lets it through)."""

    pk = None

    def __bool__(self):
        return True

    def __str__(self):
        return "anonymous"


class CallerThrottle(SimpleRateThrottle):
    """Django-cache rate limits: per token (API_RATE_LIMIT) and, without one, per client
    address (API_ANON_RATE_LIMIT). The rates are read on each call, so settings may change."""

    scope = "api"

    def __init__(self):
        super().__init__(rate="1/s")

    def allow_request(self, request) -> bool:
        caller = getattr(request, "auth", None)
        token_id = getattr(caller, "pk", None)
        rate = settings.API_RATE_LIMIT if token_id else settings.API_ANON_RATE_LIMIT
        self.rate = rate
        self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request)

    def get_cache_key(self, request):
        token_id = getattr(getattr(request, "auth", None), "pk", None)
        ident = f"t{token_id}" if token_id else f"a{self.get_ident(request)}"
        return f"bastau:api:throttle:{ident}"
