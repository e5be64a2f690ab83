"""Stored inclusion paths of sealed batches (E2EBallotPath).

Sealing a BATCH writes every ballot's place and Merkle path once; the tracker endpoint (which
the one-tap check reads) then reads one row instead of rebuilding the batch's tree. The stored
path equals the one computed from the batch's leaves and verifies against the BATCH's root; a
batch sealed before paths were stored is filled on its first lookup; the lookup's queries do not
depend on the batch's size.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bastau.primaries import encrypted
from bastau.primaries.e2e import ballot, canonical, merkle
from bastau.primaries.e2e.hashing import b64d, b64e
from bastau.primaries.models import E2EBallotPath, EncryptedBallot

from ..factories.primaries import build_election, voter_user
from .test_encrypted import make_ballot, post, setup_encrypted


@pytest.fixture
def enc(world):
    return setup_encrypted(build_election(world))


def cast(client, enc, voters, label="p"):
    trackers = []
    for voter in voters:
        client.force_login(voter_user(voter))
        data = make_ballot(enc, voter, [1, 0, 0, 1, 0, 0], label=label)
        assert post(client, enc, data).status_code == 200
        trackers.append(ballot.tracker(data[:-64]))
    return trackers


def lookup(client, enc, tracker):
    url = reverse("primaries:e2e_tracker", args=[enc.campaign.slug, b64e(tracker)])
    return client.get(url).json()


def check_against_the_record(found, tracker):
    event = canonical.loads(found["event"].encode())
    ballots = event["payload"]["ballots"]
    raw = b64d(ballots[found["index"]]["ballot"])
    assert ballot.tracker(raw[:-64]) == tracker
    leaf = merkle.leaf_hash(tracker, raw[-64:])
    # the path from the stored row is the one computed over the whole batch, and verifies
    leaves = []
    for b in ballots:
        data = b64d(b["ballot"])
        leaves.append(merkle.leaf_hash(ballot.tracker(data[:-64]), data[-64:]))
    path = [b64d(p) for p in found["path"]]
    assert path == merkle.inclusion_path(leaves, found["index"])
    root = b64d(event["payload"]["root"])
    assert merkle.verify_inclusion(leaf, found["index"], len(ballots), path, root)


def test_sealing_stores_every_path_and_the_lookup_reads_it(client, enc):
    trackers = cast(client, enc, enc.ns.voters[2:9])
    encrypted.process(enc.election)
    rows = list(E2EBallotPath.objects.filter(election=enc.election).order_by("index"))
    assert [bytes(r.tracker) for r in rows] == sorted(trackers)
    assert {r.batch for r in rows} == set(
        EncryptedBallot.objects.filter(election=enc.election).values_list("batch", flat=True)
    )
    for tracker in trackers:
        found = lookup(client, enc, tracker)
        assert found["status"] == "sealed"
        check_against_the_record(found, tracker)


def test_a_lookup_does_not_read_the_batch(client, enc):
    small = cast(client, enc, enc.ns.voters[2:4], label="s")
    encrypted.process(enc.election)
    big = cast(client, enc, enc.ns.voters[4:12], label="b")
    encrypted.process(enc.election)
    counts = []
    for tracker in (small[0], big[0], big[-1]):
        with CaptureQueriesContext(connection) as ctx:
            found = encrypted.tracker_status(enc.election, tracker)
        assert found["status"] == "sealed"
        sql = [q["sql"] for q in ctx.captured_queries]
        # no query reads the leaves of the batch: one row for the ballot, the event, the path
        assert not any('"leaf"' in q for q in sql), sql
        counts.append(len(sql))
    assert counts == [3, 3, 3]


def test_a_batch_sealed_before_paths_were_stored_is_filled_once(client, enc):
    trackers = cast(client, enc, enc.ns.voters[2:7])
    encrypted.process(enc.election)
    expected = {t: lookup(client, enc, t) for t in trackers}
    E2EBallotPath.objects.all().delete()
    first = lookup(client, enc, trackers[2])
    assert first == expected[trackers[2]]
    assert E2EBallotPath.objects.count() == len(trackers)
    for t in trackers:
        found = lookup(client, enc, t)
        assert found == expected[t]
        check_against_the_record(found, t)


def test_the_paths_table_keeps_secrecy(client, enc):
    names = {f.name for f in E2EBallotPath._meta.get_fields()}
    assert not names & {"member", "voter", "user", "participation", "created_at", "cast_at"}
    assert not any(
        f.get_internal_type() in ("DateTimeField", "DateField", "TimeField")
        for f in E2EBallotPath._meta.concrete_fields
    )
    cast(client, enc, enc.ns.voters[2:9])
    encrypted.process(enc.election)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tracker FROM {E2EBallotPath._meta.db_table}")
        stored = [bytes(t) for (t,) in cursor.fetchall()]
    assert len(stored) == 7 and stored == sorted(stored)
