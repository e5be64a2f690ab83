"""Forms of the register pages: maslikhats, convocations, deputies and factions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bastau.core.choices import Sex

from ..models import Deputy, Maslikhat
from . import date_field as _date


class DeputyFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    maslikhat = forms.ModelChoiceField(
        label=_("Maslikhat"), queryset=Maslikhat.objects.none(), required=False
    )
    party = forms.ChoiceField(
        label=_("Party"), required=False, choices=[("", _("Any"))] + Deputy.Party.choices
    )
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", _("Any"))] + Sex.choices)
    elected_by = forms.ChoiceField(
        label=_("Elected by"), required=False, choices=[("", _("Any"))] + Deputy.Election.choices
    )
    faction = forms.ChoiceField(
        label=_("Faction"),
        required=False,
        choices=[("", _("Any")), ("yes", _("In the faction")), ("no", _("Not in the faction"))],
    )
    status = forms.ChoiceField(
        label=_("Mandate"),
        required=False,
        choices=[("", _("Any")), *Deputy.Status.choices],
    )

    def __init__(self, *args, maslikhats=None, **kwargs):
        super().__init__(*args, **kwargs)
        if maslikhats is not None:
            self.fields["maslikhat"].queryset = maslikhats


class MaslikhatForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None)
    level = forms.ChoiceField(label=_("Level"), choices=Maslikhat.Level.choices)
    name = forms.CharField(label=_("Name (Kazakh)"), max_length=200)
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=200, required=False)
    seats_total = forms.IntegerField(label=_("Seats"), min_value=1, max_value=500)
    seats_by_list = forms.IntegerField(label=_("Seats by party list"), min_value=0, max_value=500)
    seats_by_district = forms.IntegerField(
        label=_("Seats by single-member district"), min_value=0, max_value=500
    )

    def __init__(self, *args, branches=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["branch"]
            del self.fields["level"]
        else:
            self.fields["branch"].queryset = branches


class ConvocationForm(forms.Form):
    number = forms.IntegerField(label=_("Convocation number"), min_value=1, max_value=100)
    started_on = _date(_("Started on"))
    ended_on = _date(_("Ended on"), required=False)


class DeputyForm(forms.Form):
    convocation = forms.ModelChoiceField(label=_("Convocation"), queryset=None)
    member_iin = forms.CharField(
        label=_("Party member's IIN"),
        required=False,
        max_length=12,
        help_text=_("For a party member: birth date and sex then come from the member record."),
    )
    last_name = forms.CharField(label=_("Surname"), max_length=100, required=False)
    first_name = forms.CharField(label=_("Given name"), max_length=100, required=False)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=100, required=False)
    birth_date = _date(_("Birth date"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", "—")] + Sex.choices)
    party = forms.ChoiceField(label=_("Party"), choices=Deputy.Party.choices)
    party_name = forms.CharField(label=_("Party name"), max_length=200, required=False)
    elected_by = forms.ChoiceField(label=_("Elected by"), choices=Deputy.Election.choices)
    district_number = forms.IntegerField(
        label=_("Electoral district number"), required=False, min_value=1, max_value=999
    )
    committee = forms.CharField(label=_("Standing committee"), max_length=300, required=False)
    posts = forms.CharField(label=_("Posts"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)

    def __init__(self, *args, convocations=None, editing=False, with_contacts=True, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["convocation"]
        else:
            self.fields["convocation"].queryset = convocations
        if not with_contacts:
            del self.fields["phone"]
            del self.fields["email"]
        for name in ("phone",):
            if name in self.fields:
                self.fields[name].widget.attrs.update(type="tel", autocomplete="off")


class EndMandateForm(forms.Form):
    ended_on = _date(_("Mandate ended on"))
    reason = forms.CharField(label=_("Reason"), max_length=300)


class FactionForm(forms.Form):
    convocation = forms.ModelChoiceField(label=_("Convocation"), queryset=None)
    name = forms.CharField(label=_("Faction name"), max_length=200)
    formed_on = _date(_("Formed on"), required=False)

    def __init__(self, *args, convocations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convocation"].queryset = convocations


class FactionMemberForm(forms.Form):
    deputy = forms.ModelChoiceField(label=_("Deputy"), queryset=None)

    def __init__(self, *args, deputies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = deputies


class FactionLeaderForm(forms.Form):
    leader = forms.ModelChoiceField(label=_("Leader"), queryset=None, required=False)

    def __init__(self, *args, deputies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = deputies
