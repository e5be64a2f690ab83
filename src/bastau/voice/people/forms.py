"""Forms of the supporters and youth wing pages: they collect and type the input; every write
goes through `services.py`, whose errors are put back on the form by field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bastau.core.choices import Sex
from bastau.core.forms import DateInput
from bastau.structure.models import PrimaryOrganization

from .models import ConsentChannel, Supporter


def _date(label, required=True):
    return forms.DateField(label=label, required=required, widget=DateInput())


class SupporterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Supporter.Kind.choices)
    last_name = forms.CharField(label=_("Surname"), max_length=100)
    first_name = forms.CharField(label=_("Given name"), max_length=100)
    birth_date = _date(_("Birth date"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    language = forms.ChoiceField(
        label=_("Language of messages"),
        choices=Supporter.Language.choices,
        initial=Supporter.Language.KAZAKH,
        required=False,
    )
    branch = forms.ModelChoiceField(label=_("District"), queryset=None)
    poo = forms.ModelChoiceField(
        label=_("Primary organization (optional)"), queryset=None, required=False
    )
    note = forms.CharField(label=_("Interests, how they can help"), max_length=300, required=False)
    consent_given_on = _date(_("Consent given on"))
    consent_channel = forms.ChoiceField(label=_("Consent given"), choices=ConsentChannel.choices)
    consent_confirmed = forms.BooleanField(
        label=_("The person has read the consent text above and agreed to it."), required=True
    )

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["poo"].queryset = PrimaryOrganization.objects.filter(
            branch__in=branches, status=PrimaryOrganization.Status.ACTIVE
        ).order_by("name")


class SupporterFilterForm(forms.Form):
    q = forms.CharField(label=_("Surname"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *Supporter.Kind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Supporter.Status.choices], required=False
    )
    branch = forms.ModelChoiceField(label=_("District"), queryset=None, required=False)

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


class ConfirmWithdrawalForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Withdraw the consent and erase this person's data"), required=True
    )


class WithdrawByCodeForm(forms.Form):
    code = forms.CharField(label=_("Your code"), max_length=40)


class YouthMemberForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("District"), queryset=None)
    iin = forms.CharField(
        label=_("IIN of a party member"),
        max_length=12,
        required=False,
        help_text=_("Leave empty for a young person who is not a party member."),
    )
    last_name = forms.CharField(label=_("Surname"), max_length=100, required=False)
    first_name = forms.CharField(label=_("Given name"), max_length=100, required=False)
    birth_date = _date(_("Birth date"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    consent_channel = forms.ChoiceField(
        label=_("Consent given (not a party member)"),
        choices=[("", "—"), *ConsentChannel.choices],
        required=False,
    )
    joined_on = _date(_("Joined on"))

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches

    def clean_iin(self):
        value = (self.cleaned_data.get("iin") or "").strip()
        if value and (len(value) != 12 or not value.isdigit()):
            raise forms.ValidationError(_("An IIN is 12 digits."))
        return value


class WingForm(forms.Form):
    name = forms.CharField(label=_("Name (Kazakh)"), max_length=200)
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=200, required=False)
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None)
    min_age = forms.IntegerField(label=_("Minimum age"), min_value=0, max_value=120, initial=14)
    max_age = forms.IntegerField(label=_("Maximum age"), min_value=0, max_value=120, initial=35)
    founded_on = _date(_("Founded on"), required=False)

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


class CongressForm(forms.Form):
    date = _date(_("Date"))
    title = forms.CharField(label=_("Title"), max_length=200)
    delegates_elected = forms.IntegerField(label=_("Delegates elected"), min_value=0)
    delegates_present = forms.IntegerField(label=_("Delegates present"), min_value=0)
    decisions = forms.CharField(label=_("Decisions"), widget=forms.Textarea, required=False)
    meeting = forms.IntegerField(
        label=_("Meeting number in Bastau (optional)"), min_value=1, required=False
    )
