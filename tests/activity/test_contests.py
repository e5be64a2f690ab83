"""Contests: creation, entries, jury scoring by stage, closing the stages, the ranking."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.activity import permissions as p
from bastau.activity.models import Contest, ContestEntry, Juror, Score
from bastau.activity.recognition import services as r
from bastau.core.models import AuditEvent

from .. import factories as f
from ..factories.activity import (
    CRITERIA,
    TODAY,
    build_contest,
    enter_all,
    run_district_stage,
    score,
)


@pytest.fixture
def cw(world):
    return build_contest(world)


def test_admin_creates_a_contest_with_criteria_and_jurors(cw):
    c = cw.contest
    assert c.status == Contest.Status.OPEN
    assert [(x.position, x.name, x.weight) for x in c.criteria.all()] == [
        (1, "Activity", Decimal("2.00")),
        (2, "Growth", Decimal("1.50")),
    ]
    assert c.jurors.count() == 3
    assert AuditEvent.objects.filter(action="contest.created", object_id=str(c.pk)).exists()


@pytest.mark.parametrize("role", ["secretary", "leader", "member_user"])
def test_only_the_admin_creates_contests(world, role):
    with pytest.raises(PermissionDenied):
        r.create_contest(
            Scope(getattr(world, role)), branch=world.region, name="X", year=2026, criteria=CRITERIA
        )
    assert not Contest.objects.exists()


@pytest.mark.parametrize(
    "criteria",
    [
        [{"name": "A", "weight": "0", "max_points": 10}],
        [{"name": "A", "weight": "-1", "max_points": 10}],
        [{"name": "A", "weight": "abc", "max_points": 10}],
        [{"name": "", "weight": "1", "max_points": 10}],
        [{"name": "A", "weight": "1", "max_points": 0}],
        [],
    ],
)
def test_bad_criteria_create_nothing(world, criteria):
    with pytest.raises(ValidationError):
        r.create_contest(
            Scope(world.admin), branch=world.region, name="X", year=2026, criteria=criteria
        )
    assert not Contest.objects.exists()


def test_district_juror_needs_a_district(world):
    juror = f.user(Role.MEMBER)
    with pytest.raises(ValidationError):
        r.create_contest(
            Scope(world.admin),
            branch=world.region,
            name="X",
            year=2026,
            criteria=CRITERIA,
            jurors=[{"user": juror, "stage": "district", "district": None}],
        )
    assert not Contest.objects.exists()


def test_same_contest_twice_a_year_is_refused(cw):
    with pytest.raises(ValidationError) as exc:
        r.create_contest(
            Scope(cw.admin), branch=cw.region, name=cw.contest.name, year=2026, criteria=CRITERIA
        )
    assert "name" in exc.value.message_dict
    assert Contest.objects.count() == 1


def test_entries_by_role(cw):
    w = enter_all(cw)
    assert w.e1.submitted_by == w.leader and w.e1.submitted_on == TODAY
    assert w.contest.entries.count() == 3
    assert AuditEvent.objects.filter(action="contest.entry_submitted").count() == 3


@pytest.mark.parametrize(
    "role,poo",
    [
        ("leader", "poo2"),
        ("secretary", "other_poo"),
        ("other_secretary", "poo"),
        ("member_user", "poo"),
    ],
)
def test_entries_outside_the_scope_are_refused(cw, role, poo):
    with pytest.raises(PermissionDenied):
        r.submit_entry(Scope(getattr(cw, role)), cw.contest, poo=getattr(cw, poo), today=TODAY)
    assert not ContestEntry.objects.exists()


def test_entries_only_while_open_and_in_time(cw):
    w = cw
    with pytest.raises(ValidationError):
        r.submit_entry(Scope(w.leader), w.contest, poo=w.poo, today=dt.date(2026, 4, 2))
    r.submit_entry(Scope(w.leader), w.contest, poo=w.poo, today=dt.date(2026, 4, 1))
    with pytest.raises(ValidationError):  # once per POO
        r.submit_entry(Scope(w.secretary), w.contest, poo=w.poo, today=TODAY)
    r.open_district_stage(Scope(w.admin), w.contest)
    with pytest.raises(ValidationError):
        r.submit_entry(Scope(w.secretary), w.contest, poo=w.poo2, today=TODAY)
    assert w.contest.entries.count() == 1


def test_district_stage_needs_entries_and_the_admin(cw):
    with pytest.raises(ValidationError):
        r.open_district_stage(Scope(cw.admin), cw.contest)
    enter_all(cw)
    with pytest.raises(PermissionDenied):
        r.open_district_stage(Scope(cw.secretary), cw.contest)
    cw.contest.refresh_from_db()
    assert cw.contest.status == Contest.Status.OPEN


def test_nobody_scores_before_the_district_stage(cw):
    w = enter_all(cw)
    with pytest.raises(PermissionDenied):
        score(w, w.district_juror, w.e1, 5, 5)
    assert not Score.objects.exists()


def test_district_juror_scores_only_their_district(cw):
    w = enter_all(cw)
    r.open_district_stage(Scope(w.admin), w.contest)
    w.contest.refresh_from_db()
    score(w, w.district_juror, w.e1, 7, "8.5")
    assert Score.objects.filter(juror__user=w.district_juror, stage="district").count() == 2
    with pytest.raises(PermissionDenied):
        score(w, w.district_juror, w.e3, 5, 5)
    with pytest.raises(PermissionDenied):  # the regional juror waits for the regional stage
        score(w, w.regional_juror, w.e1, 5, 5)
    with pytest.raises(PermissionDenied):  # not a juror at all
        score(w, w.secretary, w.e1, 5, 5)
    assert Score.objects.count() == 2


def test_a_juror_changes_a_mark_and_bad_points_change_nothing(cw):
    w = enter_all(cw)
    r.open_district_stage(Scope(w.admin), w.contest)
    w.contest.refresh_from_db()
    score(w, w.district_juror, w.e1, 7, 7)
    score(w, w.district_juror, w.e1, 9, 7)
    assert Score.objects.get(entry=w.e1, criterion=w.c1).points == Decimal("9")
    for bad in (11, -1, "7.125", "x"):
        with pytest.raises(ValidationError):
            # the good mark next to the bad one is not written either
            r.record_scores(
                Scope(w.district_juror),
                w.contest,
                points={(w.e1.pk, w.c1.pk): 1, (w.e1.pk, w.c2.pk): bad},
            )
    assert {s.criterion_id: s.points for s in Score.objects.all()} == {
        w.c1.pk: Decimal("9"),
        w.c2.pk: Decimal("7"),
    }
    assert AuditEvent.objects.filter(action="contest.scored").count() == 2


def test_closing_the_district_stage_places_and_advances_per_district(cw):
    w = enter_all(cw)
    groups = run_district_stage(w)
    for e in (w.e1, w.e2, w.e3):
        e.refresh_from_db()
    # e1 and e2 both score 21: e2 has more points on the first criterion
    assert (w.e2.district_place, w.e2.advanced) == (1, True)
    assert (w.e1.district_place, w.e1.advanced) == (2, False)
    assert (w.e3.district_place, w.e3.advanced) == (1, True)
    w.contest.refresh_from_db()
    assert w.contest.status == Contest.Status.REGIONAL
    mug = next(g for g in groups if g.district == w.district)
    assert [(row.entry.pk, row.score, row.tied) for row in mug.rows] == [
        (w.e2.pk, Decimal("21.00"), False),
        (w.e1.pk, Decimal("21.00"), True),
    ]
    assert AuditEvent.objects.filter(action="contest.district_closed").exists()


def test_regional_stage_scores_finalists_and_names_winners(cw):
    w = enter_all(cw)
    run_district_stage(w)
    w.contest.refresh_from_db()
    with pytest.raises(PermissionDenied):  # not advanced
        score(w, w.regional_juror, w.e1, 10, 10)
    with pytest.raises(PermissionDenied):  # the district stage is over
        score(w, w.district_juror, w.e2, 10, 10)
    score(w, w.regional_juror, w.e2, 4, 4)  # 8 + 6 = 14
    score(w, w.regional_juror, w.e3, 5, 4)  # 10 + 6 = 16
    rows = r.close_regional_stage(Scope(w.admin), w.contest)
    assert [(row.entry.pk, row.place) for row in rows] == [(w.e3.pk, 1), (w.e2.pk, 2)]
    for e in (w.e1, w.e2, w.e3):
        e.refresh_from_db()
    assert (w.e3.regional_place, w.e3.is_winner) == (1, True)
    assert (w.e2.regional_place, w.e2.is_winner) == (2, False)
    assert (w.e1.regional_place, w.e1.is_winner) == (None, False)
    w.contest.refresh_from_db()
    assert w.contest.status == Contest.Status.FINISHED
    # the regional scores do not change the stored district places
    assert w.e2.district_place == 1
    with pytest.raises(ValidationError):
        r.close_regional_stage(Scope(w.admin), w.contest)


def test_stages_close_in_order_and_only_by_the_admin(cw):
    w = enter_all(cw)
    with pytest.raises(ValidationError):
        r.close_district_stage(Scope(w.admin), w.contest)
    r.open_district_stage(Scope(w.admin), w.contest)
    with pytest.raises(ValidationError):
        r.close_regional_stage(Scope(w.admin), w.contest)
    with pytest.raises(PermissionDenied):
        r.close_district_stage(Scope(w.secretary), w.contest)
    w.contest.refresh_from_db()
    assert w.contest.status == Contest.Status.DISTRICT
    assert not ContestEntry.objects.filter(district_place__isnull=False).exists()


def test_ranking_takes_a_fixed_number_of_queries(cw):
    w = enter_all(cw)
    r.open_district_stage(Scope(w.admin), w.contest)
    w.contest.refresh_from_db()
    with CaptureQueriesContext(connection) as few:
        r.stage_ranking(w.contest, Contest.Stage.DISTRICT)
    for i in range(6):
        p = f.poo(w.district, name=f"Extra {i}")
        e = ContestEntry.objects.create(contest=w.contest, poo=p, submitted_on=TODAY)
        score(w, w.district_juror, e, i, i)
    with CaptureQueriesContext(connection) as many:
        groups = r.stage_ranking(w.contest, Contest.Stage.DISTRICT)
    assert len(few) == len(many) == 3
    assert sum(len(g.rows) for g in groups) == 9


def test_ranking_reach_by_role(cw):
    w = enter_all(cw)
    district = Contest.Stage.DISTRICT
    assert r.ranking_reach(Scope(w.admin), w.contest, district) == r.ALL
    assert r.ranking_reach(Scope(w.secretary), w.contest, district) is None  # not running yet
    r.open_district_stage(Scope(w.admin), w.contest)
    w.contest.refresh_from_db()
    assert r.ranking_reach(Scope(w.secretary), w.contest, district) == w.district.pk
    assert r.ranking_reach(Scope(w.other_juror), w.contest, district) == w.other_district.pk
    assert r.ranking_reach(Scope(w.leader), w.contest, district) is None
    assert r.ranking_reach(Scope(w.member_user), w.contest, district) is None
    assert r.ranking_reach(Scope(w.regional_juror), w.contest, "regional") is None
    r.close_district_stage(Scope(w.admin), w.contest)
    w.contest.refresh_from_db()
    assert r.ranking_reach(Scope(w.member_user), w.contest, district) == r.ALL
    assert r.ranking_reach(Scope(w.regional_juror), w.contest, "regional") == r.ALL
    assert r.ranking_reach(Scope(w.secretary), w.contest, "regional") is None


def test_entries_seen_in_full_by_role(cw):
    w = enter_all(cw)

    def seen(user):
        return set(p.entries(Scope(user), w.contest).values_list("pk", flat=True))

    assert seen(w.admin) == {w.e1.pk, w.e2.pk, w.e3.pk}
    assert seen(w.secretary) == {w.e1.pk, w.e2.pk}
    assert seen(w.leader) == {w.e1.pk}
    assert seen(w.other_juror) == {w.e3.pk}
    assert seen(w.member_user) == set()


def test_jurors_are_added_and_removed_until_they_score(cw):
    w = enter_all(cw)
    extra = f.user(Role.MEMBER)
    seat = r.add_juror(Scope(w.admin), w.contest, user=extra, stage="district", district=w.district)
    with pytest.raises(ValidationError):  # once per stage
        r.add_juror(Scope(w.admin), w.contest, user=extra, stage="district", district=w.district)
    with pytest.raises(PermissionDenied):
        r.add_juror(Scope(w.secretary), w.contest, user=f.user(Role.MEMBER), stage="regional")
    r.remove_juror(Scope(w.admin), seat)
    assert not Juror.objects.filter(pk=seat.pk).exists()
    r.open_district_stage(Scope(w.admin), w.contest)
    w.contest.refresh_from_db()
    score(w, w.district_juror, w.e1, 1, 1)
    busy = Juror.objects.get(user=w.district_juror)
    with pytest.raises(ValidationError):
        r.remove_juror(Scope(w.admin), busy)
    assert Juror.objects.filter(pk=busy.pk).exists()


def test_unscored_entry_scores_zero_and_ranks_last(cw):
    w = enter_all(cw)
    r.open_district_stage(Scope(w.admin), w.contest)
    w.contest.refresh_from_db()
    score(w, w.district_juror, w.e1, 1, 0)
    groups = r.stage_ranking(w.contest, "district", district_id=w.district.pk)
    assert [(row.entry.pk, row.score, row.marks) for row in groups[0].rows] == [
        (w.e1.pk, Decimal("2.00"), 2),
        (w.e2.pk, Decimal("0.00"), 0),
    ]


def test_a_stale_contest_object_cannot_write_after_the_stage_moved_on(cw):
    """A juror's page loaded before the stage closed: the save is refused, nothing changes."""
    w = enter_all(cw)
    r.open_district_stage(Scope(w.admin), w.contest)
    stale = Contest.objects.get(pk=w.contest.pk)  # status "district" in memory
    r.close_district_stage(Scope(w.admin), Contest.objects.get(pk=w.contest.pk))
    with pytest.raises(ValidationError):
        r.record_scores(Scope(w.district_juror), stale, points={(w.e1.pk, w.c1.pk): 5})
    with pytest.raises(ValidationError):
        r.close_district_stage(Scope(w.admin), stale)
    assert not Score.objects.exists()
    assert Contest.objects.get(pk=w.contest.pk).status == Contest.Status.REGIONAL
