"""App CPU per cast in one process, without an HTTP server or a load generator: the confirming
POST (or, with --e2e-ballots, the encrypted JSON cast) of one member after another, handed to
`bastau.wsgi.application` as a WSGI server would, one at a time; CPU time of this process
(time.process_time) per request. It measures the application alone (Django, the session read
from Redis, the statement's round trip seen from the client side), the same way before and after
a change, on a machine whose other load makes wall-clock rates meaningless.

    DATABASE_URL=... REDIS_URL=... (the production env of bench/common.production_env) \\
    python bench/tools/cast_cpu.py --setup setup.json --first 100 --count 2000 [--profile out]

--setup: the JSON bench/castsetup.py wrote (sessions, choices, slug, list). Members from
--first on must not have voted. Prints one JSON line: requests, statuses, CPU µs per request
(mean, and the median of 10 slices), wall µs per request.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

CSRF = "benchcsrftoken0123456789abcdefgh"  # 32 characters, as Django's cookie secret


def environ(path: str, body: bytes, content_type: str, session: str, extra=None) -> dict:
    env = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_COOKIE": f"sessionid={session}; csrftoken={CSRF}",
        "HTTP_ORIGIN": "http://127.0.0.1:8000",
        "HTTP_REFERER": "http://127.0.0.1:8000/",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    env.update(extra or {})
    return env


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--setup", required=True)
    p.add_argument("--first", type=int, default=0)
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--slug")
    p.add_argument("--e2e-ballots", help="bench/e2e_castsetup.py's ballots file")
    p.add_argument("--profile", help="write cProfile stats here")
    args = p.parse_args(argv)
    setup = json.loads(Path(args.setup).read_text())
    sessions, choices = setup["sessions"], setup["choices"]
    slug = args.slug or setup["slug"]

    import django

    django.setup()
    from bastau.wsgi import application

    requests = []
    if args.e2e_ballots:
        ballots = {}
        for line in Path(args.e2e_ballots).read_text().splitlines():
            index, question, ballot = line.split(" ")
            ballots[int(index)] = (question, ballot)
        members = [i for i in sorted(ballots) if i >= args.first][: args.count]
        for i in members:
            body = json.dumps({"question": ballots[i][0], "ballot": ballots[i][1]}).encode()
            requests.append(
                environ(
                    f"/primaries/{slug}/e2e/cast/",
                    body,
                    "application/json",
                    sessions[i],
                    {"HTTP_X_CSRFTOKEN": CSRF},
                )
            )
    else:
        for n, i in enumerate(range(args.first, min(len(sessions), args.first + args.count))):
            fields = {"csrfmiddlewaretoken": CSRF, "step": "confirm"}
            fields["choice"] = choices[n % len(choices)]
            if setup.get("list"):
                fields["list"] = setup["list"]
            body = urlencode(fields).encode()
            requests.append(
                environ(
                    f"/primaries/{slug}/vote/",
                    body,
                    "application/x-www-form-urlencoded",
                    sessions[i],
                )
            )

    statuses: Counter = Counter()

    def start_response(status, headers, exc_info=None):
        statuses[status.split(" ", 1)[0]] += 1

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    cpu: list[float] = []
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for env in requests:
        c = time.process_time()
        if profiler:
            profiler.enable()
        result = application(env, start_response)
        b"".join(result)
        if hasattr(result, "close"):
            result.close()
        if profiler:
            profiler.disable()
        cpu.append(time.process_time() - c)
    wall, total = time.perf_counter() - wall0, time.process_time() - cpu0
    if profiler:
        profiler.dump_stats(args.profile)
    n = max(1, len(requests))
    slices = [cpu[k::10] for k in range(10)]
    print(
        json.dumps(
            {
                "requests": len(requests),
                "status": dict(statuses),
                "cpu_us_per_request": round(total * 1e6 / n, 1),
                "cpu_us_median_of_10_slices": round(
                    statistics.median(sum(s) / max(1, len(s)) for s in slices) * 1e6, 1
                ),
                "wall_us_per_request": round(wall * 1e6 / n, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
