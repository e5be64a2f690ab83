from django import forms
from django.utils.translation import gettext_lazy as _

from bastau.core.forms import DateInput
from bastau.structure.models import PrimaryOrganization

from ..models import Admission, Member, PartyCard, Sector


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or IIN"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Current members")), ("all", _("All"))] + Member.Status.choices,
    )
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=[("", _("All")), ("F", _("Women")), ("M", _("Men"))]
    )
    sector = forms.ChoiceField(
        label=_("Sector"), required=False, choices=[("", _("All")), *Sector.choices]
    )
    youth = forms.BooleanField(label=_("Youth only"), required=False)
    veterans = forms.BooleanField(label=_("Veterans only"), required=False)
    branch = forms.CharField(required=False, widget=forms.HiddenInput)
    poo = forms.CharField(required=False, widget=forms.HiddenInput)


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "last_name",
            "first_name",
            "patronymic",
            "phone",
            "email",
            "address",
            "sector",
            "has_disability",
            "is_veteran",
        ]


class ApplicationForm(forms.ModelForm):
    poo = forms.ModelChoiceField(
        label=_("Primary organization"), queryset=PrimaryOrganization.objects.none()
    )

    class Meta:
        model = Admission
        fields = [
            "iin",
            "last_name",
            "first_name",
            "patronymic",
            "phone",
            "email",
            "address",
            "sector",
            "poo",
            "applied_on",
        ]
        widgets = {
            "applied_on": DateInput(),
            "iin": forms.TextInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, poos=None, **kwargs):
        super().__init__(*args, **kwargs)
        if poos is not None:
            self.fields["poo"].queryset = poos.filter(status=PrimaryOrganization.Status.ACTIVE)


class PooDecisionForm(forms.Form):
    meeting_date = forms.DateField(label=_("POO meeting date"), widget=DateInput())
    protocol_number = forms.CharField(label=_("Protocol number"), max_length=40)


class ApprovalForm(forms.Form):
    decision_date = forms.DateField(label=_("District decision date"), widget=DateInput())


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CardForm(forms.Form):
    series = forms.CharField(label=_("Series"), max_length=8)
    number = forms.IntegerField(
        label=_("Number"),
        required=False,
        min_value=1,
        help_text=_("Leave empty to take the next free number in the series."),
    )
    issued_on = forms.DateField(label=_("Issued on"), widget=DateInput())


class ReplaceCardForm(forms.Form):
    lost = forms.TypedChoiceField(
        label=_("Why"),
        coerce=lambda v: v == "lost",
        choices=[
            ("reissue", _("Reissue (worn out, data changed)")),
            ("lost", _("The card was lost")),
        ],
    )
    reason = forms.CharField(label=_("Details"), max_length=300)
    issued_on = forms.DateField(label=_("New card issued on"), widget=DateInput())


class TransferForm(forms.Form):
    to_poo = forms.ModelChoiceField(
        label=_("To primary organization"),
        queryset=PrimaryOrganization.objects.filter(status=PrimaryOrganization.Status.ACTIVE),
        widget=forms.Select,
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Member.Status.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=300)


class OverviewForm(forms.Form):
    reference = forms.DateField(label=_("As of"), required=False, widget=DateInput())
    growth_from = forms.DateField(label=_("Growth since"), required=False, widget=DateInput())
    youth_age = forms.IntegerField(
        label=_("Youth: younger than"), required=False, min_value=14, max_value=60
    )
    branch = forms.CharField(required=False, widget=forms.HiddenInput)
    poo = forms.CharField(required=False, widget=forms.HiddenInput)


__all__ = ["PartyCard"]
