"""Disjunctive Chaum-Pedersen range proofs in batchable form (sections 2 and 3.3).

Statement: (alpha, beta) = (r*G, m*G + r*Y) encrypts some m in [lo, hi]. For each j in [lo, hi]
the proof carries A_j, B_j; a challenge c_j for every j but the last; a response v_j for every j.
The last c is c - (sum of the others), where c = Hs(tag, statement..., A_lo, B_lo, ..., A_hi, B_hi).
Each j must satisfy  A_j = v_j*G + c_j*alpha  and  B_j = v_j*Y + c_j*(beta - j*G).

Bytes: A_lo || B_lo || ... || A_hi || B_hi || c_lo .. c_(hi-1) || v_lo .. v_hi, that is
64L + 32(L-1) + 32L = 128L - 32 bytes for L = hi - lo + 1 values (224 for a 0/1 proof).

Prover randomness, drawn in this order for j = lo..hi: the true j draws w; every other j draws
c_j then u_j. Then A_j = u_j*G, B_j = u_j*Y + (c_j*(m - j))*G for the simulated j, A = w*G,
B = w*Y for the true one; v_j = u_j - c_j*r and v_true = w - c_true*r.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import group
from .elgamal import Ciphertext
from .hashing import TAG_BIT, TAG_SUM, hs, text, u64


def proof_size(lo: int, hi: int) -> int:
    return 128 * (hi - lo + 1) - 32


@dataclass(frozen=True)
class RangeProof:
    commitments: tuple[tuple[bytes, bytes], ...]  # (A_j, B_j) for j = lo..hi
    challenges: tuple[bytes, ...]  # c_j for j = lo..hi-1
    responses: tuple[bytes, ...]  # v_j for j = lo..hi

    def to_bytes(self) -> bytes:
        return (
            b"".join(a + b for a, b in self.commitments)
            + b"".join(self.challenges)
            + b"".join(self.responses)
        )

    @classmethod
    def from_bytes(cls, b: bytes, lo: int, hi: int, what: str = "proof") -> RangeProof:
        n = hi - lo + 1
        if n < 1:
            raise ValueError("an empty range")
        if len(b) != proof_size(lo, hi):
            raise group.EncodingError(f"{what}: not {proof_size(lo, hi)} bytes")
        commitments = tuple(
            (
                group.decode_point(b[64 * j : 64 * j + 32], what=f"{what} A[{lo + j}]"),
                group.decode_point(b[64 * j + 32 : 64 * j + 64], what=f"{what} B[{lo + j}]"),
            )
            for j in range(n)
        )
        off = 64 * n
        challenges = tuple(
            group.decode_scalar(b[off + 32 * j : off + 32 * j + 32], what=f"{what} c[{lo + j}]")
            for j in range(n - 1)
        )
        off += 32 * (n - 1)
        responses = tuple(
            group.decode_scalar(b[off + 32 * j : off + 32 * j + 32], what=f"{what} v[{lo + j}]")
            for j in range(n)
        )
        return cls(commitments, challenges, responses)


def bit_statement(phi: bytes, question: str, x_pub: bytes, index: int, y: bytes, ct: Ciphertext):
    """The hashed statement of a 0/1 proof: ctx = (phi, question id, X), index, Y, alpha, beta."""
    return (TAG_BIT, (phi, text(question), x_pub, u64(index), y, ct.alpha, ct.beta))


def sum_statement(
    phi: bytes, question: str, x_pub: bytes, n: int, k_min: int, k_max: int, y: bytes, ct
):
    """The hashed statement of a sum proof: ctx, n, k_min, k_max, Y, sum alpha, sum beta."""
    return (
        TAG_SUM,
        (phi, text(question), x_pub, u64(n), u64(k_min), u64(k_max), y, ct.alpha, ct.beta),
    )


def _challenge(statement, commitments) -> bytes:
    tag, parts = statement
    flat = [p for ab in commitments for p in ab]
    return hs(tag, *parts, *flat)


def prove_range(statement, y: bytes, ct: Ciphertext, m: int, r: bytes, lo: int, hi: int, rng):
    if not lo <= m <= hi:
        raise ValueError("the value is outside the range it is proved in")
    commitments = []
    sim_c: dict[int, bytes] = {}
    u: dict[int, bytes] = {}
    w = None
    for j in range(lo, hi + 1):
        if j == m:
            w = rng.scalar()
            commitments.append((group.base_mul(w), group.mul(w, y)))
        else:
            cj = rng.scalar()
            uj = rng.scalar()
            sim_c[j], u[j] = cj, uj
            a = group.base_mul(uj)
            b = group.add(group.mul(uj, y), group.base_mul(group.s_mul(cj, group.scalar(m - j))))
            commitments.append((a, b))
    c = _challenge(statement, commitments)
    c_true = c
    for cj in sim_c.values():
        c_true = group.s_sub(c_true, cj)
    challenges, responses = [], []
    for j in range(lo, hi + 1):
        cj = c_true if j == m else sim_c[j]
        if j < hi:
            challenges.append(cj)
        if j == m:
            responses.append(group.s_sub(w, group.s_mul(c_true, r)))
        else:
            responses.append(group.s_sub(u[j], group.s_mul(cj, r)))
    return RangeProof(tuple(commitments), tuple(challenges), tuple(responses))


def verify_range(statement, y: bytes, ct: Ciphertext, lo: int, hi: int, proof: RangeProof) -> bool:
    """True only if every equation holds. Inputs are decoded values (see RangeProof.from_bytes)."""
    n = hi - lo + 1
    if (
        n < 1
        or len(proof.commitments) != n
        or len(proof.challenges) != n - 1
        or len(proof.responses) != n
    ):
        return False
    c = _challenge(statement, proof.commitments)
    last = c
    for cj in proof.challenges:
        last = group.s_sub(last, cj)
    cs = (*proof.challenges, last)
    for k, j in enumerate(range(lo, hi + 1)):
        a, b = proof.commitments[k]
        cj, vj = cs[k], proof.responses[k]
        if group.add(group.base_mul(vj), group.mul(cj, ct.alpha)) != a:
            return False
        shifted = group.sub(ct.beta, group.small_mul(j))
        if group.add(group.mul(vj, y), group.mul(cj, shifted)) != b:
            return False
    return True


def prove_bit(phi, question, x_pub, index, y, ct, m, r, rng) -> RangeProof:
    return prove_range(bit_statement(phi, question, x_pub, index, y, ct), y, ct, m, r, 0, 1, rng)


def verify_bit(phi, question, x_pub, index, y, ct, proof) -> bool:
    return verify_range(bit_statement(phi, question, x_pub, index, y, ct), y, ct, 0, 1, proof)


def prove_sum(phi, question, x_pub, n, k_min, k_max, y, ct, m, r, rng) -> RangeProof:
    st = sum_statement(phi, question, x_pub, n, k_min, k_max, y, ct)
    return prove_range(st, y, ct, m, r, k_min, k_max, rng)


def verify_sum(phi, question, x_pub, n, k_min, k_max, y, ct, proof) -> bool:
    st = sum_statement(phi, question, x_pub, n, k_min, k_max, y, ct)
    return verify_range(st, y, ct, k_min, k_max, proof)
