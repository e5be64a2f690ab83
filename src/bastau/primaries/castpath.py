"""The thin cast path (issue #16): the confirming POST of a ballot page and the encrypted JSON
cast, answered by a short pipeline instead of the whole middleware stack and the view.

`CastPathMiddleware` sits in MIDDLEWARE after SecurityMiddleware (the TLS redirect, the security
headers), OverloadMiddleware (the request slots: 503 + Retry-After), WhiteNoise, CSPMiddleware
(the policy header on every answer) and, with a replica, ReplicaMiddleware (the cast pins the
browser's reads to the primary); before the session, locale, CSRF, authentication, scope,
messages, history and axes middleware. For a POST to /primaries/<slug>/vote/ or
/primaries/<slug>/e2e/cast/ it:

1. loads the session (Redis in production) and takes the account from the session's proof
   (accounts.sessionproof) instead of reading the user's row;
2. checks CSRF with Django's own CsrfViewMiddleware (the Origin header, then the form's token
   or the X-CSRFToken header, against the cookie);
3. checks the ballot as the view's form does (plaintext: the list it was drawn for, the choices
   on it, at most k, none twice; encrypted: strict decoding of X, the ciphertexts and every
   scalar, sigma; the proofs and their commitment points are the proof check's);
4. casts with the one statement that confirms the account (active, password hash unchanged),
   its member on the roll of the list, the campaign's stage and window, each plaintext choice
   a registered candidate of the list (at most k, none twice), the credential and one ballot
   per member (services.cast_as, encrypted.cast_as), committed before the answer is made. The
   campaign, its lists and candidates (plaintext) or its election (encrypted) are kept per
   process a few seconds (views.public, views.e2e_api); what is kept only draws the check of
   step 3, never replaces the statement's, so a stale copy cannot let a ballot in;
5. answers as the view does: the redirect to the receipt with the signed receipt cookie, or the
   signed JSON receipt; never cached; X-Frame-Options as XFrameOptionsMiddleware sets it.

Anything else (no session or no proof, another backend, a CSRF failure, a campaign not kept as
voting, a list or choices the check does not accept, a statement that stored nothing, a refused
encrypted ballot, a broken database connection) hands the request on, unchanged, to the rest of
the stack and the full view, which read everything and answer with the reason in the user's
language. The thin path stored nothing then (the statement is atomic), so the full view casts
or refuses exactly as it always did. A database too busy to answer gets the overload answer.
Nothing here writes a log line or anything else that names the member.
"""

from __future__ import annotations

import json
import re
from importlib import import_module

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from bastau.accounts import sessionproof
from bastau.core import overload

from . import encrypted, services
from .views import e2e_api, public

_SLUG = "castpath-slug"


class CastPathMiddleware:
    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)  # its checks only; it stays in the stack
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore
        self.paths = None
        self.allowed: dict[int, tuple[list, frozenset]] = {}

    def __call__(self, request):
        if request.method == "POST":
            found = self.match(request.path_info)
            if found is not None:
                response = self.thin(request, *found)
                if response is not None:
                    return response
        return self.get_response(request)

    def match(self, path: str):
        """("vote" | "e2e", slug) for the two cast URLs, else None."""
        if self.paths is None:
            patterns = []
            for kind, name in (("vote", "primaries:vote"), ("e2e", "primaries:e2e_cast")):
                try:
                    url = reverse(name, args=[_SLUG])
                except NoReverseMatch:  # a URLconf without the primaries (some tests)
                    continue
                head, _sep, tail = url.partition(_SLUG)
                rx = re.compile(f"{re.escape(head)}([-a-zA-Z0-9_]+){re.escape(tail)}\\Z")
                patterns.append((kind, head, rx))
            self.paths = patterns
        for kind, head, rx in self.paths:
            if path.startswith(head):
                m = rx.match(path)
                if m is not None:
                    return kind, m.group(1)
        return None

    def thin(self, request, kind: str, slug: str):
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not key:
            return None
        account = sessionproof.claim(self.session_store(key))
        if account is None:
            return None
        view = public.vote if kind == "vote" else e2e_api.cast
        self.csrf.process_request(request)
        if self.csrf.process_view(request, view, (), {}) is not None:
            return None  # the full stack refuses it again, with its own page
        # A persistent connection is checked by the first query of each request (a round trip
        # of its own: CONN_HEALTH_CHECKS). The cast's statement is that check here: if the
        # connection broke, the statement fails before anything is stored and the full stack,
        # which checks and reconnects, serves the request.
        if connection.connection is not None:
            connection.health_check_done = True
        try:
            if kind == "vote":
                response = self.vote(request, slug, account)
            else:
                response = self.e2e(request, slug, account)
        except DatabaseError as exc:
            busy = overload.busy_response(request, exc)
            if busy is not None:
                return busy
            connection.close_if_unusable_or_obsolete()
            return None
        if response is None:
            return None
        add_never_cache_headers(response)
        patch_vary_headers(response, ("Cookie",))
        if not response.has_header("X-Frame-Options"):
            response["X-Frame-Options"] = getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()
        return response

    def vote(self, request, slug: str, account):
        post = request.POST
        if post.get("step") != "confirm":
            return None
        code = post.get("list", "")
        campaign = public._voting_campaign(slug) if code else None
        if campaign is None:
            return None
        contest = public._campaign_contests(campaign).get(code)
        if contest is None:
            return None
        # BallotForm's rules: each choice one of the list's registered candidates (or the blank
        # radio button, ""), none twice, at most k.
        chosen = [c for c in post.getlist("choice") if c]
        if len(chosen) > campaign.choose_up_to or len(set(chosen)) != len(chosen):
            return None
        if not self.allowed_on(campaign, contest).issuperset(chosen):
            return None
        chosen.sort()
        tracker = services.cast_as(account, campaign, contest, chosen)
        if tracker is None:
            return None
        return public.receipt_redirect(campaign, account.user_id, tracker)

    def allowed_on(self, campaign, contest) -> frozenset:
        """The board ids of the list's registered candidates (kept with the view's list)."""
        candidates = public.ballot_candidates(campaign, contest)
        hit = self.allowed.get(id(candidates))
        if hit is None or hit[0] is not candidates:
            if len(self.allowed) > 1000:
                self.allowed.clear()
            hit = self.allowed[id(candidates)] = (
                candidates,
                frozenset(c.board_id for c in candidates),
            )
        return hit[1]

    def e2e(self, request, slug: str, account):
        if len(request.body) > e2e_api.MAX_BALLOT_REQUEST:
            return None
        kept = e2e_api._voting_election(slug)
        if kept is None:
            return None
        try:
            body = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(body, dict) or set(body) != {"question", "ballot"}:
            return None
        campaign, election = kept
        receipt = encrypted.cast_as(account, campaign, election, body["question"], body["ballot"])
        if receipt is None:
            return None
        return JsonResponse({"receipt": receipt})
