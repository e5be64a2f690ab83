"""The overload middleware: a saturated process answers 503 + Retry-After at once, never lets a
refused request write anything, and exempts the health check and static files.

One request is held inside a view (waiting on a threading.Event) in a thread while the main
thread sends others; the limit is 1 (settings are read at request time).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.test import Client, RequestFactory
from django.urls import include, path

from bastau.accounts.scoping import Scope
from bastau.core import overload
from bastau.core import views as core_views
from bastau.primaries import services
from bastau.primaries.models import Campaign, Candidate, Participation, PendingBallot

RELEASE = threading.Event()
ENTERED = threading.Event()


def hold_view(request):
    ENTERED.set()
    RELEASE.wait(10)
    return HttpResponse("held")


def hello_view(request):
    return HttpResponse("hello")


def vote_view(request):
    """A stand-in for the ballot page's POST: cast, then acknowledge with the tracker."""
    campaign = Campaign.objects.get(slug="overload-test")
    tracker = services.cast_online(request.user, campaign, request.POST.getlist("choice"))
    return JsonResponse({"tracker": tracker})


def timeout_view(request):
    """What a view raises when PostgreSQL cancels a query at statement_timeout."""
    import psycopg

    try:
        raise psycopg.errors.QueryCanceled("canceling statement due to statement timeout")
    except psycopg.errors.QueryCanceled as exc:
        raise OperationalError(str(exc)) from exc


urlpatterns = [
    path("hold/", hold_view),
    path("hello/", hello_view),
    path("vote/", vote_view),
    path("timeout/", timeout_view),
    path("healthz", core_views.healthz),
    # The product's URLs too: its error pages link to them.
    path("", include("bastau.urls")),
]


@pytest.fixture
def limit_one(settings):
    settings.MAX_CONCURRENT_REQUESTS = 1
    settings.OVERLOAD_QUEUE_TIMEOUT = 0.05
    settings.OVERLOAD_RETRY_AFTER = 7
    settings.ROOT_URLCONF = "tests.test_overload"
    RELEASE.clear()
    ENTERED.clear()
    yield settings
    RELEASE.set()


class Held:
    """A request held inside `hold_view` in a thread of its own, until `release()`."""

    def __init__(self, send):
        self.result = None
        self.thread = threading.Thread(target=self._run, args=(send,), daemon=True)
        self.thread.start()
        assert ENTERED.wait(5), "the held request never reached its view"

    def _run(self, send):
        self.result = send()

    def release(self):
        RELEASE.set()
        self.thread.join(5)
        assert not self.thread.is_alive()
        return self.result


def test_middleware_is_first_after_security():
    assert django_settings.MIDDLEWARE[:2] == [
        "django.middleware.security.SecurityMiddleware",
        "bastau.core.overload.OverloadMiddleware",
    ]


def test_a_second_request_is_refused_while_the_slot_is_held(limit_one, db):
    held = Held(lambda: Client().get("/hold/"))
    client = Client()
    started = time.perf_counter()
    response = client.get("/hello/")
    elapsed = time.perf_counter() - started
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("text/html")
    assert "try again in 7 seconds" in response.content.decode()
    assert elapsed < 1.0, "a refusal must be immediate, not a queue"

    api = client.get("/hello/", HTTP_ACCEPT="application/json")
    assert api.status_code == 503 and api["Retry-After"] == "7"
    assert api.json()["error"] == "overloaded" and api.json()["retry_after"] == 7

    # The health check and static files are never refused.
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/bastau/no-such-file.css").status_code == 404

    first = held.release()
    assert first.status_code == 200 and first.content == b"held"
    # After the release, requests succeed again.
    assert client.get("/hello/").status_code == 200
    assert client.get("/hello/").content == b"hello"


def test_a_request_waits_for_a_slot_up_to_the_timeout(settings):
    settings.MAX_CONCURRENT_REQUESTS = 1
    settings.OVERLOAD_QUEUE_TIMEOUT = 5
    RELEASE.clear()
    ENTERED.clear()
    rf = RequestFactory()

    def view(request):
        if request.path == "/hold/":
            return hold_view(request)
        return HttpResponse("ok")

    middleware = overload.OverloadMiddleware(view)
    held = Held(lambda: middleware(rf.get("/hold/")))
    timer = threading.Timer(0.2, RELEASE.set)
    timer.start()
    started = time.perf_counter()
    response = middleware(rf.get("/other/"))
    waited = time.perf_counter() - started
    assert response.status_code == 200
    assert 0.1 < waited < 4
    assert held.release().status_code == 200
    timer.join()


def test_the_limit_is_read_at_request_time(settings):
    rf = RequestFactory()
    middleware = overload.OverloadMiddleware(lambda request: HttpResponse("ok"))
    settings.MAX_CONCURRENT_REQUESTS = 0  # no limit
    assert middleware(rf.get("/")).status_code == 200
    settings.MAX_CONCURRENT_REQUESTS = 3
    settings.OVERLOAD_QUEUE_TIMEOUT = 0
    semaphore = overload.slots(3)
    for _ in range(3):
        assert semaphore.acquire(timeout=1)
    try:
        assert middleware(rf.get("/")).status_code == 503
        assert middleware(rf.get("/healthz")).status_code == 200
    finally:
        for _ in range(3):
            semaphore.release()
    assert middleware(rf.get("/")).status_code == 200


def test_the_page_speaks_the_visitors_language(settings):
    rf = RequestFactory()
    request = rf.get("/", HTTP_ACCEPT_LANGUAGE="ru")
    response = overload.overloaded_response(request, 5)
    assert response.status_code == 503
    assert response["Content-Language"] == "ru"
    assert '<html lang="ru">' in response.content.decode()


def test_a_statement_timeout_is_answered_with_503(limit_one, db):
    limit_one.MAX_CONCURRENT_REQUESTS = 4
    client = Client(raise_request_exception=False)
    response = client.get("/timeout/")
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert "Nothing was saved" not in response.content.decode()
    assert overload.database_busy(OperationalError("database is locked"))
    assert not overload.database_busy(OperationalError("no such table: x"))
    assert not overload.database_busy(ValueError("database is locked"))


def test_beyond_the_waiting_bound_a_request_is_refused_at_once(settings):
    """Under sustained overload waiting only moves the queue: once OVERLOAD_MAX_WAITING
    requests wait for a slot, the next is refused at once instead of holding its thread."""
    settings.MAX_CONCURRENT_REQUESTS = 1
    settings.OVERLOAD_QUEUE_TIMEOUT = 5
    settings.OVERLOAD_MAX_WAITING = 1
    rf = RequestFactory()
    middleware = overload.OverloadMiddleware(lambda request: HttpResponse("ok"))
    semaphore = overload.slots(1)
    assert semaphore.acquire(timeout=1)  # the one slot is busy
    waiter = threading.Thread(target=lambda: middleware(rf.get("/waits/")))
    try:
        waiter.start()
        deadline = time.monotonic() + 2
        while overload._waiting.count < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert overload._waiting.count == 1
        started = time.perf_counter()
        response = middleware(rf.get("/refused/"))
        assert response.status_code == 503 and response["Retry-After"]
        assert time.perf_counter() - started < 1.0
    finally:
        semaphore.release()  # the waiter takes the slot and finishes
        waiter.join(5)
    assert overload._waiting.count == 0
    assert middleware(rf.get("/")).status_code == 200


def test_a_lost_or_refused_database_connection_is_answered_with_503():
    """PostgreSQL restarting (connection refused or lost, no SQLSTATE; admin_shutdown;
    cannot_connect_now) or a pool with no free connection: retryable, so 503, not 500."""
    import psycopg

    def wrapped(cause):
        try:
            raise OperationalError(str(cause)) from cause
        except OperationalError as exc:
            return exc

    assert overload.database_busy(wrapped(psycopg.OperationalError("connection refused")))
    assert overload.database_busy(wrapped(psycopg.errors.AdminShutdown("terminating")))
    assert overload.database_busy(wrapped(psycopg.errors.CannotConnectNow("starting up")))
    try:
        from psycopg_pool import PoolTimeout  # psycopg[pool]: DATABASE_POOL_SIZE
    except ImportError:
        pass
    else:
        assert overload.database_busy(wrapped(PoolTimeout("couldn't get a connection")))
    assert not overload.database_busy(wrapped(psycopg.errors.UndefinedTable("no table x")))


@pytest.fixture
def open_campaign(world):
    """A campaign in voting with two registered candidates and the world's members on the roll."""
    scope = Scope(world.secretary)
    campaign = services.create_campaign(
        scope,
        data={
            "encrypted": False,
            "slug": "overload-test",
            "title": "Overload test",
            "kind": Campaign.Kind.PERSONNEL_RESERVE,
            "branch": world.district,
            "choose_up_to": 1,
            "reference_date": dt.date(2026, 6, 1),
        },
    )
    services.advance(scope, campaign)
    for member in world.members[1:]:
        services.nominate(scope, campaign, member, nomination=Candidate.Nomination.SELF)
    services.advance(scope, campaign)
    for candidate in campaign.candidates.all():
        services.set_candidate_status(scope, candidate, status=Candidate.Status.REGISTERED)
    services.advance(scope, campaign)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.VOTING
    return campaign


def test_a_refused_ballot_writes_nothing_and_an_acknowledged_one_is_stored(
    limit_one, world, open_campaign
):
    client = Client()
    client.force_login(world.member_user)
    held = Held(lambda: Client().get("/hold/"))

    refused = client.post("/vote/", {"choice": ["c1"]}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 503 and refused["Retry-After"] == "7"
    assert not Participation.objects.filter(campaign=open_campaign).exists()
    assert not PendingBallot.objects.filter(campaign=open_campaign).exists()

    held.release()
    accepted = client.post("/vote/", {"choice": ["c1"]})
    assert accepted.status_code == 200
    tracker = json.loads(accepted.content)["tracker"]
    # Acknowledged means stored: the participation and the ballot with that tracker exist.
    assert Participation.objects.filter(campaign=open_campaign, member=world.members[0]).exists()
    assert PendingBallot.objects.filter(campaign=open_campaign, tracker=tracker).exists()
    assert services.seal(open_campaign).batch_size == 1
