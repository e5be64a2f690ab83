"""Whole-record verification: a synthetic encrypted record, verified with 1 and 2 processes.

.venv/bin/python bench/e2e_record.py [ballots] [candidates] [k_max]   (default 100, 73, 20)

Builds a record (3 trustees, t = 2; one question; every ballot online with its own credential),
writes it to a temporary file, and times `verify_record` reading it line by line; prints the
time per ballot and the peak memory of the verifying process and of its workers.
"""

import datetime as dt
import os
import resource
import sys
import tempfile
import time
import uuid

from bastau.primaries import quota
from bastau.primaries.e2e import ballot, ceremony, credentials, record, shares, verify
from bastau.primaries.e2e.hashing import TestRng


def build(n_ballots, n, k_max, path):
    rng = TestRng(b"bench", "record")
    uid = str(uuid.UUID(int=1))
    server, ca = rng.bytes(32), rng.bytes(32)
    tr, secrets = ceremony.simulate(uid, ["A", "B", "C"], 2, rng)
    pk = ceremony.verify_transcript(tr, uid, 2)
    xs = [rng.scalar() for _ in range(n_ballots)]
    cl = record.build_credentials([("q", credentials.public_key(x)) for x in xs], ca)
    cands = [
        record.candidate(f"c{i}", f"C {i}", woman=i % 3 == 0, youth=i % 5 == 0, disability=False)
        for i in range(n)
    ]
    q = record.question("q", "Q", cands, k_max=k_max, list_length=min(n, 20), roll=n_ballots)
    m = record.build_manifest(
        uuid=uid, slug="bench", title="bench", questions=[q], election_key=pk.y, threshold=2,
        trustee_count=3, trustees=tr, credentials=cl, ca_key=record.signing.public_key(ca),
        server_key=record.signing.public_key(server),
        opens=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        closes=dt.datetime(2026, 12, 2, tzinfo=dt.UTC),
        rules=quota.PRESETS["party-2019"].to_dict(), prefix_mode=False,
        reference_date=dt.date(2026, 12, 1),
    )  # fmt: skip
    w, setup = record.RecordWriter.start(server, m, tr, cl, "2026-12-01")
    lines = [setup]
    el = record.question_election(w.phi, pk.y, q)
    t0 = time.perf_counter()
    batch = []
    for i, x in enumerate(xs):
        choices = [1 if (i + c) % n < k_max // 2 + 1 else 0 for c in range(n)]
        body, _a = ballot.encrypt_body(el, credentials.public_key(x), [choices], rng)
        batch.append(("q", "online", ballot.sign_body(el, body, x, rng)))
        if len(batch) == 50:
            lines.append(w.batch(batch, "2026-12-01"))
            batch = []
    if batch:
        lines.append(w.batch(batch, "2026-12-01"))
    made = time.perf_counter() - t0
    lines.append(w.close(dt.datetime(2026, 12, 2, tzinfo=dt.UTC), "2026-12-02"))
    lines.append(w.tally("2026-12-02"))
    for j in (1, 2):
        s = secrets[j]
        sp = shares.make_share_payload(w.tally_payload, w.phi, j, s.share, pk.k[j], s.seed, rng)
        lines.append(w.share(sp, "2026-12-02"))
    lines.append(w.result([1, 2], "2026-12-02"))
    with open(path, "wb") as f:
        f.write(b"".join(lines))
    return made


def main(n_ballots=100, n=73, k_max=20):
    path = os.path.join(tempfile.mkdtemp(), "record.jsonl")
    made = build(n_ballots, n, k_max, path)
    size = os.path.getsize(path)
    print(f"built {n_ballots} ballots x {n} candidates (k_max {k_max}) in {made:.1f} s, "
          f"record {size / 1e6:.1f} MB")  # fmt: skip
    for jobs in (1, 2):
        t0 = time.perf_counter()
        rep = verify.verify_record(verify.iter_lines(path), jobs=jobs)
        dt_ = time.perf_counter() - t0
        assert rep.ok, rep.failures[:3]
        print(f"jobs={jobs}: {dt_:.2f} s, {dt_ / n_ballots * 1000:.1f} ms per ballot")
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: verifier {me:.0f} MB, largest worker {kids:.0f} MB")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
