"""The kept campaign figures (primaries.tally): the sealer counts each batch's ballots to their
lists, the turnout is kept once voting has closed; both equal a recount whatever the sequence of
casts and seals (hypothesis), and `bastau rebuild_aggregates` recounts them."""

import io

from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bastau.primaries import results, services
from bastau.primaries.models import (
    Ballot,
    ListBallotCount,
    Participation,
    TurnoutCount,
    VoterRollEntry,
)

from ..factories.primaries import counted, open_, voter_user


def kept_lists(campaign) -> dict:
    return dict(
        ListBallotCount.objects.filter(campaign=campaign, ballots__gt=0).values_list(
            "contest_id", "ballots"
        )
    )


def recounted_lists(campaign) -> dict:
    return dict(
        Ballot.objects.filter(campaign=campaign)
        .values_list("contest_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


def test_counted_campaign_keeps_ballots_per_list_and_turnout(election):
    campaign = counted(election, publish=False)
    assert kept_lists(campaign) == recounted_lists(campaign)
    assert sum(kept_lists(campaign).values()) == campaign.tally["ballots"] == 7
    t = results.turnout(campaign)
    assert TurnoutCount.objects.filter(campaign=campaign).exists()
    assert t.roll == VoterRollEntry.objects.filter(campaign=campaign).count()
    assert (t.online, t.paper) == (5, 2)
    assert t.online + t.paper == Participation.objects.filter(campaign=campaign).count()
    # read again: the same figures, from the kept row
    assert results.turnout(campaign) == t


def test_rebuild_recounts_the_lists_and_forgets_kept_turnouts(election):
    campaign = counted(election, publish=False)
    results.turnout(campaign)
    expected = kept_lists(campaign)
    ListBallotCount.objects.all().update(ballots=99)
    out = io.StringIO()
    call_command("rebuild_aggregates", "--only", "primaries", stdout=out)
    assert kept_lists(campaign) == expected
    assert not TurnoutCount.objects.exists()
    assert "primaries: 7 records counted" in out.getvalue()
    call_command("rebuild_aggregates", "--only", "primaries", stdout=out)
    assert kept_lists(campaign) == expected


@settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.integers(2, 13), st.integers(0, 5), st.booleans()), min_size=1, max_size=8
    )
)
def test_random_casts_and_seals_keep_the_lists_equal_to_a_recount(election, steps):
    ids = [c.board_id for c in election.candidates]
    election.campaign.refresh_from_db()  # each example starts from the stored campaign
    with transaction.atomic():
        campaign = open_(election)
        voted = set()
        for voter, choice, seal in steps:
            if voter not in voted:
                voted.add(voter)
                services.cast_online(voter_user(election.voters[voter]), campaign, [ids[choice]])
            if seal:
                services.seal(campaign)
            assert kept_lists(campaign) == recounted_lists(campaign)
        services.close_voting(election.scope, campaign)
        campaign.refresh_from_db()
        assert kept_lists(campaign) == recounted_lists(campaign)
        assert sum(kept_lists(campaign).values()) == len(voted)
        assert results.turnout(campaign).online == len(voted)
        transaction.set_rollback(True)
