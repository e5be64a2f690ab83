"""Covering indexes for the reception statistics at national size (issue 7), on PostgreSQL.

The dashboard counts the appeals registered in a period grouped by place (receiving branch,
district) with the outcome counts, grouped by (topic, channel, type), and the appeals decided in
a period by days taken (`statistics.summary`). With only the index on `registered_on` each of
those read the rows from the 480 MB heap (a million appeals with their texts); with every column
they need INCLUDEd in the index (`id` too: the counts are `COUNT(id)`) they are index-only
scans of a narrow index.

INCLUDE is PostgreSQL's (SQLite has no covering indexes, and at test size needs none): the
indexes are created on PostgreSQL only and are not part of the model state, so `makemigrations`
stays clean.
"""

from django.db import migrations

INDEXES = [
    (
        "reception_appeal_cohort_cover",
        "CREATE INDEX IF NOT EXISTS {name} ON reception_appeal (registered_on) INCLUDE "
        "(id, receiving_branch_id, district_id, topic_id, channel, kind, status, due_on, "
        "resolved_on, forwarded_on, forward_by)",
    ),
    (
        "reception_appeal_decided_cover",
        "CREATE INDEX IF NOT EXISTS {name} ON reception_appeal (resolved_on) INCLUDE "
        "(id, status, registered_on, receiving_branch_id) WHERE resolved_on IS NOT NULL",
    ),
]


# Districts follow branches (a few thousand (branch, district) pairs among a million appeals);
# without this the planner multiplies the two columns' distinct counts, expects ~100,000 groups
# and sorts the whole period on disk instead of hashing it.
STATISTICS = (
    "CREATE STATISTICS IF NOT EXISTS reception_appeal_branch_district (ndistinct) "
    "ON receiving_branch_id, district_id FROM reception_appeal"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, sql in INDEXES:
        schema_editor.execute(sql.format(name=name))
    schema_editor.execute(STATISTICS)
    # Index-only scans need the visibility map; VACUUM cannot run in a transaction, ANALYZE can.
    schema_editor.execute("ANALYZE reception_appeal")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP STATISTICS IF EXISTS reception_appeal_branch_district")
    for name, _sql in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("reception", "0002_seed_topics"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
