"""ristretto255 through libsodium (rbcl 1.1.2), with the strict rules of section 2.

Points are 32-byte canonical encodings, scalars 32-byte little-endian integers below l. All curve
arithmetic is libsodium's. This module adds what libsodium 1.0.18 leaves out:

- bit 255 of a point encoding must be clear (1.0.18 ignores it; 1.0.19 and libsodium.js refuse);
- a scalar must be below l (libsodium reduces or clears bit 255 silently);
- the identity (32 zero bytes) is refused unless the caller allows it;
- a zero scalar or an identity result gives the identity (the `_allow_scalar_zero` functions)
  instead of an exception, so a legitimate edge case is computed, never skipped.
"""

from __future__ import annotations

import ctypes

import rbcl

L = 2**252 + 27742317777372353535851937790883648493
POINT_BYTES = 32
SCALAR_BYTES = 32
IDENTITY = bytes(32)
ZERO = bytes(32)


class EncodingError(ValueError):
    """A value that is not a canonical encoding of what the format requires."""


def decode_point(b: bytes, *, allow_identity: bool = False, what: str = "point") -> bytes:
    if not isinstance(b, bytes) or len(b) != POINT_BYTES:
        raise EncodingError(f"{what}: not 32 bytes")
    if b[31] & 0x80:
        raise EncodingError(f"{what}: bit 255 set")
    if not rbcl.crypto_core_ristretto255_is_valid_point(b):
        raise EncodingError(f"{what}: not a canonical ristretto255 encoding")
    if b == IDENTITY and not allow_identity:
        raise EncodingError(f"{what}: the identity")
    return b


def _held_gil_check():
    """libsodium's crypto_core_ristretto255_is_valid_point from the library rbcl loaded, called
    with the GIL held (ctypes.PyDLL). rbcl calls through ctypes.CDLL, which lets the GIL go for
    every call: a few microseconds of work each, and a ballot has ~480 points, so a thread in a
    multi-threaded server gave the GIL away (and waited to get it back) ~480 times per ballot.
    The same function of the same library (the same handle: dlopen of the same file)."""
    try:
        lib = ctypes.PyDLL(rbcl._sodium._name)  # noqa: SLF001 - the library rbcl bundles
        check = lib.crypto_core_ristretto255_is_valid_point
    except (AttributeError, OSError):  # another rbcl layout: its own wrapper, same library
        return rbcl.crypto_core_ristretto255_is_valid_point
    check.argtypes = [ctypes.c_char_p]
    check.restype = ctypes.c_int
    return check


_is_valid_point = _held_gil_check()


def all_valid(data: bytes, points, scalars) -> bool:
    """Whether every 32-byte point of `data` at the offsets `points` passes decode_point (bit
    255 clear, canonical ristretto255, not the identity) and every scalar at `scalars` passes
    decode_scalar (below l): the same rules, without building anything (a ballot's ~480 points
    on the cast's request path). False: decode the parts to say which one fails."""
    check = _is_valid_point
    identity = IDENTITY
    for off in points:
        p = data[off : off + 32]
        if p[31] & 0x80 or not check(p) or p == identity:
            return False
    # below l = 2^252 + ...: a last byte under 0x10 is enough; 0x10 needs the whole number
    limit = L
    from_bytes = int.from_bytes
    for off in scalars:
        top = data[off + 31]
        if top >= 0x10 and (top > 0x10 or from_bytes(data[off : off + 32], "little") >= limit):
            return False
    return True


def decode_scalar(b: bytes, *, what: str = "scalar") -> bytes:
    if not isinstance(b, bytes) or len(b) != SCALAR_BYTES:
        raise EncodingError(f"{what}: not 32 bytes")
    if int.from_bytes(b, "little") >= L:
        raise EncodingError(f"{what}: not below l")
    return b


def scalar(n: int) -> bytes:
    """The scalar n mod l (n may be negative)."""
    return (n % L).to_bytes(32, "little")


def scalar_int(s: bytes) -> int:
    return int.from_bytes(decode_scalar(s), "little")


def _s(s: bytes) -> bytes:
    # Every scalar reaching libsodium is canonical: an internal check, not an input rule.
    if len(s) != SCALAR_BYTES or int.from_bytes(s, "little") >= L:
        raise EncodingError("non-canonical scalar reached the group layer")
    return s


def s_add(a: bytes, b: bytes) -> bytes:
    return rbcl.crypto_core_ristretto255_scalar_add(_s(a), _s(b))


def s_sub(a: bytes, b: bytes) -> bytes:
    return rbcl.crypto_core_ristretto255_scalar_sub(_s(a), _s(b))


def s_mul(a: bytes, b: bytes) -> bytes:
    return rbcl.crypto_core_ristretto255_scalar_mul(_s(a), _s(b))


def s_neg(a: bytes) -> bytes:
    return rbcl.crypto_core_ristretto255_scalar_negate(_s(a))


def s_inv(a: bytes) -> bytes:
    if _s(a) == ZERO:
        raise ZeroDivisionError("zero has no inverse mod l")
    return rbcl.crypto_core_ristretto255_scalar_invert(a)


def add(p: bytes, q: bytes) -> bytes:
    return rbcl.crypto_core_ristretto255_add(p, q)


def sub(p: bytes, q: bytes) -> bytes:
    return rbcl.crypto_core_ristretto255_sub(p, q)


def base_mul(s: bytes) -> bytes:
    """s*G; the identity for s = 0."""
    return rbcl.crypto_scalarmult_ristretto255_base_allow_scalar_zero(_s(s))


def mul(s: bytes, p: bytes) -> bytes:
    """s*P; the identity for s = 0 or P the identity."""
    if p == IDENTITY:
        return IDENTITY
    return rbcl.crypto_scalarmult_ristretto255_allow_scalar_zero(_s(s), p)


def small_mul(n: int) -> bytes:
    """n*G for an integer n (any sign)."""
    return base_mul(scalar(n))


def point_sum(points) -> bytes:
    acc = IDENTITY
    for p in points:
        acc = add(acc, p)
    return acc


G = base_mul(scalar(1))
