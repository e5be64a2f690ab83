"""Forms of the citizens' pages of the public reception (views/public.py).

Two spam traps that need no third-party service, shared by every public form:

- a honeypot: a text field that people never see (hidden by CSS, out of the tab order,
  labelled "leave empty" for screen readers that reach it); a bot that fills every input
  fills it too;
- a minimum fill time: the form carries a signed timestamp of when the page was served; a
  form sent back sooner than `min_fill_seconds()` (or with a forged or week-old stamp) is
  refused. The signature (django.core.signing, keyed by SECRET_KEY) stops a bot from
  writing an older time.

A refused form changes nothing and says why, in the user's language; the user just sends it
again (a fresh stamp comes with the page).

The domain checks (IIN, phone, text length, files) are the services' (`services`,
`core.files`): the form runs them too, so that a form with a mistake is refused before it
counts against the sender's rate limit, and maps the services' ValidationError back onto its
fields when the final check finds more.
"""

from __future__ import annotations

import datetime as dt
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from bastau.core import files as files_lib
from bastau.core.forms import iin_error_message
from bastau.lib import iin as iin_lib
from bastau.structure.models import Branch

from .. import services
from ..models import Appeal, Topic

STAMP_SALT = "bastau.reception.public-form"
#: A page left open longer than this must be reloaded before sending.
STAMP_MAX_AGE = 24 * 3600
HONEYPOT = "website"


def _percent(message, values: dict) -> str:
    return str(message) % values


_percent_lazy = lazy(_percent, str)


def _lazy_percent(message, **values):
    """message % values, translated when shown (a class attribute is built at import, in
    no particular language)."""
    return _percent_lazy(message, values)


def min_fill_seconds() -> int:
    """A person needs longer than this to fill in a form; a bot does not."""
    return getattr(settings, "RECEPTION_FORM_MIN_SECONDS", 4)


def make_stamp(issued_at: float | None = None) -> str:
    """The signed "page served at" value for the hidden field."""
    return signing.dumps(int(issued_at if issued_at is not None else time.time()), salt=STAMP_SALT)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files from one <input type=file multiple>: cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class SpamTrapForm(forms.Form):
    """The honeypot and the signed timestamp (see the module docstring)."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The page's hidden "started" input: a fresh stamp on every page view, also when a
        # refused form is shown again (a bound field would echo the old one back).
        self.stamp = make_stamp()
        self.trapped = False

    def visible_fields(self):
        return [f for f in super().visible_fields() if f.name != HONEYPOT]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get(HONEYPOT):
            self.trapped = True
            raise ValidationError(
                _(
                    "The form could not be accepted: a field that must stay empty was filled "
                    "in (some browsers' autofill does that). Check the form and send it again."
                ),
                code="honeypot",
            )
        try:
            issued = signing.loads(
                self.data.get("started") or "", salt=STAMP_SALT, max_age=STAMP_MAX_AGE
            )
            elapsed = time.time() - float(issued)
        except (signing.BadSignature, TypeError, ValueError):
            self.trapped = True
            raise ValidationError(
                _("The page has expired. Check the form and send it again."), code="stamp"
            ) from None
        if elapsed < min_fill_seconds():
            self.trapped = True
            raise ValidationError(
                _(
                    "The form was sent too quickly after the page opened. Check what you "
                    "wrote and send it again."
                ),
                code="too_fast",
            )
        return cleaned

    def apply_service_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (the rest on the form)."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                field = name if name in self.fields else None
                for message in messages:
                    self.add_error(field, message)
        else:
            for message in error.messages:
                self.add_error(None, message)


def _district_choices():
    # "city" sorts before "district": the city branch first, then the districts.
    return Branch.objects.filter(kind__in=(Branch.Kind.DISTRICT, Branch.Kind.CITY)).order_by(
        "kind", "name"
    )


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class AppealForm(SpamTrapForm):
    """A citizen's appeal, sent without an account."""

    field_order = [
        "applicant_name",
        "applicant_phone",
        "applicant_email",
        "applicant_iin",
        "district",
        "applicant_address",
        "kind",
        "topic",
        "text",
        "attachments",
        "consent",
    ]

    applicant_name = forms.CharField(
        label=_("Your full name"),
        max_length=services.NAME_MAX_CHARS,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Give your name.")},
    )
    applicant_phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        help_text=_lazy_percent(
            _("For example %(example)s. We send the tracking code and the answer by SMS."),
            example=services.PHONE_HINT,
        ),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    applicant_email = forms.CharField(
        label=_("Email"),
        required=False,
        max_length=254,
        help_text=_("Give a phone number, an email address or both."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    applicant_iin = forms.CharField(
        label=_("IIN (optional)"),
        required=False,
        max_length=20,
        help_text=_("12 digits. It helps state bodies find your records faster."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    district = forms.ModelChoiceField(
        label=_("District or city where you live"),
        queryset=Branch.objects.none(),
        empty_label=_("— choose —"),
        error_messages={
            "required": _("Choose your district or city."),
            "invalid_choice": _("Choose a district or city from the list."),
        },
    )
    applicant_address = forms.CharField(
        label=_("Address (optional)"),
        required=False,
        max_length=services.ADDRESS_MAX_CHARS,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    kind = forms.ChoiceField(
        label=_("Type of appeal"),
        choices=Appeal.Kind.choices,
        initial=Appeal.Kind.APPLICATION,
        error_messages={"invalid_choice": _("Choose the type of the appeal.")},
    )
    topic = TopicChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.none(),
        empty_label=_("— choose —"),
        error_messages={
            "required": _("Choose a topic."),
            "invalid_choice": _("Choose a topic from the list."),
        },
    )
    text = forms.CharField(
        label=_("Your question or problem"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, where, since when, and what you ask for."),
        error_messages={"required": _("Describe your question or problem.")},
    )
    attachments = MultipleFileField(
        label=_("Documents or photos (optional)"),
        required=False,
    )
    consent = forms.BooleanField(
        label=_(
            "I agree to the processing of my personal data for the consideration of this appeal."
        ),
        error_messages={
            "required": _("Agree to the processing of your personal data to submit the appeal.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = _district_choices()
        self.fields["topic"].queryset = Topic.objects.filter(active=True)
        limit_mb = files_lib.max_bytes() // files_lib.MB
        self.fields["attachments"].help_text = _(
            "Up to %(count)s files of at most %(size)s MB each: PDF, JPG, PNG, DOCX, XLSX or TXT."
        ) % {"count": files_lib.max_count(), "size": limit_mb}
        self.fields["attachments"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.txt"
        self.fields["text"].max_length = services.text_max_chars()

    def clean_applicant_name(self):
        return " ".join(self.cleaned_data["applicant_name"].split())

    def clean_applicant_phone(self):
        value = self.cleaned_data["applicant_phone"].strip()
        return services.normalize_phone(value) if value else ""

    def clean_applicant_email(self):
        value = self.cleaned_data["applicant_email"].strip()
        if value:
            try:
                validate_email(value)
            except ValidationError:
                raise ValidationError(_("Enter a valid email address.")) from None
        return value

    def clean_applicant_iin(self):
        value = "".join(self.cleaned_data["applicant_iin"].split())
        if value:
            try:
                iin_lib.parse(value)
            except iin_lib.IINError as exc:
                raise ValidationError(iin_error_message(exc)) from None
        return value

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) < services.TEXT_MIN_CHARS:
            raise ValidationError(
                _("The text is too short (at least %(count)s characters).")
                % {"count": services.TEXT_MIN_CHARS}
            )
        if len(text) > services.text_max_chars():
            raise ValidationError(
                _("The text is too long: %(length)s characters, at most %(count)s.")
                % {"length": len(text), "count": services.text_max_chars()}
            )
        return text

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        try:
            files_lib.check_files(files)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["attachments"]) from None
        return files

    def clean(self):
        cleaned = super().clean()
        if (
            "applicant_phone" in cleaned
            and "applicant_email" in cleaned
            and not cleaned["applicant_phone"]
            and not cleaned["applicant_email"]
        ):
            self.add_error(
                "applicant_phone",
                _("Give a phone number or an email address so that we can reply."),
            )
        return cleaned

    def service_data(self, language: str) -> dict:
        data = {
            name: self.cleaned_data.get(name)
            for name in (
                "applicant_name",
                "applicant_phone",
                "applicant_email",
                "applicant_iin",
                "district",
                "applicant_address",
                "kind",
                "topic",
                "text",
                "consent",
            )
        }
        data["language"] = language
        return data


class StatusForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=40,
        help_text=_("10 letters and digits, as in ABCDE-FGHJK; the dash does not matter."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "code-input",
            }
        ),
        error_messages={"required": _("Enter the tracking code.")},
    )

    def clean_code(self):
        return services.normalize_tracking_code(self.cleaned_data["code"])


class BookingForm(SpamTrapForm):
    """A visitor slot at one reception (the slots offered are passed in)."""

    time = forms.ChoiceField(
        label=_("Time"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a time."),
            "invalid_choice": _("Choose one of the offered times."),
        },
    )
    applicant_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Give your name.")},
    )
    applicant_phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        help_text=_lazy_percent(
            _("We send the booking code by SMS, for example to %(example)s."),
            example=services.PHONE_HINT,
        ),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": _("Give your phone number.")},
    )
    topic = TopicChoiceField(
        label=_("Topic (optional)"),
        queryset=Topic.objects.none(),
        required=False,
        empty_label=_("— not given —"),
    )

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time"].choices = [(t.strftime("%H:%M"), t.strftime("%H:%M")) for t in slots]
        self.fields["topic"].queryset = Topic.objects.filter(active=True)

    def clean_applicant_phone(self):
        return services.normalize_phone(self.cleaned_data["applicant_phone"])

    def clean_time(self):
        hours, minutes = self.cleaned_data["time"].split(":")
        return dt.time(int(hours), int(minutes))


class CancelBookingForm(SpamTrapForm):
    code = forms.CharField(
        label=_("Booking code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the booking code from the SMS.")},
    )

    def clean_code(self):
        return services.normalize_tracking_code(self.cleaned_data["code"])
