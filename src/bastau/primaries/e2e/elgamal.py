"""Exponential ElGamal on ristretto255, one ciphertext per candidate.

Enc_Y(m; r) = (alpha, beta) = (r*G, m*G + r*Y). A ciphertext is alpha || beta (64 bytes); in a
ballot neither half may be the identity. Sums are taken point by point (homomorphic).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import group

CIPHERTEXT_BYTES = 64


@dataclass(frozen=True)
class Ciphertext:
    alpha: bytes
    beta: bytes

    def to_bytes(self) -> bytes:
        return self.alpha + self.beta

    @classmethod
    def from_bytes(cls, b: bytes, what: str = "ciphertext") -> Ciphertext:
        if len(b) != CIPHERTEXT_BYTES:
            raise group.EncodingError(f"{what}: not 64 bytes")
        return cls(
            group.decode_point(b[:32], what=f"{what} alpha"),
            group.decode_point(b[32:], what=f"{what} beta"),
        )

    def __add__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(group.add(self.alpha, other.alpha), group.add(self.beta, other.beta))


def encrypt(y: bytes, m: int, r: bytes) -> Ciphertext:
    alpha = group.base_mul(r)
    beta = group.add(group.small_mul(m), group.mul(r, y))
    if alpha == group.IDENTITY or beta == group.IDENTITY:
        # Only for r = 0 or a value equal to -r*log(Y): never for a random r in practice.
        raise ValueError("this randomness gives an identity half; draw again")
    return Ciphertext(alpha, beta)


def ciphertext_sum(cts) -> Ciphertext:
    """The homomorphic sum; halves may be the identity (an empty or cancelling sum)."""
    alpha = group.point_sum(c.alpha for c in cts)
    beta = group.point_sum(c.beta for c in cts)
    return Ciphertext(alpha, beta)


def decrypt_point(secret: bytes, ct: Ciphertext) -> bytes:
    """beta - s*alpha = m*G (for a test or a single-key check; trustees use tally.py)."""
    return group.sub(ct.beta, group.mul(secret, ct.alpha))
