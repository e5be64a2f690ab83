"""A ballot made by the browser's code (under Node, fresh randomness) passes the Python reference.

tests/js/make_ballot.mjs encrypts, proves and signs a 73-candidate ballot, plus an audited one,
with static/bastau/e2e/ballot.js; here bastau.primaries.e2e (the reference the server and
`bastau verify_election` use) checks the ballot, the credential, the tracker and the audit, and
refuses a copy with any of a spread of bytes changed. The reverse direction (Python's vectors in
the browser's code) is tests/js/e2e_vectors.test.mjs.
"""

from __future__ import annotations

import json
import subprocess
import uuid

import pytest

from tests.primaries.test_e2e_js import ROOT, node_or_skip

e2e_ballot = pytest.importorskip(
    "bastau.primaries.e2e.ballot", reason="the Python reference (bastau.primaries.e2e) is absent"
)
from bastau.primaries.e2e import credentials  # noqa: E402


@pytest.fixture(scope="module")
def made() -> dict:
    node = node_or_skip()
    run = subprocess.run(
        [node, "tests/js/make_ballot.mjs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(run.stdout)


def election_of(made: dict):
    e = made["election"]
    questions = tuple(
        e2e_ballot.Question(q["id"], q["n"], q["k_min"], q["k_max"]) for q in e["questions"]
    )
    return e2e_ballot.Election(bytes.fromhex(e["phi"]), bytes.fromhex(e["Y"]), questions)


def test_python_verifies_the_browser_ballot(made):
    election = election_of(made)
    data = bytes.fromhex(made["ballot"])
    checked = e2e_ballot.verify(election, data)
    assert checked.tracker.hex() == made["tracker"]
    x = credentials.secret_key(uuid.UUID(made["uuid"]), made["credential"])
    assert credentials.public_key(x).hex() == made["X"] == checked.x_pub.hex()
    assert len(data) == election.body_size + 64


def test_python_checks_the_browser_audit(made):
    election = election_of(made)
    audit = made["audit"]
    body = bytes.fromhex(audit["body"])
    assert e2e_ballot.tracker(body).hex() == audit["tracker"] != made["tracker"]
    revealed = e2e_ballot.AuditData(
        tuple(tuple(m) for m in made["choices"]),
        tuple(tuple(bytes.fromhex(r) for r in q) for q in audit["randomness"]),
    )
    assert e2e_ballot.check_audit(election, body, revealed)
    lie = e2e_ballot.AuditData(
        ((1 - revealed.choices[0][0], *revealed.choices[0][1:]), *revealed.choices[1:]),
        revealed.randomness,
    )
    assert not e2e_ballot.check_audit(election, body, lie)


def test_python_refuses_the_browser_ballot_changed(made):
    election = election_of(made)
    data = bytes.fromhex(made["ballot"])
    for i in [*range(0, 80), *range(80, len(data), 509), len(data) - 33, len(data) - 1]:
        bad = bytearray(data)
        bad[i] ^= 0x04
        with pytest.raises(e2e_ballot.InvalidBallot):
            e2e_ballot.verify(election, bytes(bad))
