"""import: members from CSV and XLSX through Bastau's import path, against django-import-export
importing the same file in the same run (time and peak memory)."""

from __future__ import annotations

import json

NAME = "import"
ORDER = 90  # last: at smoke size it empties the (smoke) database it runs in
POOS = 20
TARGET_SECONDS = 60
TARGET_MB = 500


def run(ctx) -> dict:
    # Full size: a database of its own (the import empties it between runs). Smoke: the smoke
    # database itself, which this module, running last, may empty (saves a migrate).
    url = ctx.database_url if ctx.smoke else ctx.extra_database("import")
    env = ctx.env_for(url, IMPORT_MAX_ROWS=2_000_000, IMPORT_MAX_BYTES=2**31)
    tools = ctx.root / "bench/tools"
    sizes = [1_000] if ctx.smoke else [100_000, 1_000_000]
    die_sizes = {100_000}
    figures: dict = {"runs": {}, "django_import_export": {}}
    for n in sizes:
        for fmt in ("csv", "xlsx"):
            path = ctx.work_dir / f"members-{n}.{fmt}"
            made = ctx.run(
                ctx.python,
                str(tools / "import_files.py"),
                str(n),
                str(path),
                str(POOS),
                timeout=3600,
            )
            label = f"{n}-{fmt}"
            ctx.log(
                f"{label}: file {path.stat().st_size / 2**20:.0f} MB written in "
                f"{made.seconds:.0f} s"
            )
            ctx.run(ctx.python, str(tools / "import_setup.py"), str(POOS), env=env, timeout=600)
            ours = ctx.run(
                ctx.python, str(tools / "import_bastau.py"), str(path), env=env, timeout=7200
            )
            entry = {**json.loads(ours.stdout.strip().splitlines()[-1]), **ours.figures()}
            entry["file_mb"] = round(path.stat().st_size / 2**20, 1)
            if entry["status"] != "succeeded" or entry["created"] != n:
                raise RuntimeError(f"Bastau import of {label} failed: {entry}")
            figures["runs"][label] = {"bastau": entry}
            ctx.log(
                f"{label}: Bastau {entry['seconds']} s, peak {entry['peak_rss_mb']} MB "
                f"(check+write {entry['import_s']} s)"
            )
            if n in die_sizes or (ctx.smoke and fmt == "csv"):
                ctx.run(ctx.python, str(tools / "import_setup.py"), str(POOS), env=env, timeout=600)
                die = ctx.run(
                    ctx.python, str(tools / "import_die.py"), str(path), env=env, timeout=7200
                )
                d = {**json.loads(die.stdout.strip().splitlines()[-1]), **die.figures()}
                if d["has_errors"] or d["members_in_db"] != n:
                    raise RuntimeError(f"django-import-export import of {label} failed: {d}")
                figures["runs"][label]["django_import_export"] = d
                figures["runs"][label]["speedup"] = round(d["seconds"] / entry["seconds"], 1)
                ctx.log(
                    f"{label}: django-import-export {d['seconds']} s, peak "
                    f"{d['peak_rss_mb']} MB -> Bastau {figures['runs'][label]['speedup']}x"
                )
            path.unlink()
    if not ctx.smoke:
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
    top = figures["runs"][f"{sizes[-1]}-csv"]["bastau"]
    figures["target"] = {
        "figure": f"Bastau import, {sizes[-1]:,} rows CSV (s, MB)",
        "target": f"< {TARGET_SECONDS} s within {TARGET_MB} MB, >= 10x django-import-export"
        if not ctx.smoke
        else "none (smoke)",
        "measured": [top["seconds"], top["peak_rss_mb"]],
        "met": (top["seconds"] < TARGET_SECONDS and top["peak_rss_mb"] < TARGET_MB)
        if not ctx.smoke
        else None,
    }
    return figures
