"""`bastau export_board SLUG -o FILE`: the campaign's public ballot record as JSON.

The record is `services.export_record(campaign)` (docs/verification.md, section 1), written one
ballot at a time so that a board of a million ballots never sits in memory as one document. Only
sealed ballots are part of the record; the command says how many are still pending.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bastau.primaries import board, services
from bastau.primaries.keys import signing_key
from bastau.primaries.models import Campaign, PendingBallot

NO_BOARD_YET = (
    Campaign.Status.DRAFT,
    Campaign.Status.NOMINATION,
    Campaign.Status.REGISTRATION,
)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def write_record(campaign: Campaign, out: IO[str]) -> dict[str, Any]:
    """Write the record of `campaign` to the text stream `out`; return what was written.

    The same document as `services.export_record(campaign)` (the tests compare them), streamed:
    a header, then the ballots from the database in (checkpoint, tracker) order, then the tally.
    The checkpoints are read first and only ballots sealed by them are written, so a sealer
    running meanwhile cannot make the record inconsistent.
    """
    with transaction.atomic():
        campaign.refresh_from_db()
        tally = campaign.tally  # written after the last checkpoint, so read it first
        close = campaign.board_close  # written with the tally
        checkpoints = services.checkpoints_of(campaign)
        bcampaign = services.board_campaign(campaign)
    withhold = tally is None  # voting open: trackers and checkpoints only, no choice, no count
    key = board.load_public_key(campaign.public_key) if campaign.public_key else signing_key()
    last_seq = checkpoints[-1].seq if checkpoints else 0

    out.write("{\n")
    out.write(f'"format": {_dump(bcampaign.format)},\n')
    contents = board.WITHHELD if withhold else board.PUBLISHED
    out.write(f'"ballot_contents": {_dump(contents)},\n')
    out.write(f'"campaign": {_dump(bcampaign.to_dict())},\n')
    out.write(f'"public_key": {_dump(board.public_key_to_text(key))},\n')
    out.write('"checkpoints": [')
    out.write(",".join("\n" + _dump(cp.to_dict()) for cp in checkpoints))
    out.write("\n],\n" if checkpoints else "],\n")
    if close is not None and not withhold:
        out.write(f'"close": {_dump(close)},\n')
    out.write('"ballots": [')
    written = 0
    separator = "\n"
    for ballot in services.iter_board_ballots(campaign, withhold=withhold):
        if ballot.checkpoint is None or ballot.checkpoint > last_seq:
            break  # sealed after the checkpoints were read: not part of this snapshot
        out.write(separator)
        out.write(_dump(ballot.to_dict(withhold=withhold)))
        separator = ",\n"
        written += 1
    out.write("\n]" if written else "]")
    if tally is not None:
        out.write(f',\n"tally": {_dump(tally)}')
    out.write("\n}\n")
    return {
        "ballots": written,
        "checkpoints": len(checkpoints),
        "tally": tally is not None,
        "withheld": withhold,
        "last_checkpoint": checkpoints[-1] if checkpoints else None,
    }


class Command(BaseCommand):
    help = (
        "Write a campaign's public ballot record (docs/verification.md) as JSON: the campaign, "
        "the board's public key, the signed checkpoints and every sealed ballot: while voting "
        "is open its tracker and checkpoint only, once voting has closed with its nonce and "
        "choices, and the signed tally. Nothing is sealed by this command: ballots cast since "
        "the last checkpoint are not part of the record (`bastau seal_boards` seals them). "
        "Check the file with `bastau verify_board FILE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the campaign's slug")
        parser.add_argument(
            "-o",
            "--output",
            required=True,
            metavar="FILE",
            help="where to write the JSON; '-' writes to standard output",
        )

    def handle(self, *args, slug: str, output: str, **options):
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            raise CommandError(f"no campaign with the slug {slug!r}")
        if campaign.status in NO_BOARD_YET:
            raise CommandError(
                f"campaign {slug!r} is in {campaign.status}: voting has not opened, so it has "
                "no ballot board yet"
            )
        started = time.perf_counter()
        # With the record on stdout, the messages go to stderr so the JSON stays clean.
        log = self.stderr if output == "-" else self.stdout
        if output == "-":
            stream = _TextSink(self.stdout)
            info = write_record(campaign, stream)
        else:
            info = self._write_file(campaign, Path(output))
        elapsed = time.perf_counter() - started
        pending = PendingBallot.objects.filter(campaign=campaign).count()

        target = "standard output" if output == "-" else output
        log.write(
            f"Wrote the record of {slug}: {info['ballots']} sealed ballot(s) in "
            f"{info['checkpoints']} checkpoint(s) to {target} in {elapsed:.2f} s."
        )
        last = info["last_checkpoint"]
        if last is not None:
            log.write(f"Last checkpoint: #{last.seq}, hash {last.hash()}.")
        if info["tally"]:
            log.write("The signed tally is included.")
        else:
            log.write(
                "No tally yet: voting has not been closed; this record is a snapshot that "
                "withholds the ballots' choices (trackers and checkpoints only)."
            )
        if pending:
            log.write(
                self.style.WARNING(
                    f"{pending} ballot(s) are pending (cast but not yet sealed into a "
                    "checkpoint) and are not part of this record."
                )
            )
        else:
            log.write("0 ballots are pending: every ballot cast so far is in the record.")

    def _write_file(self, campaign: Campaign, path: Path) -> dict[str, Any]:
        """Write next to the target and rename, so a reader never sees half a record."""
        if path.is_dir():
            raise CommandError(f"{path} is a directory; give a file name")
        part = path.with_name(path.name + ".part")
        try:
            with open(part, "w", encoding="utf-8", newline="\n") as handle:
                info = write_record(campaign, handle)
            os.replace(part, path)
        except OSError as exc:
            part.unlink(missing_ok=True)
            raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from exc
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        return info


class _TextSink:
    """A text stream over the command's stdout (which appends a newline to each write)."""

    def __init__(self, wrapper):
        self._out = wrapper

    def write(self, text: str) -> None:
        self._out.write(text, ending="")
