import datetime as dt
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from bastau.accounts.scoping import Scope
from bastau.members import statistics

from .. import factories as f

REF = dt.date(2026, 6, 30)


def test_overview_counts_women_youth_sectors_and_pyramid(world):
    # world: district members are F 1995 (31 on REF, youth), M 1970, F 1960; other district M 1999.
    o = statistics.overview(Scope(world.secretary), reference=REF)
    assert o.total == 3
    assert o.women == 2
    assert o.youth == 1
    assert o.women_share == Decimal("66.7")
    assert o.youth_share == Decimal("33.3")
    pyramid = {label: (m, w) for label, m, w in o.pyramid}
    assert pyramid["30-34"] == (0, 1)
    assert pyramid["55-59"] == (1, 0)
    assert pyramid["65+"] == (0, 1)
    assert sum(n for _v, _l, n in o.sectors) == 3


def test_region_admin_sees_all_and_other_secretary_only_theirs(world):
    assert statistics.overview(Scope(world.admin), reference=REF).total == 4
    assert statistics.overview(Scope(world.other_secretary), reference=REF).total == 1
    assert statistics.overview(Scope(world.member_user), reference=REF).total == 1


def test_youth_limit_is_configurable_and_exact_on_the_birthday(world):
    born = dt.date(1991, 6, 30)  # exactly 35 on REF: not youth under 35
    f.member(world.poo, birth_date=born)
    f.member(world.poo, birth_date=dt.date(1991, 7, 1))  # 34 on REF: youth
    o = statistics.overview(Scope(world.secretary), reference=REF)
    assert o.youth == 2  # the 1995 member and the one born 1991-07-01
    o29 = statistics.overview(Scope(world.secretary), reference=REF, youth_age=29)
    assert o29.youth == 0


def test_growth_between_two_dates_and_months(world):
    poo = world.poo
    start = dt.date(2026, 1, 1)
    f.member(poo, joined_on=dt.date(2026, 2, 10))
    f.member(poo, joined_on=dt.date(2026, 3, 5))
    f.member(poo, joined_on=dt.date(2020, 3, 5), status="left", left_on=dt.date(2026, 3, 20))
    o = statistics.overview(Scope(world.secretary), reference=REF, growth_from=start, base_qs=None)
    # Before: the 3 world members + the one who left later = 4; after: 3 + 2 new = 5.
    assert (o.growth.before, o.growth.after, o.growth.change) == (4, 5, 1)
    by_month = {r["month"]: r for r in o.months}
    assert by_month[dt.date(2026, 2, 1)]["admissions"] == 1
    assert by_month[dt.date(2026, 3, 1)] == {
        "month": dt.date(2026, 3, 1),
        "admissions": 1,
        "exits": 1,
    }
    assert len(o.months) == 12


def test_overview_query_count_does_not_grow_with_members(world, django_assert_max_num_queries):
    for _ in range(40):
        f.member(world.poo)
    with django_assert_max_num_queries(4):
        statistics.overview(Scope(world.secretary), reference=REF)


def test_overview_page_and_xlsx(client, world):
    client.force_login(world.secretary)
    response = client.get(reverse("members:overview"), {"reference": "2026-06-30"})
    assert response.status_code == 200
    assert response.context["o"].total == 3
    xlsx = client.get(reverse("members:overview_xlsx"), {"reference": "2026-06-30"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    wb = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[2][1] == 3  # members
    assert rows[3][1] == 2  # women


def test_overview_of_one_poo(client, world):
    client.force_login(world.admin)
    response = client.get(reverse("members:overview"), {"poo": world.poo2.code})
    assert response.context["o"].total == 1
