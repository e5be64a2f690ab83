"""Form pieces every app uses: the date input, and the mapping of an action's errors onto a form."""

from django import forms
from django.core.exceptions import ValidationError


class DateInput(forms.DateInput):
    """The browser's own date picker; the value in ISO form, whatever the language."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show an action's ValidationError on the form: a field's error beside the field when the
    form has it, anything else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
