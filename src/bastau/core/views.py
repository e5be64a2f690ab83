import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponseForbidden, HttpResponseServerError, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.functional import lazy
from django.utils.html import escape
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from .models import AuditEvent
from .permissions import allowed, requires, rule

logger = logging.getLogger(__name__)


@require_GET
@login_required
def home(request):
    scope = request.scope
    if allowed(request, "members.view_statistics"):
        return redirect("members:overview")
    if allowed(request, "reception.handle_appeals"):
        return redirect("reception:staff_dashboard")
    if rule("oversight.is_faction_secretary")(scope) and rule("oversight.view_oversight")(scope):
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
@requires("structure.manage_structure")
def audit_log(request):
    scope = request.scope
    events = AuditEvent.objects.select_related("actor", "branch")
    if not scope.is_regional_admin:
        events = events.filter(branch_id=request.user.branch_id)
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page, "action": action})


# Error pages ---------------------------------------------------------------------------------
# 400, 403 and 404 are Django's own handlers, which render templates/400.html, 403.html and
# 404.html with the request's context (header, navigation, language). The CSRF failure and the
# server error need views of their own: Django renders its CSRF page without the request, and a
# server error may come from the database or from a context processor, so the 500 page is
# rendered with a minimal context and, if even that fails, as plain HTML.


@requires_csrf_token
def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the product's page in the user's language; the reason goes to the log
    (it is meant for developers and is in English)."""
    logger.warning("CSRF failure on %s: %s", request.path, reason)
    return HttpResponseForbidden(loader.render_to_string("403_csrf.html", request=request))


def _request_language(request) -> str:
    try:
        return translation.get_language_from_request(request)
    except Exception:  # noqa: BLE001 - the error page must not fail on a malformed request
        return settings.LANGUAGE_CODE


_TRY_AGAIN = gettext_noop(
    "Try again in a few minutes. If it happens again, tell the administrator of your branch."
)


def _fallback_500() -> str:
    title = escape(gettext("Something went wrong on our side"))
    text = escape(gettext(_TRY_AGAIN))
    home = escape(gettext("Go to the home page"))
    lang = escape(translation.get_language() or settings.LANGUAGE_CODE)
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head><body><h1>{title}</h1><p>{text}</p>"
        f'<p><a href="/">{home}</a></p></body></html>'
    )


@requires_csrf_token
def server_error(request):
    """handler500: no context processors and no user (either may need the database that has just
    failed), only the request for the language and the language switch. Should the template
    itself fail (a missing static file, a broken URLconf), a plain page in the same language."""
    with translation.override(_request_language(request)):
        context = {"request": request, "csrf_token": lazy(get_token, str)(request)}
        try:
            html = loader.get_template("500.html").render(context)
        except Exception:  # noqa: BLE001 - whatever broke, the user still gets a page
            logger.exception("The 500 page could not be rendered")
            html = _fallback_500()
    return HttpResponseServerError(html)


@require_GET
def favicon(request):
    """`/favicon.ico`, which browsers ask for on their own: the icon among the static files."""
    response = redirect(static("bastau/favicon.ico"))
    patch_cache_control(response, public=True, max_age=86400)
    return response
