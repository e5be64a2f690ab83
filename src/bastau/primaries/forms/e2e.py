"""Forms of the encrypted-campaign pages: naming the trustees and the credential authority, and
the files the credential authority and the trustees upload."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from ..e2e.hashing import b64d

#: A credential list entry is ~75 bytes of JSON, so a million members' list is ~75 MB.
MAX_UPLOAD = 128 * 1024 * 1024


class TrusteesForm(forms.Form):
    trustees = forms.CharField(
        label=_("Trustees"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line: the name, then optionally “|” and the login of the account that "
            "uploads the trustee's files."
        ),
    )
    threshold = forms.IntegerField(
        label=_("Trustees needed to decrypt"), min_value=1, max_value=64, initial=2
    )
    ca_key = forms.CharField(
        label=_("Credential authority's public key"),
        help_text=_("32 bytes in base64url, as the credential authority's tool prints it."),
    )

    def clean_trustees(self):
        User = get_user_model()
        rows = []
        for line in self.cleaned_data["trustees"].splitlines():
            if not line.strip():
                continue
            name, _sep, login = (part.strip() for part in line.partition("|"))
            if not name:
                raise forms.ValidationError(_("Each line starts with a trustee's name."))
            user = None
            if login:
                user = User.objects.filter(username=login).first()
                if user is None:
                    raise forms.ValidationError(
                        _("No account with the login %(login)s.") % {"login": login}
                    )
            rows.append((name, user))
        if not rows:
            raise forms.ValidationError(_("Name at least one trustee."))
        if len({name for name, _user in rows}) != len(rows):
            raise forms.ValidationError(_("Two trustees have the same name."))
        return rows

    def clean_ca_key(self):
        try:
            key = b64d(self.cleaned_data["ca_key"].strip())
        except ValueError:
            key = b""
        if len(key) != 32:
            raise forms.ValidationError(_("Not a 32-byte key in base64url."))
        return key

    def clean(self):
        data = super().clean()
        rows, t = data.get("trustees"), data.get("threshold")
        if rows and t and t > len(rows):
            self.add_error("threshold", _("At most the number of trustees."))
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is too large."))
        return f.read()


class ObserverKeyForm(forms.Form):
    key = forms.CharField(
        label=_("Observer's public key"),
        max_length=100,
        help_text=_(
            "The Ed25519 public key the observer's tool prints (43 characters). "
            "The observer co-signs the record's events with it."
        ),
    )

    def clean_key(self):
        from .. import encrypted

        return encrypted.parse_observer_key(self.cleaned_data["key"])
