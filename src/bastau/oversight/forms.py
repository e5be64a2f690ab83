"""Forms of the oversight pages. They only collect and type the input: every write goes
through `services.py` (or `budget_import.py`), whose `ValidationError`s are put back on the
form by field (`bastau.structure.views._apply_errors`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bastau.core.choices import Sex

from .models import BudgetSector, Deputy, Maslikhat, ScheduledReport

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label, required=True, **kwargs):
    return forms.DateField(label=label, required=required, widget=DATE, **kwargs)


# Filters -----------------------------------------------------------------------------------------
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


# Register ----------------------------------------------------------------------------------------
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


class ThresholdForm(forms.Form):
    budget_threshold = forms.DecimalField(
        label=_("Budget execution threshold, %"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text=_("Indicators executed below this share of the plan are flagged."),
    )


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


# Factions ----------------------------------------------------------------------------------------
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


# Reporting schedule ------------------------------------------------------------------------------
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


# Budget ------------------------------------------------------------------------------------------
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
