from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from bastau.core.forms import DateInput

#: A report covers at most this many days (ten years): longer periods are a typing mistake.
MAX_DAYS = 3660


class ReportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())
    compare_start = forms.DateField(label=_("Compare from"), widget=DateInput())
    compare_end = forms.DateField(label=_("Compare to"), widget=DateInput())
    branch = forms.ChoiceField(label=_("Branch"), required=False)
    poo = forms.CharField(label=_("POO code"), required=False, max_length=40)

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [("", "—")] + [(b.code, b.display_name) for b in branches]

    def clean(self):
        data = super().clean()
        for first, last in (("start", "end"), ("compare_start", "compare_end")):
            a, b = data.get(first), data.get(last)
            if a and b:
                if b < a:
                    self.add_error(last, _("The period ends before it starts."))
                elif (b - a) > dt.timedelta(days=MAX_DAYS):
                    self.add_error(last, _("A report covers at most ten years."))
        return data
