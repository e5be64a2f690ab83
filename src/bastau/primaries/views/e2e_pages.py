"""The encrypted-ballot pages of a campaign: vote/ (the member's browser encrypts, audits and
casts), verify/ (the whole record checked on the phone) and check/ (a tracker or receipt checked
in one tap). All three are static pages: the work is done by static/bastau/e2e/*.js in a Web
Worker, against the JSON endpoints under /primaries/<slug>/e2e/ (views/e2e_api.py).

Only these pages add 'wasm-unsafe-eval' to script-src (libsodium.js compiles WebAssembly; the
keyword allows that and not JavaScript eval) and worker-src 'self'. Every module is listed with
its sha384 (modulepreload with integrity; the worker checks the same hashes before it imports);
the text shown by the scripts comes translated from the page (a JSON script element)."""

from __future__ import annotations

import base64
import functools
import hashlib

from csp.constants import SELF
from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from bastau.accounts import sessionproof

from .. import permissions

SODIUM = "vendor/libsodium-sumo-0.8.4/"
# name -> static path of every module the worker imports (the page preloads them too).
MODULES = {
    "sodium_core": SODIUM + "libsodium-sumo.mjs",
    "sodium": SODIUM + "libsodium-wrappers.mjs",
    "ballot": "bastau/e2e/ballot.js",
    "record": "bastau/e2e/record.js",
    "verify": "bastau/e2e/verify.js",
    "quota": "bastau/e2e/quota.js",
    "audit": "bastau/e2e/audit.js",
    "client": "bastau/e2e/client.js",
    "worker": "bastau/e2e/worker.js",
}
WORKER_POLICY = {"script-src": ["'wasm-unsafe-eval'"], "worker-src": [SELF]}


@functools.lru_cache(maxsize=32)
def sri(path: str) -> str:
    """sha384 of a static file, as subresource integrity (once per process)."""
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(path)
    with open(found, "rb") as f:
        digest = hashlib.sha384(f.read()).digest()
    return "sha384-" + base64.b64encode(digest).decode()


def _campaign(request, slug):
    return get_object_or_404(permissions.visible_campaigns(request.scope), slug=slug)


def common_messages() -> dict[str, str]:
    return {
        "error": _("Something went wrong. Reload the page and try again."),
        "network": _("The server cannot be reached. Check your connection and try again."),
        "library": _(
            "Your browser could not start the encryption library. Update the browser, or use "
            "another one."
        ),
        "integrity": _(
            "A file of this page does not match its published checksum, so nothing was run. "
            "Tell the election commission."
        ),
        "worker": _("Your browser stopped the background check. Reload the page and try again."),
        "not_ready": _("The page is still loading. Try again in a moment."),
        "failed": _("Verification FAILED:"),
        "http_403": _("You may not do this."),
        "http_404": _("Not found."),
        "http_429": _("Too many attempts. Wait a minute and try again."),
        "http_500": _("The server failed. Try again later."),
    }


def _urls(campaign, entry: str) -> dict[str, str]:
    base = reverse("primaries:campaign", args=[campaign.slug]) + "e2e/"
    urls = {name: static(path) for name, path in MODULES.items()}
    urls.update(
        {
            "entry": static(entry),
            "package": base + "package/",
            "credential": base + "credential/",
            "cast": base + "cast/",
            "tracker": base + "tracker/",
            "record_jsonl": base + "record.jsonl",
            "check_page": reverse("primaries:e2e_check", args=[campaign.slug]),
            "verify_page": reverse("primaries:e2e_verify", args=[campaign.slug]),
        }
    )
    return urls


def _page(
    request, campaign, template: str, entry: str, messages: dict[str, str], current: str, **extra
):
    urls = _urls(campaign, entry)
    integrity = {name: sri(path) for name, path in MODULES.items()}
    config = {
        "urls": urls,
        "integrity": integrity,
        "messages": {**common_messages(), **messages},
        **extra,
    }
    preload = [{"href": urls[name], "integrity": integrity[name]} for name in MODULES]
    return render(
        request,
        template,
        {
            "campaign": campaign,
            "config": config,
            "preload": preload,
            "entry": {"src": urls["entry"], "integrity": sri(entry)},
            "current": current,
        },
    )


@require_safe
@login_required
@csp_update(WORKER_POLICY)
def vote(request, slug):
    campaign = _campaign(request, slug)
    sessionproof.refresh(request)  # for the cast that follows (castpath)
    messages = {
        "credential_empty": _("Type the code from your sealed letter."),
        "credential": _(
            "This is not a valid code: check the letters and digits against your letter (a "
            "typing error is caught by the two check characters at the end)."
        ),
        "credential_unknown": _(
            "This code is not on the list of this vote. Check that the letter is for this "
            "campaign, or ask the election commission."
        ),
        "credential_path": _(
            "The server's answer about your code does not match the published list. Do not "
            "vote now; tell the election commission and the observers."
        ),
        "credential_question": _(
            "This code belongs to another list than yours. Ask the election commission."
        ),
        "credentials": _(
            "The server's election data do not match the published election. Do not vote now; "
            "tell the election commission and the observers."
        ),
        "phi": _(
            "The election description does not match its published fingerprint. Do not vote "
            "now; tell the election commission and the observers."
        ),
        "server_key": _(
            "The server's key does not match the published election. Do not vote now; tell the "
            "election commission and the observers."
        ),
        "question": _("Your list is not part of this election. Ask the election commission."),
        "voted": _("You have already voted in this campaign. Each member votes once."),
        "no_ballot": _("Choose and encrypt your ballot first."),
        "receipt": _("The receipt is not for this ballot."),
        "receipt_bad": _(
            "Your ballot was accepted, but the server's receipt does not verify. Keep this page "
            "open, note the tracker and tell the observers."
        ),
        "e2e": _("The ballot could not be made:"),
        "verify": _("The election data could not be checked:"),
        "rule_one": _("Choose one candidate, or none."),
        "rule_many": _("Choose up to {k} candidates."),
        "chosen": _("Chosen: {n} of at most {k}."),
        "blank": _("No candidate (a blank ballot)"),
        "http_409": _("You have already voted in this campaign. Each member votes once."),
        "http_400": _("The server refused this ballot. Encrypt it again and retry."),
    }
    return _page(
        request,
        campaign,
        "primaries/e2e/vote.html",
        "bastau/e2e/vote.js",
        messages,
        "vote",
        csrf=get_token(request),
    )


@require_safe
@csp_update(WORKER_POLICY)
def verify(request, slug):
    campaign = _campaign(request, slug)
    messages = {
        "verified": _("The record verifies:"),
        "unfinished": _("The vote is not finished: no result yet. Everything so far verifies."),
        "label_phi": _("Election fingerprint"),
        "heads_checked": _(
            "It extends the {n} earlier states of the record this device checked before (no "
            "history was rewritten)."
        ),
        "label_events": _("Events"),
        "progress_stream": _("{ballots} ballots checked, {mb} MB read"),
        "label_server_key": _("Server key (compare with the one the observers publish)"),
        "label_ballots": _("Ballots (online + paper)"),
        "label_head": _("Head (number and hash)"),
        "label_candidate": _("Candidate"),
        "label_online": _("Online"),
        "label_paper": _("Paper"),
        "label_total": _("Total"),
        "http_404": _("This campaign has no encrypted record."),
    }
    return _page(
        request,
        campaign,
        "primaries/e2e/verify.html",
        "bastau/e2e/verify-page.js",
        messages,
        "e2e_verify",
    )


@require_safe
@csp_update(WORKER_POLICY)
def check(request, slug):
    campaign = _campaign(request, slug)
    messages = {
        "found": _(
            "Your ballot is in event {seq} of the record, signed by the server, and that event "
            "is in the chain up to the current head (event {head}, {hash})."
        ),
        "receipt_ok": _("The receipt's signature is valid."),
        "receipt_unreadable": _("This is not a receipt file of an encrypted vote."),
        "tracker_malformed": _("A tracker has 43 letters, digits, - and _. Check what you typed."),
        "tracker_unknown": _(
            "This tracker is not in the record. If it is on your signed receipt, show the "
            "receipt to the observers."
        ),
        "tracker_pending": _(
            "Your ballot was accepted and waits for the next batch, published within minutes. "
            "Check again later."
        ),
        "tracker_rejected": _(
            "This ballot was rejected (its proofs did not verify) and is published as evidence."
        ),
    }
    return _page(
        request,
        campaign,
        "primaries/e2e/check.html",
        "bastau/e2e/check-page.js",
        messages,
        "e2e_check",
    )
