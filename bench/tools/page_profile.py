"""Per render of a page: wall time, CPU time of this process and SQL time (each query), through
Django's test client with the production settings of the benchmark (run it with the bench's
environment, DATABASE_URL set to the database to read). Medians over N renders after one
warm-up; `--profile` prints a cProfile of one render (cumulative, top 40); `--explain` prints
EXPLAIN ANALYZE of each query of one render (PostgreSQL). Each render's time in Python's
cyclic garbage collector is timed too (gc.callbacks): the median and the largest, and how many
renders ran a full (generation 2) collection; `--all` prints every render.

    python bench/tools/page_profile.py [-n 10] [--profile] [--explain] [--all] PATH [PATH ...]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastau.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from bastau.accounts.models import User  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("-n", type=int, default=10)
    parser.add_argument("--user", default="bench-admin")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--all", action="store_true", help="print every render's figures")
    parser.add_argument(
        "--settle",
        action="store_true",
        help="core.startup.settle() after the warm-up, as a server process does",
    )
    args = parser.parse_args()
    collecting = {"started": 0.0, "ms": 0.0, "full": 0}

    def on_gc(phase, info):
        if phase == "start":
            collecting["started"] = time.perf_counter()
        else:
            collecting["ms"] += (time.perf_counter() - collecting["started"]) * 1000
            collecting["full"] += info["generation"] == 2

    gc.callbacks.append(on_gc)
    setup_test_environment()
    client = Client(SERVER_NAME="localhost")
    client.force_login(User.objects.get(username=args.user))
    for path in args.paths:
        client.get(path)  # warm-up
        if args.settle:  # as a server process after its first requests (core.startup)
            from bastau.core.startup import settle

            settle()
        walls, cpus, sqls, gcs, fulls = [], [], [], [], 0
        for i in range(args.n):
            collecting.update(ms=0.0, full=0)
            with CaptureQueriesContext(connection) as queries:
                wall, cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            walls.append(wall * 1000)
            cpus.append(cpu * 1000)
            sqls.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            gcs.append(collecting["ms"])
            fulls += bool(collecting["full"])
            if args.all:
                print(
                    f"  {i + 1:3}: wall {walls[-1]:.1f} ms, CPU {cpus[-1]:.1f}, SQL "
                    f"{sqls[-1]:.1f}, GC {gcs[-1]:.1f} ms{' (full)' if collecting['full'] else ''}"
                )
        print(
            f"{path}: HTTP {response.status_code} {len(response.content):,} bytes, "
            f"{len(queries)} queries; median of {args.n}: wall {statistics.median(walls):.1f} ms, "
            f"CPU {statistics.median(cpus):.1f} ms, SQL {statistics.median(sqls):.1f} ms "
            f"(min wall {min(walls):.1f}, max {max(walls):.1f}); GC median "
            f"{statistics.median(gcs):.1f} ms, max {max(gcs):.1f} ms, full collections in "
            f"{fulls} of {args.n} renders; {len(gc.get_objects()):,} objects tracked",
            flush=True,
        )
        if args.explain:
            for q in queries.captured_queries:
                print(f"--- {float(q['time']) * 1000:.1f} ms: {q['sql'][:300]}")
                if q["sql"].lstrip().upper().startswith("SELECT"):
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                        for (line,) in cursor.fetchall():
                            print("    " + line)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            client.get(path)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
