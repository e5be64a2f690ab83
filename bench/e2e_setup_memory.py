"""Memory of verifying a national-size SETUP: 662,687 credentials in 3,400 questions (10,990
candidates), then `n` ballots. Prints the time and the peak RSS of the verifier.

.venv/bin/python bench/e2e_setup_memory.py [credentials] [questions] [candidates]
"""

import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid

import rbcl

from bastau.primaries import quota
from bastau.primaries.e2e import ceremony, record
from bastau.primaries.e2e.hashing import TestRng, hd


def main(n_cred=662_687, n_q=3_400, n_cand=10_990):
    rng = TestRng(b"bench", "setup")
    uid = str(uuid.UUID(int=2))
    server, ca = rng.bytes(32), rng.bytes(32)
    tr, _secrets = ceremony.simulate(uid, ["A", "B", "C"], 2, rng)
    pk = ceremony.verify_transcript(tr, uid, 2)
    t0 = time.perf_counter()
    # random valid points (hash to the group): the verifier's work does not depend on x
    xs = [rbcl.crypto_core_ristretto255_from_hash(hd(b"x", i.to_bytes(8, "big")) * 2)
          for i in range(n_cred)]  # fmt: skip
    qids = [f"q{i:04d}" for i in range(n_q)]
    entries = [(qids[i % n_q], x) for i, x in enumerate(xs)]
    cl = record.build_credentials(entries, ca)
    rolls = [0] * n_q
    for i in range(n_cred):
        rolls[i % n_q] += 1
    per_q = [n_cand // n_q + (1 if i < n_cand % n_q else 0) for i in range(n_q)]
    qs = [
        record.question(qid, f"List {qid}", [
            record.candidate(f"c{c}", f"Candidate {c}", woman=c % 3 == 0, youth=c % 4 == 0,
                             disability=False) for c in range(per_q[i])],
            k_max=1, list_length=min(2, per_q[i]), roll=rolls[i])
        for i, qid in enumerate(qids)
    ]  # fmt: skip
    m = record.build_manifest(
        uuid=uid, slug="national", title="National", questions=qs, election_key=pk.y,
        threshold=2, trustee_count=3, trustees=tr, credentials=cl,
        ca_key=record.signing.public_key(ca), server_key=record.signing.public_key(server),
        opens=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        closes=dt.datetime(2026, 12, 2, tzinfo=dt.UTC),
        rules=quota.PRESETS["party-2019"].to_dict(), prefix_mode=False,
        reference_date=dt.date(2026, 12, 1),
    )  # fmt: skip
    _w, setup = record.RecordWriter.start(server, m, tr, cl, "2026-12-01")
    path = os.path.join(tempfile.mkdtemp(), "setup.jsonl")
    with open(path, "wb") as f:
        f.write(setup)
    del xs, entries, cl, qs, m, setup, _w
    built = time.perf_counter() - t0
    print(f"built the SETUP ({os.path.getsize(path) / 1e6:.1f} MB) in {built:.1f} s")
    # verified in a process of its own, so its peak memory is its own
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "bastau.primaries.e2e.verify", path, "--unfinished"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    took = time.perf_counter() - t0
    assert res.returncode == 0, res.stdout[-2000:]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"verified in {took:.1f} s; peak RSS of the verifier {peak:.0f} MB")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
