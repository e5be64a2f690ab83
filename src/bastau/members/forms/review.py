from django import forms
from django.utils.translation import gettext_lazy as _

from bastau.core.forms import DateInput
from bastau.structure.models import Branch, PrimaryOrganization

from ..models import ReviewItem


class ReviewOpenForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Answer"), choices=ReviewItem.Answer.choices, widget=forms.RadioSelect
    )
    to_poo = forms.ModelChoiceField(
        label=_("Moved to (for “Moved”)"),
        required=False,
        queryset=PrimaryOrganization.objects.filter(
            status=PrimaryOrganization.Status.ACTIVE
        ).select_related("branch"),
    )
    reason = forms.CharField(
        label=_("Reason (required for “Other”)"), required=False, max_length=300
    )

    def __init__(self, *args, exclude_poo=None, **kwargs):
        super().__init__(*args, **kwargs)
        if exclude_poo is not None:
            field = self.fields["to_poo"]
            field.queryset = field.queryset.exclude(pk=exclude_poo.pk).order_by(
                "branch__name", "name"
            )


class OwnContactsForm(forms.Form):
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    email = forms.EmailField(label=_("Email"), required=False)
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
