"""The list builder against brute force, plus worked examples of DESIGN.md 3.1-3.2."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from itertools import permutations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bastau.primaries.quota import (
    PRESETS,
    Candidate,
    ListLengthError,
    QuotaInfeasible,
    RuleSet,
    _Feasibility,
    build_list,
    check_list,
    get_rules,
    lot_key,
    rank_candidates,
    requirements,
)

REF = dt.date(2025, 6, 15)


def born(age: int, days_later: int = 0) -> dt.date:
    """Born `age` years before REF (so exactly `age` on REF), shifted by `days_later` days."""
    return REF.replace(year=REF.year - age) + dt.timedelta(days=days_later)


def cand(
    cid: str, votes: int, gender: str = "M", age: int = 50, disability: bool = False, **kw
) -> Candidate:
    return Candidate(
        id=cid,
        name=kw.pop("name", f"Cand {cid}"),
        votes=votes,
        gender=gender,
        birth_date=kw.pop("birth_date", born(age, -10)),
        disability=disability,
        **kw,
    )


# --------------------------------------------------------------------------- brute force

THREE_GROUPS = {
    "id": "three",
    "label": "three separate groups",
    "groups": [
        {"id": "women", "label": "women", "min_share": 40, "predicate": {"kind": "woman"}},
        {
            "id": "youth",
            "label": "youth (under 30)",
            "min_share": 25,
            "predicate": {"kind": "youth", "age_below": 30},
        },
        {
            "id": "disability",
            "label": "persons with disabilities",
            "min_share": 20,
            "predicate": {"kind": "disability"},
        },
    ],
}


def plain_age(birth: dt.date, on: dt.date) -> int:
    """Whole years, written out independently of bastau.lib.dates."""
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def memberships(rules: RuleSet, c: Candidate) -> list[bool]:
    """Group membership computed by hand from the rule-set data (not via Predicate.matches)."""

    def test(pred: dict) -> bool:
        kind = pred["kind"]
        if kind == "woman":
            return c.gender == "F"
        if kind == "disability":
            return c.disability
        if kind == "youth":
            return plain_age(c.birth_date, REF) < pred["age_below"]
        return any(test(p) for p in pred["of"])

    return [test(g["predicate"]) for g in rules.to_dict()["groups"]]


def valid(rules: RuleSet, ordered: list[Candidate], prefix: bool) -> bool:
    """DESIGN.md 3.1 verbatim: count*100 >= p*L; with prefix, top k holds floor(p*k/100)."""
    size = len(ordered)
    rows = [memberships(rules, c) for c in ordered]
    for j, group in enumerate(rules.groups):
        p = group.min_share
        if sum(r[j] for r in rows) * 100 < p * size:
            return False
        if prefix:
            for k in range(1, size + 1):
                if sum(r[j] for r in rows[:k]) < p * k // 100:
                    return False
    return True


def brute_force(cands, length, rules, prefix, seed) -> list[int] | None:
    """Vote ranks of the lexicographically smallest valid list, or None.

    permutations() of the ranked indices yields tuples in lexicographic order, so the first
    valid one is the answer.
    """
    ranked = rank_candidates(cands, seed)
    for perm in permutations(range(len(ranked)), length):
        if valid(rules, [ranked[i] for i in perm], prefix):
            return [i + 1 for i in perm]
    return None


NO_QUOTA = {"id": "none", "groups": []}


def women_only(share: int) -> dict:
    group = {"id": "women", "min_share": share, "predicate": {"kind": "woman"}}
    return {"id": "w", "groups": [group]}


AGES = [20, 28, 29, 30, 34, 35, 36, 60]


@st.composite
def instances(draw, rule_sets):
    n = draw(st.integers(0, 8))
    cands = []
    for i in range(n):
        age = draw(st.sampled_from(AGES))
        cands.append(
            Candidate(
                id=f"c{i}",
                name=f"N{i}",
                votes=draw(st.integers(0, 3)),  # few values: many ties
                gender=draw(st.sampled_from("FM")),
                birth_date=born(age, draw(st.sampled_from([-1, 0, 1]))),
                disability=draw(st.booleans()),
            )
        )
    length = draw(st.integers(0, min(n, 6)))
    rules = draw(rule_sets)
    prefix = draw(st.booleans())
    seed = draw(st.sampled_from([None, "", "lot-2025", "42"]))
    return cands, length, rules, prefix, seed


PRESET_RULES = st.sampled_from([PRESETS["party-2019"], PRESETS["law-2022"]])


@st.composite
def custom_two(draw):
    """Two overlapping groups with arbitrary shares: stresses joint (in)feasibility."""
    return get_rules(
        {
            "id": "custom",
            "groups": [
                {"id": "w", "min_share": draw(st.integers(0, 80)), "predicate": {"kind": "woman"}},
                {
                    "id": "y",
                    "min_share": draw(st.integers(0, 80)),
                    "predicate": {"kind": "youth", "age_below": draw(st.sampled_from([29, 35]))},
                },
            ],
        }
    )


def compare(cands, length, rules, prefix, seed):
    expected = brute_force(cands, length, rules, prefix, seed)
    try:
        result = build_list(cands, length, rules, REF, prefix=prefix, seed=seed)
    except QuotaInfeasible:
        assert expected is None, f"builder says infeasible, brute force found {expected}"
        return
    got = [row.vote_rank for row in result.rows]
    assert got == expected
    assert check_list(result.candidates, rules, REF, prefix=prefix) == []


SLOW = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(instances(PRESET_RULES))
def test_presets_match_brute_force(instance):
    compare(*instance)


@SLOW
@given(instances(custom_two()))
def test_custom_two_groups_match_brute_force(instance):
    compare(*instance)


@SLOW
@given(instances(st.just(get_rules(THREE_GROUPS))))
def test_three_groups_search_matches_brute_force(instance):
    compare(*instance)


@settings(max_examples=300, deadline=None)
@given(
    length=st.integers(1, 12),
    shares=st.tuples(st.integers(0, 100), st.integers(0, 100)),
    prefix=st.booleans(),
    types=st.lists(st.integers(0, 3), min_size=12, max_size=16),
    placed=st.integers(0, 12),
)
def test_closed_form_equals_search(length, shares, prefix, types, placed):
    """The two-group closed form agrees with the general memoised search on reachable states."""
    rules = get_rules(
        {
            "id": "t",
            "groups": [
                {"id": "a", "min_share": shares[0], "predicate": {"kind": "woman"}},
                {"id": "b", "min_share": shares[1], "predicate": {"kind": "disability"}},
            ],
        }
    )
    req = requirements(rules, length, prefix)
    solver = _Feasibility(req, length)
    placed = min(placed, length)
    counts = [0, 0]
    for k, t in enumerate(types[:placed], start=1):
        counts = [counts[0] + (t & 1), counts[1] + (t >> 1 & 1)]
        if counts[0] < req[0][k] or counts[1] < req[1][k]:
            return  # not a state the builder ever reaches
    pool = [0, 0, 0, 0]
    for t in types[placed:]:
        pool[t] += 1
    capped = tuple(min(c, solver.cap[j]) for j, c in enumerate(counts))
    assert solver(placed, counts, pool) == solver._search(placed, capped, tuple(pool))


# --------------------------------------------------------------------------- worked examples


def test_vote_order_kept_when_quotas_hold():
    cands = [cand(str(i), 100 - i, gender="F" if i % 2 else "M", age=30) for i in range(10)]
    result = build_list(cands, 6, "party-2019", REF)
    assert [r.vote_rank for r in result.rows] == [1, 2, 3, 4, 5, 6]
    assert result.departures == []


def test_explanation_names_who_and_why():
    cands = [
        cand("a", 90, name="Arman"),
        cand("b", 80, name="Bolat"),
        cand("c", 70, name="Daulet"),
        cand("d", 60, gender="F", name="Aigerim"),
    ]
    # women >= 30% of 3 means 1 woman; she must take position 3 ahead of Daulet
    rules = women_only(30)
    result = build_list(cands, 3, rules, REF)
    assert [r.candidate.id for r in result.rows] == ["a", "b", "d"]
    reason = result.rows[2].reason
    assert reason is not None
    assert reason.code == "quota"
    assert reason.groups == ("women",)
    assert reason.placed_before == ("c",)
    assert reason.text == "position 3: Aigerim placed before Daulet to meet the quota for women"
    row = result.to_dict()["list"][2]
    assert row["reason"]["placed_before"] == ["c"] and row["vote_rank"] == 4


def test_prefix_mode_moves_women_up_and_says_so():
    men = [cand(f"m{i}", 100 - i, name=f"M{i}") for i in range(6)]
    women = [cand(f"w{i}", 50 - i, gender="F", name=f"W{i}") for i in range(3)]
    rules = women_only(50)
    # floor(50*k/100): top 2 need 1 woman, top 4 need 2, top 6 need 3
    result = build_list(men + women, 6, rules, REF, prefix=True)
    assert [r.candidate.id for r in result.rows] == ["m0", "w0", "m1", "w1", "m2", "w2"]
    assert result.rows[1].reason.code == "prefix_quota"
    assert result.rows[1].reason.text.endswith("among the top places")
    assert result.rows[5].reason.code == "quota"
    assert result.rows[5].reason.placed_before == ("m3", "m4", "m5")
    without = build_list(men + women, 6, rules, REF, prefix=False)
    assert [r.candidate.id for r in without.rows] == ["m0", "m1", "m2", "w0", "w1", "w2"]


def test_young_woman_counts_for_both_in_party_2019():
    # list of 5: women need ceil(1.5) = 2, youth need 1; one young woman + one older woman do it
    cands = [cand(f"m{i}", 100 - i) for i in range(5)] + [
        cand("yw", 10, gender="F", age=25),
        cand("w", 20, gender="F"),
        cand("y", 30, age=25),
    ]
    result = build_list(cands, 5, "party-2019", REF)
    ids = [r.candidate.id for r in result.rows]
    assert ids == ["m0", "m1", "m2", "w", "yw"]
    assert result.rows[4].groups == ("women", "youth")


def test_youth_boundary_birthday_on_reference_day():
    on_day = cand("turns35", 10, age=35, birth_date=born(35))  # 35th birthday on REF: not youth
    day_after = cand("still34", 5, age=35, birth_date=born(35, 1))  # turns 35 tomorrow: youth
    rules = get_rules("party-2019")
    assert rules.group_ids(rules.mask(on_day, REF)) == ()
    assert rules.group_ids(rules.mask(day_after, REF)) == ("youth",)
    # a list of 1 under youth >= 100% takes the lower-voted but younger one
    only_youth = {
        "id": "y",
        "groups": [
            {"id": "youth", "min_share": 100, "predicate": {"kind": "youth", "age_below": 35}}
        ],
    }
    assert build_list([on_day, day_after], 1, only_youth, REF).rows[0].candidate.id == "still34"
    # the reference date decides: a day earlier, both are 34
    earlier = REF - dt.timedelta(days=1)
    assert build_list([on_day, day_after], 1, only_youth, earlier).rows[0].candidate.id == (
        "turns35"
    )


def test_law_2022_counts_each_person_once():
    everything = cand("all", 1, gender="F", age=25, disability=True)  # woman, young, disabled
    others = [cand(f"m{i}", 100 - i) for i in range(9)]
    # a list of 10 needs 3 distinct persons from the union; she is only one person
    with pytest.raises(QuotaInfeasible) as info:
        build_list([everything, *others], 10, "law-2022", REF)
    (shortage,) = info.value.shortages
    assert (shortage.group_id, shortage.needed, shortage.available) == (
        "women_youth_disability",
        3,
        1,
    )
    two_more = [cand("d", 2, disability=True), cand("y", 3, age=28)]
    result = build_list([everything, *two_more, *others[:7]], 10, "law-2022", REF)
    assert sum(1 for r in result.rows if r.groups) == 3
    # age 29 is not youth under the law's limit
    assert get_rules("law-2022").mask(cand("x", 0, age=29), REF) == 0


def test_infeasible_says_group_needed_and_available():
    cands = [cand(f"m{i}", 10 - i) for i in range(8)] + [cand("w", 1, gender="F", age=30)]
    with pytest.raises(QuotaInfeasible) as info:
        build_list(cands, 7, "party-2019", REF)
    err = info.value
    assert not err.joint
    assert [(s.group_id, s.needed, s.available) for s in err.shortages] == [
        ("women", 3, 1),
        ("youth", 2, 1),
    ]
    assert "the quota for women needs at least 3 and only 1 candidate qualifies" in str(err)
    assert err.to_dict()["shortages"][0]["needed"] == 3


def test_joint_infeasibility_in_prefix_mode_names_the_prefix():
    rules = {
        "id": "two",
        "groups": [
            {"id": "w", "label": "women", "min_share": 50, "predicate": {"kind": "woman"}},
            {"id": "d", "label": "disabled", "min_share": 50, "predicate": {"kind": "disability"}},
        ],
    }
    # no one is in both groups; at 50% a list of 4 alternates them
    cands = [cand(f"w{i}", 10, gender="F") for i in range(4)]
    cands += [cand(f"d{i}", 10, disability=True) for i in range(4)]
    assert build_list(cands, 4, rules, REF, prefix=True)
    # at 60% each group alone has the 4 a list of 6 needs, but the top 4 need
    # floor(2.4) = 2 of each (fits) and the top 5 need floor(3.0) = 3 of each: 6 > 5
    rules["groups"][0]["min_share"] = rules["groups"][1]["min_share"] = 60
    with pytest.raises(QuotaInfeasible) as info:
        build_list(cands, 6, rules, REF, prefix=True)
    err = info.value
    assert err.joint
    assert {s.within_top for s in err.shortages} == {5}
    assert [s.needed for s in err.shortages] == [3, 3]
    assert "within the top 5 places" in str(err)


def test_lengths_zero_and_too_long():
    cands = [cand("a", 1), cand("b", 2)]
    assert build_list(cands, 0, "party-2019", REF).rows == ()
    with pytest.raises(ListLengthError):
        build_list(cands, 3, "party-2019", REF)
    with pytest.raises(ListLengthError):
        build_list(cands, -1, "party-2019", REF)


def test_ties_by_published_lot_are_deterministic_and_documented():
    cands = [cand(c, 5) for c in "abcdef"]
    seed = "protocol-7/2025"
    expected = sorted("abcdef", key=lambda c: hashlib.sha256(f"{seed}:{c}".encode()).hexdigest())
    ranked = [c.id for c in rank_candidates(cands, seed)]
    assert ranked == expected
    assert ranked == [c.id for c in rank_candidates(list(reversed(cands)), seed)]
    assert lot_key(seed, "a") == hashlib.sha256(b"protocol-7/2025:a").hexdigest()
    first = build_list(cands, 6, NO_QUOTA, REF, seed=seed)
    again = build_list(list(reversed(cands)), 6, NO_QUOTA, REF, seed=seed)
    assert [r.candidate.id for r in first.rows] == expected
    assert [r.candidate.id for r in again.rows] == expected
    # votes still come first; the lot only orders equal votes
    cands.append(cand("z", 6))
    assert rank_candidates(cands, seed)[0].id == "z"


def test_ties_without_seed_follow_registration():
    a, b, c = cand("a", 5), cand("b", 5), cand("c", 5)
    assert [x.id for x in rank_candidates([b, c, a])] == ["b", "c", "a"]  # input order
    reg = [cand("a", 5, registration_order=3), cand("b", 5, registration_order=1)]
    assert [x.id for x in rank_candidates(reg)] == ["b", "a"]
    with pytest.raises(ValueError):
        rank_candidates([cand("a", 5, registration_order=1), cand("b", 5)])
    with pytest.raises(ValueError):
        rank_candidates([a, a])


def test_custom_rules_from_json_round_trip():
    data = json.loads(json.dumps(PRESETS["party-2019"].to_dict()))
    data["groups"][1]["predicate"]["age_below"] = 40
    data["groups"][0]["min_share"] = 50
    rules = get_rules(data)
    assert rules.groups[1].predicate.age_below == 40
    assert get_rules(rules.to_dict()) == rules
    for bad in (
        {"id": "x", "groups": [{"id": "w", "min_share": 30.0, "predicate": {"kind": "woman"}}]},
        {"id": "x", "groups": [{"id": "w", "min_share": 130, "predicate": {"kind": "woman"}}]},
        {"id": "x", "groups": [{"id": "w", "min_share": 30, "predicate": {"kind": "youth"}}]},
        {"id": "x", "groups": [{"id": "w", "min_share": 30, "predicate": {"kind": "tall"}}]},
    ):
        with pytest.raises(ValueError):
            get_rules(bad)


def test_integer_share_arithmetic():
    women = get_rules("party-2019").groups[0]
    assert [women.needed(n) for n in (0, 1, 3, 10, 11, 17)] == [0, 1, 1, 3, 4, 6]
    assert [women.needed_in_top(k) for k in (1, 3, 4, 10)] == [0, 0, 1, 3]


def test_check_list_reports_violations():
    lst = [cand("a", 3), cand("b", 2), cand("c", 1, gender="F")]
    rules = women_only(50)
    whole = check_list(lst, rules, REF)
    assert [(v.group_id, v.needed, v.count, v.within_top) for v in whole] == [("women", 2, 1, None)]
    top = check_list(lst, rules, REF, prefix=True)
    assert ("women", 1, 0, 2) in [(v.group_id, v.needed, v.count, v.within_top) for v in top]


def test_large_field_is_fast():
    cands = [
        cand(
            f"c{i}",
            (i * 7919) % 500,
            gender="F" if i % 5 == 0 else "M",
            age=25 if i % 7 == 0 else 50,
            disability=i % 11 == 0,
        )
        for i in range(200)
    ]
    start = time.perf_counter()
    for rules in ("party-2019", "law-2022"):
        for prefix in (False, True):
            result = build_list(cands, 60, rules, REF, prefix=prefix, seed="s")
            assert check_list(result.candidates, rules, REF, prefix=prefix) == []
    assert time.perf_counter() - start < 2
