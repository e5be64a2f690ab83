"""Appeals through the API: staff only, the applicant's data only for the appeal's handlers
(audited), and registering an appeal from another channel with the page's own checks."""

import pytest

from bastau.accounts.models import Role
from bastau.core.models import AuditEvent
from bastau.reception.models import Appeal, Topic

from .. import factories as f
from ..factories import reception as rf


@pytest.fixture
def rw(world):
    world.officer = f.user(Role.RECEPTION_OFFICER, branch=world.district)
    world.topic = Topic.objects.get(code="social_aid")
    world.appeal = rf.register(world)
    world.other_appeal = rf.register(
        world, world.other_secretary, branch=world.other_district, applicant_name="Other One"
    )
    return world


@pytest.mark.parametrize(
    "role,own,other",
    [
        ("anonymous", 401, 401),
        ("member_user", 403, 403),
        ("leader", 403, 403),
        ("officer", 200, 404),
        ("secretary", 200, 404),
        ("other_secretary", 404, 200),
        ("admin", 200, 200),
    ],
)
def test_appeal_detail_by_role(rw, api_for, role, own, other):
    caller = api_for(role)
    assert caller.get(f"/reception/appeals/{rw.appeal.pk}").status_code == own
    assert caller.get(f"/reception/appeals/{rw.other_appeal.pk}").status_code == other


def test_the_applicant_is_shown_to_handlers_and_the_read_is_audited(rw, api_for):
    body = api_for("officer").get(f"/reception/appeals/{rw.appeal.pk}").json()
    assert body["personal_data_shown"] and body["applicant_name"] == rf.APPLICANT_NAME
    assert AuditEvent.objects.filter(
        action="appeal.personal_data_read", object_id=str(rw.appeal.pk), actor=rw.officer
    ).exists()


def test_the_list_is_the_branch_s_appeals_without_applicants(rw, api_for):
    body = api_for("secretary").get("/reception/appeals").json()
    assert [row["id"] for row in body["items"]] == [rw.appeal.pk]
    assert "applicant_name" not in body["items"][0]


def _payload(w, **overrides):
    body = {
        "receiving_branch_id": w.district.pk,
        "channel": "eotinish",
        "eotinish_reference": "ЖТ-2026-1",
        "kind": "complaint",
        "topic_id": w.topic.pk,
        "applicant_name": "Айгүл Серікқызы",
        "text": "The heating does not work.",
        "language": "kk",
    }
    body.update(overrides)
    return body


def test_a_read_write_token_registers_an_appeal(rw, api_for):
    response = api_for("officer", access="write").post("/reception/appeals", _payload(rw))
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get(pk=response.json()["id"])
    assert appeal.channel == "eotinish" and appeal.receiving_branch == rw.district
    assert response.json()["number"] == appeal.number


def test_a_read_only_token_may_not_write(rw, api_for):
    before = Appeal.objects.count()
    response = api_for("officer").post("/reception/appeals", _payload(rw))
    assert response.status_code == 403
    assert Appeal.objects.count() == before


def test_another_branch_is_not_found_and_bad_data_changes_nothing(rw, api_for):
    caller = api_for("secretary", access="write")
    before = Appeal.objects.count()
    other = caller.post(
        "/reception/appeals", _payload(rw, receiving_branch_id=rw.other_district.pk)
    )
    assert other.status_code == 404
    bad = caller.post("/reception/appeals", _payload(rw, eotinish_reference=""))
    assert bad.status_code == 422
    assert "eotinish_reference" in bad.json()["errors"]
    missing = caller.post("/reception/appeals", {"channel": "phone"})
    assert missing.status_code == 422
    assert Appeal.objects.count() == before
