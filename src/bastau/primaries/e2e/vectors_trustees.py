"""Known-answer vectors of the trustees' side:
`python -m bastau.primaries.e2e.vectors_trustees > tests/vectors/e2e-v1-trustees.json`.

A whole 2-of-3 key ceremony (every message as its exact canonical text), a complaint, Lagrange
reconstruction, a TALLY with SHARE payloads and their combination. Randomness: TestRng(SEED,
label) of vectors.py (SEED is the same top-level seed), each listed with its draws. Ceremony
draw order (label "ceremony", ceremony.simulate): trustees 1..m make_certificate (Ed25519 seed =
first 32 bytes of a draw, seal secret likewise, then a_i0..a_i(t-1)); trustees 1..m reveal (the
proof of knowledge's w, then one ephemeral seal key per recipient j != i, ascending); trustees
1..m key (the proof of knowledge's w). Bytes in the messages are base64url as on the wire;
other bytes are lowercase hex. tests/vectors/README.md describes the keys.
"""

from __future__ import annotations

import itertools
import json
import sys

from . import canonical, ceremony, group, shares, tally
from .elgamal import ciphertext_sum, encrypt
from .hashing import TAG_ELECTION, TestRng, b64d, b64e, hd
from .vectors import SEED, Recording

UUID = "6f1d0c2e-9a43-4b7e-8f25-3c1e0d9b7a51"
NAMES = ["Әйгерім Сәрсенова", "Bolat Kim", "Saule Ospanova"]
THRESHOLD = 2


def _text(obj) -> str:
    return canonical.dumps(obj).decode("utf-8")


def main() -> dict:
    out: dict = {"version": "bastau/e2e-v1-trustees", "seed": SEED.hex(), "uuid": UUID}
    rec = Recording("ceremony")
    setup_obj = ceremony.make_setup(UUID, NAMES, THRESHOLD)
    setup = ceremony.parse_setup(setup_obj)
    # The steps of simulate(), kept here so every message can be listed.
    states, certs = [], []
    for i in range(1, setup.m + 1):
        st, cert = ceremony.make_certificate(setup_obj, i, rec)
        states.append(st)
        certs.append(cert)
    reveals, deals = [], []
    for st in states:
        rev, deal = ceremony.reveal(st, certs, rec)
        reveals.append(rev)
        deals.append(deal)
    keys, secret_shares, plaintexts = [], {}, []
    for st in states:
        res = ceremony.check_shares(st, certs, reveals, deals, rec)
        keys.append(res.key)
        secret_shares[st["index"]] = res.share
    for deal, st in zip(deals, states, strict=True):
        for s in deal["sealed"]:
            j = s["to"]
            plain = ceremony.open_sealed(b64d(states[j - 1]["seal_secret"]), b64d(s["box"]))
            plaintexts.append({"from": st["index"], "to": j, "text": plain.decode("utf-8")})
    tr = ceremony.assemble_transcript([setup_obj, *certs, *reveals, *keys])
    pk = ceremony.verify_transcript(tr, UUID, THRESHOLD)
    # The same bytes as simulate() with the same RNG.
    sim_tr, _ = ceremony.simulate(UUID, NAMES, THRESHOLD, TestRng(SEED, "ceremony"))
    assert sim_tr == tr
    commitments = {i + 1: [b64d(c) for c in r["coefs"]] for i, r in enumerate(reveals)}
    out["ceremony"] = {
        "rng": rec.json(),
        "names": NAMES,
        "t": THRESHOLD,
        "setup": _text(setup_obj),
        "context": setup.kappa.hex(),
        "trustees": [
            {
                "index": st["index"],
                "seed": b64d(st["seed"]).hex(),
                "seal_secret": b64d(st["seal_secret"]).hex(),
                "polynomial": [b64d(a).hex() for a in st["poly"]],
                "commitments": [c.hex() for c in commitments[st["index"]]],
                "coefs_digest": ceremony.coefs_digest(
                    setup.kappa, st["index"], commitments[st["index"]]
                ).hex(),
                "certificate": _text(certs[st["index"] - 1]),
                "reveal": _text(reveals[st["index"] - 1]),
                "deal": _text(deals[st["index"] - 1]),
                "key": _text(keys[st["index"] - 1]),
                "s": secret_shares[st["index"]].hex(),
                "K": pk.k[st["index"]].hex(),
            }
            for st in states
        ],
        "shares_dealt": plaintexts,
        "certificates_digest": ceremony.list_digest(ceremony.TAG_DKG_CERTIFICATES, certs).hex(),
        "reveals_digest": ceremony.list_digest(ceremony.TAG_DKG_REVEALS, reveals).hex(),
        "transcript": _text(tr),
        "transcript_digest": ceremony.transcript_digest(tr).hex(),
        "Y": pk.y.hex(),
    }

    # A complaint: trustee 1 deals trustee 2 the share f_1(2) + 1, signed; trustee 2 complains.
    st1 = states[0]
    good = ceremony.canonical.loads(plaintexts[0]["text"].encode())
    bad_value = group.s_add(b64d(good["share"]), group.scalar(1))
    bad = ceremony.sign_object(b64d(st1["seed"]), dict(good, share=b64e(bad_value)))
    complaint = ceremony.sign_object(
        b64d(states[1]["seed"]),
        {"type": "complaint", "context": b64e(setup.kappa), "from": 2, "against": 1,
         "share": bad},
    )  # fmt: skip
    assert ceremony.verify_complaint(complaint, setup_obj, certs, reveals) == 1
    out["complaint"] = {"text": _text(complaint), "names_dealer": 1}

    # Lagrange: every subset of trustees recovers Y from the K_j and sum a_i0 from the s_j.
    out["lagrange"] = []
    for subset in [*itertools.combinations((1, 2, 3), 2), (1, 2, 3)]:
        lam = tally.lagrange(list(subset))
        s = group.ZERO
        y = group.IDENTITY
        for j in subset:
            s = group.s_add(s, group.s_mul(lam[j], secret_shares[j]))
            y = group.add(y, group.mul(lam[j], pk.k[j]))
        assert y == pk.y == group.base_mul(s)
        out["lagrange"].append(
            {"indices": list(subset), "lambda": {str(j): lam[j].hex() for j in subset},
             "secret": s.hex(), "Y": y.hex()}
        )  # fmt: skip

    # A TALLY (question "q1", 3 candidates; online ballots (1,0,1), (1,1,0), (0,0,1); no paper
    # ballot) and the SHARE payloads of trustees 1 and 3.
    phi = hd(TAG_ELECTION, b"bastau e2e v1 trustee vectors manifest")
    brng = Recording("tally-ballots")
    ballots = [(1, 0, 1), (1, 1, 0), (0, 0, 1)]
    totals = []
    for ci in range(3):
        cts = [encrypt(pk.y, b[ci], brng.scalar()) for b in ballots]
        totals.append(b64e(ciphertext_sum(cts).to_bytes()))
    tally_payload = {"questions": [{"id": "q1", "online": totals, "paper": [b64e(bytes(64))] * 3}]}
    share_out = []
    payloads = []
    for j in (1, 3):
        srng = Recording(f"share-{j}")
        p = shares.make_share_payload(
            tally_payload, phi, j, secret_shares[j], pk.k[j], b64d(states[j - 1]["seed"]), srng
        )
        payloads.append(p)
        share_out.append(
            {"rng": srng.json(), "trustee": j, "text": _text(p),
             "digest": shares.share_digest(p).hex()}
        )  # fmt: skip
    res = shares.combine(tally_payload, payloads, phi, pk, len(ballots))
    out["shares"] = {
        "phi": phi.hex(),
        "ballot_rng": brng.json(),
        "ballots": [list(b) for b in ballots],
        "tally": _text(tally_payload),
        "payloads": share_out,
        "combined": res.counts,
        "trustees": res.trustees,
    }
    return out


if __name__ == "__main__":
    json.dump(main(), sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
    sys.stdout.write("\n")
