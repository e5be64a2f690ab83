"""The board's Ed25519 signing key, from the environment (BOARD_SIGNING_KEY).

Without one (development, tests, the demo) a key is derived from SECRET_KEY, so the demo's
boards verify across restarts; `check --deploy` warns when production runs on a derived key.
"""

from __future__ import annotations

import functools
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from . import board


def signing_key() -> Ed25519PrivateKey:
    if settings.BOARD_SIGNING_KEY:
        return board.load_private_key(settings.BOARD_SIGNING_KEY)
    seed = hashlib.sha256(b"bastau-board-key:" + settings.SECRET_KEY.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def uses_derived_key() -> bool:
    return not settings.BOARD_SIGNING_KEY


def e2e_seed() -> bytes:
    """The server's Ed25519 seed for encrypted records (events and receipts): the board key's
    seed, so one secret (BOARD_SIGNING_KEY, or the derived key) covers both records. Kept per
    process for the settings it came from (every cast's receipt is signed with it)."""
    return _e2e_seed(settings.BOARD_SIGNING_KEY, settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)
def _e2e_seed(board_key, secret_key) -> bytes:
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    return signing_key().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
