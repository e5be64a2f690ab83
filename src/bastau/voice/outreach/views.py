"""Information work pages (/outreach/): campaigns, their plan, materials and events, and
reach against the plan by district and POO.

Each view names its rule of `permissions.py`; a campaign outside the scope is a 404; managing
one the user may only see is a 403 (the services check again). Lists paginate in the
database; reach is summed there (`statistics.py`).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bastau.activity import permissions as activity_permissions
from bastau.core.pages import form_page
from bastau.core.permissions import requires

from . import permissions as perms
from . import services, statistics
from .forms import (
    CampaignForm,
    EventForm,
    InstructionLinkForm,
    InviteForm,
    MaterialForm,
    PlanForm,
    ReachForm,
)
from .models import Invitation

PAGE_SIZE = 50
NAV = "outreach/_nav.html"


def _campaign(scope, pk):
    return get_object_or_404(perms.campaigns(scope), pk=pk)


def _managed(scope, pk):
    obj = _campaign(scope, pk)
    scope.require(perms.manages_campaign(scope, obj))
    return obj


@require_GET
@requires("voice.outreach.view_outreach")
def index(request):
    page = Paginator(statistics.campaign_list(request.scope), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "outreach/index.html", {"page": page, "section": "campaigns"})


@require_http_methods(["GET", "POST"])
@requires("voice.outreach.create_campaigns")
def campaign_new(request):
    scope = request.scope
    today = timezone.localdate()
    form = CampaignForm(
        request.POST or None,
        branches=perms.organising_branches(scope),
        districts=perms.districts(scope),
        poos=perms.poos(scope).select_related("branch"),
        initial={"starts_on": today},
    )
    return form_page(
        request,
        form,
        save=lambda data: services.create_campaign(scope, request=request, **data),
        done=lambda c: reverse("outreach:campaign", args=[c.pk]),
        message=_("The campaign is created."),
        title=_("New outreach campaign"),
        cancel=reverse("outreach:index"),
        nav=NAV,
        context={"section": "campaigns"},
    )


@require_GET
@requires("voice.outreach.view_outreach")
def campaign(request, pk):
    scope = request.scope
    obj = _campaign(scope, pk)
    rows = statistics.by_district(scope, obj)
    poo_page = Paginator(statistics.by_poo(scope, obj), PAGE_SIZE).get_page(request.GET.get("poos"))
    events = Paginator(
        perms.events(scope, obj)
        .annotate(
            invited=Count("invitations"),
            sent=Count("invitations", filter=Q(invitations__status=Invitation.Status.SENT)),
        )
        .order_by("-date", "-id"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    visible = activity_permissions.instructions(scope).values("pk")
    return render(
        request,
        "outreach/campaign.html",
        {
            "campaign": obj,
            "rows": rows,
            "top": max([max(r["planned"], r["reach"]) for r in rows] or [0]),
            "totals": statistics.totals(scope, obj),
            "poo_page": poo_page,
            "page": events,
            "materials": obj.materials.order_by("uploaded_at", "id"),
            "instructions": obj.instructions.filter(pk__in=visible).order_by("-id"),
            "targets": obj.target_branches.order_by("name"),
            "target_poos": obj.target_poos.order_by("name")[:50],
            "manages": perms.manages_campaign(scope, obj),
            "section": "campaigns",
        },
    )


@require_http_methods(["GET", "POST"])
@requires("voice.outreach.create_campaigns")
def plan_new(request, pk):
    scope = request.scope
    obj = _managed(scope, pk)
    form = PlanForm(
        request.POST or None,
        districts=perms.districts(scope),
        poos=perms.poos(scope).select_related("branch"),
    )
    back = reverse("outreach:campaign", args=[obj.pk])
    return form_page(
        request,
        form,
        save=lambda data: services.set_plan(scope, obj, request=request, **data),
        done=back,
        message=_("The plan is saved."),
        title=_("Planned reach"),
        subtitle=obj.display_title,
        cancel=back,
        nav=NAV,
        context={"section": "campaigns"},
    )


@require_http_methods(["GET", "POST"])
@requires("voice.outreach.create_campaigns")
def material_new(request, pk):
    scope = request.scope
    obj = _managed(scope, pk)
    form = MaterialForm(request.POST or None, request.FILES or None)
    back = reverse("outreach:campaign", args=[obj.pk])
    return form_page(
        request,
        form,
        save=lambda data: services.add_materials(
            scope, obj, request.FILES.getlist("files"), request=request
        ),
        done=back,
        message=_("The files are attached."),
        title=_("Attach materials"),
        subtitle=obj.display_title,
        cancel=back,
        nav=NAV,
        context={"section": "campaigns"},
    )


@require_GET
@requires("voice.outreach.view_outreach")
def material(request, pk):
    scope = request.scope
    obj = get_object_or_404(perms.materials(scope).select_related("campaign__branch"), pk=pk)
    handle, content_type, name = services.open_material(scope, obj, request=request)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_http_methods(["GET", "POST"])
@requires("voice.outreach.record_events")
def event_new(request, pk):
    scope = request.scope
    obj = _campaign(scope, pk)
    today = timezone.localdate()
    initial = {"date": min(max(today, obj.starts_on), obj.ends_on)}
    if perms.is_poo_leader(scope):
        initial["poo"] = scope.user.poo_id
    form = EventForm(
        request.POST or None,
        districts=perms.districts(scope),
        poos=perms.poos(scope).select_related("branch"),
        initial=initial,
    )
    back = reverse("outreach:campaign", args=[obj.pk])
    return form_page(
        request,
        form,
        save=lambda data: services.record_event(scope, obj, today=today, request=request, **data),
        # A planned event opens its page, where its supporters are invited.
        done=lambda e: e.get_absolute_url() if e.is_planned else back,
        message=_("The event is recorded."),
        title=_("Record an outreach event"),
        subtitle=obj.display_title,
        cancel=back,
        nav=NAV,
        context={"section": "campaigns"},
    )


@require_http_methods(["GET", "POST"])
@requires("voice.outreach.create_campaigns")
def instruction_link(request, pk):
    scope = request.scope
    obj = _managed(scope, pk)
    back = reverse("outreach:campaign", args=[obj.pk])
    return form_page(
        request,
        InstructionLinkForm(request.POST or None, initial={"number": request.GET.get("n")}),
        save=lambda data: services.link_instruction(scope, obj, data["number"], request=request),
        done=back,
        message=_("The instruction now points to this campaign."),
        title=_("Link an instruction"),
        subtitle=obj.display_title,
        cancel=back,
        nav=NAV,
        context={"section": "campaigns"},
    )


def _event(scope, pk):
    return get_object_or_404(perms.events(scope).select_related("campaign"), pk=pk)


@require_GET
@requires("voice.outreach.view_outreach")
def event(request, pk):
    """An event: what, when and where, its reach (or that it is planned), and its invited
    supporters: how many, how many were sent a message."""
    scope = request.scope
    obj = _event(scope, pk)
    today = timezone.localdate()
    records = perms.record_events(scope)
    return render(
        request,
        "outreach/event.html",
        {
            "event": obj,
            "campaign": obj.campaign,
            "counts": services.invitation_counts(obj),
            "can_record_reach": records and obj.is_planned and obj.date <= today,
            "can_invite": records and services.is_upcoming(obj, today),
            "section": "campaigns",
        },
    )


@require_http_methods(["GET", "POST"])
@requires("voice.outreach.record_events")
def event_reach(request, pk):
    scope = request.scope
    obj = _event(scope, pk)
    today = timezone.localdate()
    back = obj.get_absolute_url()
    return form_page(
        request,
        ReachForm(request.POST or None),
        save=lambda data: services.record_reach(
            scope, obj, reach=data["reach"], today=today, request=request
        ),
        done=back,
        message=_("The reach of the event is recorded."),
        title=_("Record the reach"),
        subtitle=f"{obj.title} ({obj.date:%d.%m.%Y})",
        cancel=back,
        nav=NAV,
        context={"section": "campaigns"},
    )


@require_http_methods(["GET", "POST"])
@requires("voice.outreach.record_events")
def event_invite(request, pk):
    scope = request.scope
    obj = _event(scope, pk)
    today = timezone.localdate()
    back = obj.get_absolute_url()
    waiting = services.invitable(scope, obj).count()
    return form_page(
        request,
        InviteForm(request.POST or None),
        save=lambda data: services.invite_supporters(
            scope, obj, today=today, request=request, **data
        ),
        done=back,
        message=_("The supporters are invited; the messages are being sent."),
        title=_("Invite supporters"),
        subtitle=f"{obj.title} ({obj.date:%d.%m.%Y})",
        notice=_(
            "Supporters with consent in force not yet invited: %(n)s. Each gets one message "
            "with the event's title, date and place and the link to withdraw their consent."
        )
        % {"n": waiting},
        submit=_("Invite and send"),
        cancel=back,
        nav=NAV,
        context={"section": "campaigns"},
    )
