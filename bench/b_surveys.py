"""surveys: a survey's results pages (staff and public, by district, age group and sex) with
200,000 answers, p50/p95 through the real server with the production settings, and their queries.

Its own database (`ctx.extra_database("surveys")`; smoke: a copy of the run's), filled by
bench/surveys_results.py `--setup-only` (the standalone benchmark's data: a public survey of 13
districts with eight question types, the answers bulk-written, then counted once by the product's
own `services.rebuild_tally`). The pages read the tallies, not the answers. Smoke: 3,000 answers.
Target (issue 14): < 150 ms p95 for every results page."""

from __future__ import annotations

import functools
import json

import common

NAME = "surveys"
ORDER = 66
TARGET_P95_MS = 150
PASSWORD = "bastau-bench-surveys"
MARKER = 'id="respondents-chart"'


def run(ctx) -> dict:
    import httpx

    answers = 3_000 if ctx.smoke else 200_000
    ctx.collectstatic()  # the production storage needs its manifest
    # Smoke: a copy of the run's migrated database (no migrate); full: a fresh one, not a copy
    # of the national data set.
    url = ctx.extra_database("surveys", copy=ctx.smoke)
    # Counting 1.6 million answer rows once may take longer than a page's statement timeout.
    env = ctx.env_for(url, DATABASE_STATEMENT_TIMEOUT_MS="0")
    setup = ctx.run(
        ctx.python,
        str(ctx.root / "bench/surveys_results.py"),
        "--database-url",
        url,
        "--answers",
        str(answers),
        "--setup-only",
        "--password",
        PASSWORD,
        env=env,
        timeout=3 * 3600,
    )
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    ctx.log(f"survey data: {data}")
    staff = f"/surveys/{data['survey']}/results/"
    public = f"/surveys/p/{data['token']}/results/"
    targets = {}
    for by in ("district", "age", "sex"):
        targets[f"staff results, by {by}"] = (f"{staff}?by={by}", True)
        targets[f"public results, by {by}"] = (f"{public}?by={by}", False)
    counted = json.loads(
        ctx.run(
            ctx.python,
            str(ctx.root / "bench/tools/page_queries.py"),
            data["admin"],
            json.dumps({path: [MARKER] for path, _signed in targets.values()}),
            env=ctx.env_for(url),
            timeout=600,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    n, warmup = (5, 1) if ctx.smoke else (60, 5)
    figures: dict = {"data": data, "requests_per_page": n, "pages": {}}
    server = ctx.server(workers=2, threads=4, extra_env={"DATABASE_URL": url})
    with (
        server as base,
        httpx.Client(timeout=120, follow_redirects=False) as signed_in,
        httpx.Client(timeout=120, follow_redirects=False) as visitor,
    ):
        common.login(signed_in, base, data["admin"], PASSWORD)
        for label, (path, signed) in targets.items():
            client = signed_in if signed else visitor
            timed = common.time_requests(
                functools.partial(client.get, base + path),
                n=n,
                warmup=warmup,
                problem_of=_not_the_results_page,
            )
            wrong = sum(timed.wrong.values())
            entry = {"path": path, **common.summary_ms(timed.times), **counted[path]}
            entry["statuses"] = {str(k): v for k, v in timed.statuses.items()}
            entry["errors"] = wrong
            if wrong or counted[path]["problem"]:
                raise RuntimeError(f"{path}: not the results page ({counted[path]['problem']})")
            entry["met"] = None if ctx.smoke else entry["p95_ms"] < TARGET_P95_MS
            figures["pages"][label] = entry
            ctx.log(
                f"{label:28} p50 {entry['p50_ms']:>7} ms  p95 {entry['p95_ms']:>7} ms  "
                f"{entry['queries']} queries ({entry['query_ms']} ms in SQL)  "
                f"HTTP {entry['statuses']}"
            )
    worst = max(figures["pages"].values(), key=lambda e: e["p95_ms"])
    figures["target"] = {
        "figure": f"worst results page p95 (ms), {data['answers']:,} answers",
        "target": f"< {TARGET_P95_MS} ms" if not ctx.smoke else "none (smoke)",
        "measured": worst["p95_ms"],
        "met": None if ctx.smoke else worst["p95_ms"] < TARGET_P95_MS,
    }
    return figures


def _not_the_results_page(response) -> str | None:
    if response.status_code == 200 and MARKER in response.text:
        return None
    return "not the results page"
