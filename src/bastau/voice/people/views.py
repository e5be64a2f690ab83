"""Pages of supporters and volunteers (/people/) and of the youth wing (/people/youth/).

Each view names its rule of `permissions.py`; objects outside the scope are a 404. The one
public page is `withdraw`: a person withdraws their consent with their code, no sign-in.
Lists paginate in the database; counts are grouped queries.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from bastau.activity import permissions as activity_permissions
from bastau.core.forms import apply_errors
from bastau.core.pages import form_page
from bastau.core.permissions import requires
from bastau.members import permissions as members_permissions
from bastau.structure.models import Branch

from . import consent, services
from . import permissions as perms
from .forms import (
    ConfirmWithdrawalForm,
    CongressForm,
    SupporterFilterForm,
    SupporterForm,
    WingForm,
    WithdrawByCodeForm,
    YouthMemberForm,
)
from .models import YouthWing

PAGE_SIZE = 50
NAV = "people/_nav.html"


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# Supporters --------------------------------------------------------------------------------
@require_GET
@requires("voice.people.view_supporters")
def supporters(request):
    scope = request.scope
    branches = perms.supporter_branches(scope) if scope.is_regional_admin else Branch.objects.none()
    form = SupporterFilterForm(request.GET or None, branches=branches)
    qs = perms.supporters(scope).annotate(consent_on=services.consent_in_force())
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            qs = qs.filter(last_name__istartswith=data["q"].strip())
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("branch"):
            qs = qs.filter(branch=data["branch"])
    return render(
        request,
        "people/supporters.html",
        {
            "form": form,
            "page": _page(request, qs.order_by("last_name", "first_name", "id")),
            "section": "supporters",
        },
    )


@require_http_methods(["GET", "POST"])
@requires("voice.people.manage_supporters")
def supporter_new(request):
    scope = request.scope
    today = timezone.localdate()
    form = SupporterForm(
        request.POST or None,
        branches=perms.supporter_branches(scope),
        initial={"consent_given_on": today},
    )

    def save(data):
        data = dict(data)
        data.pop("consent_confirmed")
        return services.register_supporter(scope, today=today, request=request, **data)

    return form_page(
        request,
        form,
        save=save,
        done=lambda s: reverse("people:supporter", args=[s.pk]),
        message=_("The supporter is registered with their consent."),
        title=_("Register a supporter or volunteer"),
        notice=consent.text(consent.CURRENT_VERSION, get_language()),
        cancel=reverse("people:supporters"),
        nav=NAV,
        context={"section": "supporters"},
    )


@require_GET
@requires("voice.people.view_supporters")
def supporter(request, pk):
    scope = request.scope
    obj = get_object_or_404(perms.supporters(scope), pk=pk)
    shown = services.reveal_contacts(scope, obj, request=request)
    return render(
        request,
        "people/supporter.html",
        {
            "supporter": obj,
            "contacts_shown": shown,
            "consents": obj.consents.select_related("recorded_by", "withdrawn_by"),
            "section": "supporters",
        },
    )


@require_http_methods(["GET", "POST"])
@requires("voice.people.manage_supporters")
def supporter_withdraw(request, pk):
    scope = request.scope
    obj = get_object_or_404(perms.supporters(scope), pk=pk)
    back = reverse("people:supporter", args=[obj.pk])
    return form_page(
        request,
        ConfirmWithdrawalForm(request.POST or None),
        save=lambda data: services.withdraw_by_staff(
            scope, obj, on=timezone.localdate(), request=request
        ),
        done=back,
        message=_("The consent is withdrawn; the personal data is erased."),
        title=_("Withdraw the consent"),
        subtitle=str(obj),
        cancel=back,
        nav=NAV,
        context={"section": "supporters"},
    )


@require_GET
@requires("voice.people.view_supporters")
def counts(request):
    rows = services.counts_by_district(request.scope)
    total = {k: sum(r[k] for r in rows) for k in ("supporters", "volunteers", "withdrawn")}
    top = max([r["supporters"] + r["volunteers"] for r in rows] or [0])
    for r in rows:
        r["active"] = r["supporters"] + r["volunteers"]
        r["name"] = (r["branch__name_ru"] if get_language() == "ru" else "") or r["branch__name"]
    return render(
        request,
        "people/counts.html",
        {"rows": rows, "total": total, "top": top, "section": "counts"},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request):
    """The person's own page: type (or follow a link with) the code to withdraw consent."""
    form = WithdrawByCodeForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    done = False
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_by_code(
                form.cleaned_data["code"], on=timezone.localdate(), request=request
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            done = True
    return render(
        request,
        "people/withdraw.html",
        {
            "form": form,
            "done": done,
            "consent_text": consent.text(consent.CURRENT_VERSION, get_language()),
        },
    )


# The youth wing ----------------------------------------------------------------------------
def _wing_page(request, wing):
    scope = request.scope
    today = timezone.localdate()
    rows = services.wing_counts(scope, today)
    if wing is not None and wing.parent_id:
        rows = [r for r in rows if r["branch_id"] == wing.branch_id]
    for r in rows:
        r["name"] = (r["branch__name_ru"] if get_language() == "ru" else "") or r["branch__name"]
    top = max([r["total"] for r in rows] or [0])
    congresses = (
        list(
            wing.congresses.select_related("meeting").prefetch_related(
                "adopted_versions__programme"
            )
        )
        if wing
        else []
    )
    return render(
        request,
        "people/wing.html",
        {
            "wing": wing,
            "root": wing.root if wing else None,
            "district_wings": wing.district_wings.select_related("branch") if wing else [],
            "rows": rows,
            "top": top,
            "total": sum(r["total"] for r in rows),
            "congresses": congresses,
            "meeting_ok": {
                c.meeting_id
                for c in congresses
                if c.meeting_id and activity_permissions.can_view_meeting(scope, c.meeting_id)
            },
            "programme_ok": {
                v.pk
                for c in congresses
                for v in c.adopted_versions.all()
                if perms.can_open_programme(scope, v.programme.branch_id)
            },
            "section": "youth",
        },
    )


@require_GET
@requires("voice.people.view_youth_wing")
def youth(request):
    return _wing_page(request, perms.wings(request.scope).filter(parent=None).first())


@require_GET
@requires("voice.people.view_youth_wing")
def wing(request, pk):
    return _wing_page(request, get_object_or_404(perms.wings(request.scope), pk=pk))


@require_GET
@requires("voice.people.view_youth_wing")
def youth_members(request):
    scope = request.scope
    today = timezone.localdate()
    qs = services.current_wing_members(scope, today).select_related("member__poo")
    branch = request.GET.get("branch", "")
    if branch.isdigit():
        qs = qs.filter(branch_id=int(branch))
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(last_name__istartswith=q) | Q(member__last_name__istartswith=q))
    return render(
        request,
        "people/youth_members.html",
        {
            "page": _page(request, qs.order_by("branch__name", "-joined_on", "id")),
            "q": q,
            "can_manage": perms.manage_youth_members(scope),
            "section": "youth_members",
        },
    )


@require_http_methods(["GET", "POST"])
@requires("voice.people.manage_youth_members")
def youth_member_new(request):
    scope = request.scope
    today = timezone.localdate()
    form = YouthMemberForm(
        request.POST or None,
        branches=perms.supporter_branches(scope),
        initial={"joined_on": today},
    )

    def save(data):
        data = dict(data)
        iin = data.pop("iin")
        member = None
        if iin:
            member = members_permissions.members(scope).filter(iin=iin).first()
            if member is None:
                raise ValidationError({"iin": _("No party member with this IIN in your scope.")})
        return services.add_youth_member(scope, member=member, today=today, request=request, **data)

    return form_page(
        request,
        form,
        save=save,
        done=reverse("people:youth_members"),
        message=_("The youth wing member is added."),
        title=_("Add a youth wing member"),
        cancel=reverse("people:youth_members"),
        nav=NAV,
        context={"section": "youth_members"},
    )


@require_http_methods(["GET", "POST"])
@requires("voice.people.manage_youth_members")
def youth_member_remove(request, pk):
    scope = request.scope
    row = get_object_or_404(perms.wing_members(scope).filter(left_on__isnull=True), pk=pk)
    back = reverse("people:youth_members")
    return form_page(
        request,
        ConfirmWithdrawalForm(request.POST or None),
        save=lambda data: services.remove_youth_member(
            scope, row, on=timezone.localdate(), request=request
        ),
        done=back,
        message=_("The member has left the youth wing."),
        title=_("Remove from the youth wing"),
        subtitle=str(row),
        cancel=back,
        nav=NAV,
        context={"section": "youth_members"},
    )


@require_http_methods(["GET", "POST"])
@requires("voice.people.manage_youth_wing")
def wing_new(request):
    scope = request.scope
    taken = YouthWing.objects.values("branch_id")
    form = WingForm(
        request.POST or None, branches=Branch.objects.exclude(pk__in=taken).order_by("kind", "name")
    )
    return form_page(
        request,
        form,
        save=lambda data: services.create_wing(scope, request=request, **data),
        done=lambda w: reverse("people:wing", args=[w.pk]),
        message=_("The youth wing is set up."),
        title=_("Set up a youth wing"),
        cancel=reverse("people:youth"),
        nav=NAV,
        context={"section": "youth"},
    )


@require_http_methods(["GET", "POST"])
@requires("voice.people.manage_youth_wing")
def congress_new(request, pk):
    scope = request.scope
    obj = get_object_or_404(perms.wings(scope), pk=pk)
    form = CongressForm(request.POST or None, initial={"date": timezone.localdate()})
    back = reverse("people:wing", args=[obj.pk])

    def save(data):
        data = dict(data)
        number = data.pop("meeting")
        meeting = None
        if number:
            meeting = activity_permissions.meetings(scope).filter(pk=number).first()
            if meeting is None:
                raise ValidationError({"meeting": _("No meeting with this number.")})
        return services.record_congress(scope, obj, meeting=meeting, request=request, **data)

    return form_page(
        request,
        form,
        save=save,
        done=back,
        message=_("The congress is recorded."),
        title=_("Record a congress"),
        subtitle=obj.display_name,
        cancel=back,
        nav=NAV,
        context={"section": "youth"},
    )
