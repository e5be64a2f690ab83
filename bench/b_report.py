"""report: the whole regional branch report (figures, DOCX and PDF) on the national data set
(target: under 10 s and 300 MB). Runs bench/tools/report.py in a process of its own, so its peak
memory is the report's; CPU seconds are given beside wall time because the machine is shared."""

from __future__ import annotations

import json

NAME = "report"
ORDER = 35
TARGET_SECONDS = 10
TARGET_MB = 300


def run(ctx) -> dict:
    ctx.ensure_data()
    result = ctx.run(
        ctx.python, str(ctx.root / "bench/tools/report.py"), ctx.data_date, timeout=3600
    )
    figures = {**json.loads(result.stdout.strip().splitlines()[-1]), "process": result.figures()}
    ctx.log(
        f"figures {figures['figures_s']} s + DOCX {figures['docx_s']} s + PDF {figures['pdf_s']} s"
        f" = {figures['total_s']} s (CPU {figures['total_cpu_s']} s), {figures['queries']} "
        f"queries, peak {figures['peak_rss_mb']} MB"
    )
    met = figures["total_s"] < TARGET_SECONDS and figures["peak_rss_mb"] < TARGET_MB
    figures["target"] = {
        "figure": "regional report: figures + DOCX + PDF (s, MB)",
        "target": f"< {TARGET_SECONDS} s, < {TARGET_MB} MB" if not ctx.smoke else "none (smoke)",
        "measured": f"{figures['total_s']} s, {figures['peak_rss_mb']} MB",
        "met": met if not ctx.smoke else None,
    }
    return figures
