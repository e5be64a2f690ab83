"""No running result before the close: while voting is open the board page, board.json and
the exported record show trackers and checkpoints only; a voter still finds their tracker;
after the close the full record verifies and extends what was published during voting."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import StreamingHttpResponse
from django.urls import reverse

from bastau.primaries import board, services
from bastau.primaries.models import Ballot, PendingBallot

from ..factories.primaries import voter_user

BALLOTS = [["c1", "c2"], ["c1"], ["c3"], [], ["c1", "c4", "c6"], ["c2"], ["c1", "c5"], ["c6"]]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def url(name, campaign):
    return reverse(f"primaries:{name}", args=[campaign.slug])


def record_of(response) -> dict:
    assert isinstance(response, StreamingHttpResponse)
    return json.loads(b"".join(response.streaming_content))


@pytest.fixture
def voting(election):
    """Voting open: 8 ballots sealed in two checkpoints, one more waiting."""
    services.advance(election.scope, election.campaign)
    campaign = election.campaign
    campaign.refresh_from_db()
    for i, choices in enumerate(BALLOTS):
        services.cast_online(voter_user(election.voters[2 + i]), campaign, choices)
        if i == 4:
            services.seal(campaign)
    services.seal(campaign)
    services.cast_online(voter_user(election.voters[12]), campaign, ["c2"])
    assert Ballot.objects.count() == 8 and PendingBallot.objects.count() == 1
    return election


def secrets_of_the_ballots() -> list[str]:
    """What would let a reader count: every stored ballot's nonce."""
    return [
        *Ballot.objects.values_list("nonce", flat=True),
        *PendingBallot.objects.values_list("nonce", flat=True),
    ]


def test_board_json_during_voting_lists_trackers_and_checkpoints_only(client, voting):
    campaign = voting.campaign
    response = client.get(url("board_json", campaign))
    raw = b"".join(response.streaming_content)
    record = json.loads(raw)
    assert list(record) == [
        "format",
        "ballot_contents",
        "campaign",
        "public_key",
        "checkpoints",
        "ballots",
    ]
    assert record["ballot_contents"] == "withheld" and "tally" not in record
    assert len(record["ballots"]) == 8  # sealed ballots only
    assert all(list(b) == ["tracker", "checkpoint"] for b in record["ballots"])
    assert {b["tracker"] for b in record["ballots"]} == set(
        Ballot.objects.values_list("tracker", flat=True)
    )
    text = raw.decode()
    for nonce in secrets_of_the_ballots():
        assert nonce not in text
    assert '"choices"' not in text and '"counts"' not in text and '"nonce"' not in text
    # the checkpoints are published whole: per-checkpoint ballot counts are fine
    assert [cp["batch_size"] for cp in record["checkpoints"]] == [5, 3]

    # The same document as services.export_record; it verifies and says it holds no choices.
    assert record == json.loads(json.dumps(services.export_record(campaign)))
    report = board.verify_board(record, expected_public_key=campaign.public_key, unfinished=True)
    assert report.ok, report.summary()
    # not said to be unfinished, it fails: nothing in it shows the record is complete
    assert board.verify_board(record, expected_public_key=campaign.public_key).codes() == {
        "unfinished"
    }
    assert report.withheld and report.tally is None and report.ballots == 8


def test_board_page_during_voting_shows_no_choices(client, voting):
    campaign = voting.campaign
    for params in ({}, {"checkpoint": 1}, {"checkpoint": 2}, {"page": 1}):
        response = client.get(url("board", campaign), params)
        assert response.status_code == 200
        body = response.content.decode()
        assert len(response.context["ballots"]) == {1: 5, 2: 3}.get(params.get("checkpoint"), 8)
        for ballot in response.context["ballots"]:
            assert set(ballot) == {"tracker", "short", "checkpoint"}
        for candidate in voting.candidates:
            assert candidate.name not in body
        for nonce in secrets_of_the_ballots():
            assert nonce not in body
        assert "№1" not in body and ">Choices<" not in body and ">blank<" not in body
        assert "While voting is open the board shows only what proves" in body
    # the summary figures are the sealed and waiting totals, not counts per candidate
    assert response.context["sealed_total"] == 8 and response.context["pending"] == 1


def test_a_voter_finds_their_tracker_during_voting(client, voting):
    campaign = voting.campaign
    voter = voting.voters[15]
    client.force_login(voter_user(voter))
    response = client.post(url("vote", campaign), {"step": "confirm", "choice": ["c4"]})
    assert response.status_code == 302
    tracker = client.get(url("receipt", campaign)).context["tracker"]
    assert PendingBallot.objects.filter(tracker=tracker).exists()
    client.logout()

    response = client.post(url("board", campaign), {"tracker": tracker})
    body = response.content.decode()
    assert "Received, waiting for the next checkpoint." in body
    assert [p["tracker"] for p in response.context["found"]["pending"]] == [tracker]

    services.seal(campaign)
    grouped = " ".join(tracker[i : i + 4] for i in range(0, 64, 4))  # as written down
    response = client.post(url("board", campaign), {"tracker": grouped})
    body = response.content.decode()
    found = response.context["found"]["sealed"]
    assert [b["tracker"] for b in found] == [tracker]
    assert "Found: sealed in checkpoint 3" in body
    assert "Your ballot is recorded and sealed." in body
    assert set(found[0]) == {"tracker", "groups", "checkpoint"}  # no nonce, no choices
    assert voting.candidates[3].name not in body
    assert Ballot.objects.get(tracker=tracker).nonce not in body


def test_no_results_are_shown_during_voting(client, voting):
    campaign = voting.campaign
    for user in (None, voting.chair, voting.scope.user):
        if user is not None:
            client.force_login(user)
        response = client.get(url("results", campaign))
        assert response.status_code == 200
        assert not response.context["published"] and not response.context["preview"]
        assert "stats" not in response.context and "turnout" not in response.context
        for name in ("protocol", "results_xlsx"):
            args = [campaign.slug, "kk", "pdf"] if name == "protocol" else [campaign.slug]
            assert client.get(reverse(f"primaries:{name}", args=args)).status_code == 404


def test_after_the_close_the_full_record_verifies_and_extends_the_one_seen(
    client, voting, tmp_path
):
    campaign = voting.campaign
    during = record_of(client.get(url("board_json", campaign)))
    saved = tmp_path / "during.json"
    saved.write_text(json.dumps(during), encoding="utf-8")

    services.close_voting(voting.scope, campaign)
    campaign.refresh_from_db()
    final = record_of(client.get(url("board_json", campaign)))
    assert final["ballot_contents"] == "published"
    assert final["format"] == "bastau-board/2" and final["close"]["ballots"] == 9
    assert all(
        list(b) == ["tracker", "list", "nonce", "choices", "checkpoint"] for b in final["ballots"]
    )
    assert final["tally"]["ballots"] == 9 and final["tally"]["counts"]["c1"] == 4
    assert final["checkpoints"][:2] == during["checkpoints"]  # the head seen is kept
    report = board.verify_board(
        final,
        expected_public_key=campaign.public_key,
        known_checkpoints=board.checkpoint_hashes(during),
    )
    assert report.ok, report.summary()
    assert report.tally["counts"] == final["tally"]["counts"]

    # The board page now shows every ballot's choices and the searched ballot's nonce.
    tracker = during["ballots"][0]["tracker"]
    response = client.post(url("board", campaign), {"tracker": tracker})
    found = response.context["found"]["sealed"][0]
    assert found["nonce"] == Ballot.objects.get(tracker=tracker).nonce
    assert "choices" in found
    assert all("choices" in b for b in response.context["ballots"])

    # The shipped verifier, from the files alone, with the copy saved during voting.
    final_path = tmp_path / "final.json"
    call_command("export_board", campaign.slug, "-o", str(final_path), stdout=_Sink())
    out = _Sink()
    call_command(
        "verify_board",
        str(final_path),
        "--public-key",
        campaign.public_key,
        "--earlier",
        str(saved),
        stdout=out,
    )
    assert "OK: every signature, commitment and count verifies." in out.text
    assert "Ballot contents: published" in out.text
    assert "Earlier copies: 1, 2 checkpoint(s) in them; every one is in the record" in out.text

    # The copy seen during voting verifies too, as a record that holds no choices.
    out = _Sink()
    with pytest.raises(CommandError, match="unfinished"):
        call_command("verify_board", str(saved), "--public-key", campaign.public_key, stdout=out)
    out = _Sink()
    call_command(
        "verify_board", str(saved), "--public-key", campaign.public_key, "--unfinished", stdout=out
    )
    assert "OK: every signature and commitment verifies, as an UNFINISHED record" in out.text
    assert "it holds no choices, voting open: nothing in it is counted" in out.text
    assert "Ballot contents: withheld" in out.text


def test_verify_board_refuses_a_final_record_that_rewrote_the_head_seen(client, voting, tmp_path):
    campaign = voting.campaign
    during = record_of(client.get(url("board_json", campaign)))
    services.close_voting(voting.scope, campaign)
    campaign.refresh_from_db()
    final = record_of(client.get(url("board_json", campaign)))
    # an observer's saved copy that differs from what the server now publishes
    during["checkpoints"][1]["sealed_at"] = "2000-01-01T00:00Z"
    saved = tmp_path / "during.json"
    saved.write_text(json.dumps(during), encoding="utf-8")
    final_path = tmp_path / "final.json"
    final_path.write_text(json.dumps(final), encoding="utf-8")
    out = _Sink()
    with pytest.raises(CommandError, match="history"):
        call_command("verify_board", str(final_path), "--earlier", str(saved), stdout=out)
    assert "NOT all are in the record unchanged" in out.text


class _Sink:
    def __init__(self):
        self.text = ""

    def write(self, text, *args, **kwargs):
        self.text += text + "\n"

    def flush(self):
        pass


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("kk", "Дауыс беру жүріп жатқанда тізілім"),
        ("ru", "Пока идёт голосование, реестр показывает"),
    ],
)
def test_the_board_says_in_the_readers_language_why_choices_are_withheld(
    client, voting, lang, words
):
    tracker = Ballot.objects.values_list("tracker", flat=True).first()
    response = client.post(
        url("board", voting.campaign), {"tracker": tracker}, HTTP_ACCEPT_LANGUAGE=lang
    )
    body = response.content.decode()
    assert words in body
    assert "While voting is open" not in body and "Your ballot is recorded and sealed" not in body
    assert "Save the hash of the last checkpoint" not in body
