"""Decryption shares of the TALLY (section 3.4) as SHARE payloads, and their combination.

TALLY payload: {"questions": [{"id", "online": [b64(alpha||beta)], "paper": [...]}, ...]}.
SHARE payload of trustee j: {"trustee": j, "questions": [{"id", "online": [b64(D||proof)],
"paper": [...]}, ...], "sig"} in the TALLY's order, with D = s_j*A and proof = a || b || z
(tally.decryption_share: e = Hs(decrypt, phi, u64(j), K_j, A, D, a, b), z = w - e*s_j), and
sig = Ed25519 of kind "share" over Hd(bastau/v1/share, canonical(payload without "sig")).

An empty channel's total is the identity (64 zero bytes); s_j*identity is the identity whatever
s_j, so its share entry is 128 zero bytes (nothing to prove), and every other entry must have A,
D and the proof's points non-identity.

`combine` takes the shares that verify (naming each one that does not), uses the t lowest valid
trustee indices, and finds each count by baby-step giant-step up to that channel's number of
ballots: B - sum lambda_j*D_j = count*G.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import canonical, group, signing, tally
from .canonical import CanonicalError
from .ceremony import PublicKeys
from .hashing import PREFIX, b64e, hd

TAG_SHARE = PREFIX + b"share"
CHANNELS = ("online", "paper")
CT_BYTES = 64
ENTRY_BYTES = 32 + tally.SHARE_PROOF_BYTES
EMPTY_CT = bytes(CT_BYTES)
EMPTY_ENTRY = bytes(ENTRY_BYTES)
SHARE_FIELDS = frozenset({"trustee", "questions", "sig"})
QUESTION_FIELDS = frozenset({"id", "online", "paper"})


class ShareError(ValueError):
    """A share or tally that fails; `where` names the trustee, question, channel and candidate;
    `trustee` is the trustee's index when the fault is theirs."""

    def __init__(self, where: str, message: str, trustee: int | None = None) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.trustee = trustee


@dataclass(frozen=True)
class TallyTotals:
    """The parsed TALLY: per question id, per channel, the (A, B) of each candidate."""

    questions: list[tuple[str, dict[str, list[tuple[bytes, bytes]]]]]


def parse_tally(payload: dict) -> TallyTotals:
    where = "TALLY"
    try:
        canonical.fields(payload, {"questions"}, where)
        qs = canonical.array(payload, "questions", where)
        out, seen = [], set()
        for qi, q in enumerate(qs):
            qw = f"{where}.questions[{qi}]"
            canonical.fields(q, QUESTION_FIELDS, qw)
            qid = canonical.string(q, "id", qw)
            if qid in seen:
                raise ShareError(qw, f"question {qid!r} appears twice")
            seen.add(qid)
            chans = {}
            for ch in CHANNELS:
                items = canonical.array(q, ch, qw)
                cts = []
                for ci in range(len(items)):
                    ct = canonical.data(items, ci, f"{qw} ({qid}) {ch}", CT_BYTES)
                    if ct == EMPTY_CT:
                        cts.append((group.IDENTITY, group.IDENTITY))
                        continue
                    cw = f"question {qid} {ch} candidate {ci}"
                    a = group.decode_point(ct[:32], what=f"{cw} alpha")
                    b = group.decode_point(ct[32:], allow_identity=True, what=f"{cw} beta")
                    cts.append((a, b))
                chans[ch] = cts
            if len(chans["online"]) != len(chans["paper"]):
                raise ShareError(qw, "online and paper have different candidate counts")
            out.append((qid, chans))
    except CanonicalError as e:
        raise ShareError(e.where, str(e)) from e
    except group.EncodingError as e:
        raise ShareError(where, str(e)) from e
    return TallyTotals(out)


def share_digest(payload: dict) -> bytes:
    body = {k: v for k, v in payload.items() if k != "sig"}
    return hd(TAG_SHARE, canonical.dumps(body, "SHARE"))


def make_share_payload(
    tally_payload: dict, phi: bytes, j: int, s_j: bytes, k_j: bytes, seed: bytes, rng
) -> dict:
    """Trustee j's signed SHARE for a TALLY the trustee recomputed from a verified record.
    Draw order: one w per non-empty entry, question by question, online then paper, candidate
    by candidate."""
    if group.base_mul(s_j) != k_j:
        raise ShareError(f"trustee {j}", "the secret share does not match K_j", j)
    totals = parse_tally(tally_payload)
    questions = []
    for qid, chans in totals.questions:
        entry = {"id": qid}
        for ch in CHANNELS:
            items = []
            for a, _b in chans[ch]:
                if a == group.IDENTITY:
                    items.append(b64e(EMPTY_ENTRY))
                    continue
                d, proof = tally.decryption_share(phi, j, s_j, k_j, a, rng)
                items.append(b64e(d + proof))
            entry[ch] = items
        questions.append(entry)
    payload = {"trustee": j, "questions": questions}
    payload["sig"] = b64e(signing.sign(seed, "share", share_digest(payload)))
    return payload


def verify_share_payload(
    payload: dict, tally_payload: dict | TallyTotals, phi: bytes, keys: PublicKeys
) -> tuple[int, dict[str, dict[str, list[bytes]]]]:
    """Check a SHARE: fields, a listed trustee, the signature, the TALLY's shape, and every
    proof against K_j. Returns (j, {question: {channel: [D...]}}); raises ShareError naming
    the trustee, question, channel and candidate."""
    totals = tally_payload if isinstance(tally_payload, TallyTotals) else parse_tally(tally_payload)
    where = "SHARE"
    try:
        canonical.fields(payload, SHARE_FIELDS, where)
        j = canonical.integer(payload, "trustee", where, 1, keys.m)
    except CanonicalError as e:
        raise ShareError(e.where, str(e)) from e
    where = f"SHARE of trustee {j}"
    try:
        sig = canonical.data(payload, "sig", where, 64)
        qs = canonical.array(payload, "questions", where)
    except CanonicalError as e:
        raise ShareError(e.where, str(e), j) from e
    if not signing.verify(keys.sign_keys[j], "share", share_digest(payload), sig):
        raise ShareError(where, "bad signature", j)
    if len(qs) != len(totals.questions):
        raise ShareError(where, f"{len(qs)} questions; the TALLY has {len(totals.questions)}", j)
    k_j = keys.k[j]
    out: dict[str, dict[str, list[bytes]]] = {}
    for (qid, chans), q in zip(totals.questions, qs, strict=True):
        qw = f"{where}, question {qid}"
        try:
            canonical.fields(q, QUESTION_FIELDS, qw)
            if q["id"] != qid:
                raise ShareError(qw, f"has question {q['id']!r} in this place", j)
            out[qid] = {}
            for ch in CHANNELS:
                items = canonical.array(q, ch, qw)
                if len(items) != len(chans[ch]):
                    raise ShareError(f"{qw} {ch}", "not one entry per candidate", j)
                ds = []
                for ci, (a, _b) in enumerate(chans[ch]):
                    cw = f"{qw}, {ch}, candidate {ci}"
                    raw = canonical.data(items, ci, cw, ENTRY_BYTES)
                    if a == group.IDENTITY:
                        if raw != EMPTY_ENTRY:
                            raise ShareError(cw, "an empty total's share must be zero bytes", j)
                        ds.append(group.IDENTITY)
                        continue
                    try:
                        d = group.decode_point(raw[:32], what="D")
                    except group.EncodingError as e:
                        raise ShareError(cw, str(e), j) from e
                    if not tally.verify_share(phi, j, k_j, a, d, raw[32:]):
                        raise ShareError(cw, "the decryption proof fails", j)
                    ds.append(d)
                out[qid][ch] = ds
        except CanonicalError as e:
            raise ShareError(e.where, str(e), j) from e
    return j, out


@dataclass
class Combined:
    """`trustees`: the t indices combined (ascending); `counts[question][channel]`: the counts;
    `rejected[j]`: why trustee j's share was skipped."""

    trustees: list[int]
    counts: dict[str, dict[str, list[int]]]
    rejected: dict[int, str] = field(default_factory=dict)


def combine(
    tally_payload: dict,
    share_payloads: list[dict],
    phi: bytes,
    keys: PublicKeys,
    ballots: int | dict[str, dict[str, int]],
) -> Combined:
    """Counts per question and channel from the first t valid shares (lowest indices). Bad
    shares are skipped and named; fewer than t valid shares raise ShareError. `ballots` bounds
    the discrete log: one number, or {question: {channel: number of ballots}}."""
    totals = parse_tally(tally_payload)
    valid: dict[int, dict] = {}
    rejected: dict[int, str] = {}
    for n, payload in enumerate(share_payloads):
        try:
            j, ds = verify_share_payload(payload, totals, phi, keys)
        except ShareError as e:
            who = e.trustee if e.trustee is not None else -(n + 1)
            rejected.setdefault(who, str(e))
            continue
        if j in valid:
            if payload != valid[j]["payload"]:
                rejected[j] = f"SHARE of trustee {j}: two different shares"
            continue
        valid[j] = {"payload": payload, "ds": ds}
    for j in rejected:
        valid.pop(j, None)  # a trustee with a bad or double share is not used at all
    if len(valid) < keys.t:
        names = "; ".join(rejected.values()) or "none"
        raise ShareError(
            "RESULT", f"{len(valid)} valid shares, {keys.t} needed (rejected: {names})"
        )
    use = sorted(valid)[: keys.t]
    lam = tally.lagrange(use)
    tables: dict[int, tally.BabyGiant] = {}
    counts: dict[str, dict[str, list[int]]] = {}
    for qid, chans in totals.questions:
        counts[qid] = {}
        for ch in CHANNELS:
            n_max = ballots if isinstance(ballots, int) else ballots[qid][ch]
            if n_max not in tables:
                tables[n_max] = tally.BabyGiant(n_max)
            out = []
            for ci, (_a, b) in enumerate(chans[ch]):
                acc = b
                for j in use:
                    acc = group.sub(acc, group.mul(lam[j], valid[j]["ds"][qid][ch][ci]))
                try:
                    out.append(tables[n_max].log(acc))
                except tally.TallyError as e:
                    raise ShareError(f"question {qid}, {ch}, candidate {ci}", str(e)) from e
            counts[qid][ch] = out
    return Combined(use, counts, rejected)
