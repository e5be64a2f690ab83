"""What an app process does once, after loading Bastau and before its first request.

`settle()` imports what every request uses (the URLconf and every view module it names, the
template engines), then moves every object alive to the garbage collector's permanent
generation (`gc.freeze`). A full collection (generation 2) otherwise walks all of them: ~210,000
objects of Django and Bastau, 240 ms a time on the benchmark machine, run every ~10 renders of
a busy page (a collection starts when enough new objects have outlived younger collections),
so one request in ten took 2-5 times the others (the campaign results' p95 twice their p50).
Frozen objects are never collected: they live as long as the process anyway. Called by
wsgi.py and asgi.py; the test client and commands do not call it."""

from __future__ import annotations

import gc


def settle() -> None:
    from django.template import engines
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view module
    engines.all()
    gc.collect()
    gc.freeze()
