"""Refuse work quickly when a process is saturated (issue 3, item 10).

`OverloadMiddleware` bounds how many requests one process handles at once. A request waits up to
``OVERLOAD_QUEUE_TIMEOUT`` seconds for one of ``MAX_CONCURRENT_REQUESTS`` slots; if none frees
up it is answered at once with ``503 Service Unavailable`` and ``Retry-After``, instead of
queuing until the proxy or the browser gives up. The refusal happens before the view runs, so a
refused request has written nothing; a ballot is acknowledged only after its transaction has
committed (``primaries.services.cast_online``), so a member either holds a tracker for a ballot
that is stored, or got a 503 and votes again: no acknowledged ballot is ever lost.

Threads, not coroutines. Bastau runs under WSGI (granian or gunicorn, several threads per
process); the slots are a process-wide ``threading.BoundedSemaphore``, and a waiting request
blocks its own thread only. The middleware is sync-only on purpose: under ASGI Django would run
it in its single thread-sensitive executor, where a blocking wait would stall every request, so
an ASGI deployment should rely on the server's own concurrency limit instead.

For the 503 to be reached the server must hand the process more requests than the limit: run
more threads per process than ``MAX_CONCURRENT_REQUESTS`` allows at once (docs/deploy.md).

Settings are read on every request, so a test (or ``override_settings``) can change the limit;
a changed limit gets a new semaphore, and requests still holding a slot of the old one give it
back to the old one.

A database that is saturated is overload too: a query cancelled by PostgreSQL's
``statement_timeout`` (``DATABASE_STATEMENT_TIMEOUT_MS``) or SQLite's "database is locked"
raised from a view is answered with the same 503 and ``Retry-After`` (without the claim that
nothing was saved: the view may have committed something before that statement).

Never refused: the paths in ``OVERLOAD_EXEMPT_PATHS`` (the health check, so a load balancer does
not take a busy node out of rotation) and static files (``STATIC_URL``).
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

logger = logging.getLogger("bastau.overload")

_lock = threading.Lock()
_semaphores: dict[int, threading.BoundedSemaphore] = {}


def slots(limit: int) -> threading.BoundedSemaphore:
    """The process-wide semaphore for `limit` concurrent requests."""
    semaphore = _semaphores.get(limit)
    if semaphore is None:
        with _lock:
            semaphore = _semaphores.setdefault(limit, threading.BoundedSemaphore(limit))
    return semaphore


class _RefusalLog:
    """Log refusals at most once per interval, with a count, so overload does not flood logs."""

    interval = 10.0

    def __init__(self):
        self.lock = threading.Lock()
        self.count = 0
        self.last = 0.0

    def refused(self, path: str) -> None:
        with self.lock:
            self.count += 1
            now = time.monotonic()
            if now - self.last < self.interval:
                return
            count, self.count, self.last = self.count, 0, now
        logger.warning("Overloaded: refused %d request(s) with 503 (latest: %s)", count, path)


_refusals = _RefusalLog()


def _exempt(path: str) -> bool:
    prefixes = list(getattr(settings, "OVERLOAD_EXEMPT_PATHS", ("/healthz",)))
    static = settings.STATIC_URL or ""
    if static and "://" not in static:
        prefixes.append("/" + static.lstrip("/"))
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes if p)


def overloaded_response(request, retry_after: int, *, nothing_saved: bool = True) -> HttpResponse:
    """503 with Retry-After: JSON for API clients, else a small page in the visitor's language.

    Built without templates, sessions or the database: it must stay cheap when nothing else is.
    """
    language = translation.get_language_from_request(request)
    with translation.override(language):
        title = _("The server is busy")
        if nothing_saved:
            message = _(
                "Too many people are using Bastau right now. Nothing was saved from this "
                "request. Please try again in %(seconds)s seconds."
            ) % {"seconds": retry_after}
        else:
            message = _(
                "Too many people are using Bastau right now. Please try again in %(seconds)s "
                "seconds."
            ) % {"seconds": retry_after}
        if "application/json" in request.headers.get("Accept", ""):
            response = JsonResponse(
                {"error": "overloaded", "detail": message, "retry_after": retry_after},
                status=503,
            )
        else:
            body = format_html(
                '<!doctype html><html lang="{}"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                "<title>{}</title></head><body><h1>{}</h1><p>{}</p>"
                '<p><a href="">{}</a></p></body></html>',
                language,
                title,
                title,
                message,
                _("Try again"),
            )
            response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
            response["Content-Language"] = language
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class OverloadMiddleware:
    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = int(getattr(settings, "MAX_CONCURRENT_REQUESTS", 0) or 0)
        if limit <= 0 or _exempt(request.path_info):
            return self.get_response(request)
        semaphore = slots(limit)
        if not semaphore.acquire(blocking=False) and not _wait_for_slot(semaphore, limit):
            _refusals.refused(request.path_info)
            return overloaded_response(request, _retry_after())
        try:
            # A streaming response's body is sent after the slot is given back: only the view's
            # work (queries, rendering) is bounded, which is what saturates the process.
            return self.get_response(request)
        finally:
            semaphore.release()

    def process_exception(self, request, exception):
        """A query cancelled by the database's statement timeout, or a database too busy to
        take a lock, is overload too: 503 with Retry-After rather than a 500 error page."""
        return busy_response(request, exception)


def busy_response(request, exception: BaseException) -> HttpResponse | None:
    """503 with Retry-After for a database too busy to answer (statement timeout, locked),
    None for any other error: OverloadMiddleware's answer, for code outside a view too (the
    thin cast path, primaries.castpath)."""
    if not database_busy(exception):
        return None
    _refusals.refused(request.path_info)
    # The view may have committed something before the statement that timed out.
    return overloaded_response(request, _retry_after(), nothing_saved=False)


class _Waiting:
    """How many requests of this process wait for a slot right now."""

    def __init__(self):
        self.lock = threading.Lock()
        self.count = 0

    def enter(self, most: int) -> bool:
        with self.lock:
            if self.count >= most:
                return False
            self.count += 1
            return True

    def leave(self) -> None:
        with self.lock:
            self.count -= 1


_waiting = _Waiting()


def _wait_for_slot(semaphore: threading.BoundedSemaphore, limit: int) -> bool:
    """Wait up to OVERLOAD_QUEUE_TIMEOUT for a slot, unless OVERLOAD_MAX_WAITING requests wait
    already: then refuse at once. Waiting is for bursts; under sustained overload the waiters
    would each hold a server thread for the whole timeout, the server's own queue (invisible to
    Python) would grow behind them, and clients would time out instead of getting a 503
    (bench/b_overload.py found it)."""
    timeout = max(float(getattr(settings, "OVERLOAD_QUEUE_TIMEOUT", 0) or 0), 0.0)
    most = getattr(settings, "OVERLOAD_MAX_WAITING", None)
    most = limit if most is None else int(most)
    if timeout <= 0 or most <= 0 or not _waiting.enter(most):
        return False
    try:
        return semaphore.acquire(timeout=timeout)
    finally:
        _waiting.leave()


def _retry_after() -> int:
    return int(getattr(settings, "OVERLOAD_RETRY_AFTER", 5))


#: PostgreSQL SQLSTATEs of an overloaded or unavailable database: query_canceled
#: (statement_timeout), lock_not_available (lock_timeout), too_many_connections, and the server
#: shutting down or starting up (admin_shutdown, crash_shutdown, cannot_connect_now).
BUSY_SQLSTATES = {"57014", "55P03", "53300", "57P01", "57P02", "57P03"}


def database_busy(exception: BaseException) -> bool:
    """True for a database that is saturated or briefly unavailable (restarting): the request
    can be retried, so it is answered 503 + Retry-After rather than 500."""
    if not isinstance(exception, OperationalError):
        return False
    cause = exception.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate in BUSY_SQLSTATES or (sqlstate or "").startswith("08"):  # 08: connection
        return True
    try:
        import psycopg
        from psycopg_pool import PoolTimeout
    except ImportError:  # pragma: no cover - psycopg is a dependency; the pool is optional
        PoolTimeout = ()  # noqa: N806
        psycopg = None
    if PoolTimeout and isinstance(cause, PoolTimeout):
        return True  # every pooled connection busy for DATABASE_POOL_TIMEOUT
    # The connection failed or was lost (the server restarted): psycopg gives no SQLSTATE.
    if psycopg is not None and type(cause) is psycopg.OperationalError and sqlstate is None:
        return True
    return "database is locked" in str(exception)  # SQLite, after its busy timeout
