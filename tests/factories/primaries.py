"""Builders the primaries tests share: a campaign in registration with candidates, voters and
a commission (`build_election`, and the `election` fixture over it), the voters' accounts, and
a campaign voted, counted and published (`counted`)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.primaries import services
from bastau.primaries.models import Campaign, Candidate, CommissionMember

from . import member, user


def build_election(world):
    """A personnel-reserve campaign in the world's district, in registration, with 6
    registered candidates (3 women, 2 young), 20 more voters, and a 2-member commission."""
    scope = Scope(world.secretary)
    campaign = services.create_campaign(
        scope,
        data={
            "encrypted": False,
            "slug": "test-reserve",
            "title": "Test reserve",
            "kind": Campaign.Kind.PERSONNEL_RESERVE,
            "branch": world.district,
            "choose_up_to": 3,
            "list_length": 4,
            "quota_rules": Campaign.Rules.PARTY_2019,
            "reference_date": dt.date(2026, 6, 1),
        },
    )
    voters = [member(world.poo if i % 2 else world.poo2) for i in range(20)]
    people = [
        member(world.poo, sex="F", birth_date=dt.date(1995, 1, 1)),
        member(world.poo, sex="M", birth_date=dt.date(1970, 1, 1)),
        member(world.poo2, sex="F", birth_date=dt.date(1980, 1, 1)),
        member(world.poo2, sex="M", birth_date=dt.date(1999, 1, 1)),
        member(world.poo, sex="F", birth_date=dt.date(1965, 1, 1)),
        member(world.poo, sex="M", birth_date=dt.date(1960, 1, 1)),
    ]
    services.advance(scope, campaign)  # -> nomination
    candidates = []
    for i, person in enumerate(people):
        if i % 2:
            c = services.nominate(scope, campaign, person, nomination=Candidate.Nomination.SELF)
        else:
            c = services.nominate(
                scope,
                campaign,
                person,
                nomination=Candidate.Nomination.POO,
                nominating_poo=person.poo,
                poo_decision_date=dt.date(2026, 5, 1),
                poo_protocol_number=str(i),
            )
        candidates.append(c)
    services.advance(scope, campaign)  # -> registration
    for c in candidates:
        services.set_candidate_status(scope, c, status=Candidate.Status.REGISTERED)
    chair = user(Role.MEMBER, member=voters[0])
    clerk = user(Role.MEMBER, member=voters[1])
    CommissionMember.objects.create(campaign=campaign, user=chair, role="chair")
    CommissionMember.objects.create(campaign=campaign, user=clerk, role="secretary")
    campaign.refresh_from_db()
    return SimpleNamespace(
        campaign=campaign,
        scope=scope,
        voters=voters,
        people=people,
        candidates=candidates,
        chair=chair,
        clerk=clerk,
    )


@pytest.fixture
def election(world):
    """The campaign of `build_election`, as a fixture."""
    return build_election(world)


def voter_user(person):
    return user(Role.MEMBER, member=person)


def open_(election):
    services.advance(election.scope, election.campaign)
    election.campaign.refresh_from_db()
    return election.campaign


def url(name, campaign, *args):
    return reverse(f"primaries:{name}", args=[campaign.slug, *args])


def text(response) -> str:
    return response.content.decode()


VOTES = {  # c2 5, c6 4, c4 3, c5 2, c3 1, c1 0 online; paper adds c2 and a blank ballot
    4: ["c2", "c4", "c6"],
    5: ["c2", "c4", "c6"],
    6: ["c2", "c4", "c6"],
    7: ["c2", "c5", "c6"],
    8: ["c2", "c3", "c5"],
}


def counted(election, client=None, publish=True):
    campaign = open_(election)
    for i, choices in VOTES.items():
        services.cast_online(voter_user(election.voters[i]), campaign, choices)
    poo = election.voters[3].poo
    paper_voters = [v.pk for v in election.voters[10:] if v.poo_id == poo.pk][:2]
    ballots = [["c2"], []]
    batch = services.submit_paper_entry(
        Scope(election.chair), campaign, poo=poo, voter_ids=paper_voters, ballots=ballots
    )
    services.submit_paper_entry(
        Scope(election.clerk),
        campaign,
        poo=poo,
        voter_ids=paper_voters,
        ballots=ballots,
        batch=batch,
    )
    services.close_voting(election.scope, campaign)
    campaign.refresh_from_db()
    if publish:
        services.publish_results(election.scope, campaign)
        campaign.refresh_from_db()
    return campaign
