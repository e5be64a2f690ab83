"""SHARE payloads: made, verified (naming the trustee, question and candidate) and combined."""

import copy
import itertools

import pytest

from bastau.primaries.e2e import canonical, ceremony, group, shares
from bastau.primaries.e2e.elgamal import ciphertext_sum, encrypt
from bastau.primaries.e2e.hashing import TAG_ELECTION, TestRng, b64d, b64e, hd
from bastau.primaries.e2e.shares import ShareError

UUID = "0d3c3a53-52b5-4a8e-9b0c-6d1f1f0d2a11"
SEED = b"share tests"
PHI = hd(TAG_ELECTION, b"share tests manifest")
TR, SECRETS = ceremony.simulate(UUID, ["A", "B", "C"], 2, TestRng(SEED, "ceremony"))
KEYS = ceremony.verify_transcript(TR, UUID, 2)

# Question q1: 3 candidates, online ballots (1,0,1), (1,1,0), (0,0,1), (1,0,0); paper (0,1,1).
# Question q2: 2 candidates, online (1,0); no paper ballot (an empty channel).
BALLOTS = {
    "q1": {"online": [(1, 0, 1), (1, 1, 0), (0, 0, 1), (1, 0, 0)], "paper": [(0, 1, 1)]},
    "q2": {"online": [(1, 0)], "paper": []},
}
N_CAND = {"q1": 3, "q2": 2}


def _tally(rng):
    questions = []
    for qid, chans in BALLOTS.items():
        entry = {"id": qid}
        for ch in ("online", "paper"):
            totals = []
            for ci in range(N_CAND[qid]):
                cts = [encrypt(KEYS.y, b[ci], rng.scalar()) for b in chans[ch]]
                raw = ciphertext_sum(cts).to_bytes() if cts else bytes(64)
                totals.append(b64e(raw))
            entry[ch] = totals
        questions.append(entry)
    return {"questions": questions}


TALLY = _tally(TestRng(SEED, "ballots"))
EXPECTED = {
    qid: {ch: [sum(b[ci] for b in bs) for ci in range(N_CAND[qid])] for ch, bs in chans.items()}
    for qid, chans in BALLOTS.items()
}
COUNTS = {qid: {ch: len(bs) for ch, bs in chans.items()} for qid, chans in BALLOTS.items()}


def _share(j, label="share"):
    s = SECRETS[j]
    return shares.make_share_payload(
        TALLY, PHI, j, s.share, KEYS.k[j], s.seed, TestRng(SEED, label)
    )


SHARES = {j: _share(j) for j in (1, 2, 3)}


def test_every_t_subset_gives_the_counts():
    for subset in itertools.combinations((1, 2, 3), 2):
        res = shares.combine(TALLY, [SHARES[j] for j in subset], PHI, KEYS, COUNTS)
        assert res.trustees == list(subset)
        assert res.counts == EXPECTED
        assert res.rejected == {}
    res = shares.combine(TALLY, list(SHARES.values()), PHI, KEYS, 5)
    assert res.trustees == [1, 2] and res.counts == EXPECTED


def test_share_payload_is_canonical_and_verifies():
    text = canonical.dumps(SHARES[2])
    j, ds = shares.verify_share_payload(canonical.loads(text), TALLY, PHI, KEYS)
    assert j == 2 and len(ds["q1"]["online"]) == 3
    assert ds["q2"]["paper"] == [group.IDENTITY, group.IDENTITY]


def _tamper(j, q, ch, ci, byte):
    payload = copy.deepcopy(SHARES[j])
    raw = bytearray(b64d(payload["questions"][q][ch][ci]))
    raw[byte] ^= 1
    payload["questions"][q][ch][ci] = b64e(bytes(raw))
    return payload


def _resign(payload, j):
    body = {k: v for k, v in payload.items() if k != "sig"}
    body["sig"] = b64e(shares.signing.sign(SECRETS[j].seed, "share", shares.share_digest(body)))
    return body


def test_bad_share_is_named_and_the_tally_completes_with_t_honest_trustees():
    bad = _resign(_tamper(1, 0, "online", 2, 70), 1)  # the proof's z
    with pytest.raises(ShareError, match="trustee 1, question q1, online, candidate 2") as e:
        shares.verify_share_payload(bad, TALLY, PHI, KEYS)
    assert e.value.trustee == 1
    res = shares.combine(TALLY, [bad, SHARES[2], SHARES[3]], PHI, KEYS, COUNTS)
    assert res.trustees == [2, 3] and res.counts == EXPECTED
    assert "trustee 1" in res.rejected[1]
    with pytest.raises(ShareError, match="1 valid shares, 2 needed"):
        shares.combine(TALLY, [bad, SHARES[3]], PHI, KEYS, COUNTS)


def test_each_mutation_is_refused():
    cases = [
        (_tamper(2, 0, "paper", 0, 3), "bad signature"),  # D changed, not re-signed
        (_resign(_tamper(2, 0, "paper", 0, 3), 2), "candidate 0"),  # D changed, re-signed
        (_resign(_tamper(2, 1, "paper", 1, 0), 2), "zero bytes"),  # empty total's entry
        (dict(SHARES[2], trustee=3), "bad signature"),
        (dict(SHARES[2], trustee=0), "trustee"),
        (dict(SHARES[2], extra=1), "unexpected field"),
    ]
    swapped = copy.deepcopy(SHARES[2])
    swapped["questions"].reverse()
    cases.append((_resign(swapped, 2), "question q1"))
    short = copy.deepcopy(SHARES[2])
    short["questions"][0]["online"].pop()
    cases.append((_resign(short, 2), "one entry per candidate"))
    for payload, match in cases:
        with pytest.raises(ShareError, match=match):
            shares.verify_share_payload(payload, TALLY, PHI, KEYS)
    # Another election's phi: every proof fails.
    with pytest.raises(ShareError, match="proof fails"):
        shares.verify_share_payload(SHARES[2], TALLY, hd(TAG_ELECTION, b"other"), KEYS)


def test_a_share_for_another_tally_fails_and_counts_beyond_the_bound_fail():
    other = _tally(TestRng(SEED, "other ballots"))
    with pytest.raises(ShareError, match="proof fails"):
        shares.verify_share_payload(SHARES[1], other, PHI, KEYS)
    with pytest.raises(ShareError, match="not a multiple"):
        shares.combine(TALLY, [SHARES[1], SHARES[2]], PHI, KEYS, 2)


def test_wrong_secret_is_refused_when_making_a_share():
    s = SECRETS[1]
    with pytest.raises(ShareError, match="K_j"):
        shares.make_share_payload(
            TALLY, PHI, 1, SECRETS[2].share, KEYS.k[1], s.seed, TestRng(SEED, "x")
        )
