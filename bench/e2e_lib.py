"""Shared machinery of the encrypted-ballot benchmarks (bench/e2e_belenios.py, e2e_national.py).

Everything here uses the pure-Python reference (bastau.primaries.e2e, rbcl / libsodium):

- `Setup`: an election (phi, Y, one question per list) with a t-of-m key dealt by Shamir
  (a stand-in for the ceremony, whose cost is not measured here) and the trustees' K_j;
- `generate`: seeded ballots, encrypted, proved and signed in worker processes, written to a
  ballot file (`<path>` holds the ballots, `<path>.json` the chunk index, the published
  encrypted totals per list and channel and the plain counts that must come out at the end);
- `verify`: every ballot decoded strictly and checked (sigma, every 0/1 proof, every sum proof),
  every credential used once, and the encrypted totals recomputed and compared with the
  published ones, in `jobs` processes reading their chunks from the file (memory stays flat);
- `shares`, `combine`: decryption shares with proofs, their check, Lagrange and BSGS.

A step run by `measure_step` runs in a fresh Python process and reports its wall time, its CPU
seconds (user + sys, the process and its workers) and peak RSS (the process; the largest worker),
because the machine is shared and wall times are noisy.

The benchmarks themselves build real records (`build_record`, the product's ceremony, credential
list, manifest and RecordWriter) and check them with the product's verifier (`verify_record`,
steps "verify-record" and "trustee"); `verify` above is the benchmark's own lighter check of a
bare ballot file (kept for its tests).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import random
import resource
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bastau.primaries.e2e import ballot, group, tally
from bastau.primaries.e2e.elgamal import Ciphertext
from bastau.primaries.e2e.hashing import TAG_ELECTION, TestRng, b64d, b64e, hd

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
HEADER = struct.Struct(">IBI")  # question index, channel (0 online, 1 paper), ballot length
CHANNELS = ("online", "paper")


# Measuring ---------------------------------------------------------------------------------
def cpu_now() -> dict[str, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "wall": time.perf_counter(),
        "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
    }


def since(start: dict[str, float]) -> dict[str, float]:
    now = cpu_now()
    return {
        "wall_s": round(now["wall"] - start["wall"], 3),
        "cpu_s": round(now["cpu"] - start["cpu"], 3),
    }


def peak_rss_mb() -> dict[str, float]:
    """Inside a step: its own peak and its largest reaped worker's. A forked worker's figure
    includes the step's size at the fork, so it is an upper bound."""
    return {
        "self_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "largest_worker_peak_rss_mb": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
        ),
    }


TIME = "/usr/bin/time"
TIME_FORMAT = "bench-time %M %U %S"


def timed_command(command: list[str]) -> list[str]:
    """The command under /usr/bin/time when present: a forked child's ru_maxrss includes its
    parent's size before exec, so a clean peak RSS needs a small process in between."""
    return [TIME, "-f", TIME_FORMAT, *command] if os.path.exists(TIME) else command


def parse_time(stderr: str) -> tuple[str, float | None]:
    """(stderr without /usr/bin/time's line, peak RSS in MB from it, if any)."""
    lines = stderr.rstrip("\n").split("\n")
    if lines and lines[-1].startswith("bench-time "):
        return "\n".join(lines[:-1]), round(int(lines[-1].split()[1]) / 1024, 1)
    return stderr, None


def measure_step(step: str, *args: str, python: str | None = None) -> dict[str, Any]:
    """`python bench/e2e_lib.py STEP ARGS` in its own process: its JSON figures plus the wall
    time, CPU seconds (wait4: the process and its workers) and peak RSS (GNU time: the step's
    main process; its workers report theirs inside)."""
    command = [python or sys.executable, str(BENCH / "e2e_lib.py"), step, *args]
    t = time.perf_counter()
    proc = subprocess.Popen(timed_command(command), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)  # fmt: skip
    out = proc.stdout.read().decode()
    err = proc.stderr.read().decode()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    err, rss = parse_time(err)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {code}:\n{err[-3000:]}")
    figures = json.loads(out.strip().splitlines()[-1])
    figures["process"] = {
        "wall_s": round(wall, 2),
        "cpu_s": round(ru.ru_utime + ru.ru_stime, 2),
        "peak_rss_mb_main_process": rss,
        "command": " ".join(command[1:]),
    }
    return figures


def rbcl_rates(reps: int = 3000) -> dict[str, float]:
    """F (fixed-base), V (variable-base), A (addition) of rbcl on this machine, in microseconds."""
    rng = TestRng(b"rates", "rates")
    s = rng.scalar()
    p = group.base_mul(rng.scalar())

    def per(fn, clock):
        best = None
        for _ in range(3):
            t = clock()
            for _ in range(reps):
                fn()
            dt = (clock() - t) / reps * 1e6
            best = dt if best is None else min(best, dt)
        return round(best, 2)

    ops = {
        "F": lambda: group.base_mul(s),
        "V": lambda: group.mul(s, p),
        "A": lambda: group.add(p, p),
        "decode": lambda: group.decode_point(p),
    }
    out: dict[str, Any] = {}
    for name, fn in ops.items():
        out[f"{name}_us"] = per(fn, time.perf_counter)
        out[f"{name}_cpu_us"] = per(fn, time.process_time)
    out["note"] = f"best of 3 runs of {reps}, wall and CPU; a shared machine inflates both"
    return out


def msm_rates(terms: int = 8192) -> dict[str, Any] | None:
    """The native batch engine's rates on this machine (bastau-msm, one goroutine), in
    microseconds per term (a term: decode one ristretto255 point and multiply it inside
    filippo.io/edwards25519's multi-scalar multiplication): with 128-bit scalars (the random
    weights on A_j, B_j) and with full 256-bit ones (alpha, beta, G, Y); and per point added
    (go-ristretto decoding and addition, the sums). CPU from the reaped native process."""
    import secrets as pysecrets

    from bastau.primaries.e2e import batch

    path = batch.find_binary()
    if path is None:
        return None
    rng = TestRng(b"rates", "msm")
    pts = [group.base_mul(rng.scalar()) for _ in range(256)]
    points = [pts[i % 256] for i in range(terms)]
    small = [pysecrets.randbits(128).to_bytes(32, "little") + p for p in points]
    full = [group.scalar(pysecrets.randbits(256)) + p for p in points]
    out: dict[str, Any] = {"binary": path, "terms": terms}
    for name, fn in (
        ("term_128bit", lambda n: n.is_identity(small)),
        ("term_256bit", lambda n: n.is_identity(full)),
        ("sum_point", lambda n: n.sums([points])),
    ):
        best_wall = best_cpu = None
        for _ in range(3):
            kids = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            n = batch.Native(path, procs=1)
            fn(n)
            n.close()
            wall = time.perf_counter() - t
            now = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = now.ru_utime + now.ru_stime - kids.ru_utime - kids.ru_stime
            best_wall = wall if best_wall is None else min(best_wall, wall)
            best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
        out[f"{name}_us"] = round(best_wall / terms * 1e6, 2)
        out[f"{name}_cpu_us"] = round(best_cpu / terms * 1e6, 2)
    out["note"] = "best of 3 runs (process start included); a shared machine inflates both"
    return out


# The election --------------------------------------------------------------------------------
@dataclass
class Setup:
    seed: bytes
    phi: bytes
    y: bytes
    questions: list[tuple[str, int, int]]  # (id, n, k_max)
    threshold: int
    secrets: dict[int, bytes]  # trustee j -> s_j (a benchmark holds them all)
    keys: dict[int, bytes]  # trustee j -> K_j

    @classmethod
    def make(cls, seed: str, questions, threshold: int = 2, trustees: int = 3) -> Setup:
        sb = seed.encode()
        rng = TestRng(sb, "trustees")
        coefs = [rng.scalar() for _ in range(threshold)]
        secrets = {j: tally.eval_poly(coefs, j) for j in range(1, trustees + 1)}
        return cls(
            seed=sb,
            phi=hd(TAG_ELECTION, b"bench", sb),
            y=group.base_mul(coefs[0]),
            questions=[tuple(q) for q in questions],
            threshold=threshold,
            secrets=secrets,
            keys={j: group.base_mul(s) for j, s in secrets.items()},
        )

    def election(self, qi: int) -> ballot.Election:
        qid, n, k = self.questions[qi]
        return ballot.Election(self.phi, self.y, (ballot.Question(qid, n, 0, k),))

    def to_json(self) -> dict:
        return {
            "seed": self.seed.decode(),
            "phi": b64e(self.phi),
            "y": b64e(self.y),
            "questions": self.questions,
            "threshold": self.threshold,
            "secrets": {str(j): b64e(s) for j, s in self.secrets.items()},
            "keys": {str(j): b64e(k) for j, k in self.keys.items()},
        }

    @classmethod
    def from_json(cls, d: dict) -> Setup:
        return cls(
            seed=d["seed"].encode(),
            phi=b64d(d["phi"]),
            y=b64d(d["y"]),
            questions=[tuple(q) for q in d["questions"]],
            threshold=d["threshold"],
            secrets={int(j): b64d(s) for j, s in d["secrets"].items()},
            keys={int(j): b64d(k) for j, k in d["keys"].items()},
        )


def choices_for(rnd: random.Random, n: int, k_max: int) -> list[int]:
    """A voter's marks: 2% blank, otherwise 1..k_max candidates, uniformly."""
    count = 0 if rnd.random() < 0.02 else rnd.randint(1, k_max)
    picked = set(rnd.sample(range(n), count))
    return [1 if i in picked else 0 for i in range(n)]


def channel_of(index: int, paper_every: int) -> int:
    """Every paper_every-th ballot is a paper ballot (channel 1); 0 means none."""
    return 1 if paper_every and index % paper_every == paper_every - 1 else 0


# Worker state (set by the pool initializer) ----------------------------------------------
_SETUP: Setup | None = None
_ELECTIONS: dict[int, ballot.Election] = {}
_PATH: str | None = None


def _init(setup_json: dict, path: str | None = None) -> None:
    global _SETUP, _PATH
    _SETUP = Setup.from_json(setup_json)
    _ELECTIONS.clear()
    _PATH = path


def _election(qi: int) -> ballot.Election:
    e = _ELECTIONS.get(qi)
    if e is None:
        e = _ELECTIONS[qi] = _SETUP.election(qi)
    return e


def _add_into(sums: dict, key, cts) -> None:
    acc = sums.get(key)
    if acc is None:
        sums[key] = [(c.alpha, c.beta) for c in cts]
    else:
        for i, c in enumerate(cts):
            a, b = acc[i]
            acc[i] = (group.add(a, c.alpha), group.add(b, c.beta))


def _merge(into: dict, part: dict) -> None:
    for key, pts in part.items():
        acc = into.get(key)
        if acc is None:
            into[key] = list(pts)
        else:
            for i, (a2, b2) in enumerate(pts):
                a, b = acc[i]
                acc[i] = (group.add(a, a2), group.add(b, b2))


def _gen_chunk(task):
    """Ballots [start, start + count) of the plan: encrypted, proved, signed; their bytes, the
    chunk's encrypted sums and plain counts."""
    items, paper_every = task
    out = []
    sums: dict = {}
    counts: dict = {}
    for index, qi in items:
        qid, n, k = _SETUP.questions[qi]
        rnd = random.Random(f"{_SETUP.seed.decode()}/{index}")
        rng = TestRng(_SETUP.seed, f"ballot/{index}")
        marks = choices_for(rnd, n, k)
        x = rng.scalar()
        x_pub = group.base_mul(x)
        e = _election(qi)
        body, _ = ballot.encrypt_body(e, x_pub, [marks], rng)
        data = ballot.sign_body(e, body, x, rng)
        ch = channel_of(index, paper_every)
        out.append(HEADER.pack(qi, ch, len(data)) + data)
        b = ballot.decode(e, data)
        _add_into(sums, (qi, ch), b.parts[0].ciphertexts)
        c = counts.setdefault((qi, ch), [0] * n)
        for i, m in enumerate(marks):
            c[i] += m
    return b"".join(out), len(items), sums, counts


def _verify_chunk(span):
    """Read a chunk of the ballot file and check every ballot; its credentials and sums."""
    offset, size = span
    with open(_PATH, "rb") as f:
        f.seek(offset)
        data = f.read(size)
    pos = 0
    sums: dict = {}
    keys = []
    checked = 0
    while pos < len(data):
        qi, ch, length = HEADER.unpack_from(data, pos)
        pos += HEADER.size
        raw = data[pos : pos + length]
        pos += length
        e = _election(qi)
        try:
            b = ballot.verify(e, raw)
        except ballot.InvalidBallot as exc:
            raise RuntimeError(f"ballot at byte {offset + pos - length}: {exc}") from None
        keys.append(b.x_pub)
        _add_into(sums, (qi, ch), b.parts[0].ciphertexts)
        checked += 1
    return checked, keys, sums


def _plan(setup: Setup, ballots_per_question: list[int]) -> list[tuple[int, int]]:
    """(ballot index, question index) for every ballot, questions interleaved by a seeded
    shuffle (as arrival order would mix them)."""
    plan = [qi for qi, count in enumerate(ballots_per_question) for _ in range(count)]
    random.Random(setup.seed + b"/order").shuffle(plan)
    return list(enumerate(plan))


def generate(setup: Setup, ballots_per_question: list[int], path: Path, *, jobs: int,
             chunk: int, paper_every: int = 0) -> dict:  # fmt: skip
    """Write the ballot file and its index; the published totals and the plain counts."""
    plan = _plan(setup, ballots_per_question)
    tasks = [(plan[i : i + chunk], paper_every) for i in range(0, len(plan), chunk)]
    spans = []
    sums: dict = {}
    counts: dict = {}
    start = cpu_now()
    offset = 0
    with (
        open(path, "wb") as f,
        mp.get_context("fork").Pool(jobs, _init, (setup.to_json(),)) as pool,
    ):
        for blob, _n, part_sums, part_counts in pool.imap(_gen_chunk, tasks):
            f.write(blob)
            spans.append((offset, len(blob)))
            offset += len(blob)
            _merge(sums, part_sums)
            for key, c in part_counts.items():
                acc = counts.setdefault(key, [0] * len(c))
                for i, v in enumerate(c):
                    acc[i] += v
        pool.close()
        pool.join()  # reaped, so that their CPU time counts in RUSAGE_CHILDREN
    took = since(start)
    per_total: dict[str, int] = {}
    for i, qi in plan:
        key = f"{qi}/{channel_of(i, paper_every)}"
        per_total[key] = per_total.get(key, 0) + 1
    index = {
        "setup": setup.to_json(),
        "ballots": len(plan),
        "spans": spans,
        "totals": {f"{qi}/{ch}": [b64e(a + b) for a, b in pts] for (qi, ch), pts in sums.items()},
        "counts": {f"{qi}/{ch}": c for (qi, ch), c in counts.items()},
        "ballots_per_total": per_total,
    }
    Path(f"{path}.json").write_text(json.dumps(index))
    return {"ballots": len(plan), "bytes": offset, "jobs": jobs, **took}


def verify(path: Path, *, jobs: int) -> dict:
    """Every ballot checked, each credential once, the published totals recomputed."""
    index = json.loads(Path(f"{path}.json").read_text())
    start = cpu_now()
    sums: dict = {}
    seen: set[bytes] = set()
    checked = 0
    with mp.get_context("fork").Pool(jobs, _init, (index["setup"], str(path))) as pool:
        for n, keys, part in pool.imap_unordered(_verify_chunk, index["spans"]):
            checked += n
            for k in keys:
                if k in seen:
                    raise RuntimeError(f"credential {b64e(k)} used twice")
                seen.add(k)
            _merge(sums, part)
        pool.close()
        pool.join()
    if checked != index["ballots"]:
        raise RuntimeError(f"{checked} ballots checked, {index['ballots']} expected")
    published = index["totals"]
    if set(published) != {f"{qi}/{ch}" for qi, ch in sums}:
        raise RuntimeError("the published totals do not cover the same lists and channels")
    for (qi, ch), pts in sums.items():
        if [b64e(a + b) for a, b in pts] != published[f"{qi}/{ch}"]:
            raise RuntimeError(f"published total of list {qi} channel {CHANNELS[ch]} differs")
    return {"ballots": checked, "jobs": jobs, **since(start), **peak_rss_mb()}


def _totals(index: dict) -> list[tuple[str, list[Ciphertext]]]:
    out = []
    for key in sorted(index["totals"], key=lambda k: tuple(map(int, k.split("/")))):
        raw = [b64d(t) for t in index["totals"][key]]
        out.append((key, [Ciphertext(r[:32], r[32:]) for r in raw]))
    return out


def shares(path: Path, trustee: int, out: Path) -> dict:
    """Trustee j's decryption share of every total (D and its proof)."""
    index = json.loads(Path(f"{path}.json").read_text())
    setup = Setup.from_json(index["setup"])
    rng = TestRng(setup.seed, f"share/{trustee}")
    s_j, k_j = setup.secrets[trustee], setup.keys[trustee]
    start = cpu_now()
    result = {}
    count = 0
    for key, cts in _totals(index):
        result[key] = [
            b64e(b"".join(tally.decryption_share(setup.phi, trustee, s_j, k_j, ct.alpha, rng)))
            for ct in cts
        ]
        count += len(cts)
    took = since(start)
    out.write_text(json.dumps(result))
    return {"trustee": trustee, "totals": count, **took, **peak_rss_mb()}


def combine(path: Path, share_files: dict[int, Path]) -> dict:
    """Check every share's proof, combine t of them (Lagrange) and take the discrete logs; the
    counts must equal the plain counts of the generator."""
    index = json.loads(Path(f"{path}.json").read_text())
    setup = Setup.from_json(index["setup"])
    got = {j: json.loads(Path(p).read_text()) for j, p in share_files.items()}
    start = cpu_now()
    # A count is at most the number of ballots of its list and channel.
    bsgs = tally.BabyGiant(max(index["ballots_per_total"].values()))
    t_check = cpu_now()
    decoded = {}
    for j, table in got.items():
        for key, cts in _totals(index):
            ds = []
            for ct, item in zip(cts, table[key], strict=True):
                raw = b64d(item)
                d, proof = raw[:32], raw[32:]
                if not tally.verify_share(setup.phi, j, setup.keys[j], ct.alpha, d, proof):
                    raise RuntimeError(f"trustee {j}: share of {key} does not verify")
                ds.append(d)
            decoded[(j, key)] = ds
    check = since(t_check)
    t_dec = cpu_now()
    lam = tally.lagrange(sorted(got))
    totals = 0
    for key, cts in _totals(index):
        counts = []
        for i, ct in enumerate(cts):
            acc = ct.beta
            for j in got:
                acc = group.sub(acc, group.mul(lam[j], decoded[(j, key)][i]))
            counts.append(bsgs.log(acc))
        if counts != index["counts"][key]:
            raise RuntimeError(f"decrypted counts of {key} differ from the votes cast")
        totals += len(cts)
    dec = since(t_dec)
    return {
        "totals": totals,
        "trustees": sorted(got),
        "check_shares": check,
        "combine_and_dlog": dec,
        **since(start),
        **peak_rss_mb(),
        "counts_match_votes": True,
    }


# The product's record and verifier ------------------------------------------------------------
RECORD_UUID = "5e1f0c2a-7b3d-4e8f-9a6b-1c2d3e4f5a6b"
NONE_RULES = {"id": "none", "label": "none", "groups": []}


def build_record(seed: str, questions, ballots_per_question: list[int], out: Path, *, jobs: int,
                 chunk: int = 20, batch: int = 500) -> dict:  # fmt: skip
    """A whole `bastau-e2e/1` record made with the product's code (ceremony.simulate, credential
    list, manifest, record.RecordWriter, shares.make_share_payload), for the ballots our
    generator makes: SETUP, BATCH*, CLOSE, TALLY, SHARE of trustees 1 and 3, RESULT. Returns
    the server key (to pin), the ballot file's figures and the writer's time. Every voter on the
    roll votes online."""
    import datetime as dtm

    from bastau.primaries.e2e import ceremony, record, shares, signing

    sb = seed.encode()
    rng = TestRng(sb, "record")
    server_seed, ca_seed = rng.bytes(32), rng.bytes(32)
    tr, secrets = ceremony.simulate(RECORD_UUID, ["Aigerim", "Bolat", "Dana"], 2, rng)
    pk = ceremony.verify_transcript(tr, RECORD_UUID, 2)
    plan = _plan(Setup(sb, b"", b"", list(questions), 2, {}, {}), ballots_per_question)
    entries = [
        (questions[qi][0], group.base_mul(TestRng(sb, f"ballot/{i}").scalar())) for i, qi in plan
    ]
    cl = record.build_credentials(entries, ca_seed)
    qs = [
        record.question(
            qid,
            f"List {qid}",
            [
                record.candidate(
                    f"c{i}", f"Candidate {i}", woman=i % 2 == 1, youth=i % 5 == 0, disability=False
                )
                for i in range(n)
            ],
            k_max=k,
            list_length=max(1, min(n, k)),
            roll=ballots_per_question[qi],
        )  # fmt: skip
        for qi, (qid, n, k) in enumerate(questions)
    ]
    moment = dtm.datetime(2026, 12, 1, 3, 0, tzinfo=dtm.UTC)
    manifest = record.build_manifest(
        uuid=RECORD_UUID, slug="bench", title="Bench election", questions=qs,
        election_key=pk.y, threshold=2, trustee_count=3, trustees=tr, credentials=cl,
        ca_key=signing.public_key(ca_seed), server_key=signing.public_key(server_seed),
        opens=moment, closes=moment + dtm.timedelta(hours=12), rules=NONE_RULES,
        prefix_mode=False, reference_date=dtm.date(2026, 12, 1), tie_break_seed="bench",
    )  # fmt: skip
    w, first = record.RecordWriter.start(server_seed, manifest, tr, cl, "2026-11-30")
    setup = Setup(sb, w.phi, pk.y, list(questions), 2,
                  {j: secrets[j].share for j in secrets}, dict(pk.k))  # fmt: skip
    ballots_path = Path(f"{out}.ballots")
    gen = generate(setup, ballots_per_question, ballots_path, jobs=jobs, chunk=chunk)
    start = cpu_now()
    with open(out, "wb") as f:
        f.write(first)
        items = []
        with open(ballots_path, "rb") as b:
            data = b.read()
        pos = 0
        while pos < len(data):
            qi, _ch, length = HEADER.unpack_from(data, pos)
            pos += HEADER.size
            items.append((questions[qi][0], "online", data[pos : pos + length]))
            pos += length
            if len(items) == batch or pos >= len(data):
                f.write(w.batch(items, "2026-12-01"))
                items = []
        del data
        f.write(w.close(moment + dtm.timedelta(hours=12), "2026-12-01"))
        f.write(w.tally("2026-12-02"))
        for j in (1, 3):
            sp = shares.make_share_payload(
                w.tally_payload, w.phi, j, secrets[j].share, pk.k[j], secrets[j].seed, rng
            )
            f.write(w.share(sp, "2026-12-02", pk))
        f.write(w.result([1, 3], "2026-12-02"))
    index = json.loads(Path(f"{ballots_path}.json").read_text())
    result = record.parse_event(w_last_line(out)).payload
    for q in result["questions"]:
        qi = next(i for i, qq in enumerate(questions) if qq[0] == q["id"])
        if q["online"] != index["counts"][f"{qi}/0"]:
            raise RuntimeError(f"the record's RESULT for {q['id']} differs from the votes cast")
    Path(f"{out}.secrets.json").write_text(json.dumps({
        str(j): {"share": b64e(secrets[j].share), "seed": b64e(secrets[j].seed)} for j in secrets
    }))  # fmt: skip
    return {
        "server_key": b64e(signing.public_key(server_seed)),
        "generation": gen,
        "writer": since(start),
        "record_bytes": out.stat().st_size,
        "result_equals_votes": True,
    }


def w_last_line(path: Path) -> bytes:
    with open(path, "rb") as f:
        f.seek(max(0, path.stat().st_size - 4_000_000))
        return f.read().splitlines()[-1]


def verify_product(record_path: Path, server_key: str, jobs: int) -> dict:
    """The product's verifier (the code behind `bastau verify_election RECORD --jobs N`)."""
    from bastau.primaries.e2e import verify as product

    start = cpu_now()
    report = product.verify_record(
        product.iter_lines(str(record_path)), server_key=b64d(server_key), jobs=jobs
    )
    took = since(start)
    if report.failures or not report.ok:
        raise RuntimeError(f"the record does not verify: {report.failures[:5]}")
    return {"ok": True, "finished": report.finished, "jobs": jobs, "engine": report.engine,
            **took, **peak_rss_mb()}  # fmt: skip


def trustee_share(record_path: Path, server_key: str, trustee: int, jobs: int) -> dict:
    """What `bastau-trustee share` costs: verify the record (not yet final: no RESULT), then
    make the signed SHARE payload from its TALLY (the keystore's passphrase step aside)."""
    from bastau.primaries.e2e import shares
    from bastau.primaries.e2e import verify as product

    secrets = json.loads(Path(f"{record_path}.secrets.json").read_text())
    lines = []
    tally_payload = None
    phi = None
    with open(record_path, "rb") as f:
        for line in f:
            ev = json.loads(line)
            if ev["type"] in ("SHARE", "RESULT"):
                break
            lines.append(line.rstrip(b"\n"))
            if ev["type"] == "TALLY":
                tally_payload = ev["payload"]
            if ev["type"] == "SETUP":
                from bastau.primaries.e2e import canonical, record

                manifest = ev["payload"]["manifest"]
                phi = record.election_digest(canonical.dumps(manifest, "manifest"))
                keys = b64d(manifest["election_key"])  # noqa: F841
    cut = Path(f"{record_path}.to-tally")
    cut.write_bytes(b"".join(x + b"\n" for x in lines))
    del lines
    start = cpu_now()
    report = product.verify_record(
        product.iter_lines(str(cut)), server_key=b64d(server_key), final=False, jobs=jobs
    )
    if report.failures:
        raise RuntimeError(f"the record does not verify: {report.failures[:5]}")
    verified = since(start)
    t = cpu_now()
    s_j = b64d(secrets[str(trustee)]["share"])
    payload = shares.make_share_payload(
        tally_payload, phi, trustee, s_j, group.base_mul(s_j),
        b64d(secrets[str(trustee)]["seed"]), TestRng(b"trustee", str(trustee)),
    )  # fmt: skip
    share = since(t)
    return {
        "trustee": trustee,
        "entries": sum(len(q["online"]) + len(q["paper"]) for q in payload["questions"]),
        "verify_record": verified,
        "engine": report.engine,
        "make_share": share,
        **since(start),
        **peak_rss_mb(),
    }


def combine_record(record_path: Path) -> dict:
    """The product's combination (shares.combine: every share checked, Lagrange, BSGS) of the
    record's SHARE payloads; the counts must equal its RESULT."""
    from bastau.primaries.e2e import ceremony, shares

    setup = tally_payload = close = result = None
    share_payloads = []
    with open(record_path, "rb") as f:
        for line in f:
            ev = json.loads(line)
            kind = ev["type"]
            if kind == "SETUP":
                setup = ev["payload"]
            elif kind == "CLOSE":
                close = ev["payload"]
            elif kind == "TALLY":
                tally_payload = ev["payload"]
            elif kind == "SHARE":
                share_payloads.append(ev["payload"])
            elif kind == "RESULT":
                result = ev["payload"]
    from bastau.primaries.e2e import canonical, record

    manifest = setup["manifest"]
    phi = record.election_digest(canonical.dumps(manifest, "manifest"))
    keys = ceremony.verify_transcript(setup["trustees"], manifest["uuid"], manifest["threshold"])
    ballots = {q["id"]: {"online": q["online"], "paper": q["paper"]} for q in close["questions"]}
    start = cpu_now()
    combined = shares.combine(tally_payload, share_payloads, phi, keys, ballots)
    took = since(start)
    for q in result["questions"]:
        if combined.counts[q["id"]]["online"] != q["online"]:
            raise RuntimeError(f"combined counts of {q['id']} differ from the RESULT")
    return {
        "totals": sum(len(c) for q in combined.counts.values() for c in q.values()),
        "trustees": combined.trustees,
        **took,
        **peak_rss_mb(),
    }


def national_combine(record_path: Path, shape_path: Path) -> dict:
    """All totals of an election of which the record holds some lists: the record's TALLY for
    those, and for every other list and channel an encryption (under the record's election key)
    of the counts its voters' seeded marks give. Then trustees 1 and 3 make their SHARE
    payloads (shares.make_share_payload) and shares.combine checks every share, combines and
    takes the discrete logs; the counts must equal the marks."""
    from bastau.primaries.e2e import canonical, ceremony, record, shares
    from bastau.primaries.e2e.elgamal import encrypt

    shape = json.loads(Path(shape_path).read_text())
    secrets = json.loads(Path(f"{record_path}.secrets.json").read_text())
    setup = tally_payload = None
    with open(record_path, "rb") as f:
        for line in f:
            ev = json.loads(line)
            if ev["type"] == "SETUP":
                setup = ev["payload"]
            elif ev["type"] == "TALLY":
                tally_payload = ev["payload"]
    manifest = setup["manifest"]
    phi = record.election_digest(canonical.dumps(manifest, "manifest"))
    keys = ceremony.verify_transcript(setup["trustees"], manifest["uuid"], manifest["threshold"])
    in_record = {q["id"]: q for q in tally_payload["questions"]}
    seed = shape["seed"]
    rng = TestRng(seed.encode(), "rest")
    start = cpu_now()
    questions, expected, ballots = [], {}, {}
    identity = b64e(bytes(64))
    for (qid, n, k), count in zip(shape["questions"], shape["counts"], strict=True):
        if qid in in_record:
            questions.append(in_record[qid])
            expected[qid] = None  # checked against the record's own RESULT by the verifier
            ballots[qid] = {"online": count, "paper": 0}
            continue
        rnd = random.Random(f"{seed}/rest/{qid}")
        entry = {"id": qid}
        per = {"online": 0, "paper": 0}
        marks = {"online": [0] * n, "paper": [0] * n}
        for b in range(count):
            ch = "paper" if b % 20 == 19 else "online"
            per[ch] += 1
            for i, m in enumerate(choices_for(rnd, n, k)):
                marks[ch][i] += m
        for ch in ("online", "paper"):
            if per[ch] == 0:
                entry[ch] = [identity] * n
                continue
            cts = [encrypt(keys.y, m, rng.scalar()) for m in marks[ch]]
            entry[ch] = [b64e(c.alpha + c.beta) for c in cts]
        questions.append(entry)
        expected[qid] = marks
        ballots[qid] = per
    full_tally = {"questions": questions}
    made = since(start)
    payloads, share_times = [], {}
    for j in (1, 3):
        t = cpu_now()
        s_j = b64d(secrets[str(j)]["share"])
        payloads.append(shares.make_share_payload(
            full_tally, phi, j, s_j, keys.k[j], b64d(secrets[str(j)]["seed"]),
            TestRng(b"national", f"share/{j}"),
        ))  # fmt: skip
        share_times[j] = since(t)
    t = cpu_now()
    combined = shares.combine(full_tally, payloads, phi, keys, ballots)
    comb = since(t)
    for qid, marks in expected.items():
        if marks is not None and combined.counts[qid] != marks:
            raise RuntimeError(f"decrypted counts of {qid} differ from the votes")
    entries = sum(len(q["online"]) + len(q["paper"]) for q in questions)
    return {
        "lists": len(questions),
        "totals": entries,
        "non_empty_totals": sum(
            1 for q in questions for ch in ("online", "paper") for x in q[ch] if x != identity
        ),
        "synthesize_other_lists": made,
        "share_per_trustee": share_times,
        "check_combine_decrypt": comb,
        "counts_match_votes": True,
        **peak_rss_mb(),
    }


def main(argv: list[str]) -> None:
    step, *rest = argv
    if step == "verify":
        figures = verify(Path(rest[0]), jobs=int(rest[1]))
    elif step == "shares":
        figures = shares(Path(rest[0]), int(rest[1]), Path(rest[2]))
    elif step == "combine":
        files = {int(a.split("=", 1)[0]): Path(a.split("=", 1)[1]) for a in rest[1:]}
        figures = combine(Path(rest[0]), files)
    elif step == "verify-record":
        figures = verify_product(Path(rest[0]), rest[1], int(rest[2]))
    elif step == "trustee":
        figures = trustee_share(Path(rest[0]), rest[1], int(rest[2]), int(rest[3]))
    elif step == "combine-record":
        figures = combine_record(Path(rest[0]))
    elif step == "national-combine":
        figures = national_combine(Path(rest[0]), Path(rest[1]))
    elif step == "rates":
        figures = rbcl_rates()
    else:
        raise SystemExit(f"unknown step {step}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
