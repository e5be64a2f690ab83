"""Framing, hashes, integers, base64url and the seeded test RNG of the v1 format.

- enc(x) = u32be(len x) || x; a framed list is the concatenation of enc of each item.
- Hd(tag, x1, ...) = SHA-256(enc(tag) || enc(x1) || ...) gives 32-byte digests.
- Hs(tag, x1, ...) = SHA-512 of the same framing, reduced mod l with
  crypto_core_ristretto255_scalar_reduce, gives challenges and derived keys (32-byte scalars).
- Every item is bytes; integers go in as u64be (8 bytes), strings as UTF-8 (`text`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

import rbcl

PREFIX = b"bastau/v1/"

TAG_ELECTION = PREFIX + b"election"
TAG_CREDENTIAL = PREFIX + b"credential"
TAG_BIT = PREFIX + b"bit"
TAG_SUM = PREFIX + b"sum"
TAG_TRACKER = PREFIX + b"tracker"
TAG_BALLOT_SIG = PREFIX + b"ballot-sig"
TAG_DKG_CONTEXT = PREFIX + b"dkg-context"
TAG_DKG_COEFS = PREFIX + b"dkg-coefs"
TAG_POK = PREFIX + b"pok"
TAG_DECRYPT = PREFIX + b"decrypt"
TAG_LEAF = PREFIX + b"leaf"
TAG_NODE = PREFIX + b"node"
TAG_EVENT = PREFIX + b"event"
TAG_PAYLOAD = PREFIX + b"payload"
TAG_TRUSTEES = PREFIX + b"trustees"
TAG_CREDENTIALS = PREFIX + b"credentials"
TAG_CREDENTIAL_LEAF = PREFIX + b"credential-leaf"
TAG_RECEIPT = PREFIX + b"receipt"
TAG_SHARE = PREFIX + b"share"
TAG_VOID = PREFIX + b"void"
TAG_TEST_RNG = b"bastau/test/rng"

U32_MAX = 2**32 - 1
U64_MAX = 2**64 - 1


def u32(n: int) -> bytes:
    if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= U32_MAX:
        raise ValueError(f"not a u32: {n!r}")
    return n.to_bytes(4, "big")


def u64(n: int) -> bytes:
    if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= U64_MAX:
        raise ValueError(f"not a u64: {n!r}")
    return n.to_bytes(8, "big")


def text(s: str) -> bytes:
    """A string as UTF-8; lone surrogates (not valid Unicode) raise."""
    return s.encode("utf-8", errors="strict")


def enc(x: bytes) -> bytes:
    if not isinstance(x, bytes):
        raise TypeError(f"only bytes are framed, not {type(x).__name__}")
    return u32(len(x)) + x


def frame(tag: bytes, *parts: bytes) -> bytes:
    return enc(tag) + b"".join(enc(p) for p in parts)


def hd(tag: bytes, *parts: bytes) -> bytes:
    """Hd: a 32-byte SHA-256 digest of the framed tag and parts."""
    return hashlib.sha256(frame(tag, *parts)).digest()


def hs(tag: bytes, *parts: bytes) -> bytes:
    """Hs: SHA-512 of the framed tag and parts, reduced mod l (a canonical 32-byte scalar)."""
    return rbcl.crypto_core_ristretto255_scalar_reduce(hashlib.sha512(frame(tag, *parts)).digest())


# base64url without padding, decoded strictly: the alphabet A-Z a-z 0-9 - _, no "=", no
# whitespace, no length of 1 mod 4, and the unused low bits of the last character zero (so each
# byte string has exactly one accepted text).
_B64URL = re.compile(r"\A[A-Za-z0-9_-]*\Z")


def b64e(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
# the value of each base64url character (the unused low bits of the last one must be zero)
_VALUE = {
    c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}
_UNUSED_BITS = (0, 0, 0x0F, 0x03)  # by len % 4


def b64d(s: str) -> bytes:
    """The strict decoding above, without a regular expression and a re-encoding (a ballot is
    31,000 characters): binascii's strict mode refuses anything outside the alphabet once "-_"
    became "+/" (so "+", "/" and "=" are refused before), and the last character is checked."""
    if not isinstance(s, str) or len(s) % 4 == 1 or not s.isascii():
        raise ValueError("not unpadded base64url")
    raw = s.encode("ascii")
    if b"+" in raw or b"/" in raw or b"=" in raw:
        raise ValueError("not unpadded base64url")
    rest = len(raw) % 4
    try:
        b = binascii.a2b_base64(raw.translate(_TO_STANDARD) + b"=" * (-rest % 4), strict_mode=True)
    except binascii.Error:
        raise ValueError("not unpadded base64url") from None
    if rest and _VALUE[raw[-1]] & _UNUSED_BITS[rest]:
        raise ValueError("non-canonical base64url")
    return b


class SystemRng:
    """Production randomness: libsodium's randombytes, via crypto_core_ristretto255_scalar_random
    (uniform, non-zero scalars)."""

    def scalar(self) -> bytes:
        return rbcl.crypto_core_ristretto255_scalar_random()

    def bytes(self, n: int) -> bytes:
        return rbcl.randombytes(n)


class TestRng:
    """The seeded test RNG of section 6, for vectors and tests only.

    Draw k (k = 0, 1, 2, ...) of TestRng(seed, label) is Hs("bastau/test/rng", seed,
    UTF-8(label), u64be(k)). `bytes(n)` takes the first n bytes of the next such scalar (n <= 32).
    """

    __test__ = False  # not a pytest class

    def __init__(self, seed: bytes, label: str) -> None:
        self.seed = seed
        self.label = label
        self.counter = 0

    def scalar(self) -> bytes:
        r = hs(TAG_TEST_RNG, self.seed, text(self.label), u64(self.counter))
        self.counter += 1
        return r

    def bytes(self, n: int) -> bytes:
        if not 0 <= n <= 32:
            raise ValueError("the test RNG gives at most 32 bytes per draw")
        return self.scalar()[:n]
