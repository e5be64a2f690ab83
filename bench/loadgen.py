"""Load generator for the casting benchmarks: a separate process, asyncio + aiohttp.

Each request is the final POST of the voting form (step=confirm) for one member, with that
member's session cookie: the request that casts the ballot. A ballot counts as acknowledged when
the answer is the redirect to the receipt carrying the signed receipt cookie; the tracker is read
from that cookie (the value is signed, not encrypted), so the receipt page is not fetched.

    python bench/loadgen.py --base http://127.0.0.1:8000 --setup cast.json \
        --concurrency 64 --count 20000 --out result.json --trackers acked.txt

Modes:
  closed loop (default)  --concurrency C workers, each casting for the next member, --count
                         members (or --duration seconds).
  open loop              --rate R: R new casts a second whatever the answers (overload runs),
                         for --duration seconds; --max-inflight bounds what the client holds.
  storm                  --attempts FILE: a JSON list of member indexes (repeats allowed), all
                         started at once after the connections are open.

Output: one JSON document (stdout, or --out) with counts by status, 503s with and without
Retry-After, transport errors by kind (dropped connections, timeouts), latency percentiles,
acknowledged ballots and ballots per second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import string
import sys
import time
from collections import Counter
from pathlib import Path

import aiohttp

TRACKER = re.compile(r"bastau_receipt=\"?[^;]*?([0-9a-f]{64})")
CSRF = "".join(random.choice(string.ascii_letters + string.digits) for _ in range(32))


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    rank = max(1, int(-(-q * len(sorted_values) // 100)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


class Recorder:
    def __init__(self):
        self.status = Counter()
        self.errors = Counter()
        self.latencies: list[float] = []
        self.ack_latencies: list[float] = []
        self.trackers: list[tuple[int, str]] = []
        self.no_retry_after = 0
        self.other_bodies: list[str] = []
        self.started = 0
        self.skipped = 0
        self.retried = 0
        self.already_voted = 0
        self.error_times: list[float] = []
        self.timeline = Counter()  # second -> acks
        self.t0 = time.monotonic()

    def summary(self, wall: float) -> dict:
        lat = sorted(self.latencies)
        ack = sorted(self.ack_latencies)
        ms = lambda v: None if v is None else round(v * 1000, 1)  # noqa: E731
        acked = len(self.trackers)
        return {
            "started": self.started,
            "answered": sum(self.status.values()),
            "status": {str(k): v for k, v in sorted(self.status.items())},
            "acknowledged": acked,
            "already_voted_pages": self.already_voted,
            "http_503_without_retry_after": self.no_retry_after,
            "transport_errors": dict(self.errors),
            "client_skipped_max_inflight": self.skipped,
            "retried": self.retried,
            "wall_s": round(wall, 2),
            "ballots_per_s": round(acked / wall, 1) if wall > 0 else None,
            "answers_per_s": round(sum(self.status.values()) / wall, 1) if wall > 0 else None,
            "latency_ms_all": {
                "p50": ms(percentile(lat, 50)),
                "p95": ms(percentile(lat, 95)),
                "p99": ms(percentile(lat, 99)),
                "max": ms(lat[-1] if lat else None),
            },
            "latency_ms_acknowledged": {
                "p50": ms(percentile(ack, 50)),
                "p95": ms(percentile(ack, 95)),
                "p99": ms(percentile(ack, 99)),
                "max": ms(ack[-1] if ack else None),
            },
            "acks_per_second_timeline": [self.timeline.get(i, 0) for i in range(int(wall) + 1)],
            "unexpected_bodies": self.other_bodies[:5],
            "timeout_started_at_s": self.error_times[:20],
        }


async def cast_e2e(session, args, rec: Recorder, index: int, sessions, host):
    """POST one pre-made encrypted ballot to the JSON cast endpoint with the member's session;
    acknowledged: 200 with the signed receipt (its tracker is kept)."""
    key = sessions[index]
    question, ballot = args.ballots[index]
    rec.started += 1
    headers = {
        "Cookie": f"sessionid={key}; csrftoken={CSRF}",
        "X-CSRFToken": CSRF,
        "Origin": f"{args.scheme}://{host}",
        "Referer": f"{args.scheme}://{host}/",
        "Content-Type": "application/json",
    }
    body = json.dumps({"question": question, "ballot": ballot})
    t = time.monotonic()
    outcome = "other"
    try:
        async with session.post(args.url, data=body, headers=headers) as resp:
            text = await resp.text()
            dt = time.monotonic() - t
            rec.status[resp.status] += 1
            rec.latencies.append(dt)
            if resp.status == 200:
                outcome = "ack"
                rec.trackers.append((index, json.loads(text)["receipt"]["tracker"]))
                rec.ack_latencies.append(dt)
                rec.timeline[int(time.monotonic() - rec.t0)] += 1
            elif resp.status == 503:
                outcome = "retry"
                if "Retry-After" not in resp.headers:
                    rec.no_retry_after += 1
            elif resp.status == 409 and '"already-voted"' in text:
                rec.already_voted += 1
            elif len(rec.other_bodies) < 20:
                rec.other_bodies.append(f"{resp.status}: {text[:300]}")
    except TimeoutError:
        rec.errors["timeout"] += 1
        rec.error_times.append(round(t - rec.t0, 2))
        outcome = "error"
    except aiohttp.ClientError as exc:
        rec.errors[type(exc).__name__] += 1
        outcome = "error"
    return outcome


async def cast(session, args, rec: Recorder, index: int, sessions, choices, host):
    if args.ballots:
        return await cast_e2e(session, args, rec, index, sessions, host)
    key = sessions[index]
    rec.started += 1
    body = {"csrfmiddlewaretoken": CSRF, "step": "confirm", "choice": random.choice(choices)}
    if args.list:  # the list the ballot page was drawn for, as its confirming form sends it
        body["list"] = args.list
    headers = {
        "Cookie": f"sessionid={key}; csrftoken={CSRF}",
        "Origin": f"{args.scheme}://{host}",
        "Referer": f"{args.scheme}://{host}/",
    }
    if args.scheme == "https":  # as a TLS proxy would say (BEHIND_TLS_PROXY)
        headers["X-Forwarded-Proto"] = "https"
    t = time.monotonic()
    outcome = "other"
    try:
        async with session.post(
            args.url, data=body, headers=headers, allow_redirects=False
        ) as resp:
            text = await resp.text()
            dt = time.monotonic() - t
            rec.status[resp.status] += 1
            rec.latencies.append(dt)
            if resp.status == 302:
                cookies = resp.headers.getall("Set-Cookie", [])
                tracker = None
                for c in cookies:
                    m = TRACKER.search(c)
                    if m:
                        tracker = m.group(1)
                if tracker:
                    outcome = "ack"
                    rec.trackers.append((index, tracker))
                    rec.ack_latencies.append(dt)
                    rec.timeline[int(time.monotonic() - rec.t0)] += 1
                elif len(rec.other_bodies) < 20:
                    rec.other_bodies.append(f"302 without receipt: {resp.headers.get('Location')}")
            elif resp.status == 503:
                outcome = "retry"
                if "Retry-After" not in resp.headers:
                    rec.no_retry_after += 1
            elif resp.status == 200 and 'name="step"' not in text:
                # the "you have already voted" page (the form would carry a step field)
                rec.already_voted += 1
            elif len(rec.other_bodies) < 20:
                rec.other_bodies.append(f"{resp.status}: {text[:300]}")
    except TimeoutError:
        rec.errors["timeout"] += 1
        rec.error_times.append(round(t - rec.t0, 2))
        outcome = "error"
    except aiohttp.ServerDisconnectedError:
        rec.errors["server_disconnected"] += 1
        outcome = "error"
    except aiohttp.ClientConnectorError:
        rec.errors["connect_refused"] += 1
        outcome = "error"
    except aiohttp.ClientOSError as exc:
        rec.errors[f"os_error:{exc.errno}"] += 1
        outcome = "error"
    except aiohttp.ClientError as exc:
        rec.errors[type(exc).__name__] += 1
        outcome = "error"
    return outcome


async def main_async(args) -> dict:
    setup = json.loads(Path(args.setup).read_text())
    sessions = setup["sessions"]
    choices = setup["choices"]
    slug = args.slug or setup["slug"]
    if args.list is None:
        args.list = setup.get("list", "")
    args.url = f"{args.base}/primaries/{slug}/vote/"
    args.ballots = {}
    if args.e2e_ballots:  # encrypted: members with a pre-made ballot, in index order
        for line in Path(args.e2e_ballots).read_text().splitlines():
            index, question, ballot = line.split(" ")
            args.ballots[int(index)] = (question, ballot)
        args.url = f"{args.base}/primaries/{slug}/e2e/cast/"
    host = args.base.split("://", 1)[1]
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    limit = args.concurrency
    if args.attempts:
        attempts = json.loads(Path(args.attempts).read_text())
        limit = len(attempts)
    elif args.rate:
        limit = args.max_inflight
    connector = aiohttp.TCPConnector(limit=limit, force_close=args.no_keepalive)
    rec = Recorder()
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:
        if args.attempts:
            # Open the connections first (health check on each), then fire every attempt.
            warm = [session.get(f"{args.base}/healthz") for _ in range(min(limit, 200))]
            for r in await asyncio.gather(*[w.__aenter__() for w in warm], return_exceptions=True):
                if not isinstance(r, BaseException):
                    r.release()
            if args.start_at:
                await asyncio.sleep(max(0.0, args.start_at - time.time()))
            rec.t0 = t0 = time.monotonic()
            await asyncio.gather(
                *(cast(session, args, rec, i, sessions, choices, host) for i in attempts)
            )
            return rec.summary(time.monotonic() - t0), rec

        members = list(range(args.first, len(sessions)))
        if args.ballots:
            members = [i for i in members if i in args.ballots]
        if args.count:
            members = members[: args.count]
        it = iter(members)
        rec.t0 = t0 = time.monotonic()
        deadline = t0 + args.duration if args.duration else None

        if args.rate:
            tasks = set()
            interval = 1.0 / args.rate
            n = 0
            while deadline is None or time.monotonic() < deadline:
                target = t0 + n * interval
                delay = target - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                index = next(it, None)
                if index is None:
                    break
                n += 1
                if len(tasks) >= args.max_inflight:
                    rec.skipped += 1
                    continue
                task = asyncio.create_task(cast(session, args, rec, index, sessions, choices, host))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if tasks:
                await asyncio.gather(*tasks)
            return rec.summary(time.monotonic() - t0), rec

        async def worker():
            while deadline is None or time.monotonic() < deadline:
                index = next(it, None)
                if index is None:
                    return
                for _attempt in range(1 + args.retries):
                    outcome = await cast(session, args, rec, index, sessions, choices, host)
                    if outcome not in ("retry", "error"):
                        break
                    if deadline is not None and time.monotonic() > deadline + 30:
                        break
                    rec.retried += 1
                    await asyncio.sleep(args.retry_delay)

        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        return rec.summary(time.monotonic() - t0), rec


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Casting load generator (see the module docstring).")
    p.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    p.add_argument("--setup", required=True, help="JSON written by bench/castsetup.py")
    p.add_argument("--slug", help="campaign slug (default: the setup's)")
    p.add_argument("--list", help="the list code sent with the ballot (default: the setup's)")
    p.add_argument(
        "--e2e-ballots",
        help="encrypted mode: bench/e2e_castsetup.py's ballots file (POST to e2e/cast/)",
    )
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--count", type=int, default=0, help="members to cast for (0: all)")
    p.add_argument("--first", type=int, default=0, help="index of the first member to use")
    p.add_argument("--duration", type=float, default=0, help="seconds (0: until --count)")
    p.add_argument("--rate", type=float, default=0, help="open loop: casts started per second")
    p.add_argument("--max-inflight", type=int, default=4000)
    p.add_argument("--attempts", help="storm: JSON list of member indexes, all at once")
    p.add_argument("--start-at", type=float, default=0, help="storm: start at this epoch time")
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--no-keepalive", action="store_true")
    p.add_argument(
        "--retries",
        type=int,
        default=0,
        help="closed loop: retry a member's cast after a 503 or a transport error, as a voter "
        "would (the crash run); a retry of a cast that was stored shows 'already voted'",
    )
    p.add_argument("--retry-delay", type=float, default=0.3)
    p.add_argument(
        "--scheme",
        default="http",
        choices=["http", "https"],
        help="https: send X-Forwarded-Proto as a TLS proxy would (servers with "
        "SECURE_SSL_REDIRECT and BEHIND_TLS_PROXY on)",
    )
    p.add_argument("--out")
    p.add_argument("--trackers", help="write 'member_index tracker' of each acknowledged ballot")
    args = p.parse_args(argv)
    try:
        import uvloop  # noqa: F401

        uvloop.install()
    except ImportError:
        pass
    result, rec = asyncio.run(main_async(args))
    if args.trackers:
        Path(args.trackers).write_text("".join(f"{i} {t}\n" for i, t in rec.trackers))
    text = json.dumps(result, indent=2)
    if args.out:
        Path(args.out).write_text(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
