"""Open data: the datasets the branch publishes, each as CSV and JSON at a stable URL, with a
description, a licence and an update date, and a DCAT-style catalogue for portals.

Only public facts are published: campaigns whose results are out (turnout and the board's
address), the public reception's counts by year, branch and kind of appeal with every group
under `MIN_GROUP` left out (so no small group can point to a person), the budget indicators the
faction monitors, and the deputies' reports to voters. Rows are read in the database in order
and streamed, so a dataset never sits whole in memory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import CharField, Count, Max, Q
from django.db.models.functions import Cast, Substr
from django.utils.translation import gettext_lazy as _

from bastau.oversight.models import BudgetIndicator, ScheduledReport
from bastau.primaries import results as primaries_results
from bastau.primaries.models import Campaign
from bastau.reception.models import Appeal
from bastau.voice.agenda import permissions as agenda_perms
from bastau.voice.agenda import services as agenda_services
from bastau.voice.agenda.models import Evidence, ProgrammeItem

#: Reception counts of fewer appeals than this are not published.
MIN_GROUP = 5
LICENCE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
CHUNK = 2000


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: object  # lazy translation
    description: object
    columns: tuple[str, ...]
    rows: Callable[..., Iterator[list]]  # rows(today) where `dated`, else rows()
    updated: Callable[[], dt.date | None]
    dated: bool = False  # its rows depend on the day (a commitment becomes overdue)


def _day(value) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def _iso(value) -> str:
    if value is None:
        return ""
    return value.isoformat()


# Campaign results and boards ----------------------------------------------------------------
def _campaigns():
    return Campaign.objects.filter(status__in=primaries_results.PUBLISHED).select_related("branch")


def campaign_rows() -> Iterator[list]:
    from django.urls import reverse

    for c in _campaigns().order_by("pk").iterator(chunk_size=CHUNK):
        turnout = primaries_results.turnout(c)
        yield [
            c.slug,
            c.title,
            c.branch.code,
            c.status,
            _iso(c.voting_starts),
            _iso(c.voting_ends),
            _iso(c.results_date),
            turnout.roll,
            turnout.ballots,
            turnout.voted,
            reverse("primaries:results", args=[c.slug]),
            reverse("primaries:board_json", args=[c.slug]),
        ]


def campaign_updated():
    return _campaigns().aggregate(last=Max("results_date"))["last"]


# Reception statistics -------------------------------------------------------------------------
def reception_rows() -> Iterator[list]:
    groups = (
        # The year as the date's first four characters: plain SQL on both databases (SQLite's
        # ExtractYear calls back into Python for every row).
        Appeal.objects.annotate(year_registered=Substr(Cast("registered_on", CharField()), 1, 4))
        .values("year_registered", "receiving_branch__code", "kind")
        .annotate(appeals=Count("pk"), resolved=Count("pk", filter=~_open_filter()))
        .filter(appeals__gte=MIN_GROUP)
        .order_by("year_registered", "receiving_branch__code", "kind")
    )
    for g in groups.iterator(chunk_size=CHUNK):
        resolved = g["resolved"]
        yield [
            int(g["year_registered"]),
            g["receiving_branch__code"],
            g["kind"],
            g["appeals"],
            # a resolved count under MIN_GROUP (or whose open rest is) is withheld too
            resolved if MIN_GROUP <= resolved <= g["appeals"] - MIN_GROUP else "",
        ]


def _open_filter():
    return Q(resolved_on__isnull=True)


def reception_updated():
    return Appeal.objects.aggregate(last=Max("registered_on"))["last"]


# Budget monitoring ----------------------------------------------------------------------------
def budget_rows() -> Iterator[list]:
    qs = BudgetIndicator.objects.select_related("maslikhat").order_by("pk")
    for i in qs.iterator(chunk_size=CHUNK):
        yield [
            i.maslikhat.name,
            i.year,
            i.sector,
            i.code,
            i.name,
            i.program,
            i.unit,
            str(i.plan),
            "" if i.corrected_plan is None else str(i.corrected_plan),
            "" if i.actual is None else str(i.actual),
            "" if i.execution_percent is None else str(i.execution_percent),
            i.lagging,
        ]


def budget_updated():
    return _day(BudgetIndicator.objects.aggregate(last=Max("updated_at"))["last"])


# Deputies' reporting --------------------------------------------------------------------------
def report_rows() -> Iterator[list]:
    qs = ScheduledReport.objects.select_related("deputy", "schedule__maslikhat").order_by("pk")
    for r in qs.iterator(chunk_size=CHUNK):
        d = r.deputy
        yield [
            r.schedule.maslikhat.name,
            " ".join(part for part in (d.last_name, d.first_name, d.patronymic) if part),
            _iso(r.date),
            r.place,
            r.topic,
            r.status,
            _iso(r.held_on),
            "" if r.attendance is None else r.attendance,
        ]


def report_updated():
    row = ScheduledReport.objects.aggregate(recorded=Max("recorded_at"), planned=Max("date"))
    days = [d for d in (_day(row["recorded"]), row["planned"]) if d is not None]
    return max(days) if days else None


# The programme's commitments ------------------------------------------------------------------
def _published_versions() -> list:
    """The latest published (adopted) version of each programme, as its public page shows."""
    latest = agenda_perms.public_versions().order_by("programme_id", "-number")
    seen, out = set(), []
    for v in latest.iterator(chunk_size=CHUNK):
        if v.programme_id not in seen:
            seen.add(v.programme_id)
            out.append(v)
    return out


def commitment_rows(today: dt.date) -> Iterator[list]:
    from django.urls import reverse

    versions = _published_versions()
    keys = [row["key"] for v in versions for row in v.items]
    items = agenda_services.with_state(ProgrammeItem.objects.filter(pk__in=keys), today)
    items = items.only("pk", "status", "deadline", "done_on")
    current = {i.pk: (i.state, i.done_on) for i in items}
    for v in versions:
        url = reverse("agenda:public_programme", args=[v.programme_id])
        for row in v.items:
            state, done_on = current.get(row["key"], ("", None))
            yield [
                v.programme_id,
                v.programme.branch.code,
                v.programme.title,
                v.programme.title_ru,
                v.number,
                _iso(v.adopted_on),
                row["position"],
                row["title"],
                row["title_ru"],
                row["indicator"],
                row["target"],
                row["deadline"],
                row["responsible"],
                row["cost"] or "",
                row["district"],
                state,
                _iso(done_on),
                url,
            ]


def commitment_updated():
    versions = agenda_perms.public_versions()
    published = _day(versions.aggregate(last=Max("published_at"))["last"])
    keys = [row["key"] for v in _published_versions() for row in v.items]
    evidence = Evidence.objects.filter(item_id__in=keys).aggregate(last=Max("date"))["last"]
    done = ProgrammeItem.objects.filter(pk__in=keys).aggregate(last=Max("done_on"))["last"]
    days = [d for d in (published, evidence, done) if d is not None]
    return max(days) if days else None


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "campaign-results",
        _("Primaries: results and boards"),
        _(
            "Every selection campaign whose results are published: dates, voter roll, ballots "
            "counted, members who voted, and the addresses of its results page and of its "
            "public bulletin board (the signed record anyone can verify)."
        ),
        (
            "campaign",
            "title",
            "branch",
            "status",
            "voting_starts",
            "voting_ends",
            "results_date",
            "roll",
            "ballots",
            "voted",
            "results_url",
            "board_url",
        ),
        campaign_rows,
        campaign_updated,
    ),
    Dataset(
        "reception-statistics",
        _("Public reception: appeals by year, branch and kind"),
        _(
            "How many appeals each branch registered a year, by kind, and how many were "
            "resolved. Groups of fewer than 5 appeals are left out, and a resolved count is "
            "left empty when it or the unresolved rest is under 5."
        ),
        ("year", "branch", "kind", "appeals", "resolved"),
        reception_rows,
        reception_updated,
    ),
    Dataset(
        "budget-monitoring",
        _("Budget monitoring"),
        _(
            "The local budget's indicators that the faction monitors: plan, corrected plan, "
            "actual, execution and whether the indicator lags."
        ),
        (
            "maslikhat",
            "year",
            "sector",
            "code",
            "indicator",
            "programme",
            "unit",
            "plan",
            "corrected_plan",
            "actual",
            "execution_percent",
            "lagging",
        ),
        budget_rows,
        budget_updated,
    ),
    Dataset(
        "deputies-reporting",
        _("Deputies' reports to voters"),
        _(
            "The approved schedule of the deputies' reports to voters and what happened: "
            "date, place, topic, status, the day it was held and attendance."
        ),
        ("maslikhat", "deputy", "date", "place", "topic", "status", "held_on", "attendance"),
        report_rows,
        report_updated,
    ),
    Dataset(
        "programme-commitments",
        _("The programme's commitments"),
        _(
            "Every commitment of the adopted and published pre-election programmes (the "
            "latest version of each): indicator, target, deadline, who is responsible, cost "
            "in thousand tenge where known, and its state today: planned, in progress, kept, "
            "withdrawn or overdue."
        ),
        (
            "programme",
            "branch",
            "programme_title",
            "programme_title_ru",
            "version",
            "adopted_on",
            "position",
            "commitment",
            "commitment_ru",
            "indicator",
            "target",
            "deadline",
            "responsible",
            "cost",
            "district",
            "state",
            "done_on",
            "page_url",
        ),
        commitment_rows,
        commitment_updated,
        dated=True,
    ),
)

BY_SLUG = {d.slug: d for d in DATASETS}
