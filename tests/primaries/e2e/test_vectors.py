"""The committed known-answer vectors: pinned, and reproduced by the reference code."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bastau.primaries.e2e import ballot, credentials, group, hashing, merkle, proofs, tally
from bastau.primaries.e2e.elgamal import Ciphertext, ciphertext_sum, encrypt
from bastau.primaries.e2e.hashing import TestRng, b64d, b64e

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "e2e-v1.json"
V = json.loads(VECTORS.read_text())
SEED = bytes.fromhex(V["seed"])
H = bytes.fromhex


def test_committed_json_is_the_generators_output():
    out = subprocess.run(
        [sys.executable, "-m", "bastau.primaries.e2e.vectors"],
        capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip
    assert out == VECTORS.read_text(encoding="utf-8")


def test_framing_and_hashes():
    for case in V["framing"][:-1]:
        tag, parts = case["tag"].encode(), [H(p) for p in case["parts"]]
        assert hashing.frame(tag, *parts).hex() == case["framed"]
        assert hashing.hd(tag, *parts).hex() == case["Hd"]
        assert hashing.hs(tag, *parts).hex() == case["Hs"]
    assert V["framing"][-1]["enc"] == "00000000"
    # The second case spells out the framing by hand.
    assert V["framing"][1]["framed"].startswith(
        "00000011" + b"bastau/v1/tracker".hex() + "00000003"
    )


def test_test_rng_draws():
    rng = TestRng(SEED, V["test_rng"]["label"])
    assert [rng.scalar().hex() for _ in range(3)] == V["test_rng"]["draws"]
    for vec in (V["credential"], V["ballot"], V["bit_proof"], V["merkle"], V["decryption"]):
        rng = TestRng(SEED, vec["rng"]["label"])
        assert [rng.scalar().hex() for _ in vec["rng"]["draws"]] == vec["rng"]["draws"]


def test_base64url():
    for case in V["base64url"]["valid"]:
        assert b64e(H(case["hex"])) == case["text"]
        assert b64d(case["text"]) == H(case["hex"])
    for bad in V["base64url"]["invalid"]:
        with pytest.raises(ValueError):
            b64d(bad)


def test_rfc9496_multiples_and_invalid_encodings():
    p = group.IDENTITY
    for k, hexed in enumerate(V["ristretto255"]["multiples"]):
        assert group.small_mul(k).hex() == hexed
        assert p.hex() == hexed
        p = group.add(p, group.G)
        assert group.decode_point(H(hexed), allow_identity=True) == H(hexed)
    with pytest.raises(group.EncodingError):
        group.decode_point(group.IDENTITY)
    for bad in V["ristretto255"]["invalid"]:
        with pytest.raises(group.EncodingError):
            group.decode_point(H(bad), allow_identity=True)
    for bad in V["ristretto255"]["invalid_scalars"]:
        with pytest.raises(group.EncodingError):
            group.decode_scalar(H(bad))
    assert int(V["ristretto255"]["l"]) == group.L


def test_credential():
    c = V["credential"]
    assert credentials.format_credential(H(c["value"])) == c["text"]
    assert credentials.new_credential(TestRng(SEED, c["rng"]["label"])) == c["text"]
    for form in c["accepted_forms"]:
        assert credentials.parse_credential(form) == H(c["value"])
    for bad in c["refused"]:
        with pytest.raises(credentials.CredentialError):
            credentials.parse_credential(bad)
    x = credentials.secret_key(uuid.UUID(V["uuid"]), c["text"])
    assert x.hex() == c["x"]
    assert credentials.public_key(x).hex() == c["X"]


def test_trustees_dealing():
    t = V["trustees"]
    coefs = [H(a) for a in t["coefficients"]]
    assert group.base_mul(coefs[0]).hex() == t["Y"]
    for j, s in t["secrets"].items():
        assert tally.eval_poly(coefs, int(j)).hex() == s
        assert group.base_mul(H(s)).hex() == t["K"][j]


def test_encryption():
    e = V["encryption"]
    ct = encrypt(H(e["Y"]), e["m"], H(e["r"]))
    assert (ct.alpha.hex(), ct.beta.hex()) == (e["alpha"], e["beta"])


def _bit(v, **change):
    args = dict(phi=H(v["phi"]), question=v["question"], x_pub=H(v["X"]), index=v["index"],
                y=H(v["Y"]), ct=Ciphertext(H(v["alpha"]), H(v["beta"])))  # fmt: skip
    args.update(change)
    return args


def test_bit_proof_reproduced_and_verified():
    v = V["bit_proof"]
    a = _bit(v)
    rng = TestRng(SEED, v["rng"]["label"])
    pr = proofs.prove_bit(**a, m=v["m"], r=H(v["r"]), rng=rng)
    assert pr.to_bytes().hex() == v["proof"]
    decoded = proofs.RangeProof.from_bytes(H(v["proof"]), 0, 1)
    assert proofs.verify_bit(**a, proof=decoded)
    ws = v["wrong_statements"]
    assert not proofs.verify_bit(**_bit(v, index=ws["index"]), proof=decoded)
    assert not proofs.verify_bit(**_bit(v, question=ws["question"]), proof=decoded)
    for name, bad in v["invalid_proofs"].items():
        try:
            p = proofs.RangeProof.from_bytes(H(bad), 0, 1)
        except group.EncodingError:
            continue
        assert not proofs.verify_bit(**a, proof=p), name


def test_sum_proof_reproduced_and_verified():
    v = V["sum_proof"]
    y, x_pub, phi = H(v["Y"]), H(v["X"]), H(v["phi"])
    rng = TestRng(SEED, v["rng"]["label"])
    rs = [rng.scalar() for _ in v["m"]]
    assert [r.hex() for r in rs] == v["r"]
    total = ciphertext_sum([encrypt(y, m, r) for m, r in zip(v["m"], rs, strict=True)])
    assert (total.alpha.hex(), total.beta.hex()) == (v["sum_alpha"], v["sum_beta"])
    args = (phi, v["question"], x_pub, v["n"], v["k_min"], v["k_max"], y, total)
    pr = proofs.prove_sum(*args, sum(v["m"]), H(v["sum_r"]), rng)
    assert pr.to_bytes().hex() == v["proof"]
    assert proofs.verify_sum(*args, proofs.RangeProof.from_bytes(H(v["proof"]), 1, 2))


def _election(v):
    e = v["election"]
    qs = tuple(ballot.Question(q["id"], q["n"], q["k_min"], q["k_max"]) for q in e["questions"])
    return ballot.Election(H(e["phi"]), H(e["Y"]), qs)


def test_ballot_reproduced_and_verified():
    v = V["ballot"]
    election = _election(v)
    x = credentials.secret_key(uuid.UUID(V["uuid"]), v["credential"])
    rng = TestRng(SEED, v["rng"]["label"])
    body, audit = ballot.encrypt_body(election, H(v["X"]), v["choices"], rng)
    assert body.hex() == v["body"]
    assert ballot.tracker(body).hex() == v["tracker"]
    signed = ballot.sign_body(election, body, x, rng)
    assert signed.hex() == v["ballot"] and len(signed) == v["size"] == election.body_size + 64
    assert [[r.hex() for r in q] for q in audit.randomness] == v["randomness"]
    b = ballot.verify(election, signed)
    assert b.tracker.hex() == v["tracker"] and b.sigma.hex() == v["sigma"]
    assert ballot.check_audit(election, body, audit)


def test_merkle():
    v = V["merkle"]
    leaves = [merkle.leaf_hash(H(e["T"]), H(e["sigma"])) for e in v["entries"]]
    assert [lf.hex() for lf in leaves] == v["leaves"]
    for n, r in v["roots"].items():
        assert merkle.root(leaves[: int(n)]).hex() == r
    root = H(v["roots"]["5"])
    for i, path in enumerate(v["paths"]):
        assert [p.hex() for p in merkle.inclusion_path(leaves, i)] == path
        assert merkle.verify_inclusion(leaves[i], i, 5, [H(p) for p in path], root)
        assert not merkle.verify_inclusion(leaves[i], (i + 1) % 5, 5, [H(p) for p in path], root)


def test_lagrange():
    for case in V["lagrange"]:
        got = tally.lagrange(case["indices"])
        assert {str(j): s.hex() for j, s in got.items()} == case["lambda"]
        total = group.ZERO
        for s in got.values():
            total = group.s_add(total, s)
        assert total == group.scalar(1)  # the lambdas interpolate the constant 1


def test_decryption():
    v = V["decryption"]
    t = V["trustees"]
    a_pt = H(v["A"])
    rng = TestRng(SEED, v["rng"]["label"])
    for _ in range(3):
        rng.scalar()  # the three encryptions' r
    ds = {}
    for s in v["shares"]:
        j = s["j"]
        d, pr = tally.decryption_share(H(V["phi"]), j, H(t["secrets"][str(j)]), H(t["K"][str(j)]),
                                       a_pt, rng)  # fmt: skip
        assert (d.hex(), pr.hex()) == (s["D"], s["proof"])
        assert tally.verify_share(H(V["phi"]), j, H(t["K"][str(j)]), a_pt, d, pr)
        ds[j] = d
    point = tally.combine(H(v["B"]), ds)
    assert point.hex() == v["combined"]
    assert tally.BabyGiant(v["n_max"]).log(point) == v["count"]
    assert tally.check_count(point, v["count"], v["n_max"])
