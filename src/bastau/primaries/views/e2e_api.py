"""The JSON endpoints of an encrypted campaign, under /primaries/<slug>/e2e/
(docs/verification.md, "HTTP"):

- package/      the manifest, phi and the member's question (signed-in member on the roll);
- credential/   the Merkle path of a public credential in the credential list (public);
- cast/         POST a ballot, get the server-signed receipt (signed-in member on the roll);
- record.jsonl  the record so far (public: during voting it holds only ciphertexts);
- cosign/       POST {"seq", "key", "sig"}: a listed observer's co-signature of an event
                (public: the signature is the credential);
- tracker/<T>/  where a ballot stands: pending, sealed (with its BATCH and inclusion path) or
                rejected (public: a tracker is a hash of ciphertexts).

Errors are {"error": "<message in the user's language>", "code": "<stable code>"}.
"""

from __future__ import annotations

import json
import time

from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from .. import encrypted, permissions
from ..e2e.hashing import b64d, b64e
from ..models import Campaign, E2EElection, Participation

S = Campaign.Status
RECORD_STATUSES = (S.VOTING, S.COUNTING, S.RESULTS, S.CLOSED)
MAX_BALLOT_REQUEST = 1_000_000  # a 73-candidate ballot is ~31 KB; base64 and JSON add a third


def error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message, "code": code}, status=status)


def _election(request, slug) -> tuple[Campaign, E2EElection]:
    campaign = get_object_or_404(permissions.visible_campaigns(request.scope), slug=slug)
    election = E2EElection.objects.filter(campaign=campaign).first()
    if not campaign.encrypted or election is None or election.manifest is None:
        raise Http404
    return campaign, election


#: Encrypted campaigns in voting with their election, per process, by slug, for the cast
#: endpoint: a few seconds at most. Only a campaign in the voting stage is kept (visible to
#: everyone then); the cast statement reads its stage and window again (encrypted._CAST_SQL),
#: so a campaign closed meanwhile takes no ballot. The candidates are the election manifest's,
#: fixed when voting opened (the proofs show each ciphertext is a 0/1 vote for one of them):
#: an encrypted ballot names no candidate the server could check against a registration.
KEPT_TTL = 5.0
_kept: dict[str, tuple[float, tuple[Campaign, E2EElection] | None]] = {}
_clock = time.monotonic  # (tests move it on)


def forget_kept_elections() -> None:
    _kept.clear()


def _voting_election(slug) -> tuple[Campaign, E2EElection] | None:
    now = _clock()
    hit = _kept.get(slug)
    if hit is not None and now - hit[0] < KEPT_TTL:
        return hit[1]
    campaign = Campaign.objects.filter(slug=slug, status=S.VOTING, encrypted=True).first()
    election = E2EElection.objects.filter(campaign=campaign).first() if campaign else None
    kept = (campaign, election) if election is not None and election.manifest else None
    if len(_kept) > 1000:
        _kept.clear()
    _kept[slug] = (now, kept)
    return kept


def _signed_in(request) -> JsonResponse | None:
    if not request.user.is_authenticated:
        return error("sign-in", _("Sign in to vote."), 401)
    return None


@never_cache
@require_safe
def package(request, slug):
    campaign, election = _election(request, slug)
    if refusal := _signed_in(request):
        return refusal
    try:
        entry = encrypted.roll_entry(campaign, request.user)
    except encrypted.Refused as exc:
        return error(exc.code, exc.message, exc.status)
    if not encrypted._voting_open(campaign):
        return error("voting-closed", _("Voting is not open."), 409)
    cl = election.credential_list
    return JsonResponse(
        {
            "manifest": bytes(election.manifest).decode(),
            "phi": b64e(bytes(election.phi)),
            "question": entry.contest.code,
            "server_key": b64e(bytes(election.server_key)),
            "credentials": {"root": b64e(bytes(cl.root)), "count": cl.count},
            "voted": Participation.objects.filter(
                campaign=campaign, member_id=request.user.member_id
            ).exists(),
        }
    )


@require_safe
def credential(request, slug):
    _campaign, election = _election(request, slug)
    try:
        key = b64d(request.GET.get("key", ""))
    except ValueError:
        return error("malformed", _("Not a public credential."), 400)
    if len(key) != 32:
        return error("malformed", _("Not a public credential."), 400)
    found = encrypted.credential_path(election, key)
    if found is None:
        return error("unknown-credential", _("This credential is not on the list."), 404)
    response = JsonResponse(found)
    patch_cache_control(response, public=True, max_age=300)
    return response


@never_cache
@require_POST
def cast(request, slug):
    campaign, election = _voting_election(slug) or _election(request, slug)
    if refusal := _signed_in(request):
        return refusal
    if len(request.body) > MAX_BALLOT_REQUEST:
        return error("malformed", _("The ballot is malformed."), 400)
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return error("malformed", _("The ballot is malformed."), 400)
    if not isinstance(body, dict) or set(body) != {"question", "ballot"}:
        return error("malformed", _("The ballot is malformed."), 400)
    try:
        receipt = encrypted.cast(
            request.user,
            campaign,
            body["question"],
            body["ballot"],
            check_proofs=encrypted.check_proofs_on_cast(),
            election=election,
        )
    except encrypted.Refused as exc:
        return error(exc.code, exc.message, exc.status)
    return JsonResponse({"receipt": receipt})


@require_safe
def record(request, slug):
    campaign, election = _election(request, slug)
    if campaign.status not in RECORD_STATUSES:
        raise Http404
    response = StreamingHttpResponse(
        encrypted.record_lines(election), content_type="application/jsonl; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{campaign.slug}-record.jsonl"'
    # The number of events when the stream starts (a progress bar's end; the stream may hold
    # more, appended meanwhile): one index read, where a Content-Length would need every line.
    last = election.events.order_by("-seq").values_list("seq", flat=True).first()
    response["X-Record-Events"] = str(0 if last is None else last + 1)
    patch_cache_control(response, public=True, max_age=30)
    return response


@never_cache
@require_safe
def tracker(request, slug, tracker):
    _campaign, election = _election(request, slug)
    try:
        value = b64d(tracker)
    except ValueError:
        return error("malformed", _("Not a tracker."), 400)
    if len(value) != 32:
        return error("malformed", _("Not a tracker."), 400)
    found = encrypted.tracker_status(election, value)
    if found is None:
        return error("unknown-tracker", _("No ballot has this tracker."), 404)
    return JsonResponse(found)


@csrf_exempt  # no session: an observer is known by the key in the manifest and the signature
@never_cache
@require_POST
def cosign(request, slug):
    campaign, election = _election(request, slug)
    if campaign.status not in RECORD_STATUSES:
        raise Http404
    bad = error("malformed", _("The co-signature is malformed."), 400)
    if len(request.body) > 10_000:
        return bad
    try:
        body = json.loads(request.body)
        seq, key, sig = body["seq"], b64d(body["key"]), b64d(body["sig"])
    except (ValueError, UnicodeDecodeError, KeyError, TypeError):
        return bad
    if set(body) != {"seq", "key", "sig"} or not isinstance(seq, int) or isinstance(seq, bool):
        return bad
    if seq < 0 or len(key) != 32 or len(sig) != 64:
        return bad
    try:
        event = encrypted.add_cosignature(election, seq, key, sig)
    except encrypted.Refused as exc:
        return error(exc.code, exc.message, exc.status)
    return JsonResponse({"seq": event.seq, "line": bytes(event.line).decode()})
