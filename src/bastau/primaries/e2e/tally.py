"""Decryption shares, Lagrange combination and the bounded discrete log (section 3.4).

A trustee j with secret s_j and public K_j = s_j*G, for an encrypted total (A, B):
- D = s_j*A;
- w random, a = w*G, b = w*A, e = Hs(decrypt, phi, u64(j), K_j, A, D, a, b), z = w - e*s_j;
- the share's proof is a || b || z (96 bytes, batchable form); it holds when
  a = z*G + e*K_j and b = z*A + e*D.
Any t shares combine with lambda_j = prod_{k != j} k/(k - j) mod l into
B - sum lambda_j*D_j = count*G; the count is found by baby-step giant-step up to N ballots.
"""

from __future__ import annotations

import math

from . import group
from .elgamal import Ciphertext
from .hashing import TAG_DECRYPT, hs, u64

SHARE_PROOF_BYTES = 96


class TallyError(ValueError):
    pass


def eval_poly(coefs: list[bytes], x: int) -> bytes:
    """f(x) for f with scalar coefficients a_0..a_(t-1) (Horner, mod l)."""
    acc = group.ZERO
    xs = group.scalar(x)
    for a in reversed(coefs):
        acc = group.s_add(group.s_mul(acc, xs), a)
    return acc


def _decrypt_challenge(phi, j, k_pub, a_pt, d, a, b) -> bytes:
    return hs(TAG_DECRYPT, phi, u64(j), k_pub, a_pt, d, a, b)


def decryption_share(phi: bytes, j: int, s_j: bytes, k_pub: bytes, a_pt: bytes, rng):
    """(D, proof bytes) for the total's alpha A."""
    d = group.mul(s_j, a_pt)
    w = rng.scalar()
    a = group.base_mul(w)
    b = group.mul(w, a_pt)
    e = _decrypt_challenge(phi, j, k_pub, a_pt, d, a, b)
    z = group.s_sub(w, group.s_mul(e, s_j))
    return d, a + b + z


def verify_share(phi: bytes, j: int, k_pub: bytes, a_pt: bytes, d: bytes, proof: bytes) -> bool:
    """k_pub and d must be decoded points; A may be the identity only for an empty total, which
    is refused upstream. The proof's points and scalar are checked here."""
    if len(proof) != SHARE_PROOF_BYTES:
        return False
    try:
        a = group.decode_point(proof[:32], what="share a")
        b = group.decode_point(proof[32:64], what="share b")
        z = group.decode_scalar(proof[64:], what="share z")
    except group.EncodingError:
        return False
    e = _decrypt_challenge(phi, j, k_pub, a_pt, d, a, b)
    if group.add(group.base_mul(z), group.mul(e, k_pub)) != a:
        return False
    return group.add(group.mul(z, a_pt), group.mul(e, d)) == b


def lagrange(indices: list[int]) -> dict[int, bytes]:
    """lambda_j at 0 for each trustee index j of the set; indices are distinct and >= 1."""
    if not indices:
        raise TallyError("no shares")
    if len(set(indices)) != len(indices):
        raise TallyError("a trustee index appears twice")
    if any((not isinstance(j, int)) or j < 1 or j >= group.L for j in indices):
        raise TallyError("trustee indices run from 1")
    out = {}
    for j in indices:
        num, den = group.scalar(1), group.scalar(1)
        for k in indices:
            if k != j:
                num = group.s_mul(num, group.scalar(k))
                den = group.s_mul(den, group.scalar(k - j))
        out[j] = group.s_mul(num, group.s_inv(den))
    return out


def combine(beta_total: bytes, shares: dict[int, bytes]) -> bytes:
    """B - sum lambda_j*D_j: count*G (possibly the identity)."""
    lam = lagrange(sorted(shares))
    acc = beta_total
    for j, d in shares.items():
        acc = group.sub(acc, group.mul(lam[j], d))
    return acc


def check_count(point: bytes, count: int, n_max: int) -> bool:
    """The RESULT check: one fixed-base multiplication, no discrete log."""
    return 0 <= count <= n_max and group.small_mul(count) == point


class BabyGiant:
    """Discrete logs of m*G for 0 <= m <= n_max: a table of j*G for j < ceil(sqrt(n_max + 1))."""

    def __init__(self, n_max: int) -> None:
        if n_max < 0:
            raise ValueError("n_max is a count")
        self.n_max = n_max
        self.m = math.isqrt(n_max + 1)
        if self.m * self.m < n_max + 1:
            self.m += 1  # ceil(sqrt(n_max + 1)), at least 1
        self.table: dict[bytes, int] = {}
        p = group.IDENTITY
        for j in range(self.m):
            self.table[p] = j
            p = group.add(p, group.G)
        self.giant = group.small_mul(self.m)

    def log(self, point: bytes) -> int:
        p = point
        for i in range(self.m + 1):
            j = self.table.get(p)
            if j is not None:
                value = i * self.m + j
                if value <= self.n_max:
                    return value
                break
            p = group.sub(p, self.giant)
        raise TallyError(f"not a multiple of G between 0 and {self.n_max}")


def decrypt_totals(
    totals: list[Ciphertext], shares: dict[int, list[bytes]], n_max: int
) -> list[int]:
    """Counts from per-trustee lists of D (already verified), by combine and BSGS."""
    bsgs = BabyGiant(n_max)
    return [
        bsgs.log(combine(ct.beta, {j: ds[i] for j, ds in shares.items()}))
        for i, ct in enumerate(totals)
    ]
