"""Overload: three times the saturating casting rate, open loop. Every answer must be the
acknowledged cast (302 to the receipt, the ballot's "2xx") or 503 with Retry-After; never a 500,
never a dropped connection or a client timeout; afterwards, ballots stored = receipts
acknowledged (a refused request wrote nothing, an acknowledged one is stored).

The saturating rate is measured first in the same run (closed loop, many clients: the ballots
per second the server sustains), then the load generator starts 3x that many casts a second,
each for a new member, whatever the answers. The server runs as docs/deploy.md recommends for
overload: more granian threads than MAX_CONCURRENT_REQUESTS, so that refusals can be made.
The run fails (raises) when a condition is violated, after writing its figures to
results_dir/overload-failed-*.json.
"""

from __future__ import annotations

import json
import os
import time

import castsetup

NAME = "overload"
ORDER = 61

WORKERS = 2
# Many more threads than slots: every request reaches Python at once, where the excess is
# refused in microseconds; the pool bounds the database connections (not one per thread).
THREADS = int(os.environ.get("BENCH_OVERLOAD_THREADS", "64"))
MAX_CONCURRENT = os.environ.get("BENCH_OVERLOAD_MAX_CONCURRENT", "8")
POOL_SIZE = os.environ.get("BENCH_OVERLOAD_POOL_SIZE", "10")
BACKPRESSURE = 1024
FULL = {"members": 40000, "saturate_s": 8, "overload_s": 20, "concurrency": 64}
SMOKE = {"members": 900, "saturate_s": 2, "overload_s": 3, "concurrency": 16}
FACTOR = 3


def run(ctx) -> dict:
    size = SMOKE if ctx.smoke else FULL
    run = castsetup.HttpRun(ctx, "overload")
    setup_path = run.work / "setup.json"
    setup = castsetup.setup(run, members=size["members"], slug="overload", out=setup_path)
    members = len(setup["members"])
    extra_env = {"MAX_CONCURRENT_REQUESTS": MAX_CONCURRENT, "DATABASE_POOL_SIZE": POOL_SIZE}
    result: dict = {
        "members": members,
        "server": {
            "workers": WORKERS,
            "threads": THREADS,
            "backpressure": BACKPRESSURE,
            "MAX_CONCURRENT_REQUESTS": MAX_CONCURRENT,
            "DATABASE_POOL_SIZE": POOL_SIZE,
            "OVERLOAD_QUEUE_TIMEOUT": ctx.env.get("OVERLOAD_QUEUE_TIMEOUT", "2 (default)"),
        },
    }
    with run.server(
        workers=WORKERS, threads=THREADS, backpressure=BACKPRESSURE, extra_env=extra_env
    ) as base:
        result["server"]["command"] = " ".join(run.server_command)
        sat = castsetup.loadgen(
            run,
            base,
            setup_path,
            "saturate",
            "--concurrency",
            size["concurrency"],
            "--duration",
            size["saturate_s"],
        )
        used = sat["started"]
        rate = max(1.0, sat["ballots_per_s"] or 1.0)
        target = FACTOR * rate
        # Every cast is for a new member; stop early rather than run out of them.
        duration = min(size["overload_s"], (members - used - 40) / target)
        time.sleep(1)
        over = castsetup.loadgen(
            run,
            base,
            setup_path,
            "overload",
            "--rate",
            round(target, 1),
            "--duration",
            round(duration, 2),
            "--first",
            used,
            "--timeout",
            30,
            "--max-inflight",
            5000,
        )
        # The server still answers normally afterwards.
        after = castsetup.loadgen(
            run,
            base,
            setup_path,
            "after",
            "--concurrency",
            4,
            "--count",
            20,
            "--first",
            used + over["started"],
        )
        log_tail = ctx.last_server.log_tail(10) if hasattr(ctx, "last_server") else ""
    acked = sum(len(castsetup.read_trackers(r.pop("trackers_file"))) for r in (sat, over, after))
    counts = castsetup.campaign_counts(run.database_url, "overload")
    for r in (sat, over, after):
        r.pop("acks_per_second_timeline", None)
    result.update(
        {
            "saturating_rate_ballots_per_s": rate,
            "saturate": sat,
            "offered_rate_per_s": round(target, 1),
            "overload_s": round(duration, 2),
            "overload": over,
            "after_overload": {k: after[k] for k in ("status", "acknowledged", "wall_s")},
            "stored": counts,
            "acknowledged_total": acked,
            "server_log_tail": log_tail[-1500:],
        }
    )
    statuses = {int(k) for k in over["status"]}
    problems = []
    if statuses - {302, 503}:
        problems.append(f"answers other than the cast's 302 or 503: {over['status']}")
    if over["http_503_without_retry_after"]:
        problems.append(f"{over['http_503_without_retry_after']} 503s without Retry-After")
    if over["transport_errors"]:
        problems.append(f"dropped connections or timeouts: {over['transport_errors']}")
    if counts["participations"] != acked or counts["pending"] != acked:
        problems.append(f"stored {counts} != acknowledged {acked}")
    if after["acknowledged"] != 20:
        problems.append(f"after the overload the server acknowledged {after['acknowledged']}/20")
    result["problems"] = problems
    result["passed"] = not problems
    if problems:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        path = ctx.results_dir / f"overload-failed-{stamp}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2, default=str))
        raise AssertionError("; ".join(problems) + f" (figures: {path})")
    return result
