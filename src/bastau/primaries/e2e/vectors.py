"""Known-answer vectors: `python -m bastau.primaries.e2e.vectors > tests/vectors/e2e-v1.json`.

Every random value comes from TestRng(SEED, label) with the label given in the vector, drawn in
the order the producing function documents; the draws are also listed, so another implementation
can check its own draw order. Bytes are lowercase hex. tests/vectors/README.md describes the schema.
"""

from __future__ import annotations

import json
import sys
import uuid

from . import ballot, credentials, group, merkle, proofs, signing, tally
from .elgamal import encrypt
from .hashing import (
    TAG_ELECTION,
    TAG_TRACKER,
    TestRng,
    b64e,
    enc,
    frame,
    hd,
    hs,
    text,
    u32,
    u64,
)

SEED = b"bastau e2e v1 vectors"
ELECTION_UUID = uuid.UUID("6f1d0c2e-9a43-4b7e-8f25-3c1e0d9b7a51")

RFC9496_MULTIPLES = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
    "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
    "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
    "da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57",
    "e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e",
    "f64746d3c92b13050ed8d80236a7f0007c3b3f962f5ba793d19a601ebb1df403",
    "44f53520926ec81fbd5a387845beb7df85a96a24ece18738bdcfa6a7822a176d",
    "903293d8f2287ebe10e2374dc1a53e0bc887e592699f02d077d5263cdd55601c",
    "02622ace8f7303a31cafc63f8fc48fdc16e1c8c8d234b2f0d6685282a9076031",
    "20706fd788b2720a1ed2a5dad4952b01f413bcf0e7564de8cdc816689e2db95f",
    "bce83f8ba5dd2fa572864c24ba1810f9522bc6004afe95877ac73241cafdab42",
    "e4549ee16b9aa03099ca208c67adafcafa4c3f3e4e5303de6026e3ca8ff84460",
    "aa52e000df2e16f55fb1032fc33bc42742dad6bd5a8fc0be0167436c5948501f",
    "46376b80f409b29dc2b5f6f0c52591990896e5716f41477cd30085ab7f10301e",
    "e0c418f7c8d9c4cdd7395b93ea124f3ad99021bb681dfc3302a9d99a2e53e64e",
]

RFC9496_INVALID = [
    # Non-canonical field encodings.
    "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    # Negative field elements.
    "0100000000000000000000000000000000000000000000000000000000000000",
    "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20",
    "c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562",
    "c940e5a4404157cfb1628b108db051a8d439e1a421394ec4ebccb9ec92a8ac78",
    "47cfc5497c53dc8e61c91d17fd626ffb1c49e2bca94eed052281b510b1117a24",
    "f1c6165d33367351b0da8f6e4511010c68174a03b6581212c71c0e1d026c3c72",
    "87260f7a2f12495118360f02c26a470f450dadf34a413d21042b43b9d93e1309",
    # Non-square x^2.
    "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
    "4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f",
    "de6a7b00deadc788eb6b6c8d20c0ae96c2f2019078fa604fee5b87d6e989ad7b",
    "bcab477be20861e01e4a0e295284146a510150d9817763caf1a6f4b422d67042",
    "2a292df7e32cababbd9de088d1d1abec9fc0440f637ed2fba145094dc14bea08",
    "f4a9e534fc0d216c44b218fa0c42d99635a0127ee2e53c712f70609649fdff22",
    "8268436f8c4126196cf64b3c7ddbda90746a378625f9813dd9b8457077256731",
    "2810e5cbc2cc4d4eece54f61c6f69758e289aa7ab440b3cbeaa21995c2f4232b",
    # Negative xy value.
    "3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e",
    "a45fdc55c76448c049a1ab33f17023edfb2be3581e9c7aade8a6125215e04220",
    "d483fe813c6ba647ebbfd3ec41adca1c6130c2beeee9d9bf065c8d151c5f396e",
    "8a2e1d30050198c65a54483123960ccc38aef6848e1ec8f5f780e8523769ba32",
    "32888462f8b486c68ad7dd9610be5192bbeaf3b443951ac1a8118419d9fa097b",
    "227142501b9d4355ccba290404bde41575b037693cef1f438c47f8fbf35d1165",
    "5c37cc491da847cfeb9281d407efc41e15144c876e0170b499a96a22ed31e01e",
    "445425117cb8c90edcbc7c1cc0e74f747f2c1efa5630a967c64f287792a48a4b",
    # s = -1, which causes y = 0.
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
]


class Recording:
    """A TestRng that lists what it drew."""

    def __init__(self, label: str) -> None:
        self.rng = TestRng(SEED, label)
        self.label = label
        self.draws: list[bytes] = []

    def scalar(self) -> bytes:
        s = self.rng.scalar()
        self.draws.append(s)
        return s

    def bytes(self, n: int) -> bytes:
        return self.scalar()[:n]

    def json(self) -> dict:
        return {"label": self.label, "draws": [d.hex() for d in self.draws]}


def _h(b: bytes) -> str:
    return b.hex()


def _flip_bit255(p: bytes) -> bytes:
    return p[:31] + bytes([p[31] | 0x80])


def _plus_l(s: bytes) -> bytes:
    return (int.from_bytes(s, "little") + group.L).to_bytes(32, "little")


def framing() -> list[dict]:
    cases = [
        (TAG_ELECTION, [b""]),
        (TAG_TRACKER, [b"abc", u64(7), u32(1), text("Қазақстан")]),
        (TAG_ELECTION, []),
    ]
    return [
        {
            "tag": tag.decode(),
            "parts": [p.hex() for p in parts],
            "framed": frame(tag, *parts).hex(),
            "Hd": hd(tag, *parts).hex(),
            "Hs": hs(tag, *parts).hex(),
        }
        for tag, parts in cases
    ] + [{"enc_of": "", "enc": enc(b"").hex()}]


def main() -> dict:
    out: dict = {"version": "bastau/e2e-v1", "seed": SEED.hex(), "uuid": str(ELECTION_UUID)}
    out["framing"] = framing()
    rng = TestRng(SEED, "rng")
    out["test_rng"] = {"label": "rng", "draws": [rng.scalar().hex() for _ in range(3)]}
    out["base64url"] = {
        "valid": [{"hex": b.hex(), "text": b64e(b)} for b in (b"", b"\xff", b"\xfb\xff", b"abc")],
        "invalid": ["/w", "_w==", "_x", "A", "+w", "_w ", "ab=c"],
    }
    out["ristretto255"] = {
        "multiples": RFC9496_MULTIPLES,
        "invalid": RFC9496_INVALID + [_flip_bit255(group.G).hex()],
        "invalid_reasons": "RFC 9496 A.2, then the base point with bit 255 set",
        "l": str(group.L),
        "invalid_scalars": [
            group.L.to_bytes(32, "little").hex(),
            (group.L + 1).to_bytes(32, "little").hex(),
            (1 + 2**255).to_bytes(32, "little").hex(),
            (2**256 - 1).to_bytes(32, "little").hex(),
        ],
    }

    # Credential c -> x -> X.
    crng = Recording("credential")
    cred = credentials.new_credential(crng)
    x = credentials.secret_key(ELECTION_UUID, cred)
    x_pub = credentials.public_key(x)
    typo = ("1" if cred[5] != "1" else "2").join([cred[:5], cred[6:]])
    swapped = cred[:3] + cred[4] + cred[3] + cred[5:]
    out["credential"] = {
        "rng": crng.json(),
        "value": parse(cred).hex(),
        "text": cred,
        "accepted_forms": [cred.lower(), "-".join(cred[i : i + 4] for i in range(0, 28, 4))],
        "refused": [typo, swapped, cred[:-1], cred + "0"] if swapped != cred else [typo],
        "x": x.hex(),
        "X": x_pub.hex(),
    }

    # Election key from a 2-of-3 dealing (the ceremony's result; the ceremony itself is not here).
    drng = Recording("trustees")
    coefs = [drng.scalar(), drng.scalar()]
    shares = {j: tally.eval_poly(coefs, j) for j in (1, 2, 3)}
    y = group.base_mul(coefs[0])
    keys = {j: group.base_mul(s) for j, s in shares.items()}
    out["trustees"] = {
        "rng": drng.json(),
        "t": 2,
        "coefficients": [c.hex() for c in coefs],
        "Y": y.hex(),
        "secrets": {str(j): s.hex() for j, s in shares.items()},
        "K": {str(j): k.hex() for j, k in keys.items()},
    }

    phi = hd(TAG_ELECTION, b"bastau e2e v1 vectors manifest")
    out["phi"] = phi.hex()

    erng = Recording("encryption")
    r = erng.scalar()
    ct = encrypt(y, 1, r)
    out["encryption"] = {"Y": y.hex(), "m": 1, "r": r.hex(), "alpha": ct.alpha.hex(),
                         "beta": ct.beta.hex()}  # fmt: skip

    brng = Recording("bit-proof")
    bp = proofs.prove_bit(phi, "q1", x_pub, 3, y, ct, 1, r, brng)
    bpb = bp.to_bytes()
    bad = {
        "v0 + l": bpb[:-64] + _plus_l(bpb[-64:-32]) + bpb[-32:],
        "A0 bit 255": _flip_bit255(bpb[:32]) + bpb[32:],
        "c0 + 1": bpb[:128] + group.s_add(bpb[128:160], group.scalar(1)) + bpb[160:],
        "short": bpb[:-1],
    }
    out["bit_proof"] = {
        "rng": brng.json(),
        "phi": phi.hex(), "question": "q1", "X": x_pub.hex(), "index": 3, "Y": y.hex(),
        "alpha": ct.alpha.hex(), "beta": ct.beta.hex(), "m": 1, "r": r.hex(),
        "proof": bpb.hex(),
        "wrong_statements": {"index": 4, "question": "q2", "m_encrypted_as": 2},
        "invalid_proofs": {k: v.hex() for k, v in bad.items()},
    }  # fmt: skip

    # A sum proof: 4 candidates, choices 1,0,1,0 (M = 2) in [1, 2].
    srng = Recording("sum-proof")
    rs = [srng.scalar() for _ in range(4)]
    ms = [1, 0, 1, 0]
    cts = [encrypt(y, m, ri) for m, ri in zip(ms, rs, strict=True)]
    from .elgamal import ciphertext_sum

    total = ciphertext_sum(cts)
    r_sum = group.ZERO
    for ri in rs:
        r_sum = group.s_add(r_sum, ri)
    sp = proofs.prove_sum(phi, "q1", x_pub, 4, 1, 2, y, total, 2, r_sum, srng)
    out["sum_proof"] = {
        "rng": srng.json(),
        "phi": phi.hex(), "question": "q1", "X": x_pub.hex(), "n": 4, "k_min": 1, "k_max": 2,
        "Y": y.hex(), "m": ms, "r": [ri.hex() for ri in rs],
        "sum_alpha": total.alpha.hex(), "sum_beta": total.beta.hex(), "sum_r": r_sum.hex(),
        "proof": sp.to_bytes().hex(),
    }  # fmt: skip

    # A whole ballot: two questions, one with and one without a sum proof.
    election = ballot.Election(
        phi, y, (ballot.Question("q1", 4, 0, 2), ballot.Question("q2", 2, 0, 2))
    )
    arng = Recording("ballot")
    choices = [[0, 1, 1, 0], [1, 0]]
    body, audit = ballot.encrypt_body(election, x_pub, choices, arng)
    signed = ballot.sign_body(election, body, x, arng)
    t = ballot.tracker(body)
    out["ballot"] = {
        "rng": arng.json(),
        "election": {
            "phi": phi.hex(), "Y": y.hex(),
            "questions": [{"id": q.id, "n": q.n, "k_min": q.k_min, "k_max": q.k_max}
                          for q in election.questions],
        },
        "credential": cred, "X": x_pub.hex(), "choices": choices,
        "randomness": [[ri.hex() for ri in qr] for qr in audit.randomness],
        "body": body.hex(), "tracker": t.hex(), "sigma": signed[-64:].hex(),
        "ballot": signed.hex(), "size": len(signed),
    }  # fmt: skip

    # Merkle: five (T, sigma) pairs, sorted by tracker.
    mrng = Recording("merkle")
    pairs = sorted((mrng.scalar(), mrng.scalar() + mrng.scalar()) for _ in range(5))
    leaves = [merkle.leaf_hash(tk, sg) for tk, sg in pairs]
    out["merkle"] = {
        "rng": mrng.json(),
        "entries": [{"T": tk.hex(), "sigma": sg.hex()} for tk, sg in pairs],
        "leaves": [lf.hex() for lf in leaves],
        "roots": {str(n): merkle.root(leaves[:n]).hex() for n in range(1, 6)},
        "paths": [[p.hex() for p in merkle.inclusion_path(leaves, i)] for i in range(5)],
    }

    out["lagrange"] = [
        {"indices": idx, "lambda": {str(j): v.hex() for j, v in tally.lagrange(idx).items()}}
        for idx in ([1, 2], [1, 3], [2, 3], [1, 2, 3], [2, 5, 7])
    ]

    # Decryption: the totals of three ballots' first candidate encrypted 1 + 1 + 0 = 2.
    trng = Recording("tally")
    tot_rs = [trng.scalar() for _ in range(3)]
    tot = ciphertext_sum([encrypt(y, m, ri) for m, ri in zip([1, 1, 0], tot_rs, strict=True)])
    share_list = []
    for j in (1, 3):
        d, pr = tally.decryption_share(phi, j, shares[j], keys[j], tot.alpha, trng)
        share_list.append({"j": j, "D": d.hex(), "proof": pr.hex()})
    point = tally.combine(tot.beta, {s["j"]: bytes.fromhex(s["D"]) for s in share_list})
    out["decryption"] = {
        "rng": trng.json(),
        "A": tot.alpha.hex(), "B": tot.beta.hex(), "shares": share_list,
        "combined": point.hex(), "count": tally.BabyGiant(3).log(point), "n_max": 3,
    }  # fmt: skip
    return out


def parse(cred: str) -> bytes:
    return credentials.parse_credential(cred)


# --------------------------------------------------------------------------- a whole election

ELECTION_FILES = {
    "record": "e2e-v1-election.jsonl",
    "expected": "e2e-v1-election.json",
}
E_UUID = "3b8e6c1a-7d42-4f0e-9a15-2c6d8e0f4b97"


def mini_election() -> tuple[list[bytes], dict]:
    """A whole mini-election with exact record bytes (tests/vectors/e2e-v1-election.jsonl).

    3 trustees, any 2 decrypt (ceremony.simulate); question "q1" (4 candidates, choose up to 2,
    list of 3, roll 4) and "q2" (3 candidates, choose 1, list of 2, roll 3); 5 online voters, one
    paper ballot, one REJECT (a ballot with a broken 0/1 proof). Trustees 1 and 3 combine.
    Returns (lines, expected) where expected holds the keys, heads and result.
    """
    import datetime as dt

    from . import ceremony, record, shares

    rng = TestRng(SEED, "election")
    server_seed = rng.bytes(32)
    ca_seed = rng.bytes(32)
    observer_seed = rng.bytes(32)
    tr, secrets = ceremony.simulate(E_UUID, ["Aigerim", "Bolat", "Dana"], 2, rng)
    pk = ceremony.verify_transcript(tr, E_UUID, 2)
    euuid = uuid.UUID(E_UUID)
    voters = [("q1", [1, 1, 0, 0]), ("q1", [0, 1, 0, 1]), ("q1", [0, 0, 1, 0]),
              ("q2", [0, 0, 1]), ("q2", [0, 0, 1])]  # fmt: skip
    abstainers = ["q1", "q2"]
    creds = []  # (question, credential text)
    for q, _ch in voters:
        creds.append((q, credentials.new_credential(rng)))
    for q in abstainers:
        creds.append((q, credentials.new_credential(rng)))
    xs = [(q, credentials.secret_key(euuid, c)) for q, c in creds]
    cl = record.build_credentials([(q, credentials.public_key(x)) for q, x in xs], ca_seed)
    cand = record.candidate
    q1 = record.question(
        "q1", "Mugalzhar district list",
        [cand("c1", "Arman", woman=False, youth=False, disability=False),
         cand("c2", "Bakhyt", woman=False, youth=False, disability=False),
         cand("c3", "Gulnar", woman=True, youth=False, disability=False),
         cand("c4", "Dias", woman=False, youth=True, disability=False)],
        k_max=2, list_length=3, roll=4,
    )  # fmt: skip
    q2 = record.question(
        "q2", "Aktobe city list",
        [cand("c1", "Erlan", woman=False, youth=False, disability=False),
         cand("c2", "Zhanna", woman=True, youth=True, disability=False),
         cand("c3", "Kairat", woman=False, youth=False, disability=False)],
        k_max=1, list_length=2, roll=3,
    )  # fmt: skip
    from bastau.primaries import quota

    manifest = record.build_manifest(
        uuid=E_UUID, slug="aktobe-2026", title="Primaries 2026: Aktobe region",
        questions=[q1, q2], election_key=pk.y, threshold=2, trustee_count=3, trustees=tr,
        credentials=cl, ca_key=signing.public_key(ca_seed),
        server_key=signing.public_key(server_seed),
        observer_keys=[signing.public_key(observer_seed)],
        opens=dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC),
        closes=dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC),
        rules=quota.PRESETS["party-2019"].to_dict(), prefix_mode=False,
        reference_date=dt.date(2026, 12, 1), tie_break_seed="aktobe-2026-lot",
    )  # fmt: skip
    w, setup = record.RecordWriter.start(server_seed, manifest, tr, cl, "2026-11-30")
    lines = [record.cosign(setup, observer_seed)]
    qs = {"q1": q1, "q2": q2}
    cast = []
    receipts = []
    for (q, choices), (_q, x) in zip(voters, xs, strict=False):
        el = record.question_election(w.phi, pk.y, qs[q])
        body, _audit = ballot.encrypt_body(el, credentials.public_key(x), [choices], rng)
        data = ballot.sign_body(el, body, x, rng)
        cast.append((q, "online", data))
        receipts.append(record.make_receipt(server_seed, w.phi, ballot.tracker(body), "2026-12-01"))
    paper = record.paper_ballot(w.phi, pk.y, q1, [0, 0, 1, 1], rng)
    # A ballot whose 0/1 proof is broken (the last byte of v_1 of candidate 0 flipped).
    el2 = record.question_election(w.phi, pk.y, q2)
    x_bad = xs[6][1]
    body, _a = ballot.encrypt_body(el2, credentials.public_key(x_bad), [[1, 0, 0]], rng)
    off = 72 + 3 * 64 + 223
    body = body[:off] + bytes([body[off] ^ 1]) + body[off + 1 :]
    bad = ballot.sign_body(el2, body, x_bad, rng)
    lines.append(w.batch(cast[:3], "2026-12-01"))
    lines.append(w.reject([("q2", bad, "q2[0]: 0/1 proof does not verify")], "2026-12-01"))
    lines.append(
        record.cosign(w.batch(cast[3:] + [("q1", "paper", paper)], "2026-12-01"), observer_seed)
    )
    lines.append(w.close(dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC), "2026-12-01"))
    lines.append(w.tally("2026-12-02"))
    for j in (1, 2, 3):
        sp = shares.make_share_payload(
            w.tally_payload, w.phi, j, secrets[j].share, pk.k[j], secrets[j].seed, rng
        )
        lines.append(w.share(sp, "2026-12-02", pk))
    lines.append(record.cosign(w.result([1, 3], "2026-12-02"), observer_seed))
    heads = [record.head(lines[:4]), record.head(lines)]
    expected = {
        "format": "bastau-e2e-vectors/1",
        "seed": SEED.hex(),
        "rng_label": "election",
        "server_seed": server_seed.hex(),
        "ca_seed": ca_seed.hex(),
        "observer_seed": observer_seed.hex(),
        "server_key": b64e(signing.public_key(server_seed)),
        "phi": b64e(w.phi),
        "credentials": [{"question": q, "credential": c} for q, c in creds],
        "choices": [{"question": q, "choices": ch} for q, ch in voters],
        "paper": {"question": "q1", "choices": [0, 0, 1, 1]},
        "receipts": receipts,
        "heads": record.heads_file(w.phi, heads).decode(),
        "result": record.parse_event(lines[-1]).payload,
        "trustee_seeds": {str(j): secrets[j].seed.hex() for j in sorted(secrets)},
    }
    return lines, expected


def write_election(directory: str) -> None:
    import os

    lines, expected = mini_election()
    with open(os.path.join(directory, ELECTION_FILES["record"]), "wb") as f:
        f.write(b"".join(lines))
    with open(os.path.join(directory, ELECTION_FILES["expected"]), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")


# --------------------------------------------------------------------------- negative records

NEGATIVE_DIR = "e2e-v1-negative"


def _rechain(
    events: list[dict], server_seed: bytes, start: int, phi: bytes | None = None
) -> list[bytes]:
    """Lines of `events` with seq, prev and the server signature redone from `start` on (the
    forger holds the server key; co-signatures from there on are dropped)."""
    from . import record

    out = []
    prev = None
    for i, ev in enumerate(events):
        if i < start:
            line = record.canonical.dumps(ev) + b"\n"
            prev = record.parse_event(line).hash
            out.append(line)
            continue
        if i == 0:
            prev = phi if phi is not None else b64d_(ev["prev"])
        h = record.event_hash(i, prev, ev["type"], record.payload_digest(ev["payload"]), ev["day"])
        sig = signing.sign(server_seed, "event", h)
        e = record.Event(i, prev, ev["type"], ev["day"], ev["payload"], sig)
        prev = h
        obj = e.to_json()
        for k in ev:
            if k not in obj:
                obj[k] = ev[k]  # an extra field survives, for the "extra field" case
        out.append(record.canonical.dumps(obj) + b"\n")
    return out


def b64d_(s: str) -> bytes:
    from .hashing import b64d

    return b64d(s)


def negative_cases() -> list[dict]:
    """Each tampered copy of the mini-election: {"name", "lines", "where", "message"}: the
    verifier (with final=True and no pinned key, plus `heads` when given) must reject it with a
    failure whose text holds both `where` and `message`."""
    import copy

    from . import canonical, record

    lines, exp = mini_election()
    seed = bytes.fromhex(exp["server_seed"])
    base = [canonical.loads(line[:-1]) for line in lines]
    manifest = base[0]["payload"]["manifest"]
    phi = b64d_(exp["phi"])
    y = b64d_(manifest["election_key"])
    qs = {q["id"]: q for q in manifest["questions"]}
    euuid = uuid.UUID(E_UUID)
    xs = [credentials.secret_key(euuid, c["credential"]) for c in exp["credentials"]]
    rng = TestRng(SEED, "negative")
    cases = []

    def add(name, new_lines, where, message, heads=None):
        case = {"name": name, "lines": new_lines, "where": where, "message": message}
        if heads is not None:
            case["heads"] = heads
        cases.append(case)

    def evs():
        return copy.deepcopy(base)

    def rebatch(ev):
        items = []
        for it in ev["payload"]["ballots"]:
            data = b64d_(it["ballot"])
            items.append((ballot.tracker(data[:-64]), it, data))
        items.sort(key=lambda p: p[0])
        ev["payload"]["ballots"] = [it for _t, it, _d in items]
        leaves = [merkle.leaf_hash(t, d[-64:]) for t, _it, d in items]
        ev["payload"]["root"] = b64e(merkle.root(leaves))

    def fix_close(e, q, ch, delta):
        close = e[4]["payload"]
        close["ballots"][ch] += delta
        for cq in close["questions"]:
            if cq["id"] == q:
                cq[ch] += delta

    def new_ballot(q, x, choices):
        el = record.question_election(phi, y, qs[q])
        body, _a = ballot.encrypt_body(el, group.base_mul(x), [choices], rng)
        return ballot.sign_body(el, body, x, rng)

    # A ballot changed (one byte of a ciphertext), the batch re-rooted and re-signed.
    e = evs()
    it = e[1]["payload"]["ballots"][0]
    data = bytearray(b64d_(it["ballot"]))
    data[100] ^= 1
    it["ballot"] = b64e(bytes(data))
    rebatch(e[1])
    add("ballot-changed", _rechain(e, seed, 1), "event 1 BATCH, ballot", "invalid ballot")
    # A ballot dropped: the CLOSE counts no longer match.
    e = evs()
    e[1]["payload"]["ballots"].pop(0)
    rebatch(e[1])
    add("ballot-dropped", _rechain(e, seed, 1), "event 4 CLOSE", "in the batches")
    # A ballot added with an unknown credential.
    e = evs()
    e[1]["payload"]["ballots"].append({"question": "q1", "channel": "online",
        "ballot": b64e(new_ballot("q1", rng.scalar(), [1, 0, 0, 0]))})  # fmt: skip
    rebatch(e[1])
    fix_close(e, "q1", "online", 1)
    add("ballot-added", _rechain(e, seed, 1), "event 1 BATCH, ballot", "not on the credential list")
    # A ballot duplicated into the next batch.
    e = evs()
    e[3]["payload"]["ballots"].append(copy.deepcopy(e[1]["payload"]["ballots"][0]))
    rebatch(e[3])
    add("ballot-duplicated", _rechain(e, seed, 3), "event 3 BATCH, ballot", "appears earlier")
    # Two ballots swapped (out of tracker order).
    e = evs()
    b = e[1]["payload"]["ballots"]
    b[0], b[1] = b[1], b[0]
    add("ballot-swapped", _rechain(e, seed, 1), "event 1 BATCH, ballot 1", "not sorted by tracker")
    # A ballot's question changed; a batch root changed.
    e = evs()
    e[1]["payload"]["ballots"][2]["question"] = "q2"
    add(
        "ballot-question-changed", _rechain(e, seed, 1), "event 1 BATCH, ballot 2", "invalid ballot"
    )
    e = evs()
    e[3]["payload"]["root"] = e[1]["payload"]["root"]
    add("batch-root", _rechain(e, seed, 3), "event 3 BATCH", "Merkle root does not match")
    # A fork: the server re-signs a different history after an observer saved heads.
    e = evs()
    moved = e[1]["payload"]["ballots"].pop(0)
    e[3]["payload"]["ballots"].append(moved)
    rebatch(e[1])
    rebatch(e[3])
    saved = record.heads_file(phi, [record.head(lines[:2]), record.head(lines[:4])]).decode()
    add("fork", _rechain(e, seed, 1), "event 1 BATCH", "a fork", heads=saved)
    # A bad server signature; a bad co-signature.
    e = [bytearray(line) for line in lines]
    ev = canonical.loads(bytes(lines[2][:-1]))
    sig = bytearray(b64d_(ev["sig"]))
    sig[0] ^= 1
    ev["sig"] = b64e(bytes(sig))
    bad = list(lines)
    bad[2] = canonical.dumps(ev) + b"\n"
    add("bad-signature", bad, "event 2 REJECT", "server signature does not verify")
    ev = canonical.loads(bytes(lines[3][:-1]))
    sig = bytearray(b64d_(ev["cosigs"][0]["sig"]))
    sig[5] ^= 1
    ev["cosigs"][0]["sig"] = b64e(bytes(sig))
    bad = list(lines)
    bad[3] = canonical.dumps(ev) + b"\n"
    add("bad-cosignature", bad, "event 3 BATCH", "co-signature does not verify")
    # An extra field in a candidate (the manifest re-hashed, the chain re-signed).
    e = evs()
    e[0]["payload"]["manifest"]["questions"][0]["candidates"][0]["elected"] = True
    new_phi = record.election_digest(canonical.dumps(e[0]["payload"]["manifest"]))
    add("extra-field-candidate", _rechain(e, seed, 0, new_phi), "candidates[0]",
        "unexpected field(s) elected")  # fmt: skip
    e = evs()
    e[5]["note"] = "the tally was recounted"
    add("extra-field-event", _rechain(e, seed, 5), "line 6", "unexpected field(s) note")
    # Raw text faults.
    bad = list(lines)
    bad[4] = bad[4].replace(b'{"cosigs":[],', b'{"cosigs":[],"cosigs":[],', 1)
    add("duplicate-key", bad, "line 5", "duplicate key")
    bad = list(lines)
    bad[0] = b"\xef\xbb\xbf" + bad[0]
    add("bom", bad, "line 1", "byte-order mark")
    bad = list(lines)
    bad[0] = bad[0].replace(b'"name":"Arman"', b'"name":"\\ud800"', 1)
    add("lone-surrogate", bad, "line 1", "not valid Unicode")
    bad = list(lines)
    bad[0] = bad[0].replace(b'"name":"Arman"', b'"name":"Arm\xffn"', 1)
    add("invalid-utf8", bad, "line 1", "not valid UTF-8")
    bad = list(lines)
    ev = canonical.loads(bytes(lines[4][:-1]))
    s = ev["sig"]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    ev["sig"] = s[:-1] + alphabet[alphabet.index(s[-1]) ^ 1]
    bad[4] = canonical.dumps(ev) + b"\n"
    add("non-canonical-base64", bad, "line 5", "non-canonical base64url")
    e = evs()
    e[2]["day"] = "2026-02-30"
    add("impossible-date", _rechain(e, seed, 2), "line 3", "not a real day")
    e = evs()
    e[1]["day"] = "2026-11-30"
    add("batch-before-opening", _rechain(e, seed, 1), "event 1 BATCH", "before voting opened")
    # Cut and unfinished records.
    add("cut-record", lines[:4], "record", "unfinished: no valid CLOSE")
    add("cut-before-result", lines[:-1], "record", "unfinished: no valid RESULT")
    e = evs()
    del e[4]
    add("missing-close", _rechain(e, seed, 4), "event 4 TALLY", "before the events")
    # A bad decryption share (re-signed by its trustee, so only the proof fails).
    from . import shares

    e = evs()
    sh = e[7]["payload"]
    item = bytearray(b64d_(sh["questions"][0]["online"][0]))
    d = group.add(bytes(item[:32]), group.G)
    sh["questions"][0]["online"][0] = b64e(d + bytes(item[32:]))
    body = {k: v for k, v in sh.items() if k != "sig"}
    tseed = bytes.fromhex(exp["trustee_seeds"]["2"])
    sh["sig"] = b64e(signing.sign(tseed, "share", shares.share_digest(body)))
    add("bad-share", _rechain(e, seed, 7), "trustee 2, question q1, online, candidate c1",
        "decryption proof does not verify")  # fmt: skip
    # The result off by one; the list in another order.
    e = evs()
    rq = e[9]["payload"]["questions"][0]
    rq["online"][1] += 1
    rq["total"][1] += 1
    add("result-off-by-one", _rechain(e, seed, 9), "question q1, online, candidate c2",
        "does not match the decrypted total")  # fmt: skip
    e = evs()
    lst = e[9]["payload"]["questions"][0]["list"]
    lst[0], lst[1] = lst[1], lst[0]
    add("wrong-list-order", _rechain(e, seed, 9), "question q1, list position 1", "quota.py's rule")
    # Credentials: reused, unknown (ballot-added), on the list for a paper ballot, wrong question.
    e = evs()
    e[3]["payload"]["ballots"].append({"question": "q1", "channel": "online",
        "ballot": b64e(new_ballot("q1", xs[0], [0, 0, 0, 1]))})  # fmt: skip
    rebatch(e[3])
    fix_close(e, "q1", "online", 1)
    add("x-reused", _rechain(e, seed, 3), "event 3 BATCH, ballot", "was used before")
    e = evs()
    e[3]["payload"]["ballots"].append({"question": "q1", "channel": "paper",
        "ballot": b64e(new_ballot("q1", xs[5], [0, 0, 0, 1]))})  # fmt: skip
    rebatch(e[3])
    fix_close(e, "q1", "paper", 1)
    add("paper-x-in-list", _rechain(e, seed, 3), "event 3 BATCH, ballot", "which is on the list")
    e = evs()
    e[3]["payload"]["ballots"].append({"question": "q2", "channel": "online",
        "ballot": b64e(new_ballot("q2", xs[5], [1, 0, 0]))})  # fmt: skip
    rebatch(e[3])
    fix_close(e, "q2", "online", 1)
    add("x-wrong-question", _rechain(e, seed, 3), "event 3 BATCH, ballot", "listed for question q1")
    # More ballots than the roll (a second paper ballot in q1, roll 4).
    e = evs()
    e[3]["payload"]["ballots"].append({"question": "q1", "channel": "paper",
        "ballot": b64e(record.paper_ballot(phi, y, qs["q1"], [1, 0, 0, 0], rng))})  # fmt: skip
    rebatch(e[3])
    fix_close(e, "q1", "paper", 1)
    add("over-roll", _rechain(e, seed, 3), "question q1", "exceed its roll")
    # The TALLY not the sum of the ballots; the CLOSE counts wrong.
    e = evs()
    t = e[5]["payload"]["questions"][1]["online"]
    t[0], t[2] = t[2], t[0]
    add("tally-changed", _rechain(e, seed, 5), "event 5 TALLY, question q2, online, candidate c1",
        "not the sum")  # fmt: skip
    e = evs()
    e[4]["payload"]["batches"] = 3
    add("close-batches", _rechain(e, seed, 4), "event 4 CLOSE", "batches announced")
    # A valid ballot in a REJECT (the server refused a good ballot).
    e = evs()
    good = e[1]["payload"]["ballots"][0]
    e[2]["payload"]["ballots"][0] = {"question": good["question"], "ballot": good["ballot"],
                                     "reason": "rejected"}  # fmt: skip
    add(
        "valid-ballot-rejected",
        _rechain(e, seed, 2),
        "event 2 REJECT",
        "a valid ballot was rejected",
    )
    cases.extend(void_negative_cases())
    # The record re-signed with another key (pinned key given in `pinned`).
    other = b64e(signing.public_key(b"\x07" * 32))
    cases.append({"name": "pinned-key-mismatch", "lines": lines, "where": "manifest",
                  "message": "is not the pinned key", "pinned": other})  # fmt: skip
    return cases


# --------------------------------------------------------------------------- VOID

VOID_FILE = "e2e-v1-void.jsonl"
VOID_AT = 3  # the VOID goes between the REJECT and the second BATCH


def _void_event(exp: dict, phi: bytes, keys: list[tuple[str, bytes]], day="2026-12-01") -> dict:
    from . import record

    body = record.sign_void(bytes.fromhex(exp["ca_seed"]), phi, keys)
    return {"seq": 0, "prev": "", "type": "VOID", "day": day, "payload": body, "sig": "",
            "cosigs": []}  # fmt: skip


def void_election() -> list[bytes]:
    """The mini-election with a VOID (e2e-v1-void.jsonl): the q1 abstainer (the sixth
    credential) voted on paper, so the CA voids that credential; the VOID is inserted as
    event 3 and the chain re-signed from there (later co-signatures dropped)."""
    from . import canonical

    lines, exp = mini_election()
    events = [canonical.loads(line[:-1]) for line in lines]
    phi = b64d_(exp["phi"])
    events.insert(VOID_AT, _void_event(exp, phi, [("q1", _cred_x(exp, 5))]))
    return _rechain(events, bytes.fromhex(exp["server_seed"]), VOID_AT)


def _cred_x(exp: dict, i: int) -> bytes:
    c = exp["credentials"][i]["credential"]
    return group.base_mul(credentials.secret_key(uuid.UUID(E_UUID), c))


def void_negative_cases() -> list[dict]:
    """VOID faults, each a copy of the mini-election with VOID events put in and re-signed."""
    import copy

    from . import canonical, record

    lines, exp = mini_election()
    seed = bytes.fromhex(exp["server_seed"])
    phi = b64d_(exp["phi"])
    base = [canonical.loads(line[:-1]) for line in lines]
    x5, x0 = _cred_x(exp, 5), _cred_x(exp, 0)
    cases = []

    def with_voids(*inserts):
        e = copy.deepcopy(base)
        for at, keys in sorted(inserts, reverse=True):
            e.insert(at, _void_event(exp, phi, keys, e[at - 1]["day"]))
        return _rechain(e, seed, min(at for at, _k in inserts))

    # Not the CA's signature (the server forged the VOID with its own key).
    e = copy.deepcopy(base)
    ev = _void_event(exp, phi, [("q1", x5)])
    ev["payload"]["ca_sig"] = b64e(
        signing.sign(seed, "void", record.void_digest(phi, ev["payload"]["credentials"]))
    )
    e.insert(VOID_AT, ev)
    cases.append({"name": "void-bad-signature", "lines": _rechain(e, seed, VOID_AT),
                  "where": "event 3 VOID",
                  "message": "the CA's signature does not verify"})  # fmt: skip
    # A credential that already cast online (voter 0, in the first BATCH).
    cases.append({"name": "void-used-key", "lines": with_voids((VOID_AT, [("q1", x0)])),
                  "where": "event 3 VOID, credential 0",
                  "message": "was already used"})  # fmt: skip
    # The same credential voided twice.
    cases.append({"name": "void-twice",
                  "lines": with_voids((VOID_AT, [("q1", x5)]), (VOID_AT + 1, [("q1", x5)])),
                  "where": "event 5 VOID, credential 0",
                  "message": "was voided before"})  # fmt: skip
    # A VOID after the CLOSE (index 4 is the CLOSE).
    cases.append({"name": "void-after-close", "lines": with_voids((5, [("q1", x5)])),
                  "where": "event 5 VOID", "message": "out of order"})  # fmt: skip
    # A voided credential still casts online in the next BATCH.
    e = copy.deepcopy(base)
    e.insert(VOID_AT, _void_event(exp, phi, [("q1", x0)]))
    e.insert(1, e.pop(VOID_AT))  # the VOID before the first BATCH, where voter 0 casts
    cases.append({"name": "void-then-cast", "lines": _rechain(e, seed, 1),
                  "where": "event 2 BATCH, ballot", "message": "was voided"})  # fmt: skip
    return cases


def write_void(directory: str) -> None:
    import os

    with open(os.path.join(directory, VOID_FILE), "wb") as f:
        f.write(b"".join(void_election()))


def write_negative(directory: str) -> None:
    import os

    sub = os.path.join(directory, NEGATIVE_DIR)
    os.makedirs(sub, exist_ok=True)
    table = []
    for case in negative_cases():
        fname = case["name"] + ".jsonl"
        with open(os.path.join(sub, fname), "wb") as f:
            f.write(b"".join(case["lines"]))
        entry = {k: v for k, v in case.items() if k != "lines"}
        entry["file"] = fname
        table.append(entry)
    with open(os.path.join(sub, "index.json"), "w", encoding="utf-8") as f:
        json.dump(table, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    if sys.argv[1:2] == ["election"]:  # python -m bastau.primaries.e2e.vectors election DIR
        write_election(sys.argv[2])
        write_void(sys.argv[2])
        write_negative(sys.argv[2])
    else:
        json.dump(main(), sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
        sys.stdout.write("\n")
