"""The encrypted record `bastau-e2e/1`: events, the writer the server uses, manifest, credential
list, receipts and heads (docs/verification.md, "Encrypted campaigns").

The record is JSON Lines: each line is the canonical bytes (canonical.dumps) of one event,
followed by a single "\\n". An event has exactly the fields

    {"seq": int, "prev": b64(32), "type": str, "day": "YYYY-MM-DD", "payload": object,
     "sig": b64(64), "cosigs": [{"key": b64(32), "sig": b64(64)}, ...]}

with d = Hd(payload, canonical(payload)) and h = Hd(event, u64(seq), prev, text(type), d,
text(day)); sig is the server's Ed25519 signature of kind "event" on h, each cosig an observer's
of kind "observer" on h (sorted by key, one per observer). seq runs 0, 1, 2, ...; event 0 has
prev = phi, every later event the previous h. Types, in order: SETUP, then BATCH / REJECT / VOID
in any mix, CLOSE, TALLY, SHARE (one per trustee), RESULT.

Nothing here touches Django or a database: the server keeps the lines and calls these functions.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuidlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import ballot, canonical, group, merkle, signing, tally
from .elgamal import Ciphertext
from .hashing import (
    TAG_CREDENTIAL_LEAF,
    TAG_CREDENTIALS,
    TAG_ELECTION,
    TAG_EVENT,
    TAG_PAYLOAD,
    TAG_RECEIPT,
    TAG_SHARE,
    TAG_TRUSTEES,
    TAG_VOID,
    b64d,
    b64e,
    hd,
    text,
    u64,
)

FORMAT = "bastau-e2e/1"
HEADS_FORMAT = "bastau-e2e-heads/1"
GROUP_NAME = "ristretto255"
TYPES = ("SETUP", "BATCH", "REJECT", "VOID", "CLOSE", "TALLY", "SHARE", "RESULT")
CHANNELS = ("online", "paper")
EVENT_FIELDS = frozenset({"seq", "prev", "type", "day", "payload", "sig", "cosigs"})
IDENTITY_CT = bytes(64)  # an empty channel's total: both halves the identity
EMPTY_SHARE = bytes(128)  # the share of an identity alpha: D = identity, no proof needed
YOUTH_FAR = 200  # years: a synthetic birth date this far back is never "youth" (age_below <= 150)


class RecordError(ValueError):
    """A record object the writer or a builder refuses to make."""


# --------------------------------------------------------------------------- hashes and events


def payload_digest(payload: dict) -> bytes:
    return hd(TAG_PAYLOAD, canonical.dumps(payload, "payload"))


def event_hash(seq: int, prev: bytes, type_: str, digest: bytes, day: str) -> bytes:
    return hd(TAG_EVENT, u64(seq), prev, text(type_), digest, text(day))


def election_digest(manifest_bytes: bytes) -> bytes:
    """phi = Hd(election, canonical bytes of the manifest)."""
    return hd(TAG_ELECTION, manifest_bytes)


def trustees_digest(transcript: dict) -> bytes:
    return hd(TAG_TRUSTEES, canonical.dumps(transcript, "trustees"))


def _day_text(day: dt.date | str) -> str:
    if isinstance(day, dt.date):
        return day.isoformat()
    canonical.day({"day": day}, "day", "event")
    return day


@dataclass(frozen=True)
class Event:
    seq: int
    prev: bytes
    type: str
    day: str
    payload: dict
    sig: bytes
    cosigs: tuple[tuple[bytes, bytes], ...] = ()

    @property
    def hash(self) -> bytes:
        return event_hash(self.seq, self.prev, self.type, payload_digest(self.payload), self.day)

    def to_json(self) -> dict:
        return {
            "seq": self.seq,
            "prev": b64e(self.prev),
            "type": self.type,
            "day": self.day,
            "payload": self.payload,
            "sig": b64e(self.sig),
            "cosigs": [{"key": b64e(k), "sig": b64e(s)} for k, s in self.cosigs],
        }

    def line(self) -> bytes:
        return canonical.dumps(self.to_json(), f"event {self.seq}") + b"\n"


def make_event(seq: int, prev: bytes, type_: str, day, payload: dict, server_seed: bytes) -> Event:
    if type_ not in TYPES:
        raise RecordError(f"unknown event type {type_!r}")
    day_s = _day_text(day)
    h = event_hash(seq, prev, type_, payload_digest(payload), day_s)
    return Event(seq, prev, type_, day_s, payload, signing.sign(server_seed, "event", h))


def parse_event(line: bytes, where: str = "event") -> Event:
    """Strict: canonical JSON, exact fields and sizes (no signature check here)."""
    if line.endswith(b"\n"):
        line = line[:-1]
    obj = canonical.loads(line, where)
    canonical.fields(obj, EVENT_FIELDS, where)
    seq = canonical.integer(obj, "seq", where)
    where = f"event {seq}"
    prev = canonical.data(obj, "prev", where, 32)
    type_ = canonical.string(obj, "type", where)
    if type_ not in TYPES:
        raise canonical.CanonicalError(f"{where}.type", f"unknown event type {type_!r}")
    where = f"event {seq} {type_}"
    canonical.day(obj, "day", where)
    payload = obj["payload"]
    if not isinstance(payload, dict):
        raise canonical.CanonicalError(f"{where}.payload", "expected an object")
    sig = canonical.data(obj, "sig", where, 64)
    cosigs = []
    for i, c in enumerate(canonical.array(obj, "cosigs", where)):
        w = f"{where}.cosigs[{i}]"
        canonical.fields(c, {"key", "sig"}, w)
        cosigs.append((canonical.data(c, "key", w, 32), canonical.data(c, "sig", w, 64)))
    return Event(seq, prev, type_, obj["day"], payload, sig, tuple(cosigs))


def cosign(line: bytes, observer_seed: bytes) -> bytes:
    """The same event line with this observer's co-signature added (kept sorted by key)."""
    ev = parse_event(line)
    key = signing.public_key(observer_seed)
    sig = signing.sign(observer_seed, "observer", ev.hash)
    cosigs = dict(ev.cosigs)
    cosigs[key] = sig
    ev2 = Event(ev.seq, ev.prev, ev.type, ev.day, ev.payload, ev.sig, tuple(sorted(cosigs.items())))
    return ev2.line()


def add_cosignature(line: bytes, key: bytes, sig: bytes, observers: Iterable[bytes]) -> bytes:
    """The event line with an observer's co-signature (sent to the server) added, after checking
    that the key is a listed observer's and the signature is on this event's hash."""
    if key not in set(observers):
        raise RecordError("not a listed observer's key")
    ev = parse_event(line)
    if not signing.verify(key, "observer", ev.hash, sig):
        raise RecordError("the co-signature does not verify for this event")
    cosigs = dict(ev.cosigs)
    cosigs[key] = sig
    ev2 = Event(ev.seq, ev.prev, ev.type, ev.day, ev.payload, ev.sig, tuple(sorted(cosigs.items())))
    return ev2.line()


# --------------------------------------------------------------------------- heads


def head_of(event: Event) -> dict:
    return {"seq": event.seq, "hash": b64e(event.hash)}


def head(lines: Iterable[bytes]) -> dict:
    """The head {"seq", "hash"} of the last event of a record (lines are not verified here)."""
    last = None
    for line in lines:
        if line.strip():
            last = line
    if last is None:
        raise RecordError("an empty record has no head")
    return head_of(parse_event(last))


def heads_file(phi: bytes, heads: Sequence[dict]) -> bytes:
    """The heads file: canonical JSON + "\\n", heads sorted by seq, one per seq."""
    by_seq = {}
    for h in heads:
        by_seq[h["seq"]] = {"seq": h["seq"], "hash": h["hash"]}
    obj = {
        "format": HEADS_FORMAT,
        "election": b64e(phi),
        "heads": [by_seq[s] for s in sorted(by_seq)],
    }
    return canonical.dumps(obj, "heads") + b"\n"


def read_heads(data: bytes) -> tuple[bytes, list[tuple[int, bytes]]]:
    """(phi, [(seq, hash), ...]) of a heads file; CanonicalError if malformed."""
    if data.endswith(b"\n"):
        data = data[:-1]
    obj = canonical.loads(data, "heads file")
    canonical.fields(obj, {"format", "election", "heads"}, "heads file")
    if obj["format"] != HEADS_FORMAT:
        raise canonical.CanonicalError("heads file.format", f"expected {HEADS_FORMAT}")
    phi = canonical.data(obj, "election", "heads file", 32)
    out = []
    for i, h in enumerate(canonical.array(obj, "heads", "heads file")):
        w = f"heads file.heads[{i}]"
        canonical.fields(h, {"seq", "hash"}, w)
        seq = canonical.integer(h, "seq", w)
        if out and seq <= out[-1][0]:
            raise canonical.CanonicalError(w, "heads must be sorted by seq, one per seq")
        out.append((seq, canonical.data(h, "hash", w, 32)))
    return phi, out


def add_head(existing: bytes | None, phi: bytes, new_head: dict) -> bytes:
    """A heads file with new_head added to the heads already saved (if any, same election)."""
    heads = []
    if existing:
        old_phi, old = read_heads(existing)
        if old_phi != phi:
            raise RecordError("the heads file belongs to another election")
        heads = [{"seq": s, "hash": b64e(h)} for s, h in old]
        for s, h in old:
            if s == new_head["seq"] and b64e(h) != new_head["hash"]:
                raise RecordError(f"the saved head at seq {s} differs: a fork")
    heads.append(new_head)
    return heads_file(phi, heads)


# --------------------------------------------------------------------------- receipts


def receipt_digest(phi: bytes, tracker: bytes, day: str) -> bytes:
    return hd(TAG_RECEIPT, phi, tracker, text(day))


def make_receipt(server_seed: bytes, phi: bytes, tracker: bytes, day) -> dict:
    day_s = _day_text(day)
    sig = signing.sign(server_seed, "receipt", receipt_digest(phi, tracker, day_s))
    return {"election": b64e(phi), "tracker": b64e(tracker), "day": day_s, "sig": b64e(sig)}


def verify_receipt(receipt: dict, server_key: bytes, phi: bytes | None = None) -> bool:
    try:
        canonical.fields(receipt, {"election", "tracker", "day", "sig"}, "receipt")
        r_phi = canonical.data(receipt, "election", "receipt", 32)
        t = canonical.data(receipt, "tracker", "receipt", 32)
        canonical.day(receipt, "day", "receipt")
        sig = canonical.data(receipt, "sig", "receipt", 64)
    except canonical.CanonicalError:
        return False
    if phi is not None and r_phi != phi:
        return False
    return signing.verify(server_key, "receipt", receipt_digest(r_phi, t, receipt["day"]), sig)


# --------------------------------------------------------------------------- credential list


def credential_leaf(question: str, x_pub: bytes) -> bytes:
    return hd(TAG_CREDENTIAL_LEAF, text(question), x_pub)


def credentials_signed_digest(cl_without_sig: dict) -> bytes:
    return hd(TAG_CREDENTIALS, canonical.dumps(cl_without_sig, "credentials"))


def build_credentials(entries: Iterable[tuple[str, bytes]], ca_seed: bytes) -> dict:
    """The CA's signed credential list from (question id, X) pairs, sorted by X bytes."""
    pairs = sorted(((x, q) for q, x in entries), key=lambda p: p[0])
    for i, (x, _q) in enumerate(pairs):
        group.decode_point(x, what="credential X")
        if i and pairs[i - 1][0] == x:
            raise RecordError("a credential appears twice")
    if not pairs:
        raise RecordError("an empty credential list")
    root = merkle.root([credential_leaf(q, x) for x, q in pairs])
    body = {
        "entries": [{"question": q, "key": b64e(x)} for x, q in pairs],
        "count": len(pairs),
        "root": b64e(root),
    }
    return {
        **body,
        "sig": b64e(signing.sign(ca_seed, "credentials", credentials_signed_digest(body))),
    }


def void_entries(keys: Iterable[tuple[str, bytes]]) -> list[dict]:
    """A VOID's credential list: {"key", "question"} sorted by X bytes, each key once."""
    pairs = sorted(((x, q) for q, x in keys), key=lambda p: p[0])
    if not pairs:
        raise RecordError("an empty void")
    for i, (x, _q) in enumerate(pairs):
        if len(x) != 32:
            raise RecordError("a credential X is 32 bytes")
        if i and pairs[i - 1][0] == x:
            raise RecordError(f"credential {b64e(x)} appears twice")
    return [{"key": b64e(x), "question": q} for x, q in pairs]


def void_digest(phi: bytes, entries: list[dict]) -> bytes:
    """What the CA signs (kind "void"): Hd(void, phi, canonical(credentials))."""
    return hd(TAG_VOID, phi, canonical.dumps(entries, "credentials"))


def sign_void(ca_seed: bytes, phi: bytes, keys: Iterable[tuple[str, bytes]]) -> dict:
    """The CA's void file body: {"credentials": [...], "ca_sig"} for (question id, X) pairs."""
    entries = void_entries(keys)
    sig = signing.sign(ca_seed, "void", void_digest(phi, entries))
    return {"credentials": entries, "ca_sig": b64e(sig)}


VOID_FILE_FORMAT = "bastau-e2e-void/1"


def void_file(ca_seed: bytes, phi: bytes, keys: Iterable[tuple[str, bytes]]) -> bytes:
    """The file the credential authority hands to the commission: canonical JSON of
    {"format", "election": b64(phi), "credentials", "ca_sig"} and a newline."""
    body = sign_void(ca_seed, phi, keys)
    return canonical.dumps({"format": VOID_FILE_FORMAT, "election": b64e(phi), **body}) + b"\n"


def read_void_file(data: bytes) -> tuple[bytes, list[tuple[str, bytes]], bytes]:
    """(phi, [(question, X)] in file order, ca_sig) of a void file; CanonicalError if it is
    not exactly one (canonical, sorted by key, each key once). The signature is the caller's."""
    obj = canonical.loads(data.removesuffix(b"\n"), "void")
    canonical.fields(obj, {"format", "election", "credentials", "ca_sig"}, "void")
    if obj["format"] != VOID_FILE_FORMAT:
        raise canonical.CanonicalError("void.format", f"not {VOID_FILE_FORMAT}")
    phi = canonical.data(obj, "election", "void", 32)
    sig = canonical.data(obj, "ca_sig", "void", 64)
    items = canonical.array(obj, "credentials", "void")
    keys = []
    for i, e in enumerate(items):
        w = f"void.credentials[{i}]"
        canonical.fields(e, {"key", "question"}, w)
        keys.append((canonical.string(e, "question", w), canonical.data(e, "key", w, 32)))
    xs = [x for _q, x in keys]
    if not xs or xs != sorted(set(xs)):
        raise canonical.CanonicalError("void.credentials", "must be non-empty, sorted, distinct")
    return phi, keys, sig


class MerkleIndex:
    """Inclusion paths in O(log n) after one pass over the leaves (merkle.py's tree shape).

    Keeps every full, aligned subtree's root level by level (32 bytes per node, about 2n nodes);
    the roots of the few ranges on the right edge are computed once and remembered."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        if not leaves:
            raise RecordError("a Merkle tree needs at least one leaf")
        self.size = len(leaves)
        self.levels = [b"".join(leaves)]
        while len(self.levels[-1]) >= 64:
            prev = self.levels[-1]
            self.levels.append(
                b"".join(
                    merkle.node_hash(prev[i : i + 32], prev[i + 32 : i + 64])
                    for i in range(0, len(prev) - 63, 64)
                )
            )
        self._memo: dict[tuple[int, int], bytes] = {}

    def _root(self, lo: int, size: int) -> bytes:
        if size & (size - 1) == 0 and lo % size == 0:
            level = size.bit_length() - 1
            i = lo // size * 32
            return self.levels[level][i : i + 32]
        got = self._memo.get((lo, size))
        if got is None:
            k = merkle._split(size)
            got = merkle.node_hash(self._root(lo, k), self._root(lo + k, size - k))
            self._memo[(lo, size)] = got
        return got

    @property
    def root(self) -> bytes:
        return self._root(0, self.size)

    def path(self, index: int) -> list[bytes]:
        if not 0 <= index < self.size:
            raise IndexError("leaf index outside the tree")
        out = []
        lo, size = 0, self.size
        while size > 1:
            k = merkle._split(size)
            if index < lo + k:
                out.append(self._root(lo + k, size - k))
                size = k
            else:
                out.append(self._root(lo, k))
                lo, size = lo + k, size - k
        return out[::-1]


class CredentialIndex:
    """The published credential list, indexed for GET credential/?key=: build once per campaign
    (about 100 bytes per credential), then each lookup is a dictionary hit and a Merkle path."""

    def __init__(self, cl: dict) -> None:
        self.keys: dict[bytes, tuple[int, str]] = {}
        leaves = []
        for i, e in enumerate(cl["entries"]):
            x = b64d(e["key"])
            self.keys[x] = (i, e["question"])
            leaves.append(credential_leaf(e["question"], x))
        self.tree = MerkleIndex(leaves)

    def lookup(self, x_pub: bytes) -> dict | None:
        """{"question", "index", "count", "path"} or None when X is not on the list."""
        got = self.keys.get(x_pub)
        if got is None:
            return None
        i, q = got
        path = self.tree.path(i)
        return {"question": q, "index": i, "count": self.tree.size, "path": [b64e(p) for p in path]}


def credential_path(cl: dict, x_pub: bytes) -> dict | None:
    """One lookup without an index (tests, small lists); servers keep a CredentialIndex."""
    return CredentialIndex(cl).lookup(x_pub)


# --------------------------------------------------------------------------- manifest


def candidate(id_: str, name: str, *, woman: bool, youth: bool, disability: bool) -> dict:
    return {"id": id_, "name": name, "woman": woman, "youth": youth, "disability": disability}


def question(
    id_: str, title: str, candidates: list[dict], *, k_max: int, list_length: int, roll: int
) -> dict:
    return {
        "id": id_,
        "title": title,
        "k_min": 0,
        "k_max": k_max,
        "list_length": list_length,
        "roll": roll,
        "candidates": candidates,
    }


def build_manifest(
    *,
    uuid: uuidlib.UUID | str,
    slug: str,
    title: str,
    questions: list[dict],
    election_key: bytes,
    threshold: int,
    trustee_count: int,
    trustees: dict,
    credentials: dict,
    ca_key: bytes,
    server_key: bytes,
    observer_keys: Sequence[bytes] = (),
    opens: dt.datetime,
    closes: dt.datetime,
    rules: dict,
    prefix_mode: bool,
    reference_date: dt.date,
    tie_break_seed: str = "",
) -> dict:
    """The manifest M (exact fields of docs/verification.md); `rules` is the quota rule set's
    data (quota.RuleSet.to_dict(); {"id": "none", "label": "none", "groups": []} for a rating).
    The roll is the sum of the questions' rolls, which must equal the credential count."""
    roll = sum(q["roll"] for q in questions)
    youth_age(rules)  # one youth age at most: each candidate carries one youth flag
    m = {
        "format": FORMAT,
        "uuid": str(uuidlib.UUID(str(uuid))),
        "slug": slug,
        "title": title,
        "group": GROUP_NAME,
        "questions": questions,
        "election_key": b64e(election_key),
        "threshold": threshold,
        "trustee_count": trustee_count,
        "trustees": b64e(trustees_digest(trustees)),
        "credentials": {"root": credentials["root"], "count": credentials["count"]},
        "roll": roll,
        "keys": {
            "ca": b64e(ca_key),
            "server": b64e(server_key),
            "observers": [b64e(k) for k in sorted(bytes(k) for k in observer_keys)],
        },
        "voting": {
            "opens": canonical.format_moment(opens),
            "closes": canonical.format_moment(closes),
        },
        "quota": {
            "rules": rules["id"],
            "custom": rules,
            "prefix_mode": prefix_mode,
            "reference_date": reference_date.isoformat(),
            "tie_break_seed": tie_break_seed,
        },
    }
    if roll != credentials["count"]:
        raise RecordError(f"the roll ({roll}) differs from the credential count")
    return m


def check_cast(phi: bytes, y: bytes, q: dict, data: bytes) -> ballot.Ballot:
    """The server's check of a cast ballot for question q: strict decoding, sigma and every
    proof (ballot.InvalidBallot names the failing part). Whether X is on the list for q, unused
    and not void is the caller's (its database's) check; see docs/verification.md II.3, item 7."""
    return ballot.verify(question_election(phi, y, q), data)


def question_election(phi: bytes, y: bytes, q: dict) -> ballot.Election:
    """The ballot.Election a ballot for question q is made and checked against."""
    return ballot.Election(
        phi, y, (ballot.Question(q["id"], len(q["candidates"]), q["k_min"], q["k_max"]),)
    )


def paper_ballot(phi: bytes, y: bytes, q: dict, choices: list[int], rng) -> bytes:
    """A double-entered paper ballot, encrypted and signed by the server with a fresh one-off
    credential x (never on the credential list): body || sigma."""
    x = rng.scalar()
    while x == group.ZERO:
        x = rng.scalar()
    election = question_election(phi, y, q)
    body, _audit = ballot.encrypt_body(election, group.base_mul(x), [choices], rng)
    return ballot.sign_body(election, body, x, rng)


# --------------------------------------------------------------------------- the lists


def rebuild_list(manifest: dict, q: dict, totals: Sequence[int]) -> list[str]:
    """The quota-adjusted list of question q from its totals, by quota.py's rule: the candidate
    ids in list order ([] when list_length is 0 or no list meets the quotas)."""
    from bastau.primaries import quota

    qd = manifest["quota"]
    rules = quota.RuleSet.from_dict(qd["custom"])
    ref = dt.date.fromisoformat(qd["reference_date"])
    far = dt.date(ref.year - YOUTH_FAR, 1, 1)
    pool = [
        quota.Candidate(
            id=c["id"],
            name=c["name"],
            votes=v,
            gender="F" if c["woman"] else "M",
            birth_date=ref if c["youth"] else far,
            disability=c["disability"],
            registration_order=i,
        )
        for i, (c, v) in enumerate(zip(q["candidates"], totals, strict=True))
    ]
    try:
        built = quota.build_list(
            pool,
            q["list_length"],
            rules,
            ref,
            prefix=qd["prefix_mode"],
            seed=qd["tie_break_seed"] or None,
        )
    except quota.QuotaError:
        return []
    return [row.candidate.id for row in built.rows]


def youth_age(rules: dict) -> int | None:
    """The one youth age limit of a rule set (None without youth); two different ones are
    refused, since each candidate carries one youth flag."""
    ages = set()

    def walk(p):
        if p.get("kind") == "youth":
            ages.add(p["age_below"])
        for sub in p.get("of", ()):
            walk(sub)

    for g in rules.get("groups", ()):
        walk(g["predicate"])
    if len(ages) > 1:
        raise RecordError("a rule set with two youth ages cannot be put on the record")
    return ages.pop() if ages else None


# --------------------------------------------------------------------------- the writer


@dataclass
class _QState:
    n: int
    counts: dict[str, int] = field(default_factory=lambda: {"online": 0, "paper": 0})
    totals: dict[str, list[Ciphertext]] = field(default_factory=dict)


def _ct_bytes(ct: Ciphertext) -> bytes:
    return ct.alpha + ct.beta


class RecordWriter:
    """Builds the record event by event; the server stores each returned line in order.

    RecordWriter.start(...) gives the writer and the SETUP line; .batch(), .reject(), .void(),
    .close(), .tally(), .share(), .result() each return the next line. RecordWriter.resume()
    rebuilds the writer from the lines stored so far. The writer trusts its caller to have
    checked each ballot (ballot.verify) and its credential; the verifier checks everything again.
    """

    def __init__(self, server_seed: bytes, manifest: dict, seq: int, prev: bytes) -> None:
        self.server_seed = server_seed
        self.manifest = manifest
        self.manifest_bytes = canonical.dumps(manifest, "manifest")
        self.phi = election_digest(self.manifest_bytes)
        self.y = b64d(manifest["election_key"])
        self.ca_key = b64d(manifest["keys"]["ca"])
        self.seq = seq
        self.prev = prev
        self.batches = 0
        self.closed = False
        self.questions = {q["id"]: q for q in manifest["questions"]}
        self.q = {q["id"]: _QState(len(q["candidates"])) for q in manifest["questions"]}
        for _qid, st in self.q.items():
            for ch in CHANNELS:
                st.totals[ch] = [Ciphertext(group.IDENTITY, group.IDENTITY)] * st.n
        self.tally_payload: dict | None = None
        self.shares: dict[int, dict] = {}
        self.has_totals = True  # the running ciphertext sums cover every batch

    def state(self, *, totals: bool = False) -> dict:
        """What the server keeps beside the last line to append without replaying the record
        (canonical JSON; small: counts per question, no ciphertexts). With totals=True (a
        writer that holds its running sums) also the ciphertext sums, 64 bytes per candidate
        and channel, so that a writer from this state writes the TALLY without the BATCH
        lines."""
        out = {
            "seq": self.seq,
            "prev": b64e(self.prev),
            "batches": self.batches,
            "closed": self.closed,
            "counts": [
                {"id": qid, "online": st.counts["online"], "paper": st.counts["paper"]}
                for qid, st in self.q.items()
            ],
        }
        if totals:
            if not self.has_totals:
                raise RecordError("this writer holds no ciphertext sums")
            out["totals"] = self.tally_totals()["questions"]
        return out

    @classmethod
    def from_state(cls, server_seed: bytes, manifest: dict, state: dict) -> RecordWriter:
        """A writer for BATCH, REJECT, VOID and CLOSE from `state()`; its TALLY needs the
        BATCH lines (`tally(day, batch_lines=...)`) unless the state holds the totals."""
        w = cls(server_seed, manifest, state["seq"], b64d(state["prev"]))
        w.batches = state["batches"]
        w.closed = state["closed"]
        for c in state["counts"]:
            w.q[c["id"]].counts = {"online": c["online"], "paper": c["paper"]}
        w.has_totals = "totals" in state
        for t in state.get("totals", ()):
            st = w.q[t["id"]]
            for ch in CHANNELS:
                st.totals[ch] = [Ciphertext(b64d(ct)[:32], b64d(ct)[32:]) for ct in t[ch]]
        return w

    # -- plumbing

    def _emit(self, type_: str, day, payload: dict) -> bytes:
        ev = make_event(self.seq, self.prev, type_, day, payload, self.server_seed)
        self.seq += 1
        self.prev = ev.hash
        return ev.line()

    @classmethod
    def start(
        cls, server_seed: bytes, manifest: dict, trustees: dict, credentials: dict, day
    ) -> tuple[RecordWriter, bytes]:
        if b64d(manifest["keys"]["server"]) != signing.public_key(server_seed):
            raise RecordError("the server key in the manifest is not this server's")
        w = cls(server_seed, manifest, 0, b"")
        w.prev = w.phi
        line = w._emit(
            "SETUP", day, {"manifest": manifest, "trustees": trustees, "credentials": credentials}
        )
        return w, line

    @classmethod
    def resume(cls, server_seed: bytes, lines: Iterable[bytes]) -> RecordWriter:
        """The writer after these lines (its own earlier output; not re-verified)."""
        w = None
        for line in lines:
            ev = parse_event(line)
            if w is None:
                if ev.type != "SETUP":
                    raise RecordError("a record starts with SETUP")
                w = cls(server_seed, ev.payload["manifest"], 0, b"")
            w._replay(ev)
            w.seq = ev.seq + 1
            w.prev = ev.hash
        if w is None:
            raise RecordError("no lines")
        return w

    def _replay(self, ev: Event) -> None:
        if ev.type == "BATCH":
            self.batches += 1
            for item in ev.payload["ballots"]:
                self._count(item["question"], item["channel"], b64d(item["ballot"]))
        elif ev.type == "CLOSE":
            self.closed = True
        elif ev.type == "TALLY":
            self.tally_payload = ev.payload
        elif ev.type == "SHARE":
            self.shares[ev.payload["trustee"]] = ev.payload

    def _count(self, qid: str, channel: str, data: bytes) -> None:
        st = self.q[qid]
        st.counts[channel] += 1
        off = 72
        tot = st.totals[channel]
        for i in range(st.n):
            ct = Ciphertext(
                data[off + 64 * i : off + 64 * i + 32], data[off + 64 * i + 32 : off + 64 * i + 64]
            )
            tot[i] = tot[i] + ct

    # -- events

    def batch(self, ballots: Iterable[tuple[str, str, bytes]], day) -> bytes:
        """A BATCH of (question id, "online"|"paper", body || sigma), sorted by tracker."""
        if self.closed:
            raise RecordError("voting is closed")
        items = []
        for qid, channel, data in ballots:
            if qid not in self.q:
                raise RecordError(f"unknown question {qid!r}")
            if channel not in CHANNELS:
                raise RecordError(f"unknown channel {channel!r}")
            items.append((ballot.tracker(data[:-64]), qid, channel, data))
        if not items:
            raise RecordError("an empty batch")
        items.sort(key=lambda it: it[0])
        root = merkle.root([merkle.leaf_hash(t, d[-64:]) for t, _q, _c, d in items])
        payload = {
            "ballots": [{"question": q, "channel": c, "ballot": b64e(d)} for _t, q, c, d in items],
            "root": b64e(root),
        }
        for _t, q, c, d in items:
            self._count(q, c, d)
        self.batches += 1
        return self._emit("BATCH", day, payload)

    def reject(self, items: Iterable[tuple[str, bytes, str]], day) -> bytes:
        """Evidence of refused ballots: (question id, ballot bytes, reason)."""
        if self.closed:
            raise RecordError("voting is closed")
        payload = {
            "ballots": [{"question": q, "ballot": b64e(d), "reason": r} for q, d, r in items]
        }
        if not payload["ballots"]:
            raise RecordError("an empty reject")
        return self._emit("REJECT", day, payload)

    def void(self, keys: Iterable[tuple[str, bytes]], ca_sig: bytes, day) -> bytes:
        """Credentials voided (paper voters', named by the CA, who alone keeps the member ->
        credential map): (question id, X) pairs and the CA's signature over them (void_digest)."""
        if self.closed:
            raise RecordError("voting is closed")
        entries = void_entries(keys)
        if not signing.verify(self.ca_key, "void", void_digest(self.phi, entries), ca_sig):
            raise RecordError("the CA's signature does not verify")
        return self._emit("VOID", day, {"credentials": entries, "ca_sig": b64e(ca_sig)})

    def close(self, closed_at: dt.datetime, day) -> bytes:
        if self.closed:
            raise RecordError("already closed")
        qs = [
            {"id": q["id"], "online": self.q[q["id"]].counts["online"],
             "paper": self.q[q["id"]].counts["paper"]}
            for q in self.manifest["questions"]
        ]  # fmt: skip
        payload = {
            "closed_at": canonical.format_moment(closed_at),
            "ballots": {
                "online": sum(q["online"] for q in qs),
                "paper": sum(q["paper"] for q in qs),
            },
            "batches": self.batches,
            "questions": qs,
        }
        self.closed = True
        return self._emit("CLOSE", day, payload)

    def tally_totals(self) -> dict:
        return {
            "questions": [
                {
                    "id": q["id"],
                    **{
                        ch: [b64e(_ct_bytes(ct)) for ct in self.q[q["id"]].totals[ch]]
                        for ch in CHANNELS
                    },
                }
                for q in self.manifest["questions"]
            ]
        }

    def tally(self, day, batch_lines: Iterable[bytes] | None = None) -> bytes:
        """The TALLY from the writer's running sums, or from `batch_lines` (every BATCH line of
        the record, e.g. streamed from the database) for a writer made by from_state()."""
        if not self.closed:
            raise RecordError("close first")
        if batch_lines is not None:
            counts = {qid: dict(st.counts) for qid, st in self.q.items()}
            for st in self.q.values():
                st.counts = {"online": 0, "paper": 0}
                for ch in CHANNELS:
                    st.totals[ch] = [Ciphertext(group.IDENTITY, group.IDENTITY)] * st.n
            for line in batch_lines:
                ev = parse_event(line)
                if ev.type == "BATCH":
                    for item in ev.payload["ballots"]:
                        self._count(item["question"], item["channel"], b64d(item["ballot"]))
            if counts != {qid: st.counts for qid, st in self.q.items()}:
                for qid, st in self.q.items():
                    st.counts = counts[qid]
                self.has_totals = False
                raise RecordError("the BATCH lines given are not the record's")
            self.has_totals = True
        if not self.has_totals:
            raise RecordError("this writer holds no ciphertext sums: pass batch_lines")
        self.tally_payload = self.tally_totals()
        return self._emit("TALLY", day, self.tally_payload)

    def share(self, payload: dict, day, public_keys=None) -> bytes:
        """A trustee's SHARE payload, as the trustee signed it. With public_keys (the
        ceremony's PublicKeys) it is checked first, so a bad share never enters the record."""
        if self.tally_payload is None:
            raise RecordError("tally first")
        if public_keys is not None:
            problems = share_problems(
                self.phi, self.manifest, self.tally_payload, payload, public_keys
            )
            if problems:
                raise RecordError("; ".join(problems))
        self.shares[payload["trustee"]] = payload
        return self._emit("SHARE", day, payload)

    def result_payload(self, trustees: Sequence[int]) -> dict:
        """Counts from the shares of these trustees (ascending), by combine and BSGS, and the
        quota-adjusted lists."""
        js = sorted(trustees)
        if self.tally_payload is None:
            raise RecordError("tally first")
        qs = []
        for qi, q in enumerate(self.manifest["questions"]):
            tq = self.tally_payload["questions"][qi]
            out = {"id": q["id"]}
            for ch in CHANNELS:
                n_max = self.q[q["id"]].counts[ch]
                bsgs = tally.BabyGiant(n_max)
                counts = []
                for i, total in enumerate(tq[ch]):
                    tb = b64d(total)
                    shares = {j: b64d(self.shares[j]["questions"][qi][ch][i])[:32] for j in js}
                    counts.append(bsgs.log(tally.combine(tb[32:], shares)))
                out[ch] = counts
            out["total"] = [a + b for a, b in zip(out["online"], out["paper"], strict=True)]
            out["list"] = rebuild_list(self.manifest, q, out["total"])
            qs.append(out)
        return {"trustees": js, "questions": qs}

    def result(self, trustees: Sequence[int], day) -> bytes:
        return self._emit("RESULT", day, self.result_payload(trustees))


# --------------------------------------------------------------------------- shares


def share_digest(payload_without_sig: dict) -> bytes:
    return hd(TAG_SHARE, canonical.dumps(payload_without_sig, "share"))


def share_problems(
    phi: bytes, manifest: dict, tally_payload: dict, payload: dict, keys
) -> list[str]:
    """Everything wrong with one SHARE payload against the TALLY (empty list: valid).

    keys: the ceremony's PublicKeys (k: index -> K_j, sign_keys: index -> Ed25519 key).
    """
    out: list[str] = []
    try:
        canonical.fields(payload, {"trustee", "questions", "sig"}, "share")
        j = canonical.integer(payload, "trustee", "share", 1)
    except canonical.CanonicalError as e:
        return [str(e)]
    who = f"trustee {j}"
    if j not in keys.k or j not in keys.sign_keys:
        return [f"{who}: not a trustee of this election"]
    try:
        sig = canonical.data(payload, "sig", who, 64)
    except canonical.CanonicalError as e:
        return [str(e)]
    body = {k: v for k, v in payload.items() if k != "sig"}
    if not signing.verify(keys.sign_keys[j], "share", share_digest(body), sig):
        out.append(f"{who}: the share signature does not verify")
    k_pub = keys.k[j]
    qs = payload["questions"]
    if not isinstance(qs, list) or len(qs) != len(manifest["questions"]):
        return out + [f"{who}: expected one entry per question, in manifest order"]
    for qi, q in enumerate(manifest["questions"]):
        w = f"{who}, question {q['id']}"
        try:
            entry = canonical.fields(qs[qi], {"id", "online", "paper"}, w)
            if entry["id"] != q["id"]:
                out.append(f"{w}: entry {qi} is for {entry['id']!r}")
                continue
            for ch in CHANNELS:
                arr = canonical.array(entry, ch, w)
                if len(arr) != len(q["candidates"]):
                    out.append(f"{w}, {ch}: expected one share per candidate")
                    continue
                for i, c in enumerate(q["candidates"]):
                    wc = f"{w}, {ch}, candidate {c['id']}"
                    item = canonical.data({"x": arr[i]}, "x", wc, 128)
                    total = b64d(tally_payload["questions"][qi][ch][i])
                    a_pt = total[:32]
                    if a_pt == group.IDENTITY:
                        if item != EMPTY_SHARE:
                            out.append(f"{wc}: an empty total's share must be 128 zero bytes")
                        continue
                    try:
                        d = group.decode_point(item[:32], what="D")
                    except group.EncodingError as e:
                        out.append(f"{wc}: {e}")
                        continue
                    if not tally.verify_share(phi, j, k_pub, a_pt, d, item[32:]):
                        out.append(f"{wc}: the decryption proof does not verify")
        except canonical.CanonicalError as e:
            out.append(str(e))
    return out
