"""api: p50/p95 latency (real server, production settings) and query counts of the API's large
lists (members, appeals) at national size: the first page, a page reached by a cursor in the
middle of the list and at its end, the same for a district secretary (the scope filter), and a
walk that follows next_cursor page after page from the middle."""

from __future__ import annotations

import functools
import json
import re
import time
from collections import Counter

import common

NAME = "api"
ORDER = 62
#: The API's tokens are rate-limited (API_RATE_LIMIT, 600/min by default); the benchmark
#: measures the lists, not the limiter.
SERVER_ENV = {"API_RATE_LIMIT": "1000000/min"}
CURSOR = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def _check(response, after: int | None) -> tuple[str, dict | None]:
    """An empty string and the body if the response is a page of the list, else what is wrong."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}", None
    try:
        body = response.json()
    except ValueError:
        return "HTTP 200 without JSON", None
    items = body.get("items") or []
    if not items:
        return "HTTP 200 without items", body
    ids = [item["id"] for item in items]
    if ids != sorted(set(ids)):
        return "ids not strictly increasing", body
    if after is not None and ids[0] <= after:
        return f"starts at id {ids[0]}, not after {after}", body
    cursor = body.get("next_cursor")
    if cursor is not None and not CURSOR.match(cursor):
        return f"next_cursor {cursor!r} is not a cursor", body
    return "", body


def _walk(client, base: str, headers: dict, path: str, after: int, pages: int) -> dict:
    """Follow next_cursor `pages` times from `path`: each page timed, and each must start after
    the last id of the page before (no row twice, none skipped between pages)."""
    times, problems, last, url = [], Counter(), after, path
    for _ in range(pages):
        started = time.perf_counter()
        response = client.get(base + url, headers=headers)
        times.append(time.perf_counter() - started)
        problem, body = _check(response, last)
        if problem:
            problems[problem] += 1
            break
        last = body["items"][-1]["id"]
        if not body.get("next_cursor"):
            break
        url = f"{path.split('?')[0]}?cursor={body['next_cursor']}"
    return {"pages": len(times), **common.summary_ms(times), "wrong": dict(problems)}


def run(ctx) -> dict:
    import httpx

    ctx.ensure_data()
    ctx.collectstatic()
    prepared = ctx.run(
        ctx.python,
        str(ctx.root / "bench/tools/api_targets.py"),
        ctx.campaign_slug,
        env=ctx.env_for(**SERVER_ENV),
        timeout=1800,
    )
    data = json.loads(prepared.stdout.strip().splitlines()[-1])
    targets, tokens = data["targets"], data["tokens"]
    n, warmup = (2, 1) if ctx.smoke else (40, 3)
    walk_pages = 3 if ctx.smoke else 50
    figures: dict = {
        "requests_per_list": n,
        "warmup_per_list": warmup,
        "rows_in_scope": data["rows"],
        "page_size": 50,
        "filters": (
            "the API's list endpoints take no filter parameters (cursor and limit only); the "
            "filtered lists are those of the district secretary, whose scope the API applies"
        ),
        "lists": {},
    }
    with ctx.server(workers=2, threads=4, extra_env=SERVER_ENV) as base:
        figures["server"] = " ".join(ctx.last_server.command[1:])
        with httpx.Client(timeout=120, follow_redirects=False) as client:
            for label, target in targets.items():
                headers = {"Authorization": f"Bearer {tokens[target['who']]}"}
                timed = common.time_requests(
                    functools.partial(client.get, base + target["path"], headers=headers),
                    n=n,
                    warmup=warmup,
                    problem_of=lambda response, after=target["after"]: _check(response, after)[0],
                )
                times, statuses, wrong = timed.times, timed.statuses, timed.wrong
                response = timed.last
                entry = {
                    "path": re.sub(r"cursor=[^&]+", "cursor=…", target["path"]),
                    "who": target["who"],
                    **common.summary_ms(times),
                    "queries": target["queries"],
                    "query_ms": target["query_ms"],
                    "slowest_query_ms": target["slowest_query_ms"],
                    "statuses": {str(k): v for k, v in sorted(statuses.items())},
                    "bytes": len(response.content),
                    "wrong": dict(wrong),
                    "errors": sum(wrong.values()) + (1 if target["problem"] else 0),
                    "list_sql": target["sql"],
                }
                if ctx.smoke and entry["errors"]:
                    raise RuntimeError(f"{label}: {dict(wrong)} {target['problem']}")
                figures["lists"][label] = entry
                ctx.log(
                    f"{label:62} p50 {entry['p50_ms']:>7} ms  p95 {entry['p95_ms']:>7} ms  "
                    f"{entry['queries']} queries ({entry['query_ms']} ms in SQL)  "
                    f"HTTP {entry['statuses']}" + (f"  NOT A PAGE: {dict(wrong)}" if wrong else "")
                )
            walks = {}
            for label, target in targets.items():
                if "middle" not in label:
                    continue
                headers = {"Authorization": f"Bearer {tokens[target['who']]}"}
                walk = _walk(client, base, headers, target["path"], target["after"], walk_pages)
                walks[label] = walk
                ctx.log(
                    f"walk from {label:52} {walk['pages']} pages  p50 {walk['p50_ms']} ms  "
                    f"p95 {walk['p95_ms']} ms"
                    + (f"  WRONG: {walk['wrong']}" if walk["wrong"] else "")
                )
                if ctx.smoke and walk["wrong"]:
                    raise RuntimeError(f"walk from {label}: {walk['wrong']}")
            figures["walks_from_the_middle"] = walks
    errors = sum(e["errors"] for e in figures["lists"].values()) + sum(
        sum(w["wrong"].values()) for w in figures["walks_from_the_middle"].values()
    )
    worst = max(figures["lists"].values(), key=lambda e: e["p95_ms"])
    first = figures["lists"].get("members, regional administrator: first page", {})
    middle = next(
        (
            e
            for k, e in figures["lists"].items()
            if k.startswith("members, regional administrator: middle")
        ),
        {},
    )
    figures["summary"] = {
        "worst_p95_ms": worst["p95_ms"],
        "members_first_page_p95_ms": first.get("p95_ms"),
        "members_middle_page_p95_ms": middle.get("p95_ms"),
        "errors": errors,
        "note": "no target is set for the API; the figures are recorded, not judged"
        + (" (smoke: toy size)" if ctx.smoke else ""),
    }
    return figures
