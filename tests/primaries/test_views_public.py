"""The members' and the public's primaries pages: the whole member flow through the pages.

Campaign page -> ballot -> confirmation -> receipt with the tracker -> the board finds it
(pending, then sealed) -> board.json equals the exported record and verifies -> results with
every departure from the vote order explained. Bad inputs store nothing; query counts are pinned.
"""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from bastau.accounts.models import Role
from bastau.primaries import board, services
from bastau.primaries.models import (
    Ballot,
    Campaign,
    Candidate,
    Participation,
    PendingBallot,
)

from .. import factories as f
from ..factories.primaries import counted as _counted
from ..factories.primaries import open_, text, url, voter_user


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def stored():
    return (Participation.objects.count(), PendingBallot.objects.count(), Ballot.objects.count())


# Campaign pages ------------------------------------------------------------------------------
def test_campaigns_list_shows_visible_campaigns_and_the_members_status(client, election):
    campaign = open_(election)
    client.force_login(voter_user(election.voters[4]))
    response = client.get(reverse("primaries:campaigns"))
    assert response.status_code == 200
    body = text(response)
    assert campaign.title in body
    assert url("vote", campaign) in body  # on the roll, not voted: a vote button


def test_campaign_page_shows_roll_status_and_candidates(client, world, election):
    campaign = open_(election)
    client.force_login(voter_user(election.voters[4]))
    body = text(client.get(url("campaign", campaign)))
    assert "You are on the voter roll." in body
    assert "You have not voted." in body
    assert "Vote now" in body
    for c in election.candidates:
        assert c.name in body
        assert url("candidate", campaign, c.number) in body

    late = f.member(world.poo)  # admitted after the roll was frozen
    client.force_login(voter_user(late))
    body = text(client.get(url("campaign", campaign)))
    assert "You are not on the voter roll of this campaign." in body
    assert "Vote now" not in body

    client.logout()
    body = text(client.get(url("campaign", campaign)))
    assert "Sign in to see whether you are on the voter roll" in body


def test_candidate_page_shows_profile(client, election):
    campaign = election.campaign
    candidate = election.candidates[0]
    Candidate.objects.filter(pk=candidate.pk).update(
        biography="Teacher for twenty years.", program="Schools first."
    )
    body = text(client.get(url("candidate", campaign, candidate.number)))
    assert candidate.name in body
    assert "Teacher for twenty years." in body and "Schools first." in body
    assert client.get(url("candidate", campaign, 999)).status_code == 404


def test_self_nomination_and_withdrawal_through_the_pages(client, world, election):
    campaign = election.campaign
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.NOMINATION)
    client.force_login(world.member_user)
    body = text(client.get(url("campaign", campaign)))
    assert "Stand as a candidate (self-nomination)" in body
    assert url("nominate_self", campaign) in body

    # the confirmation box is required: nothing is stored without it
    response = client.post(url("nominate_self", campaign), {"biography": "b", "program": "p"})
    assert response.status_code == 200
    assert not Candidate.objects.filter(member=world.member).exists()

    response = client.post(
        url("nominate_self", campaign),
        {"biography": "My life.", "program": "My plan.", "confirm": "on"},
    )
    assert response.status_code == 302
    mine = Candidate.objects.get(campaign=campaign, member=world.member)
    assert mine.nomination == Candidate.Nomination.SELF and mine.biography == "My life."
    body = text(client.get(url("campaign", campaign)))
    assert "You stand in this campaign" in body and "Withdraw my candidacy" in body

    # a second nomination is refused
    response = client.post(
        url("nominate_self", campaign), {"biography": "x", "program": "y", "confirm": "on"}
    )
    assert Candidate.objects.filter(campaign=campaign, member=world.member).count() == 1

    response = client.post(url("withdraw", campaign), {"reason": "Family", "confirm": "on"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == Candidate.Status.WITHDRAWN and mine.status_reason == "Family"


def test_self_nomination_out_of_scope_is_refused_with_a_message(client, world, election):
    campaign = election.campaign
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.NOMINATION)
    client.force_login(voter_user(world.other_member))  # another district
    body = text(client.get(url("campaign", campaign)))
    assert "you will not be on it" in body
    response = client.post(
        url("nominate_self", campaign), {"biography": "b", "program": "p", "confirm": "on"}
    )
    assert response.status_code == 200
    assert "Only an active member of the campaign" in text(response)
    assert not Candidate.objects.filter(member=world.other_member).exists()


# Voting ------------------------------------------------------------------------------------
def test_the_whole_member_flow(client, election):
    campaign = open_(election)
    member = election.voters[4]
    client.force_login(voter_user(member))
    vote_url = url("vote", campaign)

    response = client.get(vote_url)
    assert response.status_code == 200
    body = text(response)
    assert body.count('type="checkbox" name="choice"') == 6
    assert "<fieldset" in body and "<legend>" in body and "Choose up to 3 candidates" in body

    # Review: the chosen names and the warning, nothing stored yet.
    c1, c3 = election.candidates[0], election.candidates[2]
    response = client.post(vote_url, {"step": "review", "choice": ["c1", "c3"]})
    body = text(response)
    assert c1.name in body and c3.name in body and election.candidates[1].name not in body
    assert "You cannot change your vote afterwards." in body
    assert stored() == (0, 0, 0)

    # Change my choice: back to the ballot with the choices kept.
    body = text(client.post(vote_url, {"step": "edit", "choice": ["c1", "c3"]}))
    assert 'value="c1" id="choice-1" checked' in body and 'value="c2" id="choice-2">' in body

    response = client.post(vote_url, {"step": "confirm", "choice": ["c1", "c3"]})
    assert response.status_code == 302
    assert response["Location"] == url("receipt", campaign)
    pending = PendingBallot.objects.get()
    assert pending.choices == ["c1", "c3"]
    tracker = pending.tracker
    # the tracker is not kept server-side with the member's session
    assert tracker not in str(dict(client.session))

    response = client.get(url("receipt", campaign))
    body = text(response)
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    assert tracker in body
    assert " ".join(f"<span>{tracker[i : i + 4]}</span>" for i in range(0, 8, 4)).replace(
        " ", ""
    ) in body.replace(" ", "")
    # The link to the board posts the tracker, so it stays out of URLs and access logs.
    assert f'action="{url("board", campaign)}"' in body
    assert f'name="tracker" value="{tracker}"' in body
    assert "?tracker=" not in body
    assert 'aria-live="polite"' in body
    assert "Write the tracker down now" in body
    for c in election.candidates:  # the receipt does not reveal the choices
        assert c.name not in body

    # Reachable once.
    body = text(client.get(url("receipt", campaign)))
    assert tracker not in body and "The receipt is shown only once" in body

    # No re-voting: the page says so, and a posted ballot changes nothing.
    body = text(client.get(vote_url))
    assert "You have already voted" in body
    response = client.post(vote_url, {"step": "confirm", "choice": ["c2"]})
    assert "You have already voted" in text(response)
    assert stored() == (1, 1, 0)
    assert PendingBallot.objects.get().choices == ["c1", "c3"]
    assert services.has_voted(campaign, member)
    body = text(client.get(url("campaign", campaign)))
    assert "You have voted." in body


def test_receipt_belongs_to_the_voter_who_cast_it(client, election):
    campaign = open_(election)
    client.force_login(voter_user(election.voters[4]))
    client.post(url("vote", campaign), {"step": "confirm", "choice": ["c1"]})
    tracker = PendingBallot.objects.get().tracker
    client.force_login(voter_user(election.voters[5]))  # someone else on the same phone
    body = text(client.get(url("receipt", campaign)))
    assert tracker not in body


def test_radio_buttons_when_one_choice(client, election):
    Campaign.objects.filter(pk=election.campaign.pk).update(choose_up_to=1)
    election.campaign.refresh_from_db()
    campaign = open_(election)
    client.force_login(voter_user(election.voters[4]))
    body = text(client.get(url("vote", campaign)))
    assert body.count('type="radio" name="choice"') == 7  # six candidates and a blank ballot
    assert "Choose one candidate" in body
    response = client.post(url("vote", campaign), {"step": "review", "choice": ["c1", "c2"]})
    assert "You may choose at most 1 candidate; you chose 2." in text(response)
    response = client.post(url("vote", campaign), {"step": "confirm", "choice": ["c2"]})
    assert response.status_code == 302
    assert PendingBallot.objects.get().choices == ["c2"]


def test_blank_radio_button(client, election):
    Campaign.objects.filter(pk=election.campaign.pk).update(choose_up_to=1)
    election.campaign.refresh_from_db()
    campaign = open_(election)
    client.force_login(voter_user(election.voters[4]))
    body = text(client.post(url("vote", campaign), {"step": "review", "choice": [""]}))
    assert "your ballot will be counted as blank" in body
    response = client.post(url("vote", campaign), {"step": "confirm", "choice": [""]})
    assert response.status_code == 302
    assert PendingBallot.objects.get().choices == []


def test_blank_ballot(client, election):
    campaign = open_(election)
    client.force_login(voter_user(election.voters[4]))
    body = text(client.post(url("vote", campaign), {"step": "review"}))
    assert "your ballot will be counted as blank" in body
    client.post(url("vote", campaign), {"step": "confirm"})
    assert PendingBallot.objects.get().choices == []


@pytest.mark.parametrize(
    "choices, message",
    [
        (["c1", "c2", "c3", "c4"], "You may choose at most 3 candidates; you chose 4."),
        (["c99"], "The ballot names a candidate who is not on your list."),
        (["c1", "c1"], "A candidate is chosen twice."),
    ],
)
@pytest.mark.parametrize("step", ["review", "confirm"])
def test_bad_ballots_give_a_clear_message_and_store_nothing(
    client, election, choices, message, step
):
    campaign = open_(election)
    client.force_login(voter_user(election.voters[4]))
    response = client.post(url("vote", campaign), {"step": step, "choice": choices})
    assert response.status_code == 200
    body = text(response)
    assert message in body and 'role="alert"' in body
    assert stored() == (0, 0, 0)


def test_a_withdrawn_candidate_posted_is_refused(client, election):
    campaign = election.campaign
    services.set_candidate_status(
        election.scope, election.candidates[5], status=Candidate.Status.WITHDRAWN
    )
    campaign = open_(election)
    client.force_login(voter_user(election.voters[4]))
    body = text(client.get(url("vote", campaign)))
    assert election.candidates[5].name not in body
    body = text(client.post(url("vote", campaign), {"step": "confirm", "choice": ["c6"]}))
    assert "The ballot names a candidate who is not on your list." in body
    assert stored() == (0, 0, 0)


def test_not_on_the_roll(client, world, election):
    campaign = open_(election)
    late = f.member(world.poo)
    client.force_login(voter_user(late))
    response = client.get(url("vote", campaign))
    assert response.status_code == 403
    assert "You are not on the voter roll" in text(response)
    response = client.post(url("vote", campaign), {"step": "confirm", "choice": ["c1"]})
    assert response.status_code == 403
    assert stored() == (0, 0, 0)


def test_account_without_a_member_record_cannot_vote(client, world, election):
    campaign = open_(election)
    client.force_login(world.secretary)
    response = client.post(url("vote", campaign), {"step": "confirm", "choice": ["c1"]})
    assert response.status_code == 403
    assert "not linked to a member record" in text(response)
    assert stored() == (0, 0, 0)


def test_voting_not_open_or_ended(client, election):
    campaign = election.campaign  # registration
    client.force_login(voter_user(election.voters[4]))
    body = text(client.get(url("vote", campaign)))
    assert "Voting is not open." in body

    campaign = open_(election)
    Campaign.objects.filter(pk=campaign.pk).update(
        voting_starts=timezone.now() + dt.timedelta(hours=2)
    )
    body = text(client.post(url("vote", campaign), {"step": "confirm", "choice": ["c1"]}))
    assert "Voting has not started yet." in body

    Campaign.objects.filter(pk=campaign.pk).update(
        voting_starts=timezone.now() - dt.timedelta(days=2),
        voting_ends=timezone.now() - dt.timedelta(minutes=1),
    )
    body = text(client.post(url("vote", campaign), {"step": "confirm", "choice": ["c1"]}))
    assert "Voting has ended." in body
    assert stored() == (0, 0, 0)

    services.close_voting(election.scope, Campaign.objects.get(pk=campaign.pk))
    body = text(client.get(url("vote", campaign)))
    assert "Voting is not open." in body


def test_voting_needs_a_login(client, election):
    campaign = open_(election)
    for name in ("vote", "receipt"):
        response = client.get(url(name, campaign))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")


# The board ---------------------------------------------------------------------------------
def test_board_finds_the_tracker_pending_then_sealed(client, election):
    campaign = open_(election)
    tracker = services.cast_online(voter_user(election.voters[4]), campaign, ["c2"])
    board_url = url("board", campaign)

    body = text(client.get(board_url, {"tracker": tracker[:8]}))  # anonymous, a prefix
    assert "Received, waiting for the next checkpoint." in body
    assert "No ballot with this tracker" not in body

    services.seal(campaign)
    grouped = " ".join(tracker[i : i + 4] for i in range(0, 64, 4)).upper()  # as read aloud
    response = client.get(board_url, {"tracker": grouped})
    body = text(response)
    assert "Found: sealed in checkpoint 1" in body
    # while voting is open the board shows that the ballot is recorded, not what it holds
    assert election.candidates[1].name not in body
    assert response.context["found"]["sealed"][0]["tracker"] == tracker
    assert "choices" not in response.context["found"]["sealed"][0]

    body = text(client.get(board_url, {"tracker": "0" * 64 if tracker[0] != "0" else "f" * 64}))
    assert "No ballot with this tracker is on the board." in body
    body = text(client.get(board_url, {"tracker": "abc"}))
    assert "Type at least the first 8 characters" in body
    body = text(client.get(board_url, {"tracker": "xyz12345678"}))
    assert "made of the digits 0-9 and the letters a-f" in body


def test_board_lists_checkpoints_and_ballots_paginated(client, election):
    campaign = open_(election)
    trackers = [services.cast_online(voter_user(v), campaign, ["c1"]) for v in election.voters[2:6]]
    services.seal(campaign)
    trackers.append(services.cast_online(voter_user(election.voters[6]), campaign, ["c2"]))
    services.seal(campaign)
    services.cast_online(voter_user(election.voters[7]), campaign, [])  # pending
    response = client.get(url("board", campaign))
    assert response.status_code == 200
    ctx = response.context
    assert ctx["sealed_total"] == 5 and ctx["pending"] == 1
    assert [cp["seq"] for cp in ctx["checkpoints"]] == [2, 1]
    listed = [b["tracker"] for b in ctx["ballots"]]
    first = sorted(trackers[:4])
    assert listed == [*first, trackers[4]]  # by checkpoint, then tracker
    body = text(response)
    assert campaign.public_key in body
    assert "bastau verify_board" in body and "docs/verification.md" in body
    assert url("board_json", campaign) in body

    response = client.get(url("board", campaign), {"checkpoint": 2})
    assert [b["tracker"] for b in response.context["ballots"]] == [trackers[4]]
    assert client.get(url("board", campaign), {"checkpoint": 9}).status_code == 404


def test_board_pages_50_ballots(client, election, world):
    extra = [f.member(world.poo) for _ in range(35)]
    campaign = open_(election)
    voters = [*election.voters[2:], *extra]
    for v in voters:
        services.cast_online(voter_user(v), campaign, ["c1"])
    services.seal(campaign)
    response = client.get(url("board", campaign))
    page = response.context["page"]
    assert len(response.context["ballots"]) == 50
    assert page.paginator.count == 53 and page.paginator.num_pages == 2
    second = client.get(url("board", campaign), {"page": 2}).context["ballots"]
    listed = [b["tracker"] for b in response.context["ballots"]] + [b["tracker"] for b in second]
    assert listed == sorted(Ballot.objects.values_list("tracker", flat=True))


def test_board_seals_on_demand_at_most_once_a_minute(client, election, settings):
    from bastau.primaries.views import public as views_public

    campaign = open_(election)
    for v in election.voters[2:7]:
        services.cast_online(voter_user(v), campaign, ["c1"])
    old = views_public.SEAL_MIN_BATCH
    views_public.SEAL_MIN_BATCH = 3
    try:
        response = client.get(url("board", campaign))
        assert response.context["pending"] == 0 and response.context["sealed_total"] == 5
        for v in election.voters[7:12]:
            services.cast_online(voter_user(v), campaign, ["c2"])
        response = client.get(url("board", campaign))  # within the minute: no second seal
        assert response.context["pending"] == 5
    finally:
        views_public.SEAL_MIN_BATCH = old


def test_board_before_voting(client, election):
    body = text(client.get(url("board", election.campaign)))
    assert "The bulletin board opens when voting opens." in body
    assert client.get(url("board_json", election.campaign)).status_code == 404


def _json(response):
    assert isinstance(response, StreamingHttpResponse)
    return json.loads(b"".join(response.streaming_content))


def test_board_json_streams_the_exported_record_and_verifies(client, election):
    campaign = open_(election)
    for i, choices in enumerate([["c1", "c2"], ["c3"], [], ["c6", "c1", "c4"]]):
        services.cast_online(voter_user(election.voters[4 + i]), campaign, choices)
    services.seal(campaign)
    services.cast_online(voter_user(election.voters[9]), campaign, ["c5"])  # stays pending

    live = _json(client.get(url("board_json", campaign)))
    expected = json.loads(json.dumps(services.export_record(campaign)))
    assert live == expected
    assert list(live) == list(expected)  # the same keys in the same order
    assert len(live["ballots"]) == 4  # sealed ballots only
    report = board.verify_board(live, expected_public_key=campaign.public_key, unfinished=True)
    assert report.ok, report.problems

    services.close_voting(election.scope, campaign)
    campaign.refresh_from_db()
    response = client.get(url("board_json", campaign))
    assert response["Content-Type"].startswith("application/json")
    final = _json(response)
    expected = json.loads(json.dumps(services.export_record(campaign)))
    assert final == expected and list(final) == list(expected)
    assert list(final["ballots"][0]) == ["tracker", "list", "nonce", "choices", "checkpoint"]
    assert final["tally"]["ballots"] == 5
    report = board.verify_board(final, expected_public_key=campaign.public_key)
    assert report.ok, report.problems


def test_board_json_of_an_empty_board(client, election):
    campaign = open_(election)
    record = _json(client.get(url("board_json", campaign)))
    assert record["ballots"] == [] and record["checkpoints"] == []
    assert record == json.loads(json.dumps(services.export_record(campaign)))


# Results -----------------------------------------------------------------------------------


def test_results_show_counts_rankings_statistics_and_explained_list(client, election):
    campaign = _counted(election)
    response = client.get(url("results", campaign))  # anonymous: results are public
    assert response.status_code == 200
    body = text(response)
    c = {cand.board_id: cand for cand in election.candidates}
    turnout = response.context["turnout"]
    roll = campaign.roll.count()
    assert (turnout.roll, turnout.ballots, turnout.online, turnout.paper, turnout.blank) == (
        roll,
        7,
        5,
        2,
        1,
    )
    overall = response.context["contests"][0].overall
    assert [(r.candidate.board_id, r.votes) for r in overall] == [
        ("c2", 6),
        ("c6", 4),
        ("c4", 3),
        ("c5", 2),
        ("c3", 1),
        ("c1", 0),
    ]
    assert [r["row"].candidate.board_id for r in response.context["contests"][0].women] == [
        "c5",
        "c3",
        "c1",
    ]
    assert [r["row"].candidate.board_id for r in response.context["contests"][0].youth] == [
        "c4",
        "c1",
    ]
    stats = response.context["stats"]
    assert (stats.registered, stats.women, stats.youth, stats.by_poo, stats.self_nominated) == (
        6,
        3,
        2,
        3,
        3,
    )
    assert str(stats.women_percent) == "50.0"

    # The list: c2, c6, then c5 before c4 (women quota), then c1 before c4 and c3.
    rows = response.context["contests"][0].rows
    assert [r["id"] for r in rows] == ["c2", "c6", "c5", "c1"]
    expected = (
        f"Position 3: {c['c5'].name} is placed before {c['c4'].name}, who had more votes, "
        "to meet the quota for women."
    )
    assert expected in body
    assert f"Position 4: {c['c1'].name} is placed before" in rows[3]["explanation"]
    # the builder's English sentence is never shown as such
    for row in rows:
        if row["reason"]:
            assert row["reason"]["text"] not in body
    assert "youth (under 35)" in body


def test_results_explanations_follow_the_language(client, election):
    campaign = _counted(election)
    client.cookies["bastau_language"] = "kk"
    response = client.get(url("results", campaign))
    assert response.status_code == 200
    body = text(response)
    explained = [r for r in response.context["contests"][0].rows if r["reason"]]
    assert explained
    for row in explained:
        assert row["reason"]["text"] not in body
        assert row["explanation"] in body
        assert "is placed before" not in row["explanation"]  # the Kazakh sentence
    third = next(r for r in explained if r["position"] == 3)["explanation"]
    assert third.startswith("3-орын")  # Kazakh, with both names and the Kazakh group label
    assert election.candidates[4].name in third and election.candidates[3].name in third
    assert "әйел" in third
    assert "Ranking by votes" not in body and "Дауыс бойынша рейтинг" in body


def test_infeasible_list_is_explained(client, election):
    from bastau.primaries.models import ListResult

    campaign = _counted(election)
    contest = campaign.contests.get()
    ListResult.objects.filter(contest=contest).update(
        data={
            "infeasible": {
                "code": "quota_infeasible",
                "length": 10,
                "joint": False,
                "shortages": [
                    {
                        "group": "women",
                        "label": "women",
                        "needed": 3,
                        "available": 2,
                        "within_top": None,
                    }
                ],
                "message": "english",
            },
            "message": "english",
        }
    )
    body = text(client.get(url("results", campaign)))
    assert "No list meets the quotas." in body
    assert (
        "No list of 10 places can meet the quota for women: it needs at least 3, and only 2 "
        "candidates qualify." in body
    )


def test_results_before_publication(client, world, election):
    campaign = _counted(election, publish=False)  # counting
    body = text(client.get(url("results", campaign)))
    assert "The results are not published yet" in body
    assert "Turnout" not in body
    client.force_login(voter_user(election.voters[9]))
    assert "The results are not published yet" in text(client.get(url("results", campaign)))
    # the commission and the organisers see them during counting
    for user in (election.chair, world.secretary, world.admin):
        client.force_login(user)
        body = text(client.get(url("results", campaign)))
        assert "Not published yet." in body and "Turnout" in body


def test_results_link_the_documents_when_they_exist(client, election):
    from django.urls import NoReverseMatch

    campaign = _counted(election)
    body = text(client.get(url("results", campaign)))
    try:
        protocol = reverse("primaries:protocol", args=[campaign.slug, "kk", "pdf"])
    except NoReverseMatch:
        protocol = None
    if protocol:
        assert protocol in body


# Query counts ------------------------------------------------------------------------------
def _many_candidates(world, election, n=30):
    campaign = election.campaign
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.NOMINATION)
    campaign.refresh_from_db()
    for i in range(n):
        person = f.member(world.poo2, sex="F" if i % 2 else "M")
        c = services.nominate(
            election.scope,
            campaign,
            person,
            nomination=Candidate.Nomination.POO,
            nominating_poo=world.poo2,
            poo_decision_date=dt.date(2026, 5, 1),
            poo_protocol_number=f"x{i}",
        )
        Candidate.objects.filter(pk=c.pk).update(status=Candidate.Status.REGISTERED)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.REGISTRATION)
    campaign.refresh_from_db()


def test_query_counts_do_not_grow(client, world, election, django_assert_max_num_queries):
    _many_candidates(world, election)
    Campaign.objects.filter(pk=election.campaign.pk).update(choose_up_to=5)
    election.campaign.refresh_from_db()
    campaign = open_(election)
    voters = list(election.voters[2:])
    user = voter_user(voters[0])
    client.force_login(user)
    # session and user: 2 queries of every signed-in page
    with django_assert_max_num_queries(6):
        assert client.get(reverse("primaries:campaigns")).status_code == 200
    with django_assert_max_num_queries(8):
        response = client.get(url("campaign", campaign))
    assert len(response.context["lists"][0]["candidates"]) == 36
    # the board's key is published on the campaign's page, for observers to pin
    assert campaign.public_key and campaign.public_key in response.content.decode()
    with django_assert_max_num_queries(6):
        response = client.get(url("vote", campaign))
    assert len(response.context["candidates"]) == 36
    with django_assert_max_num_queries(6):
        client.post(url("vote", campaign), {"step": "review", "choice": ["c1", "c30"]})

    for v in voters[1:]:
        services.cast_online(voter_user(v), campaign, ["c1", "c7", "c33"])
    services.seal(campaign)
    client.logout()
    with django_assert_max_num_queries(9):
        response = client.get(url("board", campaign), {"tracker": "abcdef01"})
    assert len(response.context["ballots"]) == 17
    # campaign, candidates, lists (contests: bastau-board/2), checkpoints, ballots
    with django_assert_max_num_queries(5):
        record = _json(client.get(url("board_json", campaign)))
    assert len(record["ballots"]) == 17

    services.close_voting(election.scope, campaign)
    campaign.refresh_from_db()
    services.publish_results(election.scope, campaign)
    with django_assert_max_num_queries(6):
        response = client.get(url("results", campaign))
    assert len(response.context["contests"][0].overall) == 36
    with django_assert_max_num_queries(2):
        client.get(url("candidate", campaign, 3))


def test_results_figures_are_cached_once_published(election, django_assert_num_queries):
    from bastau.primaries import results

    campaign = _counted(election)
    results.turnout(campaign)
    with django_assert_num_queries(0):
        results.turnout(campaign)


def test_a_leader_without_member_record_sees_campaign_without_member_panel(client, world):
    user = f.user(Role.POO_LEADER, poo=world.poo)
    client.force_login(user)
    assert client.get(reverse("primaries:campaigns")).status_code == 200
