"""The kept membership figures (bastau.lib.tally): maintained in the transaction of every change
of a member record, and rebuilt from the records by `bastau rebuild_aggregates`.

Every save or delete of a Member (the actions of members.services, the admin, the review of
members) passes through the signal handlers below, inside the caller's transaction: the
figures change in the same commit as the record or not at all. Writes that bypass signals
(bulk inserts of the import and the data generators, the merge's bulk move) call `add_members`
or `rebuild` themselves.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save, pre_save

from bastau.core import counts
from bastau.lib import tally

from .models import Member, MemberBirthStock, MemberFlow, MemberStock

FIELDS = ("poo_id", "sex", "sector", "birth_date", "joined_on", "left_on")


def _state(values: dict) -> tally.MemberState:
    to_date = Member._meta.get_field("joined_on").to_python
    left = values["left_on"]
    return tally.MemberState(
        poo_id=int(values["poo_id"]),
        sex=values["sex"],
        sector=values["sector"],
        birth_date=to_date(values["birth_date"]),
        joined_on=to_date(values["joined_on"]),
        left_on=to_date(left) if left else None,
    )


def state_of(member: Member) -> tally.MemberState:
    return _state({name: getattr(member, name) for name in FIELDS})


_upsert = counts.add


def apply(change: tally.Change) -> None:
    _upsert(
        MemberFlow,
        ("poo_id", "day", "sex", "sector", "birth_date"),
        ("joined", "ended"),
        [(*key, j, e) for key, (j, e) in change.flows().items()],
    )
    _upsert(
        MemberStock,
        ("poo_id", "sex", "sector"),
        ("n",),
        [(*key, n) for key, n in sorted(change.stock.items(), key=str)],
    )
    _upsert(
        MemberBirthStock,
        ("sex", "birth_date"),
        ("n",),
        [(*key, n) for key, n in sorted(change.birth.items(), key=str)],
    )


# Signal handlers (connected in apps.py) ------------------------------------------------------
def _before_save(sender, instance: Member, raw=False, **kwargs):
    instance._tally_before = None
    if raw or instance.pk is None:
        return
    row = Member.objects.filter(pk=instance.pk).values(*FIELDS).first()
    instance._tally_before = _state(row) if row else None


def _after_save(sender, instance: Member, raw=False, **kwargs):
    if raw:
        return
    change = tally.change(getattr(instance, "_tally_before", None), state_of(instance))
    instance._tally_before = None
    if change:
        apply(change)


def _after_delete(sender, instance: Member, **kwargs):
    change = tally.change(state_of(instance), None)
    if change:
        apply(change)


def connect() -> None:
    pre_save.connect(_before_save, sender=Member, dispatch_uid="members.tally.pre_save")
    post_save.connect(_after_save, sender=Member, dispatch_uid="members.tally.post_save")
    post_delete.connect(_after_delete, sender=Member, dispatch_uid="members.tally.post_delete")


# Bulk writes and the rebuild ----------------------------------------------------------------
def add_members(where: str, params=(), sign: int = 1) -> None:
    """Add (sign=1) or take away (sign=-1) the members WHERE `where` (SQL over members_member)
    from every aggregate, grouped in the database (`add_rows`)."""
    q = connection.ops.quote_name
    add_rows(f"SELECT * FROM {q(Member._meta.db_table)} WHERE {where}", params, sign)


def add_rows(rows: str, params=(), sign: int = 1) -> None:
    """Add (or take away) the member records that the query `rows` gives (columns poo_id,
    sex, sector, birth_date, joined_on, left_on, named as on members_member) to every
    aggregate: one INSERT ... SELECT ... ON CONFLICT per aggregate, `rows` read once each.

    The import passes its staged rows (a temporary table holding exactly the records it has
    just inserted), so the figures are counted without reading the new records back. Each
    upsert sends its groups in the order of the aggregate's unique key: the key index grows
    in order, and two imports running at once lock the same keys in the same order."""
    q = connection.ops.quote_name
    flow, stock, birth = (q(m._meta.db_table) for m in (MemberFlow, MemberStock, MemberBirthStock))
    key = "poo_id, day, sex, sector, birth_date"
    statements = [
        # Joined and ended in one upsert: a record adds 1 to `joined` on its join day and 1 to
        # `ended` on its end day; both days may be the same key.
        (
            f"INSERT INTO {flow} ({key}, joined, ended) "
            f"SELECT {key}, {sign} * SUM(j), {sign} * SUM(e) FROM ("
            f"SELECT poo_id, joined_on AS day, sex, sector, birth_date, 1 AS j, 0 AS e "
            f"FROM ({rows}) AS r "
            f"UNION ALL SELECT poo_id, left_on, sex, sector, birth_date, 0, 1 "
            f"FROM ({rows}) AS r WHERE left_on IS NOT NULL"
            f") AS f GROUP BY {key} ORDER BY {key} "
            f"ON CONFLICT ({key}) DO UPDATE SET joined = {flow}.joined + excluded.joined, "
            f"ended = {flow}.ended + excluded.ended"
        ),
        (
            f"INSERT INTO {stock} (poo_id, sex, sector, n) "
            f"SELECT poo_id, sex, sector, {sign} * COUNT(*) FROM ({rows}) AS r "
            f"WHERE left_on IS NULL GROUP BY poo_id, sex, sector ORDER BY poo_id, sex, sector "
            f"ON CONFLICT (poo_id, sex, sector) DO UPDATE SET n = {stock}.n + excluded.n"
        ),
        (
            f"INSERT INTO {birth} (sex, birth_date, n) "
            f"SELECT sex, birth_date, {sign} * COUNT(*) FROM ({rows}) AS r "
            f"WHERE left_on IS NULL GROUP BY sex, birth_date ORDER BY sex, birth_date "
            f"ON CONFLICT (sex, birth_date) DO UPDATE SET n = {birth}.n + excluded.n"
        ),
    ]
    with connection.cursor() as cursor:
        for i, sql in enumerate(statements):
            count = 2 if i == 0 else 1
            cursor.execute(sql, list(params) * count)


def rebuild(batch: int = 100_000, progress=None) -> int:
    """Recount every aggregate from the member records, in one transaction (readers see the
    old figures until it commits), `batch` member ids at a time. Idempotent."""
    with transaction.atomic():
        counts.lift_statement_timeout()
        for model in (MemberFlow, MemberStock, MemberBirthStock):
            model.objects.all().delete()
        bounds = Member.objects.order_by("pk").values_list("pk", flat=True)
        first, last = bounds.first(), bounds.last()
        done = 0
        if first is not None:
            for start in range(first, last + 1, batch):
                add_members("id >= %s AND id < %s", (start, start + batch))
                done = min(start + batch, last + 1) - first
                if progress:
                    progress(done)
        _drop_zeros()
    counts.vacuum_analyze(MemberFlow, MemberStock, MemberBirthStock)
    return Member.objects.count()


def _drop_zeros() -> None:
    MemberFlow.objects.filter(joined=0, ended=0).delete()
    MemberStock.objects.filter(n=0).delete()
    MemberBirthStock.objects.filter(n=0).delete()
