from django import forms
from django.utils.translation import gettext_lazy as _

from .models import API_APPS, ApiToken


def app_choices():
    labels = {
        "structure": _("Party structure"),
        "members": _("Members and admissions"),
        "reception": _("Public reception"),
        "oversight": _("Deputies and budget"),
        "primaries": _("Primaries"),
        "activity": _("Branch activity"),
        "surveys": _("Surveys"),
        "programme": _("Programme"),
    }
    return [(app, labels[app]) for app in API_APPS]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    access = forms.ChoiceField(
        label=_("Access"), choices=ApiToken.Access.choices, initial=ApiToken.Access.READ
    )
    apps = forms.MultipleChoiceField(
        label=_("Apps"), choices=app_choices, widget=forms.CheckboxSelectMultiple
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366, initial=90)
