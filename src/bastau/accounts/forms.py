from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from bastau.core.widgets import Autocomplete

from .otp import normalize_destination


class PasswordLoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("Phone or email"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email"}),
    )

    def clean_identifier(self) -> str:
        """The phone (+7XXXXXXXXXX) or the email in canonical form."""
        destination = normalize_destination(self.cleaned_data["identifier"])
        if not destination:
            raise forms.ValidationError(
                _("Enter a phone number (for example +7 701 234 56 78) or an email address."),
                code="invalid",
            )
        return destination


class CodeVerifyForm(forms.Form):
    code = forms.RegexField(
        label=_("Code"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("The code is six digits.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


# Staff accounts ----------------------------------------------------------------------------
class AccountForm(forms.Form):
    """An account's role and anchor; the choices are the manager's scope (accounts.directory)."""

    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Letters, digits and . @ + - _ only.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Surname"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"))
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, required=False)
    poo = forms.ModelChoiceField(label=_("Primary organization"), queryset=None, required=False)
    member = forms.ModelChoiceField(
        label=_("Member record"),
        queryset=None,
        required=False,
        help_text=_("Search by name, IIN or party card number."),
        widget=Autocomplete("accounts:pick_member"),
    )

    def __init__(self, scope, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from . import directory, permissions
        from .models import Role

        allowed = permissions.grantable_roles(scope)
        self.fields["role"].choices = [(v, label) for v, label in Role.choices if v in allowed]
        self.fields["branch"].queryset = directory.branches(scope).order_by("name")
        self.fields["poo"].queryset = (
            directory.poos(scope).select_related("branch").order_by("branch__name", "name")
        )
        self.fields["member"].queryset = directory.members(scope)

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        phone = normalize_destination(raw)
        if not phone or "@" in phone:
            raise forms.ValidationError(
                _("Enter a phone number (for example +7 701 234 56 78)."), code="invalid"
            )
        return phone


class NewAccountForm(AccountForm):
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Leave empty: the person signs in with a one-time code to their phone or email."
        ),
    )

    def clean_password(self) -> str:
        return _checked_password(self.cleaned_data.get("password", ""))


class ResetSignInForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Leave empty: the old password stops working and the person signs in with a "
            "one-time code. Either way every open session of the account ends."
        ),
    )

    def clean_password(self) -> str:
        return _checked_password(self.cleaned_data.get("password", ""))


class DeactivateForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


def _checked_password(password: str) -> str:
    if password:
        from django.contrib.auth import password_validation

        password_validation.validate_password(password)
    return password
