"""Load over several app nodes, as a proxy with fail-over spreads it (bench/b_nodes.py).

Casting as bench/loadgen.py casts (its `cast` and `Recorder`), each member's cast sent to the
next node in turn; a transport error (the node is gone) marks that node down for a few seconds
and the retry goes to another, as nginx does with max_fails/fail_timeout. Beside it, readers
fetch the public board page from every node in turn (reads the replica answers).

    python bench/nodes_load.py --base http://127.0.0.1:A --base http://127.0.0.1:B \
        --setup cast.json --concurrency 16 --duration 30 --out result.json --trackers acked.txt
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
from collections import Counter
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen  # noqa: E402

DOWN_SECONDS = 3.0


class Options(argparse.Namespace):
    """loadgen.cast's options for one node; options it does not know about are None."""

    def __getattr__(self, name):
        return None


async def main_async(args) -> dict:
    setup = json.loads(Path(args.setup).read_text())
    sessions, choices = setup["sessions"], setup["choices"]
    slug = setup["slug"]
    nodes = []
    for base in args.base:
        opts = Options(scheme="http", url=f"{base}/primaries/{slug}/vote/", list=setup.get("list"))
        nodes.append(
            {
                "base": base,
                "opts": opts,
                "host": base.split("://", 1)[1],
                "rec": loadgen.Recorder(),
                "down_until": 0.0,
                "reads": Counter(),
            }
        )
    turn = itertools.count()
    t0 = time.monotonic()
    for node in nodes:
        node["rec"].t0 = t0
    deadline = t0 + args.duration
    members = iter(range(len(sessions)))

    def pick():
        now = time.monotonic()
        up = [n for n in nodes if n["down_until"] <= now] or nodes
        return up[next(turn) % len(up)]

    timeout = aiohttp.ClientTimeout(total=args.timeout)
    connector = aiohttp.TCPConnector(limit=args.concurrency + args.readers + 4)
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:

        async def caster():
            while time.monotonic() < deadline:
                index = next(members, None)
                if index is None:
                    return
                if args.rate:
                    # Paced so that the members last the whole run: on a fast machine an
                    # unpaced load spends them all before the kill, and the failover is
                    # never exercised.
                    start_at = t0 + index / args.rate
                    if start_at > deadline:
                        return
                    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
                for _attempt in range(1 + args.retries):
                    node = pick()
                    outcome = await loadgen.cast(
                        session, node["opts"], node["rec"], index, sessions, choices, node["host"]
                    )
                    if outcome == "error":
                        node["down_until"] = time.monotonic() + DOWN_SECONDS
                    if outcome not in ("retry", "error"):
                        break
                    if time.monotonic() > deadline + 30:
                        break
                    await asyncio.sleep(0.2)

        async def reader():
            while time.monotonic() < deadline:
                node = pick()
                try:
                    async with session.get(f"{node['base']}/primaries/{slug}/board/") as resp:
                        await resp.read()
                        node["reads"][str(resp.status)] += 1
                except (aiohttp.ClientError, TimeoutError):
                    node["reads"]["error"] += 1
                    node["down_until"] = time.monotonic() + DOWN_SECONDS
                await asyncio.sleep(args.read_pause)

        await asyncio.gather(
            *(caster() for _ in range(args.concurrency)), *(reader() for _ in range(args.readers))
        )
    wall = time.monotonic() - t0
    trackers = []
    out = {"wall_s": round(wall, 2), "nodes": []}
    for node in nodes:
        summary = node["rec"].summary(wall)
        summary["board_reads"] = dict(node["reads"])
        summary["base"] = node["base"]
        out["nodes"].append(summary)
        trackers += node["rec"].trackers
    out["acknowledged"] = len(trackers)
    return out, trackers


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", action="append", required=True)
    p.add_argument("--setup", required=True)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--readers", type=int, default=2)
    p.add_argument("--read-pause", type=float, default=0.2)
    p.add_argument("--duration", type=float, default=30)
    p.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="at most this many casts started per second (0: as fast as the nodes answer)",
    )
    p.add_argument("--timeout", type=float, default=10)
    p.add_argument("--retries", type=int, default=1000)
    p.add_argument("--out", required=True)
    p.add_argument("--trackers", required=True)
    args = p.parse_args(argv)
    result, trackers = asyncio.run(main_async(args))
    Path(args.trackers).write_text("".join(f"{i} {t}\n" for i, t in trackers))
    Path(args.out).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
