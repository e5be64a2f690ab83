"""A void install racing a cast with the same (stolen) credential: prevented, not only detected.

On PostgreSQL the cast statement holds its credential row FOR SHARE until it commits and the
void install locks its credentials FOR UPDATE before it reads which of them cast, so whichever
comes second waits for the first and then sees its outcome. The tests force each interleaving
with two threads on their own connections, one holding its transaction open while the other is
seen waiting on its lock (pg_blocking_pids), then check the final state and that the record
verifies. On SQLite the transaction of either holds the write lock from its start; the tests
below the PostgreSQL ones check the outcomes in each order on every backend."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from bastau.primaries import encrypted
from bastau.primaries.e2e import credentials, verify
from bastau.primaries.e2e.hashing import b64e
from bastau.primaries.models import E2ECredential, E2EEvent, EncryptedBallot, Participation

from ..factories.primaries import build_election, voter_user
from .test_encrypted import make_ballot, setup_encrypted
from .test_encrypted_void import paper_entry, same_poo, snapshot, void_file

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks are PostgreSQL's; SQLite serializes writers (its outcomes are tested below)",
)


class Session(threading.Thread):
    """`job` in a thread with its own connection. With `hold`, inside a transaction kept open
    (its locks held, nothing committed) after the job returns, until `release` is set."""

    def __init__(self, job, *, hold: bool = False):
        super().__init__(daemon=True)
        self.job, self.hold = job, hold
        self.pid: int | None = None
        self.started_job = threading.Event()
        self.returned = threading.Event()
        self.release = threading.Event()
        self.result = None

    def run(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.started_job.set()
            if self.hold:
                with transaction.atomic():
                    self._call()
                    self.returned.set()
                    assert self.release.wait(60), "never released"
            else:
                self._call()
        finally:
            self.started_job.set()
            self.returned.set()
            connections.close_all()

    def _call(self):
        try:
            self.result = self.job()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            self.result = exc


@pytest.fixture
def session():
    """Make Sessions; at the end every held transaction is released and every thread joined,
    so a failing assertion leaves no lock behind for the next test's flush."""
    made: list[Session] = []

    def make(job, *, hold=False) -> Session:
        made.append(Session(job, hold=hold))
        made[-1].start()
        return made[-1]

    yield make
    for s in made:
        s.release.set()
    for s in made:
        s.join(30)


def waits_for(waiter: Session, holder: Session, timeout: float = 20.0) -> bool:
    """True once `waiter`'s backend is blocked by `holder`'s lock; False if it finished first
    (it did not wait) or the timeout passed."""
    assert waiter.started_job.wait(timeout) and holder.pid is not None
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s = ANY(pg_blocking_pids(%s))", [holder.pid, waiter.pid])
            if cursor.fetchone()[0]:
                return True
        if waiter.returned.is_set():
            return False
        time.sleep(0.02)
    return False


def verified(enc):
    """Check and seal what is pending, then the whole record through the reference verifier."""
    encrypted.process(enc.election)
    enc.election.refresh_from_db()
    lines = list(encrypted.record_lines(enc.election))
    report = verify.verify_record(lines, server_key=bytes(enc.election.server_key), final=False)
    assert report.ok, [str(f) for f in report.failures]
    return report


def key(enc, voter) -> bytes:
    return credentials.public_key(enc.keys[voter.pk])


def cast(enc, user, data):
    return lambda: encrypted.cast(user, enc.campaign, "main", b64e(data))


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_cast_arriving_while_a_void_is_installed_waits_and_is_refused(world, session):
    enc = setup_encrypted(build_election(world))
    holders = same_poo(enc, 2)
    paper_entry(enc, holders, [["c2"], ["c3"]])
    thief = next(v for v in enc.ns.voters[4:] if v not in holders)
    thief_user = voter_user(thief)
    stolen = make_ballot(enc, thief, [1, 0, 0, 0, 0, 0], label="stolen", x=enc.keys[holders[0].pk])

    void = session(lambda: encrypted.install_void(enc.election, void_file(enc, holders)), hold=True)
    assert void.returned.wait(30)
    assert isinstance(void.result, E2EEvent), void.result  # written, not committed
    thief_cast = session(cast(enc, thief_user, stolen))
    assert waits_for(thief_cast, void), thief_cast.result
    void.release.set()
    void.join(30)
    thief_cast.join(30)

    assert isinstance(thief_cast.result, encrypted.Refused), thief_cast.result
    assert thief_cast.result.code == "credential-voided"
    assert not EncryptedBallot.objects.filter(credential=key(enc, holders[0])).exists()
    assert not Participation.objects.filter(campaign=enc.campaign, member=thief).exists()
    assert set(E2ECredential.objects.filter(voided=True).values_list("key", flat=True)) == {
        key(enc, v) for v in holders
    }
    # The thief's own vote is untouched: one ballot per member, with their own credential.
    own = make_ballot(enc, thief, [0, 1, 0, 0, 0, 0], label="own")
    assert isinstance(cast(enc, thief_user, own)(), dict)
    report = verified(enc)
    assert report.voided == 2 and report.ballots == {"online": 1, "paper": 2}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_void_install_arriving_during_a_cast_waits_and_refuses_the_used_key(world, session):
    enc = setup_encrypted(build_election(world))
    holders = same_poo(enc, 2)
    paper_entry(enc, holders, [["c2"], ["c3"]])
    thief = next(v for v in enc.ns.voters[4:] if v not in holders)
    thief_user = voter_user(thief)
    stolen = make_ballot(enc, thief, [1, 0, 0, 0, 0, 0], label="stolen", x=enc.keys[holders[0].pk])

    thief_cast = session(cast(enc, thief_user, stolen), hold=True)
    assert thief_cast.returned.wait(30)
    assert isinstance(thief_cast.result, dict), thief_cast.result  # stored, not committed
    void = session(lambda: encrypted.install_void(enc.election, void_file(enc, holders)))
    assert waits_for(void, thief_cast), void.result
    thief_cast.release.set()
    thief_cast.join(30)
    void.join(30)

    # The whole file is refused, naming the used key; nothing is voided, the ballot stands.
    assert isinstance(void.result, ValidationError), void.result
    message = " ".join(void.result.messages)
    assert b64e(key(enc, holders[0])) in message and b64e(key(enc, holders[1])) not in message
    assert not E2EEvent.objects.filter(type="VOID").exists()
    assert not E2ECredential.objects.filter(voided=True).exists()
    assert EncryptedBallot.objects.filter(credential=key(enc, holders[0])).count() == 1
    assert Participation.objects.get(campaign=enc.campaign, member=thief).channel == "online"
    # The authority's new file without the used key installs; the record verifies.
    encrypted.install_void(enc.election, void_file(enc, holders[1:]))
    report = verified(enc)
    assert report.voided == 1 and report.ballots == {"online": 1, "paper": 2}


# Every backend: the outcomes in each order ------------------------------------------------


@pytest.mark.django_db
def test_void_first_then_a_stolen_credential_is_refused_at_cast(world):
    enc = setup_encrypted(build_election(world))
    holders = same_poo(enc, 1)
    paper_entry(enc, holders, [["c2"]])
    encrypted.install_void(enc.election, void_file(enc, holders))
    thief = next(v for v in enc.ns.voters[4:] if v not in holders)
    stolen = make_ballot(enc, thief, [1, 0, 0, 0, 0, 0], label="stolen", x=enc.keys[holders[0].pk])
    with pytest.raises(encrypted.Refused) as info:
        cast(enc, voter_user(thief), stolen)()
    assert info.value.code == "credential-voided"
    assert not Participation.objects.filter(campaign=enc.campaign, member=thief).exists()
    assert verified(enc).voided == 1


@pytest.mark.django_db
def test_cast_first_then_the_void_file_is_refused_naming_every_used_key(world):
    enc = setup_encrypted(build_election(world))
    voters = same_poo(enc, 3)
    # voters[0] voted online with their own credential: their paper vote is refused.
    cast(enc, voter_user(voters[0]), make_ballot(enc, voters[0], [1, 0, 0, 0, 0, 0]))()
    with pytest.raises(ValidationError):
        paper_entry(enc, voters[:1], [["c2"]])
    paper_entry(enc, voters[1:], [["c2"], ["c3"]])
    # voters[1]'s credential was stolen before the void: used online by another member.
    thief = next(v for v in enc.ns.voters[4:] if v not in voters)
    stolen = make_ballot(enc, thief, [0, 1, 0, 0, 0, 0], label="stolen", x=enc.keys[voters[1].pk])
    cast(enc, voter_user(thief), stolen)()
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        encrypted.install_void(enc.election, void_file(enc, voters))
    message = " ".join(info.value.messages)
    assert b64e(key(enc, voters[0])) in message and b64e(key(enc, voters[1])) in message
    assert b64e(key(enc, voters[2])) not in message
    assert snapshot() == before
    encrypted.install_void(enc.election, void_file(enc, voters[2:]))
    report = verified(enc)
    assert report.voided == 1 and report.ballots == {"online": 2, "paper": 2}


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the ORM cast path is SQLite's; PostgreSQL's cast is one statement (tested above)",
)
@pytest.mark.django_db(transaction=True)
def test_on_sqlite_the_cast_reads_the_void_flag_inside_its_write_transaction(world, monkeypatch):
    """With transaction_mode IMMEDIATE the write lock is taken at BEGIN, so reading the flag
    inside the cast's transaction leaves no moment for a void install to commit before the
    ballot is stored."""
    enc = setup_encrypted(build_election(world))
    voter = enc.ns.voters[4]
    seen = []
    check = encrypted._check_credential

    def spy(*args):
        seen.append(connection.in_atomic_block)
        return check(*args)

    monkeypatch.setattr(encrypted, "_check_credential", spy)
    cast(enc, voter_user(voter), make_ballot(enc, voter, [1, 0, 0, 0, 0, 0]))()
    assert seen == [True]
    assert connection.settings_dict["OPTIONS"].get("transaction_mode") == "IMMEDIATE"
