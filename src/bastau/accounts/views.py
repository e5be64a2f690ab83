import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from bastau.core import audit

from . import otp
from .forms import CodeRequestForm, CodeVerifyForm, PasswordLoginForm
from .tasks import send_login_code

PENDING_KEY = "otp_destination"
NEXT_KEY = "otp_next"


def _safe_next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = PasswordLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(self.request.user, "login.password", request=self.request)
        return response


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address
    that many entries from the right of X-Forwarded-For (the one the outermost proxy saw)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "POST"])
def code_request(request):
    form = CodeRequestForm(request.POST or None)
    next_url = _safe_next(request)
    if request.method == "POST" and form.is_valid():
        destination = form.cleaned_data["identifier"]
        # Nothing here depends on whether an account has this destination: the limits count
        # requests, the task looks the account up and sends the code or nothing (otp.py).
        if otp.allow_request(client_address(request), destination, time.time()):
            send_login_code.enqueue(destination)
        request.session[NEXT_KEY] = next_url
        request.session[PENDING_KEY] = destination
        messages.info(request, _("If an account has this phone or email, a code has been sent."))
        return redirect("accounts:code_verify")
    return render(request, "accounts/code_request.html", {"form": form, "next": next_url})


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def code_verify(request):
    destination = request.session.get(PENDING_KEY)
    if not isinstance(destination, str) or not destination:
        return redirect("accounts:code_request")
    form = CodeVerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = otp.find_user(destination)
        # The code has its own attempt and hourly limits (otp.py), so it bypasses the
        # password throttle rather than counting as a failed password.
        if user is not None and otp.verify_code(user, form.cleaned_data["code"]):
            del request.session[PENDING_KEY]
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            next_url = request.session.pop(NEXT_KEY, "")
            audit.record(user, "login.code", request=request)
            return redirect(next_url or "core:home")
        form.add_error("code", _("The code is wrong or has expired. Request a new one."))
    return render(request, "accounts/code_verify.html", {"form": form})


logout_view = auth_views.LogoutView.as_view()
