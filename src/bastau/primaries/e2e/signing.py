"""Ed25519 signatures of the record (RFC 8032), each bound to its kind.

A signature of kind K over a 32-byte digest d signs the message b"bastau/v1/sig/" + K + b"/" + d,
so a signature made for one purpose (a receipt, say) never passes for another (an event).
Keys are published as their 32 raw bytes; a secret key is its 32-byte seed.
"""

from __future__ import annotations

import functools

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .hashing import PREFIX

KINDS = ("event", "receipt", "credentials", "trustee", "share", "observer", "void")
SIGNATURE_BYTES = 64
KEY_BYTES = 32


def message(kind: str, digest: bytes) -> bytes:
    if kind not in KINDS:
        raise ValueError(f"unknown signature kind {kind!r}")
    if len(digest) != 32:
        raise ValueError("a signed digest is 32 bytes")
    return PREFIX + b"sig/" + kind.encode("ascii") + b"/" + digest


def public_key(seed: bytes) -> bytes:
    if len(seed) != KEY_BYTES:
        raise ValueError("an Ed25519 secret key is a 32-byte seed")
    return (
        Ed25519PrivateKey.from_private_bytes(seed)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )


def sign(seed: bytes, kind: str, digest: bytes) -> bytes:
    return _private_key(seed).sign(message(kind, digest))


@functools.lru_cache(maxsize=16)
def _private_key(seed: bytes) -> Ed25519PrivateKey:
    """The key of a seed, made once (the server signs every receipt with one seed)."""
    return Ed25519PrivateKey.from_private_bytes(seed)


def verify(key: bytes, kind: str, digest: bytes, signature: bytes) -> bool:
    """True only for a valid signature; malformed keys and signatures are simply invalid."""
    if len(key) != KEY_BYTES or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, message(kind, digest))
    except (InvalidSignature, ValueError):
        return False
    return True


def is_valid_key(key: bytes) -> bool:
    """A usable Ed25519 public key: 32 bytes, the canonical encoding of a point on the curve, of
    large order (libsodium's crypto_core_ed25519_is_valid_point, from the libsodium rbcl bundles;
    `cryptography` accepts any 32 bytes and fails only when a signature is checked)."""
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        return False
    import ctypes

    import rbcl

    check = rbcl._sodium.crypto_core_ed25519_is_valid_point  # noqa: SLF001 - the same library
    check.argtypes = [ctypes.c_char_p]
    check.restype = ctypes.c_int
    return check(key) == 1
