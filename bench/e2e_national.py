#!/usr/bin/env python3
"""Encrypted ballots at national size: a synthetic election, full verification, shares, decrypt.

    .venv/bin/python bench/e2e_national.py [--fraction 10] [--jobs 2] [--smoke]
    .venv/bin/python bench/e2e_national.py --fraction 1        # the whole national election

The election (same shape as `bastau generate_scale`): 662,687 ballots in 3,400 lists, 10,990
candidates in all (3 or 4 per list: 10,990 = 3 x 3,400 + 790), each list choosing up to about a
third of its candidates (k_max = max(1, n // 3)); the ballots are spread over the lists by
seeded Pareto weights (some big lists, many small ones); each voter marks 1..k_max candidates
(2% blank); every 20th ballot is a paper ballot. 3 trustees, threshold 2.

Steps, each timed in wall and CPU seconds (user + sys; the machine is shared) with peak RSS:
1. rbcl's F, V, A (and point decoding) on this machine, in this run;
2. a real `bastau-e2e/1` record of the ballots of every `--fraction`-th list (1/10 by default:
   the same distribution, about a tenth of the ballots), made with the product's code
   (bench/e2e_lib.build_record): seeded generation in `--jobs` processes (encrypt, prove,
   sign), then the RecordWriter (batches, close, tally, shares of trustees 1 and 3, result);
3. full verification of that record by the product's verifier (`verify_record`, `--jobs`),
   its per-proof cost against the measured F, V, A, and, when --fraction > 1, an openly
   labelled EXTRAPOLATION to all 662,687 ballots (ballot-proportional: the lists keep the
   national distribution);
4. all national totals, in full: 3,400 lists x 10,990 candidates x 2 channels = 21,980
   encrypted totals (the record's TALLY for its lists; for the other lists, encryptions under
   the record's key of the counts their voters' seeded marks give, which cost the same to
   decrypt), each of two trustees' SHARE payloads (shares.make_share_payload), then
   shares.combine (every share checked, Lagrange, discrete logs); the counts must equal the
   votes.
Results: bench/results/e2e_national-<UTC stamp>.json and bench/results/latest/e2e_national.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import e2e_lib as lib  # noqa: E402

BALLOTS, LISTS, CANDIDATES = 662_687, 3_400, 10_990
PAPER_EVERY = 20


def log(msg: str) -> None:
    print(msg, flush=True)


def shape(ballots: int, lists: int, candidates: int, seed: str):
    """(questions [(id, n, k_max)], ballots per list) of the synthetic national election."""
    base, extra = divmod(candidates, lists)
    rnd = random.Random(f"{seed}/shape")
    questions = []
    for q in range(lists):
        n = base + (1 if q < extra else 0)
        questions.append((f"L{q:04d}", n, max(1, n // 3)))
    weights = [rnd.paretovariate(1.5) for _ in range(lists)]
    total = sum(weights)
    exact = [w * ballots / total for w in weights]
    counts = [int(x) for x in exact]
    # Largest remainders, so that the counts add up to `ballots` exactly.
    for q in sorted(range(lists), key=lambda q: exact[q] - counts[q], reverse=True)[
        : ballots - sum(counts)
    ]:
        counts[q] += 1
    return questions, counts


def model(setup: lib.Setup, plan_counts: list[int], rates: dict) -> dict:
    """Operation counts of verifying these ballots and their cost at the measured CPU rates."""
    f, v, a, d = (rates[f"{x}_cpu_us"] for x in ("F", "V", "A", "decode"))
    bit = 4 * f + 6 * v + 6 * a + 6 * d  # 2 values x (vG, cA, B - jG, vY + cB') + 6 decodes
    us = 0.0
    bits = sums = values = 0
    for qi, count in enumerate(plan_counts):
        if not count:
            continue
        _qid, n, k = setup.questions[qi]
        per_ballot = n * bit
        if k < n:
            per_ballot += (k + 1) * (2 * f + 3 * v + 3 * a + 2 * d) + 2 * (n - 1) * a
            sums += count
            values += count * (k + 1)
        per_ballot += (f + v + a + d) + 2 * n * a  # sigma and X; the tally's additions
        bits += count * n
        us += count * per_ballot
    return {
        "zero_one_proofs": bits,
        "sum_proofs": sums,
        "sum_proof_values": values,
        "model_cpu_s": round(us / 1e6, 1),
        "model_zero_one_proof_us": round(bit, 1),
        "formula": "0/1 proof: 4F + 6V + 6A + 6 decodes; sum proof: (k+1)(2F + 3V + 3A + "
        "2 decodes) + 2(n-1)A; sigma 1F + 1V + 1A; tally 2nA per ballot",
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fraction", type=int, default=10, help="ballots of every F-th list")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--smoke", action="store_true", help="toy size, judges nothing")
    parser.add_argument("--results-dir", type=Path, default=lib.BENCH / "results")
    parser.add_argument("--work-dir", type=Path, help="keep the ballot file here")
    args = parser.parse_args(argv)
    ballots, lists, candidates = BALLOTS, LISTS, CANDIDATES
    if args.smoke:
        ballots, lists, candidates, args.fraction = 300, 20, 65, 4
    seed = "national"
    questions, counts = shape(ballots, lists, candidates, seed)
    setup = lib.Setup.make(seed, questions)
    chosen = [c if qi % args.fraction == 0 else 0 for qi, c in enumerate(counts)]
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="bastau-e2e-national-"))
    work.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC)
    started = lib.cpu_now()
    share = sum(chosen) / ballots
    record: dict = {
        "name": "e2e_national",
        "date": stamp.isoformat(timespec="seconds"),
        "command": " ".join(["bench/e2e_national.py", *(argv or sys.argv[1:])]),
        "smoke": args.smoke,
        "nproc": os.cpu_count(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "note": "shared machine: wall times are noisy; CPU seconds (user + sys) beside them",
        "election": {
            "ballots": ballots,
            "lists": lists,
            "candidates": candidates,
            "k_rule": "k_max = max(1, n // 3)",
            "paper": f"every {PAPER_EVERY}th ballot",
            "largest_list_ballots": max(counts),
            "smallest_list_ballots": min(counts),
        },
        "fraction": {
            "every_nth_list": args.fraction,
            "lists": sum(1 for c in chosen if c),
            "ballots": sum(chosen),
            "share_of_ballots": round(share, 4),
        },
    }
    try:
        log("rbcl rates on this machine")
        rates = record["rbcl"] = lib.rbcl_rates(300 if args.smoke else 3000)
        log(f"  {rates}")
        native = record["native"] = lib.msm_rates()
        log(f"  native batch engine: {native}")
        part_q = [q for q, c in zip(questions, chosen, strict=True) if c]
        part_c = [c for c in chosen if c]
        log(f"record: {sum(part_c)} ballots in {len(part_q)} lists (generation, then the writer)")
        path = work / "national.jsonl"
        built = lib.build_record(seed, part_q, part_c, path, jobs=args.jobs, chunk=200,
                                 batch=2000)  # fmt: skip
        key = built.pop("server_key")
        gen = record["generation"] = built["generation"]
        gen["ballots_per_cpu_s"] = round(gen["ballots"] / max(gen["cpu_s"], 1e-9), 1)
        record["record"] = built
        log(f"  {built}")
        log(f"full verification (verify_record, jobs={args.jobs})")
        ver = record["verification"] = lib.measure_step("verify-record", str(path), key,
                                                        str(args.jobs))  # fmt: skip
        ver["ballots"] = sum(part_c)
        log(f"  {ver}")
        m = record["per_proof"] = model(setup, chosen, rates)
        cpu = ver["process"]["cpu_s"]
        m["measured_cpu_s"] = cpu
        m["measured_over_model"] = round(cpu / m["model_cpu_s"], 2) if m["model_cpu_s"] else None
        m["measured_cpu_ms_per_ballot"] = round(cpu / max(ver["ballots"], 1) * 1000, 3)
        m["measured_cpu_us_per_zero_one_proof_all_in"] = round(
            cpu / max(m["zero_one_proofs"], 1) * 1e6, 1
        )
        if native and ver.get("engine", "").startswith("batch"):
            # The batch engine's floor per 0/1 proof: 4 terms with 128-bit weights (A_j, B_j),
            # 2 with full scalars (alpha, beta), and 4 points added (the sum proof's ciphertext
            # and the TALLY's running totals), at the native rates measured above.
            floor = (4 * native["term_128bit_cpu_us"] + 2 * native["term_256bit_cpu_us"]
                     + 4 * native["sum_point_cpu_us"])  # fmt: skip
            m["engine"] = "batch"
            m["native_zero_one_proof_us"] = round(floor, 1)
            m["native_formula"] = "4 T128 + 2 T256 + 4 S (native rates, CPU)"
            m["measured_over_native"] = round(
                m["measured_cpu_us_per_zero_one_proof_all_in"] / floor, 2
            )
        log(f"  per proof: {m}")
        if args.fraction > 1:
            scale = ballots / max(sum(chosen), 1)
            record["extrapolated_full"] = {
                "note": f"EXTRAPOLATION x {scale:.2f} (ballot-proportional) from "
                f"1/{args.fraction} of the lists; the full run is: "
                "bench/e2e_national.py --fraction 1",
                "verification_wall_s": round(ver["process"]["wall_s"] * scale),
                "verification_cpu_s": round(cpu * scale),
                "verification_wall_s_if_cpu_split_over_2_cores": round(cpu * scale / 2),
                "generation_cpu_s": round(gen["cpu_s"] * scale),
                "peak_rss": "not extrapolated: the verifier streams the record line by line",
            }
            log(f"  {record['extrapolated_full']}")
        log("all national totals (every list, both channels): shares, check, combine, decrypt")
        shape_path = work / "shape.json"
        shape_path.write_text(json.dumps({"seed": seed, "questions": questions, "counts": counts}))
        comb = record["combine"] = lib.measure_step("national-combine", str(path), str(shape_path))
        log(f"  {comb}")
        record["ok"] = True
    finally:
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)
        record["total"] = lib.since(started)
        record["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
        if not args.smoke or args.results_dir != lib.BENCH / "results":
            args.results_dir.mkdir(parents=True, exist_ok=True)
            (args.results_dir / "latest").mkdir(exist_ok=True)
            text = json.dumps(record, indent=1)
            (args.results_dir / f"e2e_national-{stamp:%Y%m%dT%H%M%SZ}.json").write_text(text)
            (args.results_dir / "latest" / "e2e_national.json").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
