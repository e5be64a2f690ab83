import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bastau.accounts.scoping import Scope
from bastau.core.models import AuditEvent
from bastau.members import services
from bastau.members.models import Admission, Member, PartyCard

from ..factories import make_iin

TODAY = dt.date.today()


def application_data(**overrides):
    data = {
        "iin": make_iin(dt.date(2001, 6, 15), "F"),
        "last_name": "Сәрсенова",
        "first_name": "Айгерім",
        "patronymic": "Болатқызы",
        "phone": "+77011234567",
        "applied_on": TODAY - dt.timedelta(days=10),
    }
    data.update(overrides)
    return data


def test_full_admission_path_creates_a_member_with_a_card(world):
    scope = Scope(world.secretary)
    admission = services.register_application(scope, poo=world.poo, data=application_data())
    services.record_poo_decision(
        scope, admission, meeting_date=TODAY - dt.timedelta(days=5), protocol_number="7"
    )
    member = services.approve_admission(scope, admission, decision_date=TODAY)
    assert member.birth_date == dt.date(2001, 6, 15)
    assert member.sex == "F"
    assert member.status == Member.Status.ACTIVE
    assert member.joined_on == TODAY
    card = services.issue_card(scope, member, series="akt", issued_on=TODAY)
    assert card.series == "AKT"
    admission.refresh_from_db()
    assert admission.stage == Admission.Stage.CARD_ISSUED
    actions = list(AuditEvent.objects.values_list("action", flat=True).order_by("id"))
    assert actions == [
        "admission.applied",
        "admission.poo_approved",
        "admission.admitted",
        "card.issued",
    ]
    assert member.history.count() == 1


def test_stages_cannot_be_skipped(world):
    scope = Scope(world.secretary)
    admission = services.register_application(scope, poo=world.poo, data=application_data())
    with pytest.raises(ValidationError):
        services.approve_admission(scope, admission, decision_date=TODAY)
    assert not Member.objects.filter(iin=admission.iin).exists()


def test_invalid_iin_is_refused(world):
    scope = Scope(world.secretary)
    with pytest.raises(ValidationError) as info:
        services.register_application(
            scope, poo=world.poo, data=application_data(iin="900101300018")
        )
    assert "iin" in info.value.error_dict
    assert Admission.objects.count() == 0


def test_current_member_cannot_apply_again(world):
    scope = Scope(world.secretary)
    with pytest.raises(ValidationError):
        services.register_application(
            scope, poo=world.poo, data=application_data(iin=world.members[1].iin)
        )


def test_poo_leader_registers_and_decides_but_cannot_approve(world):
    scope = Scope(world.leader)
    admission = services.register_application(scope, poo=world.poo, data=application_data())
    services.record_poo_decision(scope, admission, meeting_date=TODAY, protocol_number="1")
    with pytest.raises(PermissionDenied):
        services.approve_admission(scope, admission, decision_date=TODAY)


def test_secretary_cannot_touch_another_districts_poo(world):
    with pytest.raises(PermissionDenied):
        services.register_application(
            Scope(world.other_secretary), poo=world.poo, data=application_data()
        )


def test_card_numbers_are_sequential_within_a_series_and_unique(world):
    scope = Scope(world.secretary)
    first = services.issue_card(scope, world.members[0], series="AKT", issued_on=TODAY)
    second = services.issue_card(scope, world.members[1], series="AKT", issued_on=TODAY)
    other_series = services.issue_card(scope, world.members[2], series="MUG", issued_on=TODAY)
    assert (first.number, second.number, other_series.number) == (1, 2, 1)
    with pytest.raises(ValidationError):
        services.issue_card(scope, world.members[0], series="AKT", issued_on=TODAY)


def test_taken_number_is_refused(world):
    scope = Scope(world.secretary)
    services.issue_card(scope, world.members[0], series="AKT", number=42, issued_on=TODAY)
    with pytest.raises(ValidationError) as info:
        services.issue_card(scope, world.members[1], series="AKT", number=42, issued_on=TODAY)
    assert "number" in info.value.error_dict


def test_lost_card_is_replaced_and_kept_in_history(world):
    scope = Scope(world.secretary)
    card = services.issue_card(scope, world.members[0], series="AKT", issued_on=TODAY)
    new = services.replace_card(scope, card, reason="lost on a trip", lost=True, issued_on=TODAY)
    card.refresh_from_db()
    assert card.status == PartyCard.Status.LOST
    assert new.replaces == card
    assert new.status == PartyCard.Status.VALID
    assert world.members[0].cards.count() == 2


def test_leaving_revokes_the_card_and_ends_membership(world):
    scope = Scope(world.secretary)
    member = world.members[1]
    services.issue_card(scope, member, series="AKT", issued_on=TODAY)
    services.change_status(scope, member, status="left", date=TODAY, reason="own wish")
    member.refresh_from_db()
    assert member.left_on == TODAY
    assert member.cards.get().status == PartyCard.Status.REVOKED
    with pytest.raises(ValidationError):
        services.issue_card(scope, member, series="AKT", issued_on=TODAY)


def test_former_member_is_readmitted_through_a_new_application(world):
    scope = Scope(world.secretary)
    member = world.members[1]
    services.change_status(
        scope, member, status="left", date=TODAY - dt.timedelta(days=30), reason="moved"
    )
    admission = services.register_application(
        scope,
        poo=world.poo2,
        data=application_data(
            iin=member.iin, last_name=member.last_name, first_name=member.first_name
        ),
    )
    services.record_poo_decision(scope, admission, meeting_date=TODAY, protocol_number="3")
    again = services.approve_admission(scope, admission, decision_date=TODAY)
    assert again.pk == member.pk
    assert again.is_member and again.poo == world.poo2 and again.left_on is None


def test_transfer_moves_member_and_records_it(world):
    scope = Scope(world.secretary)
    member = world.members[1]
    transfer = services.transfer_member(scope, member, to_poo=world.poo2, date=TODAY)
    member.refresh_from_db()
    assert member.poo == world.poo2
    assert transfer.from_poo == world.poo
    assert member.history.first().history_change_reason == "transfer"


def test_status_date_cannot_be_in_the_future(world):
    with pytest.raises(ValidationError):
        services.change_status(
            Scope(world.secretary),
            world.members[1],
            status="suspended",
            date=TODAY + dt.timedelta(days=3),
            reason="x",
        )


# Through the pages -----------------------------------------------------------------------
def test_admission_pages_walk_the_whole_path(client, world):
    client.force_login(world.secretary)
    iin = make_iin(dt.date(1999, 2, 3), "M")
    response = client.post(
        reverse("members:admission_new"),
        {
            "iin": iin,
            "last_name": "Ахметов",
            "first_name": "Ерлан",
            "patronymic": "",
            "phone": "",
            "email": "",
            "address": "",
            "sector": "private",
            "poo": world.poo.pk,
            "applied_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    admission = Admission.objects.get(iin=iin)
    url = reverse("members:admission", args=[admission.pk])
    assert (
        client.post(
            url,
            {"step": "poo_decision", "meeting_date": TODAY.isoformat(), "protocol_number": "12"},
        ).status_code
        == 302
    )
    assert (
        client.post(url, {"step": "approve", "decision_date": TODAY.isoformat()}).status_code == 302
    )
    assert (
        client.post(
            url, {"step": "card", "series": "AKT", "issued_on": TODAY.isoformat()}
        ).status_code
        == 302
    )
    admission.refresh_from_db()
    assert admission.stage == Admission.Stage.CARD_ISSUED
    assert admission.member.cards.get().number == 1


def test_bad_application_shows_errors_and_writes_nothing(client, world):
    client.force_login(world.secretary)
    response = client.post(
        reverse("members:admission_new"),
        {
            "iin": "123456789012",
            "last_name": "",
            "first_name": "Ерлан",
            "poo": world.poo.pk,
            "sector": "private",
            "applied_on": "not a date",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"last_name", "applied_on"} <= set(form.errors)
    assert Admission.objects.count() == 0


def test_bad_iin_message_is_in_the_users_language(client, world):
    client.force_login(world.secretary)
    client.cookies["bastau_language"] = "ru"
    response = client.post(
        reverse("members:admission_new"),
        {
            "iin": "900101300018",
            "last_name": "Ахметов",
            "first_name": "Ерлан",
            "poo": world.poo.pk,
            "sector": "private",
            "applied_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "контрольная цифра" in response.content.decode().lower()
    assert Admission.objects.count() == 0
