"""A mini-election record `bastau-e2e/1` and its negative cases, for the browser verifier's tests.

Built with the Python e2e modules and the seeded test RNG, so the output is the same on every run:
`python tests/js/make_record.py` rewrites tests/js/fixtures/mini-record.json, and
tests/primaries/test_e2e_verify_js.py checks that the committed file is what this script makes.

Two questions (a 3-candidate list choosing up to 2, and a 2-candidate list with no sum proof),
five members on the roll, three online ballots and one paper ballot in two batches, 2-of-3
trustees, the tally, all three shares and the result from trustees 1 and 3. Each negative case
changes one thing and re-signs the chain after it, so exactly one check fails: `seq` is the
event a verifier must name, `needle` a word its message must contain.

The trustee transcript here is a stand-in with only what a verifier of the record needs
({"trustees": [{"index", "name", "key" (K_j), "sign_key"}]}); the key ceremony's own transcript
replaces it when that module lands.
"""

from __future__ import annotations

import copy
import json
import sys
import uuid as uuidlib
from pathlib import Path

from bastau.primaries.e2e import ballot, canonical, credentials, group, merkle, signing, tally
from bastau.primaries.e2e.elgamal import Ciphertext, ciphertext_sum
from bastau.primaries.e2e.hashing import PREFIX, TestRng, b64d, b64e, hd, text, u64

OUT = Path(__file__).resolve().parent / "fixtures" / "mini-record.json"
SEED = b"bastau mini-election record"
UUID = "0b4f3a52-7c1e-4d2a-9b35-6e8f1a2c3d4e"


def tag(name: str) -> bytes:
    return PREFIX + name.encode()


def seed_of(label: str) -> bytes:
    return TestRng(SEED, label).bytes(32)


class Keys:
    server = seed_of("server")
    ca = seed_of("ca")
    observer = seed_of("observer")
    trustees = {j: seed_of(f"trustee-sign-{j}") for j in (1, 2, 3)}


def payload_digest(payload) -> bytes:
    return hd(tag("payload"), canonical.dumps(payload))


def event_hash(seq: int, prev: bytes, kind: str, digest: bytes, day: str) -> bytes:
    return hd(tag("event"), u64(seq), prev, text(kind), digest, text(day))


def chain(phi: bytes, items: list[tuple[str, str, dict]], keys=Keys) -> list[bytes]:
    lines, prev = [], phi
    for seq, (kind, day, payload) in enumerate(items):
        h = event_hash(seq, prev, kind, payload_digest(payload), day)
        event = {
            "seq": seq,
            "prev": b64e(prev),
            "type": kind,
            "day": day,
            "payload": payload,
            "sig": b64e(signing.sign(keys.server, "event", h)),
            "cosigs": [
                {
                    "key": b64e(signing.public_key(keys.observer)),
                    "sig": b64e(signing.sign(keys.observer, "observer", h)),
                }
            ],
        }
        lines.append(canonical.dumps(event) + b"\n")
        prev = h
    return lines


QUESTIONS = [
    {
        "id": "A-01",
        "title": "Алматы облысы, 1-округ",
        "k_min": 0,
        "k_max": 2,
        "list_length": 2,
        "roll": 3,
        "candidates": [
            {"id": "a1", "name": "Айгүл Серікқызы", "woman": True, "youth": False},
            {"id": "a2", "name": "Бауыржан Асқаров", "woman": False, "youth": True},
            {"id": "a3", "name": "Дина Омарова", "woman": True, "youth": True},
        ],
    },
    {
        "id": "B-02",
        "title": "Алматы облысы, 2-округ",
        "k_min": 0,
        "k_max": 2,
        "list_length": 2,
        "roll": 2,
        "candidates": [
            {"id": "b1", "name": "Ерлан Жақсыбеков", "woman": False, "youth": False},
            {"id": "b2", "name": "Жанар Исаева", "woman": True, "youth": False},
        ],
    },
]
# (question, credential label or None for paper, choices)
BALLOTS = [
    ("A-01", "m1", [1, 1, 0]),
    ("A-01", "m2", [0, 1, 0]),
    ("B-02", "m4", [1, 1]),
    ("A-01", None, [1, 0, 1]),
]
ROLL = {"A-01": ["m1", "m2", "m3"], "B-02": ["m4", "m5"]}
THRESHOLD, TRUSTEES, COMBINED = 2, (1, 2, 3), [1, 3]


def build():
    rng = TestRng(SEED, "record")
    uid = uuidlib.UUID(UUID)
    coefs = [rng.scalar() for _ in range(THRESHOLD)]
    y = group.base_mul(coefs[0])
    secret = {j: tally.eval_poly(coefs, j) for j in TRUSTEES}
    tr = {
        "trustees": [
            {
                "index": j,
                "name": f"Trustee {j}",
                "key": b64e(group.base_mul(secret[j])),
                "sign_key": b64e(signing.public_key(Keys.trustees[j])),
            }
            for j in TRUSTEES
        ]
    }
    creds = {}
    for q, members in ROLL.items():
        for m in members:
            c = credentials.format_credential(TestRng(SEED, f"credential-{m}").bytes(16))
            x = credentials.secret_key(uid, c)
            creds[m] = (q, c, x, group.base_mul(x))
    entries = sorted(
        ({"question": q, "key": b64e(X)} for q, _, _, X in creds.values()),
        key=lambda e: b64d(e["key"]),
    )
    leaves = [hd(tag("credential-leaf"), text(e["question"]), b64d(e["key"])) for e in entries]
    cl = {"entries": entries, "count": len(entries), "root": b64e(merkle.root(leaves))}
    cl["sig"] = b64e(
        signing.sign(Keys.ca, "credentials", hd(tag("credentials"), canonical.dumps(cl)))
    )
    manifest = {
        "format": "bastau-e2e/1",
        "uuid": UUID,
        "slug": "mini-2027",
        "title": "Праймериз 2027 (сынақ)",
        "group": "ristretto255",
        "questions": QUESTIONS,
        "election_key": b64e(y),
        "threshold": THRESHOLD,
        "trustee_count": len(TRUSTEES),
        "trustees": b64e(hd(tag("trustees"), canonical.dumps(tr))),
        "credentials": {"root": cl["root"], "count": cl["count"]},
        "roll": sum(len(v) for v in ROLL.values()),
        "keys": {
            "ca": b64e(signing.public_key(Keys.ca)),
            "server": b64e(signing.public_key(Keys.server)),
            "observers": [b64e(signing.public_key(Keys.observer))],
        },
        "voting": {"opens": "2027-03-01T03:00:00Z", "closes": "2027-03-03T15:00:00Z"},
        "quota": {
            "rules": "none",
            "custom": {},
            "prefix_mode": False,
            "reference_date": "2027-03-03",
            "tie_break_seed": "mini",
        },
    }
    phi = hd(tag("election"), canonical.dumps(manifest))
    questions = {q["id"]: q for q in QUESTIONS}

    def election(qid):
        q = questions[qid]
        return ballot.Election(
            phi, y, (ballot.Question(qid, len(q["candidates"]), q["k_min"], q["k_max"]),)
        )

    made = []
    audit = None
    for i, (qid, member, choices) in enumerate(BALLOTS):
        if member is None:
            x = rng.scalar()
            X = group.base_mul(x)
        else:
            _, _, x, X = creds[member]
        body, data = ballot.encrypt_body(election(qid), X, [choices], rng)
        if i == 0:
            audit = {
                "version": 1,
                "body": b64e(body),
                "tracker": b64e(ballot.tracker(body)),
                "r": [[b64e(r) for r in data.randomness[0]]],
                "m": [list(choices)],
            }
            body, data = ballot.encrypt_body(election(qid), X, [choices], rng)  # encrypt afresh
        full = ballot.sign_body(election(qid), body, x, rng)
        made.append(
            {
                "question": qid,
                "channel": "paper" if member is None else "online",
                "ballot": full,
                "choices": choices,
            }
        )

    def batch(items):
        items = sorted(items, key=lambda b: ballot.tracker(b["ballot"][:-64]))
        leaves = [
            merkle.leaf_hash(ballot.tracker(b["ballot"][:-64]), b["ballot"][-64:]) for b in items
        ]
        return {
            "ballots": [
                {"question": b["question"], "channel": b["channel"], "ballot": b64e(b["ballot"])}
                for b in items
            ],
            "root": b64e(merkle.root(leaves)),
        }

    totals = {}
    for qid, q in questions.items():
        n = len(q["candidates"])
        for channel in ("online", "paper"):
            cts = [
                [
                    Ciphertext.from_bytes(b["ballot"][72 + 64 * i : 72 + 64 * (i + 1)])
                    for i in range(n)
                ]
                for b in made
                if b["question"] == qid and b["channel"] == channel
            ]
            totals[qid, channel] = [
                ciphertext_sum([c[i] for c in cts])
                if cts
                else Ciphertext(group.IDENTITY, group.IDENTITY)
                for i in range(n)
            ]
    tally_payload = {
        "questions": [
            {
                "id": qid,
                "online": [b64e(ct.to_bytes()) for ct in totals[qid, "online"]],
                "paper": [b64e(ct.to_bytes()) for ct in totals[qid, "paper"]],
            }
            for qid in questions
        ]
    }
    shares = {}
    share_payloads = []
    for j in TRUSTEES:
        k_pub = group.base_mul(secret[j])
        qs = []
        for qid in questions:
            entry = {"id": qid}
            for channel in ("online", "paper"):
                out = []
                for i, ct in enumerate(totals[qid, channel]):
                    if ct.alpha == group.IDENTITY:
                        d, proof = group.IDENTITY, bytes(96)
                    else:
                        d, proof = tally.decryption_share(phi, j, secret[j], k_pub, ct.alpha, rng)
                    shares[j, qid, channel, i] = d
                    out.append(b64e(d + proof))
                entry[channel] = out
            qs.append(entry)
        p = {"trustee": j, "questions": qs}
        p["sig"] = b64e(
            signing.sign(Keys.trustees[j], "share", hd(tag("share"), canonical.dumps(p)))
        )
        share_payloads.append(p)
    result_qs = []
    for qid, q in questions.items():
        counts = {}
        for channel in ("online", "paper"):
            counts[channel] = [
                sum(
                    b["choices"][i]
                    for b in made
                    if b["question"] == qid and b["channel"] == channel
                )
                for i in range(len(q["candidates"]))
            ]
        total = [a + b for a, b in zip(counts["online"], counts["paper"], strict=True)]
        order = sorted(range(len(total)), key=lambda i: (-total[i], i))
        result_qs.append(
            {
                "id": qid,
                "online": counts["online"],
                "paper": counts["paper"],
                "total": total,
                "list": [q["candidates"][i]["id"] for i in order[: q["list_length"]]],
            }
        )
    per_q = {
        qid: {
            ch: sum(1 for b in made if b["question"] == qid and b["channel"] == ch)
            for ch in ("online", "paper")
        }
        for qid in questions
    }
    items = [
        ("SETUP", "2027-03-01", {"manifest": manifest, "trustees": tr, "credentials": cl}),
        ("BATCH", "2027-03-01", batch(made[:2])),
        ("BATCH", "2027-03-02", batch(made[2:])),
        (
            "CLOSE",
            "2027-03-03",
            {
                "closed_at": "2027-03-03T15:00:00Z",
                "ballots": {
                    "online": sum(1 for b in made if b["channel"] == "online"),
                    "paper": sum(1 for b in made if b["channel"] == "paper"),
                },
                "batches": 2,
                "questions": [{"id": qid, **per_q[qid]} for qid in questions],
            },
        ),
        ("TALLY", "2027-03-03", tally_payload),
        *(("SHARE", "2027-03-04", p) for p in share_payloads),
        ("RESULT", "2027-03-04", {"trustees": COMBINED, "questions": result_qs}),
    ]
    # What the one-tap check needs for the first cast ballot: its receipt and inclusion path.
    first = made[0]["ballot"]
    t0 = ballot.tracker(first[:-64])
    day = "2027-03-01"
    receipt = {
        "election": b64e(phi),
        "tracker": b64e(t0),
        "day": day,
        "sig": b64e(signing.sign(Keys.server, "receipt", hd(tag("receipt"), phi, t0, text(day)))),
    }
    return (
        phi,
        items,
        {"audit": audit, "receipt": receipt, "credential": creds["m1"][1], "uuid": UUID},
    )


def mutate(items, seq, change):
    items = copy.deepcopy(items)
    change(items[seq][2])
    return items


def flip(b64: str, at: int) -> str:
    raw = bytearray(b64d(b64))
    raw[at] ^= 1
    return b64e(bytes(raw))


def cases(phi, items):
    """(name, lines, seq, needle) for each negative case."""
    good = chain(phi, items)
    out = []

    def add(name, lines, seq, needle):
        out.append({"name": name, "record": b"".join(lines).decode(), "seq": seq, "needle": needle})

    add(
        "line not canonical",
        good[:1] + [good[1].replace(b'{"ballots"', b'{ "ballots"')] + good[2:],
        1,
        "canonical",
    )
    bad_sig = json.loads(good[2])
    bad_sig["sig"] = flip(bad_sig["sig"], 5)
    add("event signature", good[:2] + [canonical.dumps(bad_sig) + b"\n"] + good[3:], 2, "signature")
    add("event dropped", good[:2] + good[3:], 2, "missing")
    add(
        "manifest title changed after phi",
        chain(phi, mutate(items, 0, lambda p: p["manifest"].update(title="x"))),
        0,
        "phi",
    )

    def bad_ballot(p):
        # byte 5 of c_0 in the first bit proof: still a canonical scalar, but the proof fails
        p["ballots"][0]["ballot"] = flip(p["ballots"][0]["ballot"], 72 + 64 * 3 + 128 + 5)

    add("ballot proof", chain(phi, mutate(items, 1, bad_ballot)), 1, "proof")

    def bad_root(p):
        p["root"] = flip(p["root"], 0)

    add("batch root", chain(phi, mutate(items, 1, bad_root)), 1, "root")

    def reorder(p):
        p["ballots"].reverse()

    add("batch order", chain(phi, mutate(items, 1, reorder)), 1, "sorted")

    add("ballot twice", chain(phi, mutate(items, 2, lambda p: dup_from(p, items))), 2, "twice")
    add(
        "credential root",
        chain(
            phi,
            mutate(
                items, 0, lambda p: p["credentials"].update(root=flip(p["credentials"]["root"], 3))
            ),
        ),
        0,
        "root",
    )

    def bad_close(p):
        p["ballots"]["online"] += 1

    add("close count", chain(phi, mutate(items, 3, bad_close)), 3, "CLOSE")

    def bad_tally(p):
        q = p["questions"][0]
        q["online"][0], q["online"][1] = q["online"][1], q["online"][0]

    add("tally sum", chain(phi, mutate(items, 4, bad_tally)), 4, "TALLY")

    def bad_share(p):
        q = p["questions"][0]
        q["online"][0] = flip(q["online"][0], 40)
        del p["sig"]
        p["sig"] = b64e(
            signing.sign(Keys.trustees[1], "share", hd(tag("share"), canonical.dumps(p)))
        )

    add("share proof", chain(phi, mutate(items, 5, bad_share)), 5, "share")

    def bad_share_sig(p):
        p["sig"] = flip(p["sig"], 9)

    add("share signature", chain(phi, mutate(items, 6, bad_share_sig)), 6, "signature")

    def bad_count(p):
        q = p["questions"][0]
        q["online"][1] -= 1
        q["total"][1] -= 1

    add("result count", chain(phi, mutate(items, 8, bad_count)), 8, "count")
    add(
        "result below threshold",
        chain(phi, mutate(items, 8, lambda p: p.update(trustees=[3]))),
        8,
        "threshold",
    )
    return out


def dup_from(p, items):
    """Adds to this batch a copy of a ballot of the first batch (same tracker, same X)."""
    first = items[1][2]["ballots"][0]
    p["ballots"].append(copy.deepcopy(first))
    p["ballots"].sort(key=lambda b: ballot.tracker(b64d(b["ballot"])[:-64]))
    leaves = [
        merkle.leaf_hash(ballot.tracker(b64d(b["ballot"])[:-64]), b64d(b["ballot"])[-64:])
        for b in p["ballots"]
    ]
    p["root"] = b64e(merkle.root(leaves))


def main() -> dict:
    phi, items, extra = build()
    return {
        "about": "mini-election record for the browser verifier; made by tests/js/make_record.py",
        "phi": b64e(phi),
        "record": b"".join(chain(phi, items)).decode(),
        "cases": cases(phi, items),
        **extra,
    }


if __name__ == "__main__":
    text_out = json.dumps(main(), ensure_ascii=False, indent=1) + "\n"
    if "--check" in sys.argv:
        sys.exit(0 if OUT.read_text() == text_out else 1)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text_out)
