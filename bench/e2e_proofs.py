"""Per-proof and per-ballot cost of the pure-Python core (rbcl / libsodium 1.0.18), one core.

.venv/bin/python bench/e2e_proofs.py [n] [k_max]      (default 73 candidates, k_max = 20)
"""

import sys
import time
import uuid

from bastau.primaries.e2e import ballot, credentials, group, proofs
from bastau.primaries.e2e.elgamal import encrypt
from bastau.primaries.e2e.hashing import TAG_ELECTION, SystemRng, hd


def per(fn, reps):
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t) / reps * 1000


def main(n=73, k_max=20):
    rng = SystemRng()
    y = group.base_mul(rng.scalar())
    phi = hd(TAG_ELECTION, b"bench")
    s = rng.scalar()
    p = group.base_mul(rng.scalar())
    print(f"F (fixed-base)    {per(lambda: group.base_mul(s), 2000) * 1000:7.1f} us")
    print(f"V (variable-base) {per(lambda: group.mul(s, p), 2000) * 1000:7.1f} us")
    print(f"A (addition)      {per(lambda: group.add(p, p), 2000) * 1000:7.1f} us")
    r = rng.scalar()
    ct = encrypt(y, 1, r)
    print(f"encrypt one       {per(lambda: encrypt(y, 1, r), 500):7.3f} ms")
    pr = proofs.prove_bit(phi, "q", p, 0, y, ct, 1, r, rng)
    prove_ms = per(lambda: proofs.prove_bit(phi, "q", p, 0, y, ct, 1, r, rng), 300)
    verify_ms = per(lambda: proofs.verify_bit(phi, "q", p, 0, y, ct, pr), 300)
    print(f"0/1 prove         {prove_ms:7.3f} ms")
    print(f"0/1 verify        {verify_ms:7.3f} ms")
    election = ballot.Election(phi, y, (ballot.Question("q", n, 0, k_max),))
    x = credentials.secret_key(uuid.uuid4(), credentials.new_credential(rng))
    x_pub = credentials.public_key(x)
    choices = [[1] * k_max + [0] * (n - k_max)]
    reps = 10
    t0 = time.perf_counter()
    for _ in range(reps):
        body, _ = ballot.encrypt_body(election, x_pub, choices, rng)
        signed = ballot.sign_body(election, body, x, rng)
    t1 = time.perf_counter()
    for _ in range(reps):
        ballot.verify(election, signed)
    t2 = time.perf_counter()
    print(f"ballot n={n} k_max={k_max}: {len(signed)} bytes, "
          f"encrypt+prove+sign {(t1 - t0) / reps * 1000:.1f} ms, "
          f"verify {(t2 - t1) / reps * 1000:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
