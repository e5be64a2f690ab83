"""Forms of the oversight pages, by page group: `register`, `reports`, `budget`. They only
collect and type the input: every write goes through `services` (the budget file through
`services.budget_import`), whose `ValidationError`s `core.pages.form_page` (or
`core.forms.apply_errors`) puts back on the form by field."""

from django import forms

from bastau.core.forms import DateInput


def date_field(label, required=True, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), **kwargs)
