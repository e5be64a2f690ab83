"""The streamed reading of a ballot record (board.iter_record, board.verify_board_stream): the
same verdicts as verify_board over the whole document, the same errors as json.load, with the
file read in pieces small enough to cut every token."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from bastau.primaries import board

KEY = board.load_private_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
WHEN = dt.datetime(2026, 3, 1, 10, 15, tzinfo=dt.UTC)


def record(ballots=40, seal_every=15) -> dict:
    campaign = board.Campaign("stream-2026", "Stream", (("a", "Ә"), ("b", "Б"), ("c", "В")), 2)
    builder = board.BoardBuilder(campaign, KEY)
    choices = [["a"], ["b", "c"], [], ["a", "c"]]
    for i in range(ballots):
        builder.cast(choices[i % 4], nonce=f"{i:032x}")
        if i % seal_every == seal_every - 1:
            builder.seal(WHEN + dt.timedelta(minutes=i))
    builder.close(WHEN + dt.timedelta(hours=2))
    return builder.export()


def stream(data: dict, *, indent=None, chunk=7, **options):
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return board.verify_board_stream(board.iter_record(io.StringIO(text), chunk=chunk), **options)


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("chunk", [1, 7, 1 << 20])
def test_a_clean_record_verifies_streamed(indent, chunk):
    data = record()
    report, head = stream(data, indent=indent, chunk=chunk)
    assert report.ok, report.summary()
    assert report.ballots == 40 and report.checkpoints == 3
    assert "ballots" not in head and head["tally"] == data["tally"]
    assert report.tally == board.verify_board(data).tally


@pytest.mark.parametrize(
    "tamper",
    ["changed", "dropped", "added", "swapped", "duplicate", "unsealed", "tally", "format"],
)
def test_streamed_verdicts_equal_the_whole_document_ones(tamper):
    data = record()
    ballots = data["ballots"]
    if tamper == "changed":
        ballots[3]["choices"] = ["b"]
    elif tamper == "dropped":
        del ballots[5]
    elif tamper == "added":
        extra = board.new_ballot(board.Campaign.from_dict(data["campaign"]), ["a"], "f" * 32)
        ballots.insert(2, {**extra.to_dict(), "checkpoint": 1})
    elif tamper == "swapped":
        ballots[1], ballots[2] = ballots[2], ballots[1]
    elif tamper == "duplicate":
        ballots.insert(0, dict(ballots[0]))
    elif tamper == "unsealed":
        ballots[-1]["checkpoint"] = None
    elif tamper == "tally":
        data["tally"]["counts"]["a"] += 1
    elif tamper == "format":
        data["format"] = "other/1"
    whole = board.verify_board(json.loads(json.dumps(data)))
    streamed, _head = stream(data)
    assert not whole.ok
    assert [(p.code, p.message) for p in streamed.problems] == [
        (p.code, p.message) for p in whole.problems
    ]
    assert streamed.ballots == whole.ballots


def test_ballots_before_the_checkpoints_are_kept_and_checked_at_the_end():
    data = record()
    reordered = {"ballots": data["ballots"], **{k: v for k, v in data.items() if k != "ballots"}}
    report, head = stream(reordered)
    assert report.ok and report.ballots == 40
    assert "ballots" not in head


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "{",
        '{"format": "bastau-board/1",}',
        '{"format" "x"}',
        '{"ballots": [1, 2,]}',
        '{"ballots": [{"a": 1} {"b": 2}]}',
        '{"ballots": [1, 2]',
        '{"a": 1}\n\n  x',
        '{"a": 1, "b": [1, 2,\n 3, tru]}',
        '{\n  "ballots": [\n    {"x": 1},\n    {"x": 2,}\n  ]\n}',
        '{"a": "unterminated',
        "{1: 2}",
    ],
)
@pytest.mark.parametrize("chunk", [1, 3, 1 << 20])
def test_syntax_errors_name_json_s_line_and_column(text, chunk):
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(board.RecordSyntaxError) as caught:
        for _key, value in board.iter_record(io.StringIO(text), chunk=chunk):
            if not isinstance(value, dict | list | str | int | float | None):
                list(value)
    assert (caught.value.lineno, caught.value.colno) == (
        expected.value.lineno,
        expected.value.colno,
    )


@pytest.mark.parametrize("text", ["[]", "12", '"board"', "null"])
def test_valid_json_that_is_not_an_object(text):
    with pytest.raises(board.NotAnObject):
        list(board.iter_record(io.StringIO(text)))


def test_numbers_cut_by_a_piece_boundary_are_read_whole():
    pairs = list(board.iter_record(io.StringIO('{"n": 123456789, "f": [15000]}'), chunk=2))
    assert pairs == [("n", 123456789), ("f", [15000])]
    # a float is refused even when a piece boundary cuts it (the record holds integers only)
    with pytest.raises(board.RecordEncodingError, match="not an integer"):
        list(board.iter_record(io.StringIO('{"n": 123456789, "f": [1.5e3]}'), chunk=2))


def test_the_command_streams_and_keeps_its_output(tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "board.json"
    path.write_text(json.dumps(record(), indent=1), encoding="utf-8")
    out = io.StringIO()
    call_command(
        "verify_board", str(path), "--public-key", board.public_key_to_text(KEY), stdout=out
    )
    text = out.getvalue()
    assert "Ballots: 40; checkpoints: 3" in text
    assert "OK: every signature" in text
    assert "reading the file" in text and "verifying" in text
