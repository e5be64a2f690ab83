"""Forms of the budget monitor: filters, the threshold, notes, responsibility, the import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import BudgetSector, Maslikhat
from . import date_field as _date


class IndicatorFilterForm(forms.Form):
    maslikhat = forms.ModelChoiceField(
        label=_("Maslikhat"), queryset=Maslikhat.objects.none(), required=False
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    sector = forms.ChoiceField(
        label=pgettext_lazy("budget", "Sector"),
        required=False,
        choices=[("", _("Any"))] + BudgetSector.choices,
    )
    lagging = forms.BooleanField(label=_("Lagging only"), required=False)
    responsible = forms.ChoiceField(
        label=_("Responsible"),
        required=False,
        choices=[
            ("", _("Any")),
            ("faction", _("A faction")),
            ("deputy", _("A deputy")),
            ("none", _("Nobody")),
        ],
    )
    q = forms.CharField(label=_("Code or name"), required=False, max_length=100)

    def __init__(self, *args, maslikhats=None, **kwargs):
        super().__init__(*args, **kwargs)
        if maslikhats is not None:
            self.fields["maslikhat"].queryset = maslikhats


class ThresholdForm(forms.Form):
    budget_threshold = forms.DecimalField(
        label=_("Budget execution threshold, %"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text=_("Indicators executed below this share of the plan are flagged."),
    )


class NoteForm(forms.Form):
    date = _date(_("Date"))
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class ResponsibleForm(forms.Form):
    faction = forms.ModelChoiceField(label=_("Responsible faction"), queryset=None, required=False)
    deputy = forms.ModelChoiceField(label=_("Responsible deputy"), queryset=None, required=False)

    def __init__(self, *args, factions=None, deputies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["faction"].queryset = factions
        self.fields["deputy"].queryset = deputies


class BudgetImportForm(forms.Form):
    maslikhat = forms.ModelChoiceField(label=_("Maslikhat"), queryset=None)
    file = forms.FileField(
        label=_("File"),
        help_text=_("An .xlsx or .csv file whose first row names the columns, as in the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, maslikhats=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["maslikhat"].queryset = maslikhats
