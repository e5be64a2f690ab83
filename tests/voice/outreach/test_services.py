"""Outreach campaigns: plan, events (by role and place), reach against the plan."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.voice.outreach import services as s
from bastau.voice.outreach import statistics
from bastau.voice.outreach.models import Event, PlanTarget

from ...factories.voice import build

pytestmark = pytest.mark.django_db


def _event(scope, campaign, **kwargs):
    today = timezone.localdate()
    fields = dict(
        kind=Event.Kind.YARD_MEETING,
        date=today,
        title="Жиналыс",
        branch=None,
        reach=10,
        today=today,
    )
    fields.update(kwargs)
    return s.record_event(scope, campaign, **fields)


def test_share_is_whole_percent_rounded_half_up():
    assert statistics.share(50, 400) == 13  # 12.5 -> 13
    assert statistics.share(0, 10) == 0
    assert statistics.share(5, 0) is None
    assert statistics.share(450, 400) == 113


def test_reach_against_plan_by_district_for_each_scope(world):
    w = build(world)
    rows = {r["branch"].pk: r for r in statistics.by_district(Scope(w.admin), w.campaign)}
    # The district's own plan (400) counts, not the sum of its POOs' (150).
    assert (rows[w.district.pk]["planned"], rows[w.district.pk]["reach"]) == (400, 200)
    assert rows[w.district.pk]["share"] == 50 and rows[w.district.pk]["events"] == 2
    assert (rows[w.other_district.pk]["planned"], rows[w.other_district.pk]["reach"]) == (300, 900)
    sec = statistics.by_district(Scope(w.secretary), w.campaign)
    assert [r["branch"].pk for r in sec] == [w.district.pk]
    leader = statistics.by_district(Scope(w.leader), w.campaign)
    # A POO leader sees their POO only: its plan (150) and its event (60).
    assert [(r["planned"], r["reach"]) for r in leader] == [(150, 60)]
    assert statistics.totals(Scope(w.admin), w.campaign)["reach"] == 1100


def test_a_district_plan_falls_back_to_the_sum_of_its_poos(world):
    w = build(world)
    PlanTarget.objects.filter(campaign=w.campaign, branch=w.district, poo=None).delete()
    s.set_plan(Scope(w.admin), w.campaign, branch=w.district, poo=w.poo2, planned_reach=50)
    rows = {r["branch"].pk: r for r in statistics.by_district(Scope(w.admin), w.campaign)}
    assert rows[w.district.pk]["planned"] == 200


def test_reach_by_poo_is_one_query(world):
    w = build(world)
    with CaptureQueriesContext(connection) as ctx:
        rows = list(statistics.by_poo(Scope(w.admin), w.campaign))
    assert len(ctx.captured_queries) == 1
    by = {p.pk: p for p in rows}
    assert (by[w.poo.pk].planned, by[w.poo.pk].reach, by[w.poo.pk].event_count) == (150, 60, 1)


def test_setting_the_plan_again_replaces_it(world):
    w = build(world)
    s.set_plan(Scope(w.admin), w.campaign, branch=w.district, planned_reach=500)
    assert (
        PlanTarget.objects.get(campaign=w.campaign, branch=w.district, poo=None).planned_reach
        == 500
    )
    with pytest.raises(ValidationError):
        s.set_plan(Scope(w.admin), w.campaign, branch=w.district, poo=w.other_poo, planned_reach=5)
    with pytest.raises(PermissionDenied):
        s.set_plan(Scope(w.secretary), w.campaign, branch=w.district, planned_reach=1)


def test_a_poo_leader_records_events_only_for_their_poo(world):
    w = build(world)
    leader = Scope(w.leader)
    with pytest.raises(ValidationError) as exc:
        _event(leader, w.campaign, branch=w.district)
    assert "poo" in exc.value.error_dict
    with pytest.raises(ValidationError):
        _event(leader, w.campaign, poo=w.poo2)
    with pytest.raises(PermissionDenied):
        _event(leader, w.other_campaign, poo=w.poo)  # not a campaign the leader sees
    assert _event(leader, w.campaign, poo=w.poo).branch == w.district


def test_event_input_is_checked_and_nothing_is_written(world):
    w = build(world)
    today = timezone.localdate()
    sec = Scope(w.secretary)
    count = Event.objects.count()
    bad = [
        ({"branch": w.other_district}, "branch"),
        # A future event's reach cannot be known; a past one's must be given.
        ({"branch": w.district, "date": today + dt.timedelta(days=1)}, "reach"),
        ({"branch": w.district, "date": today - dt.timedelta(days=1), "reach": None}, "reach"),
        ({"branch": w.district, "date": w.campaign.starts_on - dt.timedelta(days=1)}, "date"),
        ({"branch": w.district, "poo": w.other_poo}, "poo"),
        ({"branch": w.district, "reach": -1}, "reach"),
    ]
    for change, field in bad:
        with pytest.raises(ValidationError) as exc:
            _event(sec, w.campaign, **change)
        assert field in exc.value.error_dict, change
    assert Event.objects.count() == count


def test_an_event_outside_the_targets_is_refused(world):
    w = build(world)
    with pytest.raises(ValidationError) as exc:
        _event(Scope(w.admin), w.other_campaign, branch=w.district)
    assert "branch" in exc.value.error_dict


def test_a_planned_event_counts_no_reach_until_it_is_recorded(world):
    w = build(world)
    admin = Scope(w.admin)
    today = timezone.localdate()

    def figures():
        rows = {r["branch"].pk: r for r in statistics.by_district(admin, w.campaign)}
        poos = {p.pk: (p.reach, p.event_count) for p in statistics.by_poo(admin, w.campaign)}
        listed = {c.pk: c for c in statistics.campaign_list(admin)}[w.campaign.pk]
        return (
            (rows[w.district.pk]["reach"], rows[w.district.pk]["events"]),
            poos,
            statistics.totals(admin, w.campaign),
            (listed.reach, listed.event_count),
        )

    before = figures()
    # The factory's upcoming event and one more of the POO, both planned: nothing moves.
    planned = _event(
        Scope(w.leader), w.campaign, poo=w.poo, date=today + dt.timedelta(days=2), reach=None
    )
    assert w.upcoming.is_planned and planned.is_planned
    assert figures() == before
    assert before[0] == (200, 2) and before[2]["events"] == 3
    # On its day the reach is recorded and counts.
    s.record_reach(Scope(w.leader), planned, reach=25, today=planned.date)
    after = figures()
    assert after[0] == (225, 3)
    assert after[1][w.poo.pk] == (85, 2)
    assert after[2]["reach"] == before[2]["reach"] + 25
    assert after[3] == (before[3][0] + 25, before[3][1] + 1)


def test_recording_the_reach_is_checked_and_nothing_is_written(world):
    w = build(world)
    today = timezone.localdate()
    sec = Scope(w.secretary)
    bad = [
        (sec, w.upcoming, 10, today, ValidationError),  # before its day
        (sec, w.upcoming, -1, w.upcoming.date, ValidationError),
        (sec, w.sec_event, 10, today, ValidationError),  # already recorded
        (Scope(w.other_secretary), w.upcoming, 10, w.upcoming.date, PermissionDenied),
        (Scope(w.leader), w.upcoming, 10, w.upcoming.date, PermissionDenied),
    ]
    for scope, event, reach, day, error in bad:
        with pytest.raises(error):
            s.record_reach(scope, event, reach=reach, today=day)
    w.upcoming.refresh_from_db()
    w.sec_event.refresh_from_db()
    assert w.upcoming.reach is None and w.sec_event.reach == 140
    s.record_reach(sec, w.upcoming, reach=70, today=w.upcoming.date + dt.timedelta(days=1))
    w.upcoming.refresh_from_db()
    assert w.upcoming.reach == 70 and not w.upcoming.is_planned


def test_campaigns_are_cut_to_the_scope(world):
    from bastau.voice.outreach import permissions as perms

    w = build(world)
    assert set(perms.campaigns(Scope(w.admin))) == {w.campaign, w.other_campaign}
    assert set(perms.campaigns(Scope(w.secretary))) == {w.campaign}
    assert set(perms.campaigns(Scope(w.other_secretary))) == {w.campaign, w.other_campaign}
    assert set(perms.campaigns(Scope(w.leader))) == {w.campaign}
    assert not perms.campaigns(Scope(w.member_user)).exists()
    listed = {c.pk: c for c in statistics.campaign_list(Scope(w.secretary))}
    # The upcoming event (planned) counts neither reach nor as an event.
    assert listed[w.campaign.pk].reach == 200 and listed[w.campaign.pk].event_count == 2


def test_campaign_creation_rules(world):
    w = build(world)
    today = timezone.localdate()
    fields = dict(
        title="А",
        title_ru="Б",
        theme="renewal",
        starts_on=today,
        ends_on=today + dt.timedelta(days=3),
    )
    with pytest.raises(PermissionDenied):
        s.create_campaign(Scope(w.secretary), branch=w.region, **fields)
    with pytest.raises(ValidationError) as exc:
        s.create_campaign(
            Scope(w.secretary), branch=w.district, target_branches=[w.other_district], **fields
        )
    assert "target_branches" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        s.create_campaign(
            Scope(w.admin), branch=w.region, **(fields | {"ends_on": today - dt.timedelta(days=1)})
        )
    assert "ends_on" in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        s.create_campaign(Scope(w.leader), branch=w.district, **fields)


def test_linking_an_instruction_requires_seeing_it(world):
    w = build(world)
    assert list(w.campaign.instructions.all()) == [w.instruction]
    with pytest.raises(ValidationError):
        s.link_instruction(Scope(w.admin), w.campaign, 999999)
    with pytest.raises(PermissionDenied):
        s.link_instruction(Scope(w.secretary), w.campaign, w.instruction.pk)


def test_materials_are_checked(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    w = build(world)
    with pytest.raises(ValidationError):
        s.add_materials(
            Scope(w.admin),
            w.campaign,
            [SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/octet-stream")],
        )
    assert w.campaign.materials.count() == 1
