"""The encrypted record and its verifier: the mini-election vector byte for byte, every negative
record, heads (verify-diff), pinning, unfinished records, the writer, receipts and the CLI."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bastau.primaries.e2e import canonical, hashing, record, shares, signing, vectors, verify
from bastau.primaries.e2e.hashing import b64d, b64e

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
RECORD = VECTORS / "e2e-v1-election.jsonl"
EXPECTED = VECTORS / "e2e-v1-election.json"
NEGATIVE = VECTORS / "e2e-v1-negative"


@pytest.fixture(scope="module")
def built():
    return vectors.mini_election()


@pytest.fixture(scope="module")
def lines():
    return RECORD.read_bytes().splitlines(keepends=True)


@pytest.fixture(scope="module")
def expected():
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


def test_the_generator_reproduces_the_record_byte_for_byte(built):
    new_lines, new_expected = built
    assert b"".join(new_lines) == RECORD.read_bytes()
    text = json.dumps(new_expected, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    assert text == EXPECTED.read_text(encoding="utf-8")


def test_the_negative_records_are_reproduced_byte_for_byte():
    table = json.loads((NEGATIVE / "index.json").read_text(encoding="utf-8"))
    cases = vectors.negative_cases()
    assert [c["name"] for c in cases] == [t["name"] for t in table]
    for case in cases:
        assert b"".join(case["lines"]) == (NEGATIVE / f"{case['name']}.jsonl").read_bytes()


def test_the_mini_election_verifies_and_gives_its_result(lines, expected):
    key = b64d(expected["server_key"])
    report = verify.verify_record(lines, server_key=key)
    assert report.failures == []
    assert report.ok and report.finished and report.pinned
    assert report.trusted == f"pinned {expected['server_key']}"
    assert report.ballots == {"online": 5, "paper": 1}
    assert report.rejected == 1
    assert b64e(report.phi) == expected["phi"]
    assert report.head == record.head(lines)
    res = {q["id"]: q for q in expected["result"]["questions"]}
    for qid, got in report.result.items():
        assert got["total"] == res[qid]["total"]
        assert got["list"] == res[qid]["list"]
    # the choices behind the vector add up to the result
    q1 = [0, 0, 0, 0]
    for c in expected["choices"]:
        if c["question"] == "q1":
            q1 = [a + b for a, b in zip(q1, c["choices"], strict=True)]
    assert res["q1"]["online"] == q1
    assert res["q1"]["paper"] == expected["paper"]["choices"]


def test_unpinned_says_so_loudly(lines):
    report = verify.verify_record(lines)
    assert report.ok
    assert not report.pinned
    assert report.trusted.startswith(verify.NOT_PINNED)
    assert any(verify.NOT_PINNED in line for line in report.lines())


def test_a_record_resigned_by_a_forger_passes_only_unpinned(lines, expected):
    forger = b"\x09" * 32
    events = [canonical.loads(line[:-1]) for line in lines]
    events[0]["payload"]["manifest"]["keys"]["server"] = b64e(signing.public_key(forger))
    phi = record.election_digest(canonical.dumps(events[0]["payload"]["manifest"]))
    forged = vectors._rechain(events, forger, 0, phi)
    unpinned = verify.verify_record(forged)
    pinned = verify.verify_record(forged, server_key=b64d(expected["server_key"]))
    assert not pinned.ok
    assert any("is not the pinned key" in str(f) for f in pinned.failures)
    # unpinned, the forgery is still caught: every ballot and share is bound to the old phi
    assert unpinned.trusted.startswith(verify.NOT_PINNED)
    assert not unpinned.ok
    assert any(
        "invalid ballot: ballot: phi is another election's" in str(f) for f in unpinned.failures
    )


def _cases():
    return json.loads((NEGATIVE / "index.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["name"])
def test_each_negative_record_fails_naming_the_object(case):
    lines = (NEGATIVE / case["file"]).read_bytes().splitlines(keepends=True)
    key = b64d(case["pinned"]) if "pinned" in case else None
    heads = case["heads"].encode() if "heads" in case else None
    report = verify.verify_record(lines, server_key=key, heads=heads)
    assert not report.ok
    texts = [str(f) for f in report.failures]
    assert any(case["where"] in t and case["message"] in t for t in texts), texts


def test_jobs_give_the_same_report(lines):
    records = [lines] + [
        (NEGATIVE / f"{name}.jsonl").read_bytes().splitlines(keepends=True)
        for name in ("ballot-changed", "ballot-duplicated", "x-reused", "valid-ballot-rejected",
                     "over-roll", "extra-field-event")
    ]  # fmt: skip
    for rec in records:
        one = verify.verify_record(rec, jobs=1)
        two = verify.verify_record(rec, jobs=2)
        assert one.failures == two.failures
        assert one.ok == two.ok
        assert one.result == two.result


def test_a_live_record_verifies_only_as_unfinished(lines):
    cut = lines[:4]
    live = verify.verify_record(cut, final=False)
    assert live.ok and not live.finished
    assert any("UNFINISHED" in line for line in live.lines())
    final = verify.verify_record(cut)
    assert not final.ok
    assert verify.verify_record([]).ok is False
    with pytest.raises(verify.VerificationError) as exc:
        final.raise_if_failed()
    assert "unfinished" in str(exc.value)


def test_heads_extend_and_fork(lines, expected):
    phi = b64d(expected["phi"])
    saved = record.heads_file(phi, [record.head(lines[:2]), record.head(lines[:6])])
    report = verify.verify_record(lines, heads=saved)
    assert report.ok and report.heads_checked == 2
    # the file in the vector is the same format
    assert verify.verify_record(lines, heads=expected["heads"].encode()).ok
    # a record shorter than a saved head fails even when unfinished is allowed
    short = verify.verify_record(lines[:3], heads=saved, final=False)
    assert any("shorter than a saved head" in str(f) for f in short.failures)
    # another election's heads
    other = record.heads_file(b"\x01" * 32, [record.head(lines[:2])])
    assert any(
        "another election" in str(f) for f in verify.verify_record(lines, heads=other).failures
    )
    # add_head refuses a fork and keeps the heads sorted
    f1 = record.add_head(None, phi, record.head(lines[:6]))
    f2 = record.add_head(f1, phi, record.head(lines[:2]))
    assert [s for s, _h in record.read_heads(f2)[1]] == [1, 5]
    with pytest.raises(record.RecordError, match="fork"):
        record.add_head(f2, phi, {"seq": 1, "hash": b64e(b"\x00" * 32)})


@pytest.mark.parametrize(
    "text",
    [
        b'{"election":"AA","format":"bastau-e2e-heads/1","heads":[]}',
        b'{"election":"' + b"A" * 43 + b'","format":"bastau-e2e-heads/1","heads":[],"x":1}',
        b'{"election":"' + b"A" * 43 + b'","format":"bastau-e2e-heads/1","heads":['
        b'{"hash":"' + b"A" * 43 + b'","seq":2},{"hash":"' + b"A" * 43 + b'","seq":1}]}',
    ],
)
def test_malformed_heads_files_are_refused(text):
    with pytest.raises(canonical.CanonicalError):
        record.read_heads(text)


def test_receipts(expected):
    key = b64d(expected["server_key"])
    phi = b64d(expected["phi"])
    for r in expected["receipts"]:
        assert record.verify_receipt(r, key, phi)
        assert not record.verify_receipt(r, key, b"\x00" * 32)
        assert not record.verify_receipt({**r, "day": "2026-12-02"}, key, phi)
        assert not record.verify_receipt({**r, "extra": 1}, key, phi)
        assert not record.verify_receipt(r, signing.public_key(b"\x05" * 32), phi)


def test_every_receipt_tracker_is_in_a_batch_with_a_merkle_path(lines, expected):
    """Check 12, the voter's light check: receipt -> leaf -> path -> signed BATCH."""
    batches = [record.parse_event(line) for line in lines if b'"type":"BATCH"' in line]
    for r in expected["receipts"]:
        t = b64d(r["tracker"])
        found = False
        for ev in batches:
            items = [b64d(it["ballot"]) for it in ev.payload["ballots"]]
            leaves = [shares_leaf(d) for d in items]
            for i, d in enumerate(items):
                if hashing.hd(hashing.TAG_TRACKER, d[:-64]) == t:
                    path = record.merkle.inclusion_path(leaves, i)
                    assert record.merkle.verify_inclusion(
                        leaves[i], i, len(leaves), path, b64d(ev.payload["root"])
                    )
                    found = True
        assert found


def shares_leaf(data: bytes) -> bytes:
    return record.merkle.leaf_hash(hashing.hd(hashing.TAG_TRACKER, data[:-64]), data[-64:])


def test_credential_paths(lines):
    setup = record.parse_event(lines[0])
    cl = setup.payload["credentials"]
    for i, e in enumerate(cl["entries"]):
        x = b64d(e["key"])
        p = record.credential_path(cl, x)
        assert p["index"] == i and p["question"] == e["question"]
        leaf = record.credential_leaf(e["question"], x)
        assert record.merkle.verify_inclusion(
            leaf, i, p["count"], [b64d(s) for s in p["path"]], b64d(cl["root"])
        )
    assert record.credential_path(cl, b"\x00" * 32) is None


def test_the_writer_resumes_where_it_stopped(lines, expected):
    seed = bytes.fromhex(expected["server_seed"])
    w = record.RecordWriter.resume(seed, lines[:6])
    assert w.seq == 6 and w.prev == record.parse_event(lines[5]).hash
    assert w.tally_payload == record.parse_event(lines[5]).payload
    w2 = record.RecordWriter.resume(seed, lines[:5])
    assert w2.tally("2026-12-02") == lines[5]


def test_the_writer_refuses_out_of_order_and_bad_shares(lines, expected):
    seed = bytes.fromhex(expected["server_seed"])
    w = record.RecordWriter.resume(seed, lines[:4])
    with pytest.raises(record.RecordError):
        w.tally("2026-12-02")
    w = record.RecordWriter.resume(seed, lines[:6])
    with pytest.raises(record.RecordError):
        w.batch([("q1", "online", b"x" * 200)], "2026-12-02")
    bad = record.parse_event(lines[6]).payload
    bad = {**bad, "trustee": 2}  # trustee 1's share claimed by trustee 2: signature fails
    setup = record.parse_event(lines[0]).payload
    from bastau.primaries.e2e import ceremony

    pk = ceremony.verify_transcript(setup["trustees"], setup["manifest"]["uuid"], 2)
    with pytest.raises(record.RecordError, match="trustee 2"):
        w.share(bad, "2026-12-02", pk)


def test_share_checks_agree_with_the_trustee_module(lines):
    setup = record.parse_event(lines[0]).payload
    from bastau.primaries.e2e import ceremony

    pk = ceremony.verify_transcript(setup["trustees"], setup["manifest"]["uuid"], 2)
    tally_payload = record.parse_event(lines[5]).payload
    phi = record.election_digest(canonical.dumps(setup["manifest"]))
    for line in lines[6:9]:
        payload = record.parse_event(line).payload
        assert record.share_problems(phi, setup["manifest"], tally_payload, payload, pk) == []
        shares.verify_share_payload(payload, tally_payload, phi, pk)
        assert record.share_digest({k: v for k, v in payload.items() if k != "sig"}) == (
            shares.share_digest(payload)
        )


def test_a_rule_set_with_two_youth_ages_is_refused():
    rules = {
        "id": "x",
        "label": "x",
        "groups": [
            {"id": "a", "label": "a", "min_share": 10,
             "predicate": {"kind": "youth", "age_below": 29}},
            {"id": "b", "label": "b", "min_share": 10,
             "predicate": {"kind": "youth", "age_below": 35}},
        ],
    }  # fmt: skip
    with pytest.raises(record.RecordError):
        record.youth_age(rules)


def test_the_cli_exit_codes(tmp_path, expected):
    out = io.StringIO()
    assert verify.run([str(RECORD), "--server-key", expected["server_key"]], out) == 0
    assert "OK: verified" in out.getvalue()
    out = io.StringIO()
    assert verify.run([str(NEGATIVE / "result-off-by-one.jsonl")], out) == 1
    assert "count 3 does not match" in out.getvalue()
    assert verify.run([str(RECORD), "--server-key", "not-a-key"], io.StringIO()) == 2
    assert verify.run([str(tmp_path / "missing.jsonl")], io.StringIO()) == 2
    assert verify.run(["--jobs", "0", str(RECORD)], io.StringIO()) == 2
    assert verify.run([], io.StringIO()) == 2
    heads = tmp_path / "heads.json"
    assert verify.run([str(RECORD), "--save-head", str(heads)], io.StringIO()) == 0
    phi, saved = record.read_heads(heads.read_bytes())
    assert saved[-1][0] == 9
    out = io.StringIO()
    assert verify.run([str(NEGATIVE / "fork.jsonl"), "--heads", str(heads)], out) == 1
    # --save-head checks the heads already saved in the file: a forked record is refused there
    forked = tmp_path / "forked.jsonl"
    fork_lines = (NEGATIVE / "fork.jsonl").read_bytes().splitlines(keepends=True)
    forked.write_bytes(b"".join(fork_lines))
    out = io.StringIO()
    assert verify.run([str(forked), "--save-head", str(heads)], out) == 1
    assert "a fork" in out.getvalue()
    other = tmp_path / "other-heads.json"
    other.write_bytes(record.heads_file(b"\x02" * 32, [{"seq": 0, "hash": b64e(bytes(32))}]))
    out = io.StringIO()
    assert verify.run([str(RECORD), "--save-head", str(other)], out) == 1


def test_the_module_runs_without_django(tmp_path):
    """python -m bastau.primaries.e2e.verify imports no Django."""
    code = (
        f"import sys, runpy; sys.argv=['verify', {str(RECORD)!r}];"
        "\ntry:\n runpy.run_module('bastau.primaries.e2e.verify', run_name='__main__')\n"
        "except SystemExit as e:\n assert e.code == 0, e.code\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django'"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr
    assert "OK: verified" in res.stdout


def test_the_management_command_needs_no_database(tmp_path):
    """bastau verify_election runs with settings whose database cannot be reached."""
    settings = tmp_path / "nodb_settings.py"
    settings.write_text(
        "from bastau.settings import *  # noqa\n"
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', "
        "'HOST': '127.0.0.1', 'PORT': '1', 'NAME': 'none', 'USER': 'none'}}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "nodb_settings",
           "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}  # fmt: skip
    bastau = Path(sys.executable).parent / "bastau"
    res = subprocess.run(
        [str(bastau), "verify_election", str(RECORD)], capture_output=True, text=True, env=env
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert verify.NOT_PINNED in res.stdout
    res = subprocess.run(
        [str(bastau), "verify_election", str(NEGATIVE / "bad-share.jsonl")],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert res.returncode == 1
    assert "trustee 2" in res.stdout
    res = subprocess.run(
        [str(bastau), "verify_election", "--jobs", "x", str(RECORD)],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert res.returncode == 2


def test_void_credentials(lines, expected):
    """A voided credential (a paper voter's) may not cast online afterwards; voiding a used or
    unknown credential fails."""
    import uuid

    from bastau.primaries.e2e import ballot, credentials

    seed = bytes.fromhex(expected["server_seed"])
    setup = record.parse_event(lines[0]).payload
    manifest = setup["manifest"]
    euuid = uuid.UUID(manifest["uuid"])
    xs = [
        (c["question"], credentials.secret_key(euuid, c["credential"]))
        for c in expected["credentials"]
    ]
    q_abst, x_abst = xs[5]  # the q1 abstainer
    q_used, x_used = xs[0]
    x_pub = credentials.public_key(x_abst)

    ca = bytes.fromhex(expected["ca_seed"])
    phi = b64d(expected["phi"])

    def ca_sig(keys):
        return b64d(record.sign_void(ca, phi, keys)["ca_sig"])

    w = record.RecordWriter.resume(seed, lines[:4])
    ok_void = w.void([(q_abst, x_pub)], ca_sig([(q_abst, x_pub)]), "2026-12-01")
    rest = [ok_void, w.close(dt_close(), "2026-12-01")]
    report = verify.verify_record(lines[:4] + rest, final=False)
    assert report.ok and report.voided == 1

    w = record.RecordWriter.resume(seed, lines[:4])
    void = w.void([(q_abst, x_pub)], ca_sig([(q_abst, x_pub)]), "2026-12-01")
    q = {q["id"]: q for q in manifest["questions"]}[q_abst]
    el = record.question_election(w.phi, b64d(manifest["election_key"]), q)
    body, _a = ballot.encrypt_body(el, x_pub, [[1, 0, 0, 0]], hashing.TestRng(b"t", "void"))
    data = ballot.sign_body(el, body, x_abst, hashing.TestRng(b"t", "void-sig"))
    after = w.batch([(q_abst, "online", data)], "2026-12-01")
    report = verify.verify_record(lines[:4] + [void, after], final=False)
    assert any("was voided" in str(f) for f in report.failures)

    w = record.RecordWriter.resume(seed, lines[:4])
    used = [(q_used, credentials.public_key(x_used))]
    bad = w.void(used, ca_sig(used), "2026-12-01")
    report = verify.verify_record(lines[:4] + [bad], final=False)
    assert any("was already used" in str(f) for f in report.failures)

    # The writer refuses a VOID the CA did not sign (or signed for other keys), and after CLOSE.
    w = record.RecordWriter.resume(seed, lines[:4])
    with pytest.raises(record.RecordError, match="CA's signature"):
        w.void([(q_abst, x_pub)], ca_sig(used), "2026-12-01")
    forged = b64d(record.sign_void(seed, phi, [(q_abst, x_pub)])["ca_sig"])
    with pytest.raises(record.RecordError, match="CA's signature"):
        w.void([(q_abst, x_pub)], forged, "2026-12-01")
    w.close(dt_close(), "2026-12-01")
    with pytest.raises(record.RecordError, match="closed"):
        w.void([(q_abst, x_pub)], ca_sig([(q_abst, x_pub)]), "2026-12-01")


def test_the_void_vector_is_reproduced_and_verifies(expected):
    made = b"".join(vectors.void_election())
    assert made == (VECTORS / vectors.VOID_FILE).read_bytes()
    lines = made.splitlines(keepends=True)
    report = verify.verify_record(lines, server_key=b64d(expected["server_key"]))
    assert report.failures == []
    assert report.ok and report.finished and report.voided == 1
    void = record.parse_event(lines[vectors.VOID_AT])
    assert void.type == "VOID"
    assert set(void.payload) == {"credentials", "ca_sig"}
    # The CA's signature covers phi: the same list signed for another election fails.
    entries = void.payload["credentials"]
    sig = b64d(void.payload["ca_sig"])
    ca_key = b64d(record.parse_event(lines[0]).payload["manifest"]["keys"]["ca"])
    assert signing.verify(ca_key, "void", record.void_digest(report.phi, entries), sig)
    assert not signing.verify(ca_key, "void", record.void_digest(bytes(32), entries), sig)
    assert not signing.verify(ca_key, "credentials", record.void_digest(report.phi, entries), sig)


def dt_close():
    import datetime as dt

    return dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 8, 13, 33])
def test_the_merkle_index_agrees_with_merkle_py(n):
    leaves = [hashing.hd(b"t", bytes([i])) for i in range(n)]
    idx = record.MerkleIndex(leaves)
    assert idx.root == record.merkle.root(leaves)
    for i in range(n):
        assert idx.path(i) == record.merkle.inclusion_path(leaves, i)


def test_a_writer_from_its_state_continues_the_same_record(lines, expected):
    seed = bytes.fromhex(expected["server_seed"])
    full = record.RecordWriter.resume(seed, lines[:4])
    state = canonical.loads(canonical.dumps(full.state()))
    manifest = record.parse_event(lines[0]).payload["manifest"]
    w = record.RecordWriter.from_state(seed, manifest, state)
    assert w.close(dt_close(), "2026-12-01") == lines[4]
    with pytest.raises(record.RecordError, match="batch_lines"):
        w.tally("2026-12-02")
    with pytest.raises(record.RecordError, match="not the record's"):
        w.tally("2026-12-02", batch_lines=lines[:2])
    assert w.tally("2026-12-02", batch_lines=lines[:4]) == lines[5]


def test_check_cast_refuses_a_tampered_ballot(lines):
    from bastau.primaries.e2e import ballot

    setup = record.parse_event(lines[0]).payload
    m = setup["manifest"]
    phi = record.election_digest(canonical.dumps(m))
    y = b64d(m["election_key"])
    qs = {q["id"]: q for q in m["questions"]}
    item = record.parse_event(lines[1]).payload["ballots"][0]
    data = b64d(item["ballot"])
    got = record.check_cast(phi, y, qs[item["question"]], data)
    assert got.tracker == hashing.hd(hashing.TAG_TRACKER, data[:-64])
    with pytest.raises(ballot.InvalidBallot):
        record.check_cast(phi, y, qs[item["question"]], data[:-1] + bytes([data[-1] ^ 1]))
    other = "q2" if item["question"] == "q1" else "q1"
    with pytest.raises(ballot.InvalidBallot):
        record.check_cast(phi, y, qs[other], data)


def _trustee_secrets():
    from bastau.primaries.e2e import ceremony

    rng = hashing.TestRng(vectors.SEED, "election")
    for _ in range(3):
        rng.bytes(32)
    _tr, secrets = ceremony.simulate(vectors.E_UUID, ["Aigerim", "Bolat", "Dana"], 2, rng)
    return secrets


def test_an_election_without_ballots_verifies_with_zero_counts(lines, expected):
    """CLOSE right after SETUP: identity totals, 128-zero-byte shares, counts 0, lists by lot."""
    from bastau.primaries.e2e import ceremony

    seed = bytes.fromhex(expected["server_seed"])
    setup = record.parse_event(lines[0]).payload
    pk = ceremony.verify_transcript(setup["trustees"], setup["manifest"]["uuid"], 2)
    secrets = _trustee_secrets()
    w = record.RecordWriter.resume(seed, lines[:1])
    out = [lines[0], w.close(dt_close(), "2026-12-01"), w.tally("2026-12-02")]
    rng = hashing.TestRng(b"t", "empty")
    for j in (2, 3):
        s = secrets[j]
        sp = shares.make_share_payload(w.tally_payload, w.phi, j, s.share, pk.k[j], s.seed, rng)
        assert all(v == b64e(bytes(128)) for q in sp["questions"] for v in q["online"])
        out.append(w.share(sp, "2026-12-02", pk))
    out.append(w.result([2, 3], "2026-12-02"))
    report = verify.verify_record(out, server_key=b64d(expected["server_key"]))
    assert report.failures == [] and report.ok
    assert all(set(q["total"]) == {0} for q in report.result.values())
    assert (
        report.result["q1"]["list"] == record.parse_event(out[-1]).payload["questions"][0]["list"]
    )
    # one trustee is not enough
    w2 = record.RecordWriter.resume(seed, out[:4])
    short = verify.verify_record(out[:4] + [w2.result([2], "2026-12-02")])
    assert any("the threshold is 2" in str(f) for f in short.failures)


def test_a_trustee_with_a_bad_share_is_named_and_the_others_complete(lines, expected):
    bad = (NEGATIVE / "bad-share.jsonl").read_bytes().splitlines(keepends=True)
    report = verify.verify_record(bad)
    assert report.result is not None  # RESULT from trustees 1 and 3 still checks out
    assert all("trustee 2" in str(f) for f in report.failures)


def test_any_flipped_byte_fails(lines):
    """A seeded sample of single-bit changes, a few in every line: none may verify."""
    import random

    rnd = random.Random(13)
    for li, line in enumerate(lines):
        for _ in range(4):
            pos = rnd.randrange(len(line) - 1)  # the newline is covered by its own test
            bit = 1 << rnd.randrange(7)
            changed = line[:pos] + bytes([line[pos] ^ bit]) + line[pos + 1 :]
            report = verify.verify_record(lines[:li] + [changed] + lines[li + 1 :])
            assert not report.ok, (li, pos, bit)
            assert report.failures


def test_a_missing_final_newline_fails(lines):
    report = verify.verify_record(lines[:-1] + [lines[-1][:-1]])
    assert any("newline" in str(f) for f in report.failures)


def test_add_cosignature(lines, expected):
    obs_seed = bytes.fromhex(expected["observer_seed"])
    key = signing.public_key(obs_seed)
    line = lines[1]  # not co-signed in the vector
    h = record.parse_event(line).hash
    sig = signing.sign(obs_seed, "observer", h)
    signed = record.add_cosignature(line, key, sig, [key])
    assert signed == record.cosign(line, obs_seed)
    report = verify.verify_record([lines[0], signed, *lines[2:]])
    assert report.ok and report.cosigned[b64e(key)] == 9
    with pytest.raises(record.RecordError, match="listed"):
        record.add_cosignature(line, signing.public_key(b"\x03" * 32), sig, [key])
    with pytest.raises(record.RecordError, match="does not verify"):
        record.add_cosignature(lines[2], key, sig, [key])


def _observer_seeds_out_of_text_order():
    """Three observer seeds whose keys sort differently as bytes and as base64url text ('-' and
    digits come before letters in ASCII, after them in the base64url alphabet)."""
    found: dict[str, bytes] = {}
    i = 0
    while len(found) < 3:
        seed = hashing.hd(b"observer-order", i.to_bytes(4, "big"))
        first = b64e(signing.public_key(seed))[0]
        kind = "sym" if first in "-_" else "digit" if first.isdigit() else "letter"
        found.setdefault(kind, seed)
        i += 1
    return list(found.values())


def test_observer_keys_are_sorted_by_bytes_and_the_record_verifies(lines, expected):
    import datetime as dt

    seeds = _observer_seeds_out_of_text_order()
    keys = [signing.public_key(s) for s in seeds]
    assert sorted(keys) != sorted(keys, key=b64e)  # the case this test is about
    setup = record.parse_event(lines[0]).payload
    m = setup["manifest"]
    manifest = record.build_manifest(
        uuid=m["uuid"],
        slug=m["slug"],
        title=m["title"],
        questions=m["questions"],
        election_key=b64d(m["election_key"]),
        threshold=m["threshold"],
        trustee_count=m["trustee_count"],
        trustees=setup["trustees"],
        credentials=setup["credentials"],
        ca_key=b64d(m["keys"]["ca"]),
        server_key=b64d(m["keys"]["server"]),
        observer_keys=list(reversed(keys)),
        opens=dt.datetime.fromisoformat(m["voting"]["opens"]),
        closes=dt.datetime.fromisoformat(m["voting"]["closes"]),
        rules=m["quota"]["custom"],
        prefix_mode=m["quota"]["prefix_mode"],
        reference_date=dt.date.fromisoformat(m["quota"]["reference_date"]),
        tie_break_seed=m["quota"]["tie_break_seed"],
    )
    assert [b64d(k) for k in manifest["keys"]["observers"]] == sorted(keys)
    seed = bytes.fromhex(expected["server_seed"])
    w, first = record.RecordWriter.start(
        seed, manifest, setup["trustees"], setup["credentials"], "2026-12-01"
    )
    out = [first, w.close(dt_close(), "2026-12-01")]
    for s in seeds:
        out = [record.cosign(line, s) for line in out]
    # a live record (no tally yet): every co-signature checks against the byte-ordered keys
    report = verify.verify_record(out, server_key=b64d(expected["server_key"]), final=False)
    assert report.failures == []
    assert sorted(b64d(k) for k in report.cosigned) == sorted(keys)
