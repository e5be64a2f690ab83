"""The user's own API tokens page: make a token (shown once), see one's tokens, revoke one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bastau.core.pages import form_page

from . import tokens
from .forms import TokenForm
from .models import ApiToken
from .problems import problem


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenForm(request.POST or None)

    def save(data):
        return tokens.create_token(
            request.user,
            name=data["name"],
            access=data["access"],
            apps=data["apps"],
            days=data["days"],
            language=translation.get_language() or "kk",
            now=timezone.now(),
            request=request,
        )

    def done(result):
        token, raw = result
        return render(request, "api/token_created.html", {"token": token, "raw": raw})

    return form_page(
        request,
        form,
        save=save,
        done=done,
        title=_("API tokens"),
        cancel=reverse("api:tokens"),
        submit=_("Create token"),
        template="api/tokens.html",
        context={
            "tokens": ApiToken.objects.filter(user=request.user),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.revoke_token(request.user, token, now=timezone.now(), request=request)
    messages.success(request, _("The token is revoked; it no longer opens the API."))
    return redirect("api:tokens")


def not_found(request, rest=""):
    """Any other address under /api/v1/: a problem, not an HTML page."""
    return problem(request, 404, _("There is no such record, or it is outside your scope."))
