"""One member, one ballot under real concurrency: threads with their own connections race to
cast for the same members, online and on paper, and the database must keep exactly one."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from bastau.accounts.scoping import Scope
from bastau.primaries import services
from bastau.primaries.models import Participation, PendingBallot

from ..factories.primaries import voter_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def open_election(election):
    services.advance(election.scope, election.campaign)
    election.campaign.refresh_from_db()
    return election


def _race(jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes = []
    lock = threading.Lock()

    def run(job):
        try:
            barrier.wait()
            result = job()
        except Exception as exc:  # noqa: BLE001 - the outcome is what we count
            result = type(exc).__name__
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serializes writers; the race is exercised on PostgreSQL in CI",
)
def test_concurrent_online_and_paper_attempts_give_one_ballot_each(open_election):
    election = open_election
    campaign = election.campaign
    poo = election.voters[5].poo
    targets = [v for v in election.voters[4:] if v.poo_id == poo.pk][:4]
    users = [voter_user(m) for m in targets]
    jobs = []
    for user in users:
        for _ in range(5):
            jobs.append(lambda user=user: services.cast_online(user, campaign, ["c1"]))
    # The commission's first entry of a paper batch naming the same voters.
    batch = services.submit_paper_entry(
        Scope(election.chair),
        campaign,
        poo=poo,
        voter_ids=[m.pk for m in targets],
        ballots=[["c2"]] * len(targets),
    )

    def paper():
        try:
            services.submit_paper_entry(
                Scope(election.clerk),
                campaign,
                poo=poo,
                voter_ids=[m.pk for m in targets],
                ballots=[["c2"]] * len(targets),
                batch=batch,
            )
            return "paper accepted"
        except ValidationError:
            return "paper refused"

    jobs.append(paper)
    outcomes = _race(jobs)
    assert len(outcomes) == len(jobs)
    counts = Participation.objects.filter(campaign=campaign).values_list("member_id", flat=True)
    assert sorted(counts) == sorted(m.pk for m in targets)
    assert PendingBallot.objects.filter(campaign=campaign).count() == len(targets)
    online_ok = sum(1 for o in outcomes if isinstance(o, str) and len(o) == 64)
    if "paper accepted" in outcomes:
        assert online_ok == 0
    else:
        assert online_ok == len(targets)
    assert all(
        o in ("AlreadyVoted", "paper accepted", "paper refused") or len(o) == 64 for o in outcomes
    )
