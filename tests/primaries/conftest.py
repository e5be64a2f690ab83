import datetime as dt
from types import SimpleNamespace

import pytest

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.primaries import services
from bastau.primaries.models import Campaign, Candidate, CommissionMember

from .. import factories as f


@pytest.fixture
def election(world):
    """A personnel-reserve campaign in the world's district, in registration, with 6
    registered candidates (3 women, 2 young), 20 more voters, and a 2-member commission."""
    scope = Scope(world.secretary)
    campaign = services.create_campaign(
        scope,
        data={
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
    voters = [f.member(world.poo if i % 2 else world.poo2) for i in range(20)]
    people = [
        f.member(world.poo, sex="F", birth_date=dt.date(1995, 1, 1)),
        f.member(world.poo, sex="M", birth_date=dt.date(1970, 1, 1)),
        f.member(world.poo2, sex="F", birth_date=dt.date(1980, 1, 1)),
        f.member(world.poo2, sex="M", birth_date=dt.date(1999, 1, 1)),
        f.member(world.poo, sex="F", birth_date=dt.date(1965, 1, 1)),
        f.member(world.poo, sex="M", birth_date=dt.date(1960, 1, 1)),
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
    chair = f.user(Role.MEMBER, member=voters[0])
    clerk = f.user(Role.MEMBER, member=voters[1])
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


def voter_user(member):
    return f.user(Role.MEMBER, member=member)
