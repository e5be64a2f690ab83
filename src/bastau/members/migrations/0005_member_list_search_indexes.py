"""Indexes for the member list at national size (issue 7), on PostgreSQL only.

The list's name search is Django's `istartswith`, which PostgreSQL runs as
`UPPER(col::text) LIKE UPPER('word%')` on the last name, first name and patronymic. A plain
btree on the column cannot serve it (the expression is UPPER(...) and the database collation is
not "C"), so every search read the million rows. An expression index on
`UPPER(col::text) text_pattern_ops` per column lets PostgreSQL answer each prefix with an index
range and OR the three (BitmapOr).

The default order of the list is (last_name, first_name, id); the index on
(last_name, first_name) of 0001 leaves ties to a sort, this one gives the exact order, so a page
(with OFFSET up to the list's cap of 10,000 rows) is read in order from the index.

SQLite (the other test backend) has no operator classes and its LIKE is not served by an index
anyway; the indexes are created on PostgreSQL only and are not part of the model state (the
models declare what both backends share), so `makemigrations` stays clean.
"""

from django.db import migrations

INDEXES = [
    (
        "members_member_upper_last_name_like",
        'CREATE INDEX IF NOT EXISTS {name} ON members_member (UPPER("last_name"::text) '
        "text_pattern_ops)",
    ),
    (
        "members_member_upper_first_name_like",
        'CREATE INDEX IF NOT EXISTS {name} ON members_member (UPPER("first_name"::text) '
        "text_pattern_ops)",
    ),
    (
        "members_member_upper_patronymic_like",
        'CREATE INDEX IF NOT EXISTS {name} ON members_member (UPPER("patronymic"::text) '
        "text_pattern_ops)",
    ),
    (
        "members_member_name_order",
        'CREATE INDEX IF NOT EXISTS {name} ON members_member ("last_name", "first_name", "id")',
    ),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, sql in INDEXES:
        schema_editor.execute(sql.format(name=name))
    schema_editor.execute("ANALYZE members_member")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _sql in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_member_is_veteran"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
