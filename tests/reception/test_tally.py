"""The kept reception figures (reception.tally): registering, assigning, forwarding and resolving
appeals keep them equal to a recount of the appeals, whatever the sequence (hypothesis), and
`bastau rebuild_aggregates` recounts them."""

import datetime as dt
import io
from collections import Counter

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bastau.accounts.scoping import Scope
from bastau.lib import tally as pure
from bastau.reception import services, statistics, tally
from bastau.reception.models import AppealOutcomeCount, AppealPlaceDayCount, AppealTopicCount

from ..factories import reception as rf


def kept() -> dict:
    found = {}
    for table, (model, keys) in tally.TABLES.items():
        found[table] = {
            tuple(row[:-1]): row[-1] for row in model.objects.values_list(*keys, "n") if row[-1]
        }
    return found


def recounted() -> dict:
    with transaction.atomic():
        tally.rebuild(batch=3)
        found = kept()
        transaction.set_rollback(True)
    return found


def periods(today):
    two = statistics.last_two_months(today)
    year = statistics.this_year(today)
    return [
        *two,
        *year,
        statistics.this_year(today, whole_previous_year=True)[1],
        statistics.Period(today - dt.timedelta(days=400), today),
        statistics.Period(today - dt.timedelta(days=35), today - dt.timedelta(days=3)),
        # read as last year's counts less its last days (tally.place_pieces), whatever today is
        statistics.Period(dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 20)),
    ]


def assert_kept_equals_recount(rw):
    assert kept() == recounted()
    today = timezone.localdate()
    scope = Scope(rw.admin)
    for period in periods(today):
        for as_of in (today, today - dt.timedelta(days=20), today + dt.timedelta(days=60)):
            assert statistics.summary(scope, period, as_of=as_of) == (
                statistics.summary_recount(scope, period, as_of=as_of)
            ), (period, as_of)
    # The dashboard's overdue and due-soon counts: the kept ones (the region's) and the
    # branch's one query equal the lists they link to.
    for day in (today, today - dt.timedelta(days=20), today + dt.timedelta(days=30)):
        for who in (scope, Scope(rw.secretary)):
            assert statistics.open_deadlines(who, day, services.due_soon_until(day, 3)) == (
                services.overdue(who, day).count(),
                services.due_soon(who, day, 3).count(),
            ), (who.user, day)


def days_ago(n):
    return timezone.localdate() - dt.timedelta(days=n)


def test_registration_is_counted_on_its_day(rw):
    appeal = rf.register(rw, registered_on=days_ago(3))
    assert AppealOutcomeCount.objects.get(day=days_ago(3)).n == 1
    assert AppealTopicCount.objects.get(day=days_ago(3)).topic_id == rw.topic.pk
    place = AppealPlaceDayCount.objects.get(day=days_ago(3))
    assert (place.branch_id, place.district_id, place.n) == (rw.district.pk, rw.district.pk, 1)
    s = statistics.summary(Scope(rw.admin), statistics.Period(days_ago(10), days_ago(0)))
    assert (s.registered, s.open) == (1, 1)
    assert s.by_branch[0].key == appeal.receiving_branch_id
    assert_kept_equals_recount(rw)


def test_resolution_and_forwarding_move_the_counts(rw):
    scope = Scope(rw.secretary)
    first = rf.register(rw, registered_on=days_ago(40), district=rw.other_district)
    second = rf.register(rw, registered_on=days_ago(2), topic=rw.land, channel="phone")
    third = rf.register(rw, registered_on=days_ago(1), district=None)
    services.assign(scope, first, assignee=rw.officer)
    services.resolve(scope, first, outcome="refused", response_text="Жауап", on=days_ago(0))
    services.forward(scope, second, to="Әкімдік", on=days_ago(0))
    s = statistics.summary(Scope(rw.admin), statistics.Period(days_ago(60), days_ago(0)))
    assert (s.registered, s.refused, s.forwarded, s.open) == (3, 1, 1, 1)
    assert s.decided_in_period == 1 and s.p90_days == 40
    assert {b.key for b in s.by_district} == {rw.other_district.pk, rw.district.pk, None}
    assert third.district_id is None
    assert_kept_equals_recount(rw)


def test_a_late_open_appeal_is_late_from_its_due_day(rw):
    appeal = rf.register(rw, registered_on=days_ago(50))
    period = statistics.Period(days_ago(60), days_ago(0))
    before_due = statistics.summary(Scope(rw.admin), period, as_of=appeal.due_on)
    after_due = statistics.summary(
        Scope(rw.admin), period, as_of=appeal.due_on + dt.timedelta(days=1)
    )
    assert (before_due.late, after_due.late) == (0, 1)
    # Overdue from the day after its deadline; due soon up to it.
    due = appeal.due_on
    admin = Scope(rw.admin)
    assert statistics.open_deadlines(admin, due, due) == (0, 1)
    assert statistics.open_deadlines(admin, due - dt.timedelta(days=1), due) == (0, 1)
    assert statistics.open_deadlines(admin, due - dt.timedelta(days=2), due) == (0, 1)
    assert statistics.open_deadlines(admin, due - dt.timedelta(days=2), due - dt.timedelta(1)) == (
        0,
        0,
    )
    assert statistics.open_deadlines(admin, due + dt.timedelta(days=1), due) == (1, 0)
    assert_kept_equals_recount(rw)


def test_a_branch_secretary_gets_the_recount_of_their_branch(rw):
    rf.register(rw, registered_on=days_ago(5))
    rf.register(rw, rw.admin, registered_on=days_ago(5), branch=rw.other_district)
    period = statistics.Period(days_ago(10), days_ago(0))
    assert statistics.summary(Scope(rw.officer), period).registered == 1
    assert statistics.summary(Scope(rw.admin), period).registered == 2


def test_rebuild_command_recounts_and_is_idempotent(rw):
    rf.register(rw, registered_on=days_ago(5))
    expected = kept()
    AppealTopicCount.objects.all().update(n=7)
    AppealPlaceDayCount.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_aggregates", "--only", "reception", stdout=out)
    assert kept() == expected
    assert "reception: 1 records counted" in out.getvalue()
    call_command("rebuild_aggregates", "--only", "reception", stdout=out)
    assert kept() == expected


def test_month_split_covers_the_period_once():
    start = dt.date(2025, 9, 27)
    for length in (0, 3, 4, 33, 64, 400):
        end = start + dt.timedelta(days=length)
        partial, whole = pure.month_split(start, end)
        days = set()
        for a, b in partial:
            days |= {a + dt.timedelta(days=i) for i in range((b - a).days + 1)}
        if whole:
            m = whole[0]
            while m <= whole[1]:
                nxt = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                days |= {m + dt.timedelta(days=i) for i in range((nxt - m).days)}
                m = nxt
        assert days == {start + dt.timedelta(days=i) for i in range(length + 1)}


def _days_of(table, first, last):
    """Every day a (table, first, last) piece of place counts stands for."""
    if table == "year":
        last = dt.date(last.year, 12, 31)
    elif table == "month":
        last = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


@given(
    st.dates(dt.date(2023, 1, 1), dt.date(2027, 12, 31)),
    st.integers(0, 800),
)
@settings(max_examples=300, derandomize=True, deadline=None)
def test_place_pieces_count_every_day_of_the_period_once(start, length):
    end = start + dt.timedelta(days=length)
    counted = Counter()
    for sign, table, first, last in pure.place_pieces(start, end):
        for day in _days_of(table, first, last):
            counted[day] += sign
    counted = {day: n for day, n in counted.items() if n}
    assert counted == {start + dt.timedelta(days=i): 1 for i in range(length + 1)}


def test_a_year_so_far_reads_the_year_less_the_days_after_it():
    pieces = pure.place_pieces(dt.date(2026, 1, 1), dt.date(2026, 12, 6))
    assert pieces == [
        (1, "year", dt.date(2026, 1, 1), dt.date(2026, 1, 1)),
        (-1, "day", dt.date(2026, 12, 7), dt.date(2026, 12, 31)),
    ]
    # early in the year the months and days are read directly
    assert all(
        sign == 1 for sign, *_ in pure.place_pieces(dt.date(2026, 1, 1), dt.date(2026, 2, 6))
    )


# Random sequences of real actions ------------------------------------------------------------
action = st.one_of(
    st.tuples(
        st.just("register"),
        st.integers(0, 400),  # days ago
        st.booleans(),  # other branch
        st.sampled_from(["reception", "phone", "letter"]),
        st.booleans(),  # land topic
    ),
    st.tuples(st.just("resolve"), st.integers(0, 30), st.sampled_from(["refused", "explained"])),
    st.tuples(st.just("forward"), st.integers(0, 30)),
)


@settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=st.lists(action, min_size=1, max_size=7))
def test_random_actions_keep_the_figures_equal_to_a_recount(rw, actions):
    scope = Scope(rw.admin)
    with transaction.atomic():
        appeals = []
        for step in actions:
            try:
                if step[0] == "register":
                    _k, ago, other, channel, land = step
                    appeals.append(
                        rf.register(
                            rw,
                            rw.admin,
                            registered_on=days_ago(ago),
                            branch=rw.other_district if other else rw.district,
                            channel=channel,
                            topic=rw.land if land else rw.topic,
                        )
                    )
                elif not appeals:
                    continue
                elif step[0] == "resolve":
                    appeal = appeals[step[1] % len(appeals)]
                    appeal.refresh_from_db()
                    if appeal.status == "registered":
                        services.assign(scope, appeal, assignee=rw.officer)
                    services.resolve(scope, appeal, outcome=step[2], response_text="Жауап")
                else:
                    appeal = appeals[step[1] % len(appeals)]
                    appeal.refresh_from_db()
                    services.forward(scope, appeal, to="Әкімдік")
            except ValidationError:
                pass  # refused (already closed): changes nothing
        assert_kept_equals_recount(rw)
        transaction.set_rollback(True)
