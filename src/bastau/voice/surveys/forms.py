"""Forms of the surveys' pages: the survey and question builders (staff), and the answer form
built from a questionnaire (members and, with the reception's spam traps, the public).

The answer form's fields take the raw values as sent: the checks are the pure `rules.check`
(through the services), so a member, the public link and the tests meet the same rules and the
same messages.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bastau.core.forms import DateInput
from bastau.reception.forms.public import SpamTrapForm
from bastau.structure.models import Branch, PrimaryOrganization

from . import rules, services
from .models import Question, Survey


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = [
            "title",
            "title_ru",
            "intro",
            "intro_ru",
            "branch",
            "audience",
            "poo",
            "youth_age_limit",
            "anonymous",
            "opens_on",
            "closes_on",
            "public_results",
            "remind_every",
        ]
        widgets = {
            "opens_on": DateInput(),
            "closes_on": DateInput(),
            "intro": forms.Textarea(attrs={"rows": 3}),
            "intro_ru": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "anonymous": _(
                "Anonymous: one answer per member, kept apart from who answered. Otherwise the "
                "answer names the member, who must consent."
            ),
            "public_results": _("Aggregates only; no group smaller than 5 people is shown."),
        }

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        branches = Branch.objects.all()
        poos = PrimaryOrganization.objects.filter(status="active")
        if not scope.is_regional_admin:
            branches = branches.filter(pk=scope.user.branch_id)
            poos = poos.filter(branch_id=scope.user.branch_id)
        self.fields["branch"].queryset = branches
        self.fields["poo"].queryset = poos.order_by("name")
        self.fields["youth_age_limit"].min_value = 14
        # Optional: a form posted without it (an older page, the API) keeps no schedule.
        self.fields["remind_every"].required = False
        self.fields["youth_age_limit"].widget.attrs.update(min=14, max=60)

    def clean_remind_every(self):
        return self.cleaned_data.get("remind_every") or Survey.RemindEvery.OFF

    def clean_youth_age_limit(self):
        value = self.cleaned_data["youth_age_limit"]
        if not 14 <= value <= 60:
            raise ValidationError(_("Enter an age from 14 to 60."))
        return value


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("Question (Kazakh)"), max_length=500)
    text_ru = forms.CharField(label=_("Question (Russian)"), max_length=500)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "For single and multiple choice: one option a line, “Kazakh | Russian”. The "
            "district, age group and sex questions get their options by themselves."
        ),
    )
    scale_min = forms.IntegerField(label=_("Scale from"), required=False, initial=1)
    scale_max = forms.IntegerField(label=_("Scale to"), required=False, initial=5)
    number_min = forms.IntegerField(label=_("Smallest number"), required=False)
    number_max = forms.IntegerField(label=_("Largest number"), required=False)
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    show_if = forms.ChoiceField(
        label=_("Show only if"),
        required=False,
        help_text=_("Show this question only to those who chose this option earlier."),
    )

    def __init__(self, *args, survey: Survey | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.conditions = {}
        choices = [("", _("Always"))]
        for q in services.questions_of(survey) if survey is not None else []:
            if q.kind not in rules.CHOICE_KINDS:
                continue
            for o in q.options.all():
                value = f"{q.pk}:{o.code}"
                self.conditions[value] = (q, o.code)
                choices.append((value, f"{q.position}. {q.display_text} — {o.display_text}"))
        self.fields["show_if"].choices = choices

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in (rules.SINGLE, rules.MULTIPLE):
            data["options_list"] = services.parse_options(data.get("options", ""))
            if len(data["options_list"]) < 2:
                self.add_error("options", _("A choice question needs at least two options."))
        data["show_if"] = self.conditions.get(data.get("show_if") or "")
        return data


class InviteesForm(forms.Form):
    iins = forms.CharField(
        label=_("IINs of the invited members"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One IIN a line (or separated by commas or spaces)."),
    )

    def clean_iins(self):
        values = self.cleaned_data["iins"].replace(",", " ").split()
        bad = [v for v in values if not (len(v) == 12 and v.isdigit())]
        if bad:
            raise ValidationError(
                _("An IIN is exactly 12 digits: %(list)s") % {"list": ", ".join(bad[:5])}
            )
        if not values:
            raise ValidationError(_("Enter at least one IIN."))
        return list(dict.fromkeys(values))


class TopicForm(forms.Form):
    name = forms.CharField(label=_("Topic (Kazakh)"), max_length=200)
    name_ru = forms.CharField(label=_("Topic (Russian)"), max_length=200)


# Answering ---------------------------------------------------------------------------------
class RawField(forms.Field):
    """Keeps what was sent (a string or a list): the rules check it."""

    def clean(self, value):
        return value


class _AnswerFields:
    def add_questions(self, questions):
        self.questions = list(questions)
        for q in questions:
            label = q.display_text
            if q.kind in rules.CHOICE_KINDS:
                choices = [(o.code, o.display_text) for o in q.options.all()]
                widget = (
                    forms.CheckboxSelectMultiple(choices=choices)
                    if q.kind == rules.MULTIPLE
                    else forms.RadioSelect(choices=choices)
                )
            elif q.kind == rules.SCALE:
                choices = [(str(v), str(v)) for v in range(q.scale_min, q.scale_max + 1)]
                widget = forms.RadioSelect(choices=choices, attrs={"class": "scale"})
            # A single input is named by its question's legend (_answer_fields.html); radio
            # buttons and check boxes carry their own labels.
            elif q.kind == rules.NUMBER:
                widget = forms.TextInput(
                    attrs={
                        "inputmode": "numeric",
                        "autocomplete": "off",
                        "aria-labelledby": f"legend-{q.key}",
                    }
                )
            else:
                widget = forms.Textarea(
                    attrs={
                        "rows": 3,
                        "maxlength": rules.TEXT_MAX_CHARS,
                        "aria-labelledby": f"legend-{q.key}",
                    }
                )
            field = RawField(label=label, required=False, widget=widget)
            field.question = q
            if q.show_if_question_id:
                field.show_if = (f"q{q.show_if_question_id}", ",".join(q.show_if_codes))
            self.fields[q.key] = field

    def raw_answers(self) -> dict:
        out = {}
        for q in self.questions:
            if q.kind == rules.MULTIPLE:
                out[q.key] = self.data.getlist(q.key) if hasattr(self.data, "getlist") else []
            else:
                values = self.data.getlist(q.key) if hasattr(self.data, "getlist") else []
                out[q.key] = values if len(values) > 1 else (values[0] if values else "")
        return out


class AnswerForm(_AnswerFields, forms.Form):
    consent = forms.BooleanField(
        label=_(
            "I agree that my answers are stored with my name, for this survey only (the law "
            "on personal data)."
        ),
        required=False,
    )

    def __init__(self, *args, questions=(), identified: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not identified:
            del self.fields["consent"]
        self.add_questions(questions)


class PublicAnswerForm(_AnswerFields, SpamTrapForm):
    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_questions(questions)
