"""Batch verification (batch.py + native/msm): it accepts exactly what the reference accepts, on
every vector, names a bad ballot hidden in a large batch as the reference does, and its native
decoder refuses exactly the encodings libsodium refuses.

The native command is built by `make install` / `make native` (Go and Debian's curve library
sources). Without it these tests skip with the reason, except in CI (CI or BASTAU_REQUIRE_BROWSER
set), where they fail: a CI run cannot pass without running them."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
from pathlib import Path

import pytest
import rbcl

from bastau.primaries.e2e import ballot, batch, group, verify
from bastau.primaries.e2e.hashing import TAG_ELECTION, TestRng, b64d, hd

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
RECORD = VECTORS / "e2e-v1-election.jsonl"
NEGATIVE = VECTORS / "e2e-v1-negative"
P = 2**255 - 19


def _required() -> bool:
    for name in ("CI", "BASTAU_REQUIRE_BROWSER"):
        if os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no"):
            return True
    return False


@pytest.fixture(scope="module")
def msm():
    path = batch.find_binary()
    if path is None:
        reason = f"{batch.BINARY} is not built (make native)"
        if _required():
            pytest.fail(f"{reason}; CI must run the native engine", pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture
def native(msm):
    n = batch.Native(msm)
    yield n
    n.close()


# --------------------------------------------------------------------------- the two engines


def _cases():
    return json.loads((NEGATIVE / "index.json").read_text(encoding="utf-8"))


def _both(lines, **kw):
    ref = verify.verify_record(lines, engine="reference", **kw)
    before = dict(batch.STATS)
    fast = verify.verify_record(lines, engine="batch", **kw)
    combined = batch.STATS["combined"] - before["combined"]
    assert ref.engine.startswith("reference")
    assert fast.engine.startswith("batch")
    assert fast.failures == ref.failures
    assert (fast.ok, fast.finished, fast.result, fast.ballots, fast.rejected) == (
        ref.ok, ref.finished, ref.result, ref.ballots, ref.rejected,
    )  # fmt: skip
    return ref, fast, combined


def test_the_engines_agree_on_the_positive_vector(msm):
    lines = RECORD.read_bytes().splitlines(keepends=True)
    ref, fast, combined = _both(lines)
    assert fast.ok and ref.ok
    # the valid ballots went through the combination, not the reference
    assert combined == fast.ballots["online"] + fast.ballots["paper"]
    two = verify.verify_record(lines, engine="batch", jobs=2)
    assert two.ok and two.failures == fast.failures and two.result == fast.result


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["name"])
def test_the_engines_agree_on_each_negative_vector(msm, case):
    lines = (NEGATIVE / case["file"]).read_bytes().splitlines(keepends=True)
    key = b64d(case["pinned"]) if "pinned" in case else None
    heads = case["heads"].encode() if "heads" in case else None
    ref, fast, _ = _both(lines, server_key=key, heads=heads)
    assert not fast.ok
    texts = [str(f) for f in fast.failures]
    assert any(case["where"] in t and case["message"] in t for t in texts), texts


# --------------------------------------------------------------------------- a large batch

RNG_SEED = b"batch tests"


def _election(n=6, k_min=1, k_max=3):
    rng = TestRng(RNG_SEED, "setup")
    y = group.base_mul(rng.scalar())
    phi = hd(TAG_ELECTION, b"batch")
    return ballot.Election(phi, y, (ballot.Question("q", n, k_min, k_max),))


ELECTION = _election()


def _voter(i):
    rng = TestRng(RNG_SEED, f"voter {i}")
    x = rng.scalar()
    return x, group.base_mul(x), rng


def _ballots(count):
    out = []
    for i in range(count):
        x, x_pub, rng = _voter(i)
        choices = [(i >> b) & 1 for b in range(6)]
        while not 1 <= sum(choices) <= 3:
            choices = [1, 0, 0, 0, 0, 0] if sum(choices) == 0 else [0, 1, 1, 0, 0, 0]
        body, _audit = ballot.encrypt_body(ELECTION, x_pub, [choices], rng)
        out.append((body, x, rng))
    return out


def _signed(body, x, rng):
    return ballot.sign_body(ELECTION, body, x, rng)


def _reference(data):
    try:
        ballot.verify(ELECTION, data)
        return None
    except ballot.InvalidBallot as e:
        return str(e)


CT = 72
BITS = CT + 6 * 64


def test_a_bad_proof_or_ciphertext_in_a_large_batch_is_caught_and_named(msm):
    made = _ballots(40)
    items = [("q", _signed(b, x, r)) for b, x, r in made]
    # ballot 7: the response v_1 of candidate 2's 0/1 proof changed (still a canonical scalar)
    body, x, rng = made[7]
    off = BITS + 2 * 224 + 192
    v = group.s_add(body[off : off + 32], group.scalar(1))
    items[7] = ("q", _signed(body[:off] + v + body[off + 32 :], x, rng))
    # ballot 23: candidate 4's beta replaced by another valid point (the proofs no longer fit)
    body, x, rng = made[23]
    off = CT + 4 * 64 + 32
    beta = group.add(body[off : off + 32], group.G)
    items[23] = ("q", _signed(body[:off] + beta + body[off + 32 :], x, rng))
    # ballot 31: the sum proof's last response changed
    body, x, rng = made[31]
    off = len(body) - 32
    v = group.s_add(body[off:], group.scalar(5))
    items[31] = ("q", _signed(body[:off] + v, x, rng))

    before = dict(batch.STATS)
    got = batch.check_ballots({"q": ELECTION}, items, msm)
    assert batch.STATS["failed_batches"] > before["failed_batches"]
    want = [_reference(d) for _q, d in items]
    assert got == want
    assert [i for i, m in enumerate(got) if m] == [7, 23, 31]
    assert got[7] == "q[2]: 0/1 proof does not verify"
    assert got[23] == "q[4]: 0/1 proof does not verify"
    assert got[31] == "q: sum proof does not verify"
    # and the same ballots, all valid, pass through the combination alone
    before = dict(batch.STATS)
    clean = [("q", _signed(b, x, r)) for b, x, r in made]
    assert batch.check_ballots({"q": ELECTION}, clean, msm) == [None] * 40
    assert batch.STATS["combined"] - before["combined"] == 40
    assert batch.STATS["reference"] == before["reference"]


def test_malformed_ballots_go_to_the_reference(msm):
    body, x, rng = _ballots(1)[0]
    good = _signed(body, x, rng)
    bad = [
        good[:-1],  # short
        good[:8] + bytes(32) + good[40:],  # another phi
        _signed(body[:CT] + bytes(32) + body[CT + 32 :], x, rng),  # identity alpha
        _signed(
            body[:CT] + body[CT : CT + 31] + bytes([body[CT + 31] | 0x80]) + body[CT + 32 :], x, rng
        ),  # bit 255  # fmt: skip
        _signed(
            body[: BITS + 160] + (group.L + 1).to_bytes(32, "little") + body[BITS + 192 :], x, rng
        ),  # v not below l  # fmt: skip
        good[:-32] + (group.L).to_bytes(32, "little"),  # sigma s not below l
        _signed(body[:CT] + (P + 2).to_bytes(32, "little") + body[CT + 32 :], x, rng),
    ]
    items = [("q", d) for d in [good, *bad]]
    got = batch.check_ballots({"q": ELECTION}, items, msm)
    assert got == [_reference(d) for _q, d in items]
    assert got[0] is None and all(got[1:])


# --------------------------------------------------------------------------- the native decoder


def _raw(msm, request: bytes) -> bytes:
    out = subprocess.run([msm], input=request, capture_output=True, check=True, timeout=60)
    return out.stdout


def _library_accepts(b: bytes) -> bool:
    """What group.decode_point accepts, the identity allowed (that rule is Python's)."""
    try:
        group.decode_point(b, allow_identity=True)
        return True
    except group.EncodingError:
        return False


def _encodings():
    rng = TestRng(RNG_SEED, "encodings")
    valid = [group.base_mul(rng.scalar()) for _ in range(200)] + [group.IDENTITY, group.G]
    out = list(valid)
    out += [rng.bytes(32) for _ in range(1500)]  # mostly invalid
    out += [v[:31] + bytes([v[31] | 0x80]) for v in valid]  # bit 255 set on a valid point
    out += [(P + k).to_bytes(32, "little") for k in range(19)]  # s >= p: non-canonical
    out += [(P - k).to_bytes(32, "little") for k in range(1, 40)]  # near p, half of them odd
    out += [((int.from_bytes(v, "little") + P) % 2**256).to_bytes(32, "little") for v in valid]
    out += [(P - int.from_bytes(v, "little")).to_bytes(32, "little") for v in valid[:50]]  # -s
    out += [bytes([255] * 32), bytes([255] * 31 + [127]), (1).to_bytes(32, "little")]
    return out


def test_the_native_decoder_refuses_exactly_what_libsodium_refuses(native, msm):
    encs = _encodings()
    accepted = [_library_accepts(e) for e in encs]
    assert 150 < sum(accepted) < len(encs) - 1000  # both kinds, many of each
    for e, ok in zip(encs, accepted, strict=True):
        got = native.sums([[e]])
        assert (got is not None) == ok, e.hex()
        if ok:
            assert got == [e]  # decoded and encoded back unchanged
        # the multiplication decodes the same way: 0*P is the identity, a bad P is refused
        answer = _raw(msm, b"M" + struct.pack("<I", 1) + bytes(32) + e)
        assert answer == (b"\x01" if ok else b"\x02"), e.hex()
    assert rbcl.crypto_core_ristretto255_is_valid_point(encs[0])


def test_native_sums_and_combinations_match_libsodium(native):
    rng = TestRng(RNG_SEED, "sums")
    points = [group.base_mul(rng.scalar()) for _ in range(30)]
    scalars = [rng.scalar() for _ in range(30)]
    assert native.sums([points, points[:1], []]) == [
        group.point_sum(points), points[0], group.IDENTITY,
    ]  # fmt: skip
    total = group.point_sum(group.mul(s, p) for s, p in zip(scalars, points, strict=True))
    terms = [s + p for s, p in zip(scalars, points, strict=True)]
    minus_one = group.scalar(-1)
    assert native.is_identity(terms + [minus_one + total])
    assert not native.is_identity(terms + [minus_one + group.add(total, group.G)])
    assert not native.is_identity(terms)
    # a scalar not below l is refused, never reduced
    big = (group.L + int.from_bytes(scalars[0], "little")).to_bytes(32, "little")
    assert not native.is_identity([big + points[0]] + terms[1:] + [minus_one + total])
    assert native.is_identity([])  # the empty sum


# --------------------------------------------------------------------------- the commands


def test_the_command_says_which_engine_ran(msm, monkeypatch):
    for engine, word in (("batch", "Engine: batch"), ("reference", "Engine: reference")):
        out = io.StringIO()
        assert verify.run([str(RECORD), "--engine", engine], out) == 0
        assert word in out.getvalue()
    monkeypatch.setenv(batch.ENV, "")  # no native command
    out = io.StringIO()
    assert verify.run([str(RECORD)], out) == 0
    assert "Engine: reference" in out.getvalue() and "not found" in out.getvalue()
    out = io.StringIO()
    assert verify.run([str(RECORD), "--engine", "batch"], out) == 2
    assert "usage error" in out.getvalue() and batch.BINARY in out.getvalue()


def test_the_trustee_share_says_which_engine_checked_the_record(msm, tmp_path, monkeypatch):
    from bastau.primaries.e2e import trustee_cli

    lines = RECORD.read_bytes().splitlines(keepends=True)
    types = [json.loads(line)["type"] for line in lines]
    cut = tmp_path / "to-tally.jsonl"
    cut.write_bytes(b"".join(lines[: types.index("TALLY") + 1]))
    missing = tmp_path / "no.key"
    pw = tmp_path / "pw"
    pw.write_text("a passphrase\n", encoding="utf-8")

    def share(*extra):
        out = io.StringIO()
        argv = ["share", str(cut), "--keystore", str(missing), "--passphrase-file", str(pw), *extra]
        return trustee_cli.main(argv, out), out.getvalue()

    for engine in ("batch", "reference"):
        code, out = share("--engine", engine)
        # the record is checked first (and the engine named); then the missing keystore refuses
        assert code != 0 and f"Engine: {engine}" in out and "REFUSED" in out, out
    monkeypatch.setenv(batch.ENV, "")
    code, out = share("--engine", "batch")
    assert code != 0 and batch.BINARY in out and "no share was made" in out
    assert "Engine:" not in out
