"""Searchable pickers of people on the activity forms (issue 17, part 4): the multiple picker
renders the chosen people (not every row) in Kazakh with a remove button each; the account
picker's endpoint is scoped and audited; a form posted with chosen ids saves; a malformed or
out-of-scope id is refused with a Kazakh message and nothing changes."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from bastau.accounts.scoping import Scope
from bastau.activity.forms.meetings import InstructionForm, ParticipantsForm
from bastau.activity.models import Instruction
from bastau.activity.permissions import reachable_users
from bastau.core.models import AuditEvent
from bastau.members import permissions as members_permissions

from .. import factories as f
from ..factories.activity import build

pytestmark = pytest.mark.django_db


def _pick(client, q):
    return client.get(reverse("activity:pick_user"), {"q": q})


def _kk(client):
    client.cookies["bastau_language"] = "kk"


# The widget ----------------------------------------------------------------------------------
def test_the_widget_renders_the_chosen_people_in_kazakh_and_no_option_list(
    world, django_assert_max_num_queries
):
    w = world
    w.leader.first_name, w.leader.last_name = "Айгерім", "Сапарова"
    w.leader.save()
    form = InstructionForm(
        initial={"co_executors": [w.leader.pk, w.member_user.pk]},
        users=reachable_users(Scope(w.secretary)),
        branches=None,
        poos=None,
        unit_fields=(),
    )
    with translation.override("kk"), django_assert_max_num_queries(1):
        html = str(form["co_executors"])
    assert "Сапарова" in html and "Айгерім" in html
    assert f'name="co_executors" value="{w.leader.pk}"' in html
    assert f'name="co_executors" value="{w.member_user.pk}"' in html
    assert html.count("data-autocomplete-remove") == 2
    assert "Алып тастау" in html and "Remove" not in html  # the remove button, in Kazakh
    assert 'hx-get="' + reverse("activity:pick_user") in html
    assert "<option" not in html and w.secretary.username not in html


def test_the_widget_shows_nobody_for_an_out_of_scope_id(world):
    w = world
    form = ParticipantsForm(
        {"categories": "", "attendees": [str(w.other_member.pk)]},
        members=members_permissions.members(Scope(w.secretary)),
    )
    html = str(form["attendees"])
    assert w.other_member.full_name not in html
    assert f'value="{w.other_member.pk}"' not in html


def test_ids_past_999_are_written_without_a_separator(world):
    w = world
    member = f.member(w.poo, id=1234567)
    form = ParticipantsForm(
        initial={"attendees": [member.pk]},
        members=members_permissions.members(Scope(w.secretary)),
    )
    with translation.override("kk"):
        html = str(form["attendees"])
    assert 'value="1234567"' in html


# The account picker's endpoint ---------------------------------------------------------------
def test_the_account_picker_finds_accounts_of_the_scope_only(client, world):
    w = world
    w.leader.last_name = "Сапарова"
    w.leader.save()
    w.other_secretary.last_name = "Сапарбаев"
    w.other_secretary.save()
    client.force_login(w.secretary)
    response = _pick(client, "Сапар")
    found = [value for value, _label in response.context["options"]]
    assert found == [w.leader.pk]
    assert f'data-pick-value="{w.leader.pk}"' in response.content.decode()
    client.force_login(w.admin)  # the region's administrator reaches both
    found = {value for value, _label in _pick(client, "Сапар").context["options"]}
    assert found == {w.leader.pk, w.other_secretary.pk}


def test_each_account_search_that_finds_someone_is_audited(client, world):
    w = world
    client.force_login(w.secretary)
    _pick(client, "zz-nobody")
    assert not AuditEvent.objects.filter(action="accounts.user_picker_search").exists()
    _pick(client, w.leader.username[:5])
    event = AuditEvent.objects.get(action="accounts.user_picker_search")
    assert event.actor == w.secretary and w.leader.pk in event.data["found"]


def test_the_account_picker_is_refused_to_a_member_and_to_anonymous(client, world):
    assert _pick(client, "poo").status_code == 302
    client.force_login(world.member_user)
    assert _pick(client, "poo").status_code == 403


def test_a_short_query_reads_nothing(client, world, django_assert_max_num_queries):
    client.force_login(world.secretary)
    response = _pick(client, "p")
    assert response.context["short"] and response.context["options"] == []
    assert not AuditEvent.objects.filter(action="accounts.user_picker_search").exists()


# Forms posted with ids -----------------------------------------------------------------------
def test_an_instruction_with_two_co_executors_saves(client, world):
    w = world
    client.force_login(w.secretary)
    extra = f.user(f.Role.POO_LEADER, poo=w.poo2)
    deadline = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = client.post(
        reverse("activity:instruction_new"),
        {
            "text": "Тізімді тексеру",
            "deadline": deadline,
            "branch": w.district.pk,
            "responsible_users": [str(w.leader.pk)],
            "co_executors": [str(w.member_user.pk), str(extra.pk)],
            "q": "",
        },
    )
    assert response.status_code == 302
    instruction = Instruction.objects.get(text="Тізімді тексеру")
    assert list(instruction.responsible_users.all()) == [w.leader]
    assert set(instruction.co_executors.all()) == {w.member_user, extra}


@pytest.mark.parametrize("bad", ["abc", "99999999", "1" * 30])
def test_a_bad_id_is_refused_in_kazakh_and_nothing_is_saved(client, world, bad):
    w = world
    client.force_login(w.secretary)
    _kk(client)
    deadline = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = client.post(
        reverse("activity:instruction_new"),
        {
            "text": "Жарамсыз",
            "deadline": deadline,
            "branch": w.district.pk,
            "responsible_users": [str(w.leader.pk)],
            "co_executors": [bad],
        },
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["co_executors"])
    assert bad in errors
    assert ("жарамсыз мән" in errors) or ("таңдай алатын адамдар" in errors), errors
    assert not Instruction.objects.filter(text="Жарамсыз").exists()


def test_an_out_of_scope_account_is_refused(client, world):
    w = world
    client.force_login(w.secretary)
    _kk(client)
    deadline = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = client.post(
        reverse("activity:instruction_new"),
        {
            "text": "Басқа ауданға",
            "deadline": deadline,
            "branch": w.district.pk,
            "responsible_users": [str(w.other_secretary.pk)],
        },
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["responsible_users"])
    assert str(w.other_secretary.pk) in errors and "таңдай алатын адамдар" in errors
    assert not Instruction.objects.filter(text="Басқа ауданға").exists()


def test_participants_are_saved_by_id_and_an_out_of_scope_member_is_refused(client, world):
    w = build(world)
    client.force_login(w.secretary)
    _kk(client)
    url = reverse("activity:meeting_participants", args=[w.meeting.pk])
    page = client.get(url).content.decode()
    assert w.members[2].full_name in page  # the participant already recorded is shown chosen
    response = client.post(
        url, {"categories": "", "attendees": [str(w.members[0].pk), str(w.members[1].pk)]}
    )
    assert response.status_code == 302
    assert set(w.meeting.attendees.all()) == {w.members[0], w.members[1]}
    response = client.post(
        url, {"categories": "", "attendees": [str(w.members[2].pk), str(w.other_member.pk)]}
    )
    assert response.status_code == 200
    assert "таңдай алатын адамдар" in " ".join(response.context["form"].errors["attendees"])
    assert set(w.meeting.attendees.all()) == {w.members[0], w.members[1]}


def test_speakers_are_picked_by_id(client, world):
    w = build(world)
    client.force_login(w.secretary)
    url = reverse("activity:agenda_item_new", args=[w.meeting.pk])
    response = client.post(url, {"title": "Үшінші мәселе", "speakers": [str(w.members[0].pk)]})
    assert response.status_code == 302
    item = w.meeting.agenda_items.get(title="Үшінші мәселе")
    assert list(item.speakers.all()) == [w.members[0]]
    response = client.post(url, {"title": "Төртінші", "speakers": [str(w.other_member.pk)]})
    assert "speakers" in response.context["form"].errors
    assert not w.meeting.agenda_items.filter(title="Төртінші").exists()


def test_the_instructions_filter_picks_the_responsible_person_by_search(client, world):
    w = build(world)
    client.force_login(w.secretary)
    response = client.get(reverse("activity:instructions"), {"responsible": w.member_user.pk})
    widget = str(response.context["form"]["responsible"])
    assert 'hx-get="' + reverse("activity:pick_user") in widget and "<option" not in widget
    assert f'name="responsible" value="{w.member_user.pk}"' in widget
    rows = list(response.context["page"].object_list)
    assert rows and all(w.member_user in i.responsible_users.all() for i in rows)
