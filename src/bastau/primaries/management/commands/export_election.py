"""`bastau export_election SLUG -o FILE`: an encrypted campaign's record (bastau-e2e/1) as JSON
Lines, exactly the bytes served at /primaries/<slug>/e2e/record.jsonl; check it with
`bastau verify_election FILE --server-key KEY` (the key is printed here)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from bastau.primaries import encrypted
from bastau.primaries.e2e.hashing import b64e
from bastau.primaries.models import Campaign, E2EElection


class Command(BaseCommand):
    help = "Write an encrypted campaign's public record (JSON Lines) to a file or stdout."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("-o", "--output", default="-", help="the file (default: stdout)")

    def handle(self, *args, slug: str, output: str, **options):
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            raise CommandError(f"no campaign {slug!r}")
        election = E2EElection.objects.filter(campaign=campaign).first()
        if not campaign.encrypted or election is None or election.manifest is None:
            raise CommandError(f"{slug!r} has no encrypted record (not encrypted, or not open)")
        count = 0
        if output == "-":
            for line in encrypted.record_lines(election):
                sys.stdout.buffer.write(line)
                count += 1
            sys.stdout.buffer.flush()
        else:
            with open(output, "wb") as f:
                for line in encrypted.record_lines(election):
                    f.write(line)
                    count += 1
            self.stdout.write(
                f"{count} event(s) written to {output}; server key "
                f"{b64e(bytes(election.server_key))}"
            )
