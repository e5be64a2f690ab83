"""Voter credentials (section 3.2) and the ballot signature sigma (section 3.3, step 5).

A credential is a 128-bit value N, written as 28 Crockford base-32 characters
(alphabet 0123456789ABCDEFGHJKMNPQRSTVWXYZ):

- characters 1-26 are N in base 32, most significant first (26 x 5 = 130 bits, so the first
  character is 0-7);
- characters 27-28 are the check value C (0 <= C < 1021) in base 32, chosen so that the whole
  28-character number N*1024 + C is a multiple of the prime 1021, i.e. C = (-3*N) mod 1021.

Because 1021 is a prime larger than 32 and does not divide 31, the check catches every change
of a single character and every swap of two adjacent different characters, anywhere in the 28.
Reading is forgiving the way Crockford's code is: letters in any case, O read as 0, I and L as 1,
spaces and hyphens ignored. Any other character (U among them) is refused.

The secret key is x = Hs(credential, uuid, c) with uuid the election's 16 UUID bytes and c the
16 bytes of N (big-endian); the public credential is X = x*G.

sigma on a tracker T: w random, R = w*G, c = Hs(ballot-sig, phi, X, R, T), s = w - c*x;
sigma = c || s (64 bytes). Verification recomputes R = s*G + c*X and the hash.
"""

from __future__ import annotations

import uuid as uuidlib

from . import group
from .hashing import TAG_BALLOT_SIG, TAG_CREDENTIAL, hs

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_VALUE.update({"O": 0, "I": 1, "L": 1})
CHECK_PRIME = 1021
CREDENTIAL_CHARS = 28
SIGMA_BYTES = 64


class CredentialError(ValueError):
    pass


def _check_value(n: int) -> int:
    return (-n * 1024) % CHECK_PRIME


def format_credential(value: bytes) -> str:
    if len(value) != 16:
        raise CredentialError("a credential is 16 bytes")
    n = int.from_bytes(value, "big")
    digits = [ALPHABET[(n >> (5 * k)) & 31] for k in reversed(range(26))]
    c = _check_value(n)
    return "".join(digits) + ALPHABET[c >> 5] + ALPHABET[c & 31]


def parse_credential(s: str) -> bytes:
    """The 16 credential bytes of a typed credential; CredentialError if it is not one."""
    cleaned = s.replace("-", "").replace(" ", "").upper()
    if len(cleaned) != CREDENTIAL_CHARS:
        raise CredentialError("a credential has 28 characters")
    try:
        vals = [_VALUE[ch] for ch in cleaned]
    except KeyError as e:
        raise CredentialError(f"not a credential character: {e.args[0]!r}") from None
    if vals[0] > 7:
        raise CredentialError("not a credential (first character above 7)")
    whole = 0
    for v in vals:
        whole = whole * 32 + v
    if whole % CHECK_PRIME != 0:
        raise CredentialError("the check characters do not match (a typing error?)")
    return (whole >> 10).to_bytes(16, "big")


def new_credential(rng) -> str:
    return format_credential(rng.bytes(16))


def secret_key(election_uuid: uuidlib.UUID, credential: str) -> bytes:
    x = hs(TAG_CREDENTIAL, election_uuid.bytes, parse_credential(credential))
    if x == group.ZERO:
        raise CredentialError("this credential gives a zero key; issue another")
    return x


def public_key(x: bytes) -> bytes:
    return group.base_mul(x)


def sign(phi: bytes, x: bytes, x_pub: bytes, tracker: bytes, rng) -> bytes:
    w = rng.scalar()
    r = group.base_mul(w)
    c = hs(TAG_BALLOT_SIG, phi, x_pub, r, tracker)
    s = group.s_sub(w, group.s_mul(c, x))
    return c + s


def verify(phi: bytes, x_pub: bytes, tracker: bytes, sigma: bytes) -> bool:
    """x_pub must already be decoded (valid, not the identity); sigma is checked here."""
    if len(sigma) != SIGMA_BYTES:
        return False
    try:
        c = group.decode_scalar(sigma[:32])
        s = group.decode_scalar(sigma[32:])
    except group.EncodingError:
        return False
    r = group.add(group.base_mul(s), group.mul(c, x_pub))
    return hs(TAG_BALLOT_SIG, phi, x_pub, r, tracker) == c
