"""The branch report's figures: every section counted in the database, over the reader's scope
narrowed to one place (the region, a branch or a POO), for a period and a comparison period.

Each figure carries its key (its label and definition are in `texts.py`), its value, the value
in the comparison period where that means something, and the link to the list behind it. The
number of queries does not depend on the size of the data (about 35 for the region): members
are counted with conditional aggregates, POO growth with two grouped counts, the reception
through its own statistics (5 queries per period), and so on. Nothing loops over rows in Python
except the per-POO and per-month groups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, F, Q
from django.urls import reverse

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.activity import permissions as activity_perms
from bastau.activity.models import (
    Award,
    CommissionSession,
    ContestEntry,
    Instruction,
    SocialProject,
)
from bastau.core.permissions import rule as permission_rule
from bastau.lib import stats
from bastau.members import permissions as member_perms
from bastau.members import statistics as member_stats
from bastau.members.models import Admission, PartyCard, ReviewItem
from bastau.oversight import permissions as oversight_perms
from bastau.oversight import statistics as oversight_stats
from bastau.oversight.models import BudgetIndicator, ScheduledReport
from bastau.primaries.models import Campaign, Candidate, Participation
from bastau.reception import permissions as reception_perms
from bastau.reception import statistics as reception_stats
from bastau.reception.statistics import Period
from bastau.structure import permissions as structure_perms
from bastau.structure.models import Branch, PrimaryOrganization


class PlaceNotFound(Exception):
    """The branch or POO asked for is not one the reader may see (or does not exist)."""


@dataclass(frozen=True)
class Place:
    kind: str  # "region", "branch" or "poo"
    branch: Branch | None = None
    poo: PrimaryOrganization | None = None

    def name(self, lang: str) -> str:
        obj = self.poo or self.branch
        if obj is None:
            return ""
        if lang == "ru" and getattr(obj, "name_ru", ""):
            return obj.name_ru
        return obj.name

    @property
    def query(self) -> dict:
        if self.poo is not None:
            return {"poo": self.poo.code}
        if self.branch is not None and self.kind == "branch":
            return {"branch": self.branch.code}
        return {}


def resolve_place(scope: Scope, branch_code: str = "", poo_code: str = "") -> Place:
    """The place a report is about: a POO, a branch, or (for the regional administrator) the
    region; the reader's own branch or POO by default. A code outside the scope is refused."""
    if poo_code:
        poo = structure_perms.poos(scope).filter(code=poo_code).select_related("branch").first()
        if poo is None:
            raise PlaceNotFound(poo_code)
        return Place("poo", branch=poo.branch, poo=poo)
    if branch_code:
        branch = structure_perms.branches(scope).filter(code=branch_code).first()
        if branch is None:
            raise PlaceNotFound(branch_code)
        if branch.kind == Branch.Kind.REGION:
            if not scope.is_regional_admin:
                raise PlaceNotFound(branch_code)
            return Place("region", branch=branch)
        return Place("branch", branch=branch)
    if scope.is_regional_admin:
        return Place("region", branch=Branch.objects.filter(kind=Branch.Kind.REGION).first())
    user = scope.user
    if scope.role == Role.POO_LEADER and user.poo_id:
        poo = PrimaryOrganization.objects.select_related("branch").get(pk=user.poo_id)
        return Place("poo", branch=poo.branch, poo=poo)
    return Place("branch", branch=Branch.objects.get(pk=user.branch_id))


@dataclass
class Figure:
    key: str
    value: int | Decimal | None
    previous: int | Decimal | None = None
    kind: str = "count"  # count | share | ratio | average
    link: str = ""
    params: dict = field(default_factory=dict)

    @property
    def change(self):
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass
class Chart:
    key: str
    kind: str  # "bars", "pyramid", "trend"
    labels: list[str]
    series: list[tuple[str, list[int]]]  # (series text key, values)


@dataclass
class Section:
    key: str
    figures: list[Figure] = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)

    def figure(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.key == key), None)


@dataclass
class Report:
    place: Place
    period: Period
    comparison: Period
    youth_age: int
    sections: list[Section] = field(default_factory=list)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def place_name(self, lang: str) -> str:
        return self.place.name(lang)


def _link(name: str, **params) -> str:
    query = {k: v for k, v in params.items() if v not in (None, "", False)}
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def _in_period(prefix: str, period: Period) -> Q:
    return Q(**{f"{prefix}__gte": period.start, f"{prefix}__lte": period.end})


# Sections ---------------------------------------------------------------------------------
def _members_qs(scope: Scope, place: Place):
    qs = member_perms.members(scope)
    if place.poo is not None:
        return qs.filter(poo=place.poo)
    if place.kind == "branch":
        return qs.filter(poo__branch=place.branch)
    return qs


def members_section(scope: Scope, place: Place, period: Period, comparison: Period, youth_age):
    base = _members_qs(scope, place)
    o = member_stats.overview(
        scope, reference=period.end, growth_from=period.start, youth_age=youth_age, base_qs=base
    )
    previous = member_stats.members_at(base, comparison.end).aggregate(
        total=Count("pk"),
        women=Count("pk", filter=Q(sex="F")),
    )
    q = place.query
    section = Section("members")
    section.figures = [
        Figure("members_total", o.total, previous["total"], link=_link("members:list", **q)),
        Figure(
            "women_share",
            o.women_share,
            stats.share(previous["women"], previous["total"]),
            kind="share",
            link=_link("members:list", sex="F", **q),
            params={"n": o.women},
        ),
        Figure(
            "youth_share",
            o.youth_share,
            None,
            kind="share",
            link=_link("members:list", youth="on", **q),
            params={"n": o.youth, "age": youth_age},
        ),
        Figure("growth", o.growth.after, o.growth.before, link=_link("members:overview", **q)),
    ]
    section.facts = {
        "day": period.end,
        "start": period.start,
        "total": o.total,
        "women": o.women,
        "women_share": o.women_share,
        "youth": o.youth,
        "youth_share": o.youth_share,
        "youth_age": youth_age,
        "before": o.growth.before,
        "after": o.growth.after,
    }
    # The POOs that grew most in the period (two grouped counts over the place's members).
    if place.poo is None:
        day_before = period.start - dt.timedelta(days=1)

        # One pass: members on the period's last day and on the day before it, per POO.
        def on(day):
            return Q(joined_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gt=day))

        rows = (
            base.filter(joined_on__lte=period.end)
            .filter(Q(left_on__isnull=True) | Q(left_on__gte=day_before))
            .values_list("poo_id")
            .annotate(
                after=Count("pk", filter=on(period.end)), before=Count("pk", filter=on(day_before))
            )
            .order_by()
        )
        after, before = {}, {}
        for poo_id, n_after, n_before in rows:
            after[poo_id], before[poo_id] = n_after, n_before
        growth = sorted(
            ((after.get(p, 0) - before.get(p, 0), p) for p in set(after) | set(before)),
            key=lambda t: (-t[0], t[1]),
        )
        top = [(g, p) for g, p in growth[:3] if g > 0]
        names = {p.pk: p for p in PrimaryOrganization.objects.filter(pk__in=[p for _g, p in top])}
        section.facts["top_poos"] = [
            {
                "name": names[p].name,
                "name_ru": getattr(names[p], "name_ru", "") or names[p].name,
                "code": names[p].code,
                "before": before.get(p, 0),
                "after": after.get(p, 0),
            }
            for _g, p in top
        ]
    section.charts = [
        Chart(
            "chart_pyramid",
            "pyramid",
            [label for label, _m, _f in o.pyramid],
            [("men", [m for _l, m, _f in o.pyramid]), ("women", [f for _l, _m, f in o.pyramid])],
        ),
        Chart(
            "chart_months",
            "trend",
            [r["month"].strftime("%m.%Y") for r in o.months],
            [
                ("admissions", [r["admissions"] for r in o.months]),
                ("exits", [r["exits"] for r in o.months]),
            ],
        ),
        Chart(
            "chart_sectors",
            "bars",
            [str(label) for _v, label, _n in o.sectors],
            [("members_total", [n for _v, _l, n in o.sectors])],
        ),
    ]
    return section


def admissions_section(scope: Scope, place: Place, period: Period, comparison: Period):
    qs = member_perms.admissions(scope)
    cards = PartyCard.objects.filter(member__in=_members_qs(scope, place).values("pk"))
    if place.poo is not None:
        qs = qs.filter(poo=place.poo)
    elif place.kind == "branch":
        qs = qs.filter(poo__branch=place.branch)
    admitted = [Admission.Stage.ADMITTED, Admission.Stage.CARD_ISSUED]

    def counts(p: Period):
        row = qs.aggregate(
            applied=Count("pk", filter=_in_period("applied_on", p)),
            admitted=Count(
                "pk", filter=_in_period("district_decision_date", p) & Q(stage__in=admitted)
            ),
            rejected=Count(
                "pk",
                filter=_in_period("district_decision_date", p) & Q(stage=Admission.Stage.REJECTED),
            ),
        )
        row["cards"] = cards.filter(_in_period("issued_on", p)).count()
        return row

    now, before = counts(period), counts(comparison)
    q = place.query
    section = Section("admissions")
    section.figures = [
        Figure(
            "applications", now["applied"], before["applied"], link=_link("members:admissions", **q)
        ),
        Figure(
            "admitted",
            now["admitted"],
            before["admitted"],
            link=_link("members:admissions", stage="admitted", **q),
        ),
        Figure(
            "rejected",
            now["rejected"],
            before["rejected"],
            link=_link("members:admissions", stage="rejected", **q),
        ),
        Figure("cards", now["cards"], before["cards"], link=_link("members:list", **q)),
    ]
    section.facts = {"admitted": now["admitted"], "cards": now["cards"], "applied": now["applied"]}
    return section


def primaries_section(scope: Scope, place: Place, period: Period):
    """The campaigns whose results were published in the period, and the latest one before it
    (a selection is rare: the report recalls the last one). The figures count the period's
    campaigns, or the latest one before it when the period had none."""
    if place.poo is not None:
        return None
    done = [Campaign.Status.RESULTS, Campaign.Status.CLOSED]
    qs = Campaign.objects.filter(status__in=done, results_date__lte=period.end)
    if place.kind == "branch":
        qs = qs.filter(branch=place.branch)
    in_period = list(qs.filter(results_date__gte=period.start).order_by("results_date"))
    before = list(qs.filter(results_date__lt=period.start).order_by("-results_date")[:1])
    section = Section("primaries")
    rows = []
    for c in before + in_period:  # a handful of campaigns, two counts each
        candidates = Candidate.objects.filter(
            campaign=c, status=Candidate.Status.REGISTERED
        ).count()
        voters = Participation.objects.filter(campaign=c).count()
        rows.append(
            {
                "name": c.title,
                "year": c.results_date.year,
                "candidates": candidates,
                "voters": voters,
                "slug": c.slug,
                "in_period": c in in_period,
            }
        )
    counted = [r for r in rows if r["in_period"]] or rows
    section.facts = {"campaigns": rows, "in_period": bool(in_period)}
    section.figures = [
        Figure(
            "candidates", sum(r["candidates"] for r in counted), link=reverse("primaries:manage")
        ),
        Figure("voters", sum(r["voters"] for r in counted), link=reverse("primaries:manage")),
    ]
    return section


def reception_section(scope: Scope, place: Place, period: Period, comparison: Period, as_of):
    if place.poo is not None or not reception_perms.view_statistics(scope):
        return None
    branch = place.branch if place.kind == "branch" else None
    cmp = reception_stats.compare(scope, period, comparison, branch=branch, as_of=as_of)
    # Receptions held: the dashboard's count (sessions in the scope's branches) for the last
    # two months of the period and the two before, one query.
    two_now, two_before = reception_stats.last_two_months(period.end)
    held = reception_perms.sessions(scope)
    if branch is not None:
        held = held.filter(branch=branch)
    held = held.aggregate(
        now=Count("pk", filter=_in_period("date", two_now)),
        before=Count("pk", filter=_in_period("date", two_before)),
    )
    cur, prev = cmp.current, cmp.previous
    q = {"branch": branch.pk} if branch else {}
    dash = _link(
        "reception:staff_dashboard", start=period.start.isoformat(), end=period.end.isoformat(), **q
    )
    section = Section("reception")
    section.figures = [
        Figure(
            "appeals", cur.registered, prev.registered, link=_link("reception:staff_appeals", **q)
        ),
        Figure("decided", cur.decided, prev.decided, link=dash),
        Figure(
            "positive_share",
            cur.positive_share,
            prev.positive_share,
            kind="share",
            link=dash,
            params={"n": cur.positive},
        ),
        Figure(
            "overdue_share",
            cur.overdue_share,
            prev.overdue_share,
            kind="share",
            link=_link("reception:staff_overdue"),
        ),
        Figure(
            "sessions_two_months",
            held["now"],
            held["before"],
            link=_link("reception:staff_sessions"),
        ),
        Figure("average_days", cur.average_days, prev.average_days, kind="average", link=dash),
    ]
    section.facts = {
        "registered": cur.registered,
        "registered_before": prev.registered,
        "decided": cur.decided,
        "positive": cur.positive,
        "positive_share": cur.positive_share,
        "positive_share_before": prev.positive_share,
        "sessions": held["now"],
        "sessions_before": held["before"],
        "sessions_ratio": reception_stats.ratio(held["now"], held["before"]),
    }
    section.charts = [
        Chart(
            "chart_topics",
            "bars",
            [b.label for b in cur.by_topic][:10],
            [("appeals", [b.count for b in cur.by_topic][:10])],
        ),
        Chart(
            "chart_positive",
            "bars",
            [
                f"{comparison.start:%d.%m.%Y}-{comparison.end:%d.%m.%Y}",
                f"{period.start:%d.%m.%Y}-{period.end:%d.%m.%Y}",
            ],
            [("positive_share", [int(prev.positive_share), int(cur.positive_share)])],
        ),
    ]
    return section


def oversight_section(scope: Scope, place: Place, period: Period):
    if place.poo is not None or not oversight_perms.view_oversight(scope):
        return None
    masl = oversight_perms.maslikhats(scope)
    if place.kind == "branch":
        masl = masl.filter(branch=place.branch)
    register = oversight_stats.register_overview(scope, reference=period.end)
    deputies = oversight_perms.deputies(scope, active_only=True).filter(maslikhat__in=masl)
    total = deputies.count() if place.kind == "branch" else register.total
    reports = oversight_perms.in_scope(
        scope, ScheduledReport.objects.all(), "schedule__maslikhat"
    ).filter(schedule__maslikhat__in=masl)
    rep = reports.aggregate(
        held=Count("pk", filter=Q(status=ScheduledReport.Status.HELD) & _in_period("date", period)),
        planned=Count("pk", filter=_in_period("date", period)),
    )
    indicators = BudgetIndicator.objects.filter(maslikhat__in=masl, year=period.end.year)
    ind = indicators.aggregate(total=Count("pk"), lagging=Count("pk", filter=Q(lagging=True)))
    section = Section("oversight")
    section.figures = [
        Figure("deputies", total, link=_link("oversight:deputies")),
        Figure(
            "average_age",
            register.average_age if place.kind != "branch" else None,
            kind="average",
            link=_link("oversight:statistics"),
        ),
        Figure("reports_held", rep["held"], link=_link("oversight:schedules")),
        Figure("reports_planned", rep["planned"], link=_link("oversight:schedules")),
        Figure(
            "indicators", ind["total"], link=_link("oversight:indicators", year=period.end.year)
        ),
        Figure(
            "lagging",
            ind["lagging"],
            link=_link("oversight:indicators", year=period.end.year, lagging="on"),
        ),
    ]
    section.facts = {
        "deputies": total,
        "average_age": register.average_age if place.kind != "branch" else None,
        "reports_held": rep["held"],
        "indicators": ind["total"],
        "lagging": ind["lagging"],
        "year": period.end.year,
    }
    return section


def activity_section(scope: Scope, place: Place, period: Period, comparison: Period):
    if not activity_perms.view_activity(scope):
        return None

    def narrow(qs, poo_field="poo"):
        if place.poo is not None:
            return qs.filter(**{poo_field: place.poo})
        if place.kind == "branch":
            return qs.filter(branch=place.branch)
        return qs

    meetings = narrow(activity_perms.meetings(scope))
    m_now = meetings.filter(_in_period("date", period)).count()
    m_before = meetings.filter(_in_period("date", comparison)).count()
    instructions = (
        narrow(activity_perms.instructions(scope))
        .filter(_in_period("issued_on", period))
        .exclude(status=Instruction.Status.CANCELLED)
    )
    open_ = Q(status__in=Instruction.OPEN)
    ins = Instruction.objects.filter(pk__in=instructions.values("pk")).aggregate(
        issued=Count("pk"),
        on_time=Count("pk", filter=Q(status="done", done_on__lte=F("deadline"))),
        late=Count("pk", filter=Q(status="done", done_on__gt=F("deadline"))),
        overdue=Count("pk", filter=open_ & Q(deadline__lt=period.end)),
        open=Count("pk", filter=open_ & Q(deadline__gte=period.end)),
    )
    projects = activity_perms.social_projects(scope)
    if place.kind != "region":
        projects = projects.filter(branch=place.branch)
    pr = projects.aggregate(
        active=Count("pk", filter=Q(status=SocialProject.Status.ACTIVE)),
        optimised=Count(
            "pk",
            filter=Q(status__in=[SocialProject.Status.MERGED, SocialProject.Status.CLOSED])
            & _in_period("status_changed_on", period),
        ),
    )
    entries = ContestEntry.objects.filter(
        contest__in=activity_perms.contests(scope),
        is_winner=True,
        contest__status="finished",
    )
    if place.poo is not None:
        entries = entries.filter(poo=place.poo)
    elif place.kind == "branch":
        entries = entries.filter(poo__branch=place.branch)
    winners = entries.filter(
        contest__year__gte=period.start.year, contest__year__lte=period.end.year
    ).count()
    awards = narrow(activity_perms.awards(scope)).filter(_in_period("awarded_on", period))
    aw = awards.aggregate(
        total=Count("pk"), thanks=Count("pk", filter=Q(kind=Award.Kind.LETTER_OF_THANKS))
    )
    commissions = activity_perms.commissions(scope)
    if place.kind != "region":
        commissions = commissions.filter(branch=place.branch)
    com = commissions.count()
    sessions = (
        CommissionSession.objects.filter(commission__in=commissions.values("pk"))
        .filter(_in_period("date", period))
        .count()
    )
    q = place.query

    def only_if(rule_name: str, link: str) -> str:
        # A link shows only where its target opens for this reader.
        return link if permission_rule(rule_name)(scope) else ""

    section = Section("activity")
    section.figures = [
        Figure("meetings", m_now, m_before, link=_link("activity:meetings", **q)),
        Figure("instructions", ins["issued"], link=_link("activity:instructions")),
        Figure("on_time", ins["on_time"], link=_link("activity:board")),
        Figure("late", ins["late"], link=_link("activity:board")),
        Figure("overdue", ins["overdue"], link=_link("activity:instructions", state="overdue")),
        Figure("open", ins["open"], link=_link("activity:instructions")),
        Figure(
            "projects_active",
            pr["active"],
            link=only_if("activity.view_projects", _link("activity:projects", status="active")),
        ),
        Figure(
            "projects_optimised",
            pr["optimised"],
            link=only_if("activity.view_projects", _link("activity:projects")),
        ),
        Figure("winners", winners, link=_link("activity:contests")),
        Figure("awards", aw["total"], link=_link("activity:awards")),
        Figure("thanks", aw["thanks"], link=_link("activity:awards", kind="thanks")),
        Figure(
            "commissions",
            com,
            link=only_if("activity.manage_commissions", _link("activity:commissions")),
        ),
        Figure(
            "commission_sessions",
            sessions,
            link=only_if("activity.manage_commissions", _link("activity:commissions")),
        ),
    ]
    section.facts = {
        "meetings": m_now,
        "instructions": ins["issued"],
        "on_time": ins["on_time"],
        "late": ins["late"],
        "overdue": ins["overdue"],
        "open": ins["open"],
        "projects_active": pr["active"],
        "projects_optimised": pr["optimised"],
        "winners": winners,
        "awards": aw["total"],
        "thanks": aw["thanks"],
        "commissions": com,
        "commission_sessions": sessions,
    }
    section.charts = [
        Chart(
            "chart_instructions",
            "bars",
            ["on_time", "late", "overdue", "open"],
            [("instructions", [ins["on_time"], ins["late"], ins["overdue"], ins["open"]])],
        ),
    ]
    return section


REVIEW_CHANGED = (
    ReviewItem.Answer.CONTACT_LOST,
    ReviewItem.Answer.MOVED,
    ReviewItem.Answer.DECEASED,
    ReviewItem.Answer.WISHES_TO_LEAVE,
)


def review_section(scope: Scope, place: Place, period: Period):
    """The reviews of members that ran during the period (opened by its end, not closed before
    its start); when there is none, the latest opened before the period's end. Counted over the
    items of the place's POOs that the reader's scope covers, as the review's own pages do."""
    reviews = member_perms.reviews(scope).filter(opened_on__lte=period.end)
    running = list(
        reviews.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=period.start)).order_by(
            "opened_on", "id"
        )
    )
    chosen = running or list(reviews.order_by("-opened_on", "-id")[:1])
    if not chosen:
        return None
    items = ReviewItem.objects.filter(review__in=chosen)
    if not scope.is_regional_admin:
        items = items.filter(Q(poo__in=structure_perms.poos(scope)))
    if place.poo is not None:
        items = items.filter(poo=place.poo)
    elif place.kind == "branch":
        items = items.filter(poo__branch=place.branch)
    counts = items.aggregate(
        total=Count("id"),
        confirmed=Count("id", filter=Q(answer=ReviewItem.Answer.CONFIRMED)),
        changed=Count("id", filter=Q(answer__in=REVIEW_CHANGED)),
        other=Count("id", filter=Q(answer=ReviewItem.Answer.OTHER)),
        unanswered=Count("id", filter=Q(answer="")),
    )
    section = Section("review")
    section.facts = {
        "reviews": [
            {
                "title": r.title,
                "opened": r.opened_on,
                "deadline": r.deadline,
                "closed": r.closed_on,
            }
            for r in chosen
        ],
        **counts,
    }
    link = reverse("members:reviews")
    section.figures = [
        Figure("review_members", counts["total"], link=link),
        Figure("review_confirmed", counts["confirmed"], link=link),
        Figure("review_changed", counts["changed"], link=link),
        Figure("review_unanswered", counts["unanswered"], link=link),
    ]
    return section


def build(
    scope: Scope,
    place: Place,
    period: Period,
    comparison: Period,
    *,
    as_of: dt.date,
    youth_age: int | None = None,
) -> Report:
    """The whole report (see the module docstring)."""
    youth_age = youth_age or settings.YOUTH_AGE_LIMIT
    report = Report(place=place, period=period, comparison=comparison, youth_age=youth_age)
    for section in (
        members_section(scope, place, period, comparison, youth_age),
        review_section(scope, place, period),
        admissions_section(scope, place, period, comparison),
        primaries_section(scope, place, period),
        reception_section(scope, place, period, comparison, as_of),
        oversight_section(scope, place, period),
        activity_section(scope, place, period, comparison),
    ):
        if section is not None:
            report.sections.append(section)
    return report


def ratio(after: int, before: int) -> Decimal | None:
    if before <= 0:
        return None
    return (Decimal(after) / Decimal(before)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
