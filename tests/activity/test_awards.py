"""Awards: who gives them to whom, what each role sees, the filters, awarding the winners."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.activity import permissions as p
from bastau.activity import services as s
from bastau.activity.models import Award, Contest, Meeting
from bastau.activity.recognition import services as r
from bastau.core.models import AuditEvent

from .. import factories as f
from ..factories.activity import build_contest, enter_all, run_district_stage, score

TODAY = dt.date(2026, 5, 9)
THANKS = Award.Kind.LETTER_OF_THANKS


def give(user, **kwargs):
    fields = dict(kind=THANKS, awarded_on=dt.date(2026, 5, 7), today=TODAY)
    fields.update(kwargs)
    return r.give_award(Scope(user), **fields)


def test_secretary_thanks_a_veteran_of_the_district(world):
    w = world
    veteran = w.members[2]
    veteran.is_veteran = True
    veteran.save()
    meeting = s.create_meeting(
        Scope(w.secretary), kind=Meeting.Kind.ACTIVISTS, branch=w.district,
        date=dt.date(2026, 5, 7), chair_name="Chair",
    )  # fmt: skip
    award = give(w.secretary, member=veteran, occasion="Victory Day", meeting=meeting)
    assert award.branch == w.district  # in the name of the secretary's branch
    assert (award.member, award.poo, award.meeting) == (veteran, None, meeting)
    assert award.created_by == w.secretary
    event = AuditEvent.objects.get(action="award.given")
    assert event.object_id == str(award.pk) and event.branch == w.district


def test_admin_awards_a_poo_in_the_regions_name(world):
    award = give(world.admin, poo=world.other_poo, kind=Award.Kind.DIPLOMA, branch=world.region)
    assert award.branch == world.region and award.poo == world.other_poo


@pytest.mark.parametrize(
    "role,target",
    [
        ("secretary", {"member": "other_member"}),
        ("secretary", {"poo": "other_poo"}),
        ("other_secretary", {"member": "member"}),
        ("leader", {"member": "member"}),
        ("leader", {"poo": "poo"}),
        ("member_user", {"member": "member"}),
    ],
)
def test_awards_outside_the_scope_are_refused(world, role, target):
    kwargs = {k: getattr(world, v) for k, v in target.items()}
    with pytest.raises(PermissionDenied):
        give(getattr(world, role), **kwargs)
    assert not Award.objects.exists()


def test_secretary_cannot_give_in_another_branchs_name(world):
    with pytest.raises(PermissionDenied):
        give(world.secretary, member=world.member, branch=world.region)
    assert not Award.objects.exists()


@pytest.mark.parametrize(
    "kwargs",
    [
        {},  # no recipient
        {"member": "member", "poo": "poo"},  # both
        {"member": "member", "awarded_on": dt.date(2026, 5, 10)},  # in the future
        {"member": "member", "kind": "trophy"},
        {"member": "member", "kind": Award.Kind.OTHER},  # "other" needs a title
    ],
)
def test_bad_awards_change_nothing(world, kwargs):
    kwargs = {k: getattr(world, v) if isinstance(v, str) and k in ("member", "poo") else v
              for k, v in kwargs.items()}  # fmt: skip
    with pytest.raises(ValidationError):
        give(world.admin, **kwargs)
    assert not Award.objects.exists()
    assert not AuditEvent.objects.filter(action="award.given").exists()


def test_meeting_must_be_one_the_giver_sees(world):
    w = world
    other_meeting = s.create_meeting(
        Scope(w.other_secretary), kind=Meeting.Kind.ACTIVISTS, branch=w.other_district,
        date=dt.date(2026, 5, 1), chair_name="Chair",
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        give(w.secretary, member=w.member, meeting=other_meeting)
    assert "meeting" in exc.value.message_dict
    assert not Award.objects.exists()


def test_contest_entry_must_be_the_recipients(world):
    w = enter_all(build_contest(world))
    give(w.admin, poo=w.poo, contest_entry=w.e1)
    give(w.admin, member=w.members[0], contest_entry=w.e1)  # a member of that POO
    with pytest.raises(ValidationError):
        give(w.admin, poo=w.poo2, contest_entry=w.e1)
    assert Award.objects.count() == 2


def awards_world(w):
    w.members[1].is_veteran = True
    w.members[1].save()
    w.a_member = give(w.admin, member=w.members[0], awarded_on=dt.date(2025, 12, 1))
    w.a_veteran = give(w.admin, member=w.members[1], kind=Award.Kind.PARTY_MEDAL)
    w.a_poo = give(w.admin, poo=w.poo, kind=Award.Kind.DIPLOMA)
    w.a_poo2_member = give(w.admin, member=w.members[2])
    w.a_other = give(w.admin, member=w.other_member)
    return w


def _pks(qs):
    return set(qs.values_list("pk", flat=True))


def test_who_sees_which_awards(world):
    w = awards_world(world)
    everything = {w.a_member.pk, w.a_veteran.pk, w.a_poo.pk, w.a_poo2_member.pk, w.a_other.pk}
    assert _pks(p.awards(Scope(w.admin))) == everything
    assert _pks(p.awards(Scope(w.secretary))) == everything - {w.a_other.pk}
    assert _pks(p.awards(Scope(w.other_secretary))) == {w.a_other.pk}
    assert _pks(p.awards(Scope(w.leader))) == {w.a_member.pk, w.a_veteran.pk, w.a_poo.pk}
    assert _pks(p.awards(Scope(w.member_user))) == {w.a_member.pk}
    assert _pks(p.awards(Scope(f.user(Role.MEMBER)))) == set()  # no member record


def test_award_filters(world):
    w = awards_world(world)
    qs = p.awards(Scope(w.admin))
    assert _pks(r.filter_awards(qs, kind=Award.Kind.DIPLOMA)) == {w.a_poo.pk}
    assert _pks(r.filter_awards(qs, year=2025)) == {w.a_member.pk}
    assert _pks(r.filter_awards(qs, district=w.other_district)) == {w.a_other.pk}
    assert _pks(r.filter_awards(qs, recipient=r.RECIPIENT_POO)) == {w.a_poo.pk}
    assert w.a_poo.pk not in _pks(r.filter_awards(qs, recipient=r.RECIPIENT_MEMBER))
    assert _pks(r.filter_awards(qs, veterans=True)) == {w.a_veteran.pk}
    assert _pks(r.filter_awards(qs, district=w.district, year=2026, recipient="member")) == {
        w.a_veteran.pk,
        w.a_poo2_member.pk,
    }


def finished_contest(world):
    w = enter_all(build_contest(world, winners_count=2))
    run_district_stage(w)
    w.contest.refresh_from_db()
    score(w, w.regional_juror, w.e2, 4, 4)
    score(w, w.regional_juror, w.e3, 5, 4)
    r.close_regional_stage(Scope(w.admin), w.contest)
    w.contest.refresh_from_db()
    return w


def test_award_the_winners_once(world):
    w = finished_contest(world)
    given = r.award_winners(
        Scope(w.admin), w.contest, kind=Award.Kind.DIPLOMA, awarded_on=TODAY, today=TODAY
    )
    assert [(a.poo, a.contest_entry) for a in given] == [(w.other_poo, w.e3), (w.poo2, w.e2)]
    assert all(a.branch == w.region for a in given)
    assert "place 1" in given[0].occasion
    again = r.award_winners(
        Scope(w.admin), w.contest, kind=Award.Kind.DIPLOMA, awarded_on=TODAY, today=TODAY
    )
    assert again == [] and Award.objects.count() == 2


def test_award_the_winners_needs_a_finished_contest_and_the_admin(world):
    w = enter_all(build_contest(world))
    with pytest.raises(ValidationError):
        r.award_winners(Scope(w.admin), w.contest, kind=THANKS, awarded_on=TODAY, today=TODAY)
    w.contest.status = Contest.Status.FINISHED
    with pytest.raises(PermissionDenied):
        r.award_winners(Scope(w.secretary), w.contest, kind=THANKS, awarded_on=TODAY, today=TODAY)
    assert not Award.objects.exists()
