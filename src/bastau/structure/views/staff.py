"""Staff pages of the party structure: branches, POOs, and the POO actions."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bastau.core.history import history_rows
from bastau.core.pages import form_page
from bastau.core.permissions import requires, rule

from .. import membership, permissions, services
from ..forms.staff import CloseForm, MergeForm, MoveForm, PooForm
from ..models import Branch, PrimaryOrganization


def _poo_for(request, code) -> PrimaryOrganization:
    return get_object_or_404(
        permissions.poos(request.scope).select_related("branch", "leader"), code=code
    )


@require_GET
@login_required
@requires("structure.view_structure")
def branches(request):
    # Members still in the party have no end date; Count skips the NULLs of empty POOs.
    current = Q(poos__members__left_on__isnull=True)
    rows = (
        permissions.branches(request.scope)
        .exclude(kind=Branch.Kind.REGION)
        .annotate(
            poo_count=Count("poos", filter=Q(poos__status="active"), distinct=True),
            member_count=Count("poos__members", filter=current),
        )
        .order_by("kind", "name")
    )
    return render(request, "structure/branches.html", {"branches": rows})


@require_GET
@login_required
@requires("structure.view_structure")
def branch(request, code):
    scope = request.scope
    obj = get_object_or_404(permissions.branches(scope), code=code)
    poos = permissions.poos(scope).filter(branch=obj).select_related("leader")
    status = request.GET.get("status", "active")
    if status in PrimaryOrganization.Status.values:
        poos = poos.filter(status=status)
    query = request.GET.get("q", "").strip()
    if query:
        poos = poos.filter(Q(name__icontains=query) | Q(code__icontains=query))
    page = Paginator(poos.order_by("name"), 50).get_page(request.GET.get("page"))
    counts = membership.count_by_poo(scope, [p.pk for p in page], timezone.localdate())
    for poo in page:
        poo.member_count = counts.get(poo.pk, 0)
    return render(
        request,
        "structure/branch.html",
        {
            "branch": obj,
            "page": page,
            "status": status,
            "q": query,
            "statuses": PrimaryOrganization.Status.choices,
        },
    )


@require_GET
@login_required
@requires("structure.view_structure")
def poo(request, code):
    obj = _poo_for(request, code)
    events = obj.events.select_related("from_branch", "to_branch", "merged_into", "created_by")
    today = timezone.localdate()
    member_count = membership.count_by_poo(request.scope, [obj.pk], today).get(obj.pk, 0)
    return render(
        request,
        "structure/poo.html",
        {
            "poo": obj,
            "events": events,
            "member_count": member_count,
            "history": history_rows(obj.history.all(), limit=20),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@requires("structure.manage_structure")
def poo_create(request):
    scope = request.scope
    form = PooForm(request.POST or None, branches=permissions.branches(scope))
    return form_page(
        request,
        form,
        save=lambda data: services.found_poo(scope, data=data, request=request),
        done=lambda obj: obj.get_absolute_url(),
        message=_("The organization was registered."),
        title=_("New primary organization"),
        cancel=reverse("structure:branches"),
    )


def poo_page(rule_name: str):
    """A page about one POO (`code` in the URL) that needs a rule beyond seeing the structure:
    the POO is looked up in the user's scope first (404 outside it), then the rule decides
    (403). The view gets the POO."""
    check = rule(rule_name)

    def decorator(view):
        @wraps(view)
        def wrapper(request, code, *args, **kwargs):
            obj = _poo_for(request, code)
            if not check(request.scope):
                raise PermissionDenied
            return view(request, obj, *args, **kwargs)

        wrapper.required_rule = rule_name
        return wrapper

    return decorator


@require_http_methods(["GET", "POST"])
@login_required
@requires("structure.view_structure")
@poo_page("structure.manage_structure")
def poo_edit(request, obj):
    scope = request.scope
    form = PooForm(request.POST or None, instance=obj, branches=permissions.branches(scope))

    def save(data):
        changes = {name: data[name] for name in form.changed_data}
        fresh = PrimaryOrganization.objects.get(pk=obj.pk)
        return services.update_poo(scope, fresh, changes=changes, request=request)

    return form_page(
        request,
        form,
        save=save,
        done=obj.get_absolute_url(),
        message=_("Saved."),
        title=obj.name,
        subtitle=obj.name,
        cancel=obj.get_absolute_url(),
    )


def _poo_action(request, obj, form_class, action, title):
    scope = request.scope
    extra = {"poos": permissions.poos(scope).exclude(pk=obj.pk)} if form_class is MergeForm else {}
    form = form_class(request.POST or None, **extra)
    return form_page(
        request,
        form,
        save=lambda data: action(scope, obj, request=request, **data),
        done=obj.get_absolute_url(),
        message=_("Done."),
        title=title,
        subtitle=obj.name,
        cancel=obj.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
@login_required
@requires("structure.view_structure")
@poo_page("structure.manage_structure")
def poo_move(request, obj):
    return _poo_action(request, obj, MoveForm, services.move_poo, _("Move to another branch"))


@require_http_methods(["GET", "POST"])
@login_required
@requires("structure.view_structure")
@poo_page("structure.manage_structure")
def poo_merge(request, obj):
    return _poo_action(request, obj, MergeForm, services.merge_poo, _("Merge"))


@require_http_methods(["GET", "POST"])
@login_required
@requires("structure.view_structure")
@poo_page("structure.manage_structure")
def poo_close(request, obj):
    return _poo_action(request, obj, CloseForm, services.close_poo, _("Close"))
