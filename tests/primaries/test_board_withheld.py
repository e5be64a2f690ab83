"""The record published while voting is open: trackers and checkpoints only, nothing to count;
and the full record published after the close extends what was seen during voting."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import random

import pytest

from bastau.primaries.board import (
    PUBLISHED,
    WITHHELD,
    BoardBuilder,
    BoardError,
    Campaign,
    checkpoint_hashes,
    export_record,
    generate_private_key,
    iter_record,
    public_key_to_text,
    seal_checkpoint,
    verify_board,
    verify_board_stream,
)

KEY = generate_private_key()
CAMPAIGN = Campaign(
    slug="mugalzhar-list-2026",
    title="Мұғалжар: партиялық тізім",
    candidates=tuple((f"c{i}", f"Кандидат {i}") for i in range(1, 7)),
    choose_up_to=2,
)
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def verify_live(record: dict, **options):
    """A record taken while voting is open is verified as an unfinished record, explicitly."""
    return verify_board(record, unfinished=True, **options)


def roundtrip(value: dict) -> dict:
    return json.loads(json.dumps(value))  # exactly what a downloader gets


def voting_board(seed: int = 3) -> BoardBuilder:
    """Three sealed checkpoints and two ballots still waiting; voting not closed."""
    rng = random.Random(seed)
    board = BoardBuilder(CAMPAIGN, KEY)
    ids = [cid for cid, _ in CAMPAIGN.candidates]
    for batch in range(3):
        for _ in range(7 + batch):
            board.cast(rng.sample(ids, rng.randint(0, 2)), nonce=f"{rng.getrandbits(128):032x}")
        board.seal(START + dt.timedelta(minutes=15 * (batch + 1)))
    for _ in range(2):
        board.cast([ids[0]], nonce=f"{rng.getrandbits(128):032x}")
    return board


@pytest.fixture
def live() -> BoardBuilder:
    return voting_board()


def sealed_only(record: dict) -> dict:
    record = copy.deepcopy(record)
    record["ballots"] = [b for b in record["ballots"] if b["checkpoint"] is not None]
    return record


def test_withheld_record_holds_trackers_and_checkpoints_only(live):
    record = roundtrip(live.export(withhold=True))
    assert record["ballot_contents"] == WITHHELD
    assert "tally" not in record
    assert len(record["ballots"]) == 7 + 8 + 9 + 2
    for ballot in record["ballots"]:
        assert list(ballot) == ["tracker", "checkpoint"]
    text = json.dumps(record)
    for ballot in [*live.sealed, *live.unsealed]:
        assert ballot.nonce not in text  # without the nonce no choice can be guessed
    assert '"choices"' not in text and '"nonce"' not in text and '"counts"' not in text


def test_withheld_record_verifies_and_says_it_holds_no_choices(live):
    record = sealed_only(roundtrip(live.export(withhold=True)))
    # without saying it is unfinished, it fails: nothing in it shows it is complete
    assert verify_board(record, expected_public_key=public_key_to_text(KEY)).codes() == {
        "unfinished"
    }
    report = verify_live(record, expected_public_key=public_key_to_text(KEY))
    assert report.ok, report.summary()
    assert report.withheld and report.tally is None and report.unfinished
    assert not report.full_pass  # an unfinished record is never a full pass
    assert report.ballots == 24 and report.checkpoints == 3
    assert any("withheld until voting closes" in note for note in report.notes)
    assert "choices withheld" in report.summary()

    unsealed = roundtrip(live.export(withhold=True))
    assert verify_live(unsealed).codes() == {"unsealed"}
    assert verify_live(unsealed, allow_unsealed=True).ok


def test_a_withheld_record_cannot_be_stuffed_with_choices_or_a_tally(live):
    record = sealed_only(roundtrip(live.export(withhold=True)))
    leaky = copy.deepcopy(record)
    leaky["ballots"][0]["choices"] = ["c1"]
    codes = verify_live(leaky).codes()
    assert "ballot_malformed" in codes  # the entry is refused, so its batch falls short too
    assert codes <= {"ballot_malformed", "ballot_dropped"}

    counted = copy.deepcopy(record)
    counted["tally"] = {"ballots": 24, "counts": {"c1": 9}, "signature": "x"}
    assert verify_live(counted).codes() == {"tally"}

    unknown = copy.deepcopy(record)
    unknown["ballot_contents"] = "partial"
    assert verify_live(unknown).codes() == {"format"}

    with pytest.raises(BoardError):
        export_record(
            CAMPAIGN, KEY, live.checkpoints, live.sealed, {"kind": "tally"}, withhold=True
        )


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (lambda r: r["ballots"].pop(3), "ballot_dropped"),
        (
            lambda r: r["ballots"].insert(0, {"tracker": "ab" * 32, "checkpoint": 1}),
            "ballot_added",
        ),
        (lambda r: r["ballots"][5].update(tracker="0" * 64), "batch_mismatch"),
        (lambda r: r["ballots"].append(dict(r["ballots"][0])), "duplicate_tracker"),
        (lambda r: r["checkpoints"][1].update(batch_size=9, total=16), "signature"),
    ],
)
def test_withheld_record_detects_tampering(live, tamper, code):
    record = sealed_only(roundtrip(live.export(withhold=True)))
    tamper(record)
    report = verify_live(record)
    assert not report.ok
    assert code in report.codes(), report.summary()


def test_a_tracker_replaced_in_a_withheld_record_breaks_its_batch_root(live):
    record = sealed_only(roundtrip(live.export(withhold=True)))
    first = [b for b in record["ballots"] if b["checkpoint"] == 1]
    first[-1]["tracker"] = "f" * 64  # still sorted last in its checkpoint
    assert verify_live(record).codes() == {"batch_mismatch"}


def test_the_head_saved_during_voting_is_kept_by_the_final_record(live):
    during = sealed_only(roundtrip(live.export(withhold=True)))
    saved = checkpoint_hashes(during)
    assert sorted(saved) == [1, 2, 3]

    live.close(START + dt.timedelta(hours=10))
    final = roundtrip(live.export())
    assert final["ballot_contents"] == PUBLISHED and "tally" in final
    report = verify_board(
        final, expected_public_key=public_key_to_text(KEY), known_checkpoints=saved
    )
    assert report.ok, report.summary()
    assert not report.withheld and report.tally["ballots"] == 26
    # Every tracker seen during voting is in the final record under the same checkpoint.
    seen = {(b["tracker"], b["checkpoint"]) for b in during["ballots"]}
    assert seen <= {(b["tracker"], b["checkpoint"]) for b in final["ballots"]}
    assert checkpoint_hashes(final).items() >= saved.items()


def test_a_rewritten_history_is_caught_against_the_head_saved_during_voting(live):
    during = sealed_only(roundtrip(live.export(withhold=True)))
    saved = checkpoint_hashes(during)
    # The server rewrites checkpoint 2 after the fact (drops a ballot, re-signs everything
    # with the same key) and publishes a record that verifies on its own.
    rewritten = BoardBuilder(CAMPAIGN, KEY)
    previous = None
    for cp in live.checkpoints:
        batch = [b for b in live.sealed if b.checkpoint == cp.seq]
        if cp.seq == 2:
            batch = batch[1:]
        moment = dt.datetime.strptime(cp.sealed_at, "%Y-%m-%dT%H:%MZ").replace(tzinfo=dt.UTC)
        previous, ballots = seal_checkpoint(CAMPAIGN, batch, previous, KEY, moment)
        rewritten.checkpoints.append(previous)
        rewritten.sealed.extend(ballots)
    rewritten.close(START + dt.timedelta(hours=10))
    final = roundtrip(rewritten.export())
    assert verify_board(final).ok  # consistent on its own ...
    report = verify_board(final, known_checkpoints=saved)
    assert report.codes() == {"history"}  # ... but not with what observers saw during voting
    assert {p.checkpoint for p in report.problems} == {2, 3}


def test_withheld_record_verifies_as_a_stream(live):
    record = sealed_only(roundtrip(live.export(withhold=True)))
    text = json.dumps(record, indent=1)
    report, head = verify_board_stream(iter_record(io.StringIO(text), chunk=256), unfinished=True)
    assert report.ok and report.withheld and report.ballots == 24
    assert head["ballot_contents"] == WITHHELD

    # ballot_contents after the ballots: the stream cannot check them in the right form
    late = {k: v for k, v in record.items() if k != "ballot_contents"}
    late["ballot_contents"] = WITHHELD
    report, _head = verify_board_stream(
        iter_record(io.StringIO(json.dumps(late)), chunk=256), unfinished=True
    )
    assert "format" in report.codes()
    # read whole, the same record verifies: key order does not matter to verify_board
    assert verify_live(json.loads(json.dumps(late))).ok


def docs_campaign_v2() -> Campaign:
    """The bastau-board/2 campaign of the worked example in docs/verification.md."""
    from bastau.primaries import quota
    from bastau.primaries.board import ListSpec, canonical_json

    return Campaign(
        "demo-2026",
        "Демо",
        (("a1", "Әсел"), ("b2", "Бауыржан"), ("c3", "Сәуле")),
        2,
        lists=(ListSpec("mugalzhar", "Мұғалжар", 2),),
        candidate_lists=("mugalzhar",) * 3,
        candidate_groups=(("women",), (), ("women", "youth")),
        quota_rules=canonical_json(quota.PRESETS["party-2019"].to_dict()).decode(),
        reference_date="2026-03-01",
        tie_break_seed="protocol-7/2026",
    )


def test_both_examples_in_the_docs():
    """docs/verification.md shows the worked example after the close and during voting
    (bastau-board/2), then the same in bastau-board/1; each is exactly what Bastau writes, each
    verifies, the first keeps the second's head, and the heads file shown is theirs."""
    import base64
    import re
    from pathlib import Path

    from bastau.primaries.board import format_heads, load_private_key

    docs = (Path(__file__).resolve().parents[2] / "docs" / "verification.md").read_text("utf-8")
    blocks = re.findall(r"```json\n(.*?)```", docs, re.S)
    full, during, old = (json.loads(block) for block in blocks[:3])
    key = load_private_key(base64.b64encode(bytes(range(1, 33))).decode())
    public = public_key_to_text(key)
    opened = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    for record_full, record_during, campaign in (
        (full, during, docs_campaign_v2()),
        (old, None, Campaign("demo-2026", "Демо", docs_campaign_v2().candidates, 2)),
    ):
        builder = BoardBuilder(campaign, key)
        lists = "mugalzhar" if campaign.lists else None
        for choices, nonce in ((["b2", "a1"], "0"), (["c3"], "1"), ([], "2")):
            builder.cast(choices, nonce=nonce * 32, list_id=lists)
        builder.seal(dt.datetime(2026, 3, 1, 10, 15, 30, tzinfo=dt.UTC))
        if record_during is not None:
            assert record_during == roundtrip(builder.export(withhold=True))
            assert list(record_during)[:2] == ["format", "ballot_contents"]
        builder.close(dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC), opened_at=opened)
        assert record_full == roundtrip(builder.export())
        assert list(record_full) == list(builder.export())
        report = verify_board(record_full, expected_public_key=public)
        assert report.full_pass and report.tally["counts"] == {"a1": 1, "b2": 1, "c3": 1}
    assert verify_live(during, expected_public_key=public).withheld
    assert verify_live(during, expected_public_key=public).ok
    report = verify_board(
        full, expected_public_key=public, known_checkpoints=checkpoint_hashes(during)
    )
    assert report.full_pass and report.lists == {"mugalzhar": ["b2", "c3"]}
    assert checkpoint_hashes(during) == {
        1: "3c91d3c047b20083a81a33e263fed0501e1f5641ed2678466f916bd5f1e86724"
    }
    heads = format_heads(during)
    assert heads == format_heads(full) and "```\n" + heads + "```" in docs
