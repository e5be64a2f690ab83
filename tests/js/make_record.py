"""A mini-election record `bastau-e2e/1` and its negative cases, for the browser verifier's tests.

Built with the Python record writer (bastau.primaries.e2e.record, ceremony) and the seeded test
RNG, so the output is the same on every run: `python tests/js/make_record.py` rewrites
tests/js/fixtures/mini-record.json, and tests/primaries/test_e2e_verify_js.py checks that the
committed file is what this script makes.

Two questions (a 3-candidate list choosing up to 2, and a 2-candidate list with no sum proof),
five members on the roll, three online ballots and one paper ballot in two batches, 2-of-3
trustees, the tally, all three shares and the result from trustees 1 and 3. Each negative case
changes one thing and re-signs the chain after it. For every case the fixture records the Python
verifier's first failure (`python_where`, `python_message`); the Node test requires the browser
verifier to fail at the same event.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import sys
import uuid as uuidlib
from pathlib import Path

from bastau.primaries.e2e import (
    ballot,
    canonical,
    ceremony,
    credentials,
    group,
    merkle,
    record,
    shares,
    signing,
)
from bastau.primaries.e2e.hashing import TestRng, b64d, b64e
from bastau.primaries.e2e.verify import verify_record

OUT = Path(__file__).resolve().parent / "fixtures" / "mini-record.json"
SEED = b"bastau mini-election record"
UUID = "0b4f3a52-7c1e-4d2a-9b35-6e8f1a2c3d4e"


def seed_of(label: str) -> bytes:
    return TestRng(SEED, label).bytes(32)


SERVER, CA, OBSERVER = seed_of("server"), seed_of("ca"), seed_of("observer")


def chain(phi: bytes, items: list[tuple[str, str, dict]]) -> list[bytes]:
    """The record's lines for these (type, day, payload), each co-signed by the observer."""
    lines, prev = [], phi
    for seq, (kind, day, payload) in enumerate(items):
        ev = record.make_event(seq, prev, kind, day, payload, SERVER)
        lines.append(record.cosign(ev.line(), OBSERVER))
        prev = ev.hash
    return lines


def cand(id_, name, woman, youth):
    return record.candidate(id_, name, woman=woman, youth=youth, disability=False)


QUESTIONS = [
    record.question(
        "A-01",
        "Алматы облысы, 1-округ",
        [
            cand("a1", "Айгүл Серікқызы", True, False),
            cand("a2", "Бауыржан Асқаров", False, True),
            cand("a3", "Дина Омарова", True, True),
        ],
        k_max=2,
        list_length=2,
        roll=3,
    ),
    record.question(
        "B-02",
        "Алматы облысы, 2-округ",
        [cand("b1", "Ерлан Жақсыбеков", False, False), cand("b2", "Жанар Исаева", True, False)],
        k_max=2,
        list_length=2,
        roll=2,
    ),
]
# (question, member or None for paper, choices)
BALLOTS = [
    ("A-01", "m1", [1, 1, 0]),
    ("A-01", "m2", [0, 1, 0]),
    ("B-02", "m4", [1, 1]),
    ("A-01", None, [1, 0, 1]),
]
ROLL = {"A-01": ["m1", "m2", "m3"], "B-02": ["m4", "m5"]}
THRESHOLD, NAMES, COMBINED = 2, ["Trustee One", "Trustee Two", "Trustee Three"], [1, 3]
RULES = {"id": "none", "label": "none", "groups": []}


SECRETS = {}


def build():
    rng = TestRng(SEED, "record")
    tr, secrets = ceremony.simulate(UUID, NAMES, THRESHOLD, rng)
    SECRETS.update(secrets)
    pk = ceremony.verify_transcript(tr, UUID, THRESHOLD)
    creds = {}
    for qid, members in ROLL.items():
        for m in members:
            c = credentials.format_credential(TestRng(SEED, f"credential-{m}").bytes(16))
            x = credentials.secret_key(uuidlib.UUID(UUID), c)
            creds[m] = (qid, c, x, group.base_mul(x))
    cl = record.build_credentials([(q, X) for q, _c, _x, X in creds.values()], CA)
    manifest = record.build_manifest(
        uuid=UUID,
        slug="mini-2027",
        title="Праймериз 2027 (сынақ)",
        questions=QUESTIONS,
        election_key=pk.y,
        threshold=THRESHOLD,
        trustee_count=len(NAMES),
        trustees=tr,
        credentials=cl,
        ca_key=signing.public_key(CA),
        server_key=signing.public_key(SERVER),
        observer_keys=[signing.public_key(OBSERVER)],
        opens=dt.datetime(2027, 3, 1, 3, tzinfo=dt.UTC),
        closes=dt.datetime(2027, 3, 3, 15, tzinfo=dt.UTC),
        rules=RULES,
        prefix_mode=False,
        reference_date=dt.date(2027, 3, 3),
        tie_break_seed="mini",
    )
    writer, setup_line = record.RecordWriter.start(SERVER, manifest, tr, cl, "2027-03-01")
    phi = writer.phi
    questions = {q["id"]: q for q in QUESTIONS}
    made = []
    audit = None
    for i, (qid, member, choices) in enumerate(BALLOTS):
        q = questions[qid]
        if member is None:
            made.append((qid, "paper", record.paper_ballot(phi, pk.y, q, choices, rng)))
            continue
        _q, _c, x, X = creds[member]
        election = record.question_election(phi, pk.y, q)
        body, data = ballot.encrypt_body(election, X, [choices], rng)
        if i == 0:
            audit = {
                "version": 1,
                "body": b64e(body),
                "tracker": b64e(ballot.tracker(body)),
                "r": [[b64e(r) for r in data.randomness[0]]],
                "m": [list(choices)],
            }
            body, data = ballot.encrypt_body(election, X, [choices], rng)  # encrypt afresh
        made.append((qid, "online", ballot.sign_body(election, body, x, rng)))
    lines = [setup_line, writer.batch(made[:2], "2027-03-01"), writer.batch(made[2:], "2027-03-02")]
    lines.append(writer.close(dt.datetime(2027, 3, 3, 15, tzinfo=dt.UTC), "2027-03-03"))
    lines.append(writer.tally("2027-03-03"))
    for j in (1, 2, 3):
        payload = shares.make_share_payload(
            writer.tally_payload, phi, j, secrets[j].share, pk.k[j], secrets[j].seed, rng
        )
        lines.append(writer.share(payload, "2027-03-04", pk))
    lines.append(writer.result(COMBINED, "2027-03-04"))
    items = [(ev.type, ev.day, ev.payload) for ev in (record.parse_event(line) for line in lines)]
    first = made[0][2]
    receipt = record.make_receipt(SERVER, phi, ballot.tracker(first[:-64]), "2027-03-01")
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
        report = verify_record(lines, final=True)
        first = report.failures[0] if report.failures else None
        out.append(
            {
                "name": name,
                "record": b"".join(lines).decode(),
                "seq": seq,
                "needle": needle,
                "python_where": first.where if first else None,
                "python_message": first.message if first else None,
            }
        )

    add(
        "line not canonical",
        good[:1] + [good[1].replace(b'{"ballots"', b'{ "ballots"')] + good[2:],
        1,
        "canonical",
    )
    bad_sig = json.loads(good[2])
    bad_sig["sig"] = flip(bad_sig["sig"], 5)
    add("event signature", good[:2] + [canonical.dumps(bad_sig) + b"\n"] + good[3:], 2, "signature")
    add("event dropped", good[:2] + good[3:], 3, "missing")
    add(
        "manifest title changed after phi",
        chain(phi, mutate(items, 0, lambda p: p["manifest"].update(title="x"))),
        0,
        "phi",
    )

    def bad_ballot(p):
        # byte 5 of c_0 in the first bit proof: still a canonical scalar, but the proof fails
        p["ballots"][0]["ballot"] = flip(p["ballots"][0]["ballot"], 72 + 64 * 3 + 128 + 5)
        reroot(p)

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
        p["sig"] = b64e(signing.sign(SECRETS[1].seed, "share", record.share_digest(p)))

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
    reroot(p)


def reroot(p):
    """Sorts a BATCH payload by tracker again and recomputes its root."""
    p["ballots"].sort(key=lambda b: ballot.tracker(b64d(b["ballot"])[:-64]))
    leaves = [
        merkle.leaf_hash(ballot.tracker(b64d(b["ballot"])[:-64]), b64d(b["ballot"])[-64:])
        for b in p["ballots"]
    ]
    p["root"] = b64e(merkle.root(leaves))


def main() -> dict:
    phi, items, extra = build()
    good = chain(phi, items)
    report = verify_record(good, final=True)
    if not report.ok:
        raise SystemExit(f"the Python verifier refuses the good record: {report.failures[:3]}")
    return {
        "about": "mini-election record for the browser verifier; made by tests/js/make_record.py",
        "phi": b64e(phi),
        "record": b"".join(good).decode(),
        "cases": cases(phi, items),
        **extra,
    }


if __name__ == "__main__":
    text_out = json.dumps(main(), ensure_ascii=False, indent=1) + "\n"
    if "--check" in sys.argv:
        sys.exit(0 if OUT.read_text() == text_out else 1)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text_out)
