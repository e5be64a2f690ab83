"""Encrypted campaigns on the server: set-up, casting through the JSON endpoints, every bad
input refused with nothing changed, proofs checked off the request path, sealing into BATCH
events, the record chain, the tracker check, close and the encrypted tally, and secrecy.

Ballots are built here as a browser builds them (bastau.primaries.e2e.ballot) with credentials
from a test credential authority; the election key is a single test secret (the ceremony is
tested with the trustee module)."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.primaries import encrypted, services
from bastau.primaries.e2e import (
    ballot,
    canonical,
    ceremony,
    credentials,
    group,
    merkle,
    record,
    shares,
    signing,
    verify,
)
from bastau.primaries.e2e.hashing import TestRng, b64d, b64e, hd
from bastau.primaries.models import (
    E2EBallotPath,
    E2ECredential,
    E2EEvent,
    EncryptedBallot,
    Participation,
    VoterRollEntry,
)

from ..factories import member, user
from ..factories.primaries import build_election, voter_user
from ..test_i18n_forms import english_in

CA_SEED = bytes(range(32))


def rng(label: str) -> TestRng:
    return TestRng(b"server-tests", label)


def credential_list(election, roll: list[tuple[str, bytes]], seed: bytes = CA_SEED) -> bytes:
    """A CA's signed list over [(question, X)], without the writer's own checks (so that the
    tests can also make bad ones)."""
    entries = sorted(roll, key=lambda e: e[1])
    leaves = [record.credential_leaf(q, x) for q, x in entries]
    cl = {
        "entries": [{"question": q, "key": b64e(x)} for q, x in entries],
        "count": len(entries),
        "root": b64e(merkle.root(leaves)),
    }
    cl["sig"] = b64e(signing.sign(seed, "credentials", record.credentials_signed_digest(cl)))
    return canonical.dumps(cl)


TRUSTEES = ["Trustee One", "Trustee Two", "Trustee Three"]


def setup_encrypted(election_ns, *, open_vote: bool = True):
    """Make the factory's campaign encrypted, name three trustees (any two decrypt), run their
    ceremony (simulated in one process), install the credential list and open the vote.
    Returns the test's secrets: the trustees' and each member's credential key x (kept by the
    test only)."""
    campaign = election_ns.campaign
    campaign.encrypted = True
    campaign.voting_ends = timezone.now() + dt.timedelta(days=7)
    campaign.save()
    e = encrypted.create_election(
        campaign,
        trustees=[(name, None) for name in TRUSTEES],
        threshold=2,
        ca_key=signing.public_key(CA_SEED),
    )
    transcript, secrets = ceremony.simulate(str(e.uuid), TRUSTEES, 2, rng("ceremony"))
    encrypted.install_transcript(e, transcript)
    encrypted.freeze_roll(campaign)
    keys = {}
    roll = []
    for member_id, code in VoterRollEntry.objects.filter(campaign=campaign).values_list(
        "member_id", "contest__code"
    ):
        cred = credentials.new_credential(rng(f"cred-{member_id}"))
        x = credentials.secret_key(e.uuid, cred)
        keys[member_id] = x
        roll.append((code, credentials.public_key(x)))
    encrypted.install_credentials(e, credential_list(e, roll))
    if open_vote:
        services.advance(election_ns.scope, campaign)
        campaign.refresh_from_db()
        e.refresh_from_db()
    return SimpleNamespace(
        election=e, secrets=secrets, keys=keys, ns=election_ns, campaign=campaign
    )


@pytest.fixture
def enc(world):
    return setup_encrypted(build_election(world))


def make_ballot(enc, member, choices: list[int], *, label="b", x=None) -> bytes:
    manifest = encrypted.manifest_of(enc.election)
    qe = manifest.questions["main"]
    x = x if x is not None else enc.keys[member.pk]
    r = rng(f"{label}-{member.pk}")
    body, _audit = ballot.encrypt_body(qe, credentials.public_key(x), [choices], r)
    return ballot.sign_body(qe, body, x, r)


def post(client, enc, data: bytes | None, question="main", raw=None):
    payload = raw if raw is not None else json.dumps({"question": question, "ballot": b64e(data)})
    return client.post(
        reverse("primaries:e2e_cast", args=[enc.campaign.slug]),
        payload,
        content_type="application/json",
    )


def state():
    return (
        EncryptedBallot.objects.count(),
        Participation.objects.count(),
        E2EEvent.objects.count(),
        sorted(bytes(t) for t in EncryptedBallot.objects.values_list("tracker", flat=True)),
    )


def verify_chain(enc) -> list[dict]:
    """The record as served, checked line by line: hashes, chain and the server's signature."""
    from django.test import Client

    response = Client().get(reverse("primaries:e2e_record", args=[enc.campaign.slug]))
    raw = b"".join(response.streaming_content)
    assert raw.endswith(b"\n")
    prev = bytes(enc.election.phi)
    server = bytes(enc.election.server_key)
    events = []
    for seq, line in enumerate(raw[:-1].split(b"\n")):
        event = canonical.loads(line)
        assert canonical.dumps(event) == line
        assert event["seq"] == seq and b64d(event["prev"]) == prev
        digest = record.payload_digest(event["payload"])
        h = record.event_hash(seq, prev, event["type"], digest, event["day"])
        assert signing.verify(server, "event", h, b64d(event["sig"]))
        prev = h
        events.append(event)
    return events


# Set-up ------------------------------------------------------------------------------------
def test_new_campaigns_are_encrypted_by_default_existing_ones_not(world):
    from bastau.primaries.models import Campaign

    assert Campaign._meta.get_field("encrypted").default is True
    ns = build_election(world)  # the factory asks for a plaintext campaign
    assert ns.campaign.encrypted is False


def test_opening_writes_the_manifest_and_the_setup_event(enc):
    e = enc.election
    assert hd(b"bastau/v1/election", bytes(e.manifest)) == bytes(e.phi)
    manifest = canonical.loads(bytes(e.manifest))
    assert manifest["format"] == "bastau-e2e/1" and manifest["uuid"] == str(e.uuid)
    (q,) = manifest["questions"]
    roll = VoterRollEntry.objects.filter(campaign=enc.campaign).count()
    assert q["id"] == "main" and q["k_max"] == 3 and q["roll"] == roll == manifest["roll"]
    assert [c["id"] for c in q["candidates"]] == [f"c{i}" for i in range(1, 7)]
    assert manifest["credentials"]["count"] == roll
    events = verify_chain(enc)
    assert [ev["type"] for ev in events] == ["SETUP"]
    assert events[0]["payload"]["manifest"] == manifest


def test_an_encrypted_campaign_does_not_open_before_its_setup(world):
    ns = build_election(world)
    ns.campaign.encrypted = True
    ns.campaign.save()
    with pytest.raises(ValidationError, match="trustees"):
        services.advance(ns.scope, ns.campaign)
    ns.campaign.refresh_from_db()
    assert ns.campaign.status == "registration"


@pytest.mark.parametrize("fault", ["count", "signature", "duplicate", "root", "question"])
def test_a_bad_credential_list_is_refused(world, fault):
    ns = build_election(world)
    enc = setup_encrypted(ns, open_vote=False)
    e = enc.election
    before = list(E2ECredential.objects.filter(election=e).values_list("key", flat=True))
    roll = [(q, bytes(k)) for q, k in E2ECredential.objects.values_list("question", "key")]
    seed = CA_SEED
    if fault == "count":
        roll = roll[:-1]
    elif fault == "signature":
        seed = bytes(32)
    elif fault == "duplicate":
        roll[0] = roll[1]
    elif fault == "question":
        roll[0] = ("elsewhere", roll[0][1])
    data = credential_list(e, roll, seed)
    if fault == "root":
        cl = canonical.loads(data)
        cl["root"] = b64e(bytes(32))
        data = canonical.dumps(cl)
    with pytest.raises(ValidationError):
        encrypted.install_credentials(e, data)
    after = list(E2ECredential.objects.filter(election=e).values_list("key", flat=True))
    assert after == before


# Casting -----------------------------------------------------------------------------------
def test_cast_check_seal_and_find_the_tracker(client, enc):
    voter = enc.ns.voters[4]
    client.force_login(voter_user(voter))
    package = client.get(reverse("primaries:e2e_package", args=[enc.campaign.slug])).json()
    assert package["question"] == "main" and package["voted"] is False
    assert hd(b"bastau/v1/election", package["manifest"].encode()) == b64d(package["phi"])

    data = make_ballot(enc, voter, [1, 0, 1, 0, 0, 0])
    response = post(client, enc, data)
    assert response.status_code == 200, response.content
    receipt = response.json()["receipt"]
    tracker = ballot.tracker(data[:-64])
    assert b64d(receipt["tracker"]) == tracker and b64d(receipt["election"]) == bytes(
        enc.election.phi
    )
    assert record.verify_receipt(receipt, bytes(enc.election.server_key), bytes(enc.election.phi))
    row = EncryptedBallot.objects.get(tracker=tracker)
    assert row.status == "pending" and bytes(row.data) == data and row.channel == "online"
    assert Participation.objects.filter(campaign=enc.campaign, member=voter).exists()
    assert client.get(reverse("primaries:e2e_package", args=[enc.campaign.slug])).json()["voted"]

    t_url = reverse("primaries:e2e_tracker", args=[enc.campaign.slug, b64e(tracker)])
    assert client.get(t_url).json()["status"] == "pending"

    assert encrypted.process(enc.election) == 1
    found = client.get(t_url).json()
    assert found["status"] == "sealed"
    event = canonical.loads(found["event"].encode())
    assert event["type"] == "BATCH" and event["payload"]["ballots"][0]["ballot"] == b64e(data)
    leaf = merkle.leaf_hash(tracker, data[-64:])
    root = b64d(event["payload"]["root"])
    path = [b64d(p) for p in found["path"]]
    assert merkle.verify_inclusion(leaf, found["index"], 1, path, root)
    assert [ev["type"] for ev in verify_chain(enc)] == ["SETUP", "BATCH"]


def test_batches_hold_ballots_in_tracker_order_with_a_verifying_root(client, enc):
    datas = []
    for i, voter in enumerate(enc.ns.voters[2:7]):
        client.force_login(voter_user(voter))
        data = make_ballot(enc, voter, [1 if j == i % 6 else 0 for j in range(6)])
        assert post(client, enc, data).status_code == 200
        datas.append(data)
    encrypted.process(enc.election)
    events = verify_chain(enc)
    batch = events[-1]["payload"]["ballots"]
    trackers = [ballot.tracker(b64d(b["ballot"])[:-64]) for b in batch]
    assert trackers == sorted(trackers) and len(trackers) == 5
    leaves = [
        merkle.leaf_hash(t, b64d(b["ballot"])[-64:]) for t, b in zip(trackers, batch, strict=True)
    ]
    assert merkle.root(leaves) == b64d(events[-1]["payload"]["root"])
    for t in trackers:
        found = client.get(
            reverse("primaries:e2e_tracker", args=[enc.campaign.slug, b64e(t)])
        ).json()
        path = [b64d(p) for p in found["path"]]
        leaf = leaves[trackers.index(t)]
        assert merkle.verify_inclusion(leaf, found["index"], 5, path, merkle.root(leaves))


def test_the_credential_endpoint_gives_a_verifying_path(client, enc):
    voter = enc.ns.voters[5]
    x_pub = credentials.public_key(enc.keys[voter.pk])
    found = client.get(
        reverse("primaries:e2e_credential", args=[enc.campaign.slug]), {"key": b64e(x_pub)}
    ).json()
    assert found["question"] == "main"
    leaf = encrypted.credential_leaf("main", x_pub)
    root = bytes(enc.election.credential_list.root)
    path = [b64d(p) for p in found["path"]]
    assert merkle.verify_inclusion(leaf, found["index"], found["count"], path, root)
    missing = client.get(
        reverse("primaries:e2e_credential", args=[enc.campaign.slug]),
        {"key": b64e(group.base_mul(rng("nobody").scalar()))},
    )
    assert missing.status_code == 404 and missing.json()["code"] == "unknown-credential"


# Bad input: each refused with a stable code, nothing changed --------------------------------
def refused(client, enc, data, code, status, **kw):
    before = state()
    response = post(client, enc, data, **kw)
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["error"]
    assert state() == before
    return body


def test_malformed_ballots_are_refused(client, enc):
    voter = enc.ns.voters[4]
    client.force_login(voter_user(voter))
    good = make_ballot(enc, voter, [1, 0, 0, 0, 0, 0])
    refused(client, enc, good[:-1], "malformed", 400)
    refused(client, enc, good + b"\0", "malformed", 400)
    refused(client, enc, None, "malformed", 400, raw="not json")
    refused(client, enc, None, "malformed", 400, raw=json.dumps({"ballot": b64e(good)}))
    refused(
        client, enc, None, "malformed", 400, raw=json.dumps({"question": "main", "ballot": "!!"})
    )
    refused(client, enc, None, "malformed", 400, raw=json.dumps({"question": 1, "ballot": "AA"}))
    wrong_phi = good[:8] + bytes(32) + good[40:]
    refused(client, enc, wrong_phi, "malformed", 400)
    off_curve = bytearray(good)
    off_curve[72 + 31] |= 0x80  # the first alpha with bit 255 set
    refused(client, enc, bytes(off_curve), "malformed", 400)
    bad_sig = good[:-64] + good[-64:-32] + bytes(32)
    refused(client, enc, bad_sig, "bad-signature", 400)
    assert post(client, enc, good).status_code == 200  # the good one still goes in


def test_a_replayed_ballot_is_refused(client, enc):
    voter, other = enc.ns.voters[4], enc.ns.voters[5]
    client.force_login(voter_user(voter))
    data = make_ballot(enc, voter, [0, 1, 0, 0, 0, 0])
    assert post(client, enc, data).status_code == 200
    assert refused(client, enc, data, "replayed", 409)["error"]
    # a second, different ballot of the same member
    again = make_ballot(enc, voter, [0, 0, 1, 0, 0, 0], label="again")
    refused(client, enc, again, "already-voted", 409)
    # another member sends a copy of the first ballot
    client.force_login(voter_user(other))
    refused(client, enc, data, "replayed", 409)
    # ... or signs their own body with the first voter's credential? they do not have it; a
    # ballot with a used credential and a fresh body is refused as such
    used = make_ballot(enc, other, [1, 0, 0, 0, 0, 0], label="used", x=enc.keys[voter.pk])
    refused(client, enc, used, "credential-used", 409)


def copied_proof_ballot(enc, victim_data: bytes, thief) -> bytes:
    """The victim's ciphertexts and proofs under the thief's own credential, correctly signed."""
    manifest = encrypted.manifest_of(enc.election)
    qe = manifest.questions["main"]
    x = enc.keys[thief.pk]
    body = victim_data[:40] + credentials.public_key(x) + victim_data[72:-64]
    return ballot.sign_body(qe, body, x, rng("thief"))


def test_a_copied_proof_is_refused_when_proofs_are_checked_on_cast(client, enc, settings):
    settings.E2E_PROOFS_ON_CAST = True
    victim, thief = enc.ns.voters[4], enc.ns.voters[5]
    client.force_login(voter_user(victim))
    data = make_ballot(enc, victim, [0, 1, 0, 1, 0, 0])
    assert post(client, enc, data).status_code == 200
    assert EncryptedBallot.objects.get().status == "verified"
    client.force_login(voter_user(thief))
    body = refused(client, enc, copied_proof_ballot(enc, data, thief), "malformed", 400)
    assert "proof does not verify" in body["error"]


def test_a_copied_proof_checked_off_the_request_path_is_rejected_on_the_record(client, enc):
    victim, thief = enc.ns.voters[4], enc.ns.voters[5]
    client.force_login(voter_user(victim))
    data = make_ballot(enc, victim, [0, 1, 0, 1, 0, 0])
    assert post(client, enc, data).status_code == 200
    client.force_login(voter_user(thief))
    copied = copied_proof_ballot(enc, data, thief)
    assert post(client, enc, copied).status_code == 200  # signature and credential pass
    encrypted.process(enc.election)
    events = verify_chain(enc)
    assert [ev["type"] for ev in events] == ["SETUP", "REJECT", "BATCH"]
    (rejected,) = events[1]["payload"]["ballots"]
    assert rejected["ballot"] == b64e(copied) and "proof does not verify" in rejected["reason"]
    assert [b["ballot"] for b in events[2]["payload"]["ballots"]] == [b64e(data)]
    t = ballot.tracker(copied[:-64])
    found = client.get(reverse("primaries:e2e_tracker", args=[enc.campaign.slug, b64e(t)]))
    assert found.json()["status"] == "rejected"
    # never counted: the close counts one ballot
    services.close_voting(enc.ns.scope, enc.campaign)
    close = [ev for ev in verify_chain(enc) if ev["type"] == "CLOSE"][0]
    assert close["payload"]["ballots"] == {"online": 1, "paper": 0}


def test_an_over_selected_ballot_is_refused(client, enc, settings):
    settings.E2E_PROOFS_ON_CAST = True
    voter = enc.ns.voters[4]
    client.force_login(voter_user(voter))
    manifest = encrypted.manifest_of(enc.election)
    qe = manifest.questions["main"]
    x = enc.keys[voter.pk]
    r = rng("over")
    # 4 choices where 3 are allowed: a prover for k_max = 4 makes a sum proof of another size
    wide = ballot.Election(qe.phi, qe.y, (ballot.Question("main", 6, 0, 4),))
    body, _ = ballot.encrypt_body(wide, credentials.public_key(x), [[1, 1, 1, 1, 0, 0]], r)
    refused(client, enc, ballot.sign_body(wide, body, x, r), "malformed", 400)
    # the same size but the sum proof made for [1, 4] over 0..3 bounds fails to verify
    from bastau.primaries.e2e import proofs

    shifted = ballot.Election(qe.phi, qe.y, (ballot.Question("main", 6, 1, 4),))
    assert proofs.proof_size(1, 4) == proofs.proof_size(0, 3)
    body, _ = ballot.encrypt_body(shifted, credentials.public_key(x), [[1, 1, 1, 1, 0, 0]], r)
    refused(client, enc, ballot.sign_body(shifted, body, x, r), "malformed", 400)


def test_a_ballot_for_another_question_is_refused(client, enc):
    voter = enc.ns.voters[4]
    client.force_login(voter_user(voter))
    data = make_ballot(enc, voter, [1, 0, 0, 0, 0, 0])
    refused(client, enc, data, "wrong-question", 400, question="other")


def test_an_unknown_credential_is_refused(client, enc):
    voter = enc.ns.voters[4]
    client.force_login(voter_user(voter))
    stranger = credentials.secret_key(enc.election.uuid, credentials.new_credential(rng("s")))
    data = make_ballot(enc, voter, [1, 0, 0, 0, 0, 0], x=stranger)
    refused(client, enc, data, "unknown-credential", 403)


def test_a_member_off_the_roll_is_refused(client, enc, world):
    outsider = member(world.poo)  # joined after the roll was frozen
    client.force_login(voter_user(outsider))
    data = make_ballot(enc, enc.ns.voters[4], [1, 0, 0, 0, 0, 0])
    refused(client, enc, data, "not-on-roll", 403)
    client.force_login(user(Role.REGIONAL_ADMIN))
    refused(client, enc, data, "not-a-member", 403)


def test_casting_after_voting_closed_is_refused(client, enc, time_machine):
    voter = enc.ns.voters[4]
    account = voter_user(voter)
    data = make_ballot(enc, voter, [1, 0, 0, 0, 0, 0])
    time_machine.move_to(enc.campaign.voting_ends + dt.timedelta(minutes=1))
    client.force_login(account)
    refused(client, enc, data, "voting-closed", 409)
    services.close_voting(enc.ns.scope, enc.campaign)
    refused(client, enc, data, "voting-closed", 409)


def test_the_plaintext_ballot_is_refused_in_an_encrypted_campaign(enc):
    voter = enc.ns.voters[4]
    with pytest.raises(ValidationError):
        services.cast_online(voter_user(voter), enc.campaign, ["c1"])
    assert not Participation.objects.exists()


# Who may call what -------------------------------------------------------------------------
def test_permission_matrix(client, enc, world):
    slug = enc.campaign.slug
    voter = enc.ns.voters[6]
    users = {
        "anonymous": None,
        "member on the roll": voter_user(voter),
        "member off the roll": voter_user(member(world.poo)),
        "staff": user(Role.REGIONAL_ADMIN),
    }
    expected = {  # endpoint -> status per user, in the order above
        "package": (401, 200, 403, 403),
        "record": (200, 200, 200, 200),
        "credential": (200, 200, 200, 200),
    }
    x_pub = b64e(credentials.public_key(enc.keys[voter.pk]))
    for endpoint, statuses in expected.items():
        for (who, account), status in zip(users.items(), statuses, strict=True):
            client.logout()
            if account is not None:
                client.force_login(account)
            params = {"key": x_pub} if endpoint == "credential" else {}
            response = client.get(reverse(f"primaries:e2e_{endpoint}", args=[slug]), params)
            assert response.status_code == status, (endpoint, who)
    client.logout()
    response = post(client, enc, make_ballot(enc, voter, [1, 0, 0, 0, 0, 0]))
    assert response.status_code == 401 and response.json()["code"] == "sign-in"
    # a plaintext campaign has no encrypted endpoints
    plain = services.create_campaign(
        Scope(world.secretary),
        data={"encrypted": False, "slug": "plain", "title": "P", "kind": "personnel_reserve",
              "branch": world.district},
    )  # fmt: skip
    services.advance(Scope(world.secretary), plain)
    assert client.get(reverse("primaries:e2e_record", args=["plain"])).status_code == 404


def test_cast_needs_the_csrf_token(enc):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    voter = enc.ns.voters[4]
    client.force_login(voter_user(voter))
    before = state()
    response = post(client, enc, make_ballot(enc, voter, [1, 0, 0, 0, 0, 0]))
    assert response.status_code == 403 and state() == before


# Close, tally, shares, result -------------------------------------------------------------
def share_file(enc, j: int, tally_payload: dict, *, label="share") -> bytes:
    keys = encrypted.public_keys(enc.election)
    secret = enc.secrets[j]
    payload = shares.make_share_payload(
        tally_payload, bytes(enc.election.phi), j, secret.share, keys.k[j], secret.seed, rng(label)
    )
    return canonical.dumps(payload)


def test_close_tally_shares_result_lists_and_the_verifier(client, enc):
    votes = {4: [1, 0, 1, 0, 0, 0], 5: [1, 1, 0, 0, 0, 0], 6: [0, 0, 0, 0, 0, 0]}
    for i, choices in votes.items():
        voter = enc.ns.voters[i]
        client.force_login(voter_user(voter))
        assert post(client, enc, make_ballot(enc, voter, choices)).status_code == 200
    encrypted.process(enc.election)
    last = enc.ns.voters[7]
    client.force_login(voter_user(last))
    assert post(client, enc, make_ballot(enc, last, [0, 0, 0, 0, 0, 1])).status_code == 200
    services.close_voting(enc.ns.scope, enc.campaign)  # checks and seals the last one too
    events = verify_chain(enc)
    assert [ev["type"] for ev in events] == ["SETUP", "BATCH", "BATCH", "CLOSE", "TALLY"]
    close = events[3]["payload"]
    assert close["ballots"] == {"online": 4, "paper": 0} and close["batches"] == 2
    assert close["questions"] == [{"id": "main", "online": 4, "paper": 0}]
    tally_payload = events[4]["payload"]
    assert tally_payload["questions"][0]["paper"] == [b64e(bytes(64))] * 6

    # a bad share (trustee 3 signs a share made with trustee 1's secret) is refused, named
    keys = encrypted.public_keys(enc.election)
    wrong = shares.make_share_payload(
        tally_payload, bytes(enc.election.phi), 3, enc.secrets[1].share, keys.k[1],
        enc.secrets[3].seed, rng("bad"),
    )  # fmt: skip
    before = E2EEvent.objects.count()
    with pytest.raises(ValidationError, match="of trustee 3 is refused"):
        encrypted.add_share(enc.election, canonical.dumps(wrong))
    assert E2EEvent.objects.count() == before
    # two honest trustees are enough
    encrypted.add_share(enc.election, share_file(enc, 3, tally_payload))
    with pytest.raises(ValidationError, match="already"):
        encrypted.add_share(enc.election, share_file(enc, 3, tally_payload, label="again"))
    enc.campaign.refresh_from_db()
    assert enc.campaign.tally is None
    # as `bastau-trustee share` writes it: canonical JSON and a final newline
    encrypted.add_share(enc.election, share_file(enc, 1, tally_payload) + b"\n")
    events = verify_chain(enc)
    assert [ev["type"] for ev in events][-3:] == ["SHARE", "SHARE", "RESULT"]
    (q,) = events[-1]["payload"]["questions"]
    assert q["online"] == [2, 1, 1, 0, 0, 1] and q["total"] == q["online"]
    enc.campaign.refresh_from_db()
    assert enc.campaign.tally["counts"] == {"c1": 2, "c2": 1, "c3": 1, "c4": 0, "c5": 0, "c6": 1}
    assert enc.campaign.tally["ballots"] == 4

    # the shipped verifier accepts the whole record, pinned to the server key
    response = client.get(reverse("primaries:e2e_record", args=[enc.campaign.slug]))
    lines = b"".join(response.streaming_content).splitlines(keepends=True)
    report = verify.verify_record(lines, server_key=bytes(enc.election.server_key))
    assert report.ok, report.lines() + [str(f) for f in report.failures]
    assert report.ballots == {"online": 4, "paper": 0}

    # the lists and results as for a plaintext campaign, from the decrypted counts
    services.publish_results(enc.ns.scope, enc.campaign)
    result = enc.campaign.contests.get().result
    assert result.feasible and len(result.data["list"]) == 4
    # the list on the record is the one quota.py builds from the decrypted counts
    assert q["list"] == [r["id"] for r in result.data["list"]]


def test_the_ceremony_through_uploads(world):
    """The ceremony as the trustees run it with `bastau-trustee`: each file uploaded in turn."""
    ns = build_election(world)
    ns.campaign.encrypted = True
    ns.campaign.save()
    e = encrypted.create_election(
        ns.campaign,
        trustees=[(name, None) for name in TRUSTEES],
        threshold=2,
        ca_key=signing.public_key(CA_SEED),
    )
    setup = encrypted.ceremony_setup(e)
    trustees = {t.index: t for t in e.trustees.all()}
    r = rng("upload")
    states, certs = {}, []
    for i in (1, 2, 3):
        states[i], cert = ceremony.make_certificate(setup, i, r)
        certs.append(cert)
        with pytest.raises(ValidationError):  # a reveal before every certificate is in
            encrypted.add_ceremony_message(
                e, trustees[i], canonical.dumps({**cert, "type": "reveal"})
            )
        assert (
            encrypted.add_ceremony_message(e, trustees[i], canonical.dumps(cert))
            == f"certificate of trustee {i}"
        )
    with pytest.raises(ValidationError):  # someone else's file
        encrypted.add_ceremony_message(e, trustees[1], canonical.dumps(certs[1]))
    reveals, deals = [], []
    for i in (1, 2, 3):
        rev, deal = ceremony.reveal(states[i], certs, r)
        reveals.append(rev)
        deals.append(deal)
        encrypted.add_ceremony_message(e, trustees[i], canonical.dumps(rev))
        encrypted.add_ceremony_message(e, trustees[i], canonical.dumps(deal))
    board = encrypted.ceremony_board(e)
    assert [m["type"] for m in board] == ["setup"] + ["certificate"] * 3 + ["reveal"] * 3 + [
        "deal"
    ] * 3
    for i in (1, 2, 3):
        res = ceremony.check_shares(states[i], certs, reveals, deals, r)
        encrypted.add_ceremony_message(e, trustees[i], canonical.dumps(res.key))
    e.refresh_from_db()
    assert e.election_key is not None
    keys = encrypted.public_keys(e)
    assert keys.y == bytes(e.election_key) and keys.m == 3 and keys.t == 2
    assert encrypted.ceremony_problem(e) is None


# Paper ballots -----------------------------------------------------------------------------
def test_paper_ballots_are_encrypted_and_counted_per_channel(client, enc):
    from bastau.accounts.scoping import Scope as _Scope

    voter = enc.ns.voters[4]
    client.force_login(voter_user(voter))
    assert post(client, enc, make_ballot(enc, voter, [0, 0, 0, 0, 0, 1])).status_code == 200
    poo = enc.ns.voters[3].poo
    paper_voters = [v.pk for v in enc.ns.voters[10:] if v.poo_id == poo.pk][:2]
    ballots = [["c2"], ["c2", "c3"]]
    batch = services.submit_paper_entry(
        _Scope(enc.ns.chair), enc.campaign, poo=poo, voter_ids=paper_voters, ballots=ballots
    )
    services.submit_paper_entry(
        _Scope(enc.ns.clerk), enc.campaign, poo=poo, voter_ids=paper_voters, ballots=ballots,
        batch=batch,
    )  # fmt: skip
    paper = EncryptedBallot.objects.filter(channel="paper")
    assert (
        paper.count() == 2
        and not E2ECredential.objects.filter(key__in=[bytes(b.credential) for b in paper]).exists()
    )
    services.close_voting(enc.ns.scope, enc.campaign)
    events = verify_chain(enc)
    tally_payload = events[-1]["payload"]
    for j in (1, 2):
        encrypted.add_share(enc.election, share_file(enc, j, tally_payload))
    (q,) = verify_chain(enc)[-1]["payload"]["questions"]
    assert q["online"] == [0, 0, 0, 0, 0, 1] and q["paper"] == [0, 2, 1, 0, 0, 0]
    response = client.get(reverse("primaries:e2e_record", args=[enc.campaign.slug]))
    lines = b"".join(response.streaming_content).splitlines(keepends=True)
    report = verify.verify_record(lines, server_key=bytes(enc.election.server_key))
    assert report.ok, [str(f) for f in report.failures]
    assert report.ballots == {"online": 1, "paper": 2}


# Secrecy -----------------------------------------------------------------------------------
def test_secrecy_of_the_encrypted_tables(client, enc):
    for model in (EncryptedBallot, E2ECredential, E2EBallotPath):
        names = {field.name for field in model._meta.get_fields()}
        assert not names & {"member", "voter", "user", "participation", "created_at", "cast_at"}
        assert not any(
            field.get_internal_type() in ("DateTimeField", "DateField", "TimeField")
            for field in model._meta.concrete_fields
        )
    assert EncryptedBallot._meta.pk.name == "tracker"
    assert not any(
        f.is_relation and f.related_model in (EncryptedBallot, E2ECredential, E2EBallotPath)
        for f in Participation._meta.get_fields()
    )
    for voter in enc.ns.voters[2:9]:
        client.force_login(voter_user(voter))
        assert post(client, enc, make_ballot(enc, voter, [1, 0, 0, 0, 0, 0])).status_code == 200
    encrypted.process(enc.election)
    # stored in tracker order, whatever the arrival order
    table = EncryptedBallot._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tracker FROM {table}")
        stored = [bytes(t) for (t,) in cursor.fetchall()]
    assert len(stored) == 7 and stored == sorted(stored)
    # the credentials table is in list (key) order, not in roll order
    keys = [
        bytes(k)
        for k in E2ECredential.objects.filter(election=enc.election)
        .order_by("pk")
        .values_list("key", flat=True)
    ]
    assert keys == sorted(keys)


# Pages -------------------------------------------------------------------------------------
def test_the_encryption_page_sets_up_a_campaign(client, world):
    ns = build_election(world)
    ns.campaign.encrypted = True
    ns.campaign.voting_ends = timezone.now() + dt.timedelta(days=3)
    ns.campaign.save()
    page = reverse("primaries:manage_encryption", args=[ns.campaign.slug])
    for account, status in ((ns.chair, 403), (voter_user(ns.voters[5]), 403)):
        client.force_login(account)
        assert client.get(page).status_code == status
    client.logout()
    assert client.get(page).status_code == 302  # to the login page
    client.force_login(ns.scope.user)
    assert client.get(page).status_code == 200
    trustee_account = voter_user(ns.voters[6])
    response = client.post(
        page,
        {
            "action": "trustees",
            "trustees": f"Trustee One | {trustee_account.username}\nTrustee Two\nTrustee Three",
            "threshold": 4,
            "ca_key": b64e(signing.public_key(CA_SEED)),
        },
    )
    assert response.status_code == 200 and not E2EEvent.objects.exists()
    assert not encrypted.E2EElection.objects.exists()  # t > m refused
    response = client.post(
        page,
        {
            "action": "trustees",
            "trustees": f"Trustee One | {trustee_account.username}\nTrustee Two\nTrustee Three",
            "threshold": 2,
            "ca_key": b64e(signing.public_key(CA_SEED)),
        },
    )
    assert response.status_code == 302
    e = encrypted.E2EElection.objects.get(campaign=ns.campaign)
    assert [t.name for t in e.trustees.order_by("index")] == TRUSTEES

    # the trustee page: only for the named account
    t_page = reverse("primaries:trustee", args=[ns.campaign.slug])
    client.force_login(voter_user(ns.voters[7]))
    assert client.get(t_page).status_code == 403
    client.force_login(trustee_account)
    assert client.get(t_page).status_code == 200
    setup = encrypted.ceremony_setup(e)
    _state, cert = ceremony.make_certificate(setup, 1, rng("page"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("cert.json", canonical.dumps(cert))
    assert client.post(t_page, {"action": "ceremony", "file": upload}).status_code == 302
    assert "certificate" in e.trustees.get(index=1).messages
    _state2, cert2 = ceremony.make_certificate(setup, 2, rng("page"))
    upload = SimpleUploadedFile("cert.json", canonical.dumps(cert2))  # trustee 2's file
    response = client.post(t_page, {"action": "ceremony", "file": upload})
    assert response.status_code == 200 and "certificate" not in e.trustees.get(index=2).messages
    board = client.get(reverse("primaries:e2e_ceremony", args=[ns.campaign.slug])).json()
    assert [m["type"] for m in board] == ["setup", "certificate"]

    # freezing the roll and installing the credential list from the page
    client.force_login(ns.scope.user)
    assert client.post(page, {"action": "freeze"}).status_code == 302
    ns.campaign.refresh_from_db()
    assert ns.campaign.roll_frozen_at is not None
    roll = [
        (code, group.base_mul(rng(f"x{mid}").scalar()))
        for mid, code in VoterRollEntry.objects.filter(campaign=ns.campaign).values_list(
            "member_id", "contest__code"
        )
    ]
    bad = SimpleUploadedFile("cl.json", credential_list(e, roll[:-1]))
    client.post(page, {"action": "credentials", "file": bad})
    assert not E2ECredential.objects.exists()
    good = SimpleUploadedFile("cl.json", credential_list(e, roll))
    assert client.post(page, {"action": "credentials", "file": good}).status_code == 302
    assert E2ECredential.objects.count() == len(roll)


def test_the_board_of_an_encrypted_campaign_shows_trackers_only(client, enc):
    voter = enc.ns.voters[4]
    client.force_login(voter_user(voter))
    data = make_ballot(enc, voter, [0, 0, 1, 0, 0, 0])
    assert post(client, enc, data).status_code == 200
    encrypted.process(enc.election)
    client.logout()
    response = client.get(reverse("primaries:board", args=[enc.campaign.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert b64e(ballot.tracker(data[:-64])) in body and "BATCH" in body
    for candidate in enc.ns.candidates:
        assert candidate.name not in body


def test_export_election_writes_the_served_record(client, enc, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "record.jsonl"
    import io

    call_command("export_election", enc.campaign.slug, "-o", str(out), stdout=io.StringIO())
    served = b"".join(
        client.get(reverse("primaries:e2e_record", args=[enc.campaign.slug])).streaming_content
    )
    assert out.read_bytes() == served
    report = verify.verify_record(served.splitlines(keepends=True), final=False)
    assert not report.failures, [str(f) for f in report.failures]


def test_a_cheating_dealer_is_named_on_the_ceremony_page(client, world):
    import copy

    ns = build_election(world)
    ns.campaign.encrypted = True
    ns.campaign.save()
    accounts = [voter_user(ns.voters[i]) for i in (5, 6, 7)]
    e = encrypted.create_election(
        ns.campaign,
        trustees=list(zip(TRUSTEES, accounts, strict=True)),
        threshold=2,
        ca_key=signing.public_key(CA_SEED),
    )
    trustees = {t.index: t for t in e.trustees.all()}
    setup = encrypted.ceremony_setup(e)
    r = rng("cheat")
    states, certs = [], []
    for i in (1, 2, 3):
        st, cert = ceremony.make_certificate(setup, i, r)
        states.append(st)
        certs.append(cert)
        encrypted.add_ceremony_message(e, trustees[i], canonical.dumps(cert))
    reveals, deals = [], []
    for st in states:
        rev, deal = ceremony.reveal(st, certs, r)
        if st["index"] == 1:  # trustee 1 seals a share that is not f_1(2) for trustee 2
            bad = ceremony.sign_object(
                b64d(st["seed"]),
                {"type": "share", "context": rev["context"], "from": 1, "to": 2,
                 "share": b64e(group.scalar(12345))},
            )  # fmt: skip
            box = ceremony.seal(b64d(certs[1]["seal_key"]), canonical.dumps(bad), r)
            deal = copy.deepcopy(deal)
            deal["sealed"] = [
                {"to": 2, "box": b64e(box)} if s["to"] == 2 else s for s in deal["sealed"]
            ]
        reveals.append(rev)
        deals.append(deal)
        encrypted.add_ceremony_message(e, trustees[st["index"]], canonical.dumps(rev))
        encrypted.add_ceremony_message(e, trustees[st["index"]], canonical.dumps(deal))
    result = ceremony.check_shares(states[1], certs, reveals, deals, r)
    (complaint,) = result.complaints
    what = encrypted.add_ceremony_message(e, trustees[2], canonical.dumps(complaint))
    assert "trustee 1" in what and "cheated" in what
    problem = encrypted.ceremony_problem(e)
    assert problem is not None and problem.culprit == 1
    client.force_login(accounts[2])
    page = client.get(reverse("primaries:trustee", args=[ns.campaign.slug]))
    assert "Trustee 1 dealt a bad share" in page.content.decode()
    # no key can be added after the complaint, and no election key exists
    good = ceremony.check_shares(states[2], certs, reveals, deals, r)
    with pytest.raises(ValidationError):
        encrypted.add_ceremony_message(e, trustees[3], canonical.dumps(good.key))
    e.refresh_from_db()
    assert e.election_key is None


def test_the_periodic_sealer_checks_and_seals_encrypted_ballots(client, enc):
    for voter in enc.ns.voters[4:6]:
        client.force_login(voter_user(voter))
        assert post(client, enc, make_ballot(enc, voter, [1, 0, 0, 0, 0, 0])).status_code == 200
    assert set(EncryptedBallot.objects.values_list("status", flat=True)) == {"pending"}
    assert services.seal_due_campaigns() == 2
    assert set(EncryptedBallot.objects.values_list("status", flat=True)) == {"sealed"}
    assert services.seal_due_campaigns() == 0
    # the organisers' pages of the running encrypted campaign
    client.force_login(enc.ns.scope.user)
    for name in ("manage_campaign", "manage_encryption"):
        response = client.get(reverse(f"primaries:{name}", args=[enc.campaign.slug]))
        assert response.status_code == 200, name


@pytest.mark.parametrize("n", [1, 2, 63, 64, 65, 100, 128, 200, 257, 1000])
def test_the_stored_tree_paths_equal_merkle_py(n):
    leaves = [hd(b"t", i.to_bytes(4, "big")) for i in range(n)]
    fetched = []

    def fetch(lo, hi):
        fetched.append((lo, hi))
        return leaves[lo:hi]

    root = merkle.root(leaves)
    for i in sorted({0, n // 3, n // 2, n - 1}):
        fetched.clear()
        tree = encrypted.StoredTree(n, encrypted.pack_upper_levels(leaves), fetch)
        path = tree.path(i)
        assert path == merkle.inclusion_path(leaves, i)
        assert merkle.verify_inclusion(leaves[i], i, n, path, root)
        assert len(fetched) <= 2 and all(hi - lo <= 64 for lo, hi in fetched)


def test_sealing_and_closing_never_replay_earlier_batches(client, enc, monkeypatch):
    """Each seal adds only its own ballots to the running sums kept on the election, and the
    close writes the TALLY from them: the record is never re-read, and it still verifies."""
    counted = []
    real_count = record.RecordWriter._count
    parsed = []
    real_parse = record.parse_event

    def count_spy(self, qid, channel, data):
        counted.append(ballot.tracker(data[:-64]))
        return real_count(self, qid, channel, data)

    def parse_spy(line, where="event"):
        ev = real_parse(line, where)
        parsed.append(ev.seq)
        return ev

    monkeypatch.setattr(record.RecordWriter, "_count", count_spy)
    monkeypatch.setattr(record, "parse_event", parse_spy)
    trackers = []
    for i in (4, 5, 6):
        voter = enc.ns.voters[i]
        client.force_login(voter_user(voter))
        data = make_ballot(enc, voter, [1, 0, 0, 0, 0, 1])
        assert post(client, enc, data).status_code == 200
        counted.clear()
        parsed.clear()
        before = E2EEvent.objects.count()
        encrypted.process(enc.election)
        trackers.append(ballot.tracker(data[:-64]))
        assert counted == [trackers[-1]]  # this batch's ballot only, not the earlier ones
        assert all(seq >= before for seq in parsed)  # only the line just written is read
    counted.clear()
    parsed.clear()
    before = E2EEvent.objects.count()
    services.close_voting(enc.ns.scope, enc.campaign)
    assert counted == [] and all(seq >= before for seq in parsed)
    monkeypatch.undo()
    response = Client().get(reverse("primaries:e2e_record", args=[enc.campaign.slug]))
    lines = b"".join(response.streaming_content).splitlines(keepends=True)
    assert [record.parse_event(x).type for x in lines] == [
        "SETUP", "BATCH", "BATCH", "BATCH", "CLOSE", "TALLY",
    ]  # fmt: skip
    report = verify.verify_record(lines, server_key=bytes(enc.election.server_key), final=False)
    assert report.failures == [] and report.ballots == {"online": 3, "paper": 0}
    # the TALLY written from the kept sums is the one a full replay gives
    replayed = record.RecordWriter.resume(b"\0" * 32, lines[:5])
    assert record.parse_event(lines[5]).payload == replayed.tally_totals()


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_ballot_rejected_off_the_request_path_shows_why_in_the_language(client, enc, lang):
    victim, thief = enc.ns.voters[4], enc.ns.voters[5]
    client.force_login(voter_user(victim))
    data = make_ballot(enc, victim, [0, 1, 0, 1, 0, 0])
    assert post(client, enc, data).status_code == 200
    client.force_login(voter_user(thief))
    copied = copied_proof_ballot(enc, data, thief)
    assert post(client, enc, copied).status_code == 200
    encrypted.process(enc.election)
    t = ballot.tracker(copied[:-64])
    url = reverse("primaries:e2e_tracker", args=[enc.campaign.slug, b64e(t)])
    stored = EncryptedBallot.objects.get(tracker=t).reason
    assert "proof does not verify" in stored
    with translation.override(lang):
        expected = encrypted.rejection_reason(stored)
    client.cookies["bastau_language"] = lang
    found = client.get(url, HTTP_ACCEPT_LANGUAGE=lang).json()
    assert found["status"] == "rejected"
    assert found["reason"] == expected
    if lang != "en":
        assert english_in(found["reason"]) == []
    # the REJECT event it points to carries the ballot and the module's reason as evidence
    event = canonical.loads(found["event"].encode())
    assert event["type"] == "REJECT"
    (item,) = event["payload"]["ballots"]
    assert item["ballot"] == b64e(copied) and "proof does not verify" in item["reason"]
    assert found["event"] in served_lines(enc)


def served_lines(enc) -> list[str]:
    response = Client().get(reverse("primaries:e2e_record", args=[enc.campaign.slug]))
    return b"".join(response.streaming_content).decode().splitlines()


OBSERVER_SEEDS = [hd(b"observer", bytes([i])) for i in range(3)]


def test_observers_cosign_events_through_the_endpoint(client, world):
    ns = build_election(world)
    enc = setup_encrypted(ns, open_vote=False)
    keys = [signing.public_key(s) for s in OBSERVER_SEEDS[:2]]
    enc.election.observer_keys = [b64e(k) for k in keys]
    enc.election.save()
    services.advance(ns.scope, enc.campaign)
    enc.campaign.refresh_from_db()
    enc.election.refresh_from_db()
    manifest = encrypted.manifest_of(enc.election).data
    assert [b64d(k) for k in manifest["keys"]["observers"]] == sorted(keys)
    url = reverse("primaries:e2e_cosign", args=[enc.campaign.slug])
    line = served_lines(enc)[0].encode()
    h = record.parse_event(line).hash

    def send(seed, seq=0, digest=h, raw=None):
        body = raw or json.dumps(
            {
                "seq": seq,
                "key": b64e(signing.public_key(seed)),
                "sig": b64e(signing.sign(seed, "observer", digest)),
            }
        )
        return Client().post(url, body, content_type="application/json")

    before = served_lines(enc)
    # refused, nothing changed: an unlisted key, a signature of another hash, no such event,
    # malformed bodies
    assert send(OBSERVER_SEEDS[2]).json()["code"] == "not-observer"
    assert send(OBSERVER_SEEDS[0], digest=bytes(32)).json()["code"] == "bad-cosignature"
    assert send(OBSERVER_SEEDS[0], seq=7).status_code == 404
    for raw in ("{", "[]", '{"seq": 0}', '{"seq": true, "key": "", "sig": ""}'):
        assert send(OBSERVER_SEEDS[0], raw=raw).json()["code"] == "malformed"
    assert served_lines(enc) == before
    # both listed observers co-sign SETUP; the record carries both and still verifies
    for seed in OBSERVER_SEEDS[:2]:
        assert send(seed).status_code == 200
    event = canonical.loads(served_lines(enc)[0].encode())
    assert sorted(b64d(c["key"]) for c in event["cosigs"]) == sorted(keys)
    lines = [x.encode() + b"\n" for x in served_lines(enc)]
    report = verify.verify_record(lines, server_key=bytes(enc.election.server_key), final=False)
    assert report.failures == []


def test_the_files_bastau_trustee_writes_are_taken_as_written(client, world):
    """The board downloads in the canonical form `bastau-trustee` reads; the files it writes
    (an array of messages, a final newline) upload as they are; a file whose second message is
    refused changes nothing; a share file with its final newline is taken."""
    ns = build_election(world)
    ns.campaign.encrypted = True
    ns.campaign.save()
    e = encrypted.create_election(
        ns.campaign,
        trustees=[(name, None) for name in TRUSTEES],
        threshold=2,
        ca_key=signing.public_key(CA_SEED),
    )
    served = client.get(reverse("primaries:e2e_ceremony", args=[ns.campaign.slug])).content
    assert served.endswith(b"\n")
    assert canonical.loads(served[:-1]) == encrypted.ceremony_board(e)
    trustees = {t.index: t for t in e.trustees.all()}
    r = rng("cli-files")
    setup = encrypted.ceremony_setup(e)
    states, certs = {}, []
    for i in (1, 2, 3):
        states[i], cert = ceremony.make_certificate(setup, i, r)
        certs.append(cert)
        encrypted.add_ceremony_message(e, trustees[i], canonical.dumps([cert]) + b"\n")
    reveals, deals = [], []
    for i in (1, 2, 3):
        rev, deal = ceremony.reveal(states[i], certs, r)
        reveals.append(rev)
        deals.append(deal)
    # trustee 1's reveal with trustee 2's deal: refused, and the reveal is not kept either
    with pytest.raises(ValidationError):
        encrypted.add_ceremony_message(e, trustees[1], canonical.dumps([reveals[0], deals[1]]))
    assert "reveal" not in e.trustees.get(index=1).messages
    for i in (1, 2, 3):
        file = canonical.dumps([reveals[i - 1], deals[i - 1]]) + b"\n"
        encrypted.add_ceremony_message(e, trustees[i], file)
    for i in (1, 2, 3):
        res = ceremony.check_shares(states[i], certs, reveals, deals, r)
        encrypted.add_ceremony_message(e, trustees[i], canonical.dumps([res.key]) + b"\n")
    e.refresh_from_db()
    assert e.election_key is not None and encrypted.ceremony_problem(e) is None


def test_the_cast_takes_the_thin_path_and_a_password_change_stops_it(client, enc):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    voter, other = enc.ns.voters[4], enc.ns.voters[5]
    client.force_login(voter_user(voter))
    with CaptureQueriesContext(connection) as queries:
        assert post(client, enc, make_ballot(enc, voter, [1, 0, 0, 0, 0, 0])).status_code == 200
    # the session's proof, not the user's row (SQLite checks the account with a query of its
    # own: the password and member columns)
    assert not [q["sql"] for q in queries if '"accounts_user"."last_login"' in q["sql"]]
    user = voter_user(other)
    client.force_login(user)
    user.set_password("changed-in-another-browser")
    user.save()
    before = state()
    response = post(client, enc, make_ballot(enc, other, [0, 1, 0, 0, 0, 0]))
    assert response.status_code == 401 and response.json()["code"] == "sign-in"
    assert state() == before
