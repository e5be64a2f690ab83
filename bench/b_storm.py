"""Concurrency storm: 1,000 concurrent attempts to vote for 100 members, across the online
channel (HTTP casts to the real server, several per member, all sent at once) and the paper
channel (the commission's second entry of a single-voter paper batch, several per member, from
threads with their own PostgreSQL connections, through services.submit_paper_entry). Both
channels start at the same instant. Exactly 100 ballots must result: one per member, whatever
channel won, and no member twice. The run raises if not (after writing its figures to
results_dir/storm-failed-*.json).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import time

import castsetup

NAME = "storm"
ORDER = 63

FULL = {"members": 100, "online": 700, "paper": 300}
SMOKE = {"members": 30, "online": 210, "paper": 90}
PAPER_THREADS = 20
# The paper threads start this long after the HTTP casts are sent. With 0 the threads, one
# round trip from the database, win every member before the server (700 requests queued on
# 2 cores) reaches its first INSERT; a short head start for HTTP makes both channels win some
# members while the two still overlap (HTTP answers take seconds here).
PAPER_DELAY_S = float(os.environ.get("BENCH_STORM_PAPER_DELAY", "0.8"))


def run(ctx) -> dict:
    size = SMOKE if ctx.smoke else FULL
    run = castsetup.HttpRun(ctx, "storm")
    setup_path = run.work / "setup.json"
    n = size["members"]
    setup = castsetup.setup(
        run, members=n, slug="storm", out=setup_path, with_commission=True, poos=10
    )
    rng = random.Random(7)
    # Every member gets online and paper attempts: 7 and 3 each at full size.
    online = [i % n for i in range(size["online"])]
    paper = [setup["members"][i % n] for i in range(size["paper"])]
    rng.shuffle(online)
    rng.shuffle(paper)
    attempts_path = run.work / "online.json"
    attempts_path.write_text(json.dumps(online))
    members_path = run.work / "paper-members.json"
    members_path.write_text(json.dumps(paper))
    script = str(castsetup.ROOT / "bench" / "castsetup.py")
    batches_path = run.work / "paper-batches.json"
    t_prep = time.monotonic()
    subprocess.run(
        [
            run.python,
            script,
            "--slug",
            "storm",
            "--out",
            batches_path,
            "--paper-prep",
            members_path,
        ],
        env=run.env,
        check=True,
        cwd=castsetup.ROOT,
    )
    prep_s = time.monotonic() - t_prep
    # More slots than the overload run, so that many online casts reach the database and race
    # the paper entries (with 8 most of the 700 are refused at the door); the pool keeps the
    # connections at 2 x 20, plus the paper threads', under PostgreSQL's 100.
    extra_env = {"MAX_CONCURRENT_REQUESTS": "20", "DATABASE_POOL_SIZE": "20"}
    paper_out = run.work / "paper-race.json"
    with run.server(workers=2, threads=64, backpressure=1024, extra_env=extra_env) as base:
        start_at = time.time() + 6  # both processes connect, then wait for this instant
        race = subprocess.Popen(
            [
                run.python,
                script,
                "--slug",
                "storm",
                "--out",
                paper_out,
                "--paper-race",
                batches_path,
                "--threads",
                str(PAPER_THREADS),
                "--start-at",
                str(start_at + PAPER_DELAY_S),
            ],
            env=run.env,
            cwd=castsetup.ROOT,
        )
        http = castsetup.loadgen(
            run,
            base,
            setup_path,
            "storm",
            "--attempts",
            attempts_path,
            "--start-at",
            start_at,
            "--timeout",
            60,
        )
        if race.wait(300) != 0:
            raise RuntimeError(f"the paper race exited with {race.returncode}")
    paper_result = json.loads(paper_out.read_text())
    acked = castsetup.read_trackers(http.pop("trackers_file"))
    http.pop("acks_per_second_timeline", None)
    counts = castsetup.campaign_counts(run.database_url, "storm")
    online_members = {setup["members"][i] for i, _t in acked}
    paper_members = set(paper_result["accepted_members"])
    with castsetup.connect(run.database_url) as conn:
        by_channel = dict(
            conn.execute(
                "SELECT channel, count(*) FROM primaries_participation p "
                "JOIN primaries_campaign c ON c.id = p.campaign_id WHERE c.slug = 'storm' "
                "GROUP BY channel"
            ).fetchall()
        )
    result = {
        "members": n,
        "server": {"workers": 2, "threads": 64, **extra_env},
        "paper_threads": PAPER_THREADS,
        "paper_delay_s": PAPER_DELAY_S,
        "attempts": {"online_http": len(online), "paper_entries": len(paper)},
        "paper_prep_s": round(prep_s, 1),
        "online": {
            "status": http["status"],
            "acknowledged": len(acked),
            "already_voted_pages": http["already_voted_pages"],
            "transport_errors": http["transport_errors"],
            "latency_ms_all": http["latency_ms_all"],
            "wall_s": http["wall_s"],
        },
        "paper": paper_result["outcomes"],
        "paper_wall_s": paper_result["seconds"],
        "stored": counts,
        "participations_by_channel": by_channel,
        "members_won_online": len(online_members),
        "members_won_paper": len(paper_members),
    }
    problems = []
    if counts["participations"] != n or counts["pending"] != n:
        problems.append(f"{counts} ballots for {n} members (must be exactly {n})")
    if counts["members_with_two"]:
        problems.append(f"{counts['members_with_two']} members have two ballots")
    if online_members & paper_members:
        problems.append(
            f"members acknowledged on both channels: {sorted(online_members & paper_members)[:5]}"
        )
    if len(online_members) + len(paper_members) != n:
        problems.append(
            f"acknowledged online {len(online_members)} + accepted on paper {len(paper_members)}"
            f" != {n}"
        )
    if len(acked) != len(online_members):
        problems.append("a member got two online receipts")
    if any(k.startswith("error") for k in paper_result["outcomes"]):
        problems.append(f"paper entries failed unexpectedly: {paper_result['outcomes']}")
    result["problems"] = problems
    result["passed"] = not problems
    if problems:
        path = ctx.results_dir / f"storm-failed-{time.strftime('%Y%m%dT%H%M%S')}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2, default=str))
        raise AssertionError("; ".join(problems) + f" (figures: {path})")
    return result
