"""The trustees' known-answer vectors: pinned, and rechecked from first principles."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

from bastau.primaries.e2e import canonical, ceremony, group, shares, signing, tally
from bastau.primaries.e2e.hashing import PREFIX, TestRng, b64d, hd, hs, text, u64

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "e2e-v1-trustees.json"
V = json.loads(VECTORS.read_text(encoding="utf-8"))
C = V["ceremony"]
H = bytes.fromhex


def test_committed_json_is_the_generators_output():
    out = subprocess.run(
        [sys.executable, "-m", "bastau.primaries.e2e.vectors_trustees"],
        capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip
    assert out == VECTORS.read_text(encoding="utf-8")


def test_draws_are_the_test_rng():
    rng = TestRng(H(V["seed"]), C["rng"]["label"])
    assert [rng.scalar().hex() for _ in C["rng"]["draws"]] == C["rng"]["draws"]


def test_context_digests_and_signatures_by_hand():
    m, t = len(C["names"]), C["t"]
    kappa = hd(PREFIX + b"dkg-context", uuid.UUID(V["uuid"]).bytes, u64(m), u64(t),
               *(text(n) for n in C["names"]))  # fmt: skip
    assert kappa.hex() == C["context"]
    for tv in C["trustees"]:
        i = tv["index"]
        pts = [H(c) for c in tv["commitments"]]
        assert [group.base_mul(H(a)) for a in tv["polynomial"]] == pts
        digest = hd(PREFIX + b"dkg-coefs", kappa, u64(i), *pts)
        assert digest.hex() == tv["coefs_digest"]
        cert = canonical.loads(tv["certificate"].encode())
        assert b64d(cert["coefs"]) == digest
        assert b64d(cert["sign_key"]) == signing.public_key(H(tv["seed"]))
        for kind in ("certificate", "reveal", "key"):
            obj = canonical.loads(tv[kind].encode())
            body = canonical.dumps({k: v for k, v in obj.items() if k != "sig"})
            d = hd(PREFIX + b"dkg-" + kind.encode(), body)
            assert signing.verify(b64d(cert["sign_key"]), "trustee", d, b64d(obj["sig"]))
        # Proof of knowledge of a_i0: R = z*G + c*C_i0, c = Hs(pok, kappa, "coef", i, C_i0, R).
        rev = canonical.loads(tv["reveal"].encode())
        pok = b64d(rev["pok"])
        c = hs(PREFIX + b"pok", kappa, b"coef", u64(i), pts[0], pok[:32])
        assert group.add(group.base_mul(pok[32:]), group.mul(c, pts[0])) == pok[:32]
        # K_j = s_j*G = sum_i sum_k j^k C_ik.
        assert group.base_mul(H(tv["s"])).hex() == tv["K"]
        expected = group.IDENTITY
        for other in C["trustees"]:
            for k, ck in enumerate(other["commitments"]):
                expected = group.add(expected, group.mul(group.scalar(i**k), H(ck)))
        assert expected.hex() == tv["K"]
    y = group.point_sum(H(tv["commitments"][0]) for tv in C["trustees"])
    assert y.hex() == C["Y"]


def test_transcript_verifies_and_shares_dealt_match_the_commitments():
    tr = canonical.loads(C["transcript"].encode())
    assert ceremony.transcript_digest(tr).hex() == C["transcript_digest"]
    assert hd(PREFIX + b"trustees", C["transcript"].encode()).hex() == C["transcript_digest"]
    pk = ceremony.verify_transcript(tr, V["uuid"], C["t"])
    assert pk.y.hex() == C["Y"]
    polys = {tv["index"]: [H(a) for a in tv["polynomial"]] for tv in C["trustees"]}
    for dealt in C["shares_dealt"]:
        share = canonical.loads(dealt["text"].encode())
        assert b64d(share["share"]) == tally.eval_poly(polys[dealt["from"]], dealt["to"])
    # Each deal's boxes open with the recipient's seal secret to exactly those texts.
    secrets = {tv["index"]: H(tv["seal_secret"]) for tv in C["trustees"]}
    opened = []
    for tv in C["trustees"]:
        deal = canonical.loads(tv["deal"].encode())
        for s in deal["sealed"]:
            plain = ceremony.open_sealed(secrets[s["to"]], b64d(s["box"]))
            opened.append({"from": tv["index"], "to": s["to"], "text": plain.decode()})
    assert opened == C["shares_dealt"]


def test_complaint_names_the_dealer():
    tr = canonical.loads(C["transcript"].encode())
    entries = tr["trustees"]
    complaint = canonical.loads(V["complaint"]["text"].encode())
    setup = canonical.loads(C["setup"].encode())
    certs = [e["certificate"] for e in entries]
    reveals = [e["reveal"] for e in entries]
    assert ceremony.verify_complaint(complaint, setup, certs, reveals) == 1


def test_lagrange_and_share_payloads():
    ks = {tv["index"]: H(tv["K"]) for tv in C["trustees"]}
    for case in V["lagrange"]:
        lam = tally.lagrange(case["indices"])
        assert {str(j): v.hex() for j, v in lam.items()} == case["lambda"]
        y = group.point_sum(group.mul(lam[j], ks[j]) for j in case["indices"])
        assert y.hex() == case["Y"] == C["Y"]
    pk = ceremony.verify_transcript(canonical.loads(C["transcript"].encode()), V["uuid"], 2)
    S = V["shares"]
    tally_payload = canonical.loads(S["tally"].encode())
    phi = H(S["phi"])
    payloads = [canonical.loads(p["text"].encode()) for p in S["payloads"]]
    for p, pv in zip(payloads, S["payloads"], strict=True):
        assert shares.verify_share_payload(p, tally_payload, phi, pk)[0] == pv["trustee"]
        assert shares.share_digest(p).hex() == pv["digest"]
    res = shares.combine(tally_payload, payloads, phi, pk, len(S["ballots"]))
    assert res.counts == S["combined"]
    assert S["combined"]["q1"]["online"] == [sum(b[i] for b in S["ballots"]) for i in range(3)]
