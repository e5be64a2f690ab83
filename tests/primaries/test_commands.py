"""The primaries' management commands: export_board, verify_board, build_list, seal_boards,
generate_board_key. Most run in-process (call_command); a few run the real `bastau` command in
a fresh process to pin exit statuses, stderr, and that verify_board needs no database."""

import datetime as dt
import io
import json
import os
import subprocess
import sys

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from bastau.primaries import board, services
from bastau.primaries.models import PendingBallot

from ..factories.primaries import voter_user

CHOICES = [["c1", "c2"], ["c2"], ["c3", "c6"], [], ["c2", "c4"], ["c1"], ["c5"]]


def run(*args, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def bastau(*args, env=None, stdin=None):
    """The real command line, in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "bastau", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        input=stdin,
    )


def closed(election):
    campaign = election.campaign
    services.advance(election.scope, campaign)
    campaign.refresh_from_db()
    for i, choices in enumerate(CHOICES[:4]):
        services.cast_online(voter_user(election.voters[4 + i]), campaign, choices)
    services.seal(campaign)
    for i, choices in enumerate(CHOICES[4:]):
        services.cast_online(voter_user(election.voters[10 + i]), campaign, choices)
    services.close_voting(election.scope, campaign)
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def exported(election, tmp_path):
    campaign = closed(election)
    path = tmp_path / "board.json"
    out, _err = run("export_board", campaign.slug, "-o", str(path))
    assert "7 sealed ballot(s) in 2 checkpoint(s)" in out
    assert "0 ballots are pending" in out
    return campaign, path


def verify(path, *extra):
    return run("verify_board", str(path), *extra)


def test_export_is_the_services_record_and_verifies(exported):
    campaign, path = exported
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record == json.loads(json.dumps(services.export_record(campaign)))
    assert not list(path.parent.glob("*.part"))
    out, _err = verify(path, "--public-key", campaign.public_key)
    assert "OK: every signature, commitment and count verifies." in out
    assert "Ballots: 7; checkpoints: 2" in out
    assert "Signed tally: matches the recomputed tally" in out
    assert "c2" in out and "matches" in out and "DIFFERS" not in out
    assert "Time: " in out


def test_export_to_stdout_keeps_messages_on_stderr(exported):
    campaign, path = exported
    out, err = run("export_board", campaign.slug, "-o", "-")
    assert json.loads(out) == json.loads(path.read_text(encoding="utf-8"))
    assert "Wrote the record of test-reserve" in err and "pending" in err


def test_export_of_a_live_board_names_the_pending_ballots(election, tmp_path):
    campaign = election.campaign
    services.advance(election.scope, campaign)
    campaign.refresh_from_db()
    for i in range(3):
        services.cast_online(voter_user(election.voters[4 + i]), campaign, ["c1"])
    services.seal(campaign)
    services.cast_online(voter_user(election.voters[8]), campaign, ["c2"])
    path = tmp_path / "live.json"
    out, _err = run("export_board", campaign.slug, "-o", str(path))
    assert "3 sealed ballot(s) in 1 checkpoint(s)" in out
    assert "1 ballot(s) are pending" in out and "not part of this record" in out
    assert "No tally yet" in out
    record = json.loads(path.read_text(encoding="utf-8"))
    assert len(record["ballots"]) == 3 and "tally" not in record
    # voting is open: the record is unfinished, and fails unless verified as such
    with pytest.raises(CommandError, match="unfinished"):
        verify(path, "--public-key", campaign.public_key)
    out, _err = verify(path, "--public-key", campaign.public_key, "--unfinished")
    # the record holds trackers only, so the verifier counts nothing
    assert record["ballot_contents"] == "withheld"
    assert all(set(b) == {"tracker", "checkpoint"} for b in record["ballots"])
    assert "OK: every signature and commitment verifies, as an UNFINISHED record" in out
    assert "it holds no choices, voting open: nothing in it is counted" in out
    assert "Tally recomputed" not in out
    assert PendingBallot.objects.count() == 1  # exporting sealed nothing


def test_export_errors(election, tmp_path):
    with pytest.raises(CommandError, match="no campaign with the slug 'nope'"):
        run("export_board", "nope", "-o", str(tmp_path / "x.json"))
    with pytest.raises(CommandError, match="voting has not opened"):
        run("export_board", election.campaign.slug, "-o", str(tmp_path / "x.json"))


def tampered(path, how):
    record = json.loads(path.read_text(encoding="utf-8"))
    ballots = record["ballots"]
    first_batch = [b for b in ballots if b["checkpoint"] == 1]
    if how == "changed":
        target = next(b for b in ballots if b["choices"] == ["c2"])
        target["choices"] = ["c3"]
    elif how == "dropped":
        ballots.remove(first_batch[1])
    elif how == "added":
        campaign = board.Campaign.from_dict(record["campaign"], 2)
        extra = board.new_ballot(campaign, ["c1"], list_id=campaign.list_of()["c1"])
        ballots.append({**extra.to_dict(), "checkpoint": 1})
        ballots.sort(key=lambda b: (b["checkpoint"], b["tracker"]))
    elif how == "swapped":
        i = ballots.index(first_batch[0])
        ballots[i], ballots[i + 1] = ballots[i + 1], ballots[i]
    out = path.with_name(f"{how}.json")
    out.write_text(json.dumps(record), encoding="utf-8")
    return out


@pytest.mark.parametrize(
    ("how", "code", "words"),
    [
        ("changed", "ballot_changed", "a ballot was changed"),
        ("dropped", "ballot_dropped", "a ballot was dropped"),
        ("added", "ballot_added", "a ballot was added"),
        ("swapped", "reordered", "ballots were reordered"),
    ],
)
def test_verify_names_what_was_tampered(exported, how, code, words):
    _campaign, path = exported
    bad = tampered(path, how)
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("verify_board", str(bad), stdout=out, stderr=io.StringIO())
    assert caught.value.returncode == 1
    assert words in str(caught.value) and code in str(caught.value)
    printed = out.getvalue()
    assert "FAILED" in printed and f"[{code}]" in printed
    if how in ("changed", "dropped", "added"):
        assert "DIFFERS: signed tally says" in printed  # the recomputed tally disagrees


def test_verify_with_the_wrong_public_key(exported):
    _campaign, path = exported
    other = board.public_key_to_text(board.generate_private_key())
    with pytest.raises(CommandError, match="public key"):
        verify(path, "--public-key", other)
    with pytest.raises(CommandError, match="not an Ed25519 public key"):
        verify(path, "--public-key", "garbage")


def test_verify_reads_a_key_file(exported, tmp_path):
    campaign, path = exported
    key_file = tmp_path / "board.pub"
    key_file.write_text(campaign.public_key + "\n")
    out, _err = verify(path, "--public-key", str(key_file))
    assert "pinned with --public-key" in out and "OK" in out


def test_verify_bad_files(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        verify(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": ', encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON at line 1"):
        verify(broken)
    other = tmp_path / "list.json"
    other.write_text("[]", encoding="utf-8")
    with pytest.raises(CommandError, match="must be a JSON object"):
        verify(other)
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"format": "other/1"}', encoding="utf-8")
    with pytest.raises(CommandError, match="not a bastau-board/1 or /2 record"):
        verify(wrong)


def builder_record(tmp_path):
    key = board.generate_private_key()
    campaign = board.Campaign("offline", "Офлайн", (("a", "Әсел"), ("b", "Бауыржан")), 1)
    builder = board.BoardBuilder(campaign, key)
    moment = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
    for choice in ("a", "b", "a"):
        builder.cast([choice])
    builder.close(moment)
    path = tmp_path / "offline.json"
    path.write_text(json.dumps(builder.export(), ensure_ascii=False), encoding="utf-8")
    return path, board.public_key_to_text(key)


def test_verify_needs_no_database(tmp_path):
    """No `db` fixture: pytest-django fails any query, so this proves the command makes none."""
    path, key = builder_record(tmp_path)
    out, _err = verify(path, "--public-key", key)
    assert "OK" in out and "Әсел" in out


def test_verify_from_the_command_line_without_a_database(tmp_path):
    path, key = builder_record(tmp_path)
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/no/such/dir/db.sqlite3"}
    ok = bastau("verify_board", str(path), "--public-key", key, env=env)
    assert ok.returncode == 0, ok.stderr
    assert "OK: every signature" in ok.stdout
    record = json.loads(path.read_text(encoding="utf-8"))
    record["ballots"][0]["choices"] = ["b"] if record["ballots"][0]["choices"] == ["a"] else ["a"]
    bad = bastau("verify_board", "-", env=env, stdin=json.dumps(record))
    assert bad.returncode == 1
    assert "a ballot was changed (ballot_changed)" in bad.stderr
    assert "[ballot_changed]" in bad.stdout


# build_list ----------------------------------------------------------------------------------
CANDIDATES = [
    ("id", "name", "votes", "gender", "birth_date", "disability"),
    ("a", "Айбек", 90, "M", "1970-01-01", 0),
    ("b", "Бауыржан", 80, "M", "1975-01-01", 0),
    ("c", "Серік", 70, "M", "1980-01-01", 0),
    ("d", "Дәурен", 60, "M", "1999-06-01", 0),
    ("e", "Әсел", 50, "F", "1985-01-01", 0),
    ("f", "Гүлнар", 40, "F", "1995-01-01", 1),
]


def write_csv(path, rows=CANDIDATES):
    path.write_text("\n".join(",".join(str(v) for v in row) for row in rows) + "\n", "utf-8")
    return path


def write_xlsx(path, rows=CANDIDATES):
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    book.save(path)
    return path


@pytest.mark.parametrize("source", ["csv", "xlsx"])
def test_build_list_json(tmp_path, source):
    path = (write_csv if source == "csv" else write_xlsx)(tmp_path / f"c.{source}")
    out, _err = run(
        "build_list",
        str(path),
        "--length",
        "4",
        "--rules",
        "party-2019",
        "--reference-date",
        "2026-06-01",
    )
    data = json.loads(out)
    rows = data["list"]
    assert [r["id"] for r in rows] == ["a", "b", "e", "f"]
    assert set(rows[0]) == {"position", "id", "name", "votes", "vote_rank", "groups", "reason"}
    assert rows[2]["reason"]["groups"] == ["women"] and rows[2]["vote_rank"] == 5
    assert rows[0]["reason"] is None and rows[0]["name"] == "Айбек"
    assert data["reference_date"] == "2026-06-01"


def test_build_list_csv_and_xlsx_outputs(tmp_path):
    source = write_csv(tmp_path / "c.csv")
    target = tmp_path / "list.csv"
    _out, err = run(
        "build_list",
        str(source),
        "--length",
        "4",
        "--rules",
        "law-2022",
        "--reference-date",
        "2026-06-01",
        "-o",
        str(target),
    )
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "position,id,name,votes,vote_rank,groups,reason"
    assert len(lines) == 5 and "Written to" in err
    xlsx = tmp_path / "list.xlsx"
    run(
        "build_list",
        str(source),
        "--length",
        "3",
        "--rules",
        "party-2019",
        "--reference-date",
        "2026-06-01",
        "-o",
        str(xlsx),
    )
    from openpyxl import load_workbook

    rows = list(load_workbook(xlsx).active.iter_rows(values_only=True))
    assert rows[0][0] == "position" and len(rows) == 4


def test_build_list_custom_rules_prefix_and_seed(tmp_path):
    source = write_csv(tmp_path / "c.csv")
    rules = tmp_path / "rules.json"
    rules.write_text(
        json.dumps(
            {
                "id": "half-women",
                "groups": [{"id": "women", "min_share": 50, "predicate": {"kind": "woman"}}],
            }
        )
    )
    out, _err = run(
        "build_list",
        str(source),
        "--length",
        "2",
        "--rules",
        str(rules),
        "--prefix",
        "--seed",
        "lot-1",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert data["rules"] == "half-women" and data["prefix"] and data["seed"] == "lot-1"
    assert [r["id"] for r in data["list"]] == ["a", "e"]


def test_build_list_infeasible_exits_2_with_the_reason_on_stderr(tmp_path):
    source = write_csv(tmp_path / "c.csv", CANDIDATES[:-1])  # one woman among five
    with pytest.raises(CommandError) as caught:
        run("build_list", str(source), "--length", "5", "--rules", "party-2019")
    assert caught.value.returncode == 2
    result = bastau("build_list", str(source), "--length", "5", "--rules", "party-2019")
    assert result.returncode == 2 and result.stdout == ""
    assert "No list of 5 can meet the quotas" in result.stderr
    assert "women needs at least 2 and only 1 candidate qualifies" in result.stderr


def test_build_list_bad_input(tmp_path):
    rows = [*CANDIDATES[:3], ("x", "Bad", "many", "M", "1980-01-01", 0)]
    source = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(CommandError, match="row 4: votes 'many' is not a whole number"):
        run("build_list", str(source), "--length", "2", "--rules", "party-2019")
    result = bastau("build_list", str(source), "--length", "2", "--rules", "party-2019")
    assert result.returncode == 1 and "row 4" in result.stderr
    with pytest.raises(CommandError, match="not a preset"):
        run("build_list", str(write_csv(tmp_path / "c.csv")), "--length", "2", "--rules", "x")
    with pytest.raises(CommandError, match="needs at least 9 candidates"):
        run("build_list", str(tmp_path / "c.csv"), "--length", "9", "--rules", "party-2019")
    with pytest.raises(CommandError, match="no such file"):
        run("build_list", str(tmp_path / "none.csv"), "--length", "2", "--rules", "party-2019")
    with pytest.raises(CommandError, match="use YYYY-MM-DD"):
        run(
            "build_list",
            str(tmp_path / "c.csv"),
            "--length",
            "2",
            "--rules",
            "party-2019",
            "--reference-date",
            "1.6.2026",
        )


def test_build_list_reference_date_defaults_to_today(tmp_path):
    # 20:30 UTC is already the next day in Aktobe (UTC+5): the command counts the local day.
    with time_machine.travel(dt.datetime(2031, 3, 19, 20, 30, tzinfo=dt.UTC), tick=False):
        out, _err = run(
            "build_list", str(write_csv(tmp_path / "c.csv")), "--length", "2", "--rules", "law-2022"
        )
    assert json.loads(out)["reference_date"] == "2031-03-20"


# seal_boards, generate_board_key -------------------------------------------------------------
def test_seal_boards_once_and_min_batch(election):
    campaign = election.campaign
    services.advance(election.scope, campaign)
    campaign.refresh_from_db()
    for i in range(3):
        services.cast_online(voter_user(election.voters[4 + i]), campaign, ["c1"])
    out, _err = run("seal_boards", "--min-batch", "5")
    assert "Sealed 0 ballot(s)" in out and PendingBallot.objects.count() == 3
    out, _err = run("seal_boards")
    assert "Sealed 3 ballot(s)" in out and PendingBallot.objects.count() == 0
    assert campaign.checkpoints.count() == 1


def test_seal_boards_loop_stops_on_interrupt(election, monkeypatch):
    from bastau.primaries.management.commands import seal_boards

    calls = []

    def fake_round(min_batch):
        calls.append(min_batch)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return 4

    monkeypatch.setattr(seal_boards.Command, "seal_round", staticmethod(fake_round))
    out, _err = run("seal_boards", "--every", "1")
    assert calls == [1, 1]
    assert "sealed 4 ballot(s)" in out and "Sealer stopped." in out
    with pytest.raises(CommandError, match="at least 1 second"):
        run("seal_boards", "--every", "0.1")


def test_generate_board_key():
    out, err = run("generate_board_key")
    values = dict(line.split("=", 1) for line in out.strip().splitlines())
    key = board.load_private_key(values["BOARD_SIGNING_KEY"])
    assert board.public_key_to_text(key) == values["BOARD_PUBLIC_KEY"]
    assert "secret" in err
    out, _err = run("generate_board_key", "--pem")
    pem = out[out.index("-----BEGIN") : out.index("-----END PRIVATE KEY-----") + 25]
    public = out.strip().splitlines()[-1].split("=", 1)[1]
    assert board.public_key_to_text(board.load_private_key(pem)) == public
