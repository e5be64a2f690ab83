"""One leader for the jobs that must run once per installation (the sealer, the daily jobs).

Any number of app nodes may start `bastau seal_boards --every ...` and `bastau run_periodic`;
the process holding a PostgreSQL session advisory lock named after the job does the work and
the others stand by, trying again each round. The lock lives on a connection of its own (not
Django's, which is closed between rounds), so it is held exactly as long as the leader's
process and connection live: when the leader dies or loses the database, PostgreSQL drops the
lock and the next process to try becomes the leader. Locks are per database, on the primary.

SQLite runs on one machine with one process of each job (docs/deploy.md): there every process
is the leader.
"""

from __future__ import annotations

import hashlib
import logging

from django.db import DEFAULT_DB_ALIAS, connections

log = logging.getLogger(__name__)


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock."""
    digest = hashlib.sha256(f"bastau:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class Leadership:
    """`Leadership("sealer").acquire()` is True while this process leads."""

    def __init__(self, name: str, alias: str = DEFAULT_DB_ALIAS):
        self.name = name
        self.key = lock_key(name)
        self.alias = alias
        self._conn = None

    @property
    def uses_lock(self) -> bool:
        return connections[self.alias].vendor == "postgresql"

    def _connect(self):
        import psycopg

        s = connections[self.alias].settings_dict
        params = {
            "dbname": s["NAME"],
            "user": s.get("USER") or None,
            "password": s.get("PASSWORD") or None,
            "host": s.get("HOST") or None,
            "port": str(s["PORT"]) if s.get("PORT") else None,
        }
        return psycopg.connect(
            autocommit=True,
            connect_timeout=5,
            application_name=f"bastau leader {self.name}",
            **{k: v for k, v in params.items() if v is not None},
        )

    def acquire(self) -> bool:
        """Lead if possible: True when this process holds the lock (taken now or before and
        still held); False when another process holds it or the database cannot be reached."""
        if not self.uses_lock:
            return True
        try:
            if self._conn is not None and not self._conn.closed:
                # Still ours as long as our connection is alive.
                self._conn.execute("SELECT 1")
                return True
            self._conn = self._connect()
            held = self._conn.execute("SELECT pg_try_advisory_lock(%s)", [self.key]).fetchone()[0]
        except Exception:  # the database restarts: nobody leads through this process now
            log.warning("leadership of %s: the database cannot be reached", self.name)
            self._drop()
            return False
        if not held:
            self._drop()
        return bool(held)

    def release(self) -> None:
        if self._conn is not None and not self._conn.closed:
            try:
                self._conn.execute("SELECT pg_advisory_unlock(%s)", [self.key])
            except Exception:
                log.debug("leadership of %s: unlock failed", self.name, exc_info=True)
        self._drop()

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                log.debug("leadership of %s: close failed", self.name, exc_info=True)
        self._conn = None

    def __enter__(self) -> Leadership:
        return self

    def __exit__(self, *exc) -> None:
        self.release()
