"""Building the lists of a campaign with many lists (services.build_lists, issue #7): the same
lists as building them one by one, in a number of queries that does not grow with the lists."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.primaries import quota, services
from bastau.primaries.models import Campaign, Candidate, Contest, ListResult
from bastau.structure.models import Branch

from .. import factories as f

# (sex, birth year, registered) of each list's candidates, by list; list lengths below.
PEOPLE = [
    [("F", 1995, True), ("M", 1970, True), ("F", 1980, True), ("M", 1999, True), ("M", 1960, True)],
    [("M", 1970, True), ("M", 1975, True), ("M", 1980, True), ("F", 1990, False)],  # no woman
    [("F", 1985, True), ("M", 1990, True)],  # fewer candidates than places
    [("M", 1965, True), ("F", 2000, True), ("F", 1970, True), ("M", 1998, False)],
]
LENGTHS = [4, 3, 3, None]  # None: the campaign's length (3)


def one_by_one(campaign):
    """The lists as build_lists made them before issue #7: one contest at a time."""
    rules = services.campaign_rules(campaign)
    out = {}
    for contest in campaign.contests.all():
        length = contest.effective_length
        if not length:
            continue
        candidates = services.quota_candidates(campaign, contest)
        try:
            data = quota.build_list(
                candidates,
                length,
                rules,
                services.reference_date(campaign),
                prefix=campaign.prefix_mode,
                seed=campaign.tie_break_seed or None,
            ).to_dict()
        except quota.QuotaInfeasible as exc:
            data = {
                "infeasible": exc.to_dict() if hasattr(exc, "to_dict") else str(exc),
                "message": str(exc),
            }
        except quota.ListLengthError as exc:
            data = {
                "infeasible": {"length": length, "candidates": len(candidates)},
                "message": str(exc),
            }
        out[contest.pk] = data
    return out


def make_campaign(lists: int, *, slug="national") -> Campaign:
    """A counted regional campaign with `lists` district lists (cycling through PEOPLE), plus
    the campaign-wide list with a length of 0 (not built), and a tally with ties."""
    region = f.branch(kind=Branch.Kind.REGION)
    campaign = Campaign.objects.create(
        encrypted=False,
        slug=slug,
        title="National",
        kind=Campaign.Kind.PERSONNEL_RESERVE,
        branch=region,
        status=Campaign.Status.COUNTING,
        list_length=3,
        quota_rules=Campaign.Rules.PARTY_2019,
        reference_date=dt.date(2026, 6, 1),
        tie_break_seed="seed",
    )
    Contest.objects.create(campaign=campaign, code="all", title="All", branch=region, list_length=0)
    Campaign.objects.filter(pk=campaign.pk).update(list_length=0)  # the wide list: no length
    counts = {}
    number = 0
    for i in range(lists):
        district = f.branch(parent=region)
        poo = f.poo(district)
        length = LENGTHS[i % len(LENGTHS)] or 3
        contest = Contest.objects.create(
            campaign=campaign,
            code=f"d{i}",
            title=f"District {i:03d}",
            branch=district,
            list_length=length,
        )
        for sex, year, registered in PEOPLE[i % len(PEOPLE)]:
            number += 1
            person = f.member(poo, sex=sex, birth_date=dt.date(year, 3, 1))
            Candidate.objects.create(
                campaign=campaign,
                contest=contest,
                member=person,
                number=number,
                nomination=Candidate.Nomination.SELF,
                name=f"Candidate {number}",
                sex=sex,
                birth_date=person.birth_date,
                status=Candidate.Status.REGISTERED if registered else Candidate.Status.WITHDRAWN,
                nominated_on=dt.date(2026, 4, 1),
            )
            counts[f"c{number}"] = (number * 7) % 5  # ties, broken by the seeded lot
    Campaign.objects.filter(pk=campaign.pk).update(tally={"counts": counts, "ballots": 9})
    return Campaign.objects.get(pk=campaign.pk)


def stored(campaign):
    return {r.contest_id: r.data for r in ListResult.objects.filter(contest__campaign=campaign)}


def as_json(lists):
    """The lists as the JSON column gives them back."""
    return {pk: json.loads(json.dumps(data)) for pk, data in lists.items()}


def test_batched_build_gives_the_lists_built_one_by_one(db):
    campaign = make_campaign(8)
    expected = one_by_one(campaign)
    admin = f.user(Role.REGIONAL_ADMIN, branch=campaign.branch)
    results = services.build_lists(Scope(admin), campaign)
    assert len(results) == len(expected) == 8  # the wide list (length 0) is not built
    assert all(r.pk for r in results)
    assert {r.contest_id: r.data for r in results} == expected
    # What was stored reads back the same (JSON), with who built it.
    assert stored(campaign) == as_json(expected)
    assert set(ListResult.objects.values_list("built_by", flat=True)) == {admin.pk}
    # Every kind of outcome is covered: built lists, quota-infeasible and too few candidates.
    kinds = [
        d["infeasible"].get("code", "too few") if "infeasible" in d else "list"
        for d in expected.values()
    ]
    assert sorted(kinds) == ["list"] * 4 + ["quota_infeasible"] * 2 + ["too few"] * 2


def test_rebuilding_replaces_the_results_in_place(db):
    campaign = make_campaign(4)
    first = {r.contest_id: r.pk for r in services.build_lists(None, campaign)}
    # The tally changes (a recount): the lists are rebuilt over the same rows.
    tally = dict(campaign.tally, counts={k: 10 - v for k, v in campaign.tally["counts"].items()})
    Campaign.objects.filter(pk=campaign.pk).update(tally=tally)
    campaign.refresh_from_db()
    expected = one_by_one(campaign)
    again = services.build_lists(None, campaign)
    assert {r.contest_id: r.pk for r in again} == first
    assert ListResult.objects.count() == 4
    assert stored(campaign) == as_json(expected)
    assert set(ListResult.objects.values_list("built_by", flat=True)) == {None}


def test_a_list_without_a_length_keeps_its_result(db):
    campaign = make_campaign(2)
    wide = campaign.contests.get(code="all")
    old = ListResult.objects.create(contest=wide, data={"list": []})
    services.build_lists(None, campaign)
    assert ListResult.objects.get(contest=wide).built_at == old.built_at
    assert ListResult.objects.count() == 3


def test_lists_need_the_tally(db):
    campaign = make_campaign(1)
    campaign.tally = None
    with pytest.raises(ValidationError):
        services.build_lists(None, campaign)


@pytest.mark.parametrize("lists", [2, 12])
def test_queries_do_not_grow_with_the_lists(db, django_assert_max_num_queries, lists):
    campaign = make_campaign(lists)
    # The contests, their candidates, one upsert (and the savepoint around it).
    with django_assert_max_num_queries(5):
        results = services.build_lists(None, campaign)
    assert len(results) == lists
    with django_assert_max_num_queries(5):  # again: every row is an update now
        services.build_lists(None, campaign)
