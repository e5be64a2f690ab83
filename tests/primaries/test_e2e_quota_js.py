"""The browser's list builder (static/bastau/e2e/quota.js) agrees exactly with quota.py.

Hundreds of seeded random candidate sets (both presets, random three- and four-group rule sets,
whole-list and prefix mode, with and without a tie-break seed, many ties, lists that cannot be
built) go through quota.build_list and, under Node, through quota.js's buildList: every row (id,
vote rank, groups, and the reason with its text) and every "no list possible" answer (length,
joint, each shortage) must be the same.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess

from bastau.primaries import quota

from .test_e2e_js import ROOT, node_or_skip

DAY = dt.date(2000, 1, 1)  # unused by the builder when groups are given


def random_rules(rng: random.Random) -> dict:
    pick = rng.random()
    if pick < 0.4:
        return quota.PRESET_DATA["party-2019"]
    if pick < 0.75:
        return quota.PRESET_DATA["law-2022"]
    kinds = [{"kind": "woman"}, {"kind": "youth", "age_below": 35}, {"kind": "disability"}]
    g = rng.choice([1, 3, 4])
    groups = []
    for j in range(g):
        pred = rng.choice(kinds) if j < 3 else {"kind": "any", "of": kinds[:2]}
        groups.append(
            {
                "id": f"g{j}",
                "label": f"group {j}",
                "min_share": rng.choice([10, 20, 25, 30, 40, 50]),
                "predicate": pred,
            }
        )
    return {"id": "custom", "label": "custom", "groups": groups}


def instances(count: int, seed: int = 20261206) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        rules = random_rules(rng)
        n = rng.randint(1, 24)
        share = rng.choice([0.1, 0.3, 0.5, 0.8])
        cands = []
        for k in range(n):
            gids = [g["id"] for g in rules["groups"] if rng.random() < share]
            cands.append(
                {
                    "id": f"c{k}",
                    "name": f"Cand {k}",
                    "votes": rng.randint(0, rng.choice([3, 50])),
                    "groups": gids,
                }
            )
        length = rng.randint(0, n + (1 if i % 25 == 0 else 0))
        out.append(
            {
                "candidates": cands,
                "length": length,
                "rules": rules,
                "prefix": rng.random() < 0.5,
                "seed": rng.choice([None, f"seed-{i}", "lot"]),
            }
        )
    return out


def python_outcome(inst: dict) -> dict:
    pool = [
        quota.Candidate(id=c["id"], name=c["name"], votes=c["votes"], gender="M", birth_date=DAY)
        for c in inst["candidates"]
    ]
    try:
        built = quota.build_list(
            pool,
            inst["length"],
            inst["rules"],
            DAY,
            prefix=inst["prefix"],
            seed=inst["seed"],
            groups={c["id"]: c["groups"] for c in inst["candidates"]},
        )
    except quota.QuotaInfeasible as e:
        d = e.to_dict()
        d["shortages"] = [dict(s) for s in d["shortages"]]
        return {"infeasible": d}
    except quota.ListLengthError as e:
        return {"length_error": e.code}
    return {"ok": [row.to_dict() for row in built.rows]}


def test_js_list_builder_agrees_with_quota_py(tmp_path):
    node = node_or_skip()
    cases = instances(400)
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(cases))
    run = subprocess.run(
        [node, "tests/js/quota_cli.mjs", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    js = json.loads(run.stdout)
    assert len(js) == len(cases)
    kinds = {"ok": 0, "infeasible": 0, "length_error": 0, "departures": 0, "joint": 0}
    for i, (inst, got) in enumerate(zip(cases, js, strict=True)):
        want = python_outcome(inst)
        assert got == want, f"instance {i}: {json.dumps(inst)}"
        kind = next(iter(want))
        kinds[kind] += 1
        if kind == "ok" and any(r["reason"] for r in want["ok"]):
            kinds["departures"] += 1
        if kind == "infeasible" and want["infeasible"]["joint"]:
            kinds["joint"] += 1
    # the random sets really cover every outcome, not only the easy one
    assert kinds["ok"] > 100 and kinds["departures"] > 30, kinds
    assert kinds["infeasible"] > 20 and kinds["joint"] > 0 and kinds["length_error"] > 0, kinds
