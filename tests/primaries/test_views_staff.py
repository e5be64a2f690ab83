"""The organisers' and election commission's pages: each works, bad input changes nothing,
the registry's queries do not grow with candidates, and a campaign runs through the pages."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.core.models import AuditEvent
from bastau.primaries import services
from bastau.primaries.forms import staff as staff_forms
from bastau.primaries.models import (
    Campaign,
    Candidate,
    CommissionMember,
    Contest,
    PaperBatch,
    Participation,
    PendingBallot,
    VoterRollEntry,
)

from .. import factories as f
from ..factories.primaries import voter_user


def url(name, *args):
    return reverse(f"primaries:{name}", args=args)


def login(client, user):
    client.force_login(user)
    return client


def open_voting(election):
    services.advance(election.scope, election.campaign)
    election.campaign.refresh_from_db()
    return election.campaign


def to_nomination(election):
    Campaign.objects.filter(pk=election.campaign.pk).update(status=Campaign.Status.NOMINATION)
    election.campaign.refresh_from_db()
    return election.campaign


def form_errors(response, name="form"):
    form = response.context[name]
    return {k: " ".join(str(m) for m in v) for k, v in form.errors.items()}


# Campaigns -----------------------------------------------------------------------------
def test_campaign_list_is_scoped(client, world, election):
    other = services.create_campaign(
        Scope(world.other_secretary),
        data={
            "encrypted": False,
            "slug": "khromtau-rating",
            "title": "Khromtau rating",
            "kind": Campaign.Kind.CONFERENCE_RATING,
            "branch": world.other_district,
        },
    )
    seen = {}
    for name, user in [
        ("secretary", world.secretary),
        ("other", world.other_secretary),
        ("admin", world.admin),
        ("chair", election.chair),
    ]:
        response = login(client, user).get(url("manage"))
        assert response.status_code == 200
        seen[name] = {c.slug for c in response.context["page"]}
    assert seen["secretary"] == {election.campaign.slug}
    assert seen["other"] == {other.slug}
    assert seen["admin"] == {election.campaign.slug, other.slug}
    assert seen["chair"] == {election.campaign.slug}


def test_nav_links_to_the_organisers_pages_for_staff_only(client, world):
    page = login(client, world.secretary).get(reverse("members:overview")).content.decode()
    assert url("manage") in page
    page = login(client, world.member_user).get(reverse("members:me")).content.decode()
    assert url("manage") not in page


def _campaign_post(**overrides):
    data = {
        "kind": Campaign.Kind.MASLIKHAT_LIST,
        "title": "Maslikhat list 2026",
        "slug": "maslikhat-2026",
        "maslikhat": "Mugalzhar district maslikhat",
        "nomination_starts": "2026-05-01",
        "nomination_ends": "2026-05-10",
        "registration_ends": "2026-05-15",
        "voting_starts": "2026-05-20T09:00",
        "voting_ends": "2026-05-21T20:00",
        "choose_up_to": "3",
        "list_length": "10",
        "quota_rules": Campaign.Rules.PARTY_2019,
        "custom_rules": "",
        "reference_date": "2026-09-01",
        "tie_break_seed": "lot-2026",
    }
    data.update(overrides)
    return data


def test_create_campaign(client, world):
    login(client, world.secretary)
    assert client.get(url("manage_new")).status_code == 200
    response = client.post(url("manage_new"), _campaign_post(branch=world.district.pk))
    campaign = Campaign.objects.get(slug="maslikhat-2026")
    assert response.status_code == 302 and response["Location"] == url(
        "manage_campaign", campaign.slug
    )
    assert campaign.branch == world.district and campaign.choose_up_to == 3
    assert timezone.localtime(campaign.voting_starts).hour == 9
    assert campaign.reference_date == dt.date(2026, 9, 1)
    assert list(campaign.contests.values_list("code", flat=True)) == ["main"]
    assert AuditEvent.objects.filter(action="campaign.created", object_id=str(campaign.pk))


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"quota_rules": "custom", "custom_rules": "{not json"}, "custom_rules"),
        (
            {
                "quota_rules": "custom",
                "custom_rules": '{"id": "x", "groups": [{"id": "w", "min_share": 130, '
                '"predicate": {"kind": "woman"}}]}',
            },
            "custom_rules",
        ),
        ({"quota_rules": "custom", "custom_rules": '{"groups": []}'}, "custom_rules"),
        ({"choose_up_to": "0"}, "choose_up_to"),
        ({"slug": "-bad"}, "slug"),
        ({"slug": "manage"}, "slug"),
        ({"nomination_ends": "2026-04-01"}, "nomination_ends"),
        ({"voting_ends": "2026-05-19T09:00"}, "voting_ends"),
    ],
)
def test_create_campaign_bad_input_changes_nothing(client, world, overrides, field):
    login(client, world.secretary)
    response = client.post(url("manage_new"), _campaign_post(branch=world.district.pk, **overrides))
    assert response.status_code == 200
    assert field in form_errors(response)
    assert not Campaign.objects.exists()


def test_custom_rule_error_is_clear(client, world):
    login(client, world.secretary)
    response = client.post(
        url("manage_new"),
        _campaign_post(
            branch=world.district.pk, quota_rules="custom", custom_rules='{"groups": []}'
        ),
    )
    assert "the key 'id' is missing" in form_errors(response)["custom_rules"]


def test_custom_rules_accepted(client, world):
    rules = (
        '{"id": "branch-2026", "groups": [{"id": "women", "min_share": 40, '
        '"predicate": {"kind": "woman"}}]}'
    )
    login(client, world.admin)
    client.post(
        url("manage_new"),
        _campaign_post(branch=world.region.pk, quota_rules="custom", custom_rules=rules),
    )
    campaign = Campaign.objects.get()
    assert campaign.custom_rules["groups"][0]["min_share"] == 40
    assert services.campaign_rules(campaign).groups[0].id == "women"


def test_secretary_cannot_create_in_another_branch(client, world):
    login(client, world.secretary)
    response = client.post(url("manage_new"), _campaign_post(branch=world.other_district.pk))
    assert "branch" in form_errors(response)
    assert not Campaign.objects.exists()


def test_edit_campaign_and_rules_lock_once_voting_opened(client, world, election):
    login(client, world.secretary)
    page = url("manage_edit", election.campaign.slug)
    assert client.get(page).status_code == 200
    data = _campaign_post(
        slug=election.campaign.slug, title="Reserve 2026", choose_up_to="2", list_length="4"
    )
    assert client.post(page, data).status_code == 302
    election.campaign.refresh_from_db()
    assert election.campaign.title == "Reserve 2026" and election.campaign.choose_up_to == 2

    campaign = open_voting(election)
    response = client.get(page)
    assert response.context["form"].fields["choose_up_to"].disabled
    assert "locked" in response.content.decode()
    # A posted change of the rules is ignored; the dates can still move (extend voting).
    data.update(choose_up_to="5", tie_break_seed="new", voting_ends="2026-12-31T20:00")
    assert client.post(page, data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.choose_up_to == 2 and campaign.tie_break_seed == "lot-2026"
    assert campaign.voting_ends.year == 2026 and campaign.voting_ends.month == 12
    # The action itself refuses, whatever calls it.
    with pytest.raises(ValidationError, match="cannot change once voting has opened"):
        services.update_campaign(election.scope, campaign, changes={"choose_up_to": 5})


# Lists and commission -------------------------------------------------------------------
def test_lists_of_a_regional_campaign(client, world):
    campaign = services.create_campaign(
        Scope(world.admin),
        data={
            "encrypted": False,
            "slug": "region-2026",
            "title": "Regional list",
            "kind": Campaign.Kind.MASLIKHAT_LIST,
            "branch": world.region,
            "list_length": 5,
        },
    )
    login(client, world.admin)
    page = url("manage_lists", campaign.slug)
    response = client.post(
        page, {"code": "mugalzhar", "title": "Mugalzhar", "branch": world.district.pk}
    )
    assert response.status_code == 302
    contest = Contest.objects.get(campaign=campaign, code="mugalzhar")
    assert contest.effective_length == 5
    # The same branch twice, or the same code, is refused and changes nothing.
    response = client.post(
        page, {"code": "mugalzhar-2", "title": "Again", "branch": world.district.pk}
    )
    assert "branch" in form_errors(response)
    response = client.post(
        page, {"code": "mugalzhar", "title": "Again", "branch": world.other_district.pk}
    )
    assert "code" in form_errors(response)
    assert campaign.contests.count() == 2
    edit = url("manage_list_edit", campaign.slug, "mugalzhar")
    client.post(
        edit,
        {"code": "mugalzhar", "title": "Mugalzhar district", "branch": world.district.pk,
         "list_length": "7"},
    )  # fmt: skip
    contest.refresh_from_db()
    assert contest.title == "Mugalzhar district" and contest.effective_length == 7


def test_a_district_campaign_takes_no_list_from_another_district(client, world, election):
    login(client, world.secretary)
    response = client.post(
        url("manage_lists", election.campaign.slug),
        {"code": "khromtau", "title": "Khromtau", "branch": world.other_district.pk},
    )
    assert "branch" in form_errors(response)
    assert election.campaign.contests.count() == 1


def test_commission_add_change_and_remove(client, world, election):
    login(client, world.secretary)
    page = url("manage_commission", election.campaign.slug)
    person = f.user(Role.MEMBER, member=election.voters[7])
    response = client.post(page, {"who": election.voters[7].iin, "role": "member"})
    assert response.status_code == 302
    row = CommissionMember.objects.get(campaign=election.campaign, user=person)
    client.post(page, {"who": person.username, "role": "deputy"})
    row.refresh_from_db()
    assert row.role == "deputy"
    # Someone outside the campaign's branch is not found.
    outsider = f.user(Role.MEMBER, member=world.other_member)
    response = client.post(page, {"who": outsider.username, "role": "member"})
    assert "who" in form_errors(response)
    assert not CommissionMember.objects.filter(user=outsider).exists()
    # Removal is a POST only.
    remove = url("manage_commission_remove", election.campaign.slug, row.pk)
    assert client.get(remove).status_code == 405
    assert client.post(remove).status_code == 302
    assert not CommissionMember.objects.filter(pk=row.pk).exists()
    assert AuditEvent.objects.filter(action="commission.removed").count() == 1


def test_commission_member_cannot_change_the_commission(client, election):
    login(client, election.chair)
    row = CommissionMember.objects.get(user=election.clerk)
    remove = url("manage_commission_remove", election.campaign.slug, row.pk)
    assert client.post(remove).status_code == 403
    assert CommissionMember.objects.filter(pk=row.pk).exists()


# Candidates -----------------------------------------------------------------------------
def test_candidate_registry_filters_and_statistics(client, world, election):
    login(client, world.secretary)
    page = url("manage_candidates", election.campaign.slug)
    response = client.get(page)
    assert response.status_code == 200
    stats = response.context["stats"]
    # 6 candidates: 3 women; born 1995 and 1999 are under 35 on 2026-06-01; 3 by POOs.
    assert (stats["total"], stats["women"], stats["youth"]) == (6, 3, 2)
    assert (stats["poo"], stats["self_nominated"]) == (3, 3)
    assert str(stats["women_share"]) == "50.0" and str(stats["youth_share"]) == "33.3"
    assert len(client.get(page, {"sex": "F"}).context["page"].object_list) == 3
    assert {c.number for c in client.get(page, {"youth": "on"}).context["page"]} == {1, 4}
    assert {c.number for c in client.get(page, {"nomination": "self"}).context["page"]} == {
        2,
        4,
        6,
    }
    assert [c.number for c in client.get(page, {"q": "3"}).context["page"]] == [3]
    name = election.candidates[4].name.split()[0]
    assert [c.number for c in client.get(page, {"q": name}).context["page"]] == [5]
    assert client.get(page, {"status": "withdrawn"}).context["stats"]["total"] == 0
    partial = client.get(page, {"sex": "M"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and election.candidates[1].name in partial.text


def test_candidate_registry_queries_do_not_grow(
    client, world, election, django_assert_max_num_queries
):
    login(client, world.secretary)
    page = url("manage_candidates", election.campaign.slug)
    client.get(page)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        assert client.get(page).status_code == 200
    campaign = to_nomination(election)
    poos = [f.poo(world.district) for _ in range(3)]
    for i in range(40):
        person = f.member(poos[i % 3], sex="F" if i % 2 else "M")
        services.nominate(
            election.scope,
            campaign,
            person,
            nomination=Candidate.Nomination.POO,
            nominating_poo=person.poo,
            poo_decision_date=dt.date(2026, 5, 1),
            poo_protocol_number=str(i),
        )
    with django_assert_max_num_queries(len(few)):
        response = client.get(page)
    assert len(response.context["page"].object_list) == 46
    with django_assert_max_num_queries(len(few)):
        client.get(page, {"sex": "F", "youth": "on", "q": "Surname"})


def test_candidate_registry_max_queries(client, world, election, django_assert_max_num_queries):
    login(client, world.secretary)
    page = url("manage_candidates", election.campaign.slug)
    client.get(page)
    with django_assert_max_num_queries(10):
        client.get(page, {"status": "standing", "nomination": "poo"})


def test_refuse_needs_a_reason_then_register_again(client, world, election):
    login(client, world.secretary)
    candidate = election.candidates[0]
    page = url("manage_candidate", election.campaign.slug, candidate.number)
    assert client.get(page).status_code == 200
    response = client.post(page, {"status": "rejected", "reason": ""})
    assert "reason" in form_errors(response)
    candidate.refresh_from_db()
    assert candidate.status == "registered"
    assert client.post(page, {"status": "rejected", "reason": "No POO protocol"}).status_code == 302
    candidate.refresh_from_db()
    assert (candidate.status, candidate.status_reason) == ("rejected", "No POO protocol")
    assert client.post(page, {"status": "registered"}).status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == "registered"
    assert AuditEvent.objects.filter(action="candidate.rejected").count() == 1


def test_withdraw_is_for_organisers_not_the_commission(client, world, election):
    candidate = election.candidates[1]
    page = url("manage_candidate", election.campaign.slug, candidate.number)
    response = login(client, election.chair).post(page, {"status": "withdrawn"})
    assert response.status_code == 200 and form_errors(response)
    candidate.refresh_from_db()
    assert candidate.status == "registered"
    login(client, world.secretary).post(page, {"status": "withdrawn", "reason": "Moved away"})
    candidate.refresh_from_db()
    assert candidate.status == "withdrawn"


def test_candidates_frozen_in_voting(client, world, election):
    open_voting(election)
    login(client, world.secretary)
    candidate = election.candidates[0]
    page = url("manage_candidate", election.campaign.slug, candidate.number)
    response = client.get(page)
    assert response.context["actions"] == [] and not response.context["editable"]
    client.post(page, {"status": "rejected", "reason": "late"})
    candidate.refresh_from_db()
    assert candidate.status == "registered"


def _png(size=(60, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_candidate_profile_with_photo(client, world, election, settings):
    login(client, world.secretary)
    candidate = election.candidates[2]
    page = url("manage_candidate_edit", election.campaign.slug, candidate.number)
    assert client.get(page).status_code == 200
    photo = SimpleUploadedFile("my holiday.png", _png(), content_type="image/png")
    response = client.post(
        page, {"photo": photo, "biography": "Teacher, 20 years.", "program": "Schools."}
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.biography == "Teacher, 20 years."
    assert candidate.photo.name == f"candidates/{election.campaign.slug}-3.png"
    assert (settings.MEDIA_ROOT / candidate.photo.name).exists()
    assert AuditEvent.objects.filter(action="candidate.profile_updated").exists()


def test_candidate_photo_must_be_a_small_image(client, world, election, monkeypatch):
    login(client, world.secretary)
    candidate = election.candidates[2]
    page = url("manage_candidate_edit", election.campaign.slug, candidate.number)
    fake = SimpleUploadedFile("photo.png", b"not an image at all", content_type="image/png")
    response = client.post(page, {"photo": fake, "biography": "x", "program": ""})
    assert "photo" in form_errors(response)
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    response = client.post(
        page, {"photo": SimpleUploadedFile("a.gif", gif.getvalue()), "biography": "x"}
    )
    assert "JPEG, PNG or WebP" in form_errors(response)["photo"]
    monkeypatch.setattr(staff_forms, "PHOTO_MAX_BYTES", 100)
    big = SimpleUploadedFile("big.png", _png((200, 200)), content_type="image/png")
    response = client.post(page, {"photo": big, "biography": "x"})
    assert "larger than 5 MB" in form_errors(response)["photo"]
    candidate.refresh_from_db()
    assert not candidate.photo and candidate.biography == ""


def test_nominate_by_poo_decision(client, world, election):
    campaign = to_nomination(election)
    login(client, world.secretary)
    page = url("manage_nominate", campaign.slug)
    person = election.voters[6]
    found = client.get(page, {"q": person.last_name})
    assert [m.pk for m in found.context["found"]] == [person.pk]
    chosen = client.get(page, {"member": person.pk})
    assert chosen.context["chosen"] == person
    data = {
        "member": person.iin,
        "nomination": "poo",
        "nominating_poo": person.poo_id,
        "poo_decision_date": "2026-05-02",
        "poo_protocol_number": "7",
    }
    # Without the protocol: a form error and no candidate.
    response = client.post(page, {**data, "poo_protocol_number": ""})
    assert "poo_protocol_number" in form_errors(response)
    assert not Candidate.objects.filter(member=person).exists()
    response = client.post(page, data)
    candidate = Candidate.objects.get(member=person)
    assert response["Location"] == url("manage_candidate", campaign.slug, candidate.number)
    assert candidate.number == 7 and candidate.nominating_poo == person.poo
    assert candidate.poo_protocol_number == "7" and candidate.status == "nominated"
    # The same member again: the service's clear error, nothing new.
    response = client.post(page, data)
    assert "already stands" in response.text
    assert Candidate.objects.filter(member=person).count() == 1


def test_nominate_refuses_members_out_of_scope_and_records_self_nomination(client, world, election):
    campaign = to_nomination(election)
    login(client, world.secretary)
    page = url("manage_nominate", campaign.slug)
    response = client.post(page, {"member": world.other_member.iin, "nomination": "self"})
    assert "member" in form_errors(response)
    response = client.post(page, {"member": str(election.voters[8].pk), "nomination": "self"})
    assert response.status_code == 302
    candidate = Candidate.objects.get(member=election.voters[8])
    assert candidate.nomination == "self" and candidate.nominating_poo is None


def test_poo_leader_nominates_for_their_own_poo_only(client, world, election):
    campaign = to_nomination(election)
    login(client, world.leader)
    page = url("manage_nominate", campaign.slug)
    response = client.get(page)
    assert response.status_code == 200
    assert list(response.context["form"].fields["nominating_poo"].queryset) == [world.poo]
    own = next(v for v in election.voters if v.poo_id == world.poo.pk)
    other = next(v for v in election.voters if v.poo_id == world.poo2.pk)
    base = {
        "nomination": "poo",
        "nominating_poo": world.poo.pk,
        "poo_decision_date": "2026-05-02",
        "poo_protocol_number": "3",
    }
    response = client.post(page, {**base, "member": other.iin})
    assert "member" in form_errors(response)
    response = client.post(page, {**base, "member": own.iin, "nomination": "self"})
    assert "nomination" in form_errors(response)
    assert client.post(page, {**base, "member": own.iin}).status_code == 302
    assert Candidate.objects.get(member=own).nominating_poo == world.poo


def test_nominate_page_when_nominations_are_closed(client, world, election):
    login(client, world.secretary)
    response = client.get(url("manage_nominate", election.campaign.slug))
    assert response.status_code == 200 and not response.context["open"]
    response = client.post(
        url("manage_nominate", election.campaign.slug),
        {"member": election.voters[6].iin, "nomination": "self"},
    )
    assert "Nominations are not open" in response.text
    assert not Candidate.objects.filter(member=election.voters[6]).exists()


# The campaign page and stages -----------------------------------------------------------
def test_campaign_page_counts(client, world, election):
    login(client, world.secretary)
    page = url("manage_campaign", election.campaign.slug)
    response = client.get(page)
    assert response.status_code == 200
    counts = {value: n for value, _label, n in response.context["candidate_counts"]}
    assert counts == {"nominated": 0, "registered": 6, "withdrawn": 0, "rejected": 0}
    assert response.context["roll_size"] == 0 and response.context["may_advance"]
    campaign = open_voting(election)
    for member in election.voters[2:6]:
        services.cast_online(voter_user(member), campaign, ["c1"])
    response = client.get(page)
    roll = VoterRollEntry.objects.filter(campaign=campaign).count()
    assert response.context["roll_size"] == roll and roll > 20
    assert response.context["voted"] == 4 and response.context["pending"] == 4
    assert response.context["turnout"] == round(Decimal(400) / roll, 1)
    assert "Open voting" not in response.text and "Close voting and count" in response.text


def test_advance_refuses_with_a_clear_error(client, world, election):
    Contest.objects.filter(campaign=election.campaign).update(list_length=10)
    login(client, world.secretary)
    page = url("manage_advance", election.campaign.slug)
    assert client.get(page).status_code == 200
    response = client.post(page, {"stage": "registration"})
    assert response.status_code == 200
    assert "needs 10 candidates; 6 are registered" in response.text
    election.campaign.refresh_from_db()
    assert election.campaign.status == "registration"
    assert not VoterRollEntry.objects.exists()


def test_stage_advance_through_the_pages(client, world, election):
    slug = election.campaign.slug
    page = url("manage_advance", slug)
    # The commission cannot open voting; the organiser can.
    assert login(client, election.chair).post(page, {"stage": "registration"}).status_code == 403
    login(client, world.secretary)
    response = client.post(page, {"stage": "registration"})
    assert response.status_code == 302
    campaign = Campaign.objects.get(pk=election.campaign.pk)
    assert campaign.status == "voting" and campaign.roll_frozen_at is not None
    # A second click of the same (now stale) confirmation does not move it again.
    response = client.post(page, {"stage": "registration"})
    assert "moved on" in response.text
    assert Campaign.objects.get(pk=campaign.pk).status == "voting"
    for member in election.voters[2:5]:
        services.cast_online(voter_user(member), campaign, ["c1", "c3"])
    # The commission closes voting and publishes the results.
    login(client, election.chair)
    assert client.post(page, {"stage": "voting"}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "counting" and campaign.tally["ballots"] == 3
    assert not PendingBallot.objects.exists()
    assert client.post(page, {"stage": "counting"}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "results"
    assert campaign.contests.get().result.feasible
    response = client.get(url("manage_campaign", slug))
    assert "meets the quotas" in response.text
    # Closing is the organisers' call.
    assert client.post(page, {"stage": "results"}).status_code == 403
    assert login(client, world.secretary).post(page, {"stage": "results"}).status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).status == "closed"
    assert client.get(page).status_code == 302  # nothing after closed


# Voter roll -----------------------------------------------------------------------------
def _csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_roll_export_masks_iins_for_the_commission(client, world, election):
    campaign = open_voting(election)
    roll = VoterRollEntry.objects.filter(campaign=campaign).count()
    response = login(client, world.secretary).get(url("manage_roll_csv", campaign.slug))
    assert response.status_code == 200 and response.streaming
    rows = _csv_rows(response)
    assert rows[0][:3] == ["list", "member_number", "iin"]
    assert len(rows) == roll + 1
    iins = {r[2] for r in rows[1:]}
    assert election.voters[0].iin in iins
    rows = _csv_rows(login(client, election.chair).get(url("manage_roll_csv", campaign.slug)))
    assert len(rows) == roll + 1
    assert election.voters[0].iin not in {r[2] for r in rows[1:]}
    assert all(r[2].startswith("•" * 8) for r in rows[1:])
    assert AuditEvent.objects.filter(action="roll.exported").count() == 2
    one_list = login(client, world.secretary).get(
        url("manage_roll_csv", campaign.slug) + "?list=nope"
    )
    assert one_list.status_code == 404


# Paper ballots --------------------------------------------------------------------------
def test_parse_ballot_lines():
    ballots, errors = staff_forms.parse_ballot_lines(
        "3, 17\n\n-\n5 x 2\n17 3\n- × 2\n\n", {3, 5, 17}, 2
    )
    assert errors == []
    assert ballots == [["c3", "c17"], [], [], ["c5"], ["c5"], ["c3", "c17"], [], []]
    _ballots, errors = staff_forms.parse_ballot_lines("3 3\n99\n3,5,17\nabc", {3, 5, 17}, 2)
    assert [e.split(":")[0] for e in errors] == ["Line 1", "Line 2", "Line 3", "Line 4"]
    assert "99 is not a candidate" in errors[1]


def _station(election):
    poo = election.voters[3].poo
    voters = [v for v in election.voters[2:] if v.poo_id == poo.pk][:3]
    return poo, voters


def test_paper_entry_through_the_pages(client, election):
    campaign = open_voting(election)
    poo, voters = _station(election)
    page = url("manage_paper", campaign.slug)
    login(client, election.chair)
    assert client.get(page).status_code == 200
    lines = "\n".join([voters[0].iin, str(voters[1].pk), voters[2].iin])
    data = {"poo": poo.pk, "voters": lines, "ballots": "1, 3\n-\n2", "action": "check"}
    # "Check" reads back the names and the counts, and saves nothing.
    response = client.post(page, data)
    assert [r["member"] for r in response.context["voter_rows"]] == voters
    preview = response.context["preview"]
    assert (preview["ballots"], preview["blank"]) == (3, 1)
    assert [(n, count) for n, _name, count in preview["per_candidate"]] == [(1, 1), (2, 1), (3, 1)]
    assert voters[0].full_name in response.text
    assert not PaperBatch.objects.exists()
    # First entry.
    assert client.post(page, {**data, "action": "submit"}).status_code == 302
    batch = PaperBatch.objects.get()
    assert batch.status == "awaiting_second" and batch.entries.count() == 1
    # The same member cannot confirm their own entry.
    response = client.post(page, {**data, "batch": batch.pk, "action": "submit"})
    assert "another member of the commission" in response.text
    # The second member types the same pile in another order: accepted.
    login(client, election.clerk)
    again = {
        "poo": poo.pk,
        "batch": batch.pk,
        "voters": "\n".join(v.iin for v in reversed(voters)),
        "ballots": "2\n3 1\n-",
        "action": "submit",
    }
    assert client.post(page, again).status_code == 302
    batch.refresh_from_db()
    assert batch.status == "accepted" and batch.entries.count() == 0
    assert Participation.objects.filter(campaign=campaign, channel="paper").count() == 3
    assert PendingBallot.objects.count() == 3


def test_paper_mismatch_is_shown_and_both_entries_discarded(client, election):
    campaign = open_voting(election)
    poo, voters = _station(election)
    page = url("manage_paper", campaign.slug)
    lines = "\n".join(v.iin for v in voters)
    login(client, election.chair).post(
        page, {"poo": poo.pk, "voters": lines, "ballots": "1\n2\n3", "action": "submit"}
    )
    batch = PaperBatch.objects.get()
    response = login(client, election.clerk).post(
        page,
        {"poo": poo.pk, "batch": batch.pk, "voters": lines, "ballots": "1\n2\n2",
         "action": "submit"},
    )  # fmt: skip
    assert "The two entries differ" in response.text
    batch.refresh_from_db()
    assert batch.entries.count() == 0 and batch.status == "awaiting_second"
    assert not Participation.objects.exists()


def test_paper_entry_errors_change_nothing(client, world, election):
    campaign = open_voting(election)
    poo, voters = _station(election)
    services.cast_online(voter_user(voters[0]), campaign, ["c2"])
    page = url("manage_paper", campaign.slug)
    login(client, election.chair)

    def post(voter_lines, ballots):
        response = client.post(
            page, {"poo": poo.pk, "voters": voter_lines, "ballots": ballots, "action": "submit"}
        )
        assert response.status_code == 200
        return " ".join(form_errors(response).values())

    assert "has already voted" in post(voters[0].iin, "1")
    assert "not on the voter roll" in post(world.other_member.iin, "1")
    assert "listed twice" in post(f"{voters[1].iin}\n{voters[1].pk}", "1\n2")
    assert "2 voters signed the list but 1 ballots" in post(
        f"{voters[1].iin}\n{voters[2].iin}", "1"
    )
    assert "99 is not a candidate" in post(voters[1].iin, "99")
    assert "at most 3" in post(voters[1].iin, "1 2 3 4")
    assert not PaperBatch.objects.exists()
    assert Participation.objects.filter(campaign=campaign).count() == 1


def test_paper_page_outside_voting_and_for_organisers(client, world, election):
    page = url("manage_paper", election.campaign.slug)
    response = login(client, election.chair).get(page)
    assert response.status_code == 200 and not response.context["open"]
    assert login(client, world.secretary).get(page).status_code == 403


# Admin ----------------------------------------------------------------------------------
def test_admin_keeps_the_vote_read_only(client, world, election):
    campaign = open_voting(election)
    services.cast_online(voter_user(election.voters[5]), campaign, ["c1"])
    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    login(client, world.admin)
    for model in ("participation", "pendingballot", "ballot", "checkpoint", "voterrollentry"):
        assert client.get(reverse(f"admin:primaries_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:primaries_{model}_add")).status_code == 403
    pending = PendingBallot.objects.get()
    change = reverse("admin:primaries_pendingballot_change", args=[pending.pk])
    response = client.post(change, {"choices": '["c2"]'})
    assert response.status_code == 403
    assert PendingBallot.objects.get().choices == ["c1"]
    response = client.get(reverse("admin:primaries_campaign_change", args=[campaign.pk]))
    assert response.status_code == 200
    assert "choose_up_to" not in response.context["adminform"].form.fields  # locked: read-only


def test_large_ids_in_links_are_not_localized(client, world, election):
    """USE_THOUSAND_SEPARATOR must not turn member 12345 into "12 345" inside a link."""
    from .. import factories as f

    campaign = to_nomination(election)
    person = f.member(world.poo, pk=12345, last_name="Ерғалиева")
    login(client, world.secretary)
    client.cookies["bastau_language"] = "kk"
    body = client.get(url("manage_nominate", campaign.slug), {"q": "Ерғалиева"}).content.decode()
    assert f'href="?member={person.pk}"' in body
