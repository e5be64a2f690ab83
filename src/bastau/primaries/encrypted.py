"""Encrypted campaigns on the server: set-up, casting, checking, sealing and the record.

The record format is docs/verification.md's `bastau-e2e/1` (events of canonical JSON, hash
chained, signed by the server). The pure cryptography is `bastau.primaries.e2e`; this module
keeps the database side: who may cast, one ballot per member (the `Participation` mark, shared
with the paper channel), one ballot per credential (a unique constraint), and the events.

Secrecy (DESIGN.md 3.3) as for plaintext ballots: an `EncryptedBallot` has no member, no time
and no sequential key; the rows of a BATCH are rewritten in tracker order when it is sealed.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bastau.lib.dates import age_on

from .e2e import ballot as e2e_ballot
from .e2e import canonical, credentials, group, merkle, signing
from .e2e.elgamal import CIPHERTEXT_BYTES, Ciphertext
from .e2e.hashing import PREFIX, TAG_ELECTION, TAG_EVENT, b64d, b64e, hd, text, u64
from .keys import e2e_seed
from .models import (
    Campaign,
    Candidate,
    E2ECredential,
    E2ECredentialList,
    E2EElection,
    E2EEvent,
    E2ETrustee,
    EncryptedBallot,
    Participation,
    VoterRollEntry,
)

FORMAT = "bastau-e2e/1"
TAG_PAYLOAD = PREFIX + b"payload"
TAG_TRUSTEES = PREFIX + b"trustees"
TAG_CREDENTIALS = PREFIX + b"credentials"
TAG_CREDENTIAL_LEAF = PREFIX + b"credential-leaf"
TAG_RECEIPT = PREFIX + b"receipt"
IDENTITY_CIPHERTEXT = bytes(CIPHERTEXT_BYTES)  # the identity ristretto encoding, twice

S = Campaign.Status
B = EncryptedBallot.Status


class Refused(Exception):
    """A cast refused: nothing was changed. `code` is stable, `message` translated, `status`
    the HTTP status of the JSON answer."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


# Events -------------------------------------------------------------------------------------
def event_hash(seq: int, prev: bytes, type_: str, day: str, payload) -> bytes:
    d = hd(TAG_PAYLOAD, canonical.dumps(payload))
    return hd(TAG_EVENT, u64(seq), prev, text(type_), d, text(day))


def make_event(seq: int, prev: bytes, type_: str, day: str, payload, seed: bytes):
    """(line bytes without newline, h) of one signed event."""
    h = event_hash(seq, prev, type_, day, payload)
    event = {
        "seq": seq,
        "prev": b64e(prev),
        "type": type_,
        "day": day,
        "payload": payload,
        "sig": b64e(signing.sign(seed, "event", h)),
        "cosigs": [],
    }
    return canonical.dumps(event), h


def append_event(election: E2EElection, type_: str, payload) -> E2EEvent:
    """Append one event. The caller holds the election's row lock (select_for_update)."""
    last = election.events.order_by("-seq").values_list("seq", "hash").first()
    if last is None:
        seq, prev = 0, bytes(election.phi)
    else:
        seq, prev = last[0] + 1, bytes(last[1])
    day = timezone.localdate().isoformat()
    line, h = make_event(seq, prev, type_, day, payload, e2e_seed())
    return E2EEvent.objects.create(election=election, seq=seq, type=type_, line=line, hash=h)


def record_lines(election: E2EElection):
    """The record, line by line (each line's bytes followed by a newline)."""
    qs = election.events.order_by("seq").values_list("line", flat=True)
    for line in qs.iterator(chunk_size=200):
        yield bytes(line) + b"\n"


def server_public_key() -> bytes:
    return signing.public_key(e2e_seed())


# Set-up -------------------------------------------------------------------------------------
def create_election(campaign: Campaign, *, trustees: list, threshold: int, ca_key: bytes):
    """Name the trustees ([(name, user or None), ...], indexed 1..m), the threshold t and the
    credential authority's Ed25519 key. Allowed until voting opens; replaces an earlier set-up
    (and with it any ceremony files and credential list)."""
    if not campaign.encrypted:
        raise ValidationError(_("This campaign's ballots are not encrypted."))
    if campaign.status not in (S.DRAFT, S.NOMINATION, S.REGISTRATION):
        raise ValidationError(_("The trustees are named before voting opens."))
    m = len(trustees)
    if m < 1 or not 1 <= threshold <= m:
        raise ValidationError(
            _("Name at least one trustee; the threshold is from 1 to their number.")
        )
    if len(ca_key) != 32:
        raise ValidationError(_("The credential authority's key is 32 bytes."))
    with transaction.atomic():
        E2EElection.objects.filter(campaign=campaign).delete()
        election = E2EElection.objects.create(
            campaign=campaign,
            trustee_count=m,
            threshold=threshold,
            ca_key=ca_key,
            server_key=server_public_key(),
        )
        for i, (name, user) in enumerate(trustees, start=1):
            E2ETrustee.objects.create(election=election, index=i, name=name, user=user)
    return election


def install_election_key(election: E2EElection, transcript, y: bytes) -> None:
    """Record the ceremony's outcome: the transcript TR (checked by the ceremony module before)
    and the election key Y."""
    group.decode_point(y, what="Y")
    election.transcript = canonical.dumps(transcript)
    election.trustees_digest = hd(TAG_TRUSTEES, bytes(election.transcript))
    election.election_key = y
    election.save(update_fields=["transcript", "trustees_digest", "election_key"])


def credential_leaf(question: str, key: bytes) -> bytes:
    return hd(TAG_CREDENTIAL_LEAF, text(question), key)


def roll_counts(campaign: Campaign) -> dict[str, int]:
    counts = {c.code: 0 for c in campaign.contests.all()}
    rows = VoterRollEntry.objects.filter(campaign=campaign).values_list("contest__code", flat=True)
    for code in rows.iterator(chunk_size=20_000):
        counts[code] += 1
    return counts


def check_credential_list(election: E2EElection, data: bytes) -> dict:
    """The credential list CL, parsed and checked against the frozen roll; ValidationError
    names the problem."""
    campaign = election.campaign
    if campaign.roll_frozen_at is None:
        raise ValidationError(_("Freeze the voter roll first: the list is issued for it."))
    try:
        cl = canonical.loads(data, "credentials")
        canonical.fields(cl, {"entries", "count", "root", "sig"}, "credentials")
        entries = canonical.array(cl, "entries", "credentials")
        count = canonical.integer(cl, "count", "credentials")
        root = canonical.data(cl, "root", "credentials", 32)
        sig = canonical.data(cl, "sig", "credentials", 64)
        keys, leaves, per_question = [], [], {}
        for i, entry in enumerate(entries):
            where = f"credentials.entries[{i}]"
            canonical.fields(entry, {"question", "key"}, where)
            q = canonical.string(entry, "question", where)
            x = canonical.data(entry, "key", where, 32)
            group.decode_point(x, what=where)
            keys.append(x)
            leaves.append(credential_leaf(q, x))
            per_question[q] = per_question.get(q, 0) + 1
    except (canonical.CanonicalError, group.EncodingError, ValueError) as exc:
        raise ValidationError(_("The credential list is malformed: %(e)s") % {"e": exc}) from None
    if keys != sorted(keys) or len(set(keys)) != len(keys):
        raise ValidationError(_("The credential list must be sorted and its keys distinct."))
    if count != len(entries):
        raise ValidationError(_("The credential list's count is not its number of entries."))
    if not entries or merkle.root(leaves) != root:
        raise ValidationError(_("The credential list's root does not match its entries."))
    unsigned = {k: v for k, v in cl.items() if k != "sig"}
    digest = hd(TAG_CREDENTIALS, canonical.dumps(unsigned))
    if not signing.verify(bytes(election.ca_key), "credentials", digest, sig):
        raise ValidationError(
            _("The credential list is not signed by the campaign's credential authority.")
        )
    rolls = roll_counts(campaign)
    if per_question != {code: n for code, n in rolls.items() if n}:
        raise ValidationError(
            _(
                "The credential list does not match the frozen roll: %(list)s on the list, "
                "%(roll)s on the roll."
            )
            % {
                "list": ", ".join(f"{q}: {n}" for q, n in sorted(per_question.items())),
                "roll": ", ".join(f"{q}: {n}" for q, n in sorted(rolls.items())),
            }
        )
    return cl


def install_credentials(election: E2EElection, data: bytes) -> E2ECredentialList:
    cl = check_credential_list(election, data)
    if election.campaign.status != S.REGISTRATION:
        raise ValidationError(_("The credential list is installed before voting opens."))
    with transaction.atomic():
        E2ECredential.objects.filter(election=election).delete()
        E2ECredentialList.objects.filter(election=election).delete()
        row = E2ECredentialList.objects.create(
            election=election, data=data, root=b64d(cl["root"]), count=cl["count"]
        )
        E2ECredential.objects.bulk_create(
            (
                E2ECredential(
                    election=election, index=i, question=e["question"], key=b64d(e["key"])
                )
                for i, e in enumerate(cl["entries"])
            ),
            batch_size=5000,
        )
    return row


def freeze_roll(campaign: Campaign) -> int:
    """Freeze an encrypted campaign's roll before voting opens (the CA issues credentials for
    it). Opening the vote keeps this roll."""
    from . import services

    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != S.REGISTRATION:
            raise ValidationError(_("The roll is frozen during registration."))
        if locked.roll_frozen_at is not None:
            raise ValidationError(_("The voter roll is already frozen."))
        count = services.freeze_roll(locked)
        locked.roll_frozen_at = timezone.now()
        locked.save(update_fields=["roll_frozen_at"])
    campaign.roll_frozen_at = locked.roll_frozen_at
    return count


def _moment(value: dt.datetime) -> str:
    return canonical.format_moment(value.astimezone(dt.UTC).replace(microsecond=0))


def build_manifest(campaign: Campaign, election: E2EElection) -> dict:
    """The manifest M (docs/verification.md): questions in contest-code order, candidates in
    registration-number order."""
    from . import services

    rolls = roll_counts(campaign)
    cl = election.credential_list
    registered = (
        Candidate.objects.filter(campaign=campaign, status=Candidate.Status.REGISTERED)
        .order_by("number")
        .values_list("contest__code", "number", "name", "sex", "birth_date")
    )
    reference = services.reference_date(campaign)
    youth_below = 29 if campaign.quota_rules == Campaign.Rules.LAW_2022 else 35
    by_contest: dict[str, list] = {}
    for code, number, name, sex, birth in registered:
        youth = age_on(birth, reference) < youth_below
        by_contest.setdefault(code, []).append(
            {"id": f"c{number}", "name": name, "woman": sex == "F", "youth": youth}
        )
    questions = []
    for contest in campaign.contests.order_by("code"):
        cands = by_contest.get(contest.code, [])
        if not cands:
            continue
        questions.append(
            {
                "id": contest.code,
                "title": contest.title,
                "k_min": 0,
                "k_max": min(campaign.choose_up_to, len(cands)),
                "list_length": contest.effective_length,
                "roll": rolls.get(contest.code, 0),
                "candidates": cands,
            }
        )
    return {
        "format": FORMAT,
        "uuid": str(election.uuid),
        "slug": campaign.slug,
        "title": campaign.title,
        "group": "ristretto255",
        "questions": questions,
        "election_key": b64e(bytes(election.election_key)),
        "threshold": election.threshold,
        "trustee_count": election.trustee_count,
        "trustees": b64e(bytes(election.trustees_digest)),
        "credentials": {"root": b64e(bytes(cl.root)), "count": cl.count},
        "roll": sum(rolls.values()),
        "keys": {
            "ca": b64e(bytes(election.ca_key)),
            "server": b64e(bytes(election.server_key)),
            "observers": [],
        },
        "voting": {
            "opens": _moment(campaign.voting_starts),
            "closes": _moment(campaign.voting_ends),
        },
        "quota": {
            "rules": campaign.quota_rules,
            "custom": campaign.custom_rules or {},
            "prefix_mode": campaign.prefix_mode,
            "reference_date": reference.isoformat(),
            "tie_break_seed": campaign.tie_break_seed,
        },
    }


def setup_problem(campaign: Campaign) -> str | None:
    """Why an encrypted campaign cannot open yet, or None."""
    election = E2EElection.objects.filter(campaign=campaign).first()
    if election is None:
        return _("Name the trustees and the credential authority first.")
    if election.election_key is None:
        return _("The trustees' key ceremony is not complete.")
    if not E2ECredentialList.objects.filter(election=election).exists():
        return _("The credential authority's list is not installed.")
    if campaign.voting_ends is None:
        return _("Set when voting ends: it is written into the encrypted election.")
    return None


def open_election(locked: Campaign) -> E2EElection:
    """Freeze the manifest and write the SETUP event (inside open_voting's transaction, with the
    campaign locked and voting_starts set)."""
    problem = setup_problem(locked)
    if problem:
        raise ValidationError(problem)
    election = E2EElection.objects.select_for_update().get(campaign=locked)
    manifest = build_manifest(locked, election)
    election.manifest = canonical.dumps(manifest)
    election.phi = hd(TAG_ELECTION, bytes(election.manifest))
    election.save(update_fields=["manifest", "phi"])
    payload = {
        "manifest": manifest,
        "trustees": canonical.loads(bytes(election.transcript)),
        "credentials": canonical.loads(bytes(election.credential_list.data)),
    }
    append_event(election, "SETUP", payload)
    return election


# Casting ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Manifest:
    phi: bytes
    y: bytes
    questions: dict  # id -> ballot.Election of that question alone
    data: dict


@functools.lru_cache(maxsize=64)
def _parsed(manifest_bytes: bytes) -> Manifest:
    m = canonical.loads(manifest_bytes, "manifest")
    phi = hd(TAG_ELECTION, manifest_bytes)
    y = b64d(m["election_key"])
    questions = {
        q["id"]: e2e_ballot.Election(
            phi,
            y,
            (e2e_ballot.Question(q["id"], len(q["candidates"]), q["k_min"], q["k_max"]),),
        )
        for q in m["questions"]
    }
    return Manifest(phi, y, questions, m)


def manifest_of(election: E2EElection) -> Manifest:
    return _parsed(bytes(election.manifest))


def receipt(phi: bytes, tracker: bytes, day: str) -> dict:
    digest = hd(TAG_RECEIPT, phi, tracker, text(day))
    return {
        "election": b64e(phi),
        "tracker": b64e(tracker),
        "day": day,
        "sig": b64e(signing.sign(e2e_seed(), "receipt", digest)),
    }


def _voting_open(campaign: Campaign) -> bool:
    now = timezone.now()
    return (
        campaign.status == S.VOTING
        and not (campaign.voting_starts and now < campaign.voting_starts)
        and not (campaign.voting_ends and now >= campaign.voting_ends)
    )


def roll_entry(campaign: Campaign, user) -> VoterRollEntry:
    """The signed-in member's roll entry, or Refused."""
    if not getattr(user, "member_id", None):
        raise Refused("not-a-member", _("Only a party member can vote."), 403)
    entry = (
        VoterRollEntry.objects.select_related("contest")
        .filter(campaign=campaign, member_id=user.member_id)
        .first()
    )
    if entry is None:
        raise Refused("not-on-roll", _("You are not on this campaign's voter roll."), 403)
    return entry


def election_of(campaign: Campaign) -> E2EElection:
    election = E2EElection.objects.filter(campaign=campaign).first()
    if not campaign.encrypted or election is None or election.manifest is None:
        raise Refused("not-encrypted", _("This campaign has no encrypted vote open."), 404)
    return election


def check_proofs_on_cast() -> bool:
    from django.conf import settings

    return settings.E2E_PROOFS_ON_CAST


def cast(user, campaign: Campaign, question, ballot_text, *, check_proofs: bool = False) -> dict:
    """Cast the signed-in member's encrypted ballot; returns the signed receipt. Every refusal
    raises Refused and changes nothing.

    On the request path: the roll, the window, one ballot per member, strict decoding, sigma,
    the credential (on the list for this question, unused). The proofs are checked off the
    path (`check_pending`) unless check_proofs; a ballot whose proofs fail is then rejected on
    the record and never counted.
    """
    election = election_of(campaign)
    if not _voting_open(campaign):
        raise Refused("voting-closed", _("Voting is not open."), 409)
    entry = roll_entry(campaign, user)
    if not isinstance(question, str) or not isinstance(ballot_text, str):
        raise Refused("malformed", _("The ballot is malformed."))
    if question != entry.contest.code:
        raise Refused("wrong-question", _("This ballot is for another list than yours."))
    manifest = manifest_of(election)
    qelection = manifest.questions.get(question)
    if qelection is None:
        raise Refused("wrong-question", _("This ballot is for another list than yours."))
    try:
        data = b64d(ballot_text)
        decoded = (e2e_ballot.verify if check_proofs else e2e_ballot.decode)(qelection, data)
    except (ValueError, e2e_ballot.InvalidBallot) as exc:
        raise Refused("malformed", _("The ballot is malformed: %(e)s") % {"e": exc}) from None
    tracker = decoded.tracker
    if not check_proofs and not credentials.verify(
        manifest.phi, decoded.x_pub, tracker, decoded.sigma
    ):
        raise Refused("bad-signature", _("The ballot's signature does not verify."))
    credential = (
        E2ECredential.objects.filter(election=election, key=decoded.x_pub)
        .values_list("question", flat=True)
        .first()
    )
    if credential is None:
        raise Refused("unknown-credential", _("This credential is not on the list."), 403)
    if credential != question:
        raise Refused("wrong-question", _("This credential belongs to another list."))
    day = timezone.localdate().isoformat()
    try:
        with transaction.atomic():
            Participation.objects.create(
                campaign=campaign,
                member_id=user.member_id,
                channel=Participation.Channel.ONLINE,
                voted_on=timezone.localdate(),
            )
            EncryptedBallot.objects.create(
                tracker=tracker,
                election=election,
                question=question,
                channel=EncryptedBallot.Channel.ONLINE,
                credential=decoded.x_pub,
                data=data,
                status=B.VERIFIED if check_proofs else B.PENDING,
            )
    except IntegrityError:
        raise _why_not_inserted(campaign, user, election, tracker, decoded.x_pub) from None
    if not check_proofs:
        transaction.on_commit(lambda: _enqueue_check(election.pk))
    return receipt(manifest.phi, tracker, day)


def _why_not_inserted(campaign, user, election, tracker, x_pub) -> Refused:
    if EncryptedBallot.objects.filter(tracker=tracker).exists():
        return Refused("replayed", _("This very ballot was already received."), 409)
    if Participation.objects.filter(campaign=campaign, member_id=user.member_id).exists():
        return Refused("already-voted", _("You have already voted in this campaign."), 409)
    if EncryptedBallot.objects.filter(election=election, credential=x_pub).exists():
        return Refused("credential-used", _("This credential has already been used."), 409)
    return Refused("conflict", _("The ballot could not be recorded; try again."), 409)


def _enqueue_check(election_id: int) -> None:
    from .tasks import check_encrypted_ballots

    check_encrypted_ballots.enqueue(election_id)


# Checking and sealing -----------------------------------------------------------------------
def _rewrite_in_tracker_order(rows: list[EncryptedBallot], **changes) -> None:
    """Delete and re-insert rows in tracker order, so that storage order is not arrival order."""
    trackers = [bytes(r.tracker) for r in rows]
    for start in range(0, len(trackers), 900):
        EncryptedBallot.objects.filter(tracker__in=trackers[start : start + 900]).delete()
    for r in rows:
        for k, v in changes.items():
            setattr(r, k, v)
    EncryptedBallot.objects.bulk_create(
        sorted(rows, key=lambda r: bytes(r.tracker)), batch_size=1000
    )


def check_pending(election: E2EElection, *, limit: int = 5000) -> tuple[int, int]:
    """Check the proofs of pending ballots: (verified, rejected). The rejected go into one
    REJECT event with the ballot and the reason, as evidence."""
    manifest = manifest_of(election)
    rows = list(
        EncryptedBallot.objects.filter(election=election, status=B.PENDING).only(
            "tracker", "question", "data"
        )[:limit]
    )
    if not rows:
        return 0, 0
    good, bad = [], []
    for row in rows:
        try:
            e2e_ballot.verify(manifest.questions[row.question], bytes(row.data))
        except e2e_ballot.InvalidBallot as exc:
            bad.append((row, str(exc)))
        else:
            good.append(bytes(row.tracker))
    with transaction.atomic():
        locked = E2EElection.objects.select_for_update().get(pk=election.pk)
        for start in range(0, len(good), 900):
            EncryptedBallot.objects.filter(
                tracker__in=good[start : start + 900], status=B.PENDING
            ).update(status=B.VERIFIED)
        if bad:
            bad.sort(key=lambda pair: bytes(pair[0].tracker))
            append_event(
                locked,
                "REJECT",
                {
                    "ballots": [
                        {"question": r.question, "ballot": b64e(bytes(r.data)), "reason": why}
                        for r, why in bad
                    ]
                },
            )
            full = list(
                EncryptedBallot.objects.filter(tracker__in=[bytes(r.tracker) for r, _ in bad])
            )
            reasons = {bytes(r.tracker): why[:300] for r, why in bad}
            for r in full:
                r.reason = reasons[bytes(r.tracker)]
            _rewrite_in_tracker_order(full, status=B.REJECTED)
    return len(good), len(bad)


def seal(election: E2EElection, *, limit: int = 50_000) -> E2EEvent | None:
    """Seal the verified ballots into one BATCH event."""
    with transaction.atomic():
        locked = E2EElection.objects.select_for_update().get(pk=election.pk)
        rows = list(EncryptedBallot.objects.filter(election=locked, status=B.VERIFIED)[:limit])
        if not rows:
            return None
        rows.sort(key=lambda r: bytes(r.tracker))
        leaves = [merkle.leaf_hash(bytes(r.tracker), bytes(r.data)[-64:]) for r in rows]
        payload = {
            "ballots": [
                {"question": r.question, "channel": r.channel, "ballot": b64e(bytes(r.data))}
                for r in rows
            ],
            "root": b64e(merkle.root(leaves)),
        }
        event = append_event(locked, "BATCH", payload)
        _rewrite_in_tracker_order(rows, status=B.SEALED, batch=event.seq)
    return event


def process(election: E2EElection) -> int:
    """What the worker and the periodic sealer do: check everything pending, seal what passed."""
    while check_pending(election) != (0, 0):
        pass
    sealed = 0
    while (event := seal(election)) is not None:
        sealed += EncryptedBallot.objects.filter(election=election, batch=event.seq).count()
    return sealed


def process_due() -> int:
    ids = (
        EncryptedBallot.objects.filter(status__in=(B.PENDING, B.VERIFIED))
        .values_list("election_id", flat=True)
        .distinct()
    )
    count = 0
    for election in E2EElection.objects.filter(pk__in=list(ids)):
        count += process(election)
    return count


def tracker_status(election: E2EElection, tracker: bytes) -> dict | None:
    row = (
        EncryptedBallot.objects.filter(election=election, tracker=tracker)
        .values_list("status", "batch")
        .first()
    )
    if row is None:
        return None
    status, batch = row
    if status == B.REJECTED:
        return {"status": "rejected", "event": None, "index": 0, "path": []}
    if status != B.SEALED:
        return {"status": "pending", "event": None, "index": 0, "path": []}
    event = E2EEvent.objects.get(election=election, seq=batch)
    members = list(
        EncryptedBallot.objects.filter(election=election, batch=batch).values_list(
            "tracker", "data"
        )
    )
    members.sort(key=lambda m: bytes(m[0]))
    leaves = [merkle.leaf_hash(bytes(t), bytes(d)[-64:]) for t, d in members]
    index = [bytes(t) for t, _ in members].index(tracker)
    return {
        "status": "sealed",
        "event": bytes(event.line).decode(),
        "index": index,
        "path": [b64e(p) for p in merkle.inclusion_path(leaves, index)],
    }


def credential_path(election: E2EElection, key: bytes) -> dict | None:
    row = (
        E2ECredential.objects.filter(election=election, key=key)
        .values_list("index", "question")
        .first()
    )
    if row is None:
        return None
    index, question = row
    leaves = [
        credential_leaf(q, bytes(k))
        for q, k in E2ECredential.objects.filter(election=election)
        .order_by("index")
        .values_list("question", "key")
        .iterator(chunk_size=20_000)
    ]
    return {
        "question": question,
        "index": index,
        "count": len(leaves),
        "path": [b64e(p) for p in merkle.inclusion_path(leaves, index)],
    }


# Close and tally ----------------------------------------------------------------------------
def close(campaign: Campaign) -> None:
    """After the campaign's status moved to counting: check and seal the rest, then the CLOSE
    and TALLY events."""
    election = E2EElection.objects.get(campaign=campaign)
    process(election)
    manifest = manifest_of(election)
    with transaction.atomic():
        locked = E2EElection.objects.select_for_update().get(pk=election.pk)
        if locked.events.filter(type="CLOSE").exists():
            return
        counts: dict[tuple[str, str], int] = {}
        totals: dict[tuple[str, str], list] = {}
        sealed = EncryptedBallot.objects.filter(election=locked, status=B.SEALED).values_list(
            "question", "channel", "data"
        )
        for question, channel, data in sealed.iterator(chunk_size=2000):
            q = manifest.questions[question].questions[0]
            cts = [
                Ciphertext.from_bytes(bytes(data)[72 + 64 * i : 136 + 64 * i]) for i in range(q.n)
            ]
            key = (question, channel)
            counts[key] = counts.get(key, 0) + 1
            if key in totals:
                totals[key] = [a + b for a, b in zip(totals[key], cts, strict=True)]
            else:
                totals[key] = cts
        batches = locked.events.filter(type="BATCH").count()
        qids = [q["id"] for q in manifest.data["questions"]]
        online = sum(n for (_q, ch), n in counts.items() if ch == "online")
        paper = sum(n for (_q, ch), n in counts.items() if ch == "paper")
        append_event(
            locked,
            "CLOSE",
            {
                "closed_at": _moment(campaign.voting_ends or timezone.now()),
                "ballots": {"online": online, "paper": paper},
                "batches": batches,
                "questions": [
                    {
                        "id": q,
                        "online": counts.get((q, "online"), 0),
                        "paper": counts.get((q, "paper"), 0),
                    }
                    for q in qids
                ],
            },
        )

        def encoded(q, channel):
            n = manifest.questions[q].questions[0].n
            cts = totals.get((q, channel))
            if cts is None:
                return [b64e(IDENTITY_CIPHERTEXT)] * n
            return [b64e(ct.to_bytes()) for ct in cts]

        append_event(
            locked,
            "TALLY",
            {
                "questions": [
                    {"id": q, "online": encoded(q, "online"), "paper": encoded(q, "paper")}
                    for q in qids
                ]
            },
        )
