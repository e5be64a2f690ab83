"""Forms of the reception's staff pages.

They parse what the browser sent (dates, choices, objects the user may pick); the domain
checks (names, IIN, phone, deadlines, files...) stay in the actions of `services/`
(appeals and schedule), whose ValidationErrors the views put back on these forms field by field.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bastau.core.forms import DateInput
from bastau.core.widgets import SearchChoiceField
from bastau.structure.models import Branch
from bastau.structure.search import find_branches

from ..models import Appeal, Booking, Official, ReceptionSchedule, ReceptionSession, Topic


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each is checked by `attachments.check_files`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [item for item in data if item]
        return [data] if data else []


def _districts():
    return Branch.objects.filter(kind__in=(Branch.Kind.DISTRICT, Branch.Kind.CITY)).order_by("name")


class BranchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


# Dashboard -----------------------------------------------------------------------------------
def _branch_names(branch) -> tuple[str, ...]:
    return (branch.code, branch.name, branch.name_ru, branch.display_name)


class DashboardForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    # The regional administrator's branch filter: a searchable picker over the branches given
    # (3,400 at national size: a <select> wrote every one of them on every view of the page).
    # A code outside them is an invalid choice; a name typed without the script is looked up.
    branch = SearchChoiceField(
        "reception:staff_pick_branch",
        label=_("Branch"),
        find=find_branches,
        names=_branch_names,
        placeholder=_("All branches"),
    )
    whole_year = forms.BooleanField(label=_("Compare with the whole of last year"), required=False)

    def __init__(self, *args, branches=None, **kwargs):
        """`branches`: the queryset the branch filter picks from; None: no filter."""
        super().__init__(*args, **kwargs)
        if branches is None:
            del self.fields["branch"]
        else:
            self.fields["branch"].queryset = branches

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period ends before it starts."))
        if end and end > timezone.localdate():
            self.add_error("end", _("The figures cannot be computed for a future date."))
        return data


# Appeal lists --------------------------------------------------------------------------------
class AppealFilterForm(forms.Form):
    q = forms.CharField(label=_("Number or applicant"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open"))] + Appeal.Status.choices,
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All"))] + Appeal.Channel.choices
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All"))] + Appeal.Kind.choices
    )
    topic = TopicChoiceField(
        label=_("Topic"), required=False, queryset=Topic.objects.all(), empty_label=_("All")
    )
    district = BranchChoiceField(
        label=_("District"), required=False, queryset=Branch.objects.none(), empty_label=_("All")
    )
    branch = BranchChoiceField(
        label=_("Receiving branch"),
        required=False,
        queryset=Branch.objects.none(),
        empty_label=_("All"),
    )
    registered_from = forms.DateField(
        label=_("Registered from"), required=False, widget=DateInput()
    )
    registered_to = forms.DateField(label=_("Registered until"), required=False, widget=DateInput())
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    due_soon = forms.BooleanField(label=_("Due soon"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = _districts()
        if branches is None:
            del self.fields["branch"]
        else:
            self.fields["branch"].queryset = branches


# Registration --------------------------------------------------------------------------------
class AppealRegisterForm(forms.Form):
    """The field names are those of `services.register_appeal`'s data and errors."""

    receiving_branch = BranchChoiceField(
        label=_("Receiving branch"), queryset=Branch.objects.none(), empty_label=None
    )
    channel = forms.ChoiceField(label=_("Received by"), choices=Appeal.Channel.choices)
    eotinish_reference = forms.CharField(
        label=_("e-Otinish reference"),
        required=False,
        max_length=60,
        help_text=_("Needed when the appeal came through e-Otinish."),
    )
    session = forms.ModelChoiceField(
        label=_("Reception session"),
        required=False,
        queryset=ReceptionSession.objects.none(),
        help_text=_("When the appeal was received at a reception; the channel is then a visit."),
    )
    registered_on = forms.DateField(label=_("Registered on"), widget=DateInput())
    applicant_name = forms.CharField(label=_("Applicant's full name"), required=False)
    applicant_iin = forms.CharField(
        label=_("IIN"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    applicant_email = forms.CharField(
        label=_("Email"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    applicant_address = forms.CharField(label=_("Address"), required=False, max_length=400)
    district = BranchChoiceField(
        label=_("District of residence"),
        required=False,
        queryset=Branch.objects.none(),
        empty_label=_("Not given"),
    )
    topic = TopicChoiceField(
        label=_("Topic"), required=False, queryset=Topic.objects.none(), empty_label="—"
    )
    kind = forms.ChoiceField(label=_("Type"), choices=Appeal.Kind.choices)
    text = forms.CharField(label=_("Text of the appeal"), required=False, widget=forms.Textarea)
    language = forms.ChoiceField(
        label=_("Language of the answers"),
        choices=[("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")],
    )
    attachments = MultipleFileField(
        label=_("Files"),
        help_text=_("PDF, JPG, PNG, DOCX, XLSX or TXT."),
    )
    comment = forms.CharField(
        label=_("Note for the history"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, branches, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiving_branch"].queryset = branches
        self.fields["session"].queryset = sessions
        self.fields["district"].queryset = _districts()
        self.fields["topic"].queryset = Topic.objects.filter(active=True)


# Workflow ------------------------------------------------------------------------------------
class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name() or obj.username
        return f"{name} ({obj.get_role_display()})"


class AssignForm(forms.Form):
    assignee = UserChoiceField(label=_("Person"), required=False, queryset=None)
    official = forms.ModelChoiceField(
        label=_("Official"), required=False, queryset=Official.objects.none()
    )
    body = forms.CharField(label=_("State body"), required=False, max_length=400)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, users, officials, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = users
        self.fields["official"].queryset = officials


class StartForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtendForm(forms.Form):
    new_deadline = forms.DateField(label=_("New deadline"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())


class NotifiedForm(forms.Form):
    how = forms.CharField(
        label=_("How the applicant was told"),
        required=False,
        max_length=300,
        help_text=_("For example: letter No. 12 of 3 April, or a phone call."),
    )


class ForwardForm(forms.Form):
    to = forms.CharField(label=_("Competent body"), required=False, max_length=400)
    on = forms.DateField(label=_("Forwarded on"), widget=DateInput())
    late_reason = forms.CharField(
        label=_("Reason for the delay"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (value, label) for value, label in Appeal.Status.choices if value in Appeal.DECIDED
        ],
        widget=forms.RadioSelect,
    )
    response_text = forms.CharField(
        label=_("Response letter"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    on = forms.DateField(label=_("Decided on"), widget=DateInput())
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachForm(forms.Form):
    attachments = forms.FileField(label=_("File"), required=True)


# Officials, schedules, sessions, bookings ----------------------------------------------------
class OfficialForm(forms.ModelForm):
    branch = BranchChoiceField(label=_("Branch"), queryset=Branch.objects.none())

    class Meta:
        model = Official
        fields = ["name", "position", "organisation", "kind", "branch", "active"]

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["branch"].help_text = Official._meta.get_field("branch").help_text


class ScheduleForm(forms.ModelForm):
    branch = BranchChoiceField(label=_("Branch"), queryset=Branch.objects.none())

    class Meta:
        model = ReceptionSchedule
        fields = [
            "official",
            "branch",
            "weekday",
            "date",
            "valid_from",
            "valid_until",
            "start_time",
            "end_time",
            "slot_minutes",
            "place",
            "note",
            "active",
        ]
        widgets = {
            "date": DateInput(),
            "valid_from": DateInput(),
            "valid_until": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
        }
        help_texts = {
            "weekday": _("Every week on this day (days off are skipped)…"),
            "date": _("…or once, on this date."),
        }

    def __init__(self, *args, branches, officials, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["official"].queryset = officials

    def clean(self):
        data = super().clean()
        # The model's constraint says the same; checked here so that the message is the
        # product's own and in the user's language, not the constraint's name.
        if (data.get("weekday") is None) == (data.get("date") is None):
            self.add_error("date", _("Give either a weekday or a date."))
        return data


class SessionForm(forms.Form):
    official = forms.ModelChoiceField(label=_("Official"), queryset=Official.objects.none())
    schedule = forms.ModelChoiceField(
        label=_("Schedule"), required=False, queryset=ReceptionSchedule.objects.none()
    )
    branch = BranchChoiceField(
        label=_("Branch"),
        required=False,
        queryset=Branch.objects.none(),
        empty_label=_("The official's branch"),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=300,
        help_text=_("Empty: the schedule's place."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, branches, officials, schedules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["official"].queryset = officials
        self.fields["schedule"].queryset = schedules
        self.fields["branch"].queryset = branches


class SessionEditForm(forms.Form):
    place = forms.CharField(label=_("Place"), required=False, max_length=300)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class BookingForm(forms.Form):
    schedule = forms.ModelChoiceField(
        label=_("Reception"), queryset=ReceptionSchedule.objects.none()
    )
    day = forms.DateField(label=_("Day"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput())
    applicant_name = forms.CharField(label=_("Visitor's name"), required=False, max_length=300)
    applicant_phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    topic = TopicChoiceField(
        label=_("Topic"), required=False, queryset=Topic.objects.none(), empty_label="—"
    )

    def __init__(self, *args, schedules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schedule"].queryset = schedules
        self.fields["topic"].queryset = Topic.objects.filter(active=True)


class BookingActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("attended", _("Came")), ("no_show", _("Did not come")), ("cancel", _("Cancel"))]
    )
    session = forms.ModelChoiceField(
        label=_("Reception session"), required=False, queryset=ReceptionSession.objects.none()
    )

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions


class BookingDayForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=DateInput())
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + Booking.Status.choices
    )


# Calendar ------------------------------------------------------------------------------------
class CalendarOverrideForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    is_working_day = forms.TypedChoiceField(
        label=_("The day is"),
        choices=[("1", _("a working day")), ("0", _("a day off"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=200,
        help_text=_("For example: Kurban Ait moved by the Government's decree of 20 May."),
    )
