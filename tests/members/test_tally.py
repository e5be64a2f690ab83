"""The kept member figures (members.tally): each action keeps them equal to a recount, the
rebuild command recounts them, and random sequences of real actions never make them drift."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bastau.accounts.scoping import Scope
from bastau.members import services, statistics, tally
from bastau.members.models import Member, MemberBirthStock, MemberFlow, MemberStock

from ..factories import make_iin


def kept() -> dict:
    """Every non-zero kept count."""
    flows = {
        (r.poo_id, r.day, r.sex, r.sector, r.birth_date): (r.joined, r.ended)
        for r in MemberFlow.objects.all()
        if r.joined or r.ended
    }
    stock = {(r.poo_id, r.sex, r.sector): r.n for r in MemberStock.objects.all() if r.n}
    birth = {(r.sex, r.birth_date): r.n for r in MemberBirthStock.objects.all() if r.n}
    return {"flows": flows, "stock": stock, "birth": birth}


def recounted() -> dict:
    """The kept counts as a rebuild from the records makes them (rolled back after)."""
    with transaction.atomic():
        tally.rebuild(batch=7)
        found = kept()
        transaction.set_rollback(True)
    return found


def assert_kept_equals_recount(world, days=()):
    assert kept() == recounted()
    today = timezone.localdate()
    for user in (world.admin, world.secretary, world.other_secretary, world.leader):
        scope = Scope(user)
        for reference in (today, *days):
            for growth_from in (reference.replace(month=1, day=1), dt.date(2015, 1, 11)):
                args = dict(reference=reference, growth_from=growth_from)
                assert statistics.overview(scope, **args) == statistics.overview_recount(
                    scope, **args
                ), (user.role, reference, growth_from)
        poo_ids = [world.poo.pk, world.poo2.pk, world.other_poo.pk]
        for day in (today, *days):
            recount = dict(
                statistics.members_at(Member.objects.filter(poo_id__in=poo_ids), day)
                .filter(pk__in=statistics.perms.members(scope).values("pk"))
                .values_list("poo_id")
                .annotate(n=statistics.Count("pk"))
            )
            assert statistics.count_by_poo(scope, poo_ids, day) == recount


def admit(world, poo, *, birth_date, sex, decision_date, sector="budget"):
    scope = Scope(world.admin)
    admission = services.register_application(
        scope,
        poo=poo,
        data={
            "iin": make_iin(birth_date, sex),
            "last_name": "Сәрсенова",
            "first_name": "Айгерім",
            "applied_on": decision_date - dt.timedelta(days=3),
            "sector": sector,
        },
    )
    services.record_poo_decision(
        scope, admission, meeting_date=decision_date - dt.timedelta(days=1), protocol_number="1"
    )
    return services.approve_admission(scope, admission, decision_date=decision_date)


def test_the_world_is_counted_as_it_is_created(world):
    today = timezone.localdate()
    assert_kept_equals_recount(world, days=[dt.date(2015, 1, 9), dt.date(2015, 1, 10)])
    stock = {(r.poo_id, r.sex): r.n for r in MemberStock.objects.all()}
    assert stock[(world.poo.pk, "F")] == 1 and stock[(world.poo.pk, "M")] == 1
    o = statistics.overview(Scope(world.admin), reference=today)
    assert o.total == 4


def test_admission_counts_the_new_member_on_the_decision_day(world):
    today = timezone.localdate()
    day = today - dt.timedelta(days=2)
    admit(world, world.poo, birth_date=dt.date(2001, 6, 15), sex="F", decision_date=day)
    flow = MemberFlow.objects.get(poo=world.poo, day=day)
    assert (flow.joined, flow.ended, flow.sex, flow.birth_date) == (1, 0, "F", dt.date(2001, 6, 15))
    scope = Scope(world.secretary)
    assert statistics.overview(scope, reference=day).total == 4
    assert statistics.overview(scope, reference=day - dt.timedelta(days=1)).total == 3
    assert_kept_equals_recount(world, days=[day, day - dt.timedelta(days=1)])


def test_transfer_moves_the_member_and_their_history(world):
    today = timezone.localdate()
    member = world.members[1]
    services.transfer_member(Scope(world.admin), member, to_poo=world.other_poo, date=today)
    stock = {(r.poo_id, r.sex): r.n for r in MemberStock.objects.filter(n__gt=0)}
    assert (world.poo.pk, "M") not in stock
    assert stock[(world.other_poo.pk, "M")] == 2
    assert statistics.overview(Scope(world.other_secretary), reference=today).total == 2
    assert statistics.overview(Scope(world.secretary), reference=today).total == 2
    assert_kept_equals_recount(world, days=[dt.date(2015, 1, 10)])


def test_exit_ends_membership_on_its_day_and_readmission_counts_again(world):
    today = timezone.localdate()
    day = today - dt.timedelta(days=5)
    member = world.members[0]
    scope = Scope(world.admin)
    services.change_status(scope, member, status=Member.Status.LEFT, date=day, reason="Өтініш")
    flow = MemberFlow.objects.get(poo=world.poo, day=day)
    assert flow.ended == 1
    o = statistics.overview(Scope(world.secretary), reference=today)
    assert (o.total, o.women, o.youth) == (2, 1, 0)
    assert statistics.overview(Scope(world.secretary), reference=day - dt.timedelta(1)).total == 3
    assert_kept_equals_recount(world, days=[day, day - dt.timedelta(days=1)])
    # readmitted: the record is the same, joined again today, and counted again
    member.refresh_from_db()
    admission = services.register_application(
        scope,
        poo=world.poo2,
        data={
            "iin": member.iin,
            "last_name": member.last_name,
            "first_name": member.first_name,
            "applied_on": today - dt.timedelta(days=2),
        },
    )
    services.record_poo_decision(
        scope, admission, meeting_date=today - dt.timedelta(days=1), protocol_number="2"
    )
    services.approve_admission(scope, admission, decision_date=today)
    assert statistics.overview(Scope(world.secretary), reference=today).total == 3
    assert_kept_equals_recount(world, days=[day])


def test_suspension_keeps_the_member_counted(world):
    today = timezone.localdate()
    services.change_status(
        Scope(world.admin), world.members[2], status="suspended", date=today, reason="Тексеру"
    )
    assert statistics.overview(Scope(world.secretary), reference=today).total == 3
    assert_kept_equals_recount(world)


def test_editing_sector_and_birth_date_moves_the_counts(world):
    today = timezone.localdate()
    member = world.members[1]
    services.update_member(
        Scope(world.admin),
        member,
        changes={"sector": "student", "birth_date": dt.date(2000, 2, 29)},
    )
    o = statistics.overview(Scope(world.secretary), reference=today)
    assert {v: n for v, _l, n in o.sectors}["student"] == 1
    assert_kept_equals_recount(world)


def test_merge_moves_every_current_member(world):
    moved = services.move_current_members(
        world.poo, world.poo2, date=timezone.localdate(), user=world.admin
    )
    assert moved == 2
    assert not MemberStock.objects.filter(poo=world.poo, n__gt=0).exists()
    assert_kept_equals_recount(world)


def test_deleting_a_record_takes_it_out(world):
    world.other_member.delete()
    assert (
        statistics.overview(Scope(world.other_secretary), reference=timezone.localdate()).total == 0
    )
    assert_kept_equals_recount(world)


def test_rebuild_command_recounts_and_is_idempotent(world):
    expected = kept()
    MemberStock.objects.all().update(n=99)
    MemberFlow.objects.all().delete()
    MemberFlow.objects.create(
        poo=world.poo,
        day=dt.date(2020, 1, 1),
        sex="M",
        sector="other",
        birth_date=dt.date(1990, 1, 1),
        joined=5,
    )
    out = io.StringIO()
    call_command("rebuild_aggregates", "--batch", "2", stdout=out)
    assert kept() == expected
    assert "members: 4 records counted" in out.getvalue()
    call_command("rebuild_aggregates", stdout=out)
    assert kept() == expected


# Random sequences of real actions ------------------------------------------------------------
BIRTHS = [dt.date(1991, 1, 1), dt.date(1991, 12, 31), dt.date(2000, 2, 29), dt.date(1960, 7, 1)]

action = st.one_of(
    st.tuples(
        st.just("admit"),
        st.integers(0, 2),  # POO
        st.sampled_from(BIRTHS),
        st.sampled_from(["M", "F"]),
        st.integers(0, 40),  # days ago
        st.sampled_from(["budget", "student", "other"]),
    ),
    st.tuples(st.just("transfer"), st.integers(0, 50), st.integers(0, 2)),
    st.tuples(st.just("exit"), st.integers(0, 50), st.integers(0, 40)),
    st.tuples(st.just("suspend"), st.integers(0, 50)),
    st.tuples(st.just("sector"), st.integers(0, 50), st.sampled_from(["pensioner", "budget"])),
)


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=st.lists(action, min_size=1, max_size=8))
def test_random_actions_keep_the_figures_equal_to_a_recount(world, actions):
    today = timezone.localdate()
    poos = [world.poo, world.poo2, world.other_poo]
    scope = Scope(world.admin)
    with transaction.atomic():
        for step in actions:
            current = list(Member.objects.exclude(status__in=Member.ENDED).order_by("pk"))
            kind = step[0]
            try:
                if kind == "admit":
                    _k, p, born, sex, ago, sector = step
                    admit(
                        world,
                        poos[p],
                        birth_date=born,
                        sex=sex,
                        decision_date=today - dt.timedelta(days=ago),
                        sector=sector,
                    )
                elif not current:
                    continue
                elif kind == "transfer":
                    m = current[step[1] % len(current)]
                    services.transfer_member(scope, m, to_poo=poos[step[2]], date=today)
                elif kind == "exit":
                    m = current[step[1] % len(current)]
                    day = max(m.joined_on, today - dt.timedelta(days=step[2]))
                    services.change_status(scope, m, status="left", date=day, reason="x")
                elif kind == "suspend":
                    m = current[step[1] % len(current)]
                    services.change_status(scope, m, status="suspended", date=today, reason="x")
                elif kind == "sector":
                    m = current[step[1] % len(current)]
                    services.update_member(scope, m, changes={"sector": step[2]})
            except services.ValidationError:
                pass  # refused actions (same POO, same status) change nothing
        assert_kept_equals_recount(
            world, days=[today - dt.timedelta(days=d) for d in (1, 10, 30, 45)]
        )
        transaction.set_rollback(True)


def test_an_import_counts_its_members_in_its_transaction(world):
    from ..factories.members import csv_bytes
    from .test_import_write import HEADER, _import, _rows

    _import(world, csv_bytes(HEADER, _rows(world)), "members.csv", "csv")
    assert Member.objects.count() == 8
    today = timezone.localdate()
    assert statistics.overview(Scope(world.admin), reference=today).total == 7  # one left
    assert_kept_equals_recount(world, days=[dt.date(2024, 1, 31), dt.date(2024, 2, 1)])


def test_region_overview_on_the_bounds_of_every_age_band(world):
    """The region's youth and age bands are summed from birth-date slots between their bounds
    (statistics._birth_slots): members born on each bound and the day after it are counted as
    the recount counts them, for any reference day and youth age."""
    from bastau.lib import stats
    from bastau.lib.dates import born_after_for_age_below

    from .. import factories as f

    reference = dt.date(2026, 6, 30)
    bounds = {born_after_for_age_below(age, reference) for age in (29, 35)}
    for _label, low, high in stats.AGE_BANDS:
        born_after, born_on_or_before = stats.birth_range_for_band(low, high, reference)
        bounds |= {born_on_or_before, *([born_after] if born_after else [])}
    for i, bound in enumerate(sorted(bounds)):
        for birth in (bound, bound + dt.timedelta(days=1)):
            f.member(world.poo, birth_date=birth, sex="F" if i % 2 else "M")
    scope = Scope(world.admin)
    for youth_age in (29, 35):
        for day in (reference, reference - dt.timedelta(days=400), timezone.localdate()):
            args = dict(reference=day, youth_age=youth_age, growth_from=dt.date(2025, 3, 15))
            kept_figures = statistics.overview(scope, **args)
            assert kept_figures == statistics.overview_recount(scope, **args), (youth_age, day)
    assert statistics.overview(scope, reference=reference).youth > 0
