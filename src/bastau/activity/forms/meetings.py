"""Forms of the branch activity pages (meetings, instructions, social projects).

They only collect and type the input; every write goes through `services.py`, whose
`ValidationError`s are put back on the form by field. People are never a select of every
row (a district has thousands of members, the region thousands of accounts): participants,
speakers, responsible people and co-executors are picked with the searchable pickers of
`core.widgets` (members from `accounts:pick_member`, accounts from `activity:pick_user`), whose
fields check every posted id against the scoped queryset. A meeting's chair and a project's
curator are members picked the same way (a chair who is not a member is named in words).
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bastau.core.widgets import Autocomplete, PeopleField

from ..models import Instruction, Meeting, SocialProject

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label, required=True, **kwargs):
    return forms.DateField(label=label, required=required, widget=DATE, **kwargs)


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def person_label(user) -> str:
    """How an account is named in the pickers: the name (or login) and the role."""
    return f"{user.get_full_name() or user.username} ({user.get_role_display()})"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


def _people(url_name, label, **kwargs):
    return PeopleField(url_name, label=label, **kwargs)


MEMBER_SEARCH_HELP = _("Search by name, IIN or party card number.")


# Filters -----------------------------------------------------------------------------------
class MeetingFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any")), *Meeting.Kind.choices]
    )
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


#: The states an instruction is filtered by ("overdue" is derived, never stored).
STATE_CHOICES = [("", _("Any")), *Instruction.Status.choices]


class InstructionFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Status"), required=False, choices=STATE_CHOICES)
    responsible = UserChoiceField(
        label=_("Responsible"),
        queryset=None,
        required=False,
        widget=Autocomplete("activity:pick_user"),
    )
    mine = forms.BooleanField(label=_("Mine only"), required=False)

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = users


class ProjectFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any")),
            *SocialProject.Status.choices,
            ("optimised", _("Optimised in the year")),
        ],
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)


class PeriodForm(forms.Form):
    start = _date(_("From"))
    end = _date(_("To"))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


# Meetings ----------------------------------------------------------------------------------
class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Meeting.Kind.choices)
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=None,
        required=False,
        help_text=_("For an activists' meeting, a political council or a conference."),
    )
    poo = forms.ModelChoiceField(
        label=_("Primary organization"),
        queryset=None,
        required=False,
        help_text=_("For a primary organization meeting."),
    )
    number = forms.CharField(label=_("Protocol number"), required=False, max_length=40)
    date = _date(_("Date"))
    place = forms.CharField(label=_("Place"), required=False, max_length=300)
    chair = forms.ModelChoiceField(
        label=_("Chair"),
        queryset=None,
        required=False,
        help_text=MEMBER_SEARCH_HELP,
        widget=Autocomplete("accounts:pick_member"),
    )
    chair_name = forms.CharField(
        label=_("Chair (name)"),
        required=False,
        max_length=200,
        help_text=_("When the chair is not a member on record."),
    )

    def __init__(self, *args, branches=None, poos=None, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        if branches is None:
            del self.fields["branch"]
        else:
            self.fields["branch"].queryset = branches
        self.fields["poo"].queryset = poos
        self.fields["chair"].queryset = members


class ParticipantsForm(forms.Form):
    categories = forms.CharField(
        label=_("Participants by category"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One category a line with its count, e.g. “POO leaders: 45”."),
    )
    attendees = _people(
        "accounts:pick_member", _("Named participants"), help_text=MEMBER_SEARCH_HELP
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = members

    def clean_categories(self):
        result: dict[str, int] = {}
        for line in _lines(self.cleaned_data.get("categories", "")):
            name, sep, count = line.rpartition(":")
            name, count = name.strip(), count.strip()
            if not sep or not name or not count.isdigit():
                raise forms.ValidationError(
                    _("Write “category: count” on each line (“%(line)s” is not).") % {"line": line}
                )
            if name in result:
                raise forms.ValidationError(
                    _("The category “%(name)s” is given twice.") % {"name": name}
                )
            result[name] = int(count)
        return result


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Question"), max_length=500)
    speakers = _people("accounts:pick_member", _("Speakers"), help_text=MEMBER_SEARCH_HELP)
    speakers_text = forms.CharField(
        label=_("Other speakers"),
        required=False,
        max_length=500,
        help_text=_("Speakers who are not members on record, by name and position."),
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speakers"].queryset = members


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 4}))
    admission = forms.ModelChoiceField(
        label=_("Admission to the party"), queryset=None, required=False
    )
    candidate = forms.ModelChoiceField(
        label=_("Nominated candidate"), queryset=None, required=False
    )

    def __init__(self, *args, admissions=None, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if admissions is None:
            del self.fields["admission"], self.fields["candidate"]
        else:
            self.fields["admission"].queryset = admissions
            self.fields["candidate"].queryset = candidates


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class AttachmentForm(forms.Form):
    attachments = MultipleFileField(
        label=_("Files"), help_text=_("PDF, JPG, PNG, DOCX, XLSX or TXT.")
    )


# Instructions ------------------------------------------------------------------------------
class InstructionForm(forms.Form):
    text = forms.CharField(label=_("Instruction"), widget=forms.Textarea(attrs={"rows": 4}))
    branch = forms.ModelChoiceField(label=_("Issuing branch"), queryset=None, required=False)
    poo = forms.ModelChoiceField(
        label=_("Issuing primary organization"),
        queryset=None,
        required=False,
        help_text=_("Leave empty when the branch itself issues the instruction."),
    )
    deadline = _date(_("Deadline"))
    responsible_users = _people(
        "activity:pick_user", _("Responsible people"), label_from_instance=person_label
    )
    responsible_branches = forms.ModelMultipleChoiceField(
        label=_("Responsible branches"), queryset=None, required=False
    )
    responsible_poos = forms.ModelMultipleChoiceField(
        label=_("Responsible primary organizations"), queryset=None, required=False
    )
    co_executors = _people(
        "activity:pick_user", _("Co-executors"), label_from_instance=person_label
    )

    def __init__(
        self, *args, users=None, branches=None, poos=None, unit_fields=("branch", "poo"), **kwargs
    ):
        super().__init__(*args, **kwargs)
        for name in ("branch", "poo"):
            if name not in unit_fields:
                del self.fields[name]
        if "branch" in self.fields:
            self.fields["branch"].queryset = branches
        if "poo" in self.fields:
            self.fields["poo"].queryset = poos
        self.fields["responsible_users"].queryset = users
        self.fields["co_executors"].queryset = users
        self.fields["responsible_branches"].queryset = branches
        self.fields["responsible_poos"].queryset = poos
        for name in ("responsible_branches", "responsible_poos"):
            self.fields[name].widget.attrs["size"] = 6


class ReportForm(forms.Form):
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}))
    attachments = MultipleFileField(
        label=_("Files"), required=False, help_text=_("PDF, JPG, PNG, DOCX, XLSX or TXT.")
    )


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("What is missing"), max_length=500)


class ExtensionForm(forms.Form):
    new_deadline = _date(_("New deadline"))
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ExtensionDecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the cancellation"), max_length=500)


# Social projects ---------------------------------------------------------------------------
class ProjectForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=200)
    goal = forms.CharField(
        label=_("Goal"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    target_groups = forms.CharField(label=_("Target groups"), required=False, max_length=300)
    curator = forms.ModelChoiceField(
        label=_("Curator"),
        queryset=None,
        required=False,
        help_text=MEMBER_SEARCH_HELP,
        widget=Autocomplete("accounts:pick_member"),
    )
    started_on = _date(_("Started on"), required=False)

    def __init__(self, *args, branches=None, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        self.fields["branch"].queryset = branches
        self.fields["curator"].queryset = members


class ProjectEventForm(forms.Form):
    date = _date(_("Date"))
    title = forms.CharField(label=pgettext_lazy("project", "Event"), max_length=300)
    reach = forms.IntegerField(label=_("People reached"), min_value=0, initial=0)


class EndProjectForm(forms.Form):
    ending = forms.ChoiceField(
        label=_("Ending"),
        choices=[("closed", _("Close the project")), ("merged", _("Merge into another project"))],
        widget=forms.RadioSelect,
    )
    merged_into = forms.ModelChoiceField(label=_("Merged into"), queryset=None, required=False)
    on = _date(_("Date"), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merged_into"].queryset = targets

    def clean(self):
        data = super().clean()
        if data.get("ending") == "merged" and not data.get("merged_into"):
            self.add_error("merged_into", _("Choose the project it is merged into."))
        if data.get("ending") == "closed":
            data["merged_into"] = None
        return data
