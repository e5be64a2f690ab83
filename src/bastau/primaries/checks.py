"""System checks of the primaries app (`bastau check --deploy`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from . import board


@register(Tags.security, deploy=True)
def board_signing_key_check(app_configs, **kwargs):
    """The board's Ed25519 key must be its own secret in production, and must load."""
    value = getattr(settings, "BOARD_SIGNING_KEY", "")
    if not value:
        return [
            Warning(
                "BOARD_SIGNING_KEY is not set, so the ballot board's signing key is derived "
                "from SECRET_KEY: rotating SECRET_KEY would change the key boards are signed "
                "with, and anyone who learns SECRET_KEY can sign a board.",
                hint="Generate a key with `bastau generate_board_key`, set BOARD_SIGNING_KEY "
                "in the environment and publish the public key.",
                id="bastau.W001",
            )
        ]
    try:
        board.load_private_key(value)
    except Exception as exc:  # base64, length, PEM and key-type errors all land here
        return [
            Error(
                f"BOARD_SIGNING_KEY cannot be loaded as an Ed25519 private key ({exc}).",
                hint="Use the base64 of the 32-byte seed or an unencrypted PKCS#8 PEM, as "
                "printed by `bastau generate_board_key`.",
                id="bastau.E001",
            )
        ]
    return []
