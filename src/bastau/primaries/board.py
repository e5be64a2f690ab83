"""The public bulletin board of a campaign: ballots, trackers, signed checkpoints (DESIGN.md 3.3).

No Django here: the server and any independent verifier share this code, and docs/verification.md
specifies the same record byte by byte so that anyone can write their own verifier.

Shape, in one paragraph. A ballot is {tracker, nonce, choices}: no voter, no time, and an id (the
tracker) that is a hash over the content and a random 128-bit nonce, so it reveals no order.
Casting only inserts an unsealed ballot, so casts never wait on one another. Now and then one
sealer takes every unsealed ballot into a checkpoint: its sequence number, the hash of the
previous checkpoint (a hash chain), the RFC 6962 Merkle root of the batch's trackers in tracker
order, the batch size and cumulative total, the minute it was sealed, and an Ed25519 signature
over the canonical JSON of all that. After voting closes a signed tally binds the counts to the
last checkpoint. Removing, adding, changing or moving a ballot afterwards breaks a tracker, a
root, a count, the chain or a signature, and `verify_board` says which.

Two forms of the record. While voting is open the board publishes each ballot as its tracker and
checkpoint only ("ballot_contents": "withheld"): the checkpoints commit to trackers, and a tracker
is a hash over the choices and a secret 128-bit nonce, so the record proves which ballots are
recorded while nothing in it tells a choice or a running count. Once voting closes the full
record ("published": nonce and choices with every ballot, and the signed tally) is published;
its checkpoints are the same, so a head saved during voting is checked against it.

Canonical JSON (for signatures and hashes): UTF-8, keys sorted, no whitespace, no floats; for
the data this record holds it coincides with RFC 8785 (JCS).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = "bastau-board/1"
GENESIS = "0" * 64  # the `prev` of checkpoint 1
# "ballot_contents": while voting is open a ballot is published as {tracker, checkpoint} only;
# after the close as {tracker, nonce, choices, checkpoint}. A record without the key is full.
WITHHELD = "withheld"
PUBLISHED = "published"
BALLOT_CONTENTS = (WITHHELD, PUBLISHED)
SEALED_AT_FORMAT = "%Y-%m-%dT%H:%MZ"  # UTC, minute precision: nothing finer is ever stored

# Restricted alphabets keep every string in a ballot free of JSON escapes, so the fast hand-built
# encoding below is byte-identical to canonical JSON (the tests check this).
CANDIDATE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
SLUG_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}\Z")
NONCE_RE = re.compile(r"[0-9a-f]{32}\Z")
HEX64_RE = re.compile(r"[0-9a-f]{64}\Z")
SEALED_AT_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z\Z")


class BoardError(ValueError):
    """Invalid input to a board function (a bad choice, a malformed key, ...)."""


# --------------------------------------------------------------------------- encodings


def _reject_floats(value: Any) -> None:
    if isinstance(value, float):
        raise BoardError("canonical JSON carries integers only, never floats")
    if isinstance(value, dict):
        for v in value.values():
            _reject_floats(v)
    elif isinstance(value, list | tuple):
        for v in value:
            _reject_floats(v)


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no whitespace; the bytes every hash and signature covers."""
    _reject_floats(value)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ballot_bytes(campaign_slug: str, choices: Sequence[str], nonce: str) -> bytes:
    """canonical_json({"campaign": slug, "choices": sorted ids, "nonce": hex}), built by hand.

    Why by hand: it is the one per-ballot encoding a verifier repeats a million times, and
    string joins are several times faster than json.dumps. The alphabets above make it exact.
    """
    quoted = '","'.join(choices)
    inner = f'"{quoted}"' if choices else ""
    return f'{{"campaign":"{campaign_slug}","choices":[{inner}],"nonce":"{nonce}"}}'.encode()


def compute_tracker(campaign_slug: str, choices: Sequence[str], nonce: str) -> str:
    """tracker = lowercase hex SHA-256 of ballot_bytes; choices must already be sorted."""
    return hashlib.sha256(ballot_bytes(campaign_slug, choices, nonce)).hexdigest()


def merkle_root(trackers: Sequence[str]) -> str:
    """RFC 6962 Merkle Tree Hash over the trackers' 32 raw bytes, in the order given.

    Leaf = SHA-256(0x00 || tracker), node = SHA-256(0x01 || left || right); the empty tree is
    SHA-256(""). Built bottom-up: pairing adjacent nodes and carrying an odd last node up unchanged
    gives exactly RFC 6962's split at the largest power of two (tests check both agree).
    """
    fromhex = bytes.fromhex
    return merkle_root_raw([fromhex(t) for t in trackers])


def merkle_root_raw(leaves: Sequence[bytes]) -> str:
    """merkle_root over the trackers' 32 raw bytes (what the verifier keeps in memory)."""
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    sha = hashlib.sha256
    level = [sha(b"\x00" + t).digest() for t in leaves]
    while len(level) > 1:
        nxt = [sha(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0].hex()


def format_sealed_at(moment: dt.datetime) -> str:
    """UTC to the minute; seconds are dropped so no ballot time is finer than its checkpoint."""
    if moment.tzinfo is None:
        raise BoardError("sealed_at must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime(SEALED_AT_FORMAT)


# --------------------------------------------------------------------------- keys and signatures


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, size: int | None = None) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError, AttributeError) as exc:
        raise BoardError("not valid base64") from exc
    if size is not None and len(raw) != size:
        raise BoardError(f"expected {size} bytes, got {len(raw)}")
    return raw


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_to_text(key: Ed25519PrivateKey) -> str:
    """The raw 32-byte seed, standard base64: the form BASTAU_BOARD_KEY holds."""
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return _b64(raw)


def public_key_to_text(key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The raw 32-byte public key, standard base64: the form the record publishes."""
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    return _b64(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def load_private_key(text: str) -> Ed25519PrivateKey:
    """From base64 of the raw 32 bytes, or an unencrypted PKCS#8 PEM."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise BoardError("the PEM key is not an Ed25519 private key")
        return key
    return Ed25519PrivateKey.from_private_bytes(_unb64(text, 32))


def load_public_key(text: str) -> Ed25519PublicKey:
    """From base64 of the raw 32 bytes, or a SubjectPublicKeyInfo PEM."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise BoardError("the PEM key is not an Ed25519 public key")
        return key
    return Ed25519PublicKey.from_public_bytes(_unb64(text, 32))


def sign(key: Ed25519PrivateKey, body: Mapping[str, Any]) -> str:
    """Base64 Ed25519 signature over canonical_json(body)."""
    return _b64(key.sign(canonical_json(dict(body))))


def verify_signature(key: Ed25519PublicKey, body: Mapping[str, Any], signature: str) -> bool:
    try:
        key.verify(_unb64(signature, 64), canonical_json(dict(body)))
    except (InvalidSignature, BoardError):
        return False
    return True


# --------------------------------------------------------------------------- campaign, ballots


@dataclass(frozen=True)
class Campaign:
    """What the board is about; its canonical JSON hash is in every checkpoint."""

    slug: str
    title: str
    candidates: tuple[tuple[str, str], ...]  # (id, name) in ballot order
    choose_up_to: int

    def __post_init__(self) -> None:
        if not SLUG_RE.match(self.slug):
            raise BoardError(f"campaign slug {self.slug!r}: letters, digits, '-' and '_' only")
        ids = [cid for cid, _ in self.candidates]
        for cid in ids:
            if not isinstance(cid, str) or not CANDIDATE_ID_RE.match(cid):
                raise BoardError(f"candidate id {cid!r}: letters, digits, '.', '_' and '-' only")
        if len(set(ids)) != len(ids):
            raise BoardError("duplicate candidate ids")
        k = self.choose_up_to
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise BoardError("choose_up_to must be a positive integer")

    @property
    def candidate_ids(self) -> frozenset[str]:
        return frozenset(cid for cid, _ in self.candidates)

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "candidates": [{"id": cid, "name": name} for cid, name in self.candidates],
            "choose_up_to": self.choose_up_to,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Campaign:
        try:
            return cls(
                slug=data["slug"],
                title=data["title"],
                candidates=tuple((c["id"], c["name"]) for c in data["candidates"]),
                choose_up_to=data["choose_up_to"],
            )
        except (KeyError, TypeError) as exc:
            raise BoardError(f"malformed campaign: {exc!r}") from exc

    def hash(self) -> str:
        return sha256_hex(canonical_json(self.to_dict()))

    def check_choices(self, choices: Iterable[str]) -> tuple[str, ...]:
        """The canonical (sorted, unique, known, at most k) form of a voter's choices."""
        chosen = sorted(choices)
        if len(set(chosen)) != len(chosen):
            raise BoardError("a candidate is chosen twice")
        unknown = set(chosen) - self.candidate_ids
        if unknown:
            raise BoardError(f"unknown candidates: {sorted(unknown)}")
        if len(chosen) > self.choose_up_to:
            raise BoardError(f"at most {self.choose_up_to} choices")
        return tuple(chosen)


@dataclass(frozen=True, slots=True)
class Ballot:
    tracker: str
    nonce: str
    choices: tuple[str, ...]
    checkpoint: int | None = None  # None until sealed

    def to_dict(self, *, withhold: bool = False) -> dict[str, Any]:
        """The ballot as the record lists it; withheld (voting open): tracker and checkpoint."""
        if withhold:
            return {"tracker": self.tracker, "checkpoint": self.checkpoint}
        return {
            "tracker": self.tracker,
            "nonce": self.nonce,
            "choices": list(self.choices),
            "checkpoint": self.checkpoint,
        }


def new_ballot(campaign: Campaign, choices: Iterable[str], nonce: str | None = None) -> Ballot:
    """A fresh unsealed ballot; identical choices give different trackers via the nonce."""
    chosen = campaign.check_choices(choices)
    nonce = secrets.token_hex(16) if nonce is None else nonce
    if not NONCE_RE.match(nonce):
        raise BoardError("a nonce is 32 lowercase hex digits (128 random bits)")
    return Ballot(compute_tracker(campaign.slug, chosen, nonce), nonce, chosen)


# --------------------------------------------------------------------------- checkpoints


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    campaign: str
    campaign_hash: str
    prev: str
    batch_size: int
    batch_root: str
    total: int
    sealed_at: str
    signature: str = ""

    def body(self) -> dict[str, Any]:
        """The signed fields: everything but the signature, plus "kind" for domain separation."""
        return {
            "kind": "checkpoint",
            "seq": self.seq,
            "campaign": self.campaign,
            "campaign_hash": self.campaign_hash,
            "prev": self.prev,
            "batch_size": self.batch_size,
            "batch_root": self.batch_root,
            "total": self.total,
            "sealed_at": self.sealed_at,
        }

    def hash(self) -> str:
        """What the next checkpoint's `prev` holds: SHA-256 of canonical_json(body)."""
        return sha256_hex(canonical_json(self.body()))

    def to_dict(self) -> dict[str, Any]:
        return {**self.body(), "signature": self.signature}


def seal_checkpoint(
    campaign: Campaign,
    batch: Sequence[Ballot],
    previous: Checkpoint | None,
    key: Ed25519PrivateKey,
    sealed_at: dt.datetime,
) -> tuple[Checkpoint, list[Ballot]]:
    """Seal a batch: the signed checkpoint, and the ballots marked with it, in tracker order."""
    seq = 1 if previous is None else previous.seq + 1
    ordered = sorted(batch, key=lambda b: b.tracker)
    trackers = [b.tracker for b in ordered]
    if len(set(trackers)) != len(trackers):
        raise BoardError("a tracker appears twice in the batch")
    unsigned = Checkpoint(
        seq=seq,
        campaign=campaign.slug,
        campaign_hash=campaign.hash(),
        prev=GENESIS if previous is None else previous.hash(),
        batch_size=len(ordered),
        batch_root=merkle_root(trackers),
        total=(0 if previous is None else previous.total) + len(ordered),
        sealed_at=format_sealed_at(sealed_at),
    )
    checkpoint = replace(unsigned, signature=sign(key, unsigned.body()))
    return checkpoint, [replace(b, checkpoint=seq) for b in ordered]


# --------------------------------------------------------------------------- tally


def compute_tally(campaign: Campaign, ballots: Iterable[Ballot]) -> dict[str, Any]:
    """{"ballots": N, "blank": ballots with no choice, "counts": {candidate id: votes}}."""
    counts: Counter[str] = Counter()
    total = blank = 0
    for ballot in ballots:
        total += 1
        if not ballot.choices:
            blank += 1
        counts.update(ballot.choices)
    return {
        "ballots": total,
        "blank": blank,
        "counts": {cid: counts.get(cid, 0) for cid, _ in campaign.candidates},
    }


def tally_body(campaign: Campaign, last: Checkpoint, tally: Mapping[str, Any]) -> dict[str, Any]:
    """The signed tally: counts bound to the campaign and to the last checkpoint's hash."""
    return {
        "kind": "tally",
        "campaign": campaign.slug,
        "checkpoint": last.seq,
        "checkpoint_hash": last.hash(),
        "ballots": tally["ballots"],
        "blank": tally["blank"],
        "counts": dict(tally["counts"]),
    }


def sign_tally(
    campaign: Campaign, last: Checkpoint, ballots: Iterable[Ballot], key: Ed25519PrivateKey
) -> dict[str, Any]:
    body = tally_body(campaign, last, compute_tally(campaign, ballots))
    return {**body, "signature": sign(key, body)}


# --------------------------------------------------------------------------- the record


def export_record(
    campaign: Campaign,
    public_key: Ed25519PublicKey | Ed25519PrivateKey,
    checkpoints: Sequence[Checkpoint],
    ballots: Iterable[Ballot],
    tally: Mapping[str, Any] | None = None,
    *,
    withhold: bool = False,
) -> dict[str, Any]:
    """The public record; ballots in (checkpoint, tracker) order, unsealed ones (if any) last.

    withhold: the form published while voting is open: each ballot is its tracker and
    checkpoint, nothing from which a choice or a count can be read, and no tally.
    """
    if withhold and tally is not None:
        raise BoardError("a record that withholds the choices carries no tally")
    ordered = sorted(ballots, key=lambda b: (b.checkpoint is None, b.checkpoint or 0, b.tracker))
    record: dict[str, Any] = {
        "format": FORMAT,
        "ballot_contents": WITHHELD if withhold else PUBLISHED,
        "campaign": campaign.to_dict(),
        "public_key": public_key_to_text(public_key),
        "checkpoints": [c.to_dict() for c in checkpoints],
        "ballots": [b.to_dict(withhold=withhold) for b in ordered],
    }
    if tally is not None:
        record["tally"] = dict(tally)
    return record


class BoardBuilder:
    """An in-memory board: the reference for the database-backed one, and a test/demo helper.

    `cast` only appends (the database version: one INSERT, no lock shared by casts); `seal` is
    the sealer's job and is the only step that must run one at a time.
    """

    def __init__(self, campaign: Campaign, key: Ed25519PrivateKey):
        self.campaign = campaign
        self.key = key
        self.unsealed: list[Ballot] = []
        self.sealed: list[Ballot] = []
        self.checkpoints: list[Checkpoint] = []
        self.tally: dict[str, Any] | None = None

    def cast(self, choices: Iterable[str], nonce: str | None = None) -> Ballot:
        if self.tally is not None:
            raise BoardError("voting is closed")
        ballot = new_ballot(self.campaign, choices, nonce)
        self.unsealed.append(ballot)
        return ballot

    def seal(self, sealed_at: dt.datetime) -> Checkpoint | None:
        if not self.unsealed:
            return None
        previous = self.checkpoints[-1] if self.checkpoints else None
        checkpoint, ballots = seal_checkpoint(
            self.campaign, self.unsealed, previous, self.key, sealed_at
        )
        self.checkpoints.append(checkpoint)
        self.sealed.extend(ballots)
        self.unsealed = []
        return checkpoint

    def close(self, sealed_at: dt.datetime) -> dict[str, Any]:
        """Seal what is left and sign the tally."""
        self.seal(sealed_at)
        if not self.checkpoints:
            self.seal_empty(sealed_at)
        self.tally = sign_tally(self.campaign, self.checkpoints[-1], self.sealed, self.key)
        return self.tally

    def seal_empty(self, sealed_at: dt.datetime) -> Checkpoint:
        previous = self.checkpoints[-1] if self.checkpoints else None
        checkpoint, _ = seal_checkpoint(self.campaign, [], previous, self.key, sealed_at)
        self.checkpoints.append(checkpoint)
        return checkpoint

    def export(self, *, withhold: bool = False) -> dict[str, Any]:
        """The record; withhold=True gives the form published while voting is open."""
        return export_record(
            self.campaign,
            self.key,
            self.checkpoints,
            [*self.sealed, *self.unsealed],
            None if withhold else self.tally,
            withhold=withhold,
        )


def checkpoint_hashes(record: Mapping[str, Any]) -> dict[int, str]:
    """{seq: checkpoint hash} of a record's checkpoints: the head an observer saves (from the
    record published during voting, say) and later passes to verify_board as known_checkpoints,
    which reports any of them missing or changed in the later record."""
    found: dict[int, str] = {}
    raw = record.get("checkpoints")
    for cp in raw if isinstance(raw, list) else []:
        if isinstance(cp, dict) and isinstance(cp.get("seq"), int):
            try:
                found[cp["seq"]] = _checkpoint_hash(cp)
            except (BoardError, TypeError, ValueError):
                continue
    return found


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    checkpoint: int | None = None
    tracker: str | None = None

    def __str__(self) -> str:
        return self.message


@dataclass
class VerificationReport:
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ballots: int = 0
    checkpoints: int = 0
    tally: dict[str, Any] | None = None  # recomputed from the ballots (None when withheld)
    withheld: bool = False  # the record holds trackers only (voting open): nothing to count

    @property
    def ok(self) -> bool:
        return not self.problems

    def codes(self) -> set[str]:
        return {p.code for p in self.problems}

    def add(
        self, code: str, message: str, checkpoint: int | None = None, tracker: str | None = None
    ) -> None:
        self.problems.append(Problem(code, message, checkpoint, tracker))

    def summary(self) -> str:
        head = f"{self.ballots} ballots in {self.checkpoints} checkpoints: " + (
            "OK" if self.ok else f"{len(self.problems)} problem(s)"
        )
        if self.withheld:
            head += " (choices withheld until voting closes)"
        return "\n".join([head, *(f"- {p.message}" for p in self.problems), *self.notes])


_CHECKPOINT_FIELDS = {
    "kind": str,
    "seq": int,
    "campaign": str,
    "campaign_hash": str,
    "prev": str,
    "batch_size": int,
    "batch_root": str,
    "total": int,
    "sealed_at": str,
    "signature": str,
}


def verify_board(
    record: Mapping[str, Any],
    *,
    expected_public_key: str | None = None,
    allow_unsealed: bool = False,
    known_checkpoints: Mapping[int, str] | None = None,
    search_limit: int = 1000,
) -> VerificationReport:
    """Re-check a whole record (see docs/verification.md for the steps, in the same order).

    expected_public_key: the key as published elsewhere (the party's site, the protocol); without
    it the record's own key is trusted, which proves integrity but not authorship.
    allow_unsealed: a live board may hold ballots not yet sealed; a final record may not.
    known_checkpoints: {seq: checkpoint hash} saved from an earlier look at the board; a record
    that does not extend them (a rewritten or truncated history) is reported.
    search_limit: batches up to this size are searched to name an added ballot exactly.

    `verify_board_stream` does the same from a file read piece by piece, for boards too large
    to hold in memory as one document.
    """
    check = _Verification(expected_public_key, allow_unsealed, known_checkpoints, search_limit)
    if check.start(record):
        check.ballots(record.get("ballots", []))
        check.finish(record)
    return check.report


#: The keys the checks need before the first ballot can be verified.
_HEAD_KEYS = ("format", "campaign", "public_key", "checkpoints")


def verify_board_stream(
    items: Iterable[tuple[str, Any]],
    *,
    expected_public_key: str | None = None,
    allow_unsealed: bool = False,
    known_checkpoints: Mapping[int, str] | None = None,
    search_limit: int = 1000,
) -> tuple[VerificationReport, dict[str, Any]]:
    """verify_board over the record's top-level (key, value) pairs in file order, as
    `iter_record` yields them: the "ballots" value may be an iterator, consumed once.

    When the format, campaign, public key and checkpoints come before the ballots (the order
    `export_board` writes), each ballot is checked as it is read and then dropped, so memory
    holds only 32 bytes and a checkpoint number per ballot. Otherwise the ballots are kept
    and checked at the end, exactly as verify_board does. Returns the report and the record
    without its ballots (for a summary).
    """
    head: dict[str, Any] = {}
    check = _Verification(expected_public_key, allow_unsealed, known_checkpoints, search_limit)
    streamed = started = False
    for key, value in items:
        if key != "ballots":
            head[key] = value
            continue
        if streamed or not all(k in head for k in _HEAD_KEYS):
            head[key] = list(value) if isinstance(value, Iterator) else value
            streamed = False  # a later "ballots" key wins, as in json.load
            continue
        streamed = True
        started = check.start(head)
        if started:
            check.ballots(value)
        elif isinstance(value, Iterator):
            for _ballot in value:  # read on: the rest of the file must still be valid JSON
                pass
    if not streamed:
        return verify_board(
            head,
            expected_public_key=expected_public_key,
            allow_unsealed=allow_unsealed,
            known_checkpoints=known_checkpoints,
            search_limit=search_limit,
        ), {k: v for k, v in head.items() if k != "ballots"}
    if started:
        check.finish(head)
    return check.report, head


class _Verification:
    """The steps of verify_board, split where the ballots are read: start (format, campaign,
    key, checkpoints, history), ballots (one pass, from a list or an iterator), finish
    (batches, unsealed ballots, tally)."""

    def __init__(self, expected_public_key, allow_unsealed, known_checkpoints, search_limit):
        self.expected_public_key = expected_public_key
        self.allow_unsealed = allow_unsealed
        self.known_checkpoints = known_checkpoints or {}
        self.search_limit = search_limit
        self.report = VerificationReport()
        self.batches: dict[int | None, list[bytes]] = {}
        self.contents = PUBLISHED

    def start(self, record: Mapping[str, Any]) -> bool:
        """False when the record cannot be checked further (its problem is reported)."""
        report = self.report
        if record.get("format") != FORMAT:
            report.add("format", f"format is {record.get('format')!r}, expected {FORMAT!r}")
            return False
        self.contents = record.get("ballot_contents", PUBLISHED)
        if self.contents not in BALLOT_CONTENTS:
            report.add(
                "format",
                f"ballot_contents is {self.contents!r}, expected one of {list(BALLOT_CONTENTS)}",
            )
            return False
        report.withheld = self.contents == WITHHELD
        try:
            self.campaign = Campaign.from_dict(record["campaign"])
        except (BoardError, KeyError) as exc:
            report.add("campaign", f"campaign description is malformed: {exc}")
            return False
        try:
            key_text = record["public_key"]
            self.public_key = load_public_key(key_text)
        except (BoardError, KeyError, ValueError, TypeError) as exc:
            report.add("public_key", f"public key is malformed: {exc}")
            return False
        expected = self.expected_public_key
        if expected is not None and load_public_key(expected).public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        ) != _unb64(key_text, 32):
            report.add(
                "public_key",
                "the record's public key is not the published one: its signatures prove nothing",
            )
        self.checkpoints = _verify_checkpoints(
            record.get("checkpoints", []), self.campaign, self.public_key, report
        )
        for seq, saved in sorted(self.known_checkpoints.items()):
            cp = self.checkpoints.get(seq)
            if cp is None:
                report.add(
                    "history", f"checkpoint {seq}, seen before, is missing from the record", seq
                )
            elif _checkpoint_hash(cp) != saved:
                report.add(
                    "history",
                    f"checkpoint {seq} differs from the one seen before (history rewritten)",
                    seq,
                )
        return True

    def ballots(self, raw: Any) -> None:
        verify = _verify_withheld_ballots if self.contents == WITHHELD else _verify_ballots
        self.batches = verify(raw, self.campaign, self.checkpoints, self.report)

    def finish(self, record: Mapping[str, Any]) -> None:
        report = self.report
        if record.get("ballot_contents", PUBLISHED) != self.contents:
            # only a streamed record whose ballot_contents comes after its ballots gets here
            report.add(
                "format",
                "ballot_contents must come before the ballots when the record is read as a stream",
            )
        for seq, cp in self.checkpoints.items():
            _verify_batch(cp, self.batches.get(seq, []), report, self.search_limit)
        unsealed = self.batches.get(None, [])
        if unsealed:
            msg = f"{len(unsealed)} ballot(s) are not sealed in any checkpoint"
            if self.allow_unsealed:
                report.notes.append(msg + " (voting still open)")
            else:
                for raw in unsealed:
                    tracker = raw.hex()
                    report.add("unsealed", f"ballot {tracker} is in no checkpoint", None, tracker)
        if self.contents == WITHHELD:
            if "tally" in record:
                report.add(
                    "tally",
                    "the record withholds the ballots' choices (voting open) but carries a "
                    "tally: a running count must not be published",
                )
            report.notes.append(
                "The ballots' choices are withheld until voting closes: this record proves "
                "which ballots are recorded and sealed, not what they hold, and nothing in it "
                "can be counted. Save the last checkpoint's hash and check the full record "
                "against it after the close."
            )
        elif "tally" in record:
            _verify_tally(record["tally"], self.campaign, self.checkpoints, self.public_key, report)
        failed = sum(1 for p in report.problems if p.code == "signature")
        if failed and failed == len(self.checkpoints):
            report.notes.append(
                "No checkpoint signature verifies: the record's public key is probably not the "
                "key that signed it."
            )


def _checkpoint_hash(cp: Mapping[str, Any]) -> str:
    return sha256_hex(canonical_json({k: v for k, v in cp.items() if k != "signature"}))


def _verify_checkpoints(
    raw: Any, campaign: Campaign, key: Ed25519PublicKey, report: VerificationReport
) -> dict[int, dict[str, Any]]:
    """Fields, signatures, the hash chain, totals and times; returns the checkpoints by seq."""
    found: dict[int, dict[str, Any]] = {}
    if not isinstance(raw, list):
        report.add("checkpoint_field", "checkpoints must be a list")
        return found
    campaign_hash = campaign.hash()
    prev_hash, prev_total, prev_time = GENESIS, 0, ""
    for index, cp in enumerate(raw):
        seq = index + 1
        if not isinstance(cp, dict):
            report.add("checkpoint_field", f"checkpoint {seq}: not an object", seq)
            continue
        bad = [
            name
            for name, kind in _CHECKPOINT_FIELDS.items()
            if not isinstance(cp.get(name), kind) or isinstance(cp.get(name), bool)
        ]
        bad += sorted(set(cp) - set(_CHECKPOINT_FIELDS))
        if bad:
            report.add("checkpoint_field", f"checkpoint {seq}: malformed ({', '.join(bad)})", seq)
            continue
        report.checkpoints += 1
        found[seq] = cp
        body = {k: v for k, v in cp.items() if k != "signature"}
        if cp["kind"] != "checkpoint":
            report.add("checkpoint_field", f"checkpoint {seq}: kind is {cp['kind']!r}", seq)
        if cp["seq"] != seq:
            msg = f"checkpoint {seq}: seq is {cp['seq']}, expected {seq}"
            report.add("checkpoint_seq", msg, seq)
        if not verify_signature(key, body, cp["signature"]):
            report.add(
                "signature",
                f"checkpoint {seq}: the signature does not verify with the record's public key "
                "(a field was changed or the signature is not the server's)",
                seq,
            )
        if cp["campaign"] != campaign.slug or cp["campaign_hash"] != campaign_hash:
            report.add(
                "campaign_hash",
                f"checkpoint {seq}: commits to a different campaign description "
                "(title, candidates or choose_up_to changed)",
                seq,
            )
        if cp["prev"] != prev_hash:
            report.add(
                "chain",
                f"checkpoint {seq}: prev does not match the hash of checkpoint {seq - 1}"
                if seq > 1
                else "checkpoint 1: prev is not the genesis value (64 zeros)",
                seq,
            )
        if cp["total"] != prev_total + cp["batch_size"] or cp["batch_size"] < 0:
            report.add(
                "total",
                f"checkpoint {seq}: total {cp['total']} is not the previous total {prev_total} "
                f"plus batch_size {cp['batch_size']}",
                seq,
            )
        if not SEALED_AT_RE.match(cp["sealed_at"]) or cp["sealed_at"] < prev_time:
            report.add(
                "sealed_at",
                f"checkpoint {seq}: sealed_at {cp['sealed_at']!r} is malformed or earlier than "
                "the previous checkpoint's",
                seq,
            )
        if not HEX64_RE.match(cp["batch_root"]):
            msg = f"checkpoint {seq}: batch_root is not 64 hex digits"
            report.add("checkpoint_field", msg, seq)
        prev_hash = _checkpoint_hash(cp)
        prev_total = cp["total"]
        prev_time = max(prev_time, cp["sealed_at"])
    return found


def _verify_ballots(
    raw: Any,
    campaign: Campaign,
    checkpoints: Mapping[int, Any],
    report: VerificationReport,
) -> dict[int | None, list[bytes]]:
    """Each ballot once: tracker recomputed, choices valid, order, uniqueness; tally counted.

    The loop is the hot path for a million ballots: one SHA-256 each, locals bound, no JSON.
    `raw` is a list or an iterator (a streamed file); each ballot is dropped once checked, and
    only its tracker's 32 raw bytes are kept (for the Merkle roots and duplicates).
    Returns the trackers grouped by checkpoint (None: unsealed), in record order.
    """
    batches: dict[int | None, list[bytes]] = {}
    if not isinstance(raw, list | Iterator):
        report.add("ballot_malformed", "ballots must be a list")
        return batches
    prefix = '{"campaign":"' + campaign.slug + '","choices":['
    known = campaign.candidate_ids
    limit = campaign.choose_up_to
    sha = hashlib.sha256
    counts: dict[str, int] = {}
    count_of = counts.get
    blank = 0
    seen: dict[bytes, int | None] = {}
    previous: tuple[int, str] = (0, "")
    nonce_ok = NONCE_RE.match
    tracker_ok = HEX64_RE.match
    add = report.add
    for ballot in raw:
        try:
            tracker, nonce, choices = ballot["tracker"], ballot["nonce"], ballot["choices"]
            seq = ballot["checkpoint"]
            if not (
                len(ballot) == 4
                and type(tracker) is str
                and type(nonce) is str
                and nonce_ok(nonce)
                and type(choices) is list
                and (seq is None or type(seq) is int)
            ):
                raise TypeError
            joined = '","'.join(choices)  # TypeError unless every choice is a string
        except (TypeError, KeyError):
            add("ballot_malformed", f"a ballot entry is malformed: {str(ballot)[:120]}")
            continue
        content = prefix + ('"' + joined + '"' if choices else "") + '],"nonce":"' + nonce + '"}'
        digest = sha(content.encode()).digest()
        if digest.hex() != tracker:
            # only now is the tracker's own form checked: a match proves it is 64 hex digits
            if not tracker_ok(tracker):
                add(
                    "ballot_malformed", f"a ballot's tracker is not 64 hex digits: {tracker[:80]!r}"
                )
                continue
            digest = bytes.fromhex(tracker)  # the batch commits to the tracker as published
            add(
                "ballot_changed",
                f"ballot {tracker}: its tracker does not match its content "
                "(its choices or nonce were changed)",
                seq,
                tracker,
            )
        report.ballots += 1
        if (
            len(choices) > limit
            or not known.issuperset(choices)
            or (len(choices) > 1 and choices != sorted(set(choices)))
        ):
            add(
                "ballot_invalid",
                f"ballot {tracker}: choices are not at most {limit} distinct known candidates "
                "in sorted order",
                seq,
                tracker,
            )
        if digest in seen:
            add(
                "duplicate_tracker",
                f"tracker {tracker} appears more than once (checkpoints {seen[digest]} and {seq})",
                seq,
                tracker,
            )
            continue  # count each tracker once
        seen[digest] = seq
        if seq is not None:
            if seq not in checkpoints:
                add(
                    "ballot_added",
                    f"ballot {tracker} names checkpoint {seq}, which is not in the record "
                    "(a ballot was added, or the checkpoint removed)",
                    seq,
                    tracker,
                )
                continue
            key = (seq, tracker)
            if key < previous:
                add(
                    "reordered",
                    f"checkpoint {seq}: ballot {tracker} is out of order (the record lists "
                    "ballots by checkpoint, then by tracker)",
                    seq,
                    tracker,
                )
            previous = key
            if not choices:
                blank += 1
            for choice in choices:
                counts[choice] = count_of(choice, 0) + 1
        batches.setdefault(seq, []).append(digest)
    sealed = sum(len(v) for k, v in batches.items() if k is not None)
    report.tally = {
        "ballots": sealed,
        "blank": blank,
        "counts": {cid: count_of(cid, 0) for cid, _ in campaign.candidates},
    }
    return batches


def _verify_withheld_ballots(
    raw: Any,
    campaign: Campaign,
    checkpoints: Mapping[int, Any],
    report: VerificationReport,
) -> dict[int | None, list[bytes]]:
    """The ballots of a record published during voting: exactly {tracker, checkpoint} each.

    What can be checked without the choices is checked: each tracker's form, uniqueness, its
    checkpoint, the order; the Merkle roots and sizes are checked by the caller as for the
    full record. Nothing is counted (report.tally stays None).
    """
    batches: dict[int | None, list[bytes]] = {}
    if not isinstance(raw, list | Iterator):
        report.add("ballot_malformed", "ballots must be a list")
        return batches
    seen: dict[bytes, int | None] = {}
    previous: tuple[int, str] = (0, "")
    tracker_ok = HEX64_RE.match
    add = report.add
    for ballot in raw:
        try:
            tracker, seq = ballot["tracker"], ballot["checkpoint"]
            if not (
                len(ballot) == 2
                and type(tracker) is str
                and tracker_ok(tracker)
                and (seq is None or type(seq) is int)
            ):
                raise TypeError
        except (TypeError, KeyError):
            add(
                "ballot_malformed",
                "a ballot entry is malformed (while voting is open a ballot is exactly its "
                f"tracker and checkpoint): {str(ballot)[:120]}",
            )
            continue
        report.ballots += 1
        digest = bytes.fromhex(tracker)
        if digest in seen:
            add(
                "duplicate_tracker",
                f"tracker {tracker} appears more than once (checkpoints {seen[digest]} and {seq})",
                seq,
                tracker,
            )
            continue
        seen[digest] = seq
        if seq is not None:
            if seq not in checkpoints:
                add(
                    "ballot_added",
                    f"ballot {tracker} names checkpoint {seq}, which is not in the record "
                    "(a ballot was added, or the checkpoint removed)",
                    seq,
                    tracker,
                )
                continue
            key = (seq, tracker)
            if key < previous:
                add(
                    "reordered",
                    f"checkpoint {seq}: ballot {tracker} is out of order (the record lists "
                    "ballots by checkpoint, then by tracker)",
                    seq,
                    tracker,
                )
            previous = key
        batches.setdefault(seq, []).append(digest)
    return batches


def _verify_batch(
    cp: Mapping[str, Any], trackers: list[bytes], report: VerificationReport, search_limit: int
) -> None:
    """The ballots under a checkpoint (raw tracker bytes) against its size and Merkle root."""
    seq, size = cp["seq"], cp["batch_size"]
    ordered = sorted(trackers)  # order is checked separately; here only the content
    if len(ordered) == size and merkle_root_raw(ordered) == cp["batch_root"]:
        return
    if len(ordered) < size:
        missing = size - len(ordered)
        report.add(
            "ballot_dropped",
            f"checkpoint {seq}: commits to {size} ballots, the record has {len(ordered)} "
            f"({missing} dropped)",
            seq,
        )
    elif len(ordered) > size:
        extra = len(ordered) - size
        culprit = None
        if extra == 1 and len(ordered) <= search_limit:
            # try leaving each one out: the one whose absence restores the root was added
            for i in range(len(ordered)):
                if merkle_root_raw(ordered[:i] + ordered[i + 1 :]) == cp["batch_root"]:
                    culprit = ordered[i].hex()
                    break
        report.add(
            "ballot_added",
            f"checkpoint {seq}: the record has {len(ordered)} ballots, the checkpoint commits to "
            f"{size} ({extra} added" + (f": ballot {culprit})" if culprit else ")"),
            seq,
            culprit,
        )
    else:
        report.add(
            "batch_mismatch",
            f"checkpoint {seq}: the {size} ballots under it do not match its Merkle root "
            "(a ballot was replaced or moved between checkpoints)",
            seq,
        )


def _verify_tally(
    tally: Any,
    campaign: Campaign,
    checkpoints: Mapping[int, Mapping[str, Any]],
    key: Ed25519PublicKey,
    report: VerificationReport,
) -> None:
    if not isinstance(tally, dict) or not isinstance(tally.get("signature"), str):
        report.add("tally", "the published tally is malformed")
        return
    body = {k: v for k, v in tally.items() if k != "signature"}
    try:
        ok = verify_signature(key, body, tally["signature"])
    except BoardError:
        ok = False
    if not ok:
        report.add("tally_signature", "the published tally's signature does not verify")
    last = max(checkpoints) if checkpoints else None
    if last is None or body.get("checkpoint") != last:
        report.add(
            "tally_checkpoint",
            f"the tally names checkpoint {body.get('checkpoint')}, but the last is {last}",
        )
    else:
        cp = checkpoints[last]
        if body.get("checkpoint_hash") != _checkpoint_hash(cp):
            report.add("tally_checkpoint", "the tally is bound to a different last checkpoint")
    if body.get("kind") != "tally" or body.get("campaign") != campaign.slug:
        report.add("tally", "the tally is not this campaign's tally")
    mine = report.tally or {}
    for name in ("ballots", "blank"):
        if body.get(name) != mine.get(name):
            report.add(
                "tally_mismatch",
                f"tally: published {name} {body.get(name)}, recomputed {mine.get(name)}",
            )
    published = body.get("counts")
    if not isinstance(published, dict):
        report.add("tally", "the tally has no counts")
        return
    for cid in sorted(set(published) | set(mine.get("counts", {}))):
        theirs, ours = published.get(cid), mine.get("counts", {}).get(cid)
        if theirs != ours:
            report.add(
                "tally_mismatch",
                f"tally: candidate {cid} published {theirs}, recomputed from the ballots {ours}",
            )


def find_tracker(record: Mapping[str, Any], tracker: str) -> dict[str, Any] | None:
    """What a member sees when they look up their tracker: the ballot and its checkpoint."""
    tracker = tracker.strip().lower()
    for ballot in record.get("ballots", []):
        if ballot.get("tracker") == tracker:
            seq = ballot.get("checkpoint")
            cps = record.get("checkpoints", [])
            cp = cps[seq - 1] if isinstance(seq, int) and 0 < seq <= len(cps) else None
            return {"ballot": ballot, "checkpoint": cp}
    return None


# --------------------------------------------------------------------------- reading a large record


class RecordSyntaxError(ValueError):
    """The record is not valid JSON (or not an object); lineno/colno are 1-based, as json's."""

    def __init__(self, msg: str, lineno: int, colno: int):
        super().__init__(f"{msg}: line {lineno} column {colno}")
        self.msg, self.lineno, self.colno = msg, lineno, colno


class NotAnObject(ValueError):
    """The file is valid JSON but its top level is not an object."""


_WS = re.compile(r"[ \t\n\r]*")


class _Reader:
    """A JSON text read piece by piece: values are parsed with json's own (C) scanner from a
    buffer that holds the unread part of the current piece, never the whole file."""

    def __init__(self, stream, chunk: int = 1 << 20):
        self.stream = stream
        self.chunk = chunk
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.lines = 0  # newlines in the text already dropped from the buffer
        self.col0 = 0  # characters after the last dropped newline
        self.decode = json.JSONDecoder().raw_decode

    def _fill(self, want: int) -> bool:
        """Append at least `want` characters (if the file has them); False at the end."""
        if self.eof:
            return False
        data = self.stream.read(max(self.chunk, want))
        if not data:
            self.eof = True  # the buffer stays as it was, so error positions still hold
            return False
        if self.pos:
            dropped = self.buf[: self.pos]
            newlines = dropped.count("\n")
            if newlines:
                self.lines += newlines
                self.col0 = len(dropped) - dropped.rfind("\n") - 1
            else:
                self.col0 += len(dropped)
            self.buf = self.buf[self.pos :]
            self.pos = 0
        self.buf += data
        return True

    def error(self, msg: str, pos: int | None = None) -> RecordSyntaxError:
        pos = self.pos if pos is None else pos
        before = self.buf.count("\n", 0, pos)
        if before:
            col = pos - self.buf.rfind("\n", 0, pos)
        else:
            col = self.col0 + pos + 1
        return RecordSyntaxError(msg, self.lines + before + 1, col)

    def peek(self) -> str | None:
        """The next character after whitespace (not consumed), None at the end of the file."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill(0):
                return None

    def value(self) -> Any:
        """The next complete value (the caller has skipped whitespace)."""
        want = 0
        while True:
            try:
                obj, end = self.decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._fill(want):
                    want = 2 * max(want, len(self.buf))  # big values: no quadratic re-parsing
                    continue
                raise self.error(exc.msg, exc.pos) from None
            if end == len(self.buf) and self._fill(0):
                continue  # a number may go on in the next piece
            self.pos = end
            return obj

    def expect(self, char: str, msg: str) -> None:
        if self.peek() != char:
            raise self.error(msg)
        self.pos += 1

    def array(self) -> Iterator[Any]:
        """The elements of the array at the cursor, one at a time."""
        self.pos += 1  # "["
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            if self.peek() is None:
                raise self.error("Expecting value")
            yield self.value()
            char = self.peek()
            if char == ",":
                self.pos += 1
            elif char == "]":
                self.pos += 1
                return
            else:
                raise self.error("Expecting ',' delimiter")


def iter_record(
    stream, *, stream_keys: Iterable[str] = ("ballots",), chunk: int = 1 << 20
) -> Iterator[tuple[str, Any]]:
    """The top-level (key, value) pairs of a record read from a text stream, in file order.

    The value of a key in `stream_keys` that holds an array is an iterator over its elements,
    to be consumed before the next pair is asked for; every other value is parsed whole. Raises
    RecordSyntaxError (json's message, line and column) or NotAnObject.
    """
    streamed = frozenset(stream_keys)
    reader = _Reader(stream, chunk)
    char = reader.peek()
    if char is None:
        raise reader.error("Expecting value")
    if char != "{":
        reader.value()  # a syntax error, or valid JSON that is not an object
        if reader.peek() is not None:
            raise reader.error("Extra data")
        raise NotAnObject("the record must be a JSON object")
    reader.pos += 1
    first = True
    while True:
        char = reader.peek()
        if char == "}" and first:
            reader.pos += 1
            break
        if not first:
            if char == "}":
                reader.pos += 1
                break
            if char != ",":
                raise reader.error("Expecting ',' delimiter")
            reader.pos += 1
            char = reader.peek()
        if char != '"':
            raise reader.error("Expecting property name enclosed in double quotes")
        key = reader.value()
        reader.expect(":", "Expecting ':' delimiter")
        char = reader.peek()
        if char is None:
            raise reader.error("Expecting value")
        if key in streamed and char == "[":
            elements = reader.array()
            yield key, elements
            for _rest in elements:  # whatever the consumer left unread
                pass
        else:
            yield key, reader.value()
        first = False
    if reader.peek() is not None:
        raise reader.error("Extra data")
