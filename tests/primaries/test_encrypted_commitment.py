"""The cast's request path leaves the proofs' commitment points to the proof check
(docs/verification.md, "The cast's request path"): a ballot with a badly encoded commitment is
acknowledged, then rejected on the record with the ballot as evidence, never counted, and the
record verifies with both verifiers (Python, and the browser's under Node). Everything else of
the encoding is still refused at once and changes nothing."""

from __future__ import annotations

import json
import subprocess

import pytest
from django.urls import reverse

from bastau.primaries import encrypted, services
from bastau.primaries.e2e import ballot, credentials, verify
from bastau.primaries.e2e.hashing import b64e
from bastau.primaries.models import EncryptedBallot

from ..factories.primaries import build_election, voter_user
from .test_e2e_js import ROOT, node_or_skip
from .test_encrypted import (
    make_ballot,
    post,
    refused,
    rng,
    setup_encrypted,
    state,
    verify_chain,
)


@pytest.fixture
def enc(world):
    return setup_encrypted(build_election(world))


def _question(enc):
    return encrypted.manifest_of(enc.election).questions["main"]


def _resigned(enc, member, data: bytes, label: str) -> bytes:
    """The ballot's body with its own credential's fresh signature (sigma verifies)."""
    return ballot.sign_body(_question(enc), data[:-64], enc.keys[member.pk], rng(label))


def _with(data: bytes, offset: int, byte: int) -> bytes:
    changed = bytearray(data)
    changed[offset] = byte
    return bytes(changed)


def _bad_commitment(enc, member) -> tuple[bytes, int]:
    """A ballot whose first 0/1 proof's first commitment A_0 has bit 255 set, signed."""
    good = make_ballot(enc, member, [0, 1, 0, 0, 0, 0], label="bad-commitment")
    off = ballot._layout(_question(enc))[2][0]
    bad = _with(good, off + 31, good[off + 31] | 0x80)
    return _resigned(enc, member, bad, "bad-commitment-sig"), off


def _node_verify(tmp_path, lines: list[bytes]) -> dict:
    node = node_or_skip()
    path = tmp_path / "record.jsonl"
    path.write_bytes(b"".join(lines))
    script = tmp_path / "verify.mjs"
    script.write_text(
        f"""import {{ readFileSync }} from "node:fs";
import {{ load }} from "{(ROOT / "tests/js/helpers.mjs").as_uri()}";
const STATIC = "{(ROOT / "src/bastau/static/bastau/e2e").as_uri()}";
const {{ sodium, e2e }} = await load();
const {{ bastauRecord }} = await import(STATIC + "/record.js");
const {{ bastauVerifier }} = await import(STATIC + "/verify.js");
const v = bastauVerifier(sodium, e2e, bastauRecord(sodium, e2e));
const s = v.verifyRecord(new Uint8Array(readFileSync(process.argv[2])), {{ final: false }});
console.log(JSON.stringify({{ rejected: s.rejected, ballots: s.ballots, events: s.events }}));
"""
    )
    run = subprocess.run(
        [node, str(script), str(path)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_a_badly_encoded_commitment_is_rejected_with_evidence_and_never_counted(
    client, enc, tmp_path
):
    honest, cheat = enc.ns.voters[4], enc.ns.voters[5]
    client.force_login(voter_user(honest))
    good = make_ballot(enc, honest, [1, 0, 1, 0, 0, 0])
    assert post(client, enc, good).status_code == 200
    client.force_login(voter_user(cheat))
    bad, off = _bad_commitment(enc, cheat)
    with pytest.raises(ballot.InvalidBallot, match=r"main\[0\] 0/1 proof"):
        ballot.decode(_question(enc), bad)
    # the request path: length, phi, X, the ciphertexts, the scalars and sigma are sound
    response = post(client, enc, bad)
    assert response.status_code == 200, response.content
    tracker = ballot.tracker(bad[:-64])
    assert response.json()["receipt"]["tracker"] == b64e(tracker)
    assert EncryptedBallot.objects.get(tracker=tracker).status == "pending"

    # the proof check rejects it on the record, with the ballot and the reason as evidence
    encrypted.process(enc.election)
    events = verify_chain(enc)
    assert [ev["type"] for ev in events] == ["SETUP", "REJECT", "BATCH"]
    (rejected,) = events[1]["payload"]["ballots"]
    assert rejected["ballot"] == b64e(bad) and rejected["question"] == "main"
    assert "main[0] 0/1 proof" in rejected["reason"]
    assert [b["ballot"] for b in events[2]["payload"]["ballots"]] == [b64e(good)]
    row = EncryptedBallot.objects.get(tracker=tracker)
    assert row.status == "rejected" and row.batch == 1
    found = client.get(reverse("primaries:e2e_tracker", args=[enc.campaign.slug, b64e(tracker)]))
    assert found.json()["status"] == "rejected"

    # never counted
    services.close_voting(enc.ns.scope, enc.campaign)
    events = verify_chain(enc)
    close = next(ev for ev in events if ev["type"] == "CLOSE")
    assert close["payload"]["ballots"] == {"online": 1, "paper": 0}

    # the record verifies, the rejection included: Python ...
    response = client.get(reverse("primaries:e2e_record", args=[enc.campaign.slug]))
    lines = b"".join(response.streaming_content).splitlines(keepends=True)
    report = verify.verify_record(lines, server_key=bytes(enc.election.server_key), final=False)
    assert report.ok, report.lines() + [str(f) for f in report.failures]
    assert report.rejected == 1 and report.ballots == {"online": 1, "paper": 0}
    # ... and the browser's verifier under Node
    js = _node_verify(tmp_path, lines)
    assert js["rejected"] == 1 and js["ballots"] == {"online": 1, "paper": 0}
    assert js["events"] == len(events)


def test_a_record_rejecting_a_sound_ballot_fails_both_verifiers(client, enc, tmp_path):
    """The control: the verifiers do check the REJECT's evidence (a valid ballot rejected is
    a failure), so the acceptance above is earned."""
    voter = enc.ns.voters[4]
    client.force_login(voter_user(voter))
    good = make_ballot(enc, voter, [1, 0, 0, 0, 0, 0])
    assert post(client, enc, good).status_code == 200
    # the proof check wrongly rejecting it (as a broken server would)
    real = ballot.verify

    def reject_all(election, data):
        raise ballot.InvalidBallot("main[0]: 0/1 proof does not verify")

    ballot.verify = reject_all
    try:
        encrypted.process(enc.election)
    finally:
        ballot.verify = real
    response = client.get(reverse("primaries:e2e_record", args=[enc.campaign.slug]))
    lines = b"".join(response.streaming_content).splitlines(keepends=True)
    report = verify.verify_record(lines, server_key=bytes(enc.election.server_key), final=False)
    assert not report.ok
    assert any("a valid ballot was rejected" in str(f) for f in report.failures)
    node = node_or_skip()
    del node
    with pytest.raises(AssertionError, match="a valid ballot was rejected"):
        _node_verify(tmp_path, lines)


def test_the_rest_of_the_encoding_is_still_refused_at_once(client, enc):
    voter = enc.ns.voters[4]
    client.force_login(voter_user(voter))
    good = make_ballot(enc, voter, [0, 0, 1, 0, 0, 0])
    qe = _question(enc)
    points, scalars, commitments = ballot._layout(qe)
    (q,) = qe.questions
    assert len(points) == 1 + 2 * 6
    assert len(commitments) == 2 * (2 * 6 + (q.k_max - q.k_min + 1))
    beta = points[2]  # the first ciphertext's beta
    bad_ct = _resigned(enc, voter, _with(good, beta + 31, good[beta + 31] | 0x80), "ct")
    body = refused(client, enc, bad_ct, "malformed", 400)
    assert "main[0] ciphertext" in body["error"]
    identity_ct = _resigned(enc, voter, good[:beta] + bytes(32) + good[beta + 32 :], "id")
    refused(client, enc, identity_ct, "malformed", 400)
    bad_x = _with(good, 40 + 31, good[40 + 31] | 0x80)
    assert "X" in refused(client, enc, bad_x, "malformed", 400)["error"]
    scalar = scalars[0]  # the first 0/1 proof's c_0
    big = _resigned(enc, voter, good[:scalar] + b"\xff" * 32 + good[scalar + 32 :], "scalar")
    refused(client, enc, big, "malformed", 400)
    bad_sigma = good[:-32] + b"\xff" * 32  # s above l
    refused(client, enc, bad_sigma, "malformed", 400)
    wrong_sigma = good[:-64] + credentials.sign(
        qe.phi, enc.keys[voter.pk], good[40:72], bytes(32), rng("other")
    )
    refused(client, enc, wrong_sigma, "bad-signature", 400)
    before = state()
    assert post(client, enc, good).status_code == 200  # the good one still goes in
    assert state() != before
