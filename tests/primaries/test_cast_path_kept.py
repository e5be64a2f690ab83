"""What the vote path keeps per process (the campaign in voting, its lists, their registered
candidates: views.public; the encrypted campaign and its election: views.e2e_api) is kept a few
seconds, and no ballot's acceptance rests on it: the cast statement itself refuses a choice
that is not a registered candidate of the list, and a campaign no longer open, whatever the
kept copy says. A stale copy can only show a form a few seconds out of date."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from bastau.accounts import sessionproof
from bastau.primaries import services
from bastau.primaries.e2e.hashing import b64e
from bastau.primaries.models import (
    Campaign,
    Candidate,
    EncryptedBallot,
    Participation,
    PendingBallot,
)
from bastau.primaries.views import e2e_api, public

from ..factories.primaries import build_election, open_, text, url, voter_user

S = Campaign.Status
NOT_ON_LIST = "The ballot names a candidate who is not on this list."


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


class Clock:
    """A monotonic clock the test moves on (no waiting, no wall clock)."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(public, "_clock", c)
    monkeypatch.setattr(e2e_api, "_clock", c)
    return c


def stored():
    return (Participation.objects.count(), PendingBallot.objects.count())


def confirm(client, campaign, choices, code="main", **extra):
    return client.post(
        url("vote", campaign), {"step": "confirm", "choice": choices, "list": code}, **extra
    )


def withdraw_behind_the_back(campaign, number):
    """What no Bastau action does once voting is open (set_candidate_status refuses): the
    candidate's row changed outside them (an admin's delete, a shell, SQL)."""
    Candidate.objects.filter(campaign=campaign, number=number).update(
        status=Candidate.Status.WITHDRAWN
    )


def account_of(user):
    return sessionproof.Account(user.pk, sessionproof.password_digest(user.password))


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", NOT_ON_LIST),
        ("ru", "В бюллетене указан кандидат, которого нет в этом списке."),
        ("kk", "Бюллетеньде осы тізімде жоқ кандидат көрсетілген."),
    ],
)
def test_a_candidate_gone_from_a_kept_list_is_refused_with_the_reason(
    client, election, clock, lang, words
):
    campaign = open_(election)
    client.force_login(voter_user(election.voters[4]))
    assert confirm(client, campaign, ["c1"]).status_code == 302  # the list is kept now
    contest = campaign.contests.get()
    assert "c2" in {c.board_id for c in public.ballot_candidates(campaign, contest)}
    withdraw_behind_the_back(campaign, 2)
    # still within the kept time: the kept list offers c2, the statement refuses it
    assert "c2" in {c.board_id for c in public.ballot_candidates(campaign, contest)}
    client.force_login(voter_user(election.voters[5]))
    response = confirm(client, campaign, ["c2", "c3"], HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    body = text(response)
    assert words in body
    assert stored() == (1, 1)
    # the form is drawn again from the database: c2 is no longer offered
    assert 'value="c2"' not in body and 'value="c3"' in body
    # and a good ballot of the same member still casts
    assert confirm(client, campaign, ["c3"]).status_code == 302
    assert stored() == (2, 2)
    assert PendingBallot.objects.filter(choices=["c2", "c3"]).count() == 0


@pytest.mark.parametrize(
    "choices",
    [
        ["c2"],  # withdrawn after the form was kept
        ["c1", "c2"],
        ["c99"],  # no such candidate
        ["c01"],  # not a board id
        ["x1"],
        ["c1", "c1"],  # twice
        ["c1", "c3", "c4", "c5"],  # more than choose_up_to (3)
    ],
)
def test_the_cast_itself_refuses_what_the_kept_list_would_let_through(election, choices):
    """services.cast_as is the thin path's cast: it trusts its caller's check of the choices
    (made against the kept list); the statement (PostgreSQL) or its transaction (SQLite)
    checks them again against the database."""
    campaign = open_(election)
    contest = campaign.contests.get()
    user = voter_user(election.voters[6])
    withdraw_behind_the_back(campaign, 2)
    assert services.cast_as(account_of(user), campaign, contest, choices) is None
    assert stored() == (0, 0)
    assert services.cast_as(account_of(user), campaign, contest, ["c1", "c3"]) is not None
    assert PendingBallot.objects.get().choices == ["c1", "c3"]


def test_the_view_cast_says_why_a_stale_choice_is_refused(election):
    campaign = open_(election)
    contest = campaign.contests.get()
    user = voter_user(election.voters[7])
    stale = [f"c{n}" for n in range(1, 7)]  # the list as kept before c2 was withdrawn
    withdraw_behind_the_back(campaign, 2)
    with pytest.raises(ValidationError) as refused:
        services.cast_online(user, campaign, ["c2"], contest=contest, allowed=stale)
    assert refused.value.messages == [NOT_ON_LIST]
    assert stored() == (0, 0)
    services.cast_online(user, campaign, ["c4"], contest=contest, allowed=stale)
    assert stored() == (1, 1)


@pytest.mark.parametrize("closed", [S.COUNTING, S.RESULTS])
def test_a_closed_campaign_is_refused_though_its_description_is_kept(
    client, election, clock, closed
):
    campaign = open_(election)
    client.force_login(voter_user(election.voters[4]))
    assert confirm(client, campaign, ["c1"]).status_code == 302
    assert public._voting_campaign(campaign.slug) is not None  # kept, as voting
    Campaign.objects.filter(pk=campaign.pk).update(status=closed)
    assert public._voting_campaign(campaign.slug).status == S.VOTING  # still kept
    user = voter_user(election.voters[5])
    client.force_login(user)
    response = confirm(client, campaign, ["c2"])
    assert response.status_code == 200
    assert "Voting is not open" in text(response)
    assert stored() == (1, 1)
    # the thin path's cast with the kept campaign object (status "voting" in memory)
    kept = public._voting_campaign(campaign.slug)
    contest = public._campaign_contests(kept)["main"]
    assert services.cast_as(account_of(user), kept, contest, ["c2"]) is None
    assert stored() == (1, 1)


def test_the_kept_description_expires(election, clock):
    campaign = open_(election)
    contest = campaign.contests.get()
    kept = public._voting_campaign(campaign.slug)
    assert kept.pk == campaign.pk
    assert set(public._campaign_contests(kept)) == {"main"}
    assert "c2" in {c.board_id for c in public.ballot_candidates(kept, contest)}

    withdraw_behind_the_back(campaign, 2)
    Campaign.objects.filter(pk=campaign.pk).update(title="Renamed")
    clock.now += public.VOTING_CAMPAIGN_TTL - 0.5
    assert public._voting_campaign(campaign.slug) is kept
    assert public._voting_campaign(campaign.slug).title == "Test reserve"
    assert "c2" in {c.board_id for c in public.ballot_candidates(kept, contest)}

    clock.now += 1.0  # past the kept time: everything is read again
    fresh = public._voting_campaign(campaign.slug)
    assert fresh is not kept and fresh.title == "Renamed"
    assert "c2" not in {c.board_id for c in public.ballot_candidates(fresh, contest)}
    assert public.CANDIDATES_TTL <= public.VOTING_CAMPAIGN_TTL <= 10

    Campaign.objects.filter(pk=campaign.pk).update(status=S.COUNTING)
    clock.now += public.VOTING_CAMPAIGN_TTL
    assert public._voting_campaign(campaign.slug) is None


def test_set_candidate_status_reads_the_campaign_row_not_the_object(election):
    """The status check is made on the campaign's row: a candidate object loaded before
    voting opened cannot be withdrawn afterwards."""
    candidate = Candidate.objects.select_related("campaign").get(
        campaign=election.campaign, number=2
    )
    assert candidate.campaign.status == S.REGISTRATION
    open_(election)
    with pytest.raises(ValidationError):
        services.set_candidate_status(election.scope, candidate, status=Candidate.Status.WITHDRAWN)
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.REGISTERED


# Encrypted: the campaign and its election are kept a few seconds (views.e2e_api)


@pytest.fixture
def enc(world):
    from .test_encrypted import setup_encrypted

    return setup_encrypted(build_election(world))


def e2e_post(client, enc, member):
    from .test_encrypted import make_ballot

    data = make_ballot(enc, member, [1, 0, 0, 0, 0, 0])
    return client.post(
        reverse("primaries:e2e_cast", args=[enc.campaign.slug]),
        json.dumps({"question": "main", "ballot": b64e(data)}),
        content_type="application/json",
    )


def test_a_closed_encrypted_campaign_is_refused_though_its_election_is_kept(client, enc, clock):
    client.force_login(voter_user(enc.ns.voters[4]))
    assert e2e_post(client, enc, enc.ns.voters[4]).status_code == 200
    assert e2e_api._voting_election(enc.campaign.slug) is not None  # kept, as voting
    Campaign.objects.filter(pk=enc.campaign.pk).update(status=S.COUNTING)
    assert e2e_api._voting_election(enc.campaign.slug)[0].status == S.VOTING  # still kept
    client.force_login(voter_user(enc.ns.voters[5]))
    response = e2e_post(client, enc, enc.ns.voters[5])
    assert response.status_code == 409 and response.json()["code"] == "voting-closed"
    assert EncryptedBallot.objects.count() == 1
    assert Participation.objects.count() == 1


def test_the_kept_election_expires(enc, clock):
    kept = e2e_api._voting_election(enc.campaign.slug)
    assert kept is not None and kept[0].pk == enc.campaign.pk
    Campaign.objects.filter(pk=enc.campaign.pk).update(status=S.COUNTING)
    clock.now += e2e_api.KEPT_TTL - 0.5
    assert e2e_api._voting_election(enc.campaign.slug) is kept
    clock.now += 1.0
    assert e2e_api._voting_election(enc.campaign.slug) is None
