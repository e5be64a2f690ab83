"""`bastau check_audit FILE`: check a Benaloh audit file saved from the voting page.

A thin wrapper over the pure `bastau.primaries.e2e.audit.check_file`: no database, no network,
so the server that made the ballot has no say in the answer. Prints the election fingerprint
(phi, to compare with the one the observers publish), the tracker and the choices the ballot
holds; exit status 0 when the ballot holds them, 1 naming what failed.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from bastau.primaries.e2e import audit


class Command(BaseCommand):
    help = "Check an audit file of an encrypted ballot (Benaloh challenge), from the file alone."
    requires_system_checks: list = []  # runs from a file alone, on any machine

    def add_arguments(self, parser):
        parser.add_argument("file", help="the audit file saved from the voting page")

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            raise CommandError(f"cannot read {file}: {e}") from None
        try:
            checked = audit.check_file(data)
        except audit.AuditError as e:
            raise CommandError(f"FAILED: {e}") from None
        out = self.stdout
        out.write(f"Election: {checked.election_title}")
        out.write(f"Election fingerprint (phi): {checked.phi}")
        out.write(f"Question: {checked.question}")
        out.write(f"Tracker: {checked.tracker}")
        out.write("Chosen: " + (", ".join(checked.chosen) if checked.chosen else "(none)"))
        out.write("OK: this encrypted ballot holds exactly these choices.")
