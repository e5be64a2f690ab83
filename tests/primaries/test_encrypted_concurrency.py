"""Encrypted casts under real concurrency (threads with their own connections): one ballot per
member and one per credential, whatever arrives at the same moment. Runs on PostgreSQL (CI);
SQLite serializes writers."""

from __future__ import annotations

import pytest
from django.db import connection

from bastau.primaries import encrypted
from bastau.primaries.e2e.hashing import b64e
from bastau.primaries.models import EncryptedBallot, Participation

from ..factories.primaries import build_election, voter_user
from .test_concurrency import _race
from .test_encrypted import make_ballot, setup_encrypted

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serializes writers; the race is exercised on PostgreSQL in CI",
    ),
]


def _cast(user, enc, data):
    return lambda: encrypted.cast(user, enc.campaign, "main", b64e(data))


def test_one_member_casting_at_once_gets_one_ballot(world):
    enc = setup_encrypted(build_election(world))
    voter = enc.ns.voters[4]
    user = voter_user(voter)
    ballots = [make_ballot(enc, voter, [1, 0, 0, 0, 0, 0], label=f"m{i}") for i in range(5)]
    outcomes = _race([_cast(user, enc, data) for data in ballots])
    assert sum(isinstance(o, dict) for o in outcomes) == 1, outcomes
    assert sorted(o for o in outcomes if not isinstance(o, dict)) == ["Refused"] * 4
    assert Participation.objects.filter(campaign=enc.campaign, member=voter).count() == 1
    assert EncryptedBallot.objects.count() == 1


def test_one_credential_used_at_once_by_two_members_gets_one_ballot(world):
    enc = setup_encrypted(build_election(world))
    owner, other = enc.ns.voters[4], enc.ns.voters[5]
    x = enc.keys[owner.pk]  # the owner's credential, also in the other member's hands
    users = {m.pk: voter_user(m) for m in (owner, other)}
    jobs = []
    for i, member in enumerate([owner, other, owner, other]):
        data = make_ballot(enc, member, [0, 1, 0, 0, 0, 0], label=f"c{i}", x=x)
        jobs.append(_cast(users[member.pk], enc, data))
    outcomes = _race(jobs)
    assert sum(isinstance(o, dict) for o in outcomes) == 1, outcomes
    assert EncryptedBallot.objects.count() == 1
    # the member whose cast lost keeps the right to vote with their own credential
    voted = set(Participation.objects.values_list("member_id", flat=True))
    assert len(voted) == 1
