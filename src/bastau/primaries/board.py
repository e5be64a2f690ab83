"""The public bulletin board of a campaign: ballots, trackers, signed checkpoints (DESIGN.md 3.3).

No Django here: the server and any independent verifier share this code, and docs/verification.md
specifies the same record byte by byte so that anyone can write their own verifier.

Shape, in one paragraph. A ballot is {tracker, (list,) nonce, choices}: no voter, no time, and
an id (the tracker) that is a hash over the content and a random 128-bit nonce, so it reveals
no order.
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

Two formats. bastau-board/2 (every campaign opened since it exists) adds what makes the record
stand on its own: the campaign object carries the lists, each candidate's list and quota groups
at the reference date, the rule set, prefix mode, the reference date and the lot's seed; each
ballot names its list inside its tracker; a signed close event (voting window, last checkpoint,
final count) makes a record cut short fail; the tally gives each list's figures and its party
list, which the verifier rebuilds with quota.py's rule. bastau-board/1 (campaigns opened
before) still verifies, with the same strict reading.

Strict reading: every object has exactly its specified fields (hashes and signatures cover whole
objects), and a record with duplicate keys, a byte-order mark, floats, lone surrogates,
non-canonical base64 or impossible dates is refused. Without a pinned public key a record is
intact at best, never a full pass (VerificationReport.full_pass).

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

from bastau.primaries import quota

FORMAT_1 = "bastau-board/1"  # finished plaintext campaigns opened before /2 (no close, no lists)
FORMAT_2 = "bastau-board/2"  # + the close event, each ballot's list, the list rules, per-list tally
FORMATS = (FORMAT_1, FORMAT_2)
FORMAT = FORMAT_1  # the format of a Campaign without lists (kept for callers of /1)
HEADS_FORMAT = "bastau-heads/1"  # a file of saved checkpoint hashes (verify_board --heads)
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
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
LIST_ID_RE = SLUG_RE
B64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}\Z")


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
    """UTF-8 JSON with sorted keys and no whitespace; the bytes every hash and signature covers.

    A string that is not valid Unicode (a lone surrogate, which JSON's \\uD800 escape can
    smuggle in) has no UTF-8 form and is refused, as are floats."""
    _reject_floats(value)
    try:
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BoardError("a string is not valid Unicode (a lone surrogate)") from exc


def valid_text(value: Any) -> bool:
    """A str that is valid Unicode (encodes to UTF-8: no lone surrogate)."""
    if type(value) is not str:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def valid_minute(text: Any) -> bool:
    """`YYYY-MM-DDTHH:MMZ` naming a real minute (no 2026-02-30, no 24:00)."""
    if type(text) is not str or not SEALED_AT_RE.match(text):
        return False
    try:
        dt.datetime.strptime(text, SEALED_AT_FORMAT)
    except ValueError:
        return False
    return True


def valid_date(text: Any) -> bool:
    """`YYYY-MM-DD` naming a real day."""
    if type(text) is not str or not DATE_RE.match(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


class RecordEncodingError(ValueError):
    """The record is JSON, but ambiguous: a duplicate key, a float, NaN, a byte-order mark.

    Two parsers could read such a record differently (one keeping the first of two equal keys,
    another the last), so it is refused outright, naming the object."""


def _describe(pairs: Sequence[tuple[str, Any]]) -> str:
    """Which object a list of JSON (key, value) pairs is, in words, for an error message."""
    d = dict(pairs)
    kind = d.get("kind")
    if type(kind) is str and valid_text(kind):
        seq = d.get("seq", d.get("checkpoint"))
        return f"the {kind[:40]}" + (f" (checkpoint {seq})" if type(seq) is int else "")
    if type(d.get("tracker")) is str:
        return f"ballot {d['tracker'][:64]!r}"
    if "slug" in d and "candidates" in d:
        return "the campaign"
    if "id" in d and "name" in d:
        return f"candidate {str(d['id'])[:64]!r}"
    if "id" in d and "length" in d:
        return f"list {str(d['id'])[:64]!r}"
    if "ballots" in d and "blank" in d:
        return "a per-list tally"
    if "format" in d:
        return "the record"
    return "an object"


def _strict_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise RecordEncodingError(
                    f"duplicate key {key!r} in {_describe(pairs)}: a record may not say a "
                    "thing twice"
                )
            seen.add(key)
    return obj


def _no_float(text: str) -> Any:
    raise RecordEncodingError(
        f"the number {text[:40]} is not an integer: the record holds integers only"
    )


def _no_constant(text: str) -> Any:
    raise RecordEncodingError(f"{text} is not a JSON number")


#: The decoder every record is read with: duplicate keys, floats and NaN/Infinity are refused.
STRICT_DECODER = json.JSONDecoder(
    object_pairs_hook=_strict_pairs, parse_float=_no_float, parse_constant=_no_constant
)


def loads_record(text: str | bytes) -> Any:
    """A record's JSON text, read strictly (no BOM, no duplicate key, no float, no NaN)."""
    if isinstance(text, bytes):
        if text.startswith(b"\xef\xbb\xbf"):
            raise RecordEncodingError("the record starts with a byte-order mark")
        text = text.decode("utf-8")
    if text.startswith("\ufeff"):
        raise RecordEncodingError("the record starts with a byte-order mark")
    value, end = STRICT_DECODER.raw_decode(text, len(text) - len(text.lstrip(" \t\n\r")))
    if text[end:].strip(" \t\n\r"):
        raise json.JSONDecodeError("Extra data", text, end)
    return value


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ballot_bytes(
    campaign_slug: str, choices: Sequence[str], nonce: str, list_id: str | None = None
) -> bytes:
    """canonical_json({"campaign": slug, "choices": sorted ids, "nonce": hex}), built by hand;
    in bastau-board/2 also "list": the ballot's list id (between "choices" and "nonce").

    Why by hand: it is the one per-ballot encoding a verifier repeats a million times, and
    string joins are several times faster than json.dumps. The alphabets above make it exact.
    """
    quoted = '","'.join(choices)
    inner = f'"{quoted}"' if choices else ""
    listed = "" if list_id is None else f'"list":"{list_id}",'
    return (
        f'{{"campaign":"{campaign_slug}","choices":[{inner}],{listed}"nonce":"{nonce}"}}'.encode()
    )


def compute_tracker(
    campaign_slug: str, choices: Sequence[str], nonce: str, list_id: str | None = None
) -> str:
    """tracker = lowercase hex SHA-256 of ballot_bytes; choices must already be sorted."""
    return hashlib.sha256(ballot_bytes(campaign_slug, choices, nonce, list_id)).hexdigest()


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


def unb64_strict(text: Any, size: int | None = None) -> bytes:
    """Canonical standard base64 only: the alphabet, padding, and no stray bits.

    Each value has exactly one spelling in a record: "AA==" and "AB==" decode to the same byte
    in lenient decoders, and whitespace or a missing "=" would let two files differ in bytes
    that no signature covers. So the text must be what re-encoding its bytes gives."""
    if type(text) is not str or len(text) % 4 or not B64_RE.match(text):
        raise BoardError("not canonical base64 (standard alphabet, '=' padding)")
    raw = base64.b64decode(text, validate=True)
    if _b64(raw) != text:
        raise BoardError("not canonical base64 (the unused bits of the last character are set)")
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


def load_public_key(text: str, *, strict: bool = False) -> Ed25519PublicKey:
    """From base64 of the raw 32 bytes, or a SubjectPublicKeyInfo PEM.

    strict: the record's own field: canonical base64 of the 32 bytes, nothing else."""
    if strict:
        return Ed25519PublicKey.from_public_bytes(unb64_strict(text, 32))
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
        key.verify(unb64_strict(signature, 64), canonical_json(dict(body)))
    except (InvalidSignature, BoardError):
        return False
    return True


# --------------------------------------------------------------------------- campaign, ballots


#: The fields of each object, exactly: an object with a field more or less is malformed, so
#: no field can sit in a record outside what its hash or signature is known to cover.
CAMPAIGN_FIELDS_1 = frozenset({"slug", "title", "candidates", "choose_up_to"})
CANDIDATE_FIELDS_1 = frozenset({"id", "name"})
CAMPAIGN_FIELDS_2 = CAMPAIGN_FIELDS_1 | {
    "lists",
    "quota_rules",
    "prefix",
    "reference_date",
    "tie_break_seed",
}
CANDIDATE_FIELDS_2 = CANDIDATE_FIELDS_1 | {"list", "groups"}
LIST_FIELDS = frozenset({"id", "title", "length"})


def _is_int(value: Any) -> bool:
    return type(value) is int


def _fields(obj: Any, expected: frozenset[str], what: str) -> None:
    if not isinstance(obj, dict):
        raise BoardError(f"{what} is not an object")
    extra, missing = sorted(set(obj) - expected), sorted(expected - set(obj))
    if extra:
        raise BoardError(f"{what} has a field that is not in the format: {', '.join(extra)}")
    if missing:
        raise BoardError(f"{what} lacks the field(s) {', '.join(missing)}")


@dataclass(frozen=True)
class ListSpec:
    """One contest of a bastau-board/2 campaign: its own ballot paper and party list."""

    id: str
    title: str
    length: int  # the party list's length; 0: no list is built for this contest


@dataclass(frozen=True)
class Campaign:
    """What the board is about; its canonical JSON hash is in every checkpoint.

    A bastau-board/1 campaign is slug, title, candidates (id, name) and choose_up_to. A
    bastau-board/2 campaign (`lists` is not None) also carries everything needed to recompute
    the party lists: its lists (contests), each candidate's list and quota groups at the
    reference date, the quota rule set, prefix mode, the reference date and the lot's seed.
    """

    slug: str
    title: str
    candidates: tuple[tuple[str, str], ...]  # (id, name) in ballot order
    choose_up_to: int
    lists: tuple[ListSpec, ...] | None = None  # None: bastau-board/1
    candidate_lists: tuple[str, ...] = ()  # /2: each candidate's list id, parallel to candidates
    candidate_groups: tuple[tuple[str, ...], ...] = ()  # /2: each candidate's quota groups
    quota_rules: str = ""  # /2: canonical JSON of the rule set (a str keeps the object hashable)
    prefix: bool = False
    reference_date: str = ""  # /2: YYYY-MM-DD
    tie_break_seed: str | None = None

    def __post_init__(self) -> None:
        if type(self.slug) is not str or not SLUG_RE.match(self.slug):
            raise BoardError(f"campaign slug {self.slug!r}: letters, digits, '-' and '_' only")
        if not valid_text(self.title):
            raise BoardError("the campaign title is not a string of valid Unicode")
        ids = [cid for cid, _ in self.candidates]
        for cid, name in self.candidates:
            if type(cid) is not str or not CANDIDATE_ID_RE.match(cid):
                raise BoardError(f"candidate id {cid!r}: letters, digits, '.', '_' and '-' only")
            if not valid_text(name):
                raise BoardError(f"candidate {cid}: the name is not a string of valid Unicode")
        if len(set(ids)) != len(ids):
            raise BoardError("duplicate candidate ids")
        if not ids:
            raise BoardError("a campaign has at least one candidate")
        k = self.choose_up_to
        # bastau-board/1 tolerates k above the number of candidates (records of campaigns
        # opened before this rule; it lets no ballot name more than the n distinct candidates)
        if not _is_int(k) or k < 1 or (self.lists is not None and k > len(ids)):
            raise BoardError(
                f"choose_up_to must be an integer from 1 to the number of candidates ({len(ids)})"
            )
        if self.lists is not None:
            self._check_lists()

    def _check_lists(self) -> None:
        lists = self.lists or ()
        if not lists:
            raise BoardError("a bastau-board/2 campaign has at least one list")
        list_ids = [spec.id for spec in lists]
        for spec in lists:
            if type(spec.id) is not str or not LIST_ID_RE.match(spec.id):
                raise BoardError(f"list id {spec.id!r}: letters, digits, '-' and '_' only")
            if not valid_text(spec.title):
                raise BoardError(f"list {spec.id}: the title is not a string of valid Unicode")
            if not _is_int(spec.length) or spec.length < 0:
                raise BoardError(f"list {spec.id}: length must be a non-negative integer")
        if len(set(list_ids)) != len(list_ids):
            raise BoardError("duplicate list ids")
        n = len(self.candidates)
        if len(self.candidate_lists) != n or len(self.candidate_groups) != n:
            raise BoardError("every candidate needs a list and groups")
        try:
            rules = quota.RuleSet.from_dict(json.loads(self.quota_rules))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise BoardError(f"quota_rules is not a valid rule set: {exc}") from exc
        if canonical_json(rules.to_dict()).decode() != self.quota_rules:
            raise BoardError("quota_rules is not in its full form (id, label and groups)")
        group_ids = [g.id for g in rules.groups]
        for (cid, _), list_id, groups in zip(
            self.candidates, self.candidate_lists, self.candidate_groups, strict=True
        ):
            if list_id not in list_ids:
                raise BoardError(f"candidate {cid}: list {list_id!r} is not a list of the campaign")
            if list(groups) != [g for g in group_ids if g in groups] or len(set(groups)) != len(
                groups
            ):
                raise BoardError(
                    f"candidate {cid}: groups must be distinct ids of the rule set's groups, "
                    "in the rule set's order"
                )
        for spec in lists:
            if spec.id not in self.candidate_lists:
                raise BoardError(f"list {spec.id} has no candidate")
        if type(self.prefix) is not bool:
            raise BoardError("prefix must be true or false")
        if not valid_date(self.reference_date):
            raise BoardError("reference_date must be a real date, YYYY-MM-DD")
        if self.tie_break_seed is not None and not valid_text(self.tie_break_seed):
            raise BoardError("tie_break_seed must be a string (or null)")

    @property
    def version(self) -> int:
        return 1 if self.lists is None else 2

    @property
    def format(self) -> str:
        return FORMAT_1 if self.lists is None else FORMAT_2

    @property
    def candidate_ids(self) -> frozenset[str]:
        return frozenset(cid for cid, _ in self.candidates)

    def list_of(self) -> dict[str, str]:
        """{candidate id: list id} (bastau-board/2)."""
        return dict(zip((cid for cid, _ in self.candidates), self.candidate_lists, strict=True))

    def rules(self) -> quota.RuleSet:
        return quota.RuleSet.from_dict(json.loads(self.quota_rules))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "slug": self.slug,
            "title": self.title,
            "candidates": [{"id": cid, "name": name} for cid, name in self.candidates],
            "choose_up_to": self.choose_up_to,
        }
        if self.lists is None:
            return data
        for row, list_id, groups in zip(
            data["candidates"], self.candidate_lists, self.candidate_groups, strict=True
        ):
            row["list"] = list_id
            row["groups"] = list(groups)
        data["lists"] = [
            {"id": spec.id, "title": spec.title, "length": spec.length} for spec in self.lists
        ]
        data["quota_rules"] = json.loads(self.quota_rules)
        data["prefix"] = self.prefix
        data["reference_date"] = self.reference_date
        data["tie_break_seed"] = self.tie_break_seed
        return data

    @classmethod
    def from_dict(cls, data: Any, version: int = 1) -> Campaign:
        """The campaign object of a record, checked field by field: exactly the fields of its
        format, each of the right type (a field more, such as "elected", is refused)."""
        v2 = version == 2
        _fields(data, CAMPAIGN_FIELDS_2 if v2 else CAMPAIGN_FIELDS_1, "the campaign")
        raw = data["candidates"]
        if not isinstance(raw, list):
            raise BoardError("the campaign's candidates are not a list")
        for row in raw:
            name = f"candidate {row.get('id')!r}" if isinstance(row, dict) else "a candidate"
            _fields(row, CANDIDATE_FIELDS_2 if v2 else CANDIDATE_FIELDS_1, name)
        kwargs: dict[str, Any] = {}
        if v2:
            lists = data["lists"]
            if not isinstance(lists, list):
                raise BoardError("the campaign's lists are not a list")
            for row in lists:
                label = f"list {row.get('id')!r}" if isinstance(row, dict) else "a list"
                _fields(row, LIST_FIELDS, label)
            for row in raw:
                if not isinstance(row["groups"], list) or not all(
                    type(g) is str for g in row["groups"]
                ):
                    raise BoardError(f"candidate {row['id']!r}: groups is not a list of ids")
            if not isinstance(data["quota_rules"], dict):
                raise BoardError("quota_rules is not an object")
            kwargs = {
                "lists": tuple(ListSpec(r["id"], r["title"], r["length"]) for r in lists),
                "candidate_lists": tuple(r["list"] for r in raw),
                "candidate_groups": tuple(tuple(r["groups"]) for r in raw),
                "quota_rules": canonical_json(data["quota_rules"]).decode(),
                "prefix": data["prefix"],
                "reference_date": data["reference_date"],
                "tie_break_seed": data["tie_break_seed"],
            }
        return cls(
            slug=data["slug"],
            title=data["title"],
            candidates=tuple((c["id"], c["name"]) for c in raw),
            choose_up_to=data["choose_up_to"],
            **kwargs,
        )

    def hash(self) -> str:
        return sha256_hex(canonical_json(self.to_dict()))

    def check_choices(self, choices: Iterable[str], list_id: str | None = None) -> tuple[str, ...]:
        """The canonical (sorted, unique, known, at most k) form of a voter's choices; in a
        bastau-board/2 campaign, candidates of the ballot's list only."""
        chosen = sorted(choices)
        if len(set(chosen)) != len(chosen):
            raise BoardError("a candidate is chosen twice")
        unknown = set(chosen) - self.candidate_ids
        if unknown:
            raise BoardError(f"unknown candidates: {sorted(unknown)}")
        if len(chosen) > self.choose_up_to:
            raise BoardError(f"at most {self.choose_up_to} choices")
        if self.lists is not None:
            if list_id not in {spec.id for spec in self.lists}:
                raise BoardError(f"the ballot's list {list_id!r} is not a list of the campaign")
            of = self.list_of()
            foreign = [cid for cid in chosen if of[cid] != list_id]
            if foreign:
                raise BoardError(f"candidates of another list: {foreign}")
        return tuple(chosen)


@dataclass(frozen=True, slots=True)
class Ballot:
    tracker: str
    nonce: str
    choices: tuple[str, ...]
    checkpoint: int | None = None  # None until sealed
    list: str | None = None  # bastau-board/2: the ballot's list (contest) id

    def to_dict(self, *, withhold: bool = False) -> dict[str, Any]:
        """The ballot as the record lists it; withheld (voting open): tracker and checkpoint."""
        if withhold:
            return {"tracker": self.tracker, "checkpoint": self.checkpoint}
        if self.list is None:
            return {
                "tracker": self.tracker,
                "nonce": self.nonce,
                "choices": list(self.choices),
                "checkpoint": self.checkpoint,
            }
        return {
            "tracker": self.tracker,
            "list": self.list,
            "nonce": self.nonce,
            "choices": list(self.choices),
            "checkpoint": self.checkpoint,
        }


def new_ballot(
    campaign: Campaign,
    choices: Iterable[str],
    nonce: str | None = None,
    list_id: str | None = None,
) -> Ballot:
    """A fresh unsealed ballot; identical choices give different trackers via the nonce.
    In a bastau-board/2 campaign `list_id` names the ballot's list, and the tracker covers it."""
    if campaign.lists is None and list_id is not None:
        raise BoardError("a bastau-board/1 ballot has no list")
    chosen = campaign.check_choices(choices, list_id)
    nonce = secrets.token_hex(16) if nonce is None else nonce
    if not NONCE_RE.match(nonce):
        raise BoardError("a nonce is 32 lowercase hex digits (128 random bits)")
    tracker = compute_tracker(campaign.slug, chosen, nonce, list_id)
    return Ballot(tracker, nonce, chosen, None, list_id)


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


# --------------------------------------------------------------------------- close, tally, lists


def compute_tally(campaign: Campaign, ballots: Iterable[Ballot]) -> dict[str, Any]:
    """{"ballots": N, "blank": ballots with no choice, "counts": {candidate id: votes}}; in
    bastau-board/2 also "lists": {list id: {"ballots": n, "blank": n}}."""
    counts: Counter[str] = Counter()
    total = blank = 0
    per_list: Counter[tuple[str | None, bool]] = Counter()
    for ballot in ballots:
        total += 1
        if not ballot.choices:
            blank += 1
        counts.update(ballot.choices)
        per_list[ballot.list, not ballot.choices] += 1
    tally: dict[str, Any] = {
        "ballots": total,
        "blank": blank,
        "counts": {cid: counts.get(cid, 0) for cid, _ in campaign.candidates},
    }
    if campaign.lists is not None:
        tally["lists"] = {
            spec.id: {
                "ballots": per_list[spec.id, False] + per_list[spec.id, True],
                "blank": per_list[spec.id, True],
            }
            for spec in campaign.lists
        }
    return tally


def build_party_lists(campaign: Campaign, counts: Mapping[str, int]) -> dict[str, list[str] | None]:
    """Each list's party list, by quota.py's rule, from the record alone (bastau-board/2).

    The candidates of the list with their votes, their published quota groups (the record
    carries the groups each candidate counts for at the reference date, not their birth date),
    registration order = their order in the campaign, the rule set, prefix mode and the lot's
    seed. {list id: candidate ids in list order}, or None when the list has length 0 or no
    list meets the quotas (quota.QuotaInfeasible) or there are fewer candidates than its length.
    """
    rules = campaign.rules()
    reference = dt.date.fromisoformat(campaign.reference_date)
    pools: dict[str, list[quota.Candidate]] = {spec.id: [] for spec in campaign.lists or ()}
    groups: dict[str, tuple[str, ...]] = {}
    for order, ((cid, name), list_id, cgroups) in enumerate(
        zip(campaign.candidates, campaign.candidate_lists, campaign.candidate_groups, strict=True)
    ):
        groups[cid] = cgroups
        pools[list_id].append(
            quota.Candidate(
                id=cid,
                name=name,
                votes=int(counts.get(cid, 0)),
                gender="M",  # unused: the groups below are the published ones
                birth_date=reference,
                registration_order=order + 1,
            )
        )
    built: dict[str, list[str] | None] = {}
    for spec in campaign.lists or ():
        if not spec.length:
            built[spec.id] = None
            continue
        try:
            result = quota.build_list(
                pools[spec.id],
                spec.length,
                rules,
                reference,
                prefix=campaign.prefix,
                seed=campaign.tie_break_seed,
                groups=groups,
            )
        except quota.QuotaError:
            built[spec.id] = None
            continue
        built[spec.id] = [row.candidate.id for row in result.rows]
    return built


def close_body(
    campaign: Campaign, last: Checkpoint, voting_starts: str, voting_ends: str
) -> dict[str, Any]:
    """The close event (bastau-board/2): the voting window and the final count of ballots,
    bound to the campaign and to the last checkpoint. Signed like a checkpoint."""
    return {
        "kind": "close",
        "campaign": campaign.slug,
        "campaign_hash": campaign.hash(),
        "voting_starts": voting_starts,
        "voting_ends": voting_ends,
        "checkpoint": last.seq,
        "checkpoint_hash": last.hash(),
        "ballots": last.total,
    }


def sign_close(
    campaign: Campaign,
    last: Checkpoint,
    voting_starts: dt.datetime,
    voting_ends: dt.datetime,
    key: Ed25519PrivateKey,
) -> dict[str, Any]:
    body = close_body(
        campaign, last, format_sealed_at(voting_starts), format_sealed_at(voting_ends)
    )
    return {**body, "signature": sign(key, body)}


def tally_body(
    campaign: Campaign,
    last: Checkpoint,
    tally: Mapping[str, Any],
    close: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The signed tally: counts bound to the campaign and to the last checkpoint's hash; in
    bastau-board/2 also to the close event, with each list's figures and its party list."""
    body = {
        "kind": "tally",
        "campaign": campaign.slug,
        "checkpoint": last.seq,
        "checkpoint_hash": last.hash(),
        "ballots": tally["ballots"],
        "blank": tally["blank"],
        "counts": dict(tally["counts"]),
    }
    if campaign.lists is None:
        return body
    if close is None:
        raise BoardError("a bastau-board/2 tally is bound to the close event")
    built = build_party_lists(campaign, tally["counts"])
    body["close_hash"] = event_hash(close)
    body["lists"] = {
        list_id: {**figures, "list": built[list_id]} for list_id, figures in tally["lists"].items()
    }
    return body


def event_hash(event: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of a signed object without its signature."""
    return sha256_hex(canonical_json({k: v for k, v in event.items() if k != "signature"}))


def sign_tally(
    campaign: Campaign,
    last: Checkpoint,
    ballots: Iterable[Ballot],
    key: Ed25519PrivateKey,
    close: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    body = tally_body(campaign, last, compute_tally(campaign, ballots), close)
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
    close: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The public record; ballots in (checkpoint, tracker) order, unsealed ones (if any) last.

    withhold: the form published while voting is open: each ballot is its tracker and
    checkpoint, nothing from which a choice or a count can be read, and no close, no tally.
    close: the signed close event (bastau-board/2), written before the ballots.
    """
    if withhold and (tally is not None or close is not None):
        raise BoardError("a record that withholds the choices carries no close and no tally")
    ordered = sorted(ballots, key=lambda b: (b.checkpoint is None, b.checkpoint or 0, b.tracker))
    record: dict[str, Any] = {
        "format": campaign.format,
        "ballot_contents": WITHHELD if withhold else PUBLISHED,
        "campaign": campaign.to_dict(),
        "public_key": public_key_to_text(public_key),
        "checkpoints": [c.to_dict() for c in checkpoints],
    }
    if close is not None:
        record["close"] = dict(close)
    record["ballots"] = [b.to_dict(withhold=withhold) for b in ordered]
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
        self.close_event: dict[str, Any] | None = None

    def cast(
        self, choices: Iterable[str], nonce: str | None = None, list_id: str | None = None
    ) -> Ballot:
        if self.tally is not None:
            raise BoardError("voting is closed")
        ballot = new_ballot(self.campaign, choices, nonce, list_id)
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

    def close(self, sealed_at: dt.datetime, opened_at: dt.datetime | None = None) -> dict[str, Any]:
        """Seal what is left, sign the close event (bastau-board/2: voting from `opened_at`,
        by default the first checkpoint's minute, to `sealed_at`) and sign the tally."""
        self.seal(sealed_at)
        if not self.checkpoints:
            self.seal_empty(sealed_at)
        last = self.checkpoints[-1]
        if self.campaign.lists is not None:
            if opened_at is None:
                first = self.checkpoints[0].sealed_at
                opened_at = dt.datetime.strptime(first, SEALED_AT_FORMAT).replace(tzinfo=dt.UTC)
            self.close_event = sign_close(self.campaign, last, opened_at, sealed_at, self.key)
        self.tally = sign_tally(self.campaign, last, self.sealed, self.key, self.close_event)
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
            close=None if withhold else self.close_event,
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


def format_heads(record: Mapping[str, Any]) -> str:
    """The heads file of a record (format bastau-heads/1, docs/verification.md section 3.2):
    what an observer saves to show later that the record was not rewritten."""
    campaign = record.get("campaign")
    slug = campaign.get("slug") if isinstance(campaign, dict) else None
    if type(slug) is not str or not SLUG_RE.match(slug):
        raise BoardError("the record has no valid campaign slug")
    lines = [HEADS_FORMAT, f"campaign {slug}"]
    lines += [f"{seq} {digest}" for seq, digest in sorted(checkpoint_hashes(record).items())]
    return "\n".join(lines) + "\n"


def parse_heads(text: str) -> tuple[str, dict[int, str]]:
    """(campaign slug, {seq: checkpoint hash}) from a bastau-heads/1 file; BoardError naming
    the line when it is not one."""
    lines = [
        (n, line.strip())
        for n, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines or lines[0][1] != HEADS_FORMAT:
        raise BoardError(f"a heads file starts with the line {HEADS_FORMAT!r}")
    if len(lines) < 2 or not lines[1][1].startswith("campaign "):
        raise BoardError("line 2 of a heads file is 'campaign <slug>'")
    slug = lines[1][1].removeprefix("campaign ").strip()
    if not SLUG_RE.match(slug):
        raise BoardError(f"line {lines[1][0]}: {slug!r} is not a campaign slug")
    heads: dict[int, str] = {}
    for n, line in lines[2:]:
        parts = line.split()
        if (
            len(parts) != 2
            or not parts[0].isascii()
            or not parts[0].isdigit()
            or parts[0].startswith("0")
            or not HEX64_RE.match(parts[1])
        ):
            raise BoardError(f"line {n}: expected '<seq> <64 lowercase hex digits>'")
        seq = int(parts[0])
        if heads.setdefault(seq, parts[1]) != parts[1]:
            raise BoardError(f"line {n}: checkpoint {seq} is listed twice, with two hashes")
    if not heads:
        raise BoardError("the heads file lists no checkpoint")
    return slug, heads


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
    format: str | None = None
    trusted_key: str | None = None  # the public key the signatures were checked with
    key_pinned: bool = False  # ... and it was given by the caller, not read from the record
    unfinished: bool = False  # verified as a record taken during voting (no close, no tally)
    lists: dict[str, list[str] | None] | None = None  # /2: the party lists rebuilt

    @property
    def ok(self) -> bool:
        """No problem at all. A full pass also needs a pinned key: see `full_pass`."""
        return not self.problems

    @property
    def full_pass(self) -> bool:
        """Everything verifies, against a key given from outside the record, and the record is
        finished (closed, tallied)."""
        return self.ok and self.key_pinned and not self.unfinished

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
#: The top-level keys of a record: required, and allowed on top of them.
_RECORD_REQUIRED = {
    FORMAT_1: frozenset({"format", "campaign", "public_key", "checkpoints", "ballots"}),
    FORMAT_2: frozenset(
        {"format", "ballot_contents", "campaign", "public_key", "checkpoints", "ballots"}
    ),
}
_RECORD_OPTIONAL = {
    FORMAT_1: frozenset({"ballot_contents", "tally"}),
    FORMAT_2: frozenset({"close", "tally"}),
}
CLOSE_FIELDS = frozenset(
    {
        "kind",
        "campaign",
        "campaign_hash",
        "voting_starts",
        "voting_ends",
        "checkpoint",
        "checkpoint_hash",
        "ballots",
        "signature",
    }
)
TALLY_FIELDS_1 = frozenset(
    {"kind", "campaign", "checkpoint", "checkpoint_hash", "ballots", "blank", "counts", "signature"}
)
TALLY_FIELDS_2 = TALLY_FIELDS_1 | {"close_hash", "lists"}
LIST_TALLY_FIELDS = frozenset({"ballots", "blank", "list"})
_UNSEALED = 1 << 62  # sorts unsealed ballots after every checkpoint


def verify_board(
    record: Mapping[str, Any],
    *,
    expected_public_key: str | None = None,
    allow_unsealed: bool = False,
    known_checkpoints: Mapping[int, str] | None = None,
    search_limit: int = 1000,
    unfinished: bool = False,
    known_campaign: str | None = None,
) -> VerificationReport:
    """Re-check a whole record (see docs/verification.md for the steps, in the same order).

    expected_public_key: the key as published elsewhere (the campaign's page, the protocol);
    without it the record's own key is trusted, which proves integrity but not authorship:
    the report says so (key_pinned False, and full_pass is never True).
    allow_unsealed: a live board may hold ballots not yet sealed; a final record may not.
    known_checkpoints: {seq: checkpoint hash} saved from an earlier look at the board (a heads
    file, or an earlier copy); a record that does not extend them is reported (`history`).
    known_campaign: the slug those heads were saved for (a heads file names it).
    unfinished: verify a record taken while voting is open (no close, no tally) as such;
    without it a record lacking its close or tally fails (`unfinished`): it may be cut.
    search_limit: batches up to this size are searched to name an added ballot exactly.

    `verify_board_stream` does the same from a file read piece by piece, for boards too large
    to hold in memory as one document.
    """
    check = _Verification(
        expected_public_key,
        allow_unsealed,
        known_checkpoints,
        search_limit,
        unfinished,
        known_campaign,
    )
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
    unfinished: bool = False,
    known_campaign: str | None = None,
) -> tuple[VerificationReport, dict[str, Any]]:
    """verify_board over the record's top-level (key, value) pairs in file order, as
    `iter_record` yields them: the "ballots" value may be an iterator, consumed once.

    When the format, campaign, public key and checkpoints (and, in bastau-board/2, the close
    event) come before the ballots (the order `export_board` writes), each ballot is checked
    as it is read and then dropped, so memory holds only 32 bytes and a checkpoint number per
    ballot. Otherwise the ballots are kept and checked at the end, exactly as verify_board
    does. Returns the report and the record without its ballots (for a summary).
    """
    head: dict[str, Any] = {}
    options = (
        expected_public_key,
        allow_unsealed,
        known_checkpoints,
        search_limit,
        unfinished,
        known_campaign,
    )
    check = _Verification(*options)
    streamed = started = False
    for key, value in items:
        if key != "ballots":
            head[key] = value
            continue
        if not all(k in head for k in _HEAD_KEYS):
            head[key] = list(value) if isinstance(value, Iterator) else value
            continue
        streamed = True
        head[key] = []  # stands for the ballots in the key checks
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
            unfinished=unfinished,
            known_campaign=known_campaign,
        ), {k: v for k, v in head.items() if k != "ballots"}
    if started:
        check.finish(head)
    head.pop("ballots", None)
    return check.report, head


class _Verification:
    """The steps of verify_board, split where the ballots are read: start (format, campaign,
    key, checkpoints, close, history), ballots (one pass, from a list or an iterator), finish
    (batches, unsealed ballots, tally, party lists)."""

    def __init__(
        self,
        expected_public_key,
        allow_unsealed,
        known_checkpoints,
        search_limit,
        unfinished=False,
        known_campaign=None,
    ):
        self.expected_public_key = expected_public_key
        self.allow_unsealed = allow_unsealed
        self.known_checkpoints = known_checkpoints or {}
        self.known_campaign = known_campaign
        self.search_limit = search_limit
        self.report = VerificationReport(unfinished=unfinished)
        self.batches: dict[int | None, list[bytes]] = {}
        self.contents = PUBLISHED
        self.close: dict[str, Any] | None = None

    def start(self, record: Mapping[str, Any]) -> bool:
        """False when the record cannot be checked further (its problem is reported)."""
        report = self.report
        fmt = record.get("format")
        if fmt not in FORMATS:
            report.add("format", f"format is {fmt!r}, expected one of {list(FORMATS)}")
            return False
        self.format = report.format = fmt
        keys = set(record)
        missing = sorted(_RECORD_REQUIRED[fmt] - keys - {"ballots"})
        extra = sorted(keys - _RECORD_REQUIRED[fmt] - _RECORD_OPTIONAL[fmt])
        if missing or extra:
            report.add(
                "format",
                "the record "
                + "; ".join(
                    ([f"lacks {', '.join(missing)}"] if missing else [])
                    + ([f"has a key that is not in {fmt}: {', '.join(extra)}"] if extra else [])
                ),
            )
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
            self.campaign = Campaign.from_dict(record["campaign"], 2 if fmt == FORMAT_2 else 1)
        except (BoardError, KeyError, TypeError) as exc:
            report.add("campaign", f"the campaign is malformed: {exc}")
            return False
        key_text = record["public_key"]
        try:
            self.public_key = load_public_key(key_text, strict=True)
        except (BoardError, ValueError, TypeError) as exc:
            report.add("public_key", f"the record's public key is malformed: {exc}")
            return False
        report.trusted_key = key_text
        expected = self.expected_public_key
        if expected is not None:
            report.key_pinned = True
            pinned = public_key_to_text(load_public_key(expected))
            report.trusted_key = pinned
            if pinned != key_text:
                report.add(
                    "public_key",
                    f"the record's public key {key_text} is not the published one {pinned}: "
                    "its signatures prove nothing",
                )
        else:
            report.notes.append(
                "THE KEY WAS NOT PINNED: the signatures were checked with the key the record "
                "carries, which proves the record is intact, not who signed it (anyone can "
                "re-sign a forged record with a key of their own). Pin the key published on "
                "the campaign's public page and in its protocol."
            )
        self.checkpoints = _verify_checkpoints(
            record.get("checkpoints", []), self.campaign, self.public_key, report
        )
        if "close" in record:
            self.close = _verify_close(
                record["close"], self.campaign, self.checkpoints, self.public_key, report
            )
        if self.known_campaign is not None and self.known_campaign != self.campaign.slug:
            report.add(
                "history",
                f"the saved heads are of campaign {self.known_campaign}, not {self.campaign.slug}",
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
        if self.contents == WITHHELD:
            self.batches = _verify_withheld_ballots(
                raw, self.campaign, self.checkpoints, self.report
            )
        else:
            self.batches = _verify_ballots(raw, self.campaign, self.checkpoints, self.report)

    def finish(self, record: Mapping[str, Any]) -> None:
        report = self.report
        if record.get("ballot_contents", PUBLISHED) != self.contents:
            # only a streamed record whose ballot_contents comes after its ballots gets here
            report.add(
                "format",
                "ballot_contents must come before the ballots when the record is read as a stream",
            )
        if "close" in record and self.close is None and "close" not in report.codes():
            report.add(
                "format", "the close event must come before the ballots in a streamed record"
            )
        for seq, cp in self.checkpoints.items():
            _verify_batch(cp, self.batches.get(seq, []), report, self.search_limit)
        unsealed = self.batches.get(None, [])
        if unsealed:
            msg = f"{len(unsealed)} ballot(s) are not sealed in any checkpoint"
            if self.allow_unsealed and self.contents == WITHHELD:
                report.notes.append(msg + " (voting still open)")
            elif self.allow_unsealed and self.format == FORMAT_1:
                report.notes.append(msg + " (a live snapshot)")
            else:
                for raw in unsealed:
                    tracker = raw.hex()
                    report.add("unsealed", f"ballot {tracker} is in no checkpoint", None, tracker)
        if self.contents == WITHHELD:
            for name in ("close", "tally"):
                if name in record:
                    report.add(
                        "tally" if name == "tally" else "close",
                        f"the record withholds the ballots' choices (voting open) but carries "
                        f"a {name}: a running count must not be published, and a closed "
                        "campaign publishes its choices",
                    )
            if not report.unfinished:
                report.add(
                    "unfinished",
                    "the record is unfinished: it withholds the choices and has no close event "
                    "and no tally (a snapshot taken while voting was open, or a record cut "
                    "short). Verify it as an unfinished record (--unfinished) to check it as a "
                    "snapshot.",
                )
            report.notes.append(
                "UNFINISHED RECORD: the ballots' choices are withheld until voting closes: this "
                "record proves which ballots are recorded and sealed, not what they hold, and "
                "nothing in it can be counted. Save its heads and check the full record "
                "against them after the close."
            )
        else:
            self._finish_published(record)
        failed = sum(1 for p in report.problems if p.code == "signature")
        if failed and failed == len(self.checkpoints):
            report.notes.append(
                "No checkpoint signature verifies: the record's public key is probably not the "
                "key that signed it."
            )

    def _finish_published(self, record: Mapping[str, Any]) -> None:
        report = self.report
        missing = [
            name
            for name in (("close", "tally") if self.format == FORMAT_2 else ("tally",))
            if name not in record
        ]
        if missing:
            if report.unfinished:
                report.notes.append(
                    f"UNFINISHED RECORD: it has no {' and no '.join(missing)}; verified as a "
                    "snapshot of an unfinished campaign, so nothing says it is complete."
                )
            else:
                report.add(
                    "unfinished",
                    f"the record has no {' and no '.join(missing)}: it is unfinished or cut "
                    "short (its last checkpoints, close or tally removed)",
                )
        if self.close is not None and self.format == FORMAT_2:
            total = report.tally["ballots"] if report.tally else 0
            if self.close.get("ballots") != total:
                report.add(
                    "close",
                    f"the close event counts {self.close.get('ballots')} ballots, the record "
                    f"holds {total} sealed ones",
                )
        if "tally" in record:
            _verify_tally(
                record["tally"],
                self.campaign,
                self.checkpoints,
                self.public_key,
                report,
                self.close,
            )
        if self.format == FORMAT_1 and not report.problems:
            report.notes.append(
                "bastau-board/1: this record has no signed close event and no party-list rules, "
                "so it cannot prove the voting window, which list each ballot belongs to, or "
                "the quota-adjusted lists; check those against the protocol."
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
            if type(cp.get(name)) is not kind or (kind is str and not valid_text(cp[name]))
        ]
        bad += sorted(set(cp) - set(_CHECKPOINT_FIELDS))
        if bad:
            report.add(
                "checkpoint_field",
                f"checkpoint {seq}: malformed or unexpected field(s) ({', '.join(bad)})",
                seq,
            )
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
                f"checkpoint {seq}: the signature does not verify with the "
                "trusted public key (a field was changed, the signature is not the server's, "
                "or it is not in canonical base64)",
                seq,
            )
        if cp["campaign"] != campaign.slug or cp["campaign_hash"] != campaign_hash:
            report.add(
                "campaign_hash",
                f"checkpoint {seq}: commits to a different campaign description "
                "(a field of the campaign or of a candidate was changed, added or removed)",
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
        if not valid_minute(cp["sealed_at"]) or cp["sealed_at"] < prev_time:
            report.add(
                "sealed_at",
                f"checkpoint {seq}: sealed_at {cp['sealed_at']!r} is not a real UTC minute "
                "(YYYY-MM-DDTHH:MMZ) or is earlier than the previous checkpoint's",
                seq,
            )
        if not HEX64_RE.match(cp["batch_root"]):
            msg = f"checkpoint {seq}: batch_root is not 64 hex digits"
            report.add("checkpoint_field", msg, seq)
        prev_hash = _checkpoint_hash(cp)
        prev_total = cp["total"]
        prev_time = max(prev_time, cp["sealed_at"])
    return found


def _verify_close(
    close: Any,
    campaign: Campaign,
    checkpoints: Mapping[int, Mapping[str, Any]],
    key: Ed25519PublicKey,
    report: VerificationReport,
) -> dict[str, Any] | None:
    """The close event (bastau-board/2): fields, signature, campaign, window, last checkpoint."""
    add = report.add
    if not isinstance(close, dict):
        add("close", "the close event is not an object")
        return None
    extra, missing = sorted(set(close) - CLOSE_FIELDS), sorted(CLOSE_FIELDS - set(close))
    if extra or missing:
        add(
            "close",
            "the close event "
            + "; ".join(
                ([f"has a field that is not in the format: {', '.join(extra)}"] if extra else [])
                + ([f"lacks {', '.join(missing)}"] if missing else [])
            ),
        )
        return None
    strings = ("kind", "campaign", "campaign_hash", "voting_starts", "voting_ends")
    if not all(valid_text(close[n]) for n in (*strings, "checkpoint_hash", "signature")) or not (
        _is_int(close["checkpoint"]) and _is_int(close["ballots"])
    ):
        add("close", "the close event has a field of the wrong type")
        return None
    body = {k: v for k, v in close.items() if k != "signature"}
    if not verify_signature(key, body, close["signature"]):
        add("close", "the close event's signature does not verify with the trusted public key")
    if close["kind"] != "close" or close["campaign"] != campaign.slug:
        add("close", "the close event is not this campaign's close event")
    if close["campaign_hash"] != campaign.hash():
        add("close", "the close event commits to a different campaign description")
    starts, ends = close["voting_starts"], close["voting_ends"]
    if not (valid_minute(starts) and valid_minute(ends)) or starts > ends:
        add(
            "close",
            f"the close event's voting window {starts!r} to {ends!r} is not two real UTC minutes "
            "in order",
        )
    elif checkpoints and checkpoints[min(checkpoints)]["sealed_at"] < starts:
        add("close", "the first checkpoint was sealed before voting opened")
    last = max(checkpoints) if checkpoints else None
    if last is None or close["checkpoint"] != last:
        add(
            "close",
            f"the close event names checkpoint {close['checkpoint']}, but the last is {last} "
            "(checkpoints were cut or added)",
        )
    else:
        cp = checkpoints[last]
        if close["checkpoint_hash"] != _checkpoint_hash(cp):
            add("close", "the close event is bound to a different last checkpoint")
        if close["ballots"] != cp["total"]:
            add(
                "close",
                f"the close event counts {close['ballots']} ballots, the last checkpoint's total "
                f"is {cp['total']}",
            )
    return close


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
    v2 = campaign.lists is not None
    size = 5 if v2 else 4
    list_of = campaign.list_of() if v2 else {}
    per_list = {spec.id: [0, 0] for spec in campaign.lists or ()}  # ballots, blank
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
            list_id = ballot["list"] if v2 else None
            if not (
                len(ballot) == size
                and type(tracker) is str
                and (not v2 or type(list_id) is str)
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
        listed = '],"list":"' + list_id + '","nonce":"' if v2 else '],"nonce":"'
        content = prefix + ('"' + joined + '"' if choices else "") + listed + nonce + '"}'
        # surrogatepass: a lone surrogate hashes to something, and fails as any other change
        digest = sha(content.encode("utf-8", "surrogatepass")).digest()
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
                "(its choices, list or nonce were changed)",
                seq,
                tracker,
            )
        report.ballots += 1
        if (
            len(choices) > limit
            or not known.issuperset(choices)
            or (len(choices) > 1 and choices != sorted(set(choices)))
            or (v2 and (list_id not in per_list or any(list_of[c] != list_id for c in choices)))
        ):
            add(
                "ballot_invalid",
                f"ballot {tracker}: choices are not at most {limit} distinct known candidates "
                "in sorted order" + (" of the ballot's list" if v2 else ""),
                seq,
                tracker,
            )
            list_id = None  # not counted in any list
        if digest in seen:
            add(
                "duplicate_tracker",
                f"tracker {tracker} appears more than once (checkpoints {seen[digest]} and {seq})",
                seq,
                tracker,
            )
            continue  # count each tracker once
        seen[digest] = seq
        if seq is not None and seq not in checkpoints:
            add(
                "ballot_added",
                f"ballot {tracker} names checkpoint {seq}, which is not in the record "
                "(a ballot was added, or the checkpoint removed)",
                seq,
                tracker,
            )
            continue
        key = (_UNSEALED if seq is None else seq, tracker)
        if key < previous:
            add(
                "reordered",
                f"checkpoint {seq}: ballot {tracker} is out of order (the record lists "
                "ballots by checkpoint, then by tracker, unsealed ones last)",
                seq,
                tracker,
            )
        previous = key
        if seq is not None:
            if not choices:
                blank += 1
            for choice in choices:
                counts[choice] = count_of(choice, 0) + 1
            if list_id in per_list:
                figures = per_list[list_id]
                figures[0] += 1
                figures[1] += not choices
        batches.setdefault(seq, []).append(digest)
    sealed = sum(len(v) for k, v in batches.items() if k is not None)
    report.tally = {
        "ballots": sealed,
        "blank": blank,
        "counts": {cid: count_of(cid, 0) for cid, _ in campaign.candidates},
    }
    if v2:
        report.tally["lists"] = {
            lid: {"ballots": n, "blank": b} for lid, (n, b) in per_list.items()
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
        if seq is not None and seq not in checkpoints:
            add(
                "ballot_added",
                f"ballot {tracker} names checkpoint {seq}, which is not in the record "
                "(a ballot was added, or the checkpoint removed)",
                seq,
                tracker,
            )
            continue
        key = (_UNSEALED if seq is None else seq, tracker)
        if key < previous:
            add(
                "reordered",
                f"checkpoint {seq}: ballot {tracker} is out of order (the record lists "
                "ballots by checkpoint, then by tracker, unsealed ones last)",
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
    close: Mapping[str, Any] | None = None,
) -> None:
    v2 = campaign.lists is not None
    expected = TALLY_FIELDS_2 if v2 else TALLY_FIELDS_1
    if not isinstance(tally, dict):
        report.add("tally", "the published tally is not an object")
        return
    extra, missing = sorted(set(tally) - expected), sorted(expected - set(tally))
    if extra or missing:
        report.add(
            "tally",
            "the tally "
            + "; ".join(
                ([f"has a field that is not in the format: {', '.join(extra)}"] if extra else [])
                + ([f"lacks {', '.join(missing)}"] if missing else [])
            ),
        )
        return
    body = {k: v for k, v in tally.items() if k != "signature"}
    try:
        ok = verify_signature(key, body, tally["signature"])
    except (BoardError, TypeError):
        ok = False
    if not ok:
        report.add("tally_signature", "the published tally's signature does not verify")
    last = max(checkpoints) if checkpoints else None
    if last is None or body.get("checkpoint") != last:
        report.add(
            "tally_checkpoint",
            f"the tally names checkpoint {body.get('checkpoint')!r}, but the last is {last}"
            + (" (a finished record has at least one checkpoint)" if last is None else ""),
        )
    else:
        cp = checkpoints[last]
        if body.get("checkpoint_hash") != _checkpoint_hash(cp):
            report.add("tally_checkpoint", "the tally is bound to a different last checkpoint")
    if body.get("kind") != "tally" or body.get("campaign") != campaign.slug:
        report.add("tally", "the tally is not this campaign's tally")
    mine = report.tally or {}
    for name in ("ballots", "blank"):
        if not _is_int(body.get(name)) or body.get(name) != mine.get(name):
            report.add(
                "tally_mismatch",
                f"tally: published {name} {body.get(name)!r}, recomputed {mine.get(name)}",
            )
    published = body.get("counts")
    if not isinstance(published, dict):
        report.add("tally", "the tally has no counts")
        return
    for cid in sorted(set(published) | set(mine.get("counts", {}))):
        theirs, ours = published.get(cid), mine.get("counts", {}).get(cid)
        if not _is_int(theirs) or theirs != ours:
            report.add(
                "tally_mismatch",
                f"tally: candidate {cid} published {theirs!r}, recomputed from the ballots {ours}",
            )
    if v2:
        _verify_tally_lists(body, campaign, report, close)


def _verify_tally_lists(
    body: Mapping[str, Any],
    campaign: Campaign,
    report: VerificationReport,
    close: Mapping[str, Any] | None,
) -> None:
    """bastau-board/2: the tally's close hash, each list's figures, and each party list
    rebuilt by quota.py's rule from the recomputed counts, compared line by line."""
    add = report.add
    if close is None or body.get("close_hash") != event_hash(close):
        add("tally_checkpoint", "the tally is not bound to the record's close event")
    lists = body.get("lists")
    ids = [spec.id for spec in campaign.lists or ()]
    if not isinstance(lists, dict) or sorted(lists) != sorted(ids):
        add("tally", f"the tally's lists are not exactly the campaign's lists {ids}")
        return
    mine = (report.tally or {}).get("lists", {})
    counts = (report.tally or {}).get("counts", {})
    rebuilt = build_party_lists(campaign, counts)
    report.lists = rebuilt
    for list_id in ids:
        entry = lists[list_id]
        if not isinstance(entry, dict) or set(entry) != LIST_TALLY_FIELDS:
            add(
                "tally",
                f"the tally of list {list_id} does not have exactly the fields "
                f"{sorted(LIST_TALLY_FIELDS)}",
            )
            continue
        for name in ("ballots", "blank"):
            ours = mine.get(list_id, {}).get(name)
            if not _is_int(entry[name]) or entry[name] != ours:
                add(
                    "tally_mismatch",
                    f"tally: list {list_id} published {name} {entry[name]!r}, recomputed {ours}",
                )
        theirs, ours = entry["list"], rebuilt[list_id]
        if ours is None or theirs is None:
            if theirs != ours:
                add(
                    "party_list",
                    f"list {list_id}: the tally gives "
                    + ("no list" if theirs is None else f"a list of {len(theirs)}")
                    + ", the rule gives "
                    + (
                        "none (length 0 or no list meets the quotas)" if ours is None else f"{ours}"
                    ),
                )
            continue
        if not isinstance(theirs, list):
            add("party_list", f"list {list_id}: the tally's list is not a list of ids")
            continue
        for line in range(max(len(theirs), len(ours))):
            a = theirs[line] if line < len(theirs) else None
            b = ours[line] if line < len(ours) else None
            if a != b:
                add(
                    "party_list",
                    f"list {list_id} line {line + 1}: the tally says {a!r}, quota.py's rule on "
                    f"the recomputed counts gives {b!r}",
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
        self.decode = STRICT_DECODER.raw_decode

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
    RecordSyntaxError (json's message, line and column) or NotAnObject, and
    RecordEncodingError for valid but ambiguous JSON: a byte-order mark, a duplicate key (at
    the top level or in any object), a float, NaN or Infinity.
    """
    streamed = frozenset(stream_keys)
    reader = _Reader(stream, chunk)
    char = reader.peek()
    if char == "\ufeff":
        raise RecordEncodingError("the record starts with a byte-order mark (U+FEFF)")
    if char is None:
        raise reader.error("Expecting value")
    if char != "{":
        reader.value()  # a syntax error, or valid JSON that is not an object
        if reader.peek() is not None:
            raise reader.error("Extra data")
        raise NotAnObject("the record must be a JSON object")
    reader.pos += 1
    first = True
    keys: set[str] = set()
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
        if key in keys:
            raise RecordEncodingError(f"duplicate key {key!r} in the record")
        keys.add(key)
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
