"""Forms of the information work pages: they collect and type the input; every write goes
through `services.py`, whose errors are put back on the form by field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bastau.core.forms import DateInput
from bastau.voice.people.models import Supporter

from .models import Campaign, Event


def _date(label, required=True):
    return forms.DateField(label=label, required=required, widget=DateInput())


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title (Kazakh)"), max_length=200)
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=200)
    theme = forms.ChoiceField(label=_("Theme"), choices=Campaign.Theme.choices)
    branch = forms.ModelChoiceField(label=_("Organising branch"), queryset=None)
    starts_on = _date(_("Starts on"))
    ends_on = _date(_("Ends on"))
    talking_points = forms.CharField(
        label=_("Talking points (Kazakh)"), widget=forms.Textarea, required=False
    )
    talking_points_ru = forms.CharField(
        label=_("Talking points (Russian)"), widget=forms.Textarea, required=False
    )
    target_branches = forms.ModelMultipleChoiceField(
        label=_("Target districts"), queryset=None, required=False
    )
    target_poos = forms.ModelMultipleChoiceField(
        label=_("Target primary organizations"), queryset=None, required=False
    )

    def __init__(self, *args, branches=None, districts=None, poos=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["target_branches"].queryset = districts
        self.fields["target_poos"].queryset = poos


class PlanForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("District"), queryset=None)
    poo = forms.ModelChoiceField(
        label=_("Primary organization (empty: the whole district)"), queryset=None, required=False
    )
    planned_reach = forms.IntegerField(label=_("Planned reach"), min_value=0)

    def __init__(self, *args, districts=None, poos=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = districts
        self.fields["poo"].queryset = poos


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Event.Kind.choices)
    date = _date(_("Date"))
    title = forms.CharField(label=_("Title"), max_length=200)
    branch = forms.ModelChoiceField(label=_("District"), queryset=None, required=False)
    poo = forms.ModelChoiceField(label=_("Primary organization"), queryset=None, required=False)
    reach = forms.IntegerField(
        label=_("People reached"),
        min_value=0,
        required=False,
        help_text=_(
            "Leave empty for an upcoming event: it is announced as planned and its reach is "
            "recorded after it takes place."
        ),
    )
    place = forms.CharField(label=_("Place or link"), max_length=300, required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, required=False)

    def __init__(self, *args, districts=None, poos=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = districts
        self.fields["poo"].queryset = poos


class ReachForm(forms.Form):
    reach = forms.IntegerField(label=_("People reached"), min_value=0)


class InviteForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Whom to invite"),
        choices=[("", _("Supporters and volunteers")), *Supporter.Kind.choices],
        required=False,
    )
    by_sms = forms.BooleanField(label=_("Send an SMS"), required=False, initial=True)
    by_email = forms.BooleanField(label=_("Send an email"), required=False, initial=True)


class MaterialForm(forms.Form):
    files = MultipleFileField(label=_("Files"), required=False)


class InstructionLinkForm(forms.Form):
    number = forms.IntegerField(label=_("Instruction number"), min_value=1)
