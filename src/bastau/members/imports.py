"""Import members and primary organizations from XLSX and CSV.

An import is all-or-nothing and reads the stored file once, in two passes:

1. check: every row is parsed and checked once (members/import_rules.py, pure), then each
   chunk of rows is checked against the database (duplicates, POO and branch codes, scope)
   with one query per kind of check; problems are stored as ImportRowError rows. While no
   row has a problem, the parsed rows are kept as COPY-format text lines in a temporary file
   (the "stage"; a few hundred bytes a row, on disk, not in memory);
2. write: only when no row has a problem, the staged rows are written in one transaction with
   a history row each and one audit event. On PostgreSQL the stage is copied (COPY) into a
   temporary table and one statement inserts the records and their history rows
   (INSERT ... RETURNING feeding the history INSERT); elsewhere (SQLite) the ORM writes them
   in batches (simple_history's bulk_create_with_history). Both give the same rows (tested).

Memory stays bounded whatever the file size: one chunk of rows, the set of keys already seen
(for duplicates inside the file) and the codes of the POOs the file names. Files with more
than IMPORT_INLINE_MAX_ROWS rows run in the task worker (members/tasks.py); the import page
polls the job for progress.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from bastau.accounts.scoping import Scope
from bastau.core import audit
from bastau.core.choices import Sex
from bastau.core.forms import iin_error_message
from bastau.core.spreadsheets import (
    FILE_PROBLEMS,
    ImportFileError,
    Inspection,
    open_rows,
)
from bastau.lib import iin as iin_lib
from bastau.structure import permissions as structure_perms
from bastau.structure.models import Branch, PrimaryOrganization, StructureEvent

from . import import_rules as rules
from . import permissions as perms
from . import tally
from .models import ImportJob, ImportRowError, Member, Sector

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
#: Rows checked against the database at a time in the check pass (one query per check).
CHECK_CHUNK_SIZE = 5000
#: On PostgreSQL, write with COPY and INSERT ... SELECT (False: the ORM, as on SQLite).
COPY_ON_POSTGRESQL = True
#: At most this many problems are stored per job; the count goes on beyond it.
MAX_STORED_ERRORS = 10_000


# Messages ---------------------------------------------------------------------------------
PROBLEM_MESSAGES = {
    # The file as a whole.
    **FILE_PROBLEMS,
    "not_allowed": gettext_lazy("The uploader may no longer import."),
    "conflict": gettext_lazy(
        "Someone changed the same records while the file was being imported; nothing was "
        "saved. Upload the file again."
    ),
    "unexpected": gettext_lazy(
        "The import stopped because of an unexpected error; nothing was saved."
    ),
    # The header row.
    "missing_column": gettext_lazy("This required column is missing."),
    "unknown_column": gettext_lazy(
        "Unknown column; the template shows the columns this import reads."
    ),
    "duplicate_column": gettext_lazy("This column appears twice."),
    # Cells.
    "required": gettext_lazy("A value is required."),
    "too_long": gettext_lazy("At most %(max)s characters."),
    "date": gettext_lazy("Not a date; write YYYY-MM-DD or DD.MM.YYYY."),
    "choice": gettext_lazy("Not one of the allowed values: %(choices)s."),
    "boolean": gettext_lazy("Write yes or no (1 or 0)."),
    "email": gettext_lazy("Not a valid email address."),
    "phone": gettext_lazy("A phone number has only digits, spaces, +, - and brackets."),
    "code": gettext_lazy("A code has only Latin letters, digits, - and _."),
    "birth_date_mismatch": gettext_lazy("The birth date does not agree with the IIN (%(date)s)."),
    "sex_mismatch": gettext_lazy("The sex does not agree with the IIN."),
    "future_date": gettext_lazy("The date cannot be in the future."),
    "joined_before_birth": gettext_lazy("The join date cannot precede the birth date."),
    "left_on_required": gettext_lazy(
        "This status ends membership: give the date it ended (column left_on)."
    ),
    "left_on_unexpected": gettext_lazy("A current member has no membership end date."),
    "left_before_joined": gettext_lazy("The end date cannot precede the join date."),
    # Checks against the file and the database.
    "duplicate_in_file": gettext_lazy("The same value is already in row %(row)s."),
    "member_exists": gettext_lazy("A member with this IIN is already registered."),
    "poo_exists": gettext_lazy("An organization with this code is already registered."),
    "unknown_poo": gettext_lazy("No primary organization has this code."),
    "poo_out_of_scope": gettext_lazy("This primary organization is outside your branch."),
    "poo_inactive": gettext_lazy("This primary organization is closed or merged."),
    "unknown_branch": gettext_lazy("No branch has this code."),
    "branch_out_of_scope": gettext_lazy("This branch is outside your scope."),
    "branch_is_region": gettext_lazy("A primary organization belongs to a district or city."),
}


def problem_message(code: str, params: dict | None = None) -> str:
    if code.startswith("iin_"):
        return iin_error_message(iin_lib.IINError(code[4:], ""))
    template = PROBLEM_MESSAGES.get(code)
    if template is None:
        return code
    return str(template) % (params or {})


def problem_text(row: int | None, column: str, code: str, params: dict | None = None) -> str:
    """ "Row 14, column iin: The IIN's check digit is wrong." in the active language."""
    message = problem_message(code, params)
    if row is None:
        return message
    if column:
        return _("Row %(row)s, column %(column)s: %(message)s") % {
            "row": row,
            "column": column,
            "message": message,
        }
    return _("Row %(row)s: %(message)s") % {"row": row, "message": message}


# Staged rows ------------------------------------------------------------------------------
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_ESCAPED = re.compile(r"\\(.)")
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
NULL = "\\N"


def copy_text(value: str) -> str:
    """A text value as PostgreSQL's COPY text format writes it."""
    return value.translate(_ESCAPES) if _NEEDS_ESCAPE.search(value) else value


def copy_value(value: Any) -> str:
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return copy_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _unescape(match: re.Match) -> str:
    return _UNESCAPES.get(match.group(1), match.group(1))


def _decoder(field) -> Any:
    kind = field.get_internal_type()
    if kind == "DateField":
        return dt.date.fromisoformat
    if kind == "BooleanField":
        return lambda text: text == "t"
    if kind in ("ForeignKey", "IntegerField", "BigIntegerField", "PositiveIntegerField"):
        return int
    return lambda text: _ESCAPED.sub(_unescape, text) if "\\" in text else text


class Stage:
    """The checked rows of an import, one COPY text line each (the columns `fields` of
    `model`, attribute names), in a temporary file: pass 2 writes them without reading the
    uploaded file again."""

    def __init__(self, model, fields: tuple[str, ...]):
        self.model = model
        self.fields = fields
        self.file = tempfile.TemporaryFile(prefix="bastau-import-")  # noqa: SIM115 - closed by close()
        self.rows = 0

    def add(self, lines: list[str]) -> None:
        if lines:
            self.file.write("".join(lines).encode())
            self.rows += len(lines)

    def blocks(self, size: int = 1 << 20) -> Iterator[bytes]:
        self.file.flush()
        self.file.seek(0)
        while block := self.file.read(size):
            yield block

    def records(self) -> Iterator[dict[str, Any]]:
        """Each staged row as {attribute name: Python value}."""
        decoders = [_decoder(self.model._meta.get_field(name)) for name in self.fields]
        pairs = list(zip(self.fields, decoders, strict=True))
        self.file.flush()
        self.file.seek(0)
        for raw in self.file:
            cells = raw.decode()[:-1].split("\t")
            yield {
                name: None if cell == NULL else decode(cell)
                for (name, decode), cell in zip(pairs, cells, strict=True)
            }

    def close(self) -> None:
        self.file.close()


def _use_copy() -> bool:
    return COPY_ON_POSTGRESQL and connection.vendor == "postgresql"


def _orm_write(model, stage: Stage, user, reason: str) -> list:
    """The staged rows through the ORM, with their history rows (any database)."""
    created = []
    for chunk in _chunks(stage.records(), CHUNK_SIZE):
        created += bulk_create_with_history(
            [model(**record) for record in chunk],
            model,
            batch_size=CHUNK_SIZE,
            default_user=user,
            default_change_reason=reason,
        )
    return created


STAGE_TABLE = "bastau_import_stage"


def _copy_write(
    model,
    stage: Stage,
    user,
    reason: str,
    order_by: str | None = None,
    then: Callable[[str], None] | None = None,
) -> int:
    """PostgreSQL: COPY the stage into a temporary table, then one statement inserts the
    records and, from what it inserted (RETURNING), their "+" history rows; the same rows as
    `_orm_write` (one history date for the whole import). Rows are inserted in the order of
    the column `order_by` when given: inserting a million members in IIN order makes the
    indexes on the IIN (and on status + birth date) grow at their end instead of at random
    pages, which takes a third less time than file order. `then(table)`, when given, runs
    after the insert while the staged rows are still in the temporary table `table`."""
    qn = connection.ops.quote_name
    meta = model._meta
    staged = [meta.get_field(name) for name in stage.fields]
    named = {f.attname for f in staged}
    rest = [f for f in meta.concrete_fields if f.attname not in named and not f.primary_key]
    stage_columns = ", ".join(qn(f.column) for f in staged)
    insert = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in [*staged, *rest])}) "
        f"SELECT {', '.join([qn(f.column) for f in staged] + ['%s'] * len(rest))} "
        f"FROM {STAGE_TABLE}"
    )
    if order_by:
        insert += f" ORDER BY {qn(meta.get_field(order_by).column)}"
    params: list[Any] = [f.get_db_prep_save(f.get_default(), connection) for f in rest]
    history = getattr(model, "history", None)
    if history is not None and getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        columns = {f.attname: f.column for f in meta.concrete_fields}
        fixed = {
            "history_date": timezone.now(),
            "history_type": "+",
            "history_change_reason": reason,
            "history_user_id": user.pk if user is not None else None,
        }
        targets, sources = [], []
        for f in history.model._meta.concrete_fields:
            if f.primary_key:
                continue  # history_id: its sequence
            targets.append(qn(f.column))
            if f.attname in fixed:
                sources.append("%s")
                params.append(fixed[f.attname])
            elif f.attname in columns:
                sources.append(qn(columns[f.attname]))
            else:  # pragma: no cover - a history field this path does not know
                raise RuntimeError(f"cannot fill {history.model.__name__}.{f.name}")
        insert = (
            f"WITH inserted AS ({insert} RETURNING {', '.join(map(qn, columns.values()))}) "
            f"INSERT INTO {qn(history.model._meta.db_table)} ({', '.join(targets)}) "
            f"SELECT {', '.join(sources)} FROM inserted"
        )
    with connection.cursor() as cursor:
        # A million rows take longer than the statement timeout of web requests.
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE_TABLE} ON COMMIT DROP AS "
            f"SELECT {stage_columns} FROM {qn(meta.db_table)} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {STAGE_TABLE} ({stage_columns}) FROM STDIN") as copy:
            for block in stage.blocks():
                copy.write(block)
        cursor.execute(insert, params)
        count = cursor.rowcount
        if then is not None:
            then(STAGE_TABLE)
        cursor.execute(f"DROP TABLE {STAGE_TABLE}")
    return count


# The two kinds of import ------------------------------------------------------------------
@dataclass
class ParsedRow:
    row: int
    values: dict[str, Any]
    problems: list[rules.Problem] = field(default_factory=list)


def _aliases(choices, words: dict[str, list[str]]) -> dict[str, str]:
    """Stored values, the built-in words, and the labels as every language says them."""
    merged: dict[str, list[str]] = {value: list(words.get(value, ())) for value in choices.values}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in choices.choices:
                merged[value].append(str(label))
    return rules.alias_map(merged)


@dataclass(frozen=True)
class _PooRef:
    pk: int
    active: bool
    in_scope: bool


class MemberImport:
    kind = ImportJob.Kind.MEMBERS
    model = Member
    key_column = "iin"
    ignored = rules.MEMBER_IGNORED
    template = rules.MEMBER_TEMPLATE
    audit_action = "members.imported"

    def __init__(self, scope: Scope, today: dt.date):
        self.scope = scope
        self.today = today
        self.columns = rules.member_columns(
            _aliases(Sector, rules.SECTOR_WORDS),
            _aliases(Member.Status, rules.STATUS_WORDS),
            _aliases(Sex, rules.SEX_WORDS),
        )
        self.first_row: dict[str, int] = {}
        self.poos: dict[str, _PooRef | None] = {}

    def check_values(self, values: dict, failed: set[str]) -> list[rules.Problem]:
        return rules.check_member(values, self.today, failed)

    def key(self, values: dict) -> str | None:
        parsed = values.get("iin")
        return parsed.value if parsed is not None else None

    def existing_keys(self, keys: list[str]) -> set[str]:
        if connection.vendor == "postgresql":
            # One array parameter instead of thousands of placeholders.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT iin FROM {Member._meta.db_table} WHERE iin = ANY(%s)", [keys]
                )
                return {iin for (iin,) in cursor.fetchall()}
        return set(Member.objects.filter(iin__in=keys).values_list("iin", flat=True))

    exists_code = "member_exists"

    def check_references(self, rows: list[ParsedRow]) -> None:
        codes = {r.values["poo_code"] for r in rows if r.values.get("poo_code")}
        new = codes - self.poos.keys()
        if new:
            in_scope = set(
                structure_perms.poos(self.scope).filter(code__in=new).values_list("pk", flat=True)
            )
            for pk, code, status in PrimaryOrganization.objects.filter(code__in=new).values_list(
                "pk", "code", "status"
            ):
                self.poos[code] = _PooRef(pk, status == "active", pk in in_scope)
            for code in new - self.poos.keys():
                self.poos[code] = None
        for r in rows:
            code = r.values.get("poo_code")
            if not code:
                continue
            ref = self.poos[code]
            problem = None
            if ref is None:
                problem = "unknown_poo"
            elif not ref.in_scope:
                problem = "poo_out_of_scope"
            elif not ref.active:
                problem = "poo_inactive"
            if problem:
                r.problems.append(rules.Problem("poo_code", code, problem))

    #: What the stage holds of each row (attribute names of Member).
    staged = (
        "iin", "last_name", "first_name", "patronymic", "birth_date", "sex", "phone", "email",
        "address", "poo_id", "sector", "has_disability", "is_veteran", "joined_on", "status",
        "status_changed_on", "left_on",
    )  # fmt: skip

    def stage_line(self, values: dict) -> str:
        """A checked row as a COPY text line of the `staged` columns."""
        left = values["left_on"] if values["status"] in rules.ENDED_STATUSES else None
        left_text = NULL if left is None else left.isoformat()
        return (
            "\t".join(
                (
                    values["iin"].value,
                    copy_text(values["last_name"]),
                    copy_text(values["first_name"]),
                    copy_text(values["patronymic"]),
                    values["birth_date"].isoformat(),
                    values["sex"],
                    copy_text(values["phone"]),
                    copy_text(values["email"]),
                    copy_text(values["address"]),
                    str(self.poos[values["poo_code"]].pk),
                    values["sector"],
                    "t" if values["has_disability"] else "f",
                    "t" if values["is_veteran"] else "f",
                    values["joined_on"].isoformat(),
                    values["status"],
                    left_text,
                    left_text,
                )
            )
            + "\n"
        )

    def write(self, stage: Stage, user, job: ImportJob) -> int:
        reason = f"import {job.pk}"
        if _use_copy():
            # The kept figures count the new members in the same transaction (bulk writes send
            # no signals), from the staged rows: each became exactly one record with the same
            # counted fields (the write fails unless every staged row was inserted).
            def count_staged(table: str) -> None:
                tally.add_rows(f"SELECT * FROM {table}")

            return _copy_write(Member, stage, user, reason, order_by="iin", then=count_staged)
        since = Member.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        written = len(_orm_write(Member, stage, user, reason))
        # The records this import wrote are those its history rows name.
        history = Member.history.model._meta.db_table
        tally.add_members(
            f"id > %s AND id IN (SELECT id FROM {history} WHERE id > %s "
            "AND history_change_reason = %s)",
            (since, since, reason),
        )
        return written


class PooImport:
    kind = ImportJob.Kind.POOS
    model = PrimaryOrganization
    key_column = "code"
    ignored = rules.POO_IGNORED
    template = rules.POO_TEMPLATE
    audit_action = "poos.imported"
    exists_code = "poo_exists"

    def __init__(self, scope: Scope, today: dt.date):
        self.scope = scope
        self.today = today
        self.columns = rules.poo_columns(
            _aliases(PrimaryOrganization.WorkplaceKind, rules.WORKPLACE_WORDS)
        )
        self.first_row: dict[str, int] = {}
        # Branches are few (tens): load them once.
        self.branches = {
            code: (pk, kind) for pk, code, kind in Branch.objects.values_list("pk", "code", "kind")
        }
        self.allowed = set(structure_perms.branches(scope).values_list("pk", flat=True))

    def check_values(self, values: dict, failed: set[str]) -> list[rules.Problem]:
        return rules.check_poo(values, self.today)

    def key(self, values: dict) -> str | None:
        return values.get("code") or None

    def existing_keys(self, keys: list[str]) -> set[str]:
        return set(PrimaryOrganization.objects.filter(code__in=keys).values_list("code", flat=True))

    def check_references(self, rows: list[ParsedRow]) -> None:
        for r in rows:
            code = r.values.get("branch_code")
            if not code:
                continue
            found = self.branches.get(code)
            problem = None
            if found is None:
                problem = "unknown_branch"
            elif found[0] not in self.allowed:
                problem = "branch_out_of_scope"
            elif found[1] == Branch.Kind.REGION:
                problem = "branch_is_region"
            if problem:
                r.problems.append(rules.Problem("branch_code", code, problem))

    staged = ("code", "name", "branch_id", "workplace_kind", "address", "founded_on")

    def stage_line(self, values: dict) -> str:
        row = (
            values["code"],
            values["name"],
            self.branches[values["branch_code"]][0],
            values["workplace_kind"],
            values["address"],
            values["founded_on"],
        )
        return "\t".join(map(copy_value, row)) + "\n"

    def write(self, stage: Stage, user, job: ImportJob) -> int:
        # Organizations are few (thousands) and need their founding events: the ORM.
        created = _orm_write(PrimaryOrganization, stage, user, f"import {job.pk}")
        StructureEvent.objects.bulk_create(
            [
                StructureEvent(
                    poo_id=poo.pk,
                    kind=StructureEvent.Kind.FOUNDED,
                    date=poo.founded_on or self.today,
                    to_branch_id=poo.branch_id,
                    reason=_("Imported"),
                    created_by=user,
                )
                for poo in created
            ],
            batch_size=CHUNK_SIZE,
        )
        return len(created)


IMPORTS = {ImportJob.Kind.MEMBERS: MemberImport, ImportJob.Kind.POOS: PooImport}


def _parsed_rows(
    rows: Iterator[tuple[int, Any]], spec, recorder: ErrorRecorder | None
) -> Iterator[tuple[ParsedRow, rules.Header]] | None:
    """Read the header, then parse and check every non-blank row (no database). Returns None
    when the header has problems (they are recorded)."""
    for number, cells in rows:
        if rules.row_is_blank(cells):
            continue
        header = rules.read_header(cells, spec.columns, spec.ignored)
        if header.problems:
            if recorder is not None:
                for problem in header.problems:
                    recorder.add(number, problem.column, problem)
            return None
        break
    else:
        raise ImportFileError("no_header")

    parse_cells = rules.row_parser(header, spec.columns)
    is_blank = rules.row_is_blank

    def parsed():
        for number, cells in rows:
            if is_blank(cells):
                continue
            values, problems = parse_cells(cells)
            failed = {p.column for p in problems}
            problems += spec.check_values(values, failed)
            yield ParsedRow(number, values, problems), header

    return parsed()


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class ErrorRecorder:
    """Stores problems in batches; keeps counting after MAX_STORED_ERRORS."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.count = 0
        self.pending: list[ImportRowError] = []

    def add(self, row: int | None, column: str, problem: rules.Problem) -> None:
        self.count += 1
        if self.count > MAX_STORED_ERRORS:
            return
        self.pending.append(
            ImportRowError(
                job=self.job,
                row=row,
                column=column[:100],
                value=str(problem.value)[:200],
                code=problem.code,
                params=dict(problem.params),
            )
        )
        if len(self.pending) >= CHUNK_SIZE:
            self.flush()

    def add_file_problem(self, code: str, params: dict | None = None) -> None:
        self.add(None, "", rules.Problem("", "", code, params or {}))

    def flush(self) -> None:
        if self.pending:
            ImportRowError.objects.bulk_create(self.pending)
            self.pending = []


def _progress(job: ImportJob, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _check_pass(job: ImportJob, spec, recorder: ErrorRecorder, stage: Stage) -> int:
    """Pass 1: every row parsed and checked once; while no row has a problem, the checked
    rows go to `stage`. Returns the number of data rows."""
    processed = 0
    with job.file.open("rb") as handle, open_rows(handle, job.format) as rows:
        parsed = _parsed_rows(rows, spec, recorder)
        if parsed is None:
            return 0
        for chunk in _chunks(parsed, CHECK_CHUNK_SIZE):
            header = chunk[0][1]
            batch = [row for row, _header in chunk]
            processed += len(batch)
            if processed > settings.IMPORT_MAX_ROWS:
                raise ImportFileError("too_many_rows", max=settings.IMPORT_MAX_ROWS)
            _check_keys(spec, batch)
            spec.check_references(batch)
            for row in batch:
                for problem in row.problems:
                    recorder.add(row.row, header.names.get(problem.column, problem.column), problem)
            if not recorder.count:  # once a row fails nothing is written: stop staging
                stage.add([spec.stage_line(row.values) for row in batch])
            _progress(
                job,
                processed_rows=processed,
                total_rows=max(job.total_rows, processed),
                error_count=recorder.count,
            )
    if processed == 0 and not recorder.count:
        raise ImportFileError("no_rows")
    return processed


def _check_keys(spec, batch: list[ParsedRow]) -> None:
    """Duplicates of the key (IIN, code) inside the file and against the database."""
    fresh: list[ParsedRow] = []
    for row in batch:
        key = spec.key(row.values)
        if key is None:
            continue
        first = spec.first_row.setdefault(key, row.row)
        if first != row.row:
            row.problems.append(
                rules.Problem(spec.key_column, key, "duplicate_in_file", {"row": first})
            )
        else:
            fresh.append(row)
    if not fresh:
        return
    existing = spec.existing_keys([spec.key(row.values) for row in fresh])
    for row in fresh:
        key = spec.key(row.values)
        if key in existing:
            row.problems.append(rules.Problem(spec.key_column, key, spec.exists_code))


def _write_pass(job: ImportJob, spec, user, stage: Stage) -> int:
    """Pass 2: the staged rows written in one transaction. Runs only after a clean pass 1."""
    with transaction.atomic():
        created = spec.write(stage, user, job)
        if created != stage.rows:  # pragma: no cover - the stage is what pass 1 checked
            raise RuntimeError(f"wrote {created} of {stage.rows} rows")
        audit.record(
            user,
            spec.audit_action,
            job,
            branch=job.branch,
            summary=job.original_name,
            data={"job": job.pk, "rows": created, "format": job.format},
        )
    return created


def run_import(job_id: int) -> ImportJob:
    """Check and (when clean) write one job. Safe to call twice: only a pending job runs."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING,
        phase=ImportJob.Phase.CHECKING,
        started_at=timezone.now(),
    )
    job = ImportJob.objects.select_related("created_by", "branch").get(pk=job_id)
    if not claimed:
        return job
    recorder = ErrorRecorder(job)
    created = 0
    try:
        user = job.created_by
        scope = Scope(user) if user is not None else None
        if scope is None or not perms.import_members(scope):
            recorder.add_file_problem("not_allowed")
        else:
            spec = IMPORTS[job.kind](scope, timezone.localdate())
            stage = Stage(spec.model, spec.staged)
            try:
                _check_pass(job, spec, recorder, stage)
                if not recorder.count:
                    _progress(job, phase=ImportJob.Phase.SAVING)
                    created = _write_pass(job, spec, user, stage)
            finally:
                stage.close()
    except ImportFileError as exc:
        recorder.add_file_problem(exc.code, exc.params)
    except IntegrityError:
        logger.warning("import %s conflicted with a concurrent change", job_id, exc_info=True)
        recorder.add_file_problem("conflict")
    except Exception:
        logger.exception("import %s failed", job_id)
        recorder.add_file_problem("unexpected")
    finally:
        recorder.flush()
        ok = recorder.count == 0
        _progress(
            job,
            status=ImportJob.Status.SUCCEEDED if ok else ImportJob.Status.FAILED,
            phase=ImportJob.Phase.DONE,
            error_count=recorder.count,
            created_count=created,
            finished_at=timezone.now(),
        )
        _discard_file(job)
    return job


def _discard_file(job: ImportJob) -> None:
    """The uploaded file holds personal data; once the job is done only the report stays."""
    if job.file:
        try:
            job.file.delete(save=False)
        except OSError:  # pragma: no cover
            logger.warning("could not delete import file %s", job.file.name, exc_info=True)
        ImportJob.objects.filter(pk=job.pk).update(file="")


# Starting and listing jobs ----------------------------------------------------------------
def create_job(scope: Scope, *, kind: str, upload, inspection: Inspection) -> ImportJob:
    scope.require(perms.import_members(scope))
    job = ImportJob(
        kind=kind,
        format=inspection.format,
        original_name=os.path.basename(upload.name or "")[:255],
        total_rows=inspection.rows,
        created_by=scope.user,
        branch=getattr(scope.user, "branch", None),
    )
    job.file.save(upload.name, upload, save=False)
    job.save()
    return job


def start_import(job: ImportJob) -> ImportJob:
    """Small files are imported now; large ones go to the task worker."""
    if job.total_rows <= settings.IMPORT_INLINE_MAX_ROWS:
        return run_import(job.pk)
    from .tasks import run_import_job

    _progress(job, in_background=True)
    try:
        run_import_job.enqueue(job.pk)
    except Exception:
        logger.exception("could not queue import %s", job.pk)
        recorder = ErrorRecorder(job)
        recorder.add_file_problem("unexpected")
        recorder.flush()
        _progress(
            job,
            status=ImportJob.Status.FAILED,
            phase=ImportJob.Phase.DONE,
            error_count=1,
            finished_at=timezone.now(),
        )
        _discard_file(job)
    job.refresh_from_db()
    return job


def jobs_for(scope: Scope) -> QuerySet:
    """The jobs a user may see: all for a regional administrator, else their branch's and
    their own."""
    qs = ImportJob.objects.all()
    if scope.is_regional_admin:
        return qs
    if not perms.import_members(scope):
        return qs.none()
    condition = Q(created_by=scope.user)
    if scope.user.branch_id:
        condition |= Q(branch_id=scope.user.branch_id)
    return qs.filter(condition)


def template_columns(kind: str) -> list[str]:
    return list(IMPORTS[kind].template)
