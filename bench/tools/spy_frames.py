"""The top frames of a py-spy profile (`py-spy record --format raw`: one collapsed stack a line,
then its sample count), as docs/performance.md lists them: the share of samples in which a
frame is on the stack (inclusive) and on top (self). Module imports of a freshly started worker
(frames of importlib's _bootstrap) are left out, and with --exclude the stacks of another kind
of request (the encrypted casts of a window that spans both phases, say).

    python bench/tools/spy_frames.py cast.raw [--top 15] [--match cast_as,claim,...]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter

FRAME = re.compile(r"^(?P<func>[^ ]+) \((?P<file>[^:)]+)(?::\d+)?\)$")


def short(frame: str) -> str:
    m = FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    path = m.group("file")
    for marker in ("site-packages/", "/src/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{m.group('func')} ({path})"


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("raw")
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--match", default="", help="comma-separated substrings: their inclusive share")
    p.add_argument(
        "--exclude", default="", help="comma-separated substrings: stacks holding one are left out"
    )
    args = p.parse_args(argv)
    inclusive: Counter = Counter()
    own: Counter = Counter()
    matched: Counter = Counter()
    wanted = [m for m in args.match.split(",") if m]
    excluded = [m for m in args.exclude.split(",") if m]
    total = 0
    with open(args.raw, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    for line in lines:
        stack, _sep, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        if "_bootstrap" in stack and "_find_and_load" in stack:
            continue
        if any(m in stack for m in excluded):
            continue
        n = int(count)
        frames = [
            short(f) for f in stack.split(";") if f and not f.startswith(("process ", "thread "))
        ]
        if not frames:
            continue
        total += n
        for f in set(frames):
            inclusive[f] += n
        own[frames[-1]] += n
        for m in wanted:
            if any(m in f for f in frames):
                matched[m] += n
    pct = lambda v: round(100 * v / total, 1) if total else 0.0  # noqa: E731
    result = {
        "samples": total,
        "self": [(f, pct(v)) for f, v in own.most_common(args.top)],
        "inclusive": [(f, pct(v)) for f, v in inclusive.most_common(args.top * 2)],
    }
    if wanted:
        result["matched"] = {m: pct(matched[m]) for m in wanted}
    json.dump(result, sys.stdout, indent=1, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
