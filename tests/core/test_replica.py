"""Reads from the replica, writes and read-your-writes on the primary (bastau.core.dbrouter).

Two setups run the same tests:
- a plain run (`make test`, SQLite or PostgreSQL): the alias "replica" is added for these tests
  as a test mirror of the default database (Django's TEST MIRROR: a second connection to the
  same test database), with the router and its middleware installed;
- a real streaming replica (`.ci/run` through tools/replica.sh): DATABASE_URL is the primary,
  DATABASE_REPLICA_URL a hot standby made by pg_basebackup. The test database Django creates on
  the primary reaches the standby by replication; each test waits until the standby has
  replayed the primary's last write (pg_last_wal_replay_lsn) before reading through it.

Which connection answered is seen by capturing each connection's queries. The tests commit
their writes (transactional tests): a reader on another connection sees only committed rows.
"""

from __future__ import annotations

import copy
import os
import time

import pytest
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, router, transaction
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bastau.core import dbrouter
from bastau.core.models import AuditEvent
from bastau.members.models import Member

from .. import factories as f

REAL = dbrouter.REPLICA in django_settings.DATABASES
DATABASES = [DEFAULT_DB_ALIAS, dbrouter.REPLICA] if REAL else [DEFAULT_DB_ALIAS]
pytestmark = pytest.mark.django_db(transaction=True, databases=DATABASES)

ROUTER = "bastau.core.dbrouter.ReplicaRouter"
MIDDLEWARE = "bastau.core.dbrouter.ReplicaMiddleware"


@pytest.fixture
def replica(settings):
    """The replica alias with the router and the middleware: the real standby when one is
    configured, else a test mirror of the default database."""
    added = False
    if not REAL:
        # A connection of its own to the test database, made as Django makes a test mirror
        # (not listed in settings.DATABASES, so that the rest of the suite never sees it).
        alias_settings = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
        alias_settings["TEST"] = {**alias_settings.get("TEST", {}), "MIRROR": DEFAULT_DB_ALIAS}
        wrapper = load_backend(alias_settings["ENGINE"]).DatabaseWrapper(
            alias_settings, dbrouter.REPLICA
        )
        wrapper.creation.set_as_test_mirror(connections[DEFAULT_DB_ALIAS].settings_dict)
        connections[dbrouter.REPLICA] = wrapper
        added = True
        settings.DATABASE_ROUTERS = [ROUTER]
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(  # where settings.py puts it: before the thin cast path
            middleware.index("bastau.primaries.castpath.CastPathMiddleware"), MIDDLEWARE
        )
        settings.MIDDLEWARE = middleware
    assert settings.DATABASE_ROUTERS == [ROUTER]
    assert MIDDLEWARE in settings.MIDDLEWARE
    dbrouter.mark_replica_up()
    try:
        with dbrouter.request_scope():
            yield connections[dbrouter.REPLICA]
    finally:
        if added:
            connections[dbrouter.REPLICA].close()
            del connections[dbrouter.REPLICA]


def caught_up() -> None:
    """Wait until the replica has replayed every write committed on the primary so far."""
    if not REAL:
        return
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + 60
    with connections[dbrouter.REPLICA].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, f"the replica did not replay {lsn} in 60 s"
            time.sleep(0.05)


def tables_read(captured: CaptureQueriesContext) -> str:
    return "\n".join(q["sql"] for q in captured.captured_queries)


@pytest.fixture
def branch_world(replica):
    region = f.branch(kind="region", name="Region", code="region")
    district = f.branch(parent=region, name="Mugalzhar", code="mugalzhar")
    poo = f.poo(district, name="School 1")
    for sex in ("F", "M", "F"):
        f.member(poo, sex=sex)
    secretary = f.user("district_secretary", branch=district)
    caught_up()
    return district, poo, secretary


def test_the_replica_alias_is_the_standby_or_a_mirror(replica):
    if os.environ.get("BASTAU_EXPECT_REAL_REPLICA") == "1":
        assert REAL, "BASTAU_EXPECT_REAL_REPLICA=1 but DATABASE_REPLICA_URL is not set"
    if REAL:
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery(), current_database()")
            in_recovery, name = cursor.fetchone()
        assert in_recovery is True  # a hot standby, not the primary under another name
        assert name == connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
        # it refuses writes: nothing reaches the primary through it
        with pytest.raises(Exception, match="read-only"), replica.cursor() as cursor:
            cursor.execute("CREATE TABLE bastau_replica_probe (x int)")
    else:
        assert replica.settings_dict["TEST"]["MIRROR"] == DEFAULT_DB_ALIAS
        assert replica.settings_dict["NAME"] == connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "members") is True
    assert router.allow_migrate(dbrouter.REPLICA, "members") is False


def test_statistics_page_reads_from_the_replica(client, branch_world, replica):
    district, poo, secretary = branch_world
    client.force_login(secretary)
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        response = client.get(reverse("members:overview"))
    assert response.status_code == 200
    assert response.context["o"].total == 3
    assert "members_member" in tables_read(on_replica)
    assert "members_member" not in tables_read(on_primary)
    assert dbrouter.PIN_COOKIE not in response.cookies  # nothing was written


def test_reads_outside_marked_views_stay_on_the_primary(client, branch_world, replica):
    _district, _poo, secretary = branch_world
    client.force_login(secretary)
    with CaptureQueriesContext(replica) as on_replica:
        response = client.get(reverse("members:list"))
    assert response.status_code == 200
    assert on_replica.captured_queries == []


def test_a_write_pins_the_rest_of_the_unit_of_work_to_the_primary(branch_world, replica):
    _district, poo, _secretary = branch_world
    with dbrouter.request_scope(), dbrouter.replica_reads():
        with CaptureQueriesContext(replica) as on_replica:
            assert Member.objects.filter(poo=poo).count() == 3
        assert len(on_replica.captured_queries) == 1
        f.member(poo, sex="M")  # a write: what follows must see it at once
        with (
            CaptureQueriesContext(replica) as on_replica,
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
        ):
            assert Member.objects.filter(poo=poo).count() == 4
        assert on_replica.captured_queries == []
        assert len(on_primary.captured_queries) == 1
        assert dbrouter.wrote()


def test_a_write_sets_the_pin_cookie_and_the_cookie_keeps_reads_on_the_primary(
    client, branch_world, replica, settings
):
    _district, _poo, secretary = branch_world
    response = client.post(
        reverse("accounts:login"),
        {"username": secretary.username, "password": "correct-horse-battery"},
    )
    assert response.status_code == 302  # signed in: the session row was written
    cookie = response.cookies[dbrouter.PIN_COOKIE]
    assert cookie["max-age"] == settings.DATABASE_REPLICA_PIN_SECONDS
    caught_up()
    with CaptureQueriesContext(replica) as on_replica:
        response = client.get(reverse("members:overview"))
    assert response.status_code == 200
    assert on_replica.captured_queries == []  # the cookie pinned the browser to the primary
    del client.cookies[dbrouter.PIN_COOKIE]  # the window is over (max-age)
    with CaptureQueriesContext(replica) as on_replica:
        response = client.get(reverse("members:overview"))
    assert response.status_code == 200
    assert "members_member" in tables_read(on_replica)


def test_an_audited_export_streams_from_the_replica(client, branch_world, replica):
    district, _poo, secretary = branch_world
    client.force_login(secretary)
    with CaptureQueriesContext(replica) as on_replica:
        response = client.get(reverse("members:export"), {"format": "csv"})
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200
    assert body.count("Surname") == 3
    assert "members_member" in tables_read(on_replica)
    # the audit record was written to the primary, and did not pin the export to it
    assert AuditEvent.objects.filter(action="members.exported").count() == 1
    assert dbrouter.PIN_COOKIE not in response.cookies


def test_reads_inside_a_transaction_stay_on_the_primary(branch_world, replica):
    _district, poo, _secretary = branch_world
    with (
        dbrouter.replica_reads(),
        transaction.atomic(),
        CaptureQueriesContext(replica) as on_replica,
    ):
        assert Member.objects.filter(poo=poo).count() == 3
    assert on_replica.captured_queries == []


def test_an_unreachable_replica_leaves_the_reads_to_the_primary(
    client, branch_world, replica, monkeypatch
):
    _district, _poo, secretary = branch_world
    client.force_login(secretary)
    replica.close()

    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(replica, "ensure_connection", refuse)
    response = client.get(reverse("members:overview"))
    assert response.status_code == 200
    assert response.context["o"].total == 3
    monkeypatch.undo()
    # the primary keeps answering for a while, then the replica is tried again
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get(reverse("members:overview")).status_code == 200
    assert on_replica.captured_queries == []
    dbrouter.mark_replica_up()
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get(reverse("members:overview")).status_code == 200
    assert "members_member" in tables_read(on_replica)
