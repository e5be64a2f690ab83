"""review: the POO leader's review page (the roll of a 500-member POO in a region-wide review of
members), p50/p95 through the real server with the production settings, and its queries.

Its own database (`ctx.extra_database("review")`): 200,000 members in POOs of 250 and one POO
of 500, a review of the whole region opened by the real `open_review` (200,000 items), half of
the leader's POO answered by the real `answer_item`. Target (issue 15): < 150 ms p95."""

from __future__ import annotations

import functools
import json
from urllib.parse import quote

import common

NAME = "review"
ORDER = 65
TARGET_P95_MS = 150
LEADER = ("bench-leader", "bastau-bench-leader")


def run(ctx) -> dict:
    import httpx

    members, poo_size = (3_000, 500) if ctx.smoke else (200_000, 500)
    ctx.collectstatic()  # the production storage needs its manifest
    url = ctx.extra_database("review")
    env = ctx.env_for(url)
    setup = ctx.run(
        ctx.python,
        str(ctx.root / "bench/tools/review_setup.py"),
        str(members),
        str(poo_size),
        *LEADER,
        env=env,
        timeout=3600,
    )
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    ctx.log(f"review data: {data}")
    base_path = f"/members/reviews/{data['review']}/poo/{data['leader_poo']}/"
    targets = {
        "roll, first page": base_path,
        "roll, page 20 (the last)": base_path + "?page=20",
        "roll, not answered only": base_path + "?todo=1",
        "roll, name search": base_path + "?q=" + quote("Ахметов Айгүл"),
        "review progress (leader)": f"/members/reviews/{data['review']}/",
    }
    marker = 'id="roll"'
    counted = json.loads(
        ctx.run(
            ctx.python,
            str(ctx.root / "bench/tools/page_queries.py"),
            LEADER[0],
            json.dumps(
                {p: ([marker] if "/poo/" in p else ["review-overall"]) for p in targets.values()}
            ),
            env=env,
            timeout=600,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    n, warmup = (3, 1) if ctx.smoke else (60, 5)
    figures: dict = {"data": data, "requests_per_page": n, "pages": {}}
    server = ctx.server(workers=2, threads=4, extra_env={"DATABASE_URL": env["DATABASE_URL"]})
    with server as base, httpx.Client(timeout=120, follow_redirects=False) as client:
        common.login(client, base, *LEADER)
        for label, path in targets.items():
            expected = marker if "/poo/" in path else "review-overall"
            timed = common.time_requests(
                functools.partial(client.get, base + path),
                n=n,
                warmup=warmup,
                problem_of=functools.partial(_not_the_page, expected=expected),
            )
            wrong = sum(timed.wrong.values())
            entry = {"path": path, **common.summary_ms(timed.times), **counted[path]}
            entry["statuses"] = {str(k): v for k, v in timed.statuses.items()}
            entry["errors"] = wrong
            if ctx.smoke and wrong:
                raise RuntimeError(f"{path}: {wrong} responses were not the page")
            entry["met"] = None if ctx.smoke else entry["p95_ms"] < TARGET_P95_MS and not wrong
            figures["pages"][label] = entry
            ctx.log(
                f"{label:32} p50 {entry['p50_ms']:>7} ms  p95 {entry['p95_ms']:>7} ms  "
                f"{entry['queries']} queries ({entry['query_ms']} ms in SQL)  "
                f"HTTP {entry['statuses']}"
            )
    worst = max(figures["pages"].values(), key=lambda e: e["p95_ms"])
    figures["target"] = {
        "figure": "worst review page p95 (ms), 500-member POO",
        "target": f"< {TARGET_P95_MS} ms" if not ctx.smoke else "none (smoke)",
        "measured": worst["p95_ms"],
        "met": None if ctx.smoke else worst["p95_ms"] < TARGET_P95_MS and not worst["errors"],
    }
    return figures


def _not_the_page(response, *, expected: str) -> str | None:
    if response.status_code == 200 and expected in response.text:
        return None
    return "not the page"
