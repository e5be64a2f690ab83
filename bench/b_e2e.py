"""e2e: encrypted ballots beside Belenios 2.0 (bench/e2e_belenios.py) and at national size
(bench/e2e_national.py); no database needed. Smoke: toy sizes and no Belenios (skipped with a
printed note, never counted as a pass of the comparison)."""

from __future__ import annotations

import json

NAME = "e2e"
ORDER = 95


def _script(ctx, name: str, *args: str) -> dict:
    out_dir = ctx.results_dir / "e2e"
    result = ctx.run(
        ctx.python, str(ctx.root / "bench" / f"{name}.py"), *args,
        "--results-dir", str(out_dir), timeout=4 * 3600,
    )  # fmt: skip
    for line in result.stdout.splitlines():
        if "SKIPPED" in line or "EXTRAPOLATION" in line:
            ctx.log(line.strip())
    record = json.loads((out_dir / "latest" / f"{name}.json").read_text())
    if not record.get("ok"):
        raise RuntimeError(f"{name} did not finish:\n{result.stdout[-2000:]}")
    return record


def run(ctx) -> dict:
    smoke = ["--smoke"] if ctx.smoke else []
    belenios = _script(ctx, "e2e_belenios", *smoke)
    national = _script(ctx, "e2e_national", *smoke)
    return {
        "belenios_compared": belenios.get("belenios") is not None,
        "ratios": belenios.get("ratios"),
        "bastau_python_ballot": belenios.get("bastau_python_ballot"),
        "bastau_chromium_ballot": belenios.get("bastau_chromium_ballot"),
        "mugalzhar_verification": belenios["bastau_election"]["verification"]["process"],
        "national_fraction": national["fraction"],
        "national_verification": national["verification"]["process"],
        "national_extrapolated": national.get("extrapolated_full"),
        "national_combine": national["combine"]["process"],
    }
