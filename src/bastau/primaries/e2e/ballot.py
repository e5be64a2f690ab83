"""The ballot body, its tracker and its checks (section 2, section 3.3, section 4 item 6).

Body, in binary order (sizes follow from the election's questions, in manifest order):

    u64be(version = 1) || phi (32) || X (32) ||
    for each question (n candidates, k_min..k_max):
        n ciphertexts alpha_i || beta_i (64 each) ||
        n 0/1 proofs (224 each; proof i is bound to index i, counted from 0) ||
        the sum proof over [k_min, k_max] (128(k_max - k_min + 1) - 32), omitted exactly when
        k_min = 0 and k_max = n (every sum is then allowed)

Ballot = body || sigma (64). Tracker T = Hd(tracker, body). sigma signs T with the credential.

Randomness for `encrypt_body`, in this order, per question: r_i for every candidate, then each
0/1 proof's draws (candidate 0 first), then the sum proof's draws (see proofs.py).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from . import credentials, group, proofs
from .elgamal import CIPHERTEXT_BYTES, Ciphertext, ciphertext_sum, encrypt
from .hashing import TAG_TRACKER, hd, u64

VERSION = 1
BIT_PROOF_BYTES = proofs.proof_size(0, 1)


class InvalidBallot(ValueError):
    """A ballot that must be refused; the message names the failing part."""


@dataclass(frozen=True)
class Question:
    id: str
    n: int
    k_min: int
    k_max: int

    def __post_init__(self) -> None:
        if not self.id or not isinstance(self.n, int) or self.n < 1:
            raise ValueError(f"question {self.id!r}: no candidates")
        if not 0 <= self.k_min <= self.k_max <= self.n:
            raise ValueError(f"question {self.id!r}: need 0 <= k_min <= k_max <= n")

    @property
    def has_sum_proof(self) -> bool:
        return not (self.k_min == 0 and self.k_max == self.n)

    @property
    def size(self) -> int:
        size = self.n * (CIPHERTEXT_BYTES + BIT_PROOF_BYTES)
        if self.has_sum_proof:
            size += proofs.proof_size(self.k_min, self.k_max)
        return size


@dataclass(frozen=True)
class Election:
    """What a ballot is checked against: phi, the election key Y and the questions."""

    phi: bytes
    y: bytes
    questions: tuple[Question, ...]

    def __post_init__(self) -> None:
        if len(self.phi) != 32:
            raise ValueError("phi is 32 bytes")
        group.decode_point(self.y, what="Y")
        if not self.questions:
            raise ValueError("no questions")
        if len({q.id for q in self.questions}) != len(self.questions):
            raise ValueError("two questions share an id")

    @property
    def body_size(self) -> int:
        return 8 + 32 + 32 + sum(q.size for q in self.questions)


@dataclass(frozen=True)
class QuestionPart:
    ciphertexts: tuple[Ciphertext, ...]
    bit_proofs: tuple[proofs.RangeProof, ...]
    sum_proof: proofs.RangeProof | None


@dataclass(frozen=True)
class Ballot:
    body: bytes
    sigma: bytes
    x_pub: bytes
    parts: tuple[QuestionPart, ...]

    @property
    def tracker(self) -> bytes:
        return tracker(self.body)

    def to_bytes(self) -> bytes:
        return self.body + self.sigma


@dataclass(frozen=True)
class AuditData:
    """What a Benaloh audit reveals: per question, the choices m_i and the randomness r_i."""

    choices: tuple[tuple[int, ...], ...]
    randomness: tuple[tuple[bytes, ...], ...]


def tracker(body: bytes) -> bytes:
    return hd(TAG_TRACKER, body)


def encrypt_body(
    election: Election, x_pub: bytes, choices: list[list[int]], rng
) -> tuple[bytes, AuditData]:
    if len(choices) != len(election.questions):
        raise ValueError("one list of choices per question")
    out = [u64(VERSION), election.phi, group.decode_point(x_pub, what="X")]
    all_r = []
    for q, ms in zip(election.questions, choices, strict=True):
        if len(ms) != q.n or any(m not in (0, 1) for m in ms):
            raise ValueError(f"question {q.id}: choose 0 or 1 for each of {q.n} candidates")
        total = sum(ms)
        if not q.k_min <= total <= q.k_max:
            raise ValueError(f"question {q.id}: {total} chosen, allowed {q.k_min}..{q.k_max}")
        rs = [rng.scalar() for _ in ms]
        cts = [encrypt(election.y, m, r) for m, r in zip(ms, rs, strict=True)]
        bits = [
            proofs.prove_bit(election.phi, q.id, x_pub, i, election.y, ct, m, r, rng)
            for i, (ct, m, r) in enumerate(zip(cts, ms, rs, strict=True))
        ]
        out += [ct.to_bytes() for ct in cts]
        out += [p.to_bytes() for p in bits]
        if q.has_sum_proof:
            r_sum = group.ZERO
            for r in rs:
                r_sum = group.s_add(r_sum, r)
            total_ct = ciphertext_sum(cts)
            sp = proofs.prove_sum(
                election.phi, q.id, x_pub, q.n, q.k_min, q.k_max, election.y, total_ct,
                total, r_sum, rng,
            )  # fmt: skip
            out.append(sp.to_bytes())
        all_r.append(tuple(rs))
    body = b"".join(out)
    return body, AuditData(tuple(tuple(ms) for ms in choices), tuple(all_r))


def sign_body(election: Election, body: bytes, x: bytes, rng) -> bytes:
    """body || sigma: the ballot to cast (never a body that was audited)."""
    x_pub = body[40:72]
    return body + credentials.sign(election.phi, x, x_pub, tracker(body), rng)


def decode(election: Election, data: bytes) -> Ballot:
    """Strict decoding: exact length, version, phi, canonical points and scalars, no identity."""
    if not isinstance(data, bytes):
        raise InvalidBallot("not bytes")
    size = election.body_size + credentials.SIGMA_BYTES
    if len(data) != size:
        raise InvalidBallot(f"ballot: {len(data)} bytes, expected {size}")
    body, sigma = data[:-64], data[-64:]
    if body[:8] != u64(VERSION):
        raise InvalidBallot("ballot: unknown version")
    if body[8:40] != election.phi:
        raise InvalidBallot("ballot: phi is another election's")
    try:
        x_pub = group.decode_point(body[40:72], what="X")
        off = 72
        parts = []
        for q in election.questions:
            cts = []
            for i in range(q.n):
                cts.append(Ciphertext.from_bytes(body[off : off + 64], f"{q.id}[{i}] ciphertext"))
                off += 64
            bits = []
            for i in range(q.n):
                chunk = body[off : off + BIT_PROOF_BYTES]
                bits.append(proofs.RangeProof.from_bytes(chunk, 0, 1, f"{q.id}[{i}] 0/1 proof"))
                off += BIT_PROOF_BYTES
            sp = None
            if q.has_sum_proof:
                size = proofs.proof_size(q.k_min, q.k_max)
                chunk = body[off : off + size]
                sp = proofs.RangeProof.from_bytes(chunk, q.k_min, q.k_max, f"{q.id} sum proof")
                off += size
            parts.append(QuestionPart(tuple(cts), tuple(bits), sp))
        for what, s in (("sigma c", sigma[:32]), ("sigma s", sigma[32:])):
            group.decode_scalar(s, what=what)
    except group.EncodingError as e:
        raise InvalidBallot(str(e)) from None
    assert off == len(body)
    return Ballot(body, sigma, x_pub, tuple(parts))


@dataclass(frozen=True)
class Encoded:
    """A ballot whose encoding `check_encoding` found sound: what the cast needs of it."""

    body: bytes
    sigma: bytes
    x_pub: bytes
    tracker: bytes  # Hd(tracker, body), hashed once (the cast reads it three times)


@functools.lru_cache(maxsize=64)
def _layout(election: Election) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """The offsets in a ballot (body || sigma), in the order decode reads them, of: the points
    the request path checks (X and every ciphertext's alpha_i, beta_i), every scalar (the proofs'
    c_j and v_j, sigma's c and s), and the proofs' commitment points (A_j, B_j), which are
    checked with the proofs, off the request path (docs/verification.md, "The cast's request
    path")."""
    points = [40]
    scalars = []
    commitments = []
    off = 72
    for q in election.questions:
        points += range(off, off + 64 * q.n, 32)  # alpha_i, beta_i
        off += 64 * q.n
        ranges = [(0, 1)] * q.n + ([(q.k_min, q.k_max)] if q.has_sum_proof else [])
        for lo, hi in ranges:
            n = hi - lo + 1
            commitments += range(off, off + 64 * n, 32)  # A_j, B_j
            off += 64 * n
            scalars += range(off, off + 32 * (2 * n - 1), 32)  # c_j (n - 1), v_j (n)
            off += 32 * (2 * n - 1)
    scalars += [off, off + 32]  # sigma's c and s
    return tuple(points), tuple(scalars), tuple(commitments)


def check_encoding(election: Election, data: bytes) -> Encoded:
    """The cast's request-path check: exact length, version, phi, X and every ciphertext a
    canonical point other than the identity, every scalar (the proofs' and sigma's) below l;
    decode's rules and refusals for all of these (on a failure decode names the part).

    Not checked here: the encodings of the proofs' commitment points (A_j, B_j: 334 of a
    73-candidate ballot's 481 points). They are part of the proofs and are checked with them
    off the request path (`verify`, run by the server's proof check): a ballot with a badly
    encoded commitment fails that check like any failing proof, and is rejected on the record
    with the ballot as evidence and never counted."""
    size = election.body_size + credentials.SIGMA_BYTES
    points, scalars, commitments = _layout(election)
    if (
        isinstance(data, bytes)
        and len(data) == size
        and data[:8] == u64(VERSION)
        and data[8:40] == election.phi
        and group.all_valid(data, points, scalars)
    ):
        body = data[:-64]
        return Encoded(body, data[-64:], data[40:72], tracker(body))
    if isinstance(data, bytes) and len(data) == size:
        # name the failing part among those checked here: the commitments stand in as G
        patched = bytearray(data)
        for off in commitments:
            patched[off : off + 32] = group.G
        data = bytes(patched)
    decode(election, data)  # raises InvalidBallot naming the part
    raise InvalidBallot("ballot: not canonical")  # pragma: no cover - decode found it sound


def verify(election: Election, data: bytes) -> Ballot:
    """Section 4 item 6 without the record: decode, sigma, every 0/1 proof, every sum proof.

    Returns the decoded ballot; raises InvalidBallot naming the first failing part. (Whether X is
    on the credential list, unused and not void is the record's check.)
    """
    b = decode(election, data)
    if not credentials.verify(election.phi, b.x_pub, b.tracker, b.sigma):
        raise InvalidBallot("ballot: sigma does not verify")
    _verify_proofs(election, b)
    return b


def _verify_proofs(election: Election, b: Ballot) -> None:
    for q, part in zip(election.questions, b.parts, strict=True):
        for i, (ct, pr) in enumerate(zip(part.ciphertexts, part.bit_proofs, strict=True)):
            if not proofs.verify_bit(election.phi, q.id, b.x_pub, i, election.y, ct, pr):
                raise InvalidBallot(f"{q.id}[{i}]: 0/1 proof does not verify")
        if part.sum_proof is not None:
            total = ciphertext_sum(part.ciphertexts)
            if not proofs.verify_sum(
                election.phi, q.id, b.x_pub, q.n, q.k_min, q.k_max, election.y, total,
                part.sum_proof,
            ):  # fmt: skip
                raise InvalidBallot(f"{q.id}: sum proof does not verify")


def check_audit(election: Election, body: bytes, audit: AuditData) -> bool:
    """Benaloh: the revealed choices and randomness reproduce every ciphertext of the body, and
    the body's proofs verify. (An audited body is never signed, so sigma is not checked.)"""
    try:
        b = decode(election, body + bytes(64))
        _verify_proofs(election, b)
    except InvalidBallot:
        return False
    for q, part, ms, rs in zip(
        election.questions, b.parts, audit.choices, audit.randomness, strict=True
    ):
        if len(ms) != q.n or len(rs) != q.n:
            return False
        for ct, m, r in zip(part.ciphertexts, ms, rs, strict=True):
            if m not in (0, 1):
                return False
            try:
                if encrypt(election.y, m, group.decode_scalar(r)) != ct:
                    return False
            except (ValueError, group.EncodingError):
                return False
        if not q.k_min <= sum(ms) <= q.k_max:
            return False
    return True
