"""`bastau generate_board_key`: a new Ed25519 key for the ballot board (BOARD_SIGNING_KEY)."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from django.core.management.base import BaseCommand

from bastau.primaries import board


class Command(BaseCommand):
    help = (
        "Print a new Ed25519 private key in the form BOARD_SIGNING_KEY accepts (base64 of the "
        "32-byte seed, or with --pem a PKCS#8 PEM) and its public key (base64 of 32 bytes), "
        "which the branch publishes so anyone can check the board with "
        "`bastau verify_board FILE --public-key KEY`. Nothing is stored: put the private key "
        "in the server's environment and keep it as secret as SECRET_KEY."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--pem", action="store_true", help="print the private key as a PKCS#8 PEM block"
        )

    def handle(self, *args, pem: bool, **options):
        key = board.generate_private_key()
        if pem:
            text = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode("ascii")
            self.stdout.write("# BOARD_SIGNING_KEY (PEM, keep it secret):")
            self.stdout.write(text.rstrip("\n"))
        else:
            self.stdout.write(f"BOARD_SIGNING_KEY={board.private_key_to_text(key)}")
        self.stdout.write(f"BOARD_PUBLIC_KEY={board.public_key_to_text(key)}")
        self.stderr.write(
            "Keep BOARD_SIGNING_KEY secret and never change it while a campaign is open; "
            "publish BOARD_PUBLIC_KEY (the protocol prints it too)."
        )
