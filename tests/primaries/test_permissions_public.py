"""The permission matrix of the members' and the public's primaries pages.

A campaign a user may not see is a 404 (it does not exist for them); an action the user may not
take is a 403 (voting without a member record, not on the roll); pages that need a member go
to the login page with next=. The board, its record, candidates and results need no login.
"""

import pytest
from django.urls import get_resolver, resolve, reverse

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.primaries import services
from bastau.primaries.models import Campaign
from tests import factories as f

ROLES = [
    "anonymous",
    "member_user",
    "leader",
    "secretary",
    "other_secretary",
    "admin",
    "commission",
]
LOGIN = "login"
ALL_200 = dict.fromkeys(ROLES, 200)


def _user(world, election, role):
    if role == "anonymous":
        return None
    if role == "commission":
        return election.chair
    return getattr(world, role)


def _login(client, world, election, role):
    user = _user(world, election, role)
    if user is not None:
        client.force_login(user)


def _draft(world):
    return services.create_campaign(
        Scope(world.secretary),
        data={
            "encrypted": False,
            "slug": "draft-one",
            "title": "Draft one",
            "kind": Campaign.Kind.CONFERENCE_RATING,
            "branch": world.district,
        },
    )


def _voting(election):
    services.advance(election.scope, election.campaign)
    election.campaign.refresh_from_db()
    return election.campaign


def _matrix(world, election, draft):
    """(label, url, {role: expected}) for GET requests while voting is open."""
    slug = election.campaign.slug

    def u(name, *args):
        return reverse(f"primaries:{name}", args=[slug, *args])

    no_member = {"leader": 403, "secretary": 403, "other_secretary": 403, "admin": 403}
    return [
        ("campaigns", reverse("primaries:campaigns"), ALL_200),
        ("campaign", u("campaign"), ALL_200),
        (
            "draft campaign",
            reverse("primaries:campaign", args=[draft.slug]),
            {
                "anonymous": 404,
                "member_user": 404,
                "leader": 404,
                "secretary": 200,  # their branch's draft
                "other_secretary": 404,
                "admin": 200,
                "commission": 404,
            },
        ),
        ("candidate", u("candidate", 1), ALL_200),
        ("unknown candidate", u("candidate", 99), dict.fromkeys(ROLES, 404)),
        (
            "vote",
            u("vote"),
            {"anonymous": LOGIN, "member_user": 200, "commission": 200, **no_member},
        ),
        ("receipt", u("receipt"), {**dict.fromkeys(ROLES, 200), "anonymous": LOGIN}),
        (
            "nominate (nominations closed)",
            u("nominate_self"),
            {"anonymous": LOGIN, "member_user": 302, "commission": 302, **no_member},
        ),
        (
            "withdraw (not a candidate)",
            u("withdraw"),
            {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN},
        ),
        ("board", u("board"), ALL_200),
        ("board.json", u("board_json"), ALL_200),
        ("results (voting)", u("results"), ALL_200),
        ("unknown campaign", reverse("primaries:board", args=["nope"]), dict.fromkeys(ROLES, 404)),
        (
            "draft board",
            reverse("primaries:board", args=[draft.slug]),
            {
                "anonymous": 404,
                "member_user": 404,
                "leader": 404,
                "secretary": 200,
                "other_secretary": 404,
                "admin": 200,
                "commission": 404,
            },
        ),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_matrix_says(client, world, election, role):
    draft = _draft(world)
    _voting(election)
    _login(client, world, election, role)
    failures = []
    for label, url, expected_by_role in _matrix(world, election, draft):
        expected = expected_by_role[role]
        response = client.get(url)
        if expected == LOGIN:
            ok = response.status_code == 302 and response["Location"].startswith(
                reverse("accounts:login") + "?next="
            )
        else:
            ok = response.status_code == expected
        if not ok:
            failures.append(f"{label} {url}: expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)


def test_matrix_covers_every_public_url(world, election):
    draft = _draft(world)
    covered = set()
    for _label, url, _expected in _matrix(world, election, draft):
        match = resolve(url)
        covered.add(match.url_name)
    from bastau.primaries import urls

    names = {
        p.name for p in urls.urlpatterns if p.callback.__module__ == "bastau.primaries.views.public"
    }
    assert names - covered == set()
    # and they are mounted in the "primaries" namespace
    sub = get_resolver().namespace_dict["primaries"][1]
    assert names <= {n for n in sub.reverse_dict if isinstance(n, str)}


@pytest.mark.parametrize("role", ["leader", "secretary", "other_secretary", "admin"])
def test_accounts_without_a_member_record_cannot_vote_or_stand(client, world, election, role):
    campaign = _voting(election)
    client.force_login(getattr(world, role))
    response = client.post(
        reverse("primaries:vote", args=[campaign.slug]), {"step": "confirm", "choice": ["c1"]}
    )
    assert response.status_code == 403
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.NOMINATION)
    response = client.post(
        reverse("primaries:nominate_self", args=[campaign.slug]),
        {"biography": "b", "program": "p", "confirm": "on"},
    )
    assert response.status_code == 403
    assert not campaign.candidates.filter(biography="b").exists()


def test_a_member_withdraws_only_their_own_candidacy(client, world, election):
    from bastau.primaries.models import Candidate

    campaign = election.campaign  # registration
    client.force_login(world.member_user)  # not a candidate
    response = client.post(reverse("primaries:withdraw", args=[campaign.slug]), {"confirm": "on"})
    assert response.status_code == 404
    assert not Candidate.objects.filter(status=Candidate.Status.WITHDRAWN).exists()


@pytest.mark.parametrize(
    "role, preview",
    [
        ("anonymous", False),
        ("member_user", False),
        ("leader", False),
        ("secretary", True),  # organiser of the campaign's branch
        ("other_secretary", False),
        ("admin", True),
        ("commission", True),
    ],
)
def test_results_during_counting_only_for_commission_and_organisers(
    client, world, election, role, preview
):
    campaign = _voting(election)
    services.close_voting(election.scope, campaign)
    _login(client, world, election, role)
    response = client.get(reverse("primaries:results", args=[campaign.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert ("Turnout" in body) is preview
    assert ("The results are not published yet" in body) is not preview


@pytest.mark.parametrize("role", ROLES)
def test_published_results_are_public(client, world, election, role):
    campaign = _voting(election)
    services.close_voting(election.scope, campaign)
    services.publish_results(election.scope, Campaign.objects.get(pk=campaign.pk))
    _login(client, world, election, role)
    response = client.get(reverse("primaries:results", args=[campaign.slug]))
    assert response.status_code == 200
    assert "Turnout" in response.content.decode()


@pytest.mark.parametrize("name", ["board_json", "results", "receipt", "candidate"])
def test_read_only_pages_reject_post(client, world, election, name):
    campaign = _voting(election)
    client.force_login(world.member_user)
    args = [campaign.slug, 1] if name == "candidate" else [campaign.slug]
    assert client.post(reverse(f"primaries:{name}", args=args)).status_code == 405


def test_board_search_by_post_finds_the_tracker(client, world, election):
    from bastau.primaries import services as primaries_services

    from ..factories.primaries import voter_user

    campaign = _voting(election)
    tracker = primaries_services.cast_online(voter_user(election.voters[6]), campaign, ["c1"])
    response = client.post(
        reverse("primaries:board", args=[campaign.slug]), {"tracker": tracker[:12]}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Received, waiting for the next checkpoint." in body
    assert tracker[:4] in body


@pytest.mark.parametrize("role", [*ROLES, "outsider"])
def test_the_vote_link_is_shown_only_where_the_ballot_opens(client, world, election, role):
    """Reception officers, faction secretaries and other accounts without a member record, and
    members not on the roll, were shown «Дауыс беру» and got a 403."""
    campaign = _voting(election)
    if role == "outsider":  # a member of another district: not on this campaign's roll
        client.force_login(f.user(Role.MEMBER, member=world.other_member))
    else:
        _login(client, world, election, role)
    vote_url = reverse("primaries:vote", args=[campaign.slug])
    status = client.get(vote_url).status_code
    opens = status in (200, 302)  # 302: to the login page, then back to the ballot
    assert opens == (role in {"anonymous", "member_user", "commission"}), status
    pages = [
        reverse("primaries:campaign", args=[campaign.slug]),
        reverse("primaries:board", args=[campaign.slug]),
        reverse("primaries:receipt", args=[campaign.slug]),
    ]
    seen = 0
    for page in pages:
        response = client.get(page)
        if response.status_code != 200:
            continue
        seen += 1
        shown = f'href="{vote_url}"' in response.content.decode()
        assert shown == opens, f"{page}: the Vote link shown={shown}, the ballot opens={opens}"
    assert seen >= 2
