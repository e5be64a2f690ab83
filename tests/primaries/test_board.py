"""The bulletin board: a clean record verifies; every kind of tampering is named precisely."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import random
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st

from bastau.primaries.board import (
    FORMAT,
    BoardBuilder,
    BoardError,
    Campaign,
    ballot_bytes,
    canonical_json,
    compute_tracker,
    find_tracker,
    format_sealed_at,
    generate_private_key,
    load_private_key,
    load_public_key,
    merkle_root,
    new_ballot,
    private_key_to_text,
    public_key_to_text,
    verify_board,
)

KEY = generate_private_key()
CAMPAIGN = Campaign(
    slug="mugalzhar-reserve-2019",
    title="Мұғалжар: кадрлық резерв",
    candidates=tuple((f"c{i:02d}", f"Кандидат {i}") for i in range(1, 11)),
    choose_up_to=3,
)
START = dt.datetime(2019, 11, 20, 9, 0, 42, tzinfo=dt.UTC)


def build(n_ballots: int = 300, batches: int = 5, seed: int = 1, close: bool = True) -> dict:
    rng = random.Random(seed)
    board = BoardBuilder(CAMPAIGN, KEY)
    ids = [cid for cid, _ in CAMPAIGN.candidates]
    per = -(-n_ballots // batches)
    for i in range(n_ballots):
        board.cast(rng.sample(ids, rng.randint(0, 3)), nonce=f"{rng.getrandbits(128):032x}")
        if (i + 1) % per == 0:
            board.seal(START + dt.timedelta(minutes=10 * (i + 1) // per))
    if close:
        board.close(START + dt.timedelta(hours=12))
    return json.loads(json.dumps(board.export()))  # exactly what a downloader gets


@pytest.fixture(scope="module")
def clean() -> dict:
    return build()


@pytest.fixture
def record(clean) -> dict:
    return copy.deepcopy(clean)


def only(report, *codes):
    assert not report.ok
    assert report.codes() == set(codes), report.summary()


def batch_of(record, seq):
    return [i for i, b in enumerate(record["ballots"]) if b["checkpoint"] == seq]


# --------------------------------------------------------------------------- the clean record


def test_clean_record_verifies(clean):
    report = verify_board(clean, expected_public_key=public_key_to_text(KEY))
    assert report.ok, report.summary()
    assert report.ballots == 300 and report.checkpoints == 5
    assert report.tally["counts"] == clean["tally"]["counts"]
    assert clean["format"] == FORMAT
    assert clean["tally"]["ballots"] == clean["checkpoints"][-1]["total"] == 300


def test_record_holds_no_time_finer_than_a_minute_and_no_voter(clean):
    for cp in clean["checkpoints"]:
        assert cp["sealed_at"].endswith("Z") and len(cp["sealed_at"]) == len("2019-11-20T09:10Z")
    assert set(clean["ballots"][0]) == {"tracker", "nonce", "choices", "checkpoint"}
    for seq in range(1, 6):
        trackers = [clean["ballots"][i]["tracker"] for i in batch_of(clean, seq)]
        assert trackers == sorted(trackers)


def test_same_choices_give_different_trackers():
    a = new_ballot(CAMPAIGN, ["c01", "c02"])
    b = new_ballot(CAMPAIGN, ["c02", "c01"])
    assert a.choices == b.choices == ("c01", "c02")
    assert a.tracker != b.tracker


def test_ballot_encoding_is_canonical_json():
    nonce = "0123456789abcdef0123456789abcdef"
    for choices in ([], ["c01"], ["c01", "c07", "c10"]):
        content = {"campaign": CAMPAIGN.slug, "choices": choices, "nonce": nonce}
        assert ballot_bytes(CAMPAIGN.slug, choices, nonce) == canonical_json(content)
        assert compute_tracker(CAMPAIGN.slug, choices, nonce) == (
            hashlib.sha256(canonical_json(content)).hexdigest()
        )
    assert canonical_json({"b": 1, "a": "ә"}) == '{"a":"ә","b":1}'.encode()
    with pytest.raises(BoardError):
        canonical_json({"x": 0.5})


def test_bad_choices_are_refused():
    for bad in (["c01", "c01"], ["nobody"], ["c01", "c02", "c03", "c04"]):
        with pytest.raises(BoardError):
            new_ballot(CAMPAIGN, bad)


def rfc6962(leaves: list[bytes]) -> bytes:
    """RFC 6962 section 2.1, recursively, as the standard writes it."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + rfc6962(leaves[:k]) + rfc6962(leaves[k:])).digest()


@pytest.mark.parametrize("n", range(0, 40))
def test_merkle_root_is_rfc6962(n):
    trackers = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(n)]
    assert merkle_root(trackers) == rfc6962([bytes.fromhex(t) for t in trackers]).hex()


def test_keys_load_from_base64_and_pem():
    raw = private_key_to_text(KEY)
    assert public_key_to_text(load_private_key(raw)) == public_key_to_text(KEY)
    pem = KEY.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    assert public_key_to_text(load_private_key(pem)) == public_key_to_text(KEY)
    pub_pem = (
        KEY.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    assert public_key_to_text(load_public_key(pub_pem)) == public_key_to_text(KEY)
    with pytest.raises(BoardError):
        load_public_key("not base64!")


def test_sealed_at_is_utc_minute():
    almaty = dt.timezone(dt.timedelta(hours=5))
    assert format_sealed_at(dt.datetime(2024, 3, 1, 10, 15, 59, tzinfo=almaty)) == (
        "2024-03-01T05:15Z"
    )
    with pytest.raises(BoardError):
        format_sealed_at(dt.datetime(2024, 3, 1, 10, 15))


def test_member_finds_their_tracker(clean):
    mine = clean["ballots"][123]
    found = find_tracker(clean, mine["tracker"].upper())
    assert found["ballot"] == mine
    assert found["checkpoint"]["seq"] == mine["checkpoint"]
    assert find_tracker(clean, "0" * 64) is None


# --------------------------------------------------------------------------- tampering


def test_changed_choices(record):
    i = batch_of(record, 2)[5]
    ballot = record["ballots"][i]
    ballot["choices"] = ["c09"] if ballot["choices"] != ["c09"] else ["c08"]
    report = verify_board(record)
    only(report, "ballot_changed", "tally_mismatch")
    changed = [p for p in report.problems if p.code == "ballot_changed"]
    assert [(p.tracker, p.checkpoint) for p in changed] == [(ballot["tracker"], 2)]
    assert ballot["tracker"] in changed[0].message


def test_replaced_ballot_with_fresh_tracker(record):
    i = batch_of(record, 3)[0]
    fake = new_ballot(CAMPAIGN, ["c01"]).to_dict() | {"checkpoint": 3}
    record["ballots"][i] = fake
    record["ballots"].sort(key=lambda b: (b["checkpoint"], b["tracker"]))
    report = verify_board(record)
    assert "batch_mismatch" in report.codes()
    assert report.codes() <= {"batch_mismatch", "tally_mismatch"}
    assert [p.checkpoint for p in report.problems if p.code == "batch_mismatch"] == [3]


def test_dropped_ballot(record):
    i = batch_of(record, 4)[10]
    del record["ballots"][i]
    report = verify_board(record)
    only(report, "ballot_dropped", "tally_mismatch")
    (dropped,) = [p for p in report.problems if p.code == "ballot_dropped"]
    assert dropped.checkpoint == 4
    assert "commits to 60 ballots, the record has 59 (1 dropped)" in dropped.message


def test_added_ballot_is_named(record):
    extra = new_ballot(CAMPAIGN, ["c05"]).to_dict() | {"checkpoint": 2}
    record["ballots"].append(extra)
    record["ballots"].sort(key=lambda b: (b["checkpoint"], b["tracker"]))
    report = verify_board(record)
    only(report, "ballot_added", "tally_mismatch")
    (added,) = [p for p in report.problems if p.code == "ballot_added"]
    assert (added.checkpoint, added.tracker) == (2, extra["tracker"])


def test_added_ballot_under_missing_checkpoint(record):
    extra = new_ballot(CAMPAIGN, ["c05"]).to_dict() | {"checkpoint": 9}
    record["ballots"].append(extra)
    report = verify_board(record)
    assert "ballot_added" in report.codes()
    assert any("checkpoint 9, which is not in the record" in p.message for p in report.problems)


def test_reordered_within_a_batch(record):
    a, b = batch_of(record, 3)[7:9]
    record["ballots"][a], record["ballots"][b] = record["ballots"][b], record["ballots"][a]
    report = verify_board(record)
    only(report, "reordered")
    (problem,) = report.problems
    assert problem.checkpoint == 3 and problem.tracker == record["ballots"][b]["tracker"]


def test_duplicated_ballot(record):
    record["ballots"].insert(0, dict(record["ballots"][0]))
    report = verify_board(record)
    assert "duplicate_tracker" in report.codes()


def test_moved_between_checkpoints(record):
    moved = record["ballots"][batch_of(record, 1)[0]]
    moved["checkpoint"] = 2
    record["ballots"].sort(key=lambda b: (b["checkpoint"], b["tracker"]))
    report = verify_board(record)
    only(report, "ballot_dropped", "ballot_added")
    found = {(p.code, p.checkpoint, p.tracker) for p in report.problems}
    assert found == {("ballot_dropped", 1, None), ("ballot_added", 2, moved["tracker"])}


@pytest.mark.parametrize(
    ("field", "value"),
    [("sealed_at", "2019-11-20T09:11Z"), ("batch_size", 61), ("batch_root", "ab" * 32)],
)
def test_changed_checkpoint_field(record, field, value):
    record["checkpoints"][2][field] = value
    report = verify_board(record)
    assert "signature" in report.codes()
    assert "chain" in report.codes()
    sig = [p.checkpoint for p in report.problems if p.code == "signature"]
    chain = [p.checkpoint for p in report.problems if p.code == "chain"]
    assert sig == [3] and chain == [4]


def test_broken_signature(record):
    sig = bytearray(record["checkpoints"][1]["signature"].encode())
    sig[5] = ord("A") if sig[5] != ord("A") else ord("B")
    record["checkpoints"][1]["signature"] = sig.decode()
    report = verify_board(record)
    only(report, "signature")
    assert [p.checkpoint for p in report.problems] == [2]


def test_swapped_public_key(record):
    record["public_key"] = public_key_to_text(generate_private_key())
    report = verify_board(record)
    only(report, "signature", "tally_signature")
    assert sorted(p.checkpoint for p in report.problems if p.code == "signature") == [1, 2, 3, 4, 5]


def test_resigned_record_is_caught_by_the_published_key():
    """An operator who re-signs a doctored record with a new key is caught by the known key."""
    forged_key = generate_private_key()
    board = BoardBuilder(CAMPAIGN, forged_key)
    board.cast(["c01"])
    board.close(START)
    report = verify_board(board.export(), expected_public_key=public_key_to_text(KEY))
    only(report, "public_key")


def test_changed_tally(record):
    record["tally"]["counts"]["c01"] += 1
    report = verify_board(record)
    only(report, "tally_signature", "tally_mismatch")
    (mismatch,) = [p for p in report.problems if p.code == "tally_mismatch"]
    assert "candidate c01" in mismatch.message


def test_changed_campaign(record):
    record["campaign"]["candidates"][0]["name"] = "Someone else"
    report = verify_board(record)
    only(report, "campaign_hash")
    assert len(report.problems) == 5


def test_unsealed_ballots_only_on_a_live_board():
    live = build(n_ballots=25, batches=2, close=False)
    board_unsealed = [b for b in live["ballots"] if b["checkpoint"] is None]
    assert board_unsealed  # 25 ballots, sealed every 13: 12 wait for the sealer
    assert verify_board(live, allow_unsealed=True, unfinished=True).ok
    only(verify_board(live, unfinished=True), "unsealed")
    # not said to be unfinished: a record without its tally fails, it may be cut short
    only(verify_board(live, allow_unsealed=True), "unfinished")


def test_wrong_format_and_malformed_ballot(record):
    bad = dict(record, format="other/1")
    only(verify_board(bad), "format")
    record["ballots"][0]["choices"] = [1]
    assert "ballot_malformed" in verify_board(record).codes()
    record["ballots"][1]["tracker"] = record["ballots"][1]["tracker"].upper()
    report = verify_board(record)
    assert [p.code for p in report.problems].count("ballot_malformed") == 2


# --------------------------------------------------------------------------- hypothesis

TAMPERS = ["choices", "drop", "add", "swap", "checkpoint", "signature", "key", "tally", "nonce"]


def tamper(record: dict, how: str, rng: random.Random) -> None:
    ballots, cps = record["ballots"], record["checkpoints"]
    if how == "choices":
        b = rng.choice(ballots)
        b["choices"] = sorted(set(b["choices"]) ^ {"c10"})
    elif how == "nonce":
        b = rng.choice(ballots)
        b["nonce"] = f"{(int(b['nonce'], 16) + 1) % 2**128:032x}"
    elif how == "drop":
        ballots.pop(rng.randrange(len(ballots)))
    elif how == "add":
        extra = new_ballot(CAMPAIGN, ["c03"]).to_dict() | {"checkpoint": rng.choice(cps)["seq"]}
        ballots.append(extra)
        ballots.sort(key=lambda b: (b["checkpoint"], b["tracker"]))
    elif how == "swap":
        i = rng.randrange(len(ballots) - 1)
        ballots[i], ballots[i + 1] = ballots[i + 1], ballots[i]
    elif how == "checkpoint":
        rng.choice(cps)["total"] += 1
    elif how == "signature":
        cp = rng.choice(cps)
        cp["signature"] = cps[(cp["seq"]) % len(cps)]["signature"] if len(cps) > 1 else "AA=="
    elif how == "key":
        record["public_key"] = public_key_to_text(generate_private_key())
    elif how == "tally":
        record["tally"]["blank"] += 1


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 120),
    batches=st.integers(1, 6),
    seed=st.integers(0, 10**6),
    how=st.sampled_from(TAMPERS),
)
def test_any_single_tamper_is_detected(n, batches, seed, how):
    record = build(n_ballots=n, batches=batches, seed=seed)
    assert verify_board(record).ok
    tamper(record, how, random.Random(seed))
    report = verify_board(record)
    assert not report.ok, how


def test_saved_checkpoints_catch_a_rewritten_or_truncated_history(record):
    saved = {
        cp["seq"]: hashlib.sha256(
            canonical_json({k: v for k, v in cp.items() if k != "signature"})
        ).hexdigest()
        for cp in record["checkpoints"]
    }
    assert verify_board(record, known_checkpoints=saved).ok
    truncated = dict(record, checkpoints=record["checkpoints"][:4], tally=None)
    del truncated["tally"]
    truncated["ballots"] = [b for b in record["ballots"] if b["checkpoint"] <= 4]
    # on its own a clean prefix of the history verifies only as an unfinished record ...
    only(verify_board(truncated), "unfinished")
    assert verify_board(truncated, unfinished=True).ok
    # ... and saved heads show it was cut
    report = verify_board(truncated, known_checkpoints=saved, unfinished=True)
    only(report, "history")
    assert [p.checkpoint for p in report.problems] == [5]


# --------------------------------------------------------------------------- test vectors
# The worked example in docs/verification.md; another implementation must reproduce these bytes.

VECTOR_KEY = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="  # Ed25519 seed bytes 1..32


def test_vectors_in_the_docs():
    key = load_private_key(VECTOR_KEY)
    assert public_key_to_text(key) == "ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ="
    names = (("a1", "Әсел"), ("b2", "Бауыржан"), ("c3", "Сәуле"))
    campaign = Campaign("demo-2026", "Демо", names, 2)
    assert campaign.hash() == "bc7744942890418b85077a0060c718c6cf0795d2361b3c2983ab55ca7edc579e"
    board = BoardBuilder(campaign, key)
    trackers = [
        board.cast(choices, nonce=nonce * 32).tracker
        for choices, nonce in ((["b2", "a1"], "0"), (["c3"], "1"), ([], "2"))
    ]
    assert trackers == [
        "aed4c702dd7805622b80a6076ddd3fbe57ef9ccad3ab2d909d30e0354460c722",
        "a56f6bd8089ff8becd6419f45d20da1d8143d7a6b94fdc568e6aeeccdbeaa3c3",
        "38ba0a3edaeb3f64b38e9ac086693c2a56521e9d393a847d66f6f709672bba47",
    ]
    cp = board.seal(dt.datetime(2026, 3, 1, 10, 15, 30, tzinfo=dt.UTC))
    assert cp.batch_root == "c37a64e0b6349e055195503dfb4b0812be6263c99c939f7c5cefa5f7939523fc"
    assert cp.hash() == "50b7a6df501dd39bf6eb9d2cc1a53175a817c7131ad1a53e6038091f7170ba5d"
    assert cp.signature == (
        "6R35vbmlQF3yN7EsBOea1SsFRn1BHrbyGcm2o5aGee6e/WOaBNLvLir/rnvM/FHmWzh9OFgYRIQaCNNQgf0OBg=="
    )
    tally = board.close(dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC))
    assert tally["signature"] == (
        "cbRi8+kvtO13r2mgZhEkYpDnfyVkPnvuanKvfBFDIY3E4WD6s3ZNVb0Gd4OF17s2YUkidUb3RCgyvosg6/qgCg=="
    )
    assert verify_board(board.export()).ok


def test_vectors_v2_in_the_docs():
    """The bastau-board/2 worked example: every value the docs print, recomputed."""
    from pathlib import Path

    from bastau.primaries import quota
    from bastau.primaries.board import ListSpec, event_hash

    docs = (Path(__file__).resolve().parents[2] / "docs" / "verification.md").read_text("utf-8")
    key = load_private_key(VECTOR_KEY)
    names = (("a1", "Әсел"), ("b2", "Бауыржан"), ("c3", "Сәуле"))
    campaign = Campaign(
        "demo-2026",
        "Демо",
        names,
        2,
        lists=(ListSpec("mugalzhar", "Мұғалжар", 2),),
        candidate_lists=("mugalzhar",) * 3,
        candidate_groups=(("women",), (), ("women", "youth")),
        quota_rules=canonical_json(quota.PRESETS["party-2019"].to_dict()).decode(),
        reference_date="2026-03-01",
        tie_break_seed="protocol-7/2026",
    )
    encoded = canonical_json(campaign.to_dict()).decode()
    assert encoded in docs
    assert campaign.hash() == "669170c6d8cb3d809d502bba9086a0384a74899d4c55f1f3d48b9674764eb75c"
    assert ballot_bytes("demo-2026", ["a1", "b2"], "0" * 32, "mugalzhar").decode() in docs
    board = BoardBuilder(campaign, key)
    trackers = [
        board.cast(choices, nonce=nonce * 32, list_id="mugalzhar").tracker
        for choices, nonce in ((["b2", "a1"], "0"), (["c3"], "1"), ([], "2"))
    ]
    assert trackers == [
        "17b715d2c72a1ea2b181e08187a3ed233d9c91899bf118c617810aa84c9fd6d3",
        "7d2ed34ffa7c72ecf86a0635fd97add2e283227299ef1344814a738d270e6805",
        "c02b9f887c30575f81183ba8781ec52830bbd582c5b9d0e4f19a1c9ad726aa41",
    ]
    cp = board.seal(dt.datetime(2026, 3, 1, 10, 15, 30, tzinfo=dt.UTC))
    assert cp.batch_root == "d3be57580684a5483085bdeb12456f84163fb7a1d6da5fdfb83d70c89d168011"
    assert cp.hash() == "3c91d3c047b20083a81a33e263fed0501e1f5641ed2678466f916bd5f1e86724"
    assert canonical_json(cp.body()).decode() in docs
    tally = board.close(
        dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC),
        opened_at=dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC),
    )
    close = board.close_event
    assert event_hash(close) == "0e0356d99c53e858576cb1cd3d34192d3629360874d8fc2028aebb5fb565d44e"
    body = {k: v for k, v in close.items() if k != "signature"}
    assert canonical_json(body).decode() in docs
    assert canonical_json({k: v for k, v in tally.items() if k != "signature"}).decode() in docs
    assert tally["lists"] == {"mugalzhar": {"ballots": 3, "blank": 1, "list": ["b2", "c3"]}}
    for value in (cp.signature, close["signature"], tally["signature"]):
        assert value in docs
    assert quota.lot_key("protocol-7/2026", "b2").startswith("04ff18")
    assert verify_board(board.export(), expected_public_key=public_key_to_text(key)).full_pass


def test_pure_modules_import_no_django():
    code = (
        "import sys, bastau.primaries.quota, bastau.primaries.board, bastau.primaries.cli_io; "
        "sys.exit('django' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    assert subprocess.run([sys.executable, "-c", code], env=env).returncode == 0
