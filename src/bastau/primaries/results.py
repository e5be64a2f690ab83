"""The figures of a campaign's results page: turnout, counts, rankings, statistics and the lists
with every departure from the vote order explained in the reader's language.

Counts come from the signed tally (campaign.tally) and from a fixed number of database
queries, whatever the number of candidates, lists or ballots (pinned by tests):

- candidates: one query (registered, every list at once) and one aggregate for the statistics;
- turnout: one COUNT of the frozen roll and one GROUP BY of who voted, by channel; once results
  are published these never change, so they are cached;
- lists: one query for the contests with their built lists.

The sentences that explain a list are built here with gettext from the stable fields of
quota.ListResult.to_dict() (reason.code, reason.groups, reason.placed_before) and the
infeasibility data (shortages: group, needed, available, within_top), never from the English
`text`/`message`, so a Kazakh reader reads Kazakh.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bastau.lib.dates import age_on, born_after_for_age_below
from bastau.lib.stats import share

from . import quota, services
from . import tally as kept_figures
from .models import Campaign, Candidate

PUBLISHED = (Campaign.Status.RESULTS, Campaign.Status.CLOSED)
TURNOUT_CACHE_SECONDS = 600


# Turnout -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Turnout:
    roll: int  # members on the frozen voter roll
    ballots: int  # ballots counted (the tally), online and paper
    blank: int
    online: int  # members recorded as having voted online
    paper: int  # ... on paper at a polling station

    @property
    def voted(self) -> int:
        return self.online + self.paper

    @property
    def percent(self) -> Decimal:
        return share(self.ballots, self.roll)

    @property
    def online_percent(self) -> Decimal:
        return share(self.online, self.voted)

    @property
    def paper_percent(self) -> Decimal:
        return share(self.paper, self.voted)


def turnout(campaign: Campaign) -> Turnout:
    """Two queries, cached once results are published (the figures are final then)."""
    key = None
    if campaign.status in PUBLISHED and campaign.roll_frozen_at:
        signature = (campaign.tally or {}).get("signature", "")[:24]
        key = f"primaries:turnout:{campaign.pk}:{campaign.roll_frozen_at.timestamp()}:{signature}"
        cached = cache.get(key)
        if cached is not None:
            return cached
    kept = kept_figures.turnout(campaign)  # counted once voting has closed (primaries.tally)
    tally = campaign.tally or {}
    online, paper = kept["online"], kept["paper"]
    result = Turnout(
        roll=kept["roll"],
        ballots=int(tally.get("ballots", online + paper)),
        blank=int(tally.get("blank", 0)),
        online=online,
        paper=paper,
    )
    if key:
        cache.set(key, result, TURNOUT_CACHE_SECONDS)
    return result


# Candidates: statistics and rankings ---------------------------------------------------
@dataclass(frozen=True)
class CandidateStats:
    youth_age: int
    nominated: int  # every nomination, whatever became of it
    registered: int
    women: int  # of the registered
    youth: int
    by_poo: int
    self_nominated: int
    withdrawn: int
    rejected: int

    @property
    def women_percent(self) -> Decimal:
        return share(self.women, self.registered)

    @property
    def youth_percent(self) -> Decimal:
        return share(self.youth, self.registered)

    @property
    def by_poo_percent(self) -> Decimal:
        return share(self.by_poo, self.registered)

    @property
    def self_percent(self) -> Decimal:
        return share(self.self_nominated, self.registered)


def youth_age() -> int:
    return settings.YOUTH_AGE_LIMIT


def candidate_stats(campaign: Campaign, reference: dt.date | None = None) -> CandidateStats:
    """One aggregate query: shares of women and youth, POO-nominated vs self-nominated."""
    reference = reference or services.reference_date(campaign)
    age = youth_age()
    born_after = born_after_for_age_below(age, reference)
    registered = Q(status=Candidate.Status.REGISTERED)
    row = Candidate.objects.filter(campaign=campaign).aggregate(
        nominated=Count("pk"),
        registered=Count("pk", filter=registered),
        women=Count("pk", filter=registered & Q(sex="F")),
        youth=Count("pk", filter=registered & Q(birth_date__gt=born_after)),
        by_poo=Count("pk", filter=registered & Q(nomination=Candidate.Nomination.POO)),
        self_nominated=Count("pk", filter=registered & Q(nomination=Candidate.Nomination.SELF)),
        withdrawn=Count("pk", filter=Q(status=Candidate.Status.WITHDRAWN)),
        rejected=Count("pk", filter=Q(status=Candidate.Status.REJECTED)),
    )
    return CandidateStats(youth_age=age, **row)


@dataclass
class RankedCandidate:
    rank: int
    candidate: Candidate
    votes: int
    percent: Decimal  # of the list's ballots
    age: int
    woman: bool
    young: bool


@dataclass
class ContestResult:
    contest: object
    ballots: int
    overall: list[RankedCandidate] = field(default_factory=list)
    list_result: object | None = None  # models.ListResult
    rows: list[dict] = field(default_factory=list)  # the list, each row with its explanation
    infeasible: list[str] = field(default_factory=list)  # plain sentences
    quotas: list[dict] = field(default_factory=list)

    @property
    def women(self) -> list[RankedCandidate]:
        return _rerank([r for r in self.overall if r.woman])

    @property
    def youth(self) -> list[RankedCandidate]:
        return _rerank([r for r in self.overall if r.young])


def _rerank(rows: list[RankedCandidate]) -> list[dict]:
    return [{"rank": i, "row": r} for i, r in enumerate(rows, start=1)]


def _contest_ballots(
    campaign: Campaign, contests: list, lists: int | None = None
) -> dict[int, int]:
    """Ballots per list: the tally's total when there is one list, else the kept counts.
    `lists`: how many lists the campaign has, when `contests` are some of them."""
    total = int((campaign.tally or {}).get("ballots", 0))
    if (len(contests) if lists is None else lists) <= 1:
        return {c.pk: total for c in contests}
    key = None
    if campaign.status in PUBLISHED:
        signature = (campaign.tally or {}).get("signature", "")[:24]
        key = f"primaries:contest-ballots:{campaign.pk}:{signature}"
        cached = cache.get(key)
        if cached is not None:
            return cached
    counts = kept_figures.list_ballots(campaign)  # kept by the sealer (primaries.tally)
    if key:
        cache.set(key, counts, TURNOUT_CACHE_SECONDS)
    return counts


def contest_ballots(
    campaign: Campaign, contests: list, *, lists: int | None = None
) -> dict[int, int]:
    """Ballots per list (contest pk -> ballots) of `contests`: all the lists of the campaign, or
    some of them when `lists` says how many it has (every list's count may be in the answer)."""
    return _contest_ballots(campaign, contests, lists)


def contest_results(
    campaign: Campaign,
    reference: dt.date | None = None,
    *,
    contests: list | None = None,
    ballots: dict[int, int] | None = None,
) -> list[ContestResult]:
    """Every list of the campaign (or `contests`, lists of it read with `select_related("result")`):
    counts, rankings (overall, women, youth) and the built list.

    Three queries in all: the contests with their built lists (unless given), the registered
    candidates of those lists, and (with several lists, unless `ballots` gives them) the ballots
    per list. With a part of the lists pass `ballots` (from `contest_ballots` over all of them):
    a part cannot tell a one-list campaign from a larger one.
    """
    reference = reference or services.reference_date(campaign)
    age_limit = youth_age()
    counts = (campaign.tally or {}).get("counts", {})
    candidates_qs = Candidate.objects.filter(campaign=campaign, status=Candidate.Status.REGISTERED)
    if contests is None:
        contests = list(campaign.contests.select_related("result").order_by("title", "pk"))
    else:
        candidates_qs = candidates_qs.filter(contest_id__in=[c.pk for c in contests])
    per_contest = ballots if ballots is not None else _contest_ballots(campaign, contests)
    candidates = list(candidates_qs.select_related("nominating_poo").order_by("number"))
    by_contest: dict[int, list[Candidate]] = {}
    for c in candidates:
        by_contest.setdefault(c.contest_id, []).append(c)
    by_board_id = {c.board_id: c for c in candidates}
    seed = campaign.tie_break_seed or None
    labels = group_labels(campaign)
    results = []
    for contest in contests:
        mine = by_contest.get(contest.pk, [])
        ballots = per_contest.get(contest.pk, 0)
        ranked = quota.rank_candidates(
            [
                quota.Candidate(
                    id=c.board_id,
                    name=c.name,
                    votes=int(counts.get(c.board_id, 0)),
                    gender="F" if c.sex == "F" else "M",
                    birth_date=c.birth_date,
                    registration_order=c.number,
                )
                for c in mine
            ],
            seed,
        )
        overall = []
        for rank, qc in enumerate(ranked, start=1):
            c = by_board_id[qc.id]
            years = age_on(c.birth_date, reference)
            overall.append(
                RankedCandidate(
                    rank=rank,
                    candidate=c,
                    votes=qc.votes,
                    percent=share(qc.votes, ballots),
                    age=years,
                    woman=c.sex == "F",
                    young=years < age_limit,
                )
            )
        result = ContestResult(contest=contest, ballots=ballots, overall=overall)
        list_result = getattr(contest, "result", None)
        if list_result is not None:
            result.list_result = list_result
            data = list_result.data
            if list_result.feasible:
                result.rows = explain_rows(data, by_board_id, labels)
                result.quotas = [
                    {**q, "label": labels.get(q["group"], q.get("label", q["group"]))}
                    for q in data.get("quotas", [])
                ]
            else:
                result.infeasible = explain_infeasible(data, labels)
        results.append(result)
    return results


# Explanations -------------------------------------------------------------------------------
def _predicate_label(predicate: quota.Predicate) -> str:
    if predicate.kind == "woman":
        return _("women")
    if predicate.kind == "disability":
        return _("persons with disabilities")
    if predicate.kind == "youth":
        return _("youth (under %(age)s)") % {"age": predicate.age_below}
    return join_words([_predicate_label(p) for p in predicate.of])


def group_labels(campaign: Campaign) -> dict[str, str]:
    """Group id -> label in the reader's language. A branch's own (custom) rule set keeps the
    labels the branch wrote; the presets' groups are described from what they count."""
    try:
        rules = services.campaign_rules(campaign)
    except (ValueError, KeyError, TypeError):
        return {}
    custom = campaign.quota_rules == Campaign.Rules.CUSTOM
    labels = {}
    for group in rules.groups:
        if custom and group.label:
            labels[group.id] = group.label
        else:
            labels[group.id] = _predicate_label(group.predicate)
    return labels


def join_words(words: list[str]) -> str:
    """ "a", "a and b", "a, b and c" in the reader's language."""
    words = [w for w in words if w]
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


def join_names(names: list[str], shown: int = 3) -> str:
    if len(names) <= shown:
        return join_words(names)
    rest = len(names) - shown
    return ngettext(
        "%(names)s and %(count)s more",
        "%(names)s and %(count)s more",
        rest,
    ) % {"names": ", ".join(names[:shown]), "count": rest}


def explain_reason(
    row: dict, names: dict[str, str], labels: dict[str, str], name: str | None = None
) -> str:
    """'Position 7: X is placed before Y to meet the quota for women.'"""
    reason = row.get("reason") or {}
    groups = [labels.get(g, g) for g in reason.get("groups", [])]
    before = [names.get(cid, cid) for cid in reason.get("placed_before", [])]
    params = {
        "position": row.get("position"),
        "name": name or row.get("name") or row.get("id"),
        "others": join_names(before),
        "groups": join_words(groups),
    }
    if reason.get("code") == "prefix_quota":
        text = ngettext(
            "Position %(position)s: %(name)s is placed before %(others)s, who had more votes, "
            "to meet the quota for %(groups)s among the top places.",
            "Position %(position)s: %(name)s is placed before %(others)s, who had more votes, "
            "to meet the quotas for %(groups)s among the top places.",
            len(groups),
        )
    else:
        text = ngettext(
            "Position %(position)s: %(name)s is placed before %(others)s, who had more votes, "
            "to meet the quota for %(groups)s.",
            "Position %(position)s: %(name)s is placed before %(others)s, who had more votes, "
            "to meet the quotas for %(groups)s.",
            len(groups),
        )
    return text % params


def explain_rows(data: dict, by_board_id: dict[str, Candidate], labels: dict) -> list[dict]:
    names = {cid: c.name for cid, c in by_board_id.items()}
    for row in data.get("list", []):
        names.setdefault(row["id"], row.get("name") or row["id"])
    rows = []
    for row in data.get("list", []):
        candidate = by_board_id.get(row["id"])
        rows.append(
            {
                **row,
                "candidate": candidate,
                "group_labels": [labels.get(g, g) for g in row.get("groups", [])],
                "explanation": explain_reason(row, names, labels) if row.get("reason") else "",
            }
        )
    return rows


def explain_infeasible(data: dict, labels: dict[str, str]) -> list[str]:
    """Why no list meets the quotas: which group, how many are needed, how many there are."""
    info = data.get("infeasible")
    if not isinstance(info, dict):
        return [_("No list can be built that meets the quotas.")]
    length = info.get("length")
    if "shortages" not in info:  # too few candidates for the list's length
        count = info.get("candidates", 0)
        return [
            ngettext(
                "A list of %(length)s places needs at least %(length)s registered candidates; "
                "there is %(count)s.",
                "A list of %(length)s places needs at least %(length)s registered candidates; "
                "there are %(count)s.",
                count,
            )
            % {"length": length, "count": count}
        ]
    shortages = info.get("shortages") or []
    if not info.get("joint"):
        sentences = []
        for s in shortages:
            label = labels.get(s.get("group"), s.get("label") or s.get("group"))
            sentences.append(
                ngettext(
                    "No list of %(length)s places can meet the quota for %(group)s: it needs at "
                    "least %(needed)s, and only %(available)s candidate qualifies.",
                    "No list of %(length)s places can meet the quota for %(group)s: it needs at "
                    "least %(needed)s, and only %(available)s candidates qualify.",
                    s.get("available", 0),
                )
                % {
                    "length": length,
                    "group": label,
                    "needed": s.get("needed"),
                    "available": s.get("available"),
                }
            )
        return sentences
    needs = join_words(
        [
            _("%(group)s need %(needed)s")
            % {"group": labels.get(s.get("group"), s.get("label")), "needed": s.get("needed")}
            for s in shortages
        ]
    )
    within = shortages[0].get("within_top") if shortages else None
    if within:
        text = _(
            "No list of %(length)s places can meet the quotas: %(needs)s within the top "
            "%(top)s places, and too few candidates count for more than one group for all of "
            "these to fit together."
        )
    else:
        text = _(
            "No list of %(length)s places can meet the quotas: %(needs)s, and too few "
            "candidates count for more than one group for all of these to fit together."
        )
    return [text % {"length": length, "needs": needs, "top": within}]


# Documents --------------------------------------------------------------------------------
def document_links(campaign: Campaign) -> list[dict]:
    """Links to the protocol (kk/ru, PDF/DOCX) and the XLSX results, when those pages exist."""
    from django.urls import NoReverseMatch, reverse

    links = []
    names = {"kk": _("Kazakh"), "ru": _("Russian")}
    for lang in ("kk", "ru"):
        for fmt in ("pdf", "docx"):
            try:
                url = reverse("primaries:protocol", args=[campaign.slug, lang, fmt])
            except NoReverseMatch:
                continue
            links.append(
                {
                    "url": url,
                    "label": _("Protocol (%(language)s, %(format)s)")
                    % {"language": names[lang], "format": fmt.upper()},
                }
            )
    try:
        url = reverse("primaries:results_xlsx", args=[campaign.slug])
    except NoReverseMatch:
        pass
    else:
        links.append({"url": url, "label": _("Results (XLSX)")})
    return links
