from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bastau.accounts.scoping import scope_for
from bastau.core.history import history_rows
from bastau.members.statistics import count_by_poo

from . import services
from .forms import CloseForm, MergeForm, MoveForm, PooForm
from .models import Branch, PrimaryOrganization


def _poo_for(request, code):
    scope = scope_for(request.user)
    scope.require(scope.is_staff_role)
    return scope, get_object_or_404(scope.poos().select_related("branch", "leader"), code=code)


def _apply_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@require_GET
@login_required
def branches(request):
    scope = scope_for(request.user)
    scope.require(scope.is_staff_role)
    # Members still in the party have no end date; Count skips the NULLs of empty POOs.
    current = Q(poos__members__left_on__isnull=True)
    rows = (
        scope.branches()
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
def branch(request, code):
    scope = scope_for(request.user)
    scope.require(scope.is_staff_role)
    obj = get_object_or_404(scope.branches(), code=code)
    poos = scope.poos().filter(branch=obj).select_related("leader")
    status = request.GET.get("status", "active")
    if status in PrimaryOrganization.Status.values:
        poos = poos.filter(status=status)
    query = request.GET.get("q", "").strip()
    if query:
        poos = poos.filter(Q(name__icontains=query) | Q(code__icontains=query))
    page = Paginator(poos.order_by("name"), 50).get_page(request.GET.get("page"))
    counts = count_by_poo(scope, [p.pk for p in page], timezone.localdate())
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
def poo(request, code):
    scope, obj = _poo_for(request, code)
    events = obj.events.select_related("from_branch", "to_branch", "merged_into", "created_by")
    member_count = count_by_poo(scope, [obj.pk], timezone.localdate()).get(obj.pk, 0)
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
def poo_create(request):
    scope = scope_for(request.user)
    scope.require(scope.can_manage_structure)
    form = PooForm(request.POST or None, branches=scope.branches())
    if request.method == "POST" and form.is_valid():
        try:
            obj = services.found_poo(scope, data=form.cleaned_data, request=request)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The organization was registered."))
            return redirect(obj)
    return render(
        request, "structure/form.html", {"form": form, "title": _("New primary organization")}
    )


@require_http_methods(["GET", "POST"])
@login_required
def poo_edit(request, code):
    scope, obj = _poo_for(request, code)
    scope.require(scope.can_manage_structure)
    form = PooForm(request.POST or None, instance=obj, branches=scope.branches())
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.update_poo(
                scope, PrimaryOrganization.objects.get(pk=obj.pk), changes=changes, request=request
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(obj)
    return render(request, "structure/form.html", {"form": form, "title": obj.name, "poo": obj})


def _poo_action(request, code, form_class, action, title, **form_kwargs):
    scope, obj = _poo_for(request, code)
    scope.require(scope.can_manage_structure)
    extra = {"poos": scope.poos().exclude(pk=obj.pk)} if form_class is MergeForm else {}
    form = form_class(request.POST or None, **extra, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            action(scope, obj, request=request, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Done."))
            return redirect(obj)
    return render(request, "structure/form.html", {"form": form, "title": title, "poo": obj})


@require_http_methods(["GET", "POST"])
@login_required
def poo_move(request, code):
    return _poo_action(request, code, MoveForm, services.move_poo, _("Move to another branch"))


@require_http_methods(["GET", "POST"])
@login_required
def poo_merge(request, code):
    return _poo_action(request, code, MergeForm, services.merge_poo, _("Merge"))


@require_http_methods(["GET", "POST"])
@login_required
def poo_close(request, code):
    return _poo_action(request, code, CloseForm, services.close_poo, _("Close"))
