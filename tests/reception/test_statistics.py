"""Statistics on a small hand-made data set with known answers."""

import datetime as dt
from decimal import Decimal

import pytest

from bastau.accounts.scoping import Scope
from bastau.reception import statistics as st
from bastau.reception.models import Appeal, Official, ReceptionSession, Topic

from ..factories.reception import D

pytestmark = pytest.mark.django_db
S = Appeal.Status
AS_OF = D(2026, 7, 15)
_seq = iter(range(1, 10_000))


def make(w, registered_on, status, *, days=None, branch=None, topic="social_aid", **fields):
    """An appeal written straight to the table: due 21 days after registration, forward by
    3 days after; `days` = days from registration to the decision."""
    n = next(_seq)
    branch = branch or w.district
    values = dict(
        receiving_branch=branch,
        year=registered_on.year,
        seq=n,
        number=f"T-{n}",
        tracking_code=f"{n:010d}",
        channel="online",
        kind="application",
        topic=Topic.objects.get(code=topic),
        applicant_name="A",
        text="Text of the appeal",
        registered_on=registered_on,
        deadline=registered_on + dt.timedelta(days=21),
        due_on=registered_on + dt.timedelta(days=21),
        forward_by=registered_on + dt.timedelta(days=3),
        status=status,
        district=w.district,
    )
    if days is not None:
        values["resolved_on"] = registered_on + dt.timedelta(days=days)
    values.update(fields)
    return Appeal.objects.create(**values)


@pytest.fixture
def data(rw):
    w = rw
    feb = D(2026, 2, 2)
    # This year's cohort (1 January - 30 June 2026): 10 appeals.
    for days in (1, 2, 3, 4):
        make(w, feb, S.RESOLVED_POSITIVE, days=days, channel="reception")
    for days in (5, 6, 7):
        make(w, feb, S.EXPLAINED, days=days, topic="land")
    make(w, feb, S.REFUSED, days=30, topic="land")  # late: due after 21 days
    make(w, feb, S.FORWARDED, forwarded_on=D(2026, 2, 9), topic="other", district=None)  # late
    make(w, D(2026, 3, 2), S.IN_PROGRESS, topic="other", district=None)  # open, overdue
    # Registered in December 2025, decided in January 2026: not in either cohort, but their
    # times count for the period in which they were decided.
    make(w, D(2025, 12, 20), S.EXPLAINED, days=19, district=None)
    make(w, D(2025, 12, 22), S.EXPLAINED, days=18, district=None)
    # Last year's cohort (1 January - 30 June 2025): 10 appeals, 2 of 7 decided positively.
    may = D(2025, 5, 5)
    for _ in range(2):
        make(w, may, S.RESOLVED_POSITIVE, days=10)
    for _ in range(4):
        make(w, may, S.EXPLAINED, days=10)
    make(w, may, S.REFUSED, days=10)
    for _ in range(2):
        make(w, may, S.FORWARDED, forwarded_on=D(2025, 5, 6))
    make(w, may, S.REGISTERED)  # still open a year later: overdue
    # Another district: outside the secretary's scope.
    make(w, feb, S.RESOLVED_POSITIVE, days=1, branch=w.other_district)
    return w


H1_2026 = st.Period(D(2026, 1, 1), D(2026, 6, 30))
H1_2025 = st.Period(D(2025, 1, 1), D(2025, 6, 30))


def test_summary_known_answers(data):
    s = st.summary(Scope(data.secretary), H1_2026, as_of=AS_OF)
    assert (s.registered, s.open, s.positive, s.explained, s.refused, s.forwarded) == (
        10,
        1,
        4,
        3,
        1,
        1,
    )
    assert s.decided == 8 and s.closed == 9
    assert s.positive_share == Decimal("50.0")  # 4 of the 8 decided
    assert s.late == 3  # refused after the deadline, forwarded late, open past due
    assert s.overdue_share == Decimal("30.0")
    # Decided in the period: 1..7, 30 and the two December appeals (19, 18 days).
    assert s.decided_in_period == 10
    assert s.average_days == Decimal("9.5")  # 95 / 10
    assert s.p90_days == 19  # sorted 1,2,3,4,5,6,7,18,19,30: the 9th
    assert [(b.key, b.label, b.count) for b in s.by_topic] == [
        (Topic.objects.get(code="social_aid").pk, "Social aid", 4),  # ties: catalogue order
        (Topic.objects.get(code="land").pk, "Land", 4),
        (Topic.objects.get(code="other").pk, "Other", 2),
    ]
    channels = {b.key: b.count for b in s.by_channel}
    assert channels["reception"] == 4 and channels["online"] == 6 and channels["letter"] == 0
    assert s.reception_visits == 4
    assert {b.key: b.count for b in s.by_kind}["application"] == 10
    assert [(b.label, b.count) for b in s.by_district] == [("Mugalzhar", 8), ("Not given", 2)]
    assert [(b.label, b.count) for b in s.by_branch] == [("Mugalzhar", 10)]


def test_scope_decides_what_is_counted(data):
    admin = st.summary(Scope(data.admin), H1_2026, as_of=AS_OF)
    assert admin.registered == 11 and admin.positive == 5
    only_other = st.summary(Scope(data.admin), H1_2026, as_of=AS_OF, branch=data.other_district)
    assert only_other.registered == 1
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied
        st.summary(Scope(data.secretary), H1_2026, branch=data.other_district)
    with pytest.raises(Exception):  # noqa: B017
        st.summary(Scope(data.leader), H1_2026)


def test_year_comparison_in_points(data):
    c = st.compare(Scope(data.secretary), H1_2026, H1_2025, as_of=AS_OF)
    assert c.previous.positive_share == Decimal("28.6")  # 2 of 7
    assert c.positive_share_points == Decimal("21.4")
    assert c.previous.overdue_share == Decimal("10.0")
    assert c.overdue_share_points == Decimal("20.0")
    assert c.registered.change == 0
    assert c.previous.average_days == Decimal("10.0") and c.previous.p90_days == 10
    assert c.average_days_change == Decimal("-0.5")


def test_year_comparison_helper(data):
    c = st.year_comparison(Scope(data.secretary), D(2026, 6, 30))
    assert c.current.period == H1_2026 and c.previous.period == H1_2025
    whole = st.year_comparison(Scope(data.secretary), D(2026, 6, 30), whole_previous_year=True)
    assert whole.previous.period == st.Period(D(2025, 1, 1), D(2025, 12, 31))
    # All of 2025 registered 12 (with December's two), but decided only 7 in 2025.
    assert whole.previous.registered == 12
    assert whole.previous.decided_in_period == 7


def test_receptions_tripled(data):
    official = Official.objects.create(
        name="Official", position="Akim", kind="state_body_head", branch=data.district
    )
    for day in (D(2026, 5, 6), D(2026, 6, 3), D(2026, 6, 24), D(2026, 3, 10)):
        ReceptionSession.objects.create(
            official=official, branch=data.district, date=day, place="Hall"
        )
    ReceptionSession.objects.create(
        official=official, branch=data.other_district, date=D(2026, 6, 1), place="Hall"
    )
    c = st.two_month_comparison(Scope(data.secretary), D(2026, 6, 30))
    assert c.current.period == st.Period(D(2026, 5, 1), D(2026, 6, 30))
    assert c.previous.period == st.Period(D(2026, 3, 1), D(2026, 4, 30))
    assert (c.current.reception_sessions, c.previous.reception_sessions) == (3, 1)
    assert c.sessions_ratio == Decimal("3.0")
    assert c.reception_sessions.change == 2
    assert st.two_month_comparison(Scope(data.admin), D(2026, 6, 30)).sessions_ratio == Decimal(
        "4.0"
    )


def test_fixed_number_of_queries(data, django_assert_num_queries):
    with django_assert_num_queries(5):
        st.summary(Scope(data.admin), H1_2026, as_of=AS_OF)
    for i in range(20):
        make(data, D(2026, 4, 1), S.EXPLAINED, days=i, topic="education")
    with django_assert_num_queries(5):
        st.summary(Scope(data.secretary), H1_2026, as_of=AS_OF)


def test_headline_figures_without_breakdowns(data, django_assert_num_queries):
    """The dashboard's comparisons: the same figures without the counts by topic, district and
    branch, in fewer queries (for the region, three: no place rows read)."""
    for user, queries in ((data.admin, 3), (data.secretary, 4)):
        full = st.summary(Scope(user), H1_2026, as_of=AS_OF)
        with django_assert_num_queries(queries):
            short = st.summary(Scope(user), H1_2026, as_of=AS_OF, breakdowns=False)
        assert (short.by_topic, short.by_district, short.by_branch) == ([], [], [])
        assert full.registered > 0 and full.by_topic and full.by_district
        for name in (
            "registered",
            "open",
            "positive",
            "explained",
            "refused",
            "forwarded",
            "late",
            "reception_sessions",
            "by_channel",
            "by_kind",
            "decided_in_period",
            "average_days",
            "p90_days",
        ):
            assert getattr(short, name) == getattr(full, name), (user, name)


def test_empty_period(rw):
    s = st.summary(Scope(rw.admin), st.Period(D(2020, 1, 1), D(2020, 12, 31)))
    assert s.registered == 0 and s.positive_share == Decimal(0)
    assert s.average_days is None and s.p90_days is None
    assert s.by_topic == [] and len(s.by_channel) == len(Appeal.Channel.choices)


def test_periods():
    current, previous = st.last_two_months(D(2026, 11, 26))
    assert current == st.Period(D(2026, 9, 27), D(2026, 11, 26))
    assert previous == st.Period(D(2026, 7, 27), D(2026, 9, 26))
    current, previous = st.last_two_months(D(2026, 4, 30))
    assert current == st.Period(D(2026, 3, 1), D(2026, 4, 30))
    assert previous == st.Period(D(2025, 12, 31), D(2026, 2, 28))
    current, previous = st.this_year(D(2024, 2, 29))
    assert previous == st.Period(D(2023, 1, 1), D(2023, 2, 28))
    with pytest.raises(ValueError):
        st.Period(D(2026, 2, 1), D(2026, 1, 1))


@pytest.mark.parametrize(
    ("today", "current", "previous"),
    [
        # In January: all of the year just ended against all of the year before.
        (D(2027, 1, 1), (D(2026, 1, 1), D(2026, 12, 31)), (D(2025, 1, 1), D(2025, 12, 31))),
        (D(2027, 1, 31), (D(2026, 1, 1), D(2026, 12, 31)), (D(2025, 1, 1), D(2025, 12, 31))),
        # From 1 February: this year so far against the same part of last year.
        (D(2027, 2, 1), (D(2027, 1, 1), D(2027, 2, 1)), (D(2026, 1, 1), D(2026, 2, 1))),
        (D(2028, 2, 29), (D(2028, 1, 1), D(2028, 2, 29)), (D(2027, 1, 1), D(2027, 2, 28))),
        (D(2035, 12, 31), (D(2035, 1, 1), D(2035, 12, 31)), (D(2034, 1, 1), D(2034, 12, 31))),
    ],
)
def test_reporting_year(today, current, previous):
    assert st.reporting_year(today) == (st.Period(*current), st.Period(*previous))


def test_nearest_rank():
    assert st.nearest_rank(list(range(1, 11)), 90) == 9
    assert st.nearest_rank(list(range(1, 12)), 90) == 10
    assert st.nearest_rank([5], 90) == 5
    assert st.nearest_rank([1, 2, 3, 4], 50) == 2
    assert st.nearest_rank([], 90) is None
    assert st.ratio(6, 2) == Decimal("3.0") and st.ratio(1, 0) is None
