"""Quota rules for party lists and the list builder (DESIGN.md 3.1-3.2). No Django here.

A rule set names groups (women, youth, ...) and a minimum share for each, in integer percent.
`build_list` returns, of all lists of length L that meet every quota, the one whose sequence of
vote ranks is lexicographically smallest. It does so greedily: each position takes the
highest-ranked remaining candidate after whom the rest of the list can still be completed, which
needs an *exact* feasibility test. The test reasons over candidate "types" (the set of groups a
candidate counts for, a bitmask): with at most two groups (both presets) it is a closed form
proved by exchange arguments (see `_Feasibility`); with three or four it is a memoised search.

Arithmetic is integer only: a share p% of a list of L is met when count * 100 >= p * L.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bastau.lib.dates import age_on

MAX_GROUPS = 4  # the exact search is exponential in the number of groups; 4 is plenty
_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")


class QuotaError(ValueError):
    """Errors shown to staff; `code` and `params` stay stable so the UI can translate them."""

    code = "quota_error"

    def __init__(self, message: str, **params: Any):
        super().__init__(message)
        self.params = params


class ListLengthError(QuotaError):
    code = "list_length"


# --------------------------------------------------------------------------- rule sets


@dataclass(frozen=True)
class Predicate:
    """Who counts for a group: "woman", "youth" (age < age_below), "disability", or "any" of."""

    kind: str
    age_below: int | None = None
    of: tuple[Predicate, ...] = ()

    KINDS = ("woman", "youth", "disability", "any")

    def __post_init__(self) -> None:
        if self.kind not in self.KINDS:
            raise ValueError(f"unknown predicate kind {self.kind!r}; expected one of {self.KINDS}")
        if self.kind == "youth":
            if (
                not isinstance(self.age_below, int)
                or isinstance(self.age_below, bool)
                or not 0 < self.age_below <= 150
            ):
                raise ValueError("a youth predicate needs an integer age_below between 1 and 150")
        elif self.age_below is not None:
            raise ValueError("age_below belongs to youth predicates only")
        if (self.kind == "any") != bool(self.of):
            raise ValueError('"of" must list the predicates of an "any" predicate, and only there')

    def matches(self, candidate: Candidate, reference_date: dt.date) -> bool:
        if self.kind == "woman":
            return candidate.gender == "F"
        if self.kind == "disability":
            return candidate.disability
        if self.kind == "youth":
            assert self.age_below is not None
            return age_on(candidate.birth_date, reference_date) < self.age_below
        # "any": a union, so each person is counted once however many parts they satisfy.
        return any(p.matches(candidate, reference_date) for p in self.of)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.age_below is not None:
            data["age_below"] = self.age_below
        if self.of:
            data["of"] = [p.to_dict() for p in self.of]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Predicate:
        unknown = set(data) - {"kind", "age_below", "of"}
        if unknown:
            raise ValueError(f"unknown predicate keys: {sorted(unknown)}")
        return cls(
            kind=data.get("kind", ""),
            age_below=data.get("age_below"),
            of=tuple(cls.from_dict(p) for p in data.get("of", ())),
        )


@dataclass(frozen=True)
class Group:
    """A quota group. `id` doubles as the translation key of its label; `label` is English."""

    id: str
    label: str
    min_share: int  # integer percent, 0..100
    predicate: Predicate

    def __post_init__(self) -> None:
        if not _ID_RE.match(self.id):
            raise ValueError(f"group id {self.id!r}: use lowercase letters, digits, '_' and '-'")
        share = self.min_share
        if not isinstance(share, int) or isinstance(share, bool) or not 0 <= share <= 100:
            raise ValueError(f"group {self.id}: min_share must be an integer percent 0..100")

    def needed(self, length: int) -> int:
        """Whole-list minimum: the least count with count * 100 >= p * L, i.e. ceil(p*L/100)."""
        return (self.min_share * length + 99) // 100

    def needed_in_top(self, k: int) -> int:
        """Prefix minimum for the top k: floor(p*k/100)."""
        return self.min_share * k // 100

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "min_share": self.min_share,
            "predicate": self.predicate.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Group:
        unknown = set(data) - {"id", "label", "min_share", "predicate"}
        if unknown:
            raise ValueError(f"unknown group keys: {sorted(unknown)}")
        return cls(
            id=data["id"],
            label=data.get("label", data["id"]),
            min_share=data["min_share"],
            predicate=Predicate.from_dict(data["predicate"]),
        )


@dataclass(frozen=True)
class RuleSet:
    id: str
    label: str
    groups: tuple[Group, ...]

    def __post_init__(self) -> None:
        if len(self.groups) > MAX_GROUPS:
            raise ValueError(f"a rule set may have at most {MAX_GROUPS} groups")
        ids = [g.id for g in self.groups]
        if len(set(ids)) != len(ids):
            raise ValueError(f"rule set {self.id}: duplicate group ids")

    def mask(self, candidate: Candidate, reference_date: dt.date) -> int:
        """The candidate's type: bit j is set when they count for group j."""
        m = 0
        for j, group in enumerate(self.groups):
            if group.predicate.matches(candidate, reference_date):
                m |= 1 << j
        return m

    def group_ids(self, mask: int) -> tuple[str, ...]:
        return tuple(g.id for j, g in enumerate(self.groups) if mask >> j & 1)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "groups": [g.to_dict() for g in self.groups]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleSet:
        unknown = set(data) - {"id", "label", "groups"}
        if unknown:
            raise ValueError(f"unknown rule set keys: {sorted(unknown)}")
        return cls(
            id=data["id"],
            label=data.get("label", data["id"]),
            groups=tuple(Group.from_dict(g) for g in data["groups"]),
        )


#: The presets, as data: a branch defines its own rule sets in exactly this form.
PRESET_DATA: dict[str, dict[str, Any]] = {
    "party-2019": {
        "id": "party-2019",
        "label": "Party rule (2019): women at least 30%, youth under 35 at least 20%",
        "groups": [
            {"id": "women", "label": "women", "min_share": 30, "predicate": {"kind": "woman"}},
            {
                "id": "youth",
                "label": "youth (under 35)",
                "min_share": 20,
                "predicate": {"kind": "youth", "age_below": 35},
            },
        ],
    },
    "law-2022": {
        "id": "law-2022",
        "label": "Law (2022): women, youth under 29 and persons with disabilities together "
        "at least 30%",
        "groups": [
            {
                "id": "women_youth_disability",
                "label": "women, youth (under 29) and persons with disabilities",
                "min_share": 30,
                "predicate": {
                    "kind": "any",
                    "of": [
                        {"kind": "woman"},
                        {"kind": "youth", "age_below": 29},
                        {"kind": "disability"},
                    ],
                },
            }
        ],
    },
}
PRESETS: dict[str, RuleSet] = {k: RuleSet.from_dict(v) for k, v in PRESET_DATA.items()}


def get_rules(rules: str | Mapping[str, Any] | RuleSet) -> RuleSet:
    """A rule set from a preset name, its dict/JSON form, or itself."""
    if isinstance(rules, RuleSet):
        return rules
    if isinstance(rules, str):
        try:
            return PRESETS[rules]
        except KeyError:
            raise ValueError(f"unknown rule set {rules!r}; presets: {sorted(PRESETS)}") from None
    return RuleSet.from_dict(rules)


# --------------------------------------------------------------------------- candidates, ranking


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    votes: int
    gender: str  # "F" or "M"
    birth_date: dt.date
    disability: bool = False
    registration_order: int | None = None  # for ties when no lot seed is given

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError("a candidate id is a non-empty string")
        if not isinstance(self.votes, int) or isinstance(self.votes, bool) or self.votes < 0:
            raise ValueError(f"candidate {self.id}: votes must be a non-negative integer")
        if self.gender not in ("F", "M"):
            raise ValueError(f"candidate {self.id}: gender must be 'F' or 'M'")
        if not isinstance(self.birth_date, dt.date):
            raise ValueError(f"candidate {self.id}: birth_date must be a date")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Candidate:
        birth = data["birth_date"]
        return cls(
            id=str(data["id"]),
            name=str(data.get("name", "")),
            votes=int(data["votes"]),
            gender=str(data["gender"]).strip().upper(),
            birth_date=birth if isinstance(birth, dt.date) else dt.date.fromisoformat(birth),
            disability=bool(data.get("disability", False)),
            registration_order=data.get("registration_order"),
        )


def lot_key(seed: str, candidate_id: str) -> str:
    """The published lot: lowercase hex SHA-256 of the UTF-8 bytes of "<seed>:<candidate id>".

    Among candidates with equal votes, the smaller key ranks higher.
    """
    return hashlib.sha256(f"{seed}:{candidate_id}".encode()).hexdigest()


def rank_candidates(candidates: Sequence[Candidate], seed: str | None = None) -> list[Candidate]:
    """Candidates in vote order (most first); ties by the lot, or by registration without a seed.

    Registration order is the `registration_order` field when every candidate has one, else the
    input order. Raises ValueError on duplicate ids.
    """
    ids = [c.id for c in candidates]
    if len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"duplicate candidate ids: {dupes}")
    if seed is not None:
        seed = str(seed)
        return sorted(candidates, key=lambda c: (-c.votes, lot_key(seed, c.id)))
    orders = [c.registration_order for c in candidates]
    if all(o is not None for o in orders):
        if len(set(orders)) != len(orders):
            raise ValueError("registration_order values must be unique")
        return sorted(candidates, key=lambda c: (-c.votes, c.registration_order))
    if any(o is not None for o in orders):
        raise ValueError("registration_order must be given for every candidate or for none")
    indexed = sorted(enumerate(candidates), key=lambda ic: (-ic[1].votes, ic[0]))
    return [c for _, c in indexed]


# --------------------------------------------------------------------------- results and errors


@dataclass(frozen=True)
class Shortage:
    """One group a list cannot satisfy: it needs `needed` and only `available` can count.

    `within_top` is the prefix length where the quotas break (None: the whole list).
    """

    group_id: str
    label: str
    needed: int
    available: int
    within_top: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group_id,
            "label": self.label,
            "needed": self.needed,
            "available": self.available,
            "within_top": self.within_top,
        }


class QuotaInfeasible(QuotaError):
    """No list of this length meets the quotas.

    joint=False: each shortage is a group with too few candidates in the whole field.
    joint=True: every group alone could be met, but not all together within the top
    `within_top` places (too few candidates count for several groups at once).
    """

    code = "quota_infeasible"

    def __init__(self, length: int, shortages: Sequence[Shortage], joint: bool = False):
        self.length = length
        self.shortages = tuple(shortages)
        self.joint = joint
        super().__init__(self._message(), length=length, joint=joint)

    def _message(self) -> str:
        head = f"No list of {self.length} can meet the quotas: "
        if not self.joint:
            parts = [
                f"the quota for {s.label} needs at least {s.needed} and only {s.available} "
                + ("candidate qualifies" if s.available == 1 else "candidates qualify")
                for s in self.shortages
            ]
            return head + "; ".join(parts) + "."
        k = self.shortages[0].within_top if self.shortages else None
        where = f"within the top {k} places" if k is not None else "in the list"
        needs = ", ".join(f"{s.label} need {s.needed}" for s in self.shortages)
        return (
            head + f"{needs} {where}, and too few candidates count for more than one group "
            "for all of these to fit together."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "length": self.length,
            "joint": self.joint,
            "shortages": [s.to_dict() for s in self.shortages],
            "message": str(self),
        }


@dataclass(frozen=True)
class Reason:
    """Why a candidate stands above higher-ranked ones.

    code: "quota" (the whole-list minimum forced it) or "prefix_quota" (a top-k minimum did).
    groups: ids of the groups whose quota forced it; placed_before: ids of the higher-ranked
    candidates it was placed before, in vote order; text: the English sentence.
    """

    code: str
    groups: tuple[str, ...]
    placed_before: tuple[str, ...]
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "groups": list(self.groups),
            "placed_before": list(self.placed_before),
            "text": self.text,
        }


@dataclass(frozen=True)
class ListRow:
    position: int
    candidate: Candidate
    vote_rank: int
    groups: tuple[str, ...]
    reason: Reason | None  # None: the highest-ranked candidate left, i.e. in vote order

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "id": self.candidate.id,
            "name": self.candidate.name,
            "votes": self.candidate.votes,
            "vote_rank": self.vote_rank,
            "groups": list(self.groups),
            "reason": self.reason.to_dict() if self.reason else None,
        }


@dataclass(frozen=True)
class ListResult:
    rules: RuleSet
    length: int
    prefix: bool
    seed: str | None
    reference_date: dt.date
    rows: tuple[ListRow, ...]
    ranking: tuple[Candidate, ...] = field(repr=False)  # every candidate in vote order

    @property
    def candidates(self) -> list[Candidate]:
        return [row.candidate for row in self.rows]

    @property
    def departures(self) -> list[ListRow]:
        return [row for row in self.rows if row.reason is not None]

    def to_dict(self) -> dict[str, Any]:
        counts = {g.id: 0 for g in self.rules.groups}
        for row in self.rows:
            for gid in row.groups:
                counts[gid] += 1
        return {
            "rules": self.rules.id,
            "length": self.length,
            "prefix": self.prefix,
            "reference_date": self.reference_date.isoformat(),
            "seed": self.seed,
            "tie_break": "lot" if self.seed is not None else "registration_order",
            "quotas": [
                {
                    "group": g.id,
                    "label": g.label,
                    "min_share": g.min_share,
                    "needed": g.needed(self.length),
                    "count": counts[g.id],
                }
                for g in self.rules.groups
            ],
            "list": [row.to_dict() for row in self.rows],
        }


# --------------------------------------------------------------------------- feasibility


def requirements(rules: RuleSet, length: int, prefix: bool) -> list[list[int]]:
    """req[j][k]: the least count of group j the top k must hold, k = 0..L.

    Without prefix mode only k = L constrains. req[j][L] is the whole-list minimum, which is
    at least the prefix minimum floor(p*L/100), so one table covers both rules; every row is
    non-decreasing in k and req[j][k] <= k.
    """
    table = []
    for group in rules.groups:
        row = [group.needed_in_top(k) if prefix else 0 for k in range(length)]
        row.append(group.needed(length))
        table.append(row)
    return table


class _Feasibility:
    """Can a partial list be completed? Exact, for the requirement table `req`.

    State after i positions: counts[j] = members of group j placed so far (the top i already
    meet req), pool[t] = remaining candidates of type t (bitmask of groups). The pool always holds
    at least L - i candidates, so fillers never run out.

    Two facts, by exchange arguments, make the closed form below exact:
    (1) a candidate whose type is a superset of another's is never worse at any position (swap
        them: every prefix count weakly rises); so with groups A and B, WLOG all available
        AB-candidates (up to the places left) are used and placed first;
    (2) after them, A-only and B-only candidates are disjoint unit jobs with deadlines; the
        top-k requirement is a lower bound on a non-decreasing count, so it may be replaced by its
        running maximum, and by Hall's condition (earliest deadline first) the jobs fit iff for
        every k the jobs due by k do not outnumber the free places by k.
    With more groups, types need not be comparable, so a memoised search decides instead, with
    pruning by (1): if a type fails at a state, all its subsets fail too.
    """

    def __init__(self, req: Sequence[Sequence[int]], length: int):
        self.req = [list(r) for r in req]
        self.g = len(self.req)
        self.length = length
        self.cap = [r[length] for r in self.req]  # counts beyond the final need never matter
        self.prefix = any(r[k] for r in self.req for k in range(length))
        self._memo: dict[tuple[Any, ...], bool] = {}
        # types, most groups first: a quick route to a completion when one exists
        self._order = sorted(range(1 << self.g), key=lambda t: (-bin(t).count("1"), t))
        if self.g <= 2:
            zeros = [0] * (length + 1)
            self._req_a = self.req[0] if self.g >= 1 else zeros
            self._req_b = self.req[1] if self.g == 2 else zeros

    def __call__(self, i: int, counts: Sequence[int], pool: Sequence[int]) -> bool:
        if self.g <= 2:
            if self.g == 0:
                return True
            if self.g == 1:
                return self._two(i, counts[0], 0, 0, pool[1], 0)
            return self._two(i, counts[0], counts[1], pool[3], pool[1], pool[2])
        if not self._bound(i, counts, pool):
            return False
        capped = tuple(min(c, cap) for c, cap in zip(counts, self.cap, strict=True))
        return self._search(i, capped, tuple(pool))

    def _two(self, i: int, ca: int, cb: int, n_ab: int, n_a: int, n_b: int) -> bool:
        r = self.length - i
        both = min(n_ab, r)  # fact (1): every available AB, at the front
        if not self.prefix:
            need_a = max(0, self._req_a[self.length] - ca - both)
            need_b = max(0, self._req_b[self.length] - cb - both)
            return need_a <= n_a and need_b <= n_b and need_a + need_b <= r - both
        req_a, req_b = self._req_a, self._req_b
        due_a = due_b = 0  # running maxima of A-only / B-only jobs due by position i + s
        for s in range(1, r + 1):
            ab = s if s < both else both
            k = i + s
            need = req_a[k] - ca - ab
            if need > due_a:
                due_a = need
            need = req_b[k] - cb - ab
            if need > due_b:
                due_b = need
            if due_a + due_b > s - ab:  # fact (2): Hall's condition
                return False
        return due_a <= n_a and due_b <= n_b

    def _search(self, i: int, counts: tuple[int, ...], pool: tuple[int, ...]) -> bool:
        if i == self.length:
            return True
        r = self.length - i
        key = (i, counts, tuple(min(n, r) for n in pool))
        known = self._memo.get(key)
        if known is not None:
            return known
        result = self._necessary(r, counts, pool) and self._try_types(i, counts, pool)
        self._memo[key] = result
        return result

    def _necessary(self, r: int, counts: tuple[int, ...], pool: tuple[int, ...]) -> bool:
        """Per-state pruning: no group may still owe more than the places or members left."""
        members = [0] * self.g
        for t, n in enumerate(pool):
            if n:
                for j in range(self.g):
                    if t >> j & 1:
                        members[j] += n
        for j in range(self.g):
            missing = self.cap[j] - counts[j]
            if missing > r or missing > members[j]:
                return False
        return True

    def _bound(self, i: int, counts: Sequence[int], pool: Sequence[int]) -> bool:
        """A stronger necessary condition, checked once per query rather than per state.

        For every set S of groups, the places the whole list still owes to S cannot exceed what
        the L - i best-suited candidates left can give (each gives |type & S|). It settles at once
        the infeasible queries the search is slowest to refute (groups that cannot all fit without
        prefix constraints to prune by); it is not sufficient, so the search still decides.
        """
        r = self.length - i
        k = self.length
        for subset in range(1, 1 << self.g):
            by_gain = [0] * (self.g + 1)
            for t, n in enumerate(pool):
                by_gain[bin(t & subset).count("1")] += n
            best, places = 0, r
            for gain in range(self.g, 0, -1):
                take = min(by_gain[gain], places)
                best += take * gain
                places -= take
            owed = sum(max(0, self.req[j][k] - counts[j]) for j in range(self.g) if subset >> j & 1)
            if owed > best:
                return False
        return True

    def _try_types(self, i: int, counts: tuple[int, ...], pool: tuple[int, ...]) -> bool:
        failed: list[int] = []
        nxt = i + 1
        for t in self._order:
            if not pool[t] or any(f & t == t for f in failed):
                continue
            new = tuple(min(c + (t >> j & 1), self.cap[j]) for j, c in enumerate(counts))
            if all(new[j] >= self.req[j][nxt] for j in range(self.g)):
                rest = list(pool)
                rest[t] -= 1
                if self._search(nxt, new, tuple(rest)):
                    return True
            failed.append(t)
        return False


def _add(counts: Sequence[int], mask: int) -> list[int]:
    return [c + (mask >> j & 1) for j, c in enumerate(counts)]


def _meets(req: Sequence[Sequence[int]], counts: Sequence[int], k: int) -> bool:
    return all(counts[j] >= req[j][k] for j in range(len(req)))


# --------------------------------------------------------------------------- the builder


def build_list(
    candidates: Iterable[Candidate],
    length: int,
    rules: str | Mapping[str, Any] | RuleSet,
    reference_date: dt.date,
    prefix: bool = False,
    seed: str | None = None,
    groups: Mapping[str, Iterable[str]] | None = None,
) -> ListResult:
    """The list of `length` that meets every quota with the least departure from the vote order.

    groups: {candidate id: the ids of the rule set's groups they count for}, when these are
    known without birth dates (a verifier reading the public record, which publishes each
    candidate's groups at the reference date); the predicates are then not evaluated.

    Raises ListLengthError when length < 0 or exceeds the number of candidates, and
    QuotaInfeasible (saying which group, how many are needed and how many there are) when no
    list meets the quotas. Never returns a list that breaks a quota.
    """
    rule_set = get_rules(rules)
    pool_list = list(candidates)
    seed = None if seed is None else str(seed)
    ranked = rank_candidates(pool_list, seed)
    if not isinstance(length, int) or length < 0:
        raise ListLengthError(f"list length must be a non-negative integer, not {length!r}")
    if length > len(ranked):
        raise ListLengthError(
            f"a list of {length} needs at least {length} candidates; there are {len(ranked)}",
            length=length,
            candidates=len(ranked),
        )
    g = len(rule_set.groups)
    if groups is None:
        masks = [rule_set.mask(c, reference_date) for c in ranked]
    else:
        bit = {g.id: 1 << j for j, g in enumerate(rule_set.groups)}
        masks = [sum(bit[gid] for gid in set(groups.get(c.id, ()))) for c in ranked]
    req = requirements(rule_set, length, prefix)
    feasible = _Feasibility(req, length)
    pool = [0] * (1 << g)
    for m in masks:
        pool[m] += 1
    counts = [0] * g
    if not feasible(0, counts, pool):
        raise _diagnose(rule_set, masks, length, req, prefix)

    explainer = _Explainer(rule_set, ranked, masks, req, length, prefix)
    remaining = list(range(len(ranked)))  # indices into `ranked`, in vote order
    rows: list[ListRow] = []
    for position in range(1, length + 1):
        failed: set[int] = set()  # types that cannot stand here (feasibility depends on type only)
        skipped: list[int] = []
        chosen_at = -1
        for at, idx in enumerate(remaining):
            m = masks[idx]
            if m not in failed:
                new = _add(counts, m)
                if _meets(req, new, position):
                    pool[m] -= 1
                    if feasible(position, new, pool):
                        chosen_at = at
                        break
                    pool[m] += 1
                failed.add(m)
            skipped.append(idx)
        # the initial check guarantees a completion, so some candidate always fits
        assert chosen_at >= 0, "feasibility invariant broken"
        idx = remaining.pop(chosen_at)
        reason = None
        if skipped:
            pool[masks[idx]] += 1  # explain from the state before this position was filled
            reason = explainer.explain(position, counts, pool, idx, skipped)
            pool[masks[idx]] -= 1
        counts = _add(counts, masks[idx])
        rows.append(
            ListRow(
                position=position,
                candidate=ranked[idx],
                vote_rank=idx + 1,
                groups=rule_set.group_ids(masks[idx]),
                reason=reason,
            )
        )
    return ListResult(
        rules=rule_set,
        length=length,
        prefix=prefix,
        seed=seed,
        reference_date=reference_date,
        rows=tuple(rows),
        ranking=tuple(ranked),
    )


class _Explainer:
    """Turns a departure from the vote order into a Reason (only runs on departures)."""

    def __init__(
        self,
        rules: RuleSet,
        ranked: Sequence[Candidate],
        masks: Sequence[int],
        req: list[list[int]],
        length: int,
        prefix: bool,
    ):
        self.rules, self.ranked, self.masks, self.length = rules, ranked, masks, length
        self.req = req
        # one-group problems tell which quota alone rules a candidate out
        self.single = [_Feasibility([row], length) for row in req]
        self.whole: _Feasibility | None = None
        if prefix:
            whole_req = requirements(rules, length, prefix=False)
            self.whole = _Feasibility(whole_req, length)
            self.whole_req = whole_req

    def _fits(
        self,
        check: _Feasibility,
        req: list[list[int]],
        position: int,
        counts: list[int],
        pool: list[int],
        m: int,
    ) -> bool:
        new = _add(counts, m)
        if not _meets(req, new, position):
            return False
        rest = list(pool)
        rest[m] -= 1
        return check(position, new, rest)

    def _group_fails(
        self, j: int, position: int, counts: list[int], pool: list[int], m: int
    ) -> bool:
        members = sum(n for t, n in enumerate(pool) if t >> j & 1)
        bit = m >> j & 1
        single_pool = [sum(pool) - members - (1 - bit), members - bit]
        new = [counts[j] + bit]
        if new[0] < self.req[j][position]:
            return True
        return not self.single[j](position, new, single_pool)

    def explain(
        self, position: int, counts: list[int], pool: list[int], idx: int, skipped: list[int]
    ) -> Reason:
        chosen = self.masks[idx]
        groups = 0
        whole_fails = False
        for m in {self.masks[s] for s in skipped}:
            culprits = 0
            for j in range(len(self.rules.groups)):
                if self._group_fails(j, position, counts, pool, m):
                    culprits |= 1 << j
            # no single quota rules it out: they only fail together; name those it lacks
            groups |= culprits or (chosen & ~m)
            if self.whole is None or not self._fits(
                self.whole, self.whole_req, position, counts, pool, m
            ):
                whole_fails = True
        code = "quota" if whole_fails else "prefix_quota"
        group_ids = self.rules.group_ids(groups)
        before = tuple(self.ranked[s].id for s in skipped)
        return Reason(
            code=code,
            groups=group_ids,
            placed_before=before,
            text=self._text(position, idx, skipped, groups, code),
        )

    def _text(self, position: int, idx: int, skipped: list[int], groups: int, code: str) -> str:
        names = [self.ranked[s].name or self.ranked[s].id for s in skipped]
        if len(names) > 3:
            shown = f"{', '.join(names[:3])} and {len(names) - 3} more"
        else:
            shown = " and ".join(filter(None, [", ".join(names[:-1]), names[-1]]))
        labels = [g.label for j, g in enumerate(self.rules.groups) if groups >> j & 1]
        quota = "quota" if len(labels) == 1 else "quotas"
        which = " and ".join(labels)
        where = " among the top places" if code == "prefix_quota" else ""
        me = self.ranked[idx].name or self.ranked[idx].id
        return (
            f"position {position}: {me} placed before {shown} "
            f"to meet the {quota} for {which}{where}"
        )


def _diagnose(
    rules: RuleSet, masks: Sequence[int], length: int, req: list[list[int]], prefix: bool
) -> QuotaInfeasible:
    """Say plainly why no list exists: a group too small, or groups that cannot fit together."""
    have = [sum(1 for m in masks if m >> j & 1) for j in range(len(rules.groups))]
    short = [
        Shortage(g.id, g.label, req[j][length], have[j])
        for j, g in enumerate(rules.groups)
        if have[j] < req[j][length]
    ]
    if short:
        return QuotaInfeasible(length, short)
    pool = [0] * (1 << len(rules.groups))
    for m in masks:
        pool[m] += 1
    zeros = [0] * len(rules.groups)
    for k in range(1, length + 1) if prefix else (length,):
        sub = [row[: k + 1] for row in req]  # the top k alone, with req[.][k] as its final need
        if not _Feasibility(sub, k)(0, zeros, pool):
            within = k if k < length else None
            return QuotaInfeasible(
                length,
                [
                    Shortage(g.id, g.label, sub[j][k], have[j], within)
                    for j, g in enumerate(rules.groups)
                    if sub[j][k]
                ],
                joint=True,
            )
    raise AssertionError("diagnose called on a feasible problem")


# --------------------------------------------------------------------------- independent check


@dataclass(frozen=True)
class Violation:
    """A list breaks a quota: group `group_id` has `count` in the top `within_top` (None: the
    whole list) where it needs `needed`."""

    group_id: str
    needed: int
    count: int
    within_top: int | None


def check_list(
    ordered: Sequence[Candidate],
    rules: str | Mapping[str, Any] | RuleSet,
    reference_date: dt.date,
    prefix: bool = False,
) -> list[Violation]:
    """Every quota violation of a given list (empty when it meets the rules).

    Written independently of the builder (plain counting, DESIGN.md 3.1 verbatim) so that tests
    and the results page can re-check what the builder returns.
    """
    rule_set = get_rules(rules)
    ids = [c.id for c in ordered]
    if len(set(ids)) != len(ids):
        raise ValueError("a candidate appears twice in the list")
    size = len(ordered)
    problems: list[Violation] = []
    for group in rule_set.groups:
        member = [group.predicate.matches(c, reference_date) for c in ordered]
        total = sum(member)
        if total * 100 < group.min_share * size:
            problems.append(Violation(group.id, group.needed(size), total, None))
        if prefix:
            count = 0
            for k in range(1, size + 1):
                count += member[k - 1]
                floor_need = group.min_share * k // 100
                if count < floor_need:
                    problems.append(Violation(group.id, floor_need, count, k))
    return problems
