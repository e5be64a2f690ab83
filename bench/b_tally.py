"""tally: count the national campaign and build all its lists (target: under 10 s).

The product path: the count as close_voting does it (services.count_ballots), then
services.build_lists as publish_results does (bench/tools/tally.py, in a process of its own);
the board's own count in Python is timed beside it and must agree."""

from __future__ import annotations

import json

NAME = "tally"
ORDER = 30
TARGET_SECONDS = 10


def run(ctx) -> dict:
    ctx.ensure_data()
    result = ctx.run(
        ctx.python, str(ctx.root / "bench/tools/tally.py"), ctx.campaign_slug, timeout=3600
    )
    figures = {**json.loads(result.stdout.strip().splitlines()[-1]), "process": result.figures()}
    ctx.log(
        f"count {figures['count_s']} s + lists {figures['build_lists_s']} s = "
        f"{figures['total_s']} s ({figures['lists']} lists, {figures['ballots']:,} ballots; "
        f"{figures['lists_equal_to_the_stored_ones']} equal to the lists stored before; the "
        f"same count in Python {figures['count_in_python_s']} s)"
    )
    figures["target"] = {
        "figure": "count + build all lists (s)",
        "target": f"< {TARGET_SECONDS} s" if not ctx.smoke else "none (smoke)",
        "measured": figures["total_s"],
        "met": figures["total_s"] < TARGET_SECONDS if not ctx.smoke else None,
    }
    return figures
