from django import forms
from django.utils.translation import gettext_lazy as _


class TopicForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name in Kazakh"), max_length=200)
    name_ru = forms.CharField(label=_("Name in Russian"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=0)
    active = forms.BooleanField(
        label=_("Offered"),
        required=False,
        initial=True,
        help_text=_("A topic not offered is kept on the appeals that name it."),
    )
