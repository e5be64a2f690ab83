"""Forms of the members' and the public's primaries pages (views_public.py)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

PHOTO_MAX_BYTES = 3 * 1024 * 1024
TRACKER_CHARS_RE = re.compile(r"[\s\-:.]+")
HEX_RE = re.compile(r"[0-9a-f]+\Z")
MIN_PREFIX = 8


class BallotForm(forms.Form):
    """The member's choices: candidate board ids ("c7") of their own list, at most k.

    The template draws the inputs itself (checkboxes, or radio buttons when k == 1); every
    input is named "choice", so the same parsing serves both.
    """

    choice = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("The ballot names a candidate who is not on your list."),
            "invalid_list": _("The ballot could not be read. Choose again."),
        },
    )

    def __init__(self, *args, candidates=(), choose_up_to=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        self.choose_up_to = choose_up_to
        # "": the radio button for a blank ballot (dropped in clean_choice)
        self.fields["choice"].choices = [("", ""), *((c.board_id, c.name) for c in self.candidates)]

    def clean_choice(self):
        chosen = [c for c in self.cleaned_data["choice"] if c]
        if len(set(chosen)) != len(chosen):
            raise forms.ValidationError(_("A candidate is chosen twice."))
        if len(chosen) > self.choose_up_to:
            raise forms.ValidationError(
                ngettext(
                    "You may choose at most %(k)s candidate; you chose %(n)s.",
                    "You may choose at most %(k)s candidates; you chose %(n)s.",
                    self.choose_up_to,
                )
                % {"k": self.choose_up_to, "n": len(chosen)}
            )
        return sorted(chosen)

    def chosen_candidates(self):
        chosen = set(self.cleaned_data.get("choice") or [])
        return [c for c in self.candidates if c.board_id in chosen]


class SelfNominationForm(forms.Form):
    biography = forms.CharField(
        label=_("Biography"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("Education, work, party activity: what voters should know about you."),
    )
    program = forms.CharField(
        label=_("Program"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("What you will work for if elected."),
    )
    photo = forms.ImageField(
        label=_("Photo"),
        required=False,
        help_text=_("Optional. A portrait in JPEG or PNG, at most 3 MB."),
    )
    confirm = forms.BooleanField(
        label=_("I stand for this campaign and confirm that the information above is true."),
    )

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(_("The photo is larger than 3 MB."))
        return photo


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)
    confirm = forms.BooleanField(
        label=_("I withdraw my candidacy. I understand that this cannot be undone."),
    )


class TrackerSearchForm(forms.Form):
    """A tracker, whole or a prefix of at least 8 hex digits; spaces and dashes are ignored so
    that the groups shown on the receipt can be typed as read."""

    tracker = forms.CharField(
        label=_("Your tracker"),
        max_length=120,
        help_text=_("The whole tracker, or at least its first 8 characters."),
    )

    def clean_tracker(self):
        value = TRACKER_CHARS_RE.sub("", self.cleaned_data["tracker"]).lower()
        if not HEX_RE.match(value) or len(value) > 64:
            raise forms.ValidationError(
                _("A tracker is made of the digits 0-9 and the letters a-f (64 in all).")
            )
        if len(value) < MIN_PREFIX:
            raise forms.ValidationError(
                _("Type at least the first %(n)s characters of the tracker.") % {"n": MIN_PREFIX}
            )
        return value
