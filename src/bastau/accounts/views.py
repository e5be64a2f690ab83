from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from bastau.core import audit

from .forms import CodeRequestForm, CodeVerifyForm, PasswordLoginForm
from .otp import TooManyCodes, find_user, issue_code

PENDING_KEY = "otp_pending_user"


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
    if request.method == "POST" and form.is_valid():
        user = find_user(form.cleaned_data["identifier"])
        if user is not None:
            try:
                issue_code(user)
            except TooManyCodes:
                form.add_error(None, _("Too many codes were requested. Try again in an hour."))
                return render(request, "accounts/code_request.html", {"form": form}, status=429)
            request.session[PENDING_KEY] = user.pk
        else:
            # Same answer whether or not the account exists: no account enumeration.
            request.session[PENDING_KEY] = None
        messages.info(request, _("If an account has this phone or email, a code has been sent."))
        return redirect("accounts:code_verify")
    return render(request, "accounts/code_request.html", {"form": form})


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def code_verify(request):
    if PENDING_KEY not in request.session:
        return redirect("accounts:code_request")
    form = CodeVerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from django.contrib.auth import authenticate

        user_id = request.session.get(PENDING_KEY)
        user = None
        if user_id is not None:
            user = authenticate(
                request, otp_user_id=user_id, otp_code=form.cleaned_data["code"].strip()
            )
        if user is not None:
            del request.session[PENDING_KEY]
            login(request, user, backend="bastau.accounts.backends.OneTimeCodeBackend")
            audit.record(user, "login.code", request=request)
            return redirect("core:home")
        form.add_error("code", _("The code is wrong or has expired. Request a new one."))
    return render(request, "accounts/code_verify.html", {"form": form})


logout_view = auth_views.LogoutView.as_view()
