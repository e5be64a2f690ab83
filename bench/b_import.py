"""import: members from CSV and XLSX through Bastau's import path, against django-import-export
importing the same file in the same run (time, CPU and peak memory); then the member export
(XLSX and CSV) of everything imported, to show its memory stays flat with the rows.

BENCH_IMPORT_ONLY=1000000-csv,100000-xlsx (labels) runs only those imports;
BENCH_IMPORT_DIE=100000-xlsx (labels) runs django-import-export only on those;
BENCH_IMPORT_EXPORTS=csv (formats) measures only those exports."""

from __future__ import annotations

import json
import os

NAME = "import"
ORDER = 90  # last: at smoke size it empties the (smoke) database it runs in
POOS = 20
#: Issue 16's targets (seconds and MB of one import; speed-up against django-import-export).
TARGETS = {
    "1000000-csv": 45,
    "1000000-xlsx": 90,
}
TARGET_MB = 500
TARGET_SPEEDUP = 10


def _json(measured) -> dict:
    return {**json.loads(measured.stdout.strip().splitlines()[-1]), **measured.figures()}


def run(ctx) -> dict:
    # Full size: a database of its own (the import empties it between runs). Smoke: the smoke
    # database itself, which this module, running last, may empty (saves a migrate).
    url = ctx.database_url if ctx.smoke else ctx.extra_database("import")
    env = ctx.env_for(
        url,
        IMPORT_MAX_ROWS=2_000_000,
        IMPORT_MAX_BYTES=2**31,
        IMPORT_XLSX_MAX_UNPACKED_BYTES=2**32,
    )
    tools = ctx.root / "bench/tools"
    sizes = [1_000] if ctx.smoke else [100_000, 1_000_000]
    die_sizes = {1_000} if ctx.smoke else {100_000}
    only = {x for x in os.environ.get("BENCH_IMPORT_ONLY", "").split(",") if x}
    die_only = {x for x in os.environ.get("BENCH_IMPORT_DIE", "").split(",") if x}
    figures: dict = {"runs": {}, "django_import_export": {}, "exports": {}}
    for n in sizes:
        for fmt in ("csv", "xlsx"):
            label = f"{n}-{fmt}"
            if only and label not in only:
                continue
            path = ctx.work_dir / f"members-{n}.{fmt}"
            made = ctx.run(
                ctx.python,
                str(tools / "import_files.py"),
                str(n),
                str(path),
                str(POOS),
                timeout=3600,
            )
            ctx.log(
                f"{label}: file {path.stat().st_size / 2**20:.0f} MB written in "
                f"{made.seconds:.0f} s"
            )
            ctx.run(ctx.python, str(tools / "import_setup.py"), str(POOS), env=env, timeout=600)
            ours = ctx.run(
                ctx.python, str(tools / "import_bastau.py"), str(path), env=env, timeout=7200
            )
            entry = _json(ours)
            entry["file_mb"] = round(path.stat().st_size / 2**20, 1)
            if entry["status"] != "succeeded" or entry["created"] != n:
                raise RuntimeError(f"Bastau import of {label} failed: {entry}")
            figures["runs"][label] = {"bastau": entry}
            ctx.log(
                f"{label}: Bastau {entry['seconds']} s ({entry['cpu_s']} s CPU), peak "
                f"{entry['peak_rss_mb']} MB (check+write {entry['import_s']} s)"
            )
            if fmt == "csv":
                # The database now holds the n imported members: export them.
                exports = os.environ.get("BENCH_IMPORT_EXPORTS", "xlsx,csv").split(",")
                for export_fmt in [f for f in exports if f]:
                    out = ctx.run(
                        ctx.python,
                        str(tools / "export_members.py"),
                        export_fmt,
                        env=env,
                        timeout=3600,
                    )
                    e = _json(out)
                    figures["exports"][f"{n}-{export_fmt}"] = e
                    ctx.log(
                        f"export of {e['members']} members as {export_fmt}: {e['seconds']} s "
                        f"({e['cpu_s']} s CPU), peak {e['peak_rss_mb']} MB, "
                        f"{e['bytes'] / 2**20:.0f} MB"
                    )
            if n in die_sizes and (not die_only or label in die_only):
                ctx.run(ctx.python, str(tools / "import_setup.py"), str(POOS), env=env, timeout=600)
                die = ctx.run(
                    ctx.python, str(tools / "import_die.py"), str(path), env=env, timeout=7200
                )
                d = _json(die)
                if d["has_errors"] or d["members_in_db"] != n:
                    raise RuntimeError(f"django-import-export import of {label} failed: {d}")
                figures["runs"][label]["django_import_export"] = d
                figures["runs"][label]["speedup"] = round(d["seconds"] / entry["seconds"], 1)
                figures["runs"][label]["speedup_cpu"] = round(d["cpu_s"] / entry["cpu_s"], 1)
                ctx.log(
                    f"{label}: django-import-export {d['seconds']} s ({d['cpu_s']} s CPU), peak "
                    f"{d['peak_rss_mb']} MB -> Bastau {figures['runs'][label]['speedup']}x "
                    f"({figures['runs'][label]['speedup_cpu']}x in CPU)"
                )
            path.unlink()
    if not ctx.smoke and not only and not die_only:
        # django-import-export at 1M: extrapolated linearly from its 100k rows/s in this run.
        for fmt in ("csv", "xlsx"):
            small = figures["runs"][f"100000-{fmt}"]["django_import_export"]
            rate = 100_000 / small["seconds"]
            ours = figures["runs"][f"1000000-{fmt}"]["bastau"]
            figures["django_import_export"][f"1000000-{fmt}"] = {
                "extrapolated_seconds": round(1_000_000 / rate, 0),
                "how": "1,000,000 / (rows per second of the 100,000-row run of the same format)",
                "speedup_vs_bastau": round(1_000_000 / rate / ours["seconds"], 1),
            }
    targets = []
    if not ctx.smoke:
        for label, seconds in TARGETS.items():
            run_ = figures["runs"].get(label)
            if run_:
                b = run_["bastau"]
                targets.append(
                    {
                        "figure": f"Bastau import, {label} (s, CPU s, MB)",
                        "target": f"<= {seconds} s within {TARGET_MB} MB",
                        "measured": [b["seconds"], b["cpu_s"], b["peak_rss_mb"]],
                        "met": b["seconds"] <= seconds and b["peak_rss_mb"] <= TARGET_MB,
                    }
                )
        small = figures["runs"].get("100000-xlsx", {})
        if "speedup" in small:
            targets.append(
                {
                    "figure": "100,000-row XLSX: django-import-export / Bastau (wall, CPU)",
                    "target": f">= {TARGET_SPEEDUP}x",
                    "measured": [small["speedup"], small["speedup_cpu"]],
                    "met": small["speedup"] >= TARGET_SPEEDUP,
                }
            )
        for label, e in figures["exports"].items():
            if label.startswith("1000000"):
                targets.append(
                    {
                        "figure": f"member export, {label} (s, MB)",
                        "target": f"flat memory, <= {TARGET_MB} MB",
                        "measured": [e["seconds"], e["peak_rss_mb"]],
                        "met": e["peak_rss_mb"] <= TARGET_MB,
                    }
                )
    figures["targets"] = targets
    return figures
