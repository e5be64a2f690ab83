"""Supporters with consent, withdrawal and erasure, and the youth wing's rules."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.core.models import AuditEvent
from bastau.voice.people import services as s
from bastau.voice.people.models import (
    Consent,
    ConsentChannel,
    Supporter,
    YouthCongress,
    YouthWingMember,
)

from ...factories import member
from ...factories.voice import build, supporter, years_ago

pytestmark = pytest.mark.django_db


def test_a_supporter_is_kept_with_the_consent_that_allows_it(world):
    today = timezone.localdate()
    sup = supporter(Scope(world.secretary), world.district, today)
    consent = sup.consents.get()
    assert consent.text_version == "2026-1"
    assert consent.given_on == today
    assert consent.channel == ConsentChannel.PAPER
    assert consent.recorded_by == world.secretary
    assert sup.withdrawal_code and len(sup.withdrawal_code) >= 12
    assert AuditEvent.objects.filter(action="supporter.registered", object_id=str(sup.pk)).exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"phone": "", "email": ""}, "phone"),
        ({"last_name": " "}, "last_name"),
        ({"consent_given_on": "tomorrow"}, "consent_given_on"),
        ({"consent_channel": "pigeon"}, "consent_channel"),
        ({"consent_version": "1999-9"}, "consent_version"),
    ],
)
def test_bad_supporter_input_is_refused_and_nothing_is_kept(world, change, field):
    today = timezone.localdate()
    if change.get("consent_given_on") == "tomorrow":
        change = {"consent_given_on": today + dt.timedelta(days=1)}
    with pytest.raises(ValidationError) as exc:
        supporter(Scope(world.secretary), world.district, today, **change)
    assert field in exc.value.error_dict
    assert Supporter.objects.count() == 0 and Consent.objects.count() == 0


def test_a_secretary_registers_only_in_their_district(world):
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        supporter(Scope(world.secretary), world.other_district, today)
    with pytest.raises(PermissionDenied):
        supporter(Scope(world.leader), world.district, today)
    with pytest.raises(ValidationError) as exc:
        supporter(Scope(world.secretary), world.district, today, poo=world.other_poo)
    assert "poo" in exc.value.error_dict


def test_withdrawal_by_code_erases_the_data_and_keeps_only_the_facts(world):
    today = timezone.localdate()
    sup = supporter(Scope(world.secretary), world.district, today, note="Сайлау күні көмектесемін")
    assert s.invitable_supporters(world.district).filter(pk=sup.pk).exists()
    s.withdraw_by_code(sup.withdrawal_code, on=today)
    sup.refresh_from_db()
    assert sup.status == Supporter.Status.WITHDRAWN
    assert (sup.last_name, sup.first_name, sup.phone, sup.email, sup.note) == ("",) * 5
    assert sup.birth_date is None
    consent = sup.consents.get()
    assert consent.withdrawn_on == today and consent.withdrawn_via == Consent.WithdrawnVia.SELF
    assert consent.given_on == today and consent.text_version  # the fact of consent stays
    assert not s.invitable_supporters(world.district).filter(pk=sup.pk).exists()
    assert not s.invitable_supporters().filter(pk=sup.pk).exists()
    event = AuditEvent.objects.get(action="supporter.consent_withdrawn", object_id=str(sup.pk))
    assert "Жақсыбекова" not in event.summary + str(event.data)
    # A second use of the code changes nothing and is not an error.
    s.withdraw_by_code(sup.withdrawal_code, on=today + dt.timedelta(days=1))
    sup.refresh_from_db()
    assert sup.withdrawn_on == today


def test_a_wrong_code_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        s.withdraw_by_code("no-such-code", on=timezone.localdate())
    assert "code" in exc.value.error_dict


def test_staff_withdraw_only_in_their_scope_and_only_once(world):
    today = timezone.localdate()
    sup = supporter(Scope(world.secretary), world.district, today)
    with pytest.raises(PermissionDenied):
        s.withdraw_by_staff(Scope(world.other_secretary), sup, on=today)
    s.withdraw_by_staff(Scope(world.secretary), sup, on=today)
    assert sup.consents.get().withdrawn_by == world.secretary
    with pytest.raises(ValidationError):
        s.withdraw_by_staff(Scope(world.secretary), sup, on=today)


def test_invitable_supporters_by_unit(world):
    w = build(world)
    assert set(s.invitable_supporters(w.district)) == {w.supporter, w.volunteer}
    assert set(s.invitable_supporters(w.poo)) == {w.supporter}
    assert set(s.invitable_supporters(w.region)) == {w.supporter, w.volunteer, w.other_supporter}
    assert set(s.invitable_supporters()) == set(s.invitable_supporters(w.region))


def test_counts_by_district_are_cut_to_the_scope(world):
    w = build(world)
    rows = {r["branch_id"]: r for r in s.counts_by_district(Scope(w.admin))}
    assert (rows[w.district.pk]["supporters"], rows[w.district.pk]["volunteers"]) == (1, 1)
    assert rows[w.district.pk]["withdrawn"] == 1
    assert rows[w.other_district.pk]["supporters"] == 1
    assert [r["branch_id"] for r in s.counts_by_district(Scope(w.secretary))] == [w.district.pk]


def test_contacts_are_revealed_by_rule_and_each_read_is_audited(world):
    w = build(world)
    before = AuditEvent.objects.filter(action="supporter.personal_data_viewed").count()
    assert s.reveal_contacts(Scope(w.secretary), w.supporter) is True
    assert s.reveal_contacts(Scope(w.leader), w.supporter) is False
    after = AuditEvent.objects.filter(action="supporter.personal_data_viewed").count()
    assert after == before + 1


def test_youth_wing_age_limits_are_enforced_on_the_joining_day(world):
    w = build(world)
    today = timezone.localdate()
    sec = Scope(w.secretary)
    too_old = member(w.poo, birth_date=years_ago(today, 36))
    with pytest.raises(ValidationError) as exc:
        s.add_youth_member(sec, branch=w.district, member=too_old, joined_on=today, today=today)
    assert "iin" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        s.add_youth_member(
            sec,
            branch=w.district,
            last_name="Бала",
            first_name="Кіші",
            birth_date=years_ago(today, 13),
            consent_channel=ConsentChannel.PAPER,
            joined_on=today,
            today=today,
        )
    assert "birth_date" in exc.value.error_dict
    # 35 on the day is still within 14-35.
    edge = member(w.poo, birth_date=years_ago(today, 35))
    row = s.add_youth_member(sec, branch=w.district, member=edge, joined_on=today, today=today)
    assert row.wing == w.district_wing and row.last_name == "" and row.birth_date is None


def test_youth_wing_refuses_duplicates_non_consenting_and_other_districts(world):
    w = build(world)
    today = timezone.localdate()
    sec = Scope(w.secretary)
    with pytest.raises(ValidationError):
        s.add_youth_member(
            sec, branch=w.district, member=w.young_member, joined_on=today, today=today
        )
    with pytest.raises(ValidationError) as exc:
        s.add_youth_member(
            sec,
            branch=w.district,
            last_name="А",
            first_name="Б",
            birth_date=years_ago(today, 20),
            joined_on=today,
            today=today,
        )
    assert "consent_channel" in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        s.add_youth_member(
            sec, branch=w.other_district, member=w.other_member, joined_on=today, today=today
        )


def test_wing_counts_and_leaving(world):
    w = build(world)
    today = timezone.localdate()
    rows = {r["branch_id"]: r for r in s.wing_counts(Scope(w.admin), today)}
    assert (rows[w.district.pk]["party"], rows[w.district.pk]["others"]) == (1, 1)
    assert rows[w.other_district.pk]["total"] == 1
    assert rows[w.district.pk]["outside"] == 0
    # Thirty years on, both are past 35.
    later = {r["branch_id"]: r for r in s.wing_counts(Scope(w.admin), years_ago(today, -30))}
    assert later[w.district.pk]["outside"] == 2
    s.remove_youth_member(Scope(w.secretary), w.wing_other, on=today)
    assert not YouthWingMember.objects.filter(pk=w.wing_other.pk).exists()  # data erased
    s.remove_youth_member(Scope(w.secretary), w.wing_party, on=today)
    w.wing_party.refresh_from_db()
    assert w.wing_party.left_on == today
    assert s.current_wing_members(Scope(w.secretary), today).count() == 0
    with pytest.raises(PermissionDenied):
        s.remove_youth_member(Scope(w.secretary), w.other_wing_member, on=today)


def test_congress_records_and_checks(world):
    w = build(world)
    assert s.quorum(w.congress) and not w.congress.adopted_versions.exists()
    with pytest.raises(ValidationError):
        s.record_congress(
            Scope(w.admin),
            w.wing,
            date=timezone.localdate(),
            title="X",
            delegates_elected=10,
            delegates_present=11,
        )
    with pytest.raises(PermissionDenied):
        s.record_congress(
            Scope(w.secretary),
            w.wing,
            date=timezone.localdate(),
            title="X",
            delegates_elected=10,
            delegates_present=5,
        )
    assert YouthCongress.objects.count() == 1
