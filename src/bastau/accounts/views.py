import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bastau.core import audit
from bastau.core.models import AuditEvent
from bastau.core.pages import form_page
from bastau.core.permissions import requires

from . import directory, otp, permissions, services
from .forms import (
    AccountForm,
    CodeRequestForm,
    CodeVerifyForm,
    DeactivateForm,
    NewAccountForm,
    PasswordLoginForm,
    ResetSignInForm,
)
from .models import Role
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


# Staff accounts ----------------------------------------------------------------------------
# The pages the regional administrator and district secretaries use instead of the Django
# admin. Accounts outside the manager's scope are a 404 (accounts.permissions.accounts).


def _account_for(request, pk):
    return get_object_or_404(
        permissions.accounts(request.scope).select_related("branch", "poo", "member"), pk=pk
    )


@require_GET
@requires("accounts.manage_accounts")
def staff_accounts(request):
    qs = permissions.accounts(request.scope).select_related("branch", "poo", "member")
    query = " ".join(request.GET.get("q", "").split())[:100]
    if query:
        match = Q()
        for word in query.split()[:3]:
            match &= (
                Q(username__istartswith=word)
                | Q(last_name__istartswith=word)
                | Q(first_name__istartswith=word)
            )
        qs = qs.filter(match)
    role = request.GET.get("role", "")
    if role in Role.values:
        qs = qs.filter(role=role)
    state = request.GET.get("state", "active")
    if state == "active":
        qs = qs.filter(is_active=True)
    elif state == "inactive":
        qs = qs.filter(is_active=False)
    page = Paginator(qs.order_by("last_name", "first_name", "username", "id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/staff/list.html",
        {"page": page, "q": query, "role": role, "state": state, "roles": Role.choices},
    )


@require_GET
@requires("accounts.manage_accounts")
def staff_account(request, pk):
    account = _account_for(request, pk)
    events = AuditEvent.objects.filter(
        object_type=account._meta.label_lower, object_id=str(account.pk)
    ).select_related("actor")[:20]
    labels = {
        "account.created": _("Account created"),
        "account.updated": _("Account changed"),
        "account.deactivated": _("Account deactivated"),
        "account.reactivated": _("Account reactivated"),
        "account.sign_in_reset": _("Sign-in reset"),
        "login.password": _("Signed in with a password"),
        "login.code": _("Signed in with a one-time code"),
    }
    for event in events:
        event.label = labels.get(event.action, event.action)
    return render(request, "accounts/staff/account.html", {"account": account, "events": events})


@require_http_methods(["GET", "POST"])
@requires("accounts.manage_accounts")
def staff_account_new(request):
    scope = request.scope
    form = NewAccountForm(scope, request.POST or None)
    return form_page(
        request,
        form,
        save=lambda data: services.create_account(scope, data, request=request),
        done=lambda user: reverse("accounts:staff_account", args=[user.pk]),
        title=_("New account"),
        cancel=reverse("accounts:staff_accounts"),
        message=_("The account is created."),
        submit=_("Create"),
    )


@require_http_methods(["GET", "POST"])
@requires("accounts.manage_accounts")
def staff_account_edit(request, pk):
    scope = request.scope
    account = _account_for(request, pk)
    initial = {name: getattr(account, name) for name in services.FIELDS}
    for name in ("branch", "poo", "member"):
        initial[name] = getattr(account, f"{name}_id")
    form = AccountForm(scope, request.POST or None, initial=initial)
    url = reverse("accounts:staff_account", args=[account.pk])
    return form_page(
        request,
        form,
        save=lambda data: services.update_account(scope, account, data, request=request),
        done=url,
        title=_("Edit account"),
        subtitle=account.username,
        cancel=url,
        message=_("The account is saved."),
    )


@require_http_methods(["GET", "POST"])
@requires("accounts.manage_accounts")
def staff_account_reset(request, pk):
    scope = request.scope
    account = _account_for(request, pk)
    url = reverse("accounts:staff_account", args=[account.pk])
    return form_page(
        request,
        ResetSignInForm(request.POST or None),
        save=lambda data: services.reset_sign_in(
            scope, account, password=data["password"], request=request
        ),
        done=url,
        title=_("Reset sign-in"),
        subtitle=account.username,
        cancel=url,
        message=_("Sign-in is reset: every open session of the account has ended."),
        submit=_("Reset sign-in"),
    )


@require_http_methods(["GET", "POST"])
@requires("accounts.manage_accounts")
def staff_account_deactivate(request, pk):
    scope = request.scope
    account = _account_for(request, pk)
    url = reverse("accounts:staff_account", args=[account.pk])
    if not account.is_active:
        return redirect(url)
    return form_page(
        request,
        DeactivateForm(request.POST or None),
        save=lambda data: services.set_active(
            scope, account, False, reason=data["reason"], request=request
        ),
        done=url,
        title=_("Deactivate account"),
        subtitle=account.username,
        notice=_("The person can no longer sign in; their open sessions end."),
        cancel=url,
        message=_("The account is deactivated."),
        submit=_("Deactivate"),
    )


@require_POST
@requires("accounts.manage_accounts")
def staff_account_reactivate(request, pk):
    account = _account_for(request, pk)
    services.set_active(request.scope, account, True, request=request)
    messages.success(request, _("The account is active again."))
    return redirect("accounts:staff_account", pk=account.pk)


@require_GET
@requires("accounts.pick_people")
def pick_member(request):
    """The searchable member picker's endpoint: up to 20 members of the user's scope. What it
    shows is personal data (a name and the IIN as the user may see it), so each search that
    finds someone is audited."""
    scope = request.scope
    query = request.GET.get("q", "")
    short = len(query.strip()) < 2
    found = [] if short else directory.search_members(scope, query)
    if found:
        audit.record(
            request.user,
            "members.picker_search",
            request=request,
            data={"found": [m.pk for m in found]},
        )
    options = [(m.pk, directory.member_label(scope, m)) for m in found]
    return render(request, "core/autocomplete_results.html", {"options": options, "short": short})
