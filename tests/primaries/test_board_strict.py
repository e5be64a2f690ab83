"""What an independent verifier found the plaintext board verifier accepting (issue 13), each as
a doctored record that used to pass and now fails, naming the object: unsigned fields,
ambiguous encodings, an unpinned key, cut or unfinished records, lists nobody could recheck,
and the edge cases the spec left open. Also the bastau-board/2 format that closes them."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import io
import json
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bastau.primaries import board, quota
from bastau.primaries.board import (
    GENESIS,
    BoardBuilder,
    BoardError,
    Campaign,
    ListSpec,
    RecordEncodingError,
    canonical_json,
    event_hash,
    generate_private_key,
    iter_record,
    loads_record,
    public_key_to_text,
    sha256_hex,
    sign,
    verify_board,
    verify_board_stream,
)

KEY = generate_private_key()
PUBLIC = public_key_to_text(KEY)
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
RULES = canonical_json(quota.PRESETS["party-2019"].to_dict()).decode()

V1 = Campaign(
    slug="mugalzhar-2019",
    title="Мұғалжар",
    candidates=tuple((f"c{i}", f"Кандидат {i}") for i in range(1, 7)),
    choose_up_to=2,
)
# Two lists: "north" (c1..c5, a list of 3) and "south" (c6..c8, a list of 2).
V2 = Campaign(
    slug="mugalzhar-2026",
    title="Мұғалжар 2026",
    candidates=tuple((f"c{i}", f"Кандидат {i}") for i in range(1, 9)),
    choose_up_to=2,
    lists=(ListSpec("north", "Солтүстік", 3), ListSpec("south", "Оңтүстік", 2)),
    candidate_lists=("north",) * 5 + ("south",) * 3,
    candidate_groups=(
        (),
        ("women",),
        (),
        ("youth",),
        ("women", "youth"),
        (),
        ("women",),
        ("youth",),
    ),
    quota_rules=RULES,
    prefix=False,
    reference_date="2026-03-02",
    tie_break_seed="protocol-7/2026",
)


def roundtrip(value: dict) -> dict:
    return json.loads(json.dumps(value))


def make(campaign: Campaign = V2, *, close: bool = True, seed: int = 5) -> dict:
    rng = random.Random(seed)
    builder = BoardBuilder(campaign, KEY)
    ids = [cid for cid, _ in campaign.candidates]
    for batch in range(3):
        for _ in range(6 + batch):
            if campaign.lists is None:
                builder.cast(rng.sample(ids, rng.randint(0, 2)), f"{rng.getrandbits(128):032x}")
                continue
            list_id = rng.choice(["north", "south"])
            pool = [
                c for c, lid in zip(ids, campaign.candidate_lists, strict=True) if lid == list_id
            ]
            builder.cast(
                rng.sample(pool, rng.randint(0, 2)), f"{rng.getrandbits(128):032x}", list_id
            )
        builder.seal(START + dt.timedelta(minutes=20 * (batch + 1)))
    if close:
        builder.close(START + dt.timedelta(hours=10), opened_at=START)
    return roundtrip(builder.export(withhold=not close))


def resign(record: dict, key=KEY) -> dict:
    """What a signer who holds the key can do: re-sign every object after a change, with the
    campaign hash over the whole campaign object, the chain, the close event and the tally."""
    campaign_hash = sha256_hex(canonical_json(record["campaign"]))
    prev = GENESIS
    for cp in record["checkpoints"]:
        cp["campaign_hash"], cp["prev"] = campaign_hash, prev
        body = {k: v for k, v in cp.items() if k != "signature"}
        cp["signature"] = sign(key, body)
        prev = sha256_hex(canonical_json(body))
    last = record["checkpoints"][-1] if record["checkpoints"] else None
    close = record.get("close")
    if close is not None:
        close["campaign_hash"] = campaign_hash
        if last is not None:
            close.update(checkpoint=last["seq"], checkpoint_hash=prev, ballots=last["total"])
        close["signature"] = sign(key, {k: v for k, v in close.items() if k != "signature"})
    tally = record.get("tally")
    if tally is not None:
        tally["checkpoint_hash"] = prev
        if last is not None:
            tally["checkpoint"] = last["seq"]
        if close is not None:
            tally["close_hash"] = event_hash(close)
        tally["signature"] = sign(key, {k: v for k, v in tally.items() if k != "signature"})
    return record


def problem(report, code: str) -> str:
    """The message of the (first) problem with this code; fails when there is none."""
    messages = [p.message for p in report.problems if p.code == code]
    assert messages, report.summary()
    return messages[0]


@pytest.fixture(scope="module")
def clean2() -> dict:
    return make()


@pytest.fixture
def v2(clean2) -> dict:
    return copy.deepcopy(clean2)


@pytest.fixture
def v1() -> dict:
    return make(V1)


# --------------------------------------------------------------------------- the clean records


def test_clean_records_of_both_formats_verify(v1, v2):
    report = verify_board(v2, expected_public_key=PUBLIC)
    assert report.ok and report.full_pass, report.summary()
    assert v2["format"] == "bastau-board/2" and report.format == "bastau-board/2"
    assert list(v2) == [
        "format",
        "ballot_contents",
        "campaign",
        "public_key",
        "checkpoints",
        "close",
        "ballots",
        "tally",
    ]
    assert report.lists == {name: v2["tally"]["lists"][name]["list"] for name in ("north", "south")}
    report = verify_board(v1, expected_public_key=PUBLIC)
    assert report.ok and report.full_pass and v1["format"] == "bastau-board/1"
    assert any("cannot prove the voting window" in note for note in report.notes)


# --------------------------------------------------------------------------- unsigned fields


@pytest.mark.parametrize("fmt", [1, 2])
def test_an_extra_field_in_the_campaign_fails_naming_it(v1, v2, fmt):
    record = v1 if fmt == 1 else v2
    # the three least-voted candidates "elected": the old hash covered only the known fields
    record["campaign"]["elected"] = ["c1", "c2", "c3"]
    report = verify_board(record, expected_public_key=PUBLIC)
    assert report.codes() == {"campaign"}
    assert "the campaign has a field that is not in the format: elected" in problem(
        report, "campaign"
    )
    # re-signed over the whole object by the key holder, it still fails: the field is not in
    # the format, whatever signs it
    assert verify_board(resign(record), expected_public_key=PUBLIC).codes() == {"campaign"}


@pytest.mark.parametrize("fmt", [1, 2])
def test_an_extra_field_in_a_candidate_fails_naming_the_candidate(v1, v2, fmt):
    record = v1 if fmt == 1 else v2
    record["campaign"]["candidates"][2]["elected"] = True
    report = verify_board(record)
    assert report.codes() == {"campaign"}
    assert "candidate 'c3' has a field that is not in the format: elected" in problem(
        report, "campaign"
    )


def test_extra_fields_anywhere_else_fail_naming_the_object(v2):
    cases = {
        "list": lambda r: r["campaign"]["lists"][1].update(elected=["c6"]),
        "record": lambda r: r.update(elected=["c1"]),
        "close": lambda r: r["close"].update(note="x"),
        "tally": lambda r: r["tally"].update(elected=["c1"]),
        "list tally": lambda r: r["tally"]["lists"]["north"].update(elected=["c1"]),
    }
    expected = {
        "list": ("campaign", "list 'south' has a field that is not in the format: elected"),
        "record": ("format", "has a key that is not in bastau-board/2: elected"),
        "close": ("close", "the close event has a field that is not in the format: note"),
        "tally": ("tally", "the tally has a field that is not in the format: elected"),
        "list tally": ("tally", "the tally of list north does not have exactly the fields"),
    }
    for name, change in cases.items():
        record = copy.deepcopy(v2)
        change(record)
        report = verify_board(resign(record), expected_public_key=PUBLIC)
        code, words = expected[name]
        assert code in report.codes(), (name, report.summary())
        assert words in problem(report, code), name


# --------------------------------------------------------------------------- ambiguous encodings


def test_duplicate_keys_are_refused_naming_the_object(v2):
    text = json.dumps(v2, ensure_ascii=False)
    # a forged figure written first: a parser keeping the first key reads 999
    forged = text.replace(
        '"tally": {"kind": "tally",', '"tally": {"ballots": 999, "kind": "tally",'
    )
    assert forged != text and json.loads(forged) == v2  # json.loads keeps the last: it "passes"
    with pytest.raises(RecordEncodingError, match="duplicate key 'ballots' in the tally"):
        loads_record(forged)
    with pytest.raises(RecordEncodingError, match="duplicate key 'ballots' in the tally"):
        verify_board_stream(iter_record(io.StringIO(forged), chunk=64))
    twice = text[:-1] + ', "tally": ' + json.dumps(v2["tally"]) + "}"
    with pytest.raises(RecordEncodingError, match="duplicate key 'tally' in the record"):
        verify_board_stream(iter_record(io.StringIO(twice)))
    ballot = text.replace(
        '"list": "north", "nonce"', '"list": "south", "list": "north", "nonce"', 1
    )
    with pytest.raises(RecordEncodingError, match="duplicate key 'list' in ballot"):
        loads_record(ballot)


def test_a_byte_order_mark_floats_and_nan_are_refused(v2):
    text = json.dumps(v2)
    with pytest.raises(RecordEncodingError, match="byte-order mark"):
        verify_board_stream(iter_record(io.StringIO("\ufeff" + text)))
    with pytest.raises(RecordEncodingError, match="byte-order mark"):
        loads_record(b"\xef\xbb\xbf" + text.encode())
    floats = text.replace('"choose_up_to": 2', '"choose_up_to": 2.0')
    with pytest.raises(RecordEncodingError, match="2.0 is not an integer"):
        verify_board_stream(iter_record(io.StringIO(floats)))
    blank = text.replace('"blank": 1', '"blank": 1e0', 1)
    if blank != text:
        with pytest.raises(RecordEncodingError, match="not an integer"):
            loads_record(blank)
    with pytest.raises(RecordEncodingError, match="NaN"):
        loads_record(text.replace('"choose_up_to": 2', '"choose_up_to": NaN'))
    # given already parsed, a float where an integer is specified fails too, naming the object
    v2["tally"]["lists"]["south"]["ballots"] = float(v2["tally"]["lists"]["south"]["ballots"])
    report = verify_board(v2)
    assert "list south published ballots" in problem(report, "tally_mismatch")


def _loosen(text: str) -> str:
    """The same bytes in non-canonical base64: the unused low bits of the last data
    character set (lenient decoders read the same bytes)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    stripped = text.rstrip("=")
    last = alphabet[alphabet.index(stripped[-1]) ^ 1]
    loose = stripped[:-1] + last + text[len(stripped) :]
    assert base64.b64decode(loose) == base64.b64decode(text) and loose != text
    return loose


def test_non_canonical_base64_is_refused(v2):
    signature = copy.deepcopy(v2)
    signature["checkpoints"][1]["signature"] = _loosen(signature["checkpoints"][1]["signature"])
    report = verify_board(signature, expected_public_key=PUBLIC)
    assert report.codes() == {"signature"}
    assert "checkpoint 2" in problem(report, "signature")
    key = copy.deepcopy(v2)
    key["public_key"] = _loosen(key["public_key"])
    report = verify_board(key)
    assert report.codes() == {"public_key"} and "not canonical base64" in problem(
        report, "public_key"
    )
    spaced = copy.deepcopy(v2)
    spaced["tally"]["signature"] = " " + spaced["tally"]["signature"]
    assert verify_board(spaced).codes() == {"tally_signature"}


@pytest.mark.parametrize("moment", ["2026-02-30T10:15Z", "2026-03-02T24:00Z", "2026-13-01T10:15Z"])
def test_impossible_dates_are_refused(v2, moment):
    v2["checkpoints"][-1]["sealed_at"] = moment
    report = verify_board(resign(v2), expected_public_key=PUBLIC)
    assert "checkpoint 3: sealed_at" in problem(report, "sealed_at")
    close = copy.deepcopy(v2)
    close["close"]["voting_ends"] = moment
    report = verify_board(resign(close))
    assert "voting window" in problem(report, "close")
    dated = copy.deepcopy(v2)
    dated["campaign"]["reference_date"] = "2026-02-30"
    report = verify_board(resign(dated))
    assert "reference_date must be a real date" in problem(report, "campaign")


def test_strings_that_are_not_valid_unicode_are_refused(v1, v2):
    for record in (v1, v2):
        record["campaign"]["candidates"][0]["name"] = "Әсел\ud800"
        report = verify_board(record)
        assert report.codes() == {"campaign"}
        assert "candidate c1: the name is not a string of valid Unicode" in problem(
            report, "campaign"
        )
    v2["campaign"]["candidates"][0]["name"] = "Әсел"
    v2["checkpoints"][0]["kind"] = "checkpoint\udfff"
    assert "checkpoint 1: malformed" in problem(verify_board(v2), "checkpoint_field")
    with pytest.raises(BoardError, match="lone surrogate"):
        canonical_json({"title": "\ud800"})


# --------------------------------------------------------------------------- the key


def test_without_a_pinned_key_the_report_is_not_a_full_pass(v2):
    forged_key = generate_private_key()
    forged = resign(copy.deepcopy(v2), forged_key)
    forged["public_key"] = public_key_to_text(forged_key)
    report = verify_board(forged)
    assert report.ok and not report.key_pinned and not report.full_pass
    assert report.trusted_key == forged["public_key"]
    assert any("THE KEY WAS NOT PINNED" in note for note in report.notes)
    report = verify_board(forged, expected_public_key=PUBLIC)
    assert "is not the published one" in problem(report, "public_key")
    assert verify_board(v2, expected_public_key=PUBLIC).full_pass


def test_the_command_exits_2_without_a_pinned_key_and_says_so(v2, tmp_path):
    path = tmp_path / "board.json"
    path.write_text(json.dumps(v2, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("verify_board", str(path), stdout=out)
    assert raised.value.returncode == 2 and "not a full pass" in str(raised.value)
    text = out.getvalue()
    assert "the record's OWN key, NOT PINNED" in text
    assert "INTACT, BUT NOT A FULL PASS" in text and "\nOK:" not in text
    out = io.StringIO()
    call_command("verify_board", str(path), "--public-key", PUBLIC, stdout=out)
    assert f"Trusted key: {PUBLIC} (pinned with --public-key" in out.getvalue()
    assert "OK: every signature, commitment and count verifies." in out.getvalue()
    assert "north (Солтүстік):" in out.getvalue()


# --------------------------------------------------------------------------- cut records


def test_a_record_cut_to_its_first_checkpoints_fails(v2):
    cut = copy.deepcopy(v2)
    cut["checkpoints"] = cut["checkpoints"][:2]
    cut["ballots"] = [b for b in cut["ballots"] if b["checkpoint"] <= 2]
    report = verify_board(cut, expected_public_key=PUBLIC)
    assert "the close event names checkpoint 3, but the last is 2" in problem(report, "close")
    # stripped of its close and tally as well, it is unfinished
    del cut["close"], cut["tally"]
    report = verify_board(cut, expected_public_key=PUBLIC)
    assert report.codes() == {"unfinished"}
    assert "no close and no tally" in problem(report, "unfinished")
    # verified explicitly as unfinished it passes, and says so; it is never a full pass
    report = verify_board(cut, expected_public_key=PUBLIC, unfinished=True)
    assert report.ok and not report.full_pass
    assert any("UNFINISHED RECORD" in note for note in report.notes)


@pytest.mark.parametrize("fmt", [1, 2])
def test_a_record_stripped_of_its_tally_fails(v1, v2, fmt):
    record = v1 if fmt == 1 else v2
    del record["tally"]
    assert "no tally" in problem(verify_board(record), "unfinished")


def test_a_close_event_that_miscounts_or_is_not_signed_fails(v2):
    miscount = copy.deepcopy(v2)
    miscount["close"]["ballots"] += 1
    report = verify_board(miscount)
    assert "signature does not verify" in problem(report, "close")
    early = copy.deepcopy(v2)
    early["close"]["voting_starts"] = "2026-03-02T12:00Z"  # after the first checkpoint
    report = verify_board(resign(early))
    assert "first checkpoint was sealed before voting opened" in problem(report, "close")


def test_heads_files_round_trip_and_show_a_rewritten_history(v2, tmp_path):
    text = board.format_heads(v2)
    assert text.splitlines()[:2] == ["bastau-heads/1", "campaign mugalzhar-2026"]
    slug, heads = board.parse_heads("# saved during voting\n" + text)
    assert slug == "mugalzhar-2026" and sorted(heads) == [1, 2, 3]
    assert verify_board(v2, known_checkpoints=heads, known_campaign=slug).ok
    # the server drops the last ballot of checkpoint 2 and re-signs everything
    rewritten = copy.deepcopy(v2)
    gone = [b for b in rewritten["ballots"] if b["checkpoint"] == 2][-1]
    rewritten["ballots"].remove(gone)
    for cp in rewritten["checkpoints"][1:]:
        cp["total"] -= 1
    cp2 = rewritten["checkpoints"][1]
    cp2["batch_size"] -= 1
    cp2["batch_root"] = board.merkle_root(
        [b["tracker"] for b in rewritten["ballots"] if b["checkpoint"] == 2]
    )
    rebuilt = BoardBuilder(V2, KEY)
    for b in rewritten["ballots"]:
        rebuilt.sealed.append(
            board.Ballot(b["tracker"], b["nonce"], tuple(b["choices"]), b["checkpoint"], b["list"])
        )
    figures = board.compute_tally(V2, rebuilt.sealed)
    rewritten["tally"] = dict(v2["tally"])
    rewritten["tally"].update(
        ballots=figures["ballots"], blank=figures["blank"], counts=figures["counts"]
    )
    rewritten["tally"]["lists"] = {
        lid: {**figures["lists"][lid], "list": board.build_party_lists(V2, figures["counts"])[lid]}
        for lid in figures["lists"]
    }
    resign(rewritten)
    assert verify_board(rewritten, expected_public_key=PUBLIC).ok  # consistent on its own
    report = verify_board(rewritten, known_checkpoints=heads, known_campaign=slug)
    assert report.codes() == {"history"}
    assert {p.checkpoint for p in report.problems} == {2, 3}
    # the same through the command, with the heads file saved by --save-heads
    saved, final = tmp_path / "heads.txt", tmp_path / "final.json"
    during = tmp_path / "during.json"
    during.write_text(json.dumps(v2), encoding="utf-8")
    with pytest.raises(CommandError):  # not pinned: exit 2, but the heads are saved
        call_command("verify_board", str(during), "--save-heads", str(saved), stdout=io.StringIO())
    assert saved.read_text(encoding="utf-8") == text
    final.write_text(json.dumps(rewritten), encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError, match="history") as raised:
        call_command(
            "verify_board", str(final), "--public-key", PUBLIC, "--heads", str(saved), stdout=out
        )
    assert raised.value.returncode == 1
    assert "Heads files: 1, 3 checkpoint(s) in them; NOT all are in the record" in out.getvalue()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("campaign x\n1 " + "a" * 64, "starts with the line"),
        ("bastau-heads/1\n1 " + "a" * 64, "line 2 of a heads file"),
        ("bastau-heads/1\ncampaign x\n1 " + "A" * 64, "line 3"),
        ("bastau-heads/1\ncampaign x\n01 " + "a" * 64, "line 3"),
        ("bastau-heads/1\ncampaign x\n1 " + "a" * 64 + "\n1 " + "b" * 64, "listed twice"),
        ("bastau-heads/1\ncampaign x\n", "lists no checkpoint"),
    ],
)
def test_a_malformed_heads_file_is_refused_naming_the_line(text, words):
    with pytest.raises(BoardError, match=words):
        board.parse_heads(text)


def test_heads_of_another_campaign_do_not_pass(v2):
    report = verify_board(v2, known_checkpoints={}, known_campaign="another-campaign")
    assert "heads are of campaign another-campaign" in problem(report, "history")


# --------------------------------------------------------------------------- the lists


def test_the_party_lists_are_rebuilt_line_by_line(v2):
    report = verify_board(v2, expected_public_key=PUBLIC)
    # the same lists as quota.py builds from the same votes, groups, rules and lot
    for list_id, length in (("north", 3), ("south", 2)):
        pool = [
            quota.Candidate(
                id=cid,
                name=name,
                votes=v2["tally"]["counts"][cid],
                gender="F" if "women" in groups else "M",
                birth_date=dt.date(2000, 1, 1) if "youth" in groups else dt.date(1970, 1, 1),
                registration_order=i,
            )
            for i, ((cid, name), lid, groups) in enumerate(
                zip(V2.candidates, V2.candidate_lists, V2.candidate_groups, strict=True)
            )
            if lid == list_id
        ]
        built = quota.build_list(
            pool, length, "party-2019", dt.date(2026, 3, 2), seed="protocol-7/2026"
        )
        assert report.lists[list_id] == [row.candidate.id for row in built.rows]
    # a signed tally whose list differs from the rule's is caught, line by line
    doctored = copy.deepcopy(v2)
    listed = doctored["tally"]["lists"]["north"]["list"]
    listed[0], listed[1] = listed[1], listed[0]
    report = verify_board(resign(doctored), expected_public_key=PUBLIC)
    assert report.codes() == {"party_list"}
    assert "list north line 1: the tally says" in problem(report, "party_list")
    # ... and so is a changed per-list count
    counted = copy.deepcopy(v2)
    counted["tally"]["lists"]["south"]["blank"] += 1
    report = verify_board(resign(counted))
    assert "list south published blank" in problem(report, "tally_mismatch")


def test_the_tracker_covers_the_ballots_list(v2):
    moved = next(b for b in v2["ballots"] if b["list"] == "north" and not b["choices"])
    moved["list"] = "south"
    report = verify_board(v2)
    assert "its choices, list or nonce were changed" in problem(report, "ballot_changed")


def test_a_ballot_for_a_candidate_of_another_list_is_invalid():
    with pytest.raises(BoardError, match="candidates of another list"):
        board.new_ballot(V2, ["c6"], list_id="north")
    with pytest.raises(BoardError, match="not a list of the campaign"):
        board.new_ballot(V2, ["c6"], list_id="west")
    # made anyway by a server that signs what it wants, the verifier refuses to count it
    builder = BoardBuilder(V2, KEY)
    tracker = board.compute_tracker(V2.slug, ("c6",), "0" * 32, "north")
    builder.unsealed.append(board.Ballot(tracker, "0" * 32, ("c6",), None, "north"))
    builder.cast(["c1"], list_id="north")
    builder.seal(START)
    builder.close(START + dt.timedelta(hours=1), opened_at=START)
    report = verify_board(roundtrip(builder.export()))
    assert f"ballot {tracker}: choices are not" in problem(report, "ballot_invalid")


def test_build_list_with_published_groups_equals_the_predicates():
    people = [
        quota.Candidate(f"p{i}", "", votes, sex, dt.date(year, 6, 1), registration_order=i)
        for i, (votes, sex, year) in enumerate(
            [(9, "M", 1970), (8, "M", 1980), (7, "F", 1999), (6, "M", 2001), (5, "F", 1975)]
        )
    ]
    rules, day = quota.PRESETS["party-2019"], dt.date(2026, 3, 2)
    groups = {p.id: rules.group_ids(rules.mask(p, day)) for p in people}
    by_predicates = quota.build_list(people, 4, rules, day, prefix=True)
    by_groups = quota.build_list(people, 4, rules, day, prefix=True, groups=groups)
    assert by_groups.to_dict() == by_predicates.to_dict()


# --------------------------------------------------------------------------- edge cases


def test_a_tally_with_no_checkpoints_fails():
    empty = {
        "format": "bastau-board/1",
        "ballot_contents": "published",
        "campaign": V1.to_dict(),
        "public_key": PUBLIC,
        "checkpoints": [],
        "ballots": [],
        "tally": {
            "kind": "tally",
            "campaign": V1.slug,
            "checkpoint": 0,
            "checkpoint_hash": GENESIS,
            "ballots": 0,
            "blank": 0,
            "counts": {cid: 0 for cid, _ in V1.candidates},
        },
    }
    empty["tally"]["signature"] = sign(KEY, empty["tally"])
    report = verify_board(empty, expected_public_key=PUBLIC)
    assert report.codes() == {"tally_checkpoint"}
    assert "a finished record has at least one checkpoint" in problem(report, "tally_checkpoint")
    # closing with no ballot at all seals one empty checkpoint: that record verifies
    builder = BoardBuilder(V2, KEY)
    builder.close(START, opened_at=START)
    record = roundtrip(builder.export())
    assert record["checkpoints"][0]["batch_size"] == 0 and record["close"]["ballots"] == 0
    assert verify_board(record, expected_public_key=PUBLIC).full_pass


def test_unsealed_ballots_come_last_and_only_in_a_live_record():
    builder = BoardBuilder(V2, KEY)
    for _ in range(4):
        builder.cast(["c1"], list_id="north")
    builder.seal(START)
    builder.cast(["c6"], list_id="south")
    live = roundtrip(builder.export(withhold=True))
    assert live["ballots"][-1]["checkpoint"] is None
    assert verify_board(live, unfinished=True, allow_unsealed=True).ok
    assert verify_board(live, unfinished=True).codes() == {"unsealed"}
    live["ballots"].insert(0, live["ballots"].pop())  # an unsealed ballot before sealed ones
    report = verify_board(live, unfinished=True, allow_unsealed=True)
    assert report.codes() == {"reordered"}
    assert "unsealed ones last" in problem(report, "reordered")
    # a finished (published) bastau-board/2 record may hold no unsealed ballot, flag or not
    builder.close(START + dt.timedelta(hours=1), opened_at=START)
    final = roundtrip(builder.export())
    final["ballots"][0]["checkpoint"] = None
    final["ballots"].append(final["ballots"].pop(0))
    assert "unsealed" in verify_board(final, allow_unsealed=True).codes()


def test_a_duplicate_counts_toward_nothing(v2):
    first = v2["ballots"][0]
    v2["ballots"].insert(1, dict(first))
    report = verify_board(v2, expected_public_key=PUBLIC)
    # named once, and not counted in its batch (no "ballot_added") nor in the tally
    assert report.codes() == {"duplicate_tracker"}
    assert report.tally["ballots"] == v2["tally"]["ballots"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda c: c.update(candidates=[]), "at least one candidate"),
        (lambda c: c.update(choose_up_to=0), "from 1 to the number of candidates"),
        (lambda c: c.update(choose_up_to=True), "from 1 to the number of candidates"),
        (lambda c: c["candidates"].append(dict(c["candidates"][0])), "duplicate candidate ids"),
    ],
)
def test_what_a_well_formed_campaign_is(v1, change, words):
    change(v1["campaign"])
    report = verify_board(resign(v1))
    assert report.codes() == {"campaign"} and words in problem(report, "campaign")


def test_choose_up_to_above_the_number_of_candidates(v1, v2):
    """Refused in bastau-board/2; tolerated in /1, whose finished records must still verify
    (no ballot can name more than the n distinct candidates either way)."""
    v2["campaign"]["choose_up_to"] = 9
    report = verify_board(resign(v2))
    assert report.codes() == {"campaign"}
    assert "from 1 to the number of candidates (8)" in problem(report, "campaign")
    v1["campaign"]["choose_up_to"] = 7
    assert verify_board(resign(v1), expected_public_key=PUBLIC).full_pass


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda c: c.update(lists=[]), "at least one list"),
        (lambda c: c["candidates"][0].update(list="west"), "list 'west' is not a list"),
        (lambda c: c["candidates"][1].update(groups=["youth", "women"]), "rule set's order"),
        (lambda c: c["candidates"][1].update(groups=["elders"]), "groups must be distinct ids"),
        (lambda c: c["lists"][0].update(length=-1), "length must be a non-negative integer"),
        (lambda c: c.update(quota_rules="party-2019"), "quota_rules is not an object"),
        (lambda c: c["quota_rules"].pop("label"), "not in its full form"),
        (lambda c: c.update(prefix=0), "prefix must be true or false"),
        (lambda c: c.update(tie_break_seed=7), "tie_break_seed must be a string"),
    ],
)
def test_what_a_well_formed_list_campaign_is(v2, change, words):
    change(v2["campaign"])
    report = verify_board(resign(v2))
    assert report.codes() == {"campaign"} and words in problem(report, "campaign")
