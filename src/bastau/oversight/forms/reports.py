"""Forms of the reporting pages: schedules, reports, their outcomes and questions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ScheduledReport
from . import date_field as _date


class ScheduleForm(forms.Form):
    maslikhat = forms.ModelChoiceField(label=_("Maslikhat"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=300)
    period_start = _date(_("Period from"))
    period_end = _date(_("Period until"))
    approved_on = _date(_("Approved on"))

    def __init__(self, *args, maslikhats=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["maslikhat"].queryset = maslikhats


class ReportForm(forms.Form):
    deputy = forms.ModelChoiceField(label=_("Deputy"), queryset=None)
    date = _date(_("Date"))
    time = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    place = forms.CharField(label=_("Place"), max_length=300)
    audience = forms.CharField(label=_("Audience"), max_length=300, required=False)
    subject = forms.ChoiceField(label=_("Subject"), choices=ScheduledReport.Subject.choices)
    topic = forms.CharField(label=_("Topic"), max_length=500)

    def __init__(self, *args, deputies=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["deputy"]
        else:
            self.fields["deputy"].queryset = deputies


class HeldForm(forms.Form):
    held_on = _date(_("Held on"))
    attendance = forms.IntegerField(label=_("Attendance"), min_value=0, max_value=100_000)
    note = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    questions = forms.CharField(
        label=_("Questions raised"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One question per line."),
    )

    def question_list(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["questions"].splitlines() if line.strip()
        ]


class PostponeForm(forms.Form):
    new_date = _date(_("New date"))
    reason = forms.CharField(label=_("Reason for postponing"), max_length=300)


class MissedForm(forms.Form):
    note = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}))
    asked_by = forms.CharField(label=_("Asked by"), max_length=200, required=False)


class QuestionAppealForm(forms.Form):
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=None)
    applicant_name = forms.CharField(label=_("Applicant's name"), max_length=200)
    applicant_phone = forms.CharField(label=_("Applicant's phone"), max_length=20, required=False)
    applicant_email = forms.EmailField(label=_("Applicant's email"), required=False)
    applicant_address = forms.CharField(
        label=_("Applicant's address"), max_length=300, required=False
    )

    def __init__(self, *args, topics=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics
        self.fields["applicant_phone"].widget.attrs.update(type="tel")
