#!/usr/bin/env python3
"""Encrypted ballots: Bastau beside Belenios 2.0 (Debian's belenios-tool), one run, one election.

    .venv/bin/python bench/e2e_belenios.py [--ballots 50] [--bastau-ballots 2000] [--jobs 2]
                                           [--smoke] [--no-belenios] [--results-dir DIR]

The election on both sides: 3 trustees, threshold 2, one list of 73 candidates, choose up to 20,
each voter marking 1..20 candidates (2% blank) drawn by the same seeded rule.

Belenios (its 2048-bit group, protocol version 1): the threshold key ceremony (steps 1-6 of
`setup generate-trustee-key-threshold`, no extra mandatory key), credentials, `make-election`,
`--ballots` ballots made by `election generate-ballot` (time and size of each), `election
verify`, `election compute-encrypted-tally` (which checks every ballot), `election
decrypt-threshold` of two trustees and `election compute-result`, whose counts must equal the
votes cast. Belenios checks a ballot in ~0.3 s of CPU, so --ballots is small; its per-ballot
figures are multiplied up to 2,000 ballots and printed as an extrapolation.

Bastau (pure Python on rbcl / libsodium): encrypt + prove + sign one ballot in Python and in
headless Chromium (bench/js, libsodium.js), ballot size, verification per ballot; then the
Mugalzhar-size election measured in full (`--bastau-ballots`, 2,000): generation, full
verification in `--jobs` processes, each trustee's decryption share, check + combine + decrypt.

Every step reports wall seconds and CPU seconds (user + sys): the machine is shared, so wall
times are noisy; the ratios are given on CPU seconds, and on wall time beside them.

--smoke: a few ballots, no Belenios (printed as skipped, never a pass of the comparison), for
CI (`make bench-smoke`). --no-belenios: the Bastau side only.
Results: bench/results/e2e_belenios-<UTC stamp>.json and bench/results/latest/e2e_belenios.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import e2e_lib as lib  # noqa: E402

from bastau.primaries.e2e import ballot  # noqa: E402
from bastau.primaries.e2e.hashing import TestRng  # noqa: E402

N_CANDIDATES = 73
K_MAX = 20
TARGET_BALLOTS = 2000
ISSUE_BELENIOS = {  # the issue's figures, measured on this machine on 2026-12-05
    "generate_ballot_ms": 557,
    "ballot_kb": 124,
    "compute_encrypted_tally_2000_s": 630,
    "compute_encrypted_tally_mb": 878,
    "partial_decryption_2000_s": 638,
}


def log(msg: str) -> None:
    print(msg, flush=True)


# Belenios ------------------------------------------------------------------------------------
class Tool:
    def __init__(self, directory: Path):
        self.dir = directory
        self.env = {**os.environ, "BELENIOS_USE_URANDOM": "1"}

    def run(self, *args: str, stdin: bytes | None = None) -> dict:
        """belenios-tool ARGS in the election directory: stdout, wall, CPU (user + sys), RSS."""
        with tempfile.TemporaryFile() as fin, tempfile.TemporaryFile() as fout, \
                tempfile.TemporaryFile() as ferr:  # fmt: skip
            if stdin is not None:
                fin.write(stdin)
                fin.seek(0)
            t = time.perf_counter()
            proc = subprocess.Popen(
                lib.timed_command(["belenios-tool", *args]), stdin=fin, stdout=fout,
                stderr=ferr, cwd=self.dir, env=self.env,
            )  # fmt: skip
            _, status, ru = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t
            fout.seek(0)
            ferr.seek(0)
            out, err = fout.read(), ferr.read()
        err_text, rss = lib.parse_time(err.decode(errors="replace"))
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"belenios-tool {' '.join(args)} failed:\n{err_text[-2000:]}")
        return {"out": out, "wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime,
                "peak_rss_mb": rss}  # fmt: skip


def ensure_belenios() -> str | None:
    """The path of belenios-tool, installed with apt-get if missing (root only); None if not."""
    path = shutil.which("belenios-tool")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("  installing belenios-tool (apt-get install -y belenios-tool)")
        subprocess.run(["apt-get", "install", "-y", "belenios-tool"], check=False,
                       stdout=subprocess.DEVNULL)  # fmt: skip
    return shutil.which("belenios-tool")


def _sum(steps: list[dict]) -> dict:
    return {
        "wall_s": round(sum(s["wall_s"] for s in steps), 2),
        "cpu_s": round(sum(s["cpu_s"] for s in steps), 2),
    }


def _fig(step: dict) -> dict:
    return {k: round(v, 3) for k, v in step.items() if k != "out" and v is not None}


def belenios(n_ballots: int, jobs: int, work: Path) -> dict:
    d = work / "belenios"
    d.mkdir()
    tool = Tool(d)
    g = ["--group", "BELENIOS-2048"]
    setup = []
    token = tool.run("setup", "generate-token")
    uuid = token["out"].decode().strip()
    setup.append(token)
    setup.append(tool.run("setup", "generate-credentials", "--uuid", uuid, *g,
                          "--count", str(n_ballots)))  # fmt: skip
    (pub,) = d.glob("*.pubcreds")
    pub.rename(d / "public_creds.json")
    (priv,) = d.glob("*.privcreds")
    priv.rename(d / "private_creds.txt")
    ceremony = []

    def tk(*args, stdin=None):
        step = tool.run("setup", "generate-trustee-key-threshold", *g, *args, stdin=stdin)
        ceremony.append(step)
        return step["out"]

    for _ in range(3):
        tk("--step", "1")
    certs = sorted(d.glob("*.cert"))
    (d / "certs.jsons").write_bytes(b"".join(c.read_bytes() for c in certs))
    tk("--certs", "certs.jsons", "--step", "2")
    keys = sorted(d.glob("*.key"))
    polys = b"".join(
        tk("--certs", "certs.jsons", "--key", k.name, "--step", "3", "--threshold", "2")
        for k in keys
    )
    (d / "polynomials.jsons").write_bytes(polys)
    tk("--certs", "certs.jsons", "--step", "4", "--polynomials", "polynomials.jsons")
    outputs = b"".join(
        tk(
            "--certs",
            "certs.jsons",
            "--key",
            k.name,
            "--step",
            "5",
            stdin=(d / f"{k.stem}.vinput").read_bytes(),
        )  # fmt: skip
        for k in keys
    )
    threshold = tk("--certs", "certs.jsons", "--step", "6", "--polynomials",
                   "polynomials.jsons", stdin=outputs)  # fmt: skip
    (d / "threshold.json").write_bytes(threshold)
    (d / "public_keys.jsons").write_bytes(b"")  # no mandatory (server) key: 2 of 3 decrypt
    setup.append(tool.run("setup", "make-trustees"))
    template = {
        "description": "bench",
        "name": "bench",
        "questions": [
            {
                "answers": [f"C{i}" for i in range(N_CANDIDATES)],
                "blank": False,
                "min": 0,
                "max": K_MAX,
                "question": "list",
            }
        ],  # fmt: skip
        "administrator": "bench",
        "credential_authority": "bench",
    }
    (d / "template.json").write_text(json.dumps(template))
    setup.append(tool.run("setup", "make-election", "--uuid", uuid, *g,
                          "--template", "template.json"))  # fmt: skip
    setup.append(tool.run("archive", "init"))
    log(f"  Belenios setup: ceremony {_sum(ceremony)}, the rest {_sum(setup)}")

    creds = [line.split()[1] for line in (d / "private_creds.txt").read_text().splitlines()]
    rnd = random.Random("belenios-votes")
    marks = [lib.choices_for(rnd, N_CANDIDATES, K_MAX) for _ in creds]
    expected = [sum(m[i] for m in marks) for i in range(N_CANDIDATES)]

    def one(i: int) -> dict:
        (d / f"cred{i}").write_text(creds[i] + "\n")
        (d / f"vote{i}.json").write_text(json.dumps([marks[i]]))
        return tool.run("election", "generate-ballot", "--privcred", f"cred{i}",
                        "--ballot", f"vote{i}.json")  # fmt: skip

    t = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        made = list(pool.map(one, range(len(creds))))
    gen_wall_total = time.perf_counter() - t
    sizes = [len(m["out"]) for m in made]
    add = []
    for m in made:
        add.append(tool.run("archive", "add-event", "--type=Ballot", stdin=m["out"]))
    log(f"  Belenios: {len(made)} ballots, {sum(m['cpu_s'] for m in made) / len(made):.3f} s CPU "
        f"each, {sum(sizes) / len(sizes) / 1000:.1f} kB")  # fmt: skip
    verify = tool.run("election", "verify")
    tool.run("archive", "add-event", "--type=EndBallots", stdin=b"")
    enc_tally = tool.run("election", "compute-encrypted-tally")
    tool.run("archive", "add-event", "--type=EncryptedTally", stdin=enc_tally["out"])
    log(f"  Belenios: verify {_fig(verify)}, compute-encrypted-tally {_fig(enc_tally)}")
    partials = []
    for trustee_id, key in ((1, keys[0]), (3, keys[2])):
        p = tool.run(
            "election", "decrypt-threshold", "--key", key.name,
            "--decryption-key", f"{key.stem}.dkey", "--trustee-id", str(trustee_id),
        )  # fmt: skip
        tool.run("archive", "add-event", "--type=PartialDecryption", stdin=p["out"])
        partials.append(p)
    result = tool.run("election", "compute-result")
    tool.run("archive", "add-event", "--type=Result", stdin=result["out"])
    final_verify = tool.run("election", "verify")
    got = json.loads(result["out"])
    counts = _find_counts(got)
    if counts != expected:
        raise RuntimeError(f"Belenios result {counts} differs from the votes cast {expected}")
    log(f"  Belenios: partial decryptions {[_fig(p) for p in partials]}; result = votes cast")

    n = len(made)
    per = {
        "generate_ballot_cpu_s": sum(m["cpu_s"] for m in made) / n,
        "generate_ballot_wall_s": sum(m["wall_s"] for m in made) / n,
        "encrypted_tally_cpu_s": enc_tally["cpu_s"] / n,
        "encrypted_tally_wall_s": enc_tally["wall_s"] / n,
        "verify_cpu_s": verify["cpu_s"] / n,
        "partial_decryption_cpu_s": sum(p["cpu_s"] for p in partials) / len(partials) / n,
        "partial_decryption_wall_s": sum(p["wall_s"] for p in partials) / len(partials) / n,
    }
    return {
        "version": subprocess.run(
            ["belenios-tool", "--version"], capture_output=True, text=True
        ).stdout.strip(),  # fmt: skip
        "group": "BELENIOS-2048",
        "ballots": n,
        "setup_ceremony": _sum(ceremony),
        "setup_other": _sum(setup),
        "generate_ballot": {
            "cpu_s_mean": round(per["generate_ballot_cpu_s"], 3),
            "wall_s_mean": round(per["generate_ballot_wall_s"], 3),
            "wall_s_all_ballots": round(gen_wall_total, 2),
            "parallel": jobs,
        },
        "ballot_bytes_mean": round(sum(sizes) / n),
        "add_events": _sum(add),
        "verify": _fig(verify),
        "compute_encrypted_tally": _fig(enc_tally),
        "decrypt_threshold": [_fig(p) for p in partials],
        "compute_result": _fig(result),
        "final_verify": _fig(final_verify),
        "result_equals_votes": True,
        "per_ballot": {k: round(v, 4) for k, v in per.items()},
        "extrapolated_to_2000_ballots": {
            "note": f"EXTRAPOLATION: measured on {n} ballots, per-ballot figure x {TARGET_BALLOTS}",
            "compute_encrypted_tally_cpu_s": round(per["encrypted_tally_cpu_s"] * TARGET_BALLOTS),
            "compute_encrypted_tally_wall_s": round(per["encrypted_tally_wall_s"] * TARGET_BALLOTS),
            "partial_decryption_cpu_s": round(per["partial_decryption_cpu_s"] * TARGET_BALLOTS),
            "verify_cpu_s": round(per["verify_cpu_s"] * TARGET_BALLOTS),
        },
    }


def _find_counts(result):
    """The 73 counts of the single question in Belenios's result object."""
    if isinstance(result, list):
        if len(result) == N_CANDIDATES and all(isinstance(x, int) for x in result):
            return result
        for item in result:
            found = _find_counts(item)
            if found is not None:
                return found
    if isinstance(result, dict):
        for value in result.values():
            found = _find_counts(value)
            if found is not None:
                return found
    return None


# Bastau -------------------------------------------------------------------------------------
def bastau_ballot(reps: int) -> dict:
    setup = lib.Setup.make("one-ballot", [("list", N_CANDIDATES, K_MAX)])
    e = setup.election(0)
    rng = TestRng(b"one-ballot", "draws")
    rnd = random.Random("one-ballot")
    made, checked = [], []
    data = b""
    for _ in range(reps):
        marks = lib.choices_for(rnd, N_CANDIDATES, K_MAX)
        t0 = lib.cpu_now()
        x = rng.scalar()
        from bastau.primaries.e2e import group

        body, _ = ballot.encrypt_body(e, group.base_mul(x), [marks], rng)
        data = ballot.sign_body(e, body, x, rng)
        made.append(lib.since(t0))
        t1 = lib.cpu_now()
        ballot.verify(e, data)
        checked.append(lib.since(t1))

    def med(xs, k):
        return round(sorted(x[k] for x in xs)[len(xs) // 2] * 1000, 1)

    return {
        "runs": reps,
        "ballot_bytes": len(data),
        "encrypt_prove_sign_ms_median": med(made, "wall_s"),
        "encrypt_prove_sign_cpu_ms_median": med(made, "cpu_s"),
        "verify_ms_median": med(checked, "wall_s"),
        "verify_cpu_ms_median": med(checked, "cpu_s"),
    }


def chromium(runs: int) -> dict | None:
    script = lib.BENCH / "js" / "e2e_ballot_chromium.py"
    if not Path("/usr/bin/chromium").exists():
        log("  Chromium: /usr/bin/chromium missing, skipped")
        return None
    out = subprocess.run(
        [sys.executable, str(script), str(N_CANDIDATES), str(K_MAX), str(runs)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if out.returncode != 0:
        log(f"  Chromium: failed, skipped:\n{out.stderr[-1500:]}")
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def bastau_election(n_ballots: int, jobs: int, work: Path) -> dict:
    """The Mugalzhar-size election as a real `bastau-e2e/1` record (the product's ceremony,
    credential list, manifest and RecordWriter), checked by the product's verifier."""
    path = work / "mugalzhar.jsonl"
    built = lib.build_record("mugalzhar", [("mugalzhar", N_CANDIDATES, K_MAX)], [n_ballots],
                             path, jobs=jobs)  # fmt: skip
    key = built.pop("server_key")
    log(f"  Bastau: record of {n_ballots} ballots built {built}")
    ver = lib.measure_step("verify-record", str(path), key, str(jobs))
    log(f"  Bastau: full verification (verify_record, jobs={jobs}) {ver}")
    trustee = lib.measure_step("trustee", str(path), key, "1", str(jobs))
    log(f"  Bastau: trustee 1 (verify the record to its TALLY, then the share) {trustee}")
    comb = lib.measure_step("combine-record", str(path))
    log(f"  Bastau: check shares + combine + decrypt (shares.combine) {comb}")
    return {
        "ballots": n_ballots,
        "record": built,
        "verification": ver,
        "trustee": trustee,
        "combine": comb,
        "verifier": "bastau.primaries.e2e.verify.verify_record (bastau verify_election)",
    }


def ratio(a, b):
    return round(a / b, 1) if a and b else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=50, help="Belenios ballots (default 50)")
    parser.add_argument("--bastau-ballots", type=int, default=TARGET_BALLOTS)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--smoke", action="store_true", help="tiny, no Belenios, judges nothing")
    parser.add_argument("--no-belenios", action="store_true")
    parser.add_argument("--no-chromium", action="store_true")
    parser.add_argument("--results-dir", type=Path, default=lib.BENCH / "results")
    args = parser.parse_args(argv)
    if args.smoke:
        args.ballots, args.bastau_ballots = 0, 6
    work = Path(tempfile.mkdtemp(prefix="bastau-e2e-belenios-"))
    started = lib.cpu_now()
    stamp = dt.datetime.now(dt.UTC)
    record: dict = {
        "name": "e2e_belenios",
        "date": stamp.isoformat(timespec="seconds"),
        "command": " ".join(["bench/e2e_belenios.py", *(argv or sys.argv[1:])]),
        "smoke": args.smoke,
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "nproc": os.cpu_count(),
        "note": "shared machine: wall times are noisy; CPU seconds (user + sys) beside them",
    }
    try:
        log("rbcl rates on this machine")
        record["rbcl"] = lib.rbcl_rates(300 if args.smoke else 3000)
        log(f"  {record['rbcl']}")
        log("Bastau: one 73-candidate ballot in Python")
        record["bastau_python_ballot"] = bastau_ballot(2 if args.smoke else 15)
        log(f"  {record['bastau_python_ballot']}")
        if not args.no_chromium:
            log("Bastau: one 73-candidate ballot in headless Chromium")
            record["bastau_chromium_ballot"] = chromium(2 if args.smoke else 15)
            log(f"  {record['bastau_chromium_ballot']}")
        log(f"Bastau: the whole election, {args.bastau_ballots} ballots")
        record["bastau_election"] = bastau_election(args.bastau_ballots, args.jobs, work)
        if args.smoke or args.no_belenios:
            log("Belenios: SKIPPED (--smoke / --no-belenios): no comparison is made or claimed")
            record["belenios"] = None
        elif not ensure_belenios():
            log("Belenios: belenios-tool is missing and could not be installed: NO comparison")
            record["belenios"] = None
        else:
            log(f"Belenios 2.0: the same election, {args.ballots} ballots")
            record["belenios"] = belenios(args.ballots, args.jobs, work)
        record["ratios"] = ratios(record)
        record["ok"] = True
    finally:
        shutil.rmtree(work, ignore_errors=True)
        record["total"] = lib.since(started)
        record["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
        if not args.smoke or args.results_dir != lib.BENCH / "results":
            args.results_dir.mkdir(parents=True, exist_ok=True)
            (args.results_dir / "latest").mkdir(exist_ok=True)
            text = json.dumps(record, indent=1)
            (args.results_dir / f"e2e_belenios-{stamp:%Y%m%dT%H%M%SZ}.json").write_text(text)
            (args.results_dir / "latest" / "e2e_belenios.json").write_text(text)
    log(json.dumps(record.get("ratios"), indent=1))
    return 0


def ratios(r: dict) -> dict | None:
    b = r.get("belenios")
    if not b:
        return None
    py = r["bastau_python_ballot"]
    chrome = r.get("bastau_chromium_ballot") or {}
    el = r["bastau_election"]
    ext = b["extrapolated_to_2000_ballots"]
    scale = TARGET_BALLOTS / el["ballots"]
    return {
        "note": "Belenios / Bastau; Belenios's 2,000-ballot figures are extrapolated from "
        f"{b['ballots']} ballots; CPU-second ratios are the steadier ones on a shared machine",
        "generate_ballot_vs_chromium_wall": ratio(
            b["generate_ballot"]["wall_s_mean"] * 1000, chrome.get("encrypt_prove_sign_ms_median")
        ),
        "generate_ballot_cpu_vs_python_cpu": ratio(
            b["generate_ballot"]["cpu_s_mean"] * 1000, py["encrypt_prove_sign_cpu_ms_median"]
        ),
        "ballot_size": ratio(b["ballot_bytes_mean"], py["ballot_bytes"]),
        "tally_check_cpu_2000": ratio(
            ext["compute_encrypted_tally_cpu_s"],
            el["verification"]["process"]["cpu_s"] * scale,
        ),
        "tally_check_wall_2000_belenios_one_core_vs_bastau_jobs": ratio(
            ext["compute_encrypted_tally_wall_s"],
            el["verification"]["process"]["wall_s"] * scale,
        ),
        "partial_decryption_cpu_2000_vs_trustee_cpu": ratio(
            ext["partial_decryption_cpu_s"], el["trustee"]["process"]["cpu_s"] * scale
        ),
    }


if __name__ == "__main__":
    sys.exit(main())
