"""Query counts (and in-process time) of pages, signed in as the bench administrator, through
Django's test client against the benchmark database. Arguments: the user name and a JSON object
{path: [regular expressions the page must hold]}. Prints JSON {path: {...}}; "problem" says
when the response is not the page (a redirect, an error, a page without its content)."""

import json
import os
import re
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
for path, markers in json.loads(sys.argv[2]).items():
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(path)
        seconds = time.perf_counter() - started
    body = response.content.decode(errors="replace")
    problem = ""
    if response.status_code != 200:
        problem = f"HTTP {response.status_code} {response.get('Location', '')}".strip()
    elif missing := [m for m in markers if not re.search(m, body)]:
        problem = f"HTTP 200 without {missing}"
    out[path] = {
        "status": response.status_code,
        "problem": problem,
        "queries": len(queries),
        "query_ms": round(sum(float(q["time"]) for q in queries.captured_queries) * 1000, 1),
        "slowest_query_ms": round(
            max((float(q["time"]) for q in queries.captured_queries), default=0) * 1000, 1
        ),
        "in_process_ms": round(seconds * 1000, 1),
        "bytes": len(response.content),
    }
print(json.dumps(out))
