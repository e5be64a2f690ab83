from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from bastau.accounts.scoping import scope_for

from .models import AuditEvent


@require_GET
@login_required
def home(request):
    scope = scope_for(request.user)
    if scope.can_view_statistics:
        return redirect("members:overview")
    if scope.can_handle_appeals:
        return redirect("reception:staff_dashboard")
    if scope.is_faction_secretary and scope.can_view_oversight:
        return redirect("oversight:index")
    if request.user.member_id:
        return redirect("members:me")
    return render(request, "core/no_role.html")


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
@login_required
def audit_log(request):
    scope = scope_for(request.user)
    scope.require(scope.can_manage_structure)
    events = AuditEvent.objects.select_related("actor", "branch")
    if not scope.is_regional_admin:
        events = events.filter(branch_id=request.user.branch_id)
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page, "action": action})


@require_GET
def favicon(request):
    """`/favicon.ico`, which browsers ask for on their own: the icon among the static files."""
    response = redirect(static("bastau/favicon.ico"))
    patch_cache_control(response, public=True, max_age=86400)
    return response
