"""Reads from a PostgreSQL streaming replica, by explicit opt-in (docs/deploy.md, section 10).

With `DATABASE_REPLICA_URL` set, settings.py adds the database alias "replica", this router
and `ReplicaMiddleware`. Every query goes to the primary ("default") except reads made inside
`replica_reads()` (a context manager, and a decorator for views): the statistics, reports,
exports and the public board say so themselves. Even there a read stays on the primary when

- the request (or the code, outside a request) has written anything: read-your-writes;
- the same browser wrote within the last `DATABASE_REPLICA_PIN_SECONDS` (a cookie says so),
  so that a user who has just changed something sees it on the next pages, whatever the
  replica's lag and whatever app node answers;
- a transaction is open on the primary (a read inside it must see the transaction's rows);
- the replica cannot be reached: it is left alone for `REPLICA_RETRY_SECONDS` and the primary
  answers instead.

Writes always go to the primary, and migrations run only there. Writes of the audit trail do
not pin (an export records who exported before it streams; that record is never read back by
the request). Without the replica alias the router is not installed and nothing changes.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

REPLICA = "replica"
ROUTER = "bastau.core.dbrouter.ReplicaRouter"
#: The cookie that keeps a browser's reads on the primary for a while after it wrote.
PIN_COOKIE = "bastau_primary"
#: After a failed connection to the replica, the primary answers for this long.
REPLICA_RETRY_SECONDS = 30.0
#: Writes that do not pin the request to the primary (append-only logs the request never
#: reads back).
UNPINNED_WRITES = frozenset({"core.auditevent"})

_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "bastau_replica_reads", default=False
)
_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("bastau_pinned", default=False)
_wrote: contextvars.ContextVar[bool] = contextvars.ContextVar("bastau_wrote", default=False)

_down_lock = threading.Lock()
_replica_down_until = 0.0


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside may be answered by the replica (see the module's rules)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


@contextlib.contextmanager
def primary_only() -> Iterator[None]:
    """Reads inside go to the primary, even within replica_reads()."""
    token = _replica_reads.set(False)
    try:
        yield
    finally:
        _replica_reads.reset(token)


@contextlib.contextmanager
def request_scope(*, pinned: bool = False) -> Iterator[None]:
    """One request's (or one unit of work's) routing state: nothing written yet; pinned: the
    browser wrote a moment ago, so its reads stay on the primary."""
    tokens = (_pinned.set(pinned), _wrote.set(False))
    try:
        yield
    finally:
        _wrote.reset(tokens[1])
        _pinned.reset(tokens[0])


def wrote() -> bool:
    """Whether this request (or this thread, outside requests) has written."""
    return _wrote.get()


def note_write() -> None:
    """A write sent past the router (a raw statement on the primary's connection, such as the
    one-statement cast): the request's reads stay on the primary, and its browser's a while."""
    _wrote.set(True)


def _iterate_in_context(iterable, pinned: bool, written: bool):
    """A streaming response's chunks, each produced with replica reads on (the body is
    produced after the view and the middleware have returned)."""
    iterator = iter(iterable)
    while True:
        tokens = (_replica_reads.set(True), _pinned.set(pinned), _wrote.set(written))
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _wrote.reset(tokens[2])
            _pinned.reset(tokens[1])
            _replica_reads.reset(tokens[0])
        yield chunk


def replica_view(view):
    """A view whose reads may come from the replica: statistics, reports, exports, the public
    board. A streaming response's body is read under the same rule."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with replica_reads():
            response = view(request, *args, **kwargs)
        if getattr(response, "streaming", False) and ROUTER in settings.DATABASE_ROUTERS:
            response.streaming_content = _iterate_in_context(
                response.streaming_content, _pinned.get(), _wrote.get()
            )
        return response

    return wrapped


def _replica_usable() -> bool:
    """The replica answers (a failed connection sends reads to the primary for a while)."""
    global _replica_down_until
    if _replica_down_until and time.monotonic() < _replica_down_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except OperationalError:
        with _down_lock:
            _replica_down_until = time.monotonic() + REPLICA_RETRY_SECONDS
        return False
    return True


def mark_replica_up() -> None:
    """Forget a failed connection (tests; an operator's shell)."""
    global _replica_down_until
    _replica_down_until = 0.0


def use_replica() -> bool:
    """Whether a read made now goes to the replica."""
    return (
        _replica_reads.get()
        and not _pinned.get()
        and not _wrote.get()
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        and _replica_usable()
    )


class ReplicaRouter:
    """settings.DATABASE_ROUTERS when the replica is configured (module docstring)."""

    def db_for_read(self, model, **hints):
        return REPLICA if use_replica() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        if model._meta.label_lower not in UNPINNED_WRITES:
            _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        both = {obj1._state.db, obj2._state.db}
        return True if both <= {DEFAULT_DB_ALIAS, REPLICA} else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaMiddleware:
    """Reads stay on the primary in the request after a write and, through a cookie, for
    DATABASE_REPLICA_PIN_SECONDS after it (read-your-writes on every app node). Placed before
    the session middleware, so that a session saved at the end of a request counts as a write.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.seconds = settings.DATABASE_REPLICA_PIN_SECONDS

    def __call__(self, request):
        with request_scope(pinned=PIN_COOKIE in request.COOKIES):
            response = self.get_response(request)
            if _wrote.get() and self.seconds > 0:
                response.set_cookie(
                    PIN_COOKIE,
                    "1",
                    max_age=self.seconds,
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
            return response
