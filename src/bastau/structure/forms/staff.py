from django import forms
from django.utils.translation import gettext_lazy as _

from bastau.core.forms import DateInput

from ..models import Branch, PrimaryOrganization


class PooForm(forms.ModelForm):
    class Meta:
        model = PrimaryOrganization
        fields = ["code", "name", "branch", "workplace_kind", "address", "founded_on"]
        widgets = {"founded_on": DateInput()}

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        if branches is not None:
            self.fields["branch"].queryset = branches.exclude(kind=Branch.Kind.REGION)
        if self.instance.pk:
            self.fields["branch"].disabled = True
            self.fields["code"].disabled = True


class MoveForm(forms.Form):
    to_branch = forms.ModelChoiceField(
        label=_("New branch"), queryset=Branch.objects.exclude(kind=Branch.Kind.REGION)
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label=_("Merge into"), queryset=PrimaryOrganization.objects.none()
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, poos=None, **kwargs):
        super().__init__(*args, **kwargs)
        if poos is not None:
            self.fields["into"].queryset = poos.filter(status=PrimaryOrganization.Status.ACTIVE)


class CloseForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=500)
