"""Crash: under casting load, kill -9 every app worker, then restart PostgreSQL. Afterwards
every acknowledged tracker is on the board once sealed, the exported board verifies
(`bastau verify_board`), and no member has two ballots.

granian respawns the killed workers (GRANIAN_RESPAWN_FAILED_WORKERS); PostgreSQL is restarted
with `pg_ctlcluster <version> <cluster> restart -m fast` (or BENCH_PG_RESTART, a shell command),
and the run waits for `pg_isready` before going on: the database is shared, it must come back.
Requests cut by the kill or the restart fail (dropped connections, 503s): that is expected; what
must hold is that an acknowledged ballot is never lost and never doubled. The run raises when a
condition is violated, after writing its figures to results_dir/crash-failed-*.json.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import time

import castsetup

NAME = "crash"
ORDER = 62

WORKERS = 2
THREADS = 64
MAX_CONCURRENT = "8"
POOL_SIZE = "10"
FULL = {"members": 20000, "duration": 40, "concurrency": 32}
SMOKE = {"members": 3000, "duration": 14, "concurrency": 16}
# The restart hits everything using this PostgreSQL; BENCH_CRASH_PG_RESTART=0 skips it (say, a
# developer's machine running `make bench-smoke`); it is on by default, as issue #7 asks.
RESTART_PG = os.environ.get("BENCH_CRASH_PG_RESTART", "1") != "0"


def pg_restart_command() -> list[str]:
    custom = os.environ.get("BENCH_PG_RESTART")
    if custom:
        return ["sh", "-c", custom]
    listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True)
    for line in listing.stdout.splitlines():
        version, cluster, port, *_ = line.split()
        if port == "5432":
            return ["pg_ctlcluster", version, cluster, "restart", "-m", "fast"]
    raise RuntimeError("no PostgreSQL cluster on port 5432 (set BENCH_PG_RESTART)")


def wait_pg_ready(timeout: float = 60) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0:
            return time.monotonic() - started
        time.sleep(0.2)
    raise RuntimeError("PostgreSQL did not come back within 60 s")


def run(ctx) -> dict:
    size = SMOKE if ctx.smoke else FULL
    run = castsetup.HttpRun(ctx, "crash")
    setup_path = run.work / "setup.json"
    setup = castsetup.setup(run, members=size["members"], slug="crash", out=setup_path)
    extra_env = {
        "MAX_CONCURRENT_REQUESTS": MAX_CONCURRENT,
        "DATABASE_POOL_SIZE": POOL_SIZE,
        "GRANIAN_RESPAWN_FAILED_WORKERS": "true",
        "GRANIAN_RESPAWN_INTERVAL": "0.5",
    }
    events: list[dict] = []
    restart = pg_restart_command() if RESTART_PG else []
    result: dict = {"members": len(setup["members"]), "duration_s": size["duration"]}
    with run.server(
        workers=WORKERS, threads=THREADS, backpressure=1024, extra_env=extra_env
    ) as base:
        result["server_command"] = " ".join(run.server_command)
        started = castsetup.start_loadgen(
            run,
            base,
            setup_path,
            "crash",
            "--concurrency",
            size["concurrency"],
            "--duration",
            size["duration"],
            "--timeout",
            10,
            "--retries",
            1000,
        )
        t0 = time.monotonic()
        time.sleep(size["duration"] * 0.25)
        workers = run.worker_pids()
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        events.append({"t": round(time.monotonic() - t0, 1), "kill -9 workers": workers})
        time.sleep(size["duration"] * 0.3)
        events.append({"t": round(time.monotonic() - t0, 1), "respawned": run.worker_pids()})
        if RESTART_PG:
            done = subprocess.run(restart, capture_output=True, text=True)
            ready = wait_pg_ready()
            events.append(
                {
                    "t": round(time.monotonic() - t0, 1),
                    "postgresql restart": shlex.join(restart),
                    "exit": done.returncode,
                    "ready_after_s": round(ready, 1),
                    "output": (done.stdout + done.stderr).strip()[-300:],
                }
            )
        else:
            events.append({"postgresql restart": "skipped (BENCH_CRASH_PG_RESTART=0)"})
        load = castsetup.finish_loadgen(started, timeout=size["duration"] + 120)
        events.append({"t": round(time.monotonic() - t0, 1), "load finished": True})
        log_tail = ctx.last_server.log_tail(25) if hasattr(ctx, "last_server") else ""
    acked = castsetup.read_trackers(load.pop("trackers_file"))
    load.pop("acks_per_second_timeline", None)
    counts_before = castsetup.campaign_counts(run.database_url, "crash")
    board = castsetup.seal_export_verify(run, "crash")
    counts = castsetup.campaign_counts(run.database_url, "crash")
    on_board = board.pop("trackers")
    missing = [t for _i, t in acked if t not in on_board]
    result.update(
        {
            "events": events,
            "load": load,
            "acknowledged": len(acked),
            "stored_before_sealing": counts_before,
            "stored_after_sealing": counts,
            "board": board,
            "acknowledged_missing_from_board": len(missing),
            "stored_without_receipt": counts["participations"] - len(acked),
            "postgresql_ready_at_end": wait_pg_ready(5) >= 0,
            "server_log_tail": log_tail[-2000:],
        }
    )
    problems = []
    if missing:
        problems.append(f"{len(missing)} acknowledged trackers are not on the board: {missing[:3]}")
    if board["verify_exit"] != 0:
        problems.append(f"verify_board failed: {board['verify_output']}")
    if counts["members_with_two"]:
        problems.append(f"{counts['members_with_two']} members have two ballots")
    if counts["sealed"] != counts["participations"] or counts["pending"]:
        problems.append(f"ballots {counts} do not match the participations")
    if board["board_ballots"] != counts["sealed"]:
        problems.append(f"board has {board['board_ballots']} ballots, database {counts['sealed']}")
    if not any("kill -9 workers" in e and e["kill -9 workers"] for e in events):
        problems.append("no worker was found to kill")
    if len(acked) == 0:
        problems.append("no ballot was acknowledged")
    result["problems"] = problems
    result["passed"] = not problems
    if problems:
        path = ctx.results_dir / f"crash-failed-{time.strftime('%Y%m%dT%H%M%S')}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2, default=str))
        raise AssertionError("; ".join(problems) + f" (figures: {path})")
    return result
