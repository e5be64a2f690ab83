"""The API list requests of bench/b_api.py, prepared against the benchmark database, with the
query count of each (Django's test client, in process). Argument: the campaign slug.

Makes one read-only API token for the regional administrator (`bench-admin`) and one for the
district secretary (`bench-secretary`, whose scope is one district: the scope filter the API
applies), finds positions deep in each list through the apps' own scoped querysets (the row in
the middle and near the end, in the id order the cursor follows) and writes cursors for them
with the API's own `encode_cursor`. Prints one JSON object: {"targets": {label: {...}}}, each
with the path, whose token, the id the page must start after, and the query count, SQL time
and status of one request ("problem" says when the answer is not a page of the list)."""

import datetime as dt
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
from bastau.accounts.scoping import scope_for  # noqa: E402
from bastau.api.pagination import encode_cursor  # noqa: E402
from bastau.api.tokens import create_token  # noqa: E402
from bastau.demo.scale import ADMIN_USERNAME, SECRETARY_USERNAME  # noqa: E402
from bastau.members import permissions as members_perms  # noqa: E402
from bastau.reception import permissions as reception_perms  # noqa: E402

slug = sys.argv[1]
now = dt.datetime.now(dt.UTC)
tokens, ids = {}, {}
for who, username in (("admin", ADMIN_USERNAME), ("secretary", SECRETARY_USERNAME)):
    user = User.objects.get(username=username)
    _token, raw = create_token(
        user,
        name=f"bench api {now:%Y-%m-%dT%H:%M:%S}",
        access="read",
        apps=["members", "reception", "primaries"],
        days=1,
        language="kk",
        now=now,
    )
    tokens[who] = raw
    scope = scope_for(user)
    ids[who] = {
        "members": members_perms.members(scope),
        "appeals": reception_perms.appeals(scope),
    }


def positions(qs) -> dict:
    """The number of rows and the ids after which the middle page and the last page start."""
    pks = qs.order_by("pk").values_list("pk", flat=True)
    n = pks.count()
    return {
        "rows": n,
        "middle": pks[n // 2 - 1] if n >= 2 else None,
        "near_end": pks[max(0, n - 11)] if n >= 12 else None,
    }


LISTS = {"members": "/api/v1/members", "appeals": "/api/v1/reception/appeals"}
targets, rows = {}, {}
for who in ("admin", "secretary"):
    for name, path in LISTS.items():
        where = positions(ids[who][name])
        rows[f"{name} ({who})"] = where["rows"]
        tag = f"{name}, {'regional administrator' if who == 'admin' else 'district secretary'}"
        targets[f"{tag}: first page"] = {"path": path, "who": who, "after": None}
        if where["middle"] is not None:
            targets[f"{tag}: middle (row {where['rows'] // 2:,} of {where['rows']:,})"] = {
                "path": f"{path}?cursor={encode_cursor(where['middle'])}",
                "who": who,
                "after": where["middle"],
            }
        if where["near_end"] is not None and who == "admin":
            targets[f"{tag}: last page"] = {
                "path": f"{path}?cursor={encode_cursor(where['near_end'])}",
                "who": who,
                "after": where["near_end"],
            }
    if who == "admin":
        targets["members, regional administrator: first page of 500"] = {
            "path": "/api/v1/members?limit=500",
            "who": who,
            "after": None,
        }
targets["candidates of the national campaign: first page"] = {
    "path": f"/api/v1/primaries/campaigns/{slug}/candidates",
    "who": "admin",
    "after": None,
}

setup_test_environment()
client = Client(SERVER_NAME="localhost")
for target in targets.values():
    headers = {"Authorization": f"Bearer {tokens[target['who']]}"}
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(target["path"], headers=headers)
        seconds = time.perf_counter() - started
    problem = ""
    if response.status_code != 200:
        problem = f"HTTP {response.status_code}: {response.content[:200]!r}"
    else:
        items = response.json().get("items") or []
        if not items:
            problem = "HTTP 200 without items"
        elif target["after"] is not None and items[0]["id"] <= target["after"]:
            problem = f"the page starts at id {items[0]['id']}, not after {target['after']}"
    target.update(
        status=response.status_code,
        problem=problem,
        queries=len(queries),
        query_ms=round(sum(float(q["time"]) for q in queries.captured_queries) * 1000, 1),
        slowest_query_ms=round(
            max((float(q["time"]) for q in queries.captured_queries), default=0) * 1000, 1
        ),
        in_process_ms=round(seconds * 1000, 1),
        sql=[q["sql"][-500:] for q in queries.captured_queries if "LIMIT" in q["sql"]][-1:],
    )
print(json.dumps({"targets": targets, "tokens": tokens, "rows": rows}))
