"""Forms of the register and the programme: they collect and type the input; every write goes
through services.py, whose errors are put back on the form."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bastau.core.forms import DateInput

from . import logic


class NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return getattr(obj, "display_name", None) or str(obj)


class IssueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    district = NamedChoiceField(
        label=_("District"), queryset=None, required=False, empty_label=_("All")
    )
    topic = NamedChoiceField(label=_("Topic"), queryset=None, required=False, empty_label=_("All"))
    merged = forms.BooleanField(label=_("Show merged duplicates"), required=False)

    def __init__(self, *args, districts, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["topic"].queryset = topics


class IssueForm(forms.Form):
    title = forms.CharField(label=_("Issue (Kazakh)"), max_length=300)
    title_ru = forms.CharField(label=_("Issue (Russian)"), max_length=300, required=False)
    district = NamedChoiceField(
        label=_("District"), queryset=None, required=False, empty_label=_("The whole region")
    )
    topic = NamedChoiceField(label=_("Topic"), queryset=None, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)

    def __init__(self, *args, districts, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["topic"].queryset = topics


class AppealSetForm(forms.Form):
    topic = NamedChoiceField(label=_("Appeal topic"), queryset=None)
    district = NamedChoiceField(label=_("District"), queryset=None)

    def __init__(self, *args, districts, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["topic"].queryset = topics


class AppealForm(forms.Form):
    number = forms.CharField(label=_("Appeal registration number"), max_length=60)


class IdChoiceForm(forms.Form):
    """A choice among recent records of the scope (question, decision), by id."""

    choice = forms.TypedChoiceField(coerce=int, label="")

    def __init__(self, *args, label="", choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].label = label
        self.fields["choice"].choices = [("", "—"), *choices]


class MergeForm(forms.Form):
    into = forms.IntegerField(
        label=_("Number of the issue it duplicates"),
        min_value=1,
        help_text=_("The links of this issue move there; this one keeps its history."),
    )


class ProgrammeForm(forms.Form):
    branch = NamedChoiceField(label=_("Branch"), queryset=None)
    title = forms.CharField(label=_("Title (Kazakh)"), max_length=300)
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=300, required=False)

    youth_wing = NamedChoiceField(
        label=_("Youth wing (for a youth programme)"),
        queryset=None,
        required=False,
        help_text=_("A youth programme is adopted by the wing's congress."),
    )
    survey = forms.ModelChoiceField(label=_("Survey it draws on"), queryset=None, required=False)

    def __init__(self, *args, branches, wings, surveys, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["youth_wing"].queryset = wings
        self.fields["survey"].queryset = surveys
        self.fields["survey"].label_from_instance = lambda s: (
            getattr(s, "display_title", None) or str(s)
        )


ISSUE_NUMBERS = re.compile(r"^[\s,#0-9]*$")


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Commitment (Kazakh)"), max_length=400)
    title_ru = forms.CharField(label=_("Commitment (Russian)"), max_length=400, required=False)
    indicator = forms.CharField(label=_("Indicator"), max_length=300)
    target = forms.CharField(label=_("Target"), max_length=200)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    responsible = forms.CharField(label=_("Responsible person or unit"), max_length=300)
    cost = forms.DecimalField(
        label=_("Cost, thousand tenge"), required=False, max_digits=14, decimal_places=1
    )
    district = NamedChoiceField(
        label=_("District"), queryset=None, required=False, empty_label=_("The whole region")
    )
    issue_numbers = forms.CharField(
        label=_("Issues it answers"),
        max_length=300,
        help_text=_("Numbers of issues of the register, separated by commas: 12, 15."),
    )

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts

    def clean_issue_numbers(self):
        value = self.cleaned_data["issue_numbers"]
        if not ISSUE_NUMBERS.match(value):
            raise forms.ValidationError(_("Write issue numbers separated by commas."))
        numbers = sorted({int(n) for n in re.findall(r"\d+", value)})
        if not numbers:
            raise forms.ValidationError(_("Write issue numbers separated by commas."))
        return numbers


class VersionForm(forms.Form):
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class SubmitForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=None)

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].label_from_instance = lambda m: (
            f"{m.date:%d.%m.%Y} — {m.get_kind_display()}{f' № {m.number}' if m.number else ''}"
        )


class CongressSubmitForm(forms.Form):
    submitted_on = forms.DateField(label=_("Submitted to the congress on"), widget=DateInput())


class CongressAdoptForm(forms.Form):
    version = forms.TypedChoiceField(
        label=_("Version of the youth programme"),
        coerce=int,
        error_messages={
            "invalid_choice": _("Choose a version submitted to this congress."),
            "required": _("Choose a version submitted to this congress."),
        },
    )

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [
            ("", "—"),
            *((v.pk, f"{v.programme.display_title}, v{v.number}") for v in versions),
        ]


class ApproveForm(forms.Form):
    text = forms.CharField(label=_("The meeting's decision"), widget=forms.Textarea)


TRACK_STATUSES = [
    (logic.PLANNED, pgettext_lazy("commitment status", "Planned")),
    (logic.IN_PROGRESS, _("In progress")),
    (logic.DONE, _("Kept")),
    (logic.CANCELLED, _("Withdrawn")),
]


class TrackForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TRACK_STATUSES)
    done_on = forms.DateField(label=_("Kept on"), required=False, widget=DateInput())
    budget_indicators = forms.TypedMultipleChoiceField(
        label=_("Budget indicators that show it"), coerce=int, required=False
    )
    deputy_reports = forms.TypedMultipleChoiceField(
        label=_("Deputies' reports that show it"), coerce=int, required=False
    )

    def __init__(self, *args, indicators=(), reports=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_indicators"].choices = indicators
        self.fields["deputy_reports"].choices = reports


class EvidenceForm(forms.Form):
    text = forms.CharField(label=_("Evidence"), widget=forms.Textarea)
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    date = forms.DateField(label=_("Date"), widget=DateInput())
