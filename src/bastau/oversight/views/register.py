"""The register: maslikhats, convocations, deputies, factions and the register's figures."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bastau.accounts.scoping import Scope
from bastau.core.dbrouter import replica_view
from bastau.core.forms import apply_errors
from bastau.core.pages import form_page
from bastau.core.permissions import requires
from bastau.members import permissions as members_permissions
from bastau.structure import permissions as structure_permissions

from .. import permissions, services, statistics
from ..forms.register import (
    ConvocationForm,
    DeputyFilterForm,
    DeputyForm,
    EndMandateForm,
    FactionForm,
    FactionLeaderForm,
    FactionMemberForm,
    MaslikhatForm,
)
from ..models import Convocation, Deputy, Faction, ScheduledReport
from . import NAV, PAGE_SIZE, maslikhat_filter, report_rows


@require_GET
@requires("oversight.view_oversight")
def index(request):
    """The register: the maslikhats in scope, their seats, convocations and factions, and
    the headline figures of reports and the budget."""
    scope = request.scope
    today = timezone.localdate()
    rows = (
        permissions.maslikhats(scope)
        .annotate(
            active_deputies=Count("deputies", filter=Q(deputies__status=Deputy.Status.ACTIVE))
        )
        .prefetch_related(
            Prefetch("convocations", queryset=Convocation.objects.order_by("-number")),
            Prefetch(
                "factions",
                queryset=Faction.objects.select_related("convocation", "leader").order_by(
                    "-convocation__number"
                ),
            ),
        )
    )
    counts = statistics.report_counts(scope, today=today)
    lagging = permissions.indicators(scope, lagging=True).count()
    return render(
        request,
        "oversight/index.html",
        {"maslikhats": rows, "counts": counts, "lagging": lagging, "section": "register"},
    )


@require_GET
@requires("oversight.view_oversight")
def deputies(request):
    scope = request.scope
    form = DeputyFilterForm(request.GET or None, maslikhats=permissions.maslikhats(scope))
    qs = permissions.deputies(scope).annotate(person_sex=Coalesce("member__sex", "sex"))
    if form.is_valid():
        data = form.cleaned_data
        if data["maslikhat"]:
            qs = qs.filter(maslikhat=data["maslikhat"])
        if data["party"]:
            qs = qs.filter(party=data["party"])
        if data["sex"]:
            qs = qs.filter(person_sex=data["sex"])
        if data["elected_by"]:
            qs = qs.filter(elected_by=data["elected_by"])
        if data["faction"] == "yes":
            qs = qs.filter(faction__isnull=False)
        elif data["faction"] == "no":
            qs = qs.filter(faction__isnull=True)
        if data["status"]:
            qs = qs.filter(status=data["status"])
        for word in data["q"].split():
            qs = qs.filter(
                Q(last_name__icontains=word)
                | Q(first_name__icontains=word)
                | Q(patronymic__icontains=word)
            )
    page = Paginator(qs.order_by("last_name", "first_name", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "oversight/deputies.html",
        {"form": form, "page": page, "section": "deputies"},
    )


@require_http_methods(["GET", "POST"])
@requires("oversight.view_oversight")
def deputy(request, pk):
    """A deputy's record; the register's roles end the mandate here (a POST of anyone else
    is a 403)."""
    scope = request.scope
    obj = get_object_or_404(permissions.deputies(scope), pk=pk)
    contacts = None
    if permissions.can_see_contacts(scope, obj):
        contacts = services.deputy_contacts(scope, obj)
    end_form = None
    if permissions.manage_deputies(scope) and obj.is_active:
        end_form = EndMandateForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and end_form.is_valid():
            try:
                services.end_mandate(scope, obj, request=request, **end_form.cleaned_data)
            except ValidationError as exc:
                apply_errors(end_form, exc)
            else:
                messages.success(request, _("The mandate is recorded as ended."))
                return redirect("oversight:deputy", obj.pk)
    elif request.method == "POST":
        scope.require(False)
    today = timezone.localdate()
    reports = permissions.reports(scope).filter(deputy=obj).order_by("-date")
    return render(
        request,
        "oversight/deputy.html",
        {
            "deputy": obj,
            "contacts": contacts,
            "end_form": end_form,
            "reports": report_rows(reports, today),
            "indicators": permissions.indicators(scope).filter(responsible_deputy=obj),
            "age": obj.age_on(today),
            "section": "deputies",
        },
    )


def _member_for(scope: Scope, data: dict):
    """The party member the form's IIN names (None when it names none); an IIN of no member
    in the user's branch is an error on that field."""
    iin = (data.get("member_iin") or "").strip()
    if not iin:
        return None
    member = members_permissions.members(scope).filter(iin=iin).first()
    if member is None:
        raise ValidationError({"member_iin": _("No party member with this IIN in your branch.")})
    return member


def _deputy_data(data: dict) -> dict:
    return {name: data[name] for name in services.DEPUTY_FIELDS if name in data}


def _to_deputy(obj) -> str:
    return reverse("oversight:deputy", args=[obj.pk])


@require_http_methods(["GET", "POST"])
@requires("oversight.manage_deputies")
def deputy_new(request):
    scope = request.scope
    convocations = permissions.convocations(scope).order_by("maslikhat__level", "-number")
    form = DeputyForm(request.POST or None, convocations=convocations)

    def save(data):
        return services.register_deputy(
            scope,
            convocation=data["convocation"],
            data=_deputy_data(data),
            member=_member_for(scope, data),
            request=request,
        )

    return form_page(
        request,
        form,
        save=save,
        done=_to_deputy,
        message=_("The deputy is registered."),
        title=_("Register a deputy"),
        cancel=reverse("oversight:deputies"),
        nav=NAV,
        context={"section": "deputies"},
    )


@require_http_methods(["GET", "POST"])
@requires("oversight.view_oversight")
def deputy_edit(request, pk):
    scope = request.scope
    obj = get_object_or_404(permissions.deputies(scope), pk=pk)
    scope.require(permissions.manage_deputies(scope))  # after the 404 of another branch
    with_contacts = permissions.can_see_contacts(scope, obj)
    initial = {name: getattr(obj, name) for name in services.DEPUTY_FIELDS}
    initial["member_iin"] = obj.member.iin if obj.member_id else ""
    form = DeputyForm(
        request.POST or None, initial=initial, editing=True, with_contacts=with_contacts
    )

    def save(data):
        member = _member_for(scope, data)
        changes = _deputy_data(data)
        if member is not None or obj.member_id:
            changes["member"] = member
        return services.update_deputy(scope, obj, changes=changes, request=request)

    return form_page(
        request,
        form,
        save=save,
        done=_to_deputy,
        message=_("The deputy's record is saved."),
        title=_("Edit the deputy"),
        subtitle=obj.full_name,
        cancel=reverse("oversight:deputy", args=[obj.pk]),
        nav=NAV,
        context={"section": "deputies"},
    )


@require_http_methods(["GET", "POST"])
@requires("oversight.manage_deputies")
def maslikhat_new(request):
    scope = request.scope
    branches = (
        structure_permissions.branches(scope)
        .filter(maslikhat__isnull=True)
        .order_by("kind", "name")
    )
    return form_page(
        request,
        MaslikhatForm(request.POST or None, branches=branches),
        save=lambda data: services.create_maslikhat(scope, request=request, **data),
        done=reverse("oversight:index"),
        message=_("The maslikhat is registered."),
        title=_("Register a maslikhat"),
        cancel=reverse("oversight:index"),
        nav=NAV,
        context={"section": "register"},
    )


@require_http_methods(["GET", "POST"])
@requires("oversight.view_oversight")
def maslikhat_edit(request, pk):
    scope = request.scope
    obj = get_object_or_404(permissions.maslikhats(scope), pk=pk)
    scope.require(permissions.manage_deputies(scope))  # after the 404 of another branch
    fields = ("name", "name_ru", "seats_total", "seats_by_list", "seats_by_district")
    form = MaslikhatForm(
        request.POST or None, initial={f: getattr(obj, f) for f in fields}, editing=True
    )
    return form_page(
        request,
        form,
        save=lambda data: services.update_maslikhat(scope, obj, changes=data, request=request),
        done=reverse("oversight:index"),
        message=_("The maslikhat is saved."),
        title=_("Edit the maslikhat"),
        subtitle=str(obj),
        cancel=reverse("oversight:index"),
        nav=NAV,
        context={"section": "register"},
    )


@require_http_methods(["GET", "POST"])
@requires("oversight.view_oversight")
def convocation_new(request, pk):
    scope = request.scope
    obj = get_object_or_404(permissions.maslikhats(scope), pk=pk)
    scope.require(permissions.manage_deputies(scope))  # after the 404 of another branch
    return form_page(
        request,
        ConvocationForm(request.POST or None),
        save=lambda data: services.create_convocation(
            scope, maslikhat=obj, request=request, **data
        ),
        done=reverse("oversight:index"),
        message=_("The convocation is registered."),
        title=_("Register a convocation"),
        subtitle=str(obj),
        cancel=reverse("oversight:index"),
        nav=NAV,
        context={"section": "register"},
    )


@require_GET
@requires("oversight.view_oversight")
@replica_view
def register_statistics(request):
    scope = request.scope
    maslikhat = maslikhat_filter(request)
    overview = statistics.register_overview(scope, maslikhat=maslikhat)
    counts = statistics.report_counts(scope)

    def top(rows):
        return max([row[-1] for row in rows] or [0])

    return render(
        request,
        "oversight/statistics.html",
        {
            "o": overview,
            "counts": counts,
            "maslikhat": maslikhat,
            "maslikhats": permissions.maslikhats(scope),
            "top_maslikhat": max([r["count"] for r in overview.by_maslikhat] or [0]),
            "top_party": top(overview.by_party),
            "top_sex": top(overview.by_sex),
            "top_election": top(overview.by_election),
            "top_band": top(overview.age_bands),
            "section": "statistics",
        },
    )


# Factions ------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@requires("oversight.manage_factions")
def faction_new(request, pk):
    """The party's faction in one of the maslikhat's convocations (one per convocation)."""
    scope = request.scope
    obj = get_object_or_404(permissions.maslikhats(scope), pk=pk)
    convocations = permissions.convocations(scope).filter(maslikhat=obj).order_by("-number")
    latest = convocations.first()
    form = FactionForm(
        request.POST or None,
        convocations=convocations,
        initial={"convocation": getattr(latest, "pk", None)},
    )
    return form_page(
        request,
        form,
        save=lambda data: services.create_faction(scope, request=request, **data),
        done=lambda faction: reverse("oversight:faction", args=[faction.pk]),
        message=_("The faction is registered."),
        title=_("Register a faction"),
        subtitle=obj.display_name,
        cancel=reverse("oversight:index"),
        nav=NAV,
        context={"section": "register"},
    )


@require_http_methods(["GET", "POST"])
@requires("oversight.view_oversight")
def faction(request, pk):
    """A faction: its deputies, reports and indicators; those who manage factions add and
    remove deputies and choose the leader here (a POST of anyone else is a 403)."""
    scope = request.scope
    obj = get_object_or_404(permissions.factions(scope), pk=pk)
    today = timezone.localdate()
    o = services.faction_overview(scope, obj, today=today)
    candidates = permissions.deputies(scope, active_only=True).filter(
        convocation=obj.convocation, party=Deputy.Party.OURS
    )
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if post else None
    join_form = FactionMemberForm(
        post if action == "join" else None, deputies=candidates.exclude(faction=obj)
    )
    leader_form = FactionLeaderForm(
        post if action == "leader" else None,
        deputies=candidates.filter(faction=obj),
        initial={"leader": obj.leader_id},
    )
    if post is not None:
        scope.require(permissions.manage_factions(scope))
        try:
            if action == "join" and join_form.is_valid():
                services.add_to_faction(
                    scope, obj, join_form.cleaned_data["deputy"], request=request
                )
                messages.success(request, _("The deputy joined the faction."))
                return redirect("oversight:faction", obj.pk)
            if action == "leader" and leader_form.is_valid():
                services.set_faction_leader(
                    scope, obj, leader_form.cleaned_data["leader"], request=request
                )
                messages.success(request, _("The faction's leader is saved."))
                return redirect("oversight:faction", obj.pk)
            if action == "leave":
                member = get_object_or_404(o.deputies, pk=request.POST.get("deputy") or 0)
                services.remove_from_faction(scope, member, request=request)
                messages.success(request, _("The deputy left the faction."))
                return redirect("oversight:faction", obj.pk)
            if action not in ("join", "leader"):
                raise Http404
        except ValidationError as exc:
            apply_errors(join_form if action == "join" else leader_form, exc)
    reports = o.reports.order_by("-date")[:50]
    return render(
        request,
        "oversight/faction.html",
        {
            "o": o,
            "faction": obj,
            "members": o.deputies.order_by("last_name", "first_name"),
            "reports": report_rows(reports, today),
            "overdue_count": o.overdue_reports.count(),
            "held_count": o.reports.filter(status=ScheduledReport.Status.HELD).count(),
            "indicators": o.indicators.order_by("-lagging", "execution_percent", "code")[:100],
            "lagging_count": o.lagging_indicators.count(),
            "join_form": join_form,
            "leader_form": leader_form,
            "section": "register",
        },
    )
