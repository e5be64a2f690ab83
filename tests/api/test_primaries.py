"""Campaigns, candidates and results through the API: public, the same campaigns and
candidates the public pages show; turnout and the signed tally only once published."""

from django.test import Client

from bastau.primaries.models import Candidate

from ..factories import primaries as fp
from .conftest import Api, make_token


def test_anyone_sees_the_campaign_and_its_registered_candidates(world):
    e = fp.build_election(world)
    Candidate.objects.filter(pk=e.candidates[0].pk).update(status=Candidate.Status.WITHDRAWN)
    slug = e.campaign.slug
    campaigns = Api().get("/primaries/campaigns").json()["items"]
    assert [c["slug"] for c in campaigns] == [slug]
    names = {
        c["name"] for c in Api().get(f"/primaries/campaigns/{slug}/candidates").json()["items"]
    }
    assert names == {c.name for c in e.candidates[1:]}
    results = Api().get(f"/primaries/campaigns/{slug}/results").json()
    assert results["published"] is False and results["tally"] is None
    assert results["board_url"] is None  # voting has not opened


def test_results_once_published(world):
    e = fp.build_election(world)
    fp.counted(e)
    body = Api().get(f"/primaries/campaigns/{e.campaign.slug}/results").json()
    assert body["published"] is True
    assert body["ballots"] == 7 and body["voted"] == 7 and body["roll"] > 0
    assert body["tally"] == e.campaign.tally
    assert body["board_url"].endswith(f"/primaries/{e.campaign.slug}/board.json")
    assert Client().get(body["board_url"]).status_code == 200


def test_a_draft_is_hidden_from_the_public_but_not_from_its_branch(world):
    from bastau.accounts.scoping import Scope
    from bastau.primaries import services
    from bastau.primaries.models import Campaign

    services.create_campaign(
        Scope(world.secretary),
        data={
            "slug": "draft-one",
            "title": "Draft",
            "kind": Campaign.Kind.PERSONNEL_RESERVE,
            "branch": world.district,
            "choose_up_to": 1,
            "list_length": 1,
            "quota_rules": Campaign.Rules.PARTY_2019,
        },
    )
    assert Api().get("/primaries/campaigns/draft-one/results").status_code == 404
    assert (
        Api(make_token(world.other_secretary))
        .get("/primaries/campaigns/draft-one/results")
        .status_code
        == 404
    )
    secretary = Api(make_token(world.secretary))
    assert secretary.get("/primaries/campaigns/draft-one/results").status_code == 200
