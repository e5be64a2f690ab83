from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

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
