"""Form pieces every app uses: the date input, the mapping of an action's errors onto a form, and
the words for a wrong IIN."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bastau.lib import iin as iin_lib


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


def iin_error_message(exc: iin_lib.IINError) -> str:
    """Why an IIN is wrong, in the user's language (members, appeals, deputies)."""
    return {
        "format": _("An IIN is exactly 12 digits."),
        "century": _("The 7th digit of an IIN must be 1-6."),
        "date": _("The first six digits of an IIN are not a real date."),
        "checksum": _("The IIN's check digit is wrong."),
    }[exc.code]
