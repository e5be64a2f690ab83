"""verify: `bastau verify_board` on boards of 10k, 100k and 1M ballots, and the national one."""

from __future__ import annotations

import json
import re

NAME = "verify"
ORDER = 20
TARGET_1M_SECONDS = 60


def _verify(ctx, path, key=None) -> dict:
    args = ["verify_board", str(path)] + (["--public-key", key] if key else [])
    result = ctx.run(*args, timeout=1800)
    out = result.stdout
    if "OK: every signature" not in out:
        raise RuntimeError(f"{path} did not verify:\n{out[-2000:]}")
    inner = re.search(
        r"Time: ([\d.]+) s \(reading the file ([\d.]+) s, verifying ([\d.]+) s\)", out
    )
    ballots = int(re.search(r"Ballots: (\d+);", out).group(1))
    figures = {
        "ballots": ballots,
        **result.figures(),
        "file_mb": round(path.stat().st_size / 2**20, 1),
    }
    if inner:
        figures.update(
            {
                "in_command_s": float(inner.group(1)),
                "read_parse_s": float(inner.group(2)),
                "check_s": float(inner.group(3)),
            }
        )
    return figures


def _record_key(path) -> str:
    """The "public_key" of a record, from the head of the file: export_board writes it after
    the campaign and before the checkpoints and ballots. The national campaign's object (10,990
    candidates with their categories, 3,400 lists) is megabytes long, so the head is read in
    chunks until the key shows."""
    pattern = re.compile(r'"public_key": *"([A-Za-z0-9+/=]+)"')
    head = ""
    with open(path, encoding="utf-8") as record:
        while chunk := record.read(1 << 20):
            head += chunk
            if found := pattern.search(head):
                return found.group(1)
    raise RuntimeError(f"no public_key in {path}")


def run(ctx) -> dict:
    sizes = [1_000] if ctx.smoke else [10_000, 100_000, 1_000_000]
    figures: dict = {"boards": {}}
    for n in sizes:
        path = ctx.work_dir / f"board-{n}.json"
        made = ctx.run(
            ctx.python, str(ctx.root / "bench/tools/make_board.py"), str(n), str(path), timeout=3600
        )
        key = made.stdout.strip().splitlines()[-1]
        streamed = _verify(ctx, path, key)
        ctx.log(f"{n:>9,} ballots: {streamed['seconds']} s, peak {streamed['peak_rss_mb']} MB")
        entry = {"streamed": streamed}
        if not ctx.smoke or n == sizes[-1]:
            whole = ctx.run(
                ctx.python, str(ctx.root / "bench/tools/whole_verify.py"), str(path), timeout=1800
            )
            entry["whole_document_baseline"] = {
                **whole.figures(),
                **json.loads(whole.stdout.strip().splitlines()[-1]),
            }
            ctx.log(
                f"{'':>9}  whole-document json.load baseline: {whole.seconds:.1f} s, "
                f"peak {whole.peak_rss_mb:.0f} MB"
            )
        figures["boards"][str(n)] = entry
        path.unlink()

    # The national campaign's board, exported from the database by the real command.
    ctx.ensure_data()
    path = ctx.work_dir / "national.json"
    export = ctx.run("export_board", ctx.campaign_slug, "-o", str(path), timeout=3600)
    figures["national_export"] = export.figures()
    # the key the bench's own server signed with (an observer pins the one the campaign publishes)
    national_key = _record_key(path)
    figures["national_verify"] = _verify(ctx, path, national_key)
    ctx.log(
        f"national board: export {export.seconds:.1f} s, verify "
        f"{figures['national_verify']['seconds']} s "
        f"({figures['national_verify']['ballots']:,} ballots)"
    )
    path.unlink()
    top = figures["boards"][str(sizes[-1])]["streamed"]
    figures["target"] = {
        "figure": f"verify_board, {sizes[-1]:,} ballots (s)",
        "target": f"< {TARGET_1M_SECONDS} s" if not ctx.smoke else "none (smoke)",
        "measured": top["seconds"],
        "met": (top["seconds"] < TARGET_1M_SECONDS) if not ctx.smoke else None,
    }
    return figures
