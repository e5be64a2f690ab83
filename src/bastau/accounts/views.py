from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from bastau.core import audit

from .forms import CodeRequestForm, CodeVerifyForm, PasswordLoginForm
from .models import User
from .otp import TooManyCodes, find_user, issue_code, verify_code

PENDING_KEY = "otp_pending_user"
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


@require_http_methods(["GET", "POST"])
def code_request(request):
    form = CodeRequestForm(request.POST or None)
    next_url = _safe_next(request)
    if request.method == "POST" and form.is_valid():
        request.session[NEXT_KEY] = next_url
        user = find_user(form.cleaned_data["identifier"])
        if user is not None:
            try:
                issue_code(user)
            except TooManyCodes:
                form.add_error(None, _("Too many codes were requested. Try again in an hour."))
                return render(
                    request,
                    "accounts/code_request.html",
                    {"form": form, "next": next_url},
                    status=429,
                )
            request.session[PENDING_KEY] = user.pk
        else:
            # Same answer whether or not the account exists: no account enumeration.
            request.session[PENDING_KEY] = None
        messages.info(request, _("If an account has this phone or email, a code has been sent."))
        return redirect("accounts:code_verify")
    return render(request, "accounts/code_request.html", {"form": form, "next": next_url})


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def code_verify(request):
    if PENDING_KEY not in request.session:
        return redirect("accounts:code_request")
    form = CodeVerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(pk=request.session.get(PENDING_KEY), is_active=True).first()
        # The code has its own attempt and hourly limits (otp.py), so it bypasses the
        # password throttle rather than counting as a failed password.
        if user is not None and verify_code(user, form.cleaned_data["code"]):
            del request.session[PENDING_KEY]
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            next_url = request.session.pop(NEXT_KEY, "")
            audit.record(user, "login.code", request=request)
            return redirect(next_url or "core:home")
        form.add_error("code", _("The code is wrong or has expired. Request a new one."))
    return render(request, "accounts/code_verify.html", {"form": form})


logout_view = auth_views.LogoutView.as_view()
