"""One leader for the sealer and the daily jobs (bastau.core.leader)."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from bastau.core.leader import Leadership, lock_key


def test_lock_keys_are_stable_and_distinct():
    assert lock_key("sealer") == lock_key("sealer")
    assert lock_key("sealer") != lock_key("periodic")
    assert -(2**63) <= lock_key("sealer") < 2**63


@pytest.mark.django_db(transaction=True)
def test_one_process_leads_and_another_takes_over_when_it_stops():
    first, second = Leadership("test-job"), Leadership("test-job")
    other_job = Leadership("another-job")
    try:
        assert first.acquire() is True
        if connection.vendor != "postgresql":
            # SQLite: one machine, one process of each job; every process leads.
            assert first.uses_lock is False
            assert second.acquire() is True
            return
        assert first.acquire() is True  # still held on the next round
        assert second.acquire() is False  # stands by
        assert other_job.acquire() is True  # another job's lock is its own
        first.release()
        assert second.acquire() is True  # takes over
        assert first.acquire() is False
        # A leader that dies (its connection gone) frees the lock for the next one.
        second._conn.close()
        for _ in range(100):  # the server ends the dead session's backend, then the lock is free
            if first.acquire():
                break
            time.sleep(0.1)
        assert first.acquire() is True
        assert second.acquire() is False
    finally:
        for leadership in (first, second, other_job):
            leadership.release()
