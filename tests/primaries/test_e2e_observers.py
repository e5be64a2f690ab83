"""The observers' keys of an encrypted campaign, on manage/<slug>/encryption/.

Organisers list and remove observers' Ed25519 keys until voting opens (the SETUP event writes
them into the manifest; then they are fixed); a bad or repeated key is refused with a message in
the user's language and changes nothing; every change is audited.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from bastau.core.models import AuditEvent
from bastau.primaries import encrypted, services
from bastau.primaries.e2e import signing
from bastau.primaries.e2e.hashing import b64e, hd

from ..factories.primaries import build_election, voter_user
from ..test_i18n_forms import english_in
from .test_encrypted import setup_encrypted

KEYS = [signing.public_key(hd(b"observer-form", bytes([i]))) for i in range(3)]


@pytest.fixture
def before_opening(world):
    return setup_encrypted(build_election(world), open_vote=False)


def page(enc):
    return reverse("primaries:manage_encryption", args=[enc.campaign.slug])


def listed(enc) -> list[str]:
    enc.election.refresh_from_db()
    return list(enc.election.observer_keys)


def test_organisers_add_and_remove_observer_keys_before_opening(client, before_opening):
    enc = before_opening
    client.force_login(enc.ns.scope.user)
    assert 'value="observer_add"' in client.get(page(enc)).content.decode()
    for key in (KEYS[1], KEYS[0]):
        response = client.post(page(enc), {"action": "observer_add", "key": b64e(key)})
        assert response.status_code == 302
    # kept sorted by their bytes, as the manifest lists them
    assert listed(enc) == [b64e(k) for k in sorted(KEYS[:2])]
    shown = client.get(page(enc)).content.decode()
    assert b64e(KEYS[0]) in shown and b64e(KEYS[1]) in shown
    response = client.post(page(enc), {"action": "observer_remove", "key": b64e(KEYS[1])})
    assert response.status_code == 302
    assert listed(enc) == [b64e(KEYS[0])]
    events = AuditEvent.objects.filter(action__startswith="primaries.e2e_observer_").order_by("id")
    assert [(e.action, e.data["key"], e.actor_id) for e in events] == [
        ("primaries.e2e_observer_added", b64e(KEYS[1]), enc.ns.scope.user.pk),
        ("primaries.e2e_observer_added", b64e(KEYS[0]), enc.ns.scope.user.pk),
        ("primaries.e2e_observer_removed", b64e(KEYS[1]), enc.ns.scope.user.pk),
    ]
    # naming the trustees again keeps the observers
    encrypted.create_election(enc.campaign, trustees=[("One", None)], threshold=1, ca_key=KEYS[2])
    assert encrypted.E2EElection.objects.get(campaign=enc.campaign).observer_keys == [b64e(KEYS[0])]


BAD = {
    "not base64url": "not a key!",
    "too short": b64e(KEYS[0][:31]),
    "not canonical base64url": b64e(KEYS[0])[:-1] + "B",
    "not a curve point": b64e(b"\xff" * 32),
    "a small-order point": b64e(bytes(32)),
}


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_bad_and_repeated_keys_are_refused_in_the_users_language(client, before_opening, lang):
    enc = before_opening
    client.force_login(enc.ns.scope.user)
    client.post(page(enc), {"action": "observer_add", "key": b64e(KEYS[0])}, follow=True)
    before = listed(enc)
    audits = AuditEvent.objects.count()
    client.cookies["django_language"] = lang
    with translation.override(lang):
        for what, text in {**BAD, "a key listed already": b64e(KEYS[0])}.items():
            response = client.post(
                page(enc),
                {"action": "observer_add", "key": text},
                HTTP_ACCEPT_LANGUAGE=lang,
                follow=True,
            )
            assert response.status_code == 200, what
            body = response.content.decode()
            errors = [str(m) for m in response.context["messages"]]
            form = response.context["observer_form"]
            said = errors + [str(e) for e in form.errors.get("key", [])]
            assert said, f"{what}: no message"
            for message in said:
                assert not english_in(message), (what, message)
                assert message in body or message.replace("'", "&#x27;") in body, what
        response = client.post(
            page(enc),
            {"action": "observer_remove", "key": b64e(KEYS[2])},
            HTTP_ACCEPT_LANGUAGE=lang,
            follow=True,
        )
        said = [str(m) for m in response.context["messages"]]
        assert said and not english_in(said[0])
    assert listed(enc) == before
    assert AuditEvent.objects.count() == audits


def test_the_keys_are_fixed_once_voting_opens(client, before_opening):
    enc = before_opening
    client.force_login(enc.ns.scope.user)
    client.post(page(enc), {"action": "observer_add", "key": b64e(KEYS[0])})
    services.advance(enc.ns.scope, enc.campaign)
    enc.campaign.refresh_from_db()
    manifest = encrypted.manifest_of(listed(enc) and enc.election).data
    assert manifest["keys"]["observers"] == [b64e(KEYS[0])]
    shown = client.get(page(enc)).content.decode()
    assert 'value="observer_add"' not in shown and 'value="observer_remove"' not in shown
    for data in (
        {"action": "observer_add", "key": b64e(KEYS[1])},
        {"action": "observer_remove", "key": b64e(KEYS[0])},
    ):
        response = client.post(page(enc), data, follow=True)
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert listed(enc) == [b64e(KEYS[0])]
    assert encrypted.manifest_of(enc.election).data["keys"]["observers"] == [b64e(KEYS[0])]


def test_only_organisers_may_change_the_keys(client, before_opening):
    enc = before_opening
    for account in (enc.ns.chair, voter_user(enc.ns.voters[5])):
        client.force_login(account)
        response = client.post(page(enc), {"action": "observer_add", "key": b64e(KEYS[0])})
        assert response.status_code == 403
    assert listed(enc) == []
