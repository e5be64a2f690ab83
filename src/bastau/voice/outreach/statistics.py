"""Reach against the plan, summed in the database, cut to the reader's scope. Only the events
whose reach is recorded count (reach and number of events): a planned event counts nothing."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from bastau.accounts.scoping import Scope
from bastau.structure.models import Branch, PrimaryOrganization

from . import permissions as perms
from .models import Campaign


def held_events(scope: Scope, campaign: Campaign):
    """The scope's events of the campaign whose reach is recorded."""
    return perms.events(scope, campaign).filter(reach__isnull=False)


def share(reach: int, planned: int) -> int | None:
    """Whole percent of the plan reached (rounded half up), None without a plan."""
    if not planned:
        return None
    return (200 * reach + planned) // (2 * planned)


def by_district(scope: Scope, campaign: Campaign) -> list[dict]:
    """Per district: planned reach (the district's own plan, else the sum of its POOs'),
    reach and number of events. Two grouped queries, whatever the number of events."""
    events = held_events(scope, campaign).order_by().values("branch_id")
    reach = {r["branch_id"]: r for r in events.annotate(reach=Sum("reach"), events=Count("pk"))}
    planned = {
        r["branch_id"]: r
        for r in perms.plan(scope, campaign)
        .order_by()
        .values("branch_id")
        .annotate(
            own=Sum("planned_reach", filter=Q(poo__isnull=True)),
            poos=Sum("planned_reach", filter=Q(poo__isnull=False)),
        )
    }
    names = Branch.objects.in_bulk(set(reach) | set(planned))
    rows = []
    for pk, branch in sorted(names.items(), key=lambda kv: kv[1].name):
        p = planned.get(pk) or {}
        plan_value = p.get("own") if p.get("own") is not None else (p.get("poos") or 0)
        r = reach.get(pk) or {}
        rows.append(
            {
                "branch": branch,
                "planned": plan_value,
                "reach": r.get("reach") or 0,
                "events": r.get("events") or 0,
                "share": share(r.get("reach") or 0, plan_value),
            }
        )
    return rows


def by_poo(scope: Scope, campaign: Campaign):
    """Per POO with a plan or an event: planned reach, reach and events, as one query
    (a queryset to paginate)."""
    events = held_events(scope, campaign).filter(poo=OuterRef("pk")).order_by()
    plan = perms.plan(scope, campaign).filter(poo=OuterRef("pk"))
    zero = Value(0, output_field=IntegerField())
    return (
        PrimaryOrganization.objects.filter(
            Q(pk__in=perms.plan(scope, campaign).filter(poo__isnull=False).values("poo_id"))
            | Q(pk__in=held_events(scope, campaign).filter(poo__isnull=False).values("poo_id"))
        )
        .select_related("branch")
        .annotate(
            planned=Coalesce(Subquery(plan.values("planned_reach")[:1]), zero),
            reach=Coalesce(
                Subquery(
                    events.values("poo").annotate(s=Sum("reach")).values("s")[:1],
                    output_field=IntegerField(),
                ),
                zero,
            ),
            event_count=Coalesce(
                Subquery(
                    events.values("poo").annotate(c=Count("pk")).values("c")[:1],
                    output_field=IntegerField(),
                ),
                zero,
            ),
        )
        .order_by("branch__name", "name")
    )


def totals(scope: Scope, campaign: Campaign) -> dict:
    rows = by_district(scope, campaign)
    planned = sum(r["planned"] for r in rows)
    reach = sum(r["reach"] for r in rows)
    return {
        "planned": planned,
        "reach": reach,
        "events": sum(r["events"] for r in rows),
        "share": share(reach, planned),
    }


def campaign_list(scope: Scope):
    """The scope's campaigns with their events and reach (cut to the scope), for a page."""
    qs = perms.campaigns(scope)
    cut = Q(events__reach__isnull=False)
    if not scope.is_regional_admin:
        if perms.is_district_secretary(scope):
            cut &= Q(events__branch_id=scope.user.branch_id)
        elif perms.is_poo_leader(scope):
            cut &= Q(events__poo_id=scope.user.poo_id)
    return qs.annotate(
        reach=Coalesce(Sum("events__reach", filter=cut), 0),
        event_count=Count("events", filter=cut),
    ).order_by("-starts_on", "-id")
