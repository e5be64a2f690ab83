"""The permission matrix of the organisers' and commission's pages (primaries:manage*).

The campaign is the `election` fixture's: the world's district, in registration. A campaign
outside a user's reach is a 404; an action their role may not take is a 403; anonymous users
go to the login page. "commission" is a member of the campaign's commission who holds no
staff role.
"""

import pytest
from django.urls import get_resolver, resolve, reverse

from bastau.accounts.scoping import Scope
from bastau.primaries import services
from bastau.primaries.models import Campaign, CommissionMember

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


def _row(label, url, anonymous, member_user, leader, secretary, other, admin, commission):
    return (
        label,
        url,
        dict(
            zip(
                ROLES,
                [anonymous, member_user, leader, secretary, other, admin, commission],
                strict=True,
            )
        ),
    )


def _urls(election):
    slug = election.campaign.slug

    def u(name, *args):
        return reverse(f"primaries:{name}", args=[*args])

    organisers = (LOGIN, 403, 403, 200, 404, 200, 403)
    commission = (LOGIN, 403, 403, 200, 404, 200, 200)
    return [
        _row("campaign list", u("manage"), LOGIN, 403, 200, 200, 200, 200, 200),
        _row("new campaign", u("manage_new"), LOGIN, 403, 403, 200, 200, 200, 403),
        _row("campaign page", u("manage_campaign", slug), *commission),
        _row("edit campaign", u("manage_edit", slug), *organisers),
        # In registration the next stage (open voting) is the organisers' call.
        _row("advance", u("manage_advance", slug), *organisers),
        _row("lists", u("manage_lists", slug), *organisers),
        _row("edit list", u("manage_list_edit", slug, "main"), *organisers),
        _row("commission", u("manage_commission", slug), *organisers),
        _row("candidates", u("manage_candidates", slug), *commission),
        _row("candidate", u("manage_candidate", slug, 1), *commission),
        _row("candidate edit", u("manage_candidate_edit", slug, 1), *commission),
        # The POO leader records their organization's nominations.
        _row("nominate", u("manage_nominate", slug), LOGIN, 403, 200, 200, 404, 200, 403),
        _row("voter roll", u("manage_roll_csv", slug), *commission),
        # Paper ballots: commission members only, however senior the organiser.
        _row("paper ballots", u("manage_paper", slug), LOGIN, 403, 403, 403, 404, 403, 200),
        # The fixture's campaign is plaintext: its encryption page does not exist (the page of
        # an encrypted campaign: tests/primaries/test_encrypted.py).
        _row("encryption", u("manage_encryption", slug), LOGIN, 403, 403, 404, 404, 404, 403),
        # Its paper voters for the credential authority: the same rule as the encryption page.
        _row(
            "paper voters",
            u("manage_paper_voters_csv", slug),
            *(LOGIN, 403, 403, 404, 404, 404, 403),
        ),
    ]


def _user(world, election, role):
    if role == "commission":
        return election.chair
    return getattr(world, role)


def _check(response, expected) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and reverse("accounts:login") in response["Location"]
    return response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_every_staff_page_answers_each_role_as_the_matrix_says(client, world, election, role):
    if role != "anonymous":
        client.force_login(_user(world, election, role))
    failures = []
    for label, url, expected_by_role in _urls(election):
        expected = expected_by_role[role]
        response = client.get(url)
        if not _check(response, expected):
            failures.append(f"{label} {url}: expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)


def test_matrix_covers_every_staff_url(election):
    """A new organisers' page must be added to the matrix (or this test fails)."""
    covered = set()
    for _label, url, _expected in _urls(election):
        match = resolve(url.split("?")[0])
        covered.add(f"{match.namespace}:{match.url_name}")
    sub = get_resolver().namespace_dict["primaries"][1]
    names = {
        f"primaries:{name}"
        for name in sub.reverse_dict
        if isinstance(name, str) and name.startswith("manage")
    }
    exempt = {"primaries:manage_commission_remove"}  # POST only: test_commission_remove_*
    assert names - exempt - covered == set()
    assert "primaries:manage" in covered and len(covered) >= 14


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", LOGIN),
        ("member_user", 403),
        ("leader", 403),
        ("secretary", 302),
        ("other_secretary", 404),
        ("admin", 302),
        ("commission", 403),
    ],
)
def test_commission_remove_by_role(client, world, election, role, expected):
    row = CommissionMember.objects.get(user=election.clerk)
    if role != "anonymous":
        client.force_login(_user(world, election, role))
    url = reverse("primaries:manage_commission_remove", args=[election.campaign.slug, row.pk])
    assert client.get(url).status_code in (302, 405)  # never by GET
    assert CommissionMember.objects.filter(pk=row.pk).exists()
    response = client.post(url)
    assert _check(response, expected)
    assert CommissionMember.objects.filter(pk=row.pk).exists() == (expected != 302)


def test_draft_campaigns_stay_with_their_organisers(client, world):
    """Before nomination opens, only the organisers (and the commission) see a campaign."""
    draft = services.create_campaign(
        Scope(world.secretary),
        data={
            "encrypted": False,
            "slug": "draft",
            "title": "Draft",
            "kind": Campaign.Kind.PERSONNEL_RESERVE,
            "branch": world.district,
        },
    )
    for user, expected in [(world.leader, 404), (world.secretary, 200), (world.admin, 200)]:
        client.force_login(user)
        url = reverse("primaries:manage_nominate", args=[draft.slug])
        assert client.get(url).status_code == expected
    client.force_login(world.leader)
    listed = client.get(reverse("primaries:manage")).context["page"]
    assert draft not in list(listed)


def test_regional_campaign_reaches_district_nominators_not_its_set_up(client, world):
    campaign = services.create_campaign(
        Scope(world.admin),
        data={
            "encrypted": False,
            "slug": "regional",
            "title": "Regional list",
            "kind": Campaign.Kind.MASLIKHAT_LIST,
            "branch": world.region,
        },
    )
    services.advance(Scope(world.admin), campaign)  # -> nomination
    client.force_login(world.other_secretary)
    assert client.get(reverse("primaries:manage_nominate", args=[campaign.slug])).status_code == 200
    form = client.get(reverse("primaries:manage_nominate", args=[campaign.slug])).context["form"]
    assert set(form.fields["nominating_poo"].queryset) == {world.other_poo}
    assert client.get(reverse("primaries:manage_edit", args=[campaign.slug])).status_code == 403
    assert client.get(reverse("primaries:manage_campaign", args=[campaign.slug])).status_code == 403
