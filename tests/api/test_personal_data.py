"""Members' personal data through the API: the same masking and the same audit as the
member's page (`members.services.reveal_personal_data`)."""

from bastau.core.models import AuditEvent
from bastau.lib.iin import mask


def _reads(member):
    return AuditEvent.objects.filter(action="member.personal_data_viewed", object_id=str(member.pk))


def test_a_secretary_sees_the_iin_and_the_read_is_audited(world, api_for):
    m = world.members[1]
    body = api_for("secretary").get(f"/members/{m.pk}").json()
    assert body["personal_data_shown"] is True
    assert body["iin"] == m.iin and body["phone"] == m.phone
    event = _reads(m).get()
    assert event.actor == world.secretary


def test_a_poo_leader_gets_masked_data_and_no_audit_entry(world, api_for):
    m = world.members[1]
    body = api_for("leader").get(f"/members/{m.pk}").json()
    assert body["personal_data_shown"] is False
    assert body["iin"] == mask(m.iin) != m.iin
    assert body["email"] == "" and body["address"] == ""
    assert not _reads(m).exists()


def test_lists_carry_no_personal_data(world, api_for):
    body = api_for("admin").get("/members").json()
    text = str(body)
    for m in world.members:
        assert m.iin not in text
    assert not AuditEvent.objects.filter(action="member.personal_data_viewed").exists()
