"""Register statistics with known answers, counted in a fixed number of queries."""

import datetime as dt
from decimal import Decimal

from bastau.accounts.scoping import Scope
from bastau.oversight import statistics
from bastau.oversight.models import Deputy

from .. import factories as f
from ..factories.oversight import deputy

REFERENCE = dt.date(2024, 6, 1)


def _small_set(ow):
    """Ages on REFERENCE 40, 50, 52, 62 (sum 204, mean 51), one of them a party member."""
    Deputy.objects.all().delete()
    member = f.member(ow.poo, sex="F", birth_date=dt.date(1973, 6, 2))  # 50: birthday tomorrow
    deputy(ow.conv, birth_date=dt.date(1984, 6, 1), sex="M")  # 40: birthday today
    deputy(ow.conv, member=member, elected_by="district", district_number=1)
    deputy(ow.reg_conv, birth_date=dt.date(1972, 6, 1), sex="F", party="other",
           party_name="Ak Zhol")  # 52  # fmt: skip
    deputy(ow.other_conv, birth_date=dt.date(1962, 1, 15), sex="M", party="none")  # 62
    ended = deputy(ow.conv, birth_date=dt.date(2000, 1, 1), sex="M")
    Deputy.objects.filter(pk=ended.pk).update(status="ended", ended_on=dt.date(2024, 1, 1))


def test_register_overview_known_answers(ow, django_assert_num_queries):
    _small_set(ow)
    with django_assert_num_queries(2):
        o = statistics.register_overview(Scope(ow.admin), reference=REFERENCE)
    assert o.total == 4
    assert o.age_sum == 204
    assert o.average_age == Decimal("51.0")
    assert {v: n for v, _label, n in o.by_sex} == {"M": 2, "F": 2}
    assert o.women_share == Decimal("50.0")
    assert {v: n for v, _label, n in o.by_party} == {"ours": 2, "other": 1, "none": 1}
    assert {v: n for v, _label, n in o.by_election} == {"list": 3, "district": 1}
    bands = dict(o.age_bands)
    assert bands["40-44"] == 1 and bands["50-54"] == 2 and bands["60-64"] == 1
    assert sum(bands.values()) == 4
    counts = {row["maslikhat_id"]: row["count"] for row in o.by_maslikhat}
    assert counts == {ow.regional.pk: 1, ow.maslikhat.pk: 2, ow.other_maslikhat.pk: 1}
    assert o.by_maslikhat[0]["level"] == "district"


def test_register_overview_query_count_does_not_grow(ow, django_assert_num_queries):
    _small_set(ow)
    for n in range(30):
        deputy(ow.regional.convocations.get(), birth_date=dt.date(1960 + n, 1, 1))
    with django_assert_num_queries(2):
        o = statistics.register_overview(Scope(ow.admin), reference=REFERENCE)
    assert o.total == 34


def test_register_overview_is_scoped(ow):
    _small_set(ow)
    o = statistics.register_overview(Scope(ow.secretary), reference=REFERENCE)
    assert o.total == 2
    assert o.average_age == Decimal("45.0")
    assert [row["maslikhat_id"] for row in o.by_maslikhat] == [ow.maslikhat.pk]
    everyone = statistics.register_overview(
        Scope(ow.secretary), reference=REFERENCE, active_only=False
    )
    assert everyone.total == 3
    nobody = statistics.register_overview(Scope(ow.member_user), reference=REFERENCE)
    assert nobody.total == 0 and nobody.average_age is None
