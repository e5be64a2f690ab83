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
    from every aggregate, grouped in the database: three INSERT ... SELECT statements."""
    q = connection.ops.quote_name
    member = q(Member._meta.db_table)
    flow, stock, birth = (q(m._meta.db_table) for m in (MemberFlow, MemberStock, MemberBirthStock))
    statements = [
        (
            f"INSERT INTO {flow} (poo_id, day, sex, sector, birth_date, joined, ended) "
            f"SELECT poo_id, joined_on, sex, sector, birth_date, {sign} * COUNT(*), 0 "
            f"FROM {member} WHERE {where} GROUP BY poo_id, joined_on, sex, sector, birth_date "
            f"ON CONFLICT (poo_id, day, sex, sector, birth_date) DO UPDATE SET "
            f"joined = {flow}.joined + excluded.joined"
        ),
        (
            f"INSERT INTO {flow} (poo_id, day, sex, sector, birth_date, joined, ended) "
            f"SELECT poo_id, left_on, sex, sector, birth_date, 0, {sign} * COUNT(*) "
            f"FROM {member} WHERE ({where}) AND left_on IS NOT NULL "
            f"GROUP BY poo_id, left_on, sex, sector, birth_date "
            f"ON CONFLICT (poo_id, day, sex, sector, birth_date) DO UPDATE SET "
            f"ended = {flow}.ended + excluded.ended"
        ),
        (
            f"INSERT INTO {stock} (poo_id, sex, sector, n) "
            f"SELECT poo_id, sex, sector, {sign} * COUNT(*) FROM {member} "
            f"WHERE ({where}) AND left_on IS NULL GROUP BY poo_id, sex, sector "
            f"ON CONFLICT (poo_id, sex, sector) DO UPDATE SET n = {stock}.n + excluded.n"
        ),
        (
            f"INSERT INTO {birth} (sex, birth_date, n) "
            f"SELECT sex, birth_date, {sign} * COUNT(*) FROM {member} "
            f"WHERE ({where}) AND left_on IS NULL GROUP BY sex, birth_date "
            f"ON CONFLICT (sex, birth_date) DO UPDATE SET n = {birth}.n + excluded.n"
        ),
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, list(params))


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
