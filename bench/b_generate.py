"""generate: `bastau generate_scale` builds the national data set (COPY on PostgreSQL)."""

from __future__ import annotations

import re

NAME = "generate"
ORDER = 10


def run(ctx) -> dict:
    args = [*ctx.generate_args(), "--quiet-progress"]
    ctx.log("bastau " + " ".join(args))
    result = ctx.run(*args, timeout=3 * 3600)
    steps = {
        name: float(seconds)
        for name, seconds in re.findall(r"^\s+(\w+): ([\d.]+) s$", result.stdout, re.M)
    }
    rows = {}
    line = re.search(r"^Rows: (.+)\.$", result.stdout, re.M)
    if line:
        for part in line.group(1).split(", "):
            name, _, n = part.rpartition(" ")
            rows[name] = int(n.replace(",", ""))
    figures = {
        "command": "bastau " + " ".join(args),
        **result.figures(),
        "steps_seconds": steps,
        "rows": rows,
    }
    ctx.log(f"{figures['seconds']} s, peak {figures['peak_rss_mb']} MB; steps {steps}")
    return figures
