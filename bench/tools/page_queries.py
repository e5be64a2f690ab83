"""Query counts (and in-process time) of pages, signed in as the bench administrator, through
Django's test client against the benchmark database. Prints JSON {path: {...}}."""

import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastau.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from bastau.accounts.models import User  # noqa: E402

setup_test_environment()
client = Client(SERVER_NAME="localhost")
client.force_login(User.objects.get(username=sys.argv[1]))
out = {}
for path in sys.argv[2:]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(path)
        seconds = time.perf_counter() - started
    out[path] = {
        "status": response.status_code,
        "queries": len(queries),
        "query_ms": round(sum(float(q["time"]) for q in queries.captured_queries) * 1000, 1),
        "slowest_query_ms": round(
            max((float(q["time"]) for q in queries.captured_queries), default=0) * 1000, 1
        ),
        "in_process_ms": round(seconds * 1000, 1),
        "bytes": len(response.content),
    }
print(json.dumps(out))
