"""`bastau verify_election RECORD [--server-key B64|FILE] [--heads FILE] [--save-head FILE]
[--unfinished] [--jobs N]`: verify an encrypted record (bastau-e2e/1) from the file alone.

A thin wrapper over the pure `bastau.primaries.e2e.verify` (also runnable without Django as
`python -m bastau.primaries.e2e.verify`). It reads no database and runs no system checks.
Exit status: 0 verified, 1 failed (each failure printed), 2 usage.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from bastau.primaries.e2e import verify


class Command(BaseCommand):
    help = (
        "Verify an encrypted campaign's record (bastau-e2e/1, docs/verification.md): the "
        "manifest, key ceremony and credential list, the hash chain and every signature, every "
        "ballot's proofs, the tally, the decryption shares, the result and the quota lists. "
        "Needs no database. Exit status: 0 verified, 1 failed (each failure is printed), 2 usage."
    )
    requires_system_checks: list = []  # runs from a file alone, on any machine

    def add_arguments(self, parser):
        verify.add_arguments(parser)

    def handle(self, *args, **options):
        class Args:
            pass

        a = Args()
        for name in ("record", "server_key", "heads", "save_head", "unfinished", "jobs", "engine"):
            setattr(a, name, options[name])
        code = verify.main(a, self.stdout)
        if code:
            raise CommandError(
                "verification failed" if code == 1 else "usage error", returncode=code
            )
