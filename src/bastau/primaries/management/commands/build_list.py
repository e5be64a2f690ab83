"""`bastau build_list CANDIDATES.csv|.xlsx --length N --rules party-2019|law-2022|RULES.json`.

The same list builder as the results page (primaries/quota.py, DESIGN.md 3.1-3.2), for staff who
work from a spreadsheet. Exit status: 0 with the list written; 1 for a bad input file or bad
arguments (the row is named); 2 when no list of that length can meet the quotas (the explanation
goes to stderr: which group, how many are needed, how many there are).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bastau.primaries import cli_io, quota

FORMATS = ("json", "csv", "xlsx")
INFEASIBLE = 2


def load_rules(value: str) -> quota.RuleSet:
    """A preset name, or a path to a JSON rule set in the presets' form."""
    if value in quota.PRESETS:
        return quota.PRESETS[value]
    path = Path(value)
    if not path.suffix.lower() == ".json" and not path.is_file():
        raise CommandError(
            f"--rules {value!r}: not a preset ({', '.join(sorted(quota.PRESETS))}) "
            "and not a JSON file"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"--rules {value}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"--rules {value}: cannot read it ({exc})") from None
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"--rules {value}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(data, dict):
        raise CommandError(f"--rules {value}: a rule set is a JSON object with id and groups")
    try:
        return quota.get_rules(data)
    except (KeyError, TypeError, ValueError) as exc:
        detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
        raise CommandError(f"--rules {value}: not a valid rule set: {detail}") from None


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--reference-date {value!r}: use YYYY-MM-DD") from None


class Command(BaseCommand):
    help = (
        "Build a party list from a candidate spreadsheet (.csv or .xlsx; columns id, name, "
        "votes, gender F/M, birth_date YYYY-MM-DD, optional disability 0/1): of all lists of "
        "the given length that meet the quotas, the one closest to the vote order, every "
        "departure explained (DESIGN.md 3.1-3.2). Exit status 0: list written; 1: bad input "
        "file or arguments; 2: no list can meet the quotas (explained on stderr)."
    )
    requires_system_checks: list = []  # pure computation, no database

    def add_arguments(self, parser):
        parser.add_argument("candidates", metavar="CANDIDATES", help="a .csv or .xlsx file")
        parser.add_argument(
            "--length", type=int, required=True, metavar="N", help="places on the list"
        )
        parser.add_argument(
            "--rules",
            required=True,
            metavar="RULES",
            help="party-2019 (women >= 30%%, youth under 35 >= 20%%), law-2022 (women, youth "
            "under 29 and persons with disabilities together >= 30%%), or a path to a JSON "
            "rule set in the same form as the presets (primaries/quota.py PRESET_DATA)",
        )
        parser.add_argument(
            "--prefix",
            action="store_true",
            help="quotas also hold in every top part of the list (floor(p*k/100) in the top k)",
        )
        parser.add_argument(
            "--reference-date",
            metavar="YYYY-MM-DD",
            help="the date ages are counted on (election day); default: today",
        )
        parser.add_argument(
            "--seed",
            metavar="S",
            help="the published lot seed for ties in votes; without it ties go by the "
            "order of the rows in the file (registration order)",
        )
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help="output format; default: from the -o file's extension, else json",
        )
        parser.add_argument(
            "-o", "--output", metavar="FILE", help="write here instead of standard output"
        )

    def handle(self, *args, **options):
        source = Path(options["candidates"])
        output = options["output"]
        fmt = options["format"]
        if fmt is None:
            suffix = Path(output).suffix.lower().lstrip(".") if output and output != "-" else ""
            fmt = suffix if suffix in FORMATS else "json"
        length = options["length"]
        if length < 1:
            raise CommandError(f"--length {length}: a list needs at least one place")
        rules = load_rules(options["rules"])
        ref = options["reference_date"]
        reference_date = parse_date(ref) if ref else timezone.localdate()

        if not source.is_file():
            raise CommandError(f"{source}: no such file")
        try:
            candidates = cli_io.read_candidates(source)
        except cli_io.CandidateFileError as exc:
            raise CommandError(f"{source.name}: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{source.name}: cannot read it ({exc})") from None
        except Exception as exc:  # a damaged spreadsheet the reader did not foresee
            raise CommandError(f"{source.name}: not a readable spreadsheet ({exc})") from None
        if not candidates:
            raise CommandError(f"{source.name}: no candidate rows")

        try:
            result = quota.build_list(
                candidates,
                length,
                rules,
                reference_date,
                prefix=options["prefix"],
                seed=options["seed"],
            )
        except quota.QuotaInfeasible as exc:
            raise CommandError(str(exc), returncode=INFEASIBLE) from None
        except quota.ListLengthError as exc:
            raise CommandError(f"--length {length}: {exc}") from None
        except ValueError as exc:  # duplicate ids and the like
            raise CommandError(f"{source.name}: {exc}") from None

        buffer = io.BytesIO()
        cli_io.write_result(result, fmt, buffer)
        data = buffer.getvalue()
        if output and output != "-":
            try:
                Path(output).write_bytes(data)
            except OSError as exc:
                raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
            summary = self._summary(result, rules, reference_date)
            self.stderr.write(f"{summary} Written to {output}.")
        elif fmt == "xlsx":
            raw = getattr(self.stdout._out, "buffer", None)
            if raw is None:
                raise CommandError("an xlsx list needs -o FILE")
            raw.write(data)
            raw.flush()
        else:
            self.stdout.write(data.decode("utf-8"), ending="")

    @staticmethod
    def _summary(result: quota.ListResult, rules: quota.RuleSet, reference_date) -> str:
        quotas = ", ".join(
            f"{q['label']} {q['count']} (needs {q['needed']})" for q in result.to_dict()["quotas"]
        )
        return (
            f"A list of {result.length} under {rules.id} (ages on {reference_date.isoformat()}"
            + (", prefix mode" if result.prefix else "")
            + f"): {len(result.departures)} departure(s) from the vote order"
            + (f"; {quotas}." if quotas else ".")
        )
