"""Two app nodes on a primary and a real streaming replica; one node is killed under casting
load. The other keeps serving (casts and public board pages), and every acknowledged ballot is
on the board: on the primary's exported record (verified by `bastau verify_board`) and on the
board the surviving node serves from the replica.

The replica is tools/replica.sh's (pg_basebackup -R of the machine's PostgreSQL, a hot standby
on port 5433), started for this run and removed after. Both nodes are granian processes with
DATABASE_REPLICA_URL set; bench/nodes_load.py spreads the casts over both and fails over as a
proxy would. The run raises when a condition is violated.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.request

import castsetup
import common

NAME = "nodes"
ORDER = 64

FULL = {"members": 20000, "duration": 40, "concurrency": 32}
SMOKE = {"members": 2000, "duration": 14, "concurrency": 12}
REPLICA_PORT = os.environ.get("BENCH_REPLICA_PORT", "5433")


def _replica_url(primary_url: str) -> str:
    base, _, name = primary_url.rpartition("/")
    host = base.rsplit(":", 1)[0]
    return f"{host}:{REPLICA_PORT}/{name}"


def _lsn_caught_up(primary_url: str, replica_url: str, timeout: float = 120) -> float:
    with castsetup.connect(primary_url) as conn:
        lsn = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()[0]
    started = time.monotonic()
    with castsetup.connect(replica_url) as conn:
        while time.monotonic() - started < timeout:
            row = conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()
            if row[0]:
                return time.monotonic() - started
            time.sleep(0.05)
    raise RuntimeError(f"the replica did not replay {lsn} within {timeout:.0f} s")


def _replica_transactions(replica_url: str) -> int:
    with castsetup.connect(replica_url) as conn:
        return conn.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database "
            "WHERE datname = current_database()"
        ).fetchone()[0]


def run(ctx) -> dict:
    size = SMOKE if ctx.smoke else FULL
    run = castsetup.HttpRun(ctx, "nodes")
    setup_path = run.work / "setup.json"
    setup = castsetup.setup(run, members=size["members"], slug="nodes", out=setup_path)
    script = str(ctx.root / "tools" / "replica.sh")
    t_replica = time.monotonic()
    started = subprocess.run(
        [script, "start"], capture_output=True, text=True, cwd=ctx.root, env={**os.environ}
    )
    if started.returncode != 0:
        raise RuntimeError(f"tools/replica.sh start failed: {started.stderr[-1500:]}")
    replica_dir = started.stdout.strip().splitlines()[-1]
    result: dict = {
        "members": len(setup["members"]),
        "duration_s": size["duration"],
        "replica_start_s": round(time.monotonic() - t_replica, 1),
    }
    try:
        replica_url = _replica_url(run.database_url)
        result["replica_caught_up_s"] = round(_lsn_caught_up(run.database_url, replica_url), 2)
        ctx.collectstatic()
        extra = {
            "DATABASE_REPLICA_URL": replica_url,
            "DATABASE_URL": run.database_url,
            "MAX_CONCURRENT_REQUESTS": "8",
            "DATABASE_POOL_SIZE": "8",
        }
        reads_before = _replica_transactions(replica_url)
        events = []
        with contextlib.ExitStack() as stack:
            nodes = [
                stack.enter_context(
                    common.start_server(
                        ctx.python,
                        run.env,
                        ctx.work_dir / "logs",
                        workers=1,
                        threads=32,
                        backpressure=1024,
                        extra_env=extra,
                    )
                )
                for _ in range(2)
            ]
            out, trackers = run.work / "nodes.json", run.work / "nodes.trackers"
            cmd = [ctx.python, str(ctx.root / "bench" / "nodes_load.py")]
            for node in nodes:
                cmd += ["--base", node.url]
            cmd += ["--setup", str(setup_path), "--out", str(out), "--trackers", str(trackers)]
            cmd += ["--concurrency", str(size["concurrency"]), "--duration", str(size["duration"])]
            # Paced to spend the members over the whole run (with a tenth to spare), so that
            # the surviving node still has voters after the kill however fast the machine is.
            cmd += ["--rate", f"{len(setup['members']) / (size['duration'] * 0.9):.1f}"]
            load = subprocess.Popen(cmd, cwd=ctx.root)
            t0 = time.monotonic()
            time.sleep(size["duration"] * 0.4)
            victim = nodes[0]
            os.killpg(victim.process.pid, signal.SIGKILL)
            victim.process.wait()
            events.append({"t": round(time.monotonic() - t0, 1), "kill -9 node": victim.url})
            if load.wait(size["duration"] + 180) != 0:
                raise RuntimeError(f"nodes_load exited with {load.returncode}")
            events.append({"t": round(time.monotonic() - t0, 1), "load finished": True})
            figures = json.loads(out.read_text())
            acked = castsetup.read_trackers(trackers)
            # Seal on the primary, then read the board through the surviving node: the
            # board's JSON record is a replica read.
            board = castsetup.seal_export_verify(run, "nodes")
            result["replica_caught_up_after_sealing_s"] = round(
                _lsn_caught_up(run.database_url, replica_url), 2
            )
            survivor = nodes[1]
            with urllib.request.urlopen(f"{survivor.url}/primaries/nodes/board.json") as resp:
                served = json.loads(resp.read())
            reads_after = _replica_transactions(replica_url)
        counts = castsetup.campaign_counts(run.database_url, "nodes")
    finally:
        subprocess.run([script, "stop", replica_dir], capture_output=True, cwd=ctx.root)
    on_board = board.pop("trackers")
    served_trackers = {b["tracker"] for b in served["ballots"]}
    missing = [t for _i, t in acked if t not in on_board]
    missing_served = [t for _i, t in acked if t not in served_trackers]
    victim_fig, survivor_fig = figures["nodes"]
    kill_second = int(events[0]["t"])
    after_kill = sum(survivor_fig["acks_per_second_timeline"][kill_second + 1 :])
    for fig in figures["nodes"]:
        fig.pop("acks_per_second_timeline", None)
    result.update(
        {
            "events": events,
            "load": figures,
            "acknowledged": len(acked),
            "survivor_acks_after_kill": after_kill,
            "stored": counts,
            "board": board,
            "acknowledged_missing_from_board": len(missing),
            "acknowledged_missing_from_replica_board": len(missing_served),
            "replica_transactions_during_run": reads_after - reads_before,
        }
    )
    problems = []
    if missing:
        problems.append(f"{len(missing)} acknowledged trackers are not on the board")
    if missing_served:
        problems.append(f"{len(missing_served)} acknowledged trackers missing on the replica")
    if board["verify_exit"] != 0:
        problems.append(f"verify_board failed: {board['verify_output']}")
    if counts["members_with_two"]:
        problems.append(f"{counts['members_with_two']} members have two ballots")
    if counts["participations"] != len(acked):
        # a cast cut by the kill may be stored without its receipt reaching the client
        result["stored_without_receipt"] = counts["participations"] - len(acked)
    if after_kill == 0:
        problems.append("the surviving node acknowledged nothing after the kill")
    if survivor_fig["board_reads"].get("200", 0) == 0:
        problems.append("the surviving node served no board page")
    if reads_after - reads_before <= 0:
        problems.append("the replica answered no transaction")
    if not acked:
        problems.append("no ballot was acknowledged")
    result["problems"] = problems
    result["passed"] = not problems
    if problems:
        path = ctx.results_dir / f"nodes-failed-{time.strftime('%Y%m%dT%H%M%S')}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2, default=str))
        raise AssertionError("; ".join(problems) + f" (figures: {path})")
    return result
