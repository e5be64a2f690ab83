"""Adding to kept counts: one INSERT ... ON CONFLICT DO UPDATE statement, the same on SQLite and
PostgreSQL, so concurrent writers add to a row instead of overwriting it."""

from __future__ import annotations

from django.db import connection


def add(model, keys: tuple[str, ...], sums: tuple[str, ...], rows) -> None:
    """Add `rows` (values of the `keys` columns, then of the `sums` columns) to `model`'s
    counts; `model` has a unique constraint on exactly `keys`."""
    rows = list(rows)
    if not rows:
        return
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    columns = [_column(model, k) for k in keys] + list(sums)
    sql = (
        f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(q(c) for c in columns[: len(keys)])}) DO UPDATE SET "
        + ", ".join(f"{q(s)} = {table}.{q(s)} + excluded.{q(s)}" for s in sums)
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _column(model, name: str) -> str:
    """The column of a field given by name or by its attribute (`poo_id` for `poo`)."""
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field.column
    raise LookupError(f"{model.__name__} has no field {name}")


def lift_statement_timeout() -> None:
    """A rebuild's statements may take longer than a page's: on PostgreSQL, no statement
    timeout until the end of the current transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")


def vacuum_analyze(*models) -> None:
    """After a rebuild (PostgreSQL): planner statistics and a visibility map for the new rows,
    so that the pages' sums are index-only scans at once, not after autovacuum comes by."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        if connection.in_atomic_block:  # VACUUM cannot run in a transaction (tests)
            cursor.execute(f"ANALYZE {tables}")
            return
        cursor.execute("SET statement_timeout = 0")
        cursor.execute(f"VACUUM (ANALYZE) {tables}")
        cursor.execute("RESET statement_timeout")
