"""`bastau verify_board FILE`: re-check a ballot record, from the file alone.

A thin wrapper over the pure `board.verify_board` (docs/verification.md, section 3). It reads no
database and runs no system checks, so anyone holding the file can run it: an observer, a
candidate, a journalist. Exit status 0 when everything verifies against a pinned key, 1 naming
what is wrong, 2 when everything verifies but against the record's own key (not a full pass).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError

from bastau.primaries import board

#: What each problem code means, in the words of the issue: changed, dropped, added, reordered.
WHAT = {
    "format": "the file is not a bastau-board/1 or /2 record (an unknown or missing key, or an "
    "unknown ballot_contents)",
    "encoding": "the record's JSON is ambiguous (a duplicate key, a byte-order mark, a float)",
    "campaign": "the campaign description is malformed (a field more or less, a wrong type, "
    "invalid Unicode, no candidate, choose_up_to out of range)",
    "public_key": "the public key is malformed or not the published one",
    "checkpoint_field": "a checkpoint is malformed",
    "checkpoint_seq": "the checkpoints are out of sequence",
    "signature": "a checkpoint signature does not verify",
    "campaign_hash": "the campaign description (title, candidates or choices) was changed",
    "chain": "the checkpoint hash chain is broken",
    "total": "a checkpoint total does not add up",
    "sealed_at": "a checkpoint time is malformed or goes backwards",
    "history": "a checkpoint seen before is missing or was rewritten",
    "ballot_malformed": "a ballot entry is malformed",
    "ballot_changed": "a ballot was changed",
    "ballot_invalid": "a ballot holds choices no ballot may hold",
    "duplicate_tracker": "a ballot appears twice",
    "ballot_added": "a ballot was added",
    "ballot_dropped": "a ballot was dropped",
    "reordered": "ballots were reordered",
    "batch_mismatch": "a ballot was replaced or moved to another checkpoint",
    "unsealed": "a ballot is in no checkpoint",
    "tally": "the published tally is malformed, or published while the choices are withheld",
    "tally_signature": "the published tally's signature does not verify",
    "tally_checkpoint": "the published tally is not bound to the last checkpoint",
    "tally_mismatch": "the published tally does not match the ballots",
    "close": "the close event is malformed, not signed, or does not match the record",
    "unfinished": "the record is unfinished or cut short (no close event or no tally)",
    "party_list": "a party list in the tally is not the one quota.py's rule gives",
}


def read_key(value: str) -> str:
    """--public-key: the key itself (base64 or PEM), or a file holding it."""
    path = Path(value)
    text = value
    if not value.strip().startswith("-----BEGIN") and len(value) < 4096:
        try:
            if path.is_file():
                text = path.read_text(encoding="utf-8")
        except OSError:
            pass
    try:
        board.load_public_key(text)
    except (board.BoardError, ValueError, TypeError) as exc:
        raise CommandError(
            f"--public-key is not an Ed25519 public key (base64 of 32 bytes or a PEM): {exc}"
        ) from exc
    return text


def checkpoint_hash(cp: Any) -> str:
    try:
        return board.sha256_hex(
            board.canonical_json({k: v for k, v in cp.items() if k != "signature"})
        )
    except (AttributeError, board.BoardError, TypeError, ValueError):
        return "(malformed)"


class Command(BaseCommand):
    help = (
        "Verify a ballot record written by `bastau export_board` (or by anyone following "
        "docs/verification.md): every checkpoint signature and the hash chain, every ballot's "
        "tracker, each checkpoint's Merkle root and size, the order of the ballots, and the "
        "signed tally against the tally recomputed from the ballots. A record published while "
        "voting is open holds trackers only: its signatures, chain and commitments are checked "
        "and it is reported as holding no choices. With --earlier, the record must also keep "
        "every checkpoint of an earlier copy (one saved during voting, say); with --heads, every "
        "checkpoint hash of a saved heads file. Needs no database. Exit status: 0 when "
        "everything verifies against the key given with --public-key; 2 when everything "
        "verifies but no key was pinned (the record's own key was trusted: not a full pass); "
        "1 when something does not verify (each problem is printed: a ballot changed, dropped, "
        "added or reordered, a bad signature, a record cut short, ...) or the file cannot be "
        "read."
    )
    requires_system_checks: list = []  # runs from a file alone, on any machine

    def add_arguments(self, parser):
        parser.add_argument("file", help="the record (JSON); '-' reads standard input")
        parser.add_argument(
            "--public-key",
            metavar="KEY",
            help="the board's public key as published on the campaign's public page and in "
            "its protocol (base64 of the 32 raw bytes, a PEM, or a file holding either). "
            "Without it the record's own key is trusted: that proves the record is intact, not "
            "who signed it, and the exit status is 2, not 0",
        )
        parser.add_argument(
            "--unfinished",
            action="store_true",
            help="verify a record taken while voting is open (no close event, no tally) as "
            "such; without it such a record fails, since it may be a finished one cut short",
        )
        parser.add_argument(
            "--heads",
            metavar="FILE",
            action="append",
            default=[],
            help="a heads file (format bastau-heads/1, docs/verification.md 3.2) saved "
            "earlier; every checkpoint hash in it must be in the record. May be repeated",
        )
        parser.add_argument(
            "--save-heads",
            metavar="FILE",
            help="when the record verifies, write its heads (campaign and checkpoint hashes) "
            "to FILE, to check a later copy against with --heads",
        )
        parser.add_argument(
            "--allow-unsealed",
            action="store_true",
            help="accept ballots that are in no checkpoint yet (a snapshot of a live board)",
        )

        parser.add_argument(
            "--earlier",
            metavar="FILE",
            action="append",
            default=[],
            help="an earlier copy of the record (for example one downloaded while voting was "
            "open); every checkpoint in it must be in the record, unchanged. May be repeated",
        )

    def handle(
        self,
        *args,
        file: str,
        public_key: str | None,
        allow_unsealed: bool,
        earlier: list[str],
        unfinished: bool = False,
        heads: list[str] | None = None,
        save_heads: str | None = None,
        **options,
    ):
        expected = read_key(public_key) if public_key else None
        known: dict[int, str] = {}
        slugs: set[str] = set()
        sources = [(path, self._head(path)) for path in earlier]
        for path in heads or []:
            slug, saved = self._heads_file(path)
            slugs.add(slug)
            sources.append((path, saved))
        if len(slugs) > 1:
            raise CommandError(f"the heads files are of different campaigns: {sorted(slugs)}")
        for path, saved in sources:
            for seq, digest in saved.items():
                if known.setdefault(seq, digest) != digest:
                    raise CommandError(
                        f"{path}: checkpoint {seq} differs from the same checkpoint in another "
                        "--earlier copy or heads file: they disagree with each other"
                    )
        started = time.perf_counter()
        handle = self._open(file)
        clock = _ReadClock()
        try:
            report, record = board.verify_board_stream(
                clock.items(board.iter_record(handle)),
                expected_public_key=expected,
                allow_unsealed=allow_unsealed,
                known_checkpoints=known,
                unfinished=unfinished,
                known_campaign=next(iter(slugs)) if slugs else None,
            )
        except board.RecordEncodingError as exc:
            self.stdout.write(self.style.ERROR("FAILED: 1 problem(s):"))
            self.stdout.write(f"  [encoding] {exc}")
            raise CommandError(
                f"the record does NOT verify: {WHAT['encoding']} (encoding): {exc}", returncode=1
            ) from None
        except board.RecordSyntaxError as exc:
            raise CommandError(
                f"{file}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None
        except board.NotAnObject:
            raise CommandError(f"{file}: the record must be a JSON object") from None
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file}: not UTF-8 text ({exc.reason})") from None
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from None
        except Exception as exc:  # a record malformed in a way the verifier did not foresee
            raise CommandError(f"{file}: the record is malformed: {exc!r}") from exc
        finally:
            if handle is not sys.stdin:
                handle.close()
        checked = time.perf_counter()
        # The file is read and checked piece by piece: "reading" is the time spent reading
        # and parsing the JSON, "verifying" the rest.
        reading = clock.seconds

        self._summary(record, report, expected is not None)
        if earlier or heads:
            self.stdout.write(
                ", ".join(
                    ([f"Earlier copies: {len(earlier)}"] if earlier else [])
                    + ([f"heads files: {len(heads or [])}"] if heads else [])
                ).capitalize()
                + f", {len(known)} checkpoint(s) in them"
                + (
                    "; every one is in the record, unchanged."
                    if "history" not in report.codes()
                    else "; NOT all are in the record unchanged (see below)."
                )
            )
        self.stdout.write(
            f"Time: {checked - started:.2f} s (reading the file {reading:.2f} s, "
            f"verifying {checked - started - reading:.2f} s)."
        )
        if report.ok:
            if save_heads:
                self._save_heads(record, save_heads)
            what = (
                "every signature and commitment verifies"
                if report.withheld
                else "every signature, commitment and count verifies"
            )
            if report.unfinished:
                what += (
                    ", as an UNFINISHED record (verified with --unfinished: nothing shows it is "
                    "complete"
                    + (
                        "; it holds no choices, voting open: nothing in it is counted)"
                        if report.withheld
                        else ")"
                    )
                )
            if not report.key_pinned:
                self.stdout.write(
                    self.style.WARNING(
                        f"INTACT, BUT NOT A FULL PASS: {what}, against the record's OWN key, "
                        "which was NOT PINNED. A forger can re-sign a doctored record with a "
                        "key of their own. Run again with --public-key and the key published on "
                        "the campaign's public page and in its protocol."
                    )
                )
                raise CommandError(
                    "not a full pass: the key was not pinned (--public-key)", returncode=2
                )
            self.stdout.write(self.style.SUCCESS(f"OK: {what}."))
            return
        self.stdout.write(self.style.ERROR(f"FAILED: {len(report.problems)} problem(s):"))
        for problem in report.problems:
            self.stdout.write(f"  [{problem.code}] {problem.message}")
        codes = Counter(p.code for p in report.problems)
        verdict = "; ".join(
            f"{WHAT.get(code, code)} ({code} x{n})" if n > 1 else f"{WHAT.get(code, code)} ({code})"
            for code, n in codes.items()
        )
        raise CommandError(f"the record does NOT verify: {verdict}", returncode=1)

    def _head(self, path: str) -> dict[int, str]:
        """The checkpoint hashes of an earlier copy (its ballots are read past, not kept)."""
        handle = self._open(path)
        head: dict[str, Any] = {}
        try:
            for key, value in board.iter_record(handle):
                if key == "checkpoints":
                    head[key] = value
        except board.RecordEncodingError as exc:
            raise CommandError(f"{path}: the earlier copy is ambiguous: {exc}") from None
        except board.RecordSyntaxError as exc:
            raise CommandError(
                f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None
        except board.NotAnObject:
            raise CommandError(f"{path}: the record must be a JSON object") from None
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text ({exc.reason})") from None
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from None
        finally:
            if handle is not sys.stdin:
                handle.close()
        found = board.checkpoint_hashes(head)
        if not found:
            raise CommandError(f"{path}: the earlier copy holds no checkpoint to compare")
        return found

    def _heads_file(self, path: str) -> tuple[str, dict[int, str]]:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot read the heads file: {exc}") from None
        try:
            return board.parse_heads(text)
        except board.BoardError as exc:
            raise CommandError(f"{path}: not a {board.HEADS_FORMAT} file: {exc}") from None

    def _save_heads(self, record: dict[str, Any], path: str) -> None:
        try:
            text = board.format_heads(record)
            Path(path).write_text(text, encoding="utf-8")
        except (OSError, board.BoardError) as exc:
            raise CommandError(f"cannot write the heads file {path}: {exc}") from None
        self.stdout.write(f"Heads saved to {path} ({board.HEADS_FORMAT}).")

    def _open(self, file: str) -> IO[str]:
        """The record as a text stream; it is read piece by piece, never whole (a board of a
        million ballots is ~170 MB of JSON and would take ~1 GB as Python objects)."""
        if file == "-":
            return sys.stdin
        try:
            return open(file, encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file") from None
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from None

    def _summary(self, record: dict[str, Any], report: board.VerificationReport, keyed: bool):
        out = self.stdout.write
        campaign = record.get("campaign") if isinstance(record.get("campaign"), dict) else {}
        out(f"Campaign: {campaign.get('slug', '?')} ({campaign.get('title', '?')})")
        out(f"Format: {record.get('format', '?')}")
        if keyed:
            out(
                f"Trusted key: {report.trusted_key} (pinned with --public-key; the record's "
                "equals it)"
                if "public_key" not in report.codes()
                else f"Trusted key: {report.trusted_key} (pinned with --public-key; the record's "
                f"{record.get('public_key', '?')} is NOT it)"
            )
        else:
            out(
                f"Trusted key: {record.get('public_key', '?')} -- the record's OWN key, NOT "
                "PINNED: pass --public-key with the key published on the campaign's page "
                f"(/primaries/{campaign.get('slug', '?')}/) and in its protocol"
            )
        checkpoints = record.get("checkpoints")
        checkpoints = checkpoints if isinstance(checkpoints, list) else []
        out(f"Ballots: {report.ballots}; checkpoints: {report.checkpoints}")
        if checkpoints and isinstance(checkpoints[-1], dict):
            last = checkpoints[-1]
            out(
                f"Last checkpoint: #{last.get('seq')}, sealed {last.get('sealed_at')}, "
                f"total {last.get('total')}, hash {checkpoint_hash(last)}"
            )
        contents = record.get("ballot_contents", board.PUBLISHED)
        if report.withheld:
            out(
                f"Ballot contents: withheld ({contents}): each ballot is its tracker and "
                "checkpoint; the choices and the tally are published when voting closes."
            )
        else:
            out(f"Ballot contents: {contents} (nonce and choices of every ballot).")
            close = record.get("close")
            if isinstance(close, dict):
                out(
                    f"Close event: voting {close.get('voting_starts')} to "
                    f"{close.get('voting_ends')}, {close.get('ballots')} ballot(s), last "
                    f"checkpoint #{close.get('checkpoint')}"
                    + (" (does NOT verify)" if "close" in report.codes() else "")
                )
            elif record.get("format") == board.FORMAT_2:
                out("Close event: none in the record.")
            self._tally(record, report, campaign)
            self._lists(record, report, campaign)
        for note in report.notes:
            out(f"Note: {note}")

    def _tally(self, record: dict[str, Any], report: board.VerificationReport, campaign: dict):
        out = self.stdout.write
        mine = report.tally or {"ballots": 0, "blank": 0, "counts": {}}
        published = record.get("tally") if isinstance(record.get("tally"), dict) else None
        theirs = published.get("counts") if published else None
        theirs = theirs if isinstance(theirs, dict) else {}
        names = {
            c.get("id"): c.get("name", "")
            for c in campaign.get("candidates", [])
            if isinstance(c, dict)
        }
        out("Tally recomputed from the ballots" + (" (vs the signed tally):" if published else ":"))
        rows = [(cid, names.get(cid, ""), n, theirs.get(cid)) for cid, n in mine["counts"].items()]
        rows.sort(key=lambda r: (-r[2], str(r[0])))
        width = max([len(str(r[0])) for r in rows] + [5])
        name_width = min(40, max([len(str(r[1])) for r in rows] + [4]))
        for cid, name, n, pub in rows:
            mark = ""
            if published:
                mark = "  matches" if pub == n else f"  DIFFERS: signed tally says {pub}"
            out(f"  {str(cid):<{width}}  {str(name)[:40]:<{name_width}}  {n:>8}{mark}")
        for label in ("ballots", "blank"):
            pub = published.get(label) if published else None
            mark = ""
            if published:
                mark = "  matches" if pub == mine[label] else f"  DIFFERS: signed tally says {pub}"
            out(f"  {label:<{width + name_width + 2}}  {mine[label]:>8}{mark}")
        if published is None:
            out("Signed tally: none in the record (voting not closed).")
        else:
            tally_codes = {"tally", "tally_signature", "tally_checkpoint", "tally_mismatch"}
            bad = sorted(report.codes() & tally_codes)
            if bad:
                out(f"Signed tally: does NOT match ({', '.join(bad)}).")
            else:
                out(
                    "Signed tally: matches the recomputed tally; its signature verifies and it "
                    "is bound to the last checkpoint."
                )

    def _lists(self, record: dict[str, Any], report: board.VerificationReport, campaign: dict):
        """bastau-board/2: each party list as quota.py's rule rebuilds it from the ballots."""
        if report.lists is None:
            return
        out = self.stdout.write
        names = {c.get("id"): c.get("name", "") for c in campaign.get("candidates", [])}
        titles = {row.get("id"): row.get("title", "") for row in campaign.get("lists", [])}
        bad = "party_list" in report.codes()
        out(
            "Party lists rebuilt from the ballots with the campaign's rules"
            + (
                " (NOT all equal to the signed tally's):"
                if bad
                else " (equal to the signed tally's):"
            )
        )
        for list_id, ids in report.lists.items():
            if ids is None:
                out(
                    f"  {list_id} ({titles.get(list_id, '')}): no list (length 0, or no list "
                    "meets the quotas)"
                )
                continue
            out(f"  {list_id} ({titles.get(list_id, '')}):")
            for line, cid in enumerate(ids, 1):
                out(f"    {line:>3}. {cid}  {names.get(cid, '')}")


class _ReadClock:
    """Adds up the time spent reading and parsing the record, which is interleaved with
    checking it."""

    def __init__(self):
        self.seconds = 0.0

    def _timed(self, iterator: Iterator):
        clock = time.perf_counter
        while True:
            began = clock()
            try:
                item = next(iterator)
            except StopIteration:
                self.seconds += clock() - began
                return
            self.seconds += clock() - began
            yield item

    def items(self, pairs: Iterator[tuple[str, Any]]) -> Iterator[tuple[str, Any]]:
        for key, value in self._timed(pairs):
            yield key, (self._timed(value) if isinstance(value, Iterator) else value)
