"""Surveys: a questionnaire (`Survey`, `Question`, `Option`), who answered (`Participation`)
and what was answered (`Response`, `Answer`), kept apart as ballots are, the counts the results
are drawn from (`Tally`), and the topics staff tag free-text answers with (`SurveyTopic`).

Secrecy by schema, as in the primaries (docs/architecture.md): `Participation` (random UUID
key, the day only, unique per survey and member) says who answered; `Response` (random UUID
key, no time at all) and its `Answer` rows (random UUID keys) say what. They share no key, so
a database dump cannot line one up with the other. Only an identified survey stores the member
on the response (`respondent`), with the day the consent was given.

`Tally` holds the counts by question, choice, district, age group and sex, kept in step with
the answers in the same transaction as each submission, so the results of 200,000 answers read
a few thousand rows rather than the answers themselves.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import rules


def _token() -> str:
    return secrets.token_urlsafe(12)


def _local(kk: str, ru: str) -> str:
    return ru if (get_language() or "").startswith("ru") and ru else kk


class Survey(models.Model):
    class Audience(models.TextChoices):
        MEMBERS = "members", _("Members of a scope")
        YOUTH = "youth", _("Young members")
        PUBLIC = "public", _("The public (link or QR code)")
        NAMED = "named", _("A named list")
        SUPPORTERS = "supporters", _("Supporters")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class RemindEvery(models.IntegerChoices):
        OFF = 0, _("No scheduled reminders")
        THREE_DAYS = 3, _("Every 3 days")
        WEEK = 7, _("Every 7 days")

    title = models.CharField(_("title (Kazakh)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200)
    intro = models.TextField(_("introduction (Kazakh)"), blank=True)
    intro_ru = models.TextField(_("introduction (Russian)"), blank=True)
    branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The regional branch or a district branch that runs the survey."),
    )
    poo = models.ForeignKey(
        "structure.PrimaryOrganization",
        verbose_name=_("primary organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Only for a survey of one POO's members."),
    )
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices)
    youth_age_limit = models.PositiveSmallIntegerField(_("youth: younger than"), default=35)
    anonymous = models.BooleanField(_("anonymous"), default=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    public_token = models.CharField(max_length=24, unique=True, default=_token, editable=False)
    public_results = models.BooleanField(_("publish the results"), default=False)
    responses_count = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_on = models.DateField()
    sent_on = models.DateField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    remind_every = models.PositiveSmallIntegerField(
        _("remind those who have not answered"),
        choices=RemindEvery.choices,
        default=RemindEvery.OFF,
        help_text=_(
            "Once the invitations are sent, a reminder goes out by itself after this many days "
            "since the last invitation or reminder, while the survey is open."
        ),
    )

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [models.Index(fields=["status", "audience"])]

    def __str__(self):
        return self.display_title

    def get_absolute_url(self):
        return reverse("surveys:survey", args=[self.pk])

    @property
    def display_title(self) -> str:
        return _local(self.title, self.title_ru)

    @property
    def display_intro(self) -> str:
        return _local(self.intro, self.intro_ru)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_public(self) -> bool:
        return self.audience == self.Audience.PUBLIC

    def is_open_on(self, today) -> bool:
        return self.is_open and self.opens_on <= today <= self.closes_on


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = rules.SINGLE, _("Single choice")
        MULTIPLE = rules.MULTIPLE, _("Multiple choice")
        SCALE = rules.SCALE, _("Scale")
        NUMBER = rules.NUMBER, _("Number")
        TEXT = rules.TEXT, _("Free text")
        DISTRICT = rules.DISTRICT, _("Respondent's district")
        AGE_GROUP = rules.AGE_GROUP, _("Respondent's age group")
        SEX = rules.SEX, _("Respondent's sex")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    text = models.CharField(_("question (Kazakh)"), max_length=500)
    text_ru = models.CharField(_("question (Russian)"), max_length=500)
    required = models.BooleanField(_("an answer is required"), default=True)
    scale_min = models.SmallIntegerField(default=1)
    scale_max = models.SmallIntegerField(default=5)
    number_min = models.IntegerField(null=True, blank=True)
    number_max = models.IntegerField(null=True, blank=True)
    show_if_question = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    show_if_codes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="survey_question_position")
        ]

    def __str__(self):
        return self.display_text

    @property
    def display_text(self) -> str:
        return _local(self.text, self.text_ru)

    @property
    def key(self) -> str:
        return f"q{self.pk}"


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    code = models.CharField(max_length=20)
    position = models.PositiveSmallIntegerField()
    text = models.CharField(_("option (Kazakh)"), max_length=300)
    text_ru = models.CharField(_("option (Russian)"), max_length=300)

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="survey_option_code")
        ]

    def __str__(self):
        return self.display_text

    @property
    def display_text(self) -> str:
        return _local(self.text, self.text_ru)


class Invitee(models.Model):
    """One person of a named list (or a supporter invited)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitees")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "member"], name="survey_invitee_once")
        ]

    def __str__(self):
        return f"{self.survey_id}:{self.member_id}"


class SupporterInvite(models.Model):
    """A supporter invited to a survey, with a personal link (`token`). `answered_on` (the day
    only) is their participation mark: one answer per invitation, and nothing links it to the
    response. The supporter's contacts stay in the registry (erased if consent is withdrawn)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    supporter = models.ForeignKey("people.Supporter", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=24, unique=True, default=_token, editable=False)
    invited_on = models.DateField()
    answered_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "supporter"], name="survey_supporter_invited_once"
            )
        ]

    def __str__(self):
        return f"{self.survey_id}:{self.supporter_id}"


class Participation(models.Model):
    """Who answered: one row per member and survey, enforced by the database. No sequential
    id and no time finer than the day, so it cannot be lined up with a response."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        "structure.Branch", null=True, on_delete=models.PROTECT, related_name="+"
    )
    poo = models.ForeignKey(
        "structure.PrimaryOrganization", null=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "member"], name="one_member_one_answer")
        ]
        indexes = [models.Index(fields=["survey", "district"])]

    def __str__(self):
        return f"{self.survey_id}:{self.member_id}"


class Response(models.Model):
    """What one respondent answered (no time: see the module docstring)."""

    class Channel(models.TextChoices):
        MEMBER = "member", _("Member")
        PUBLIC = "public", _("Public link")
        SUPPORTER = "supporter", _("Supporter")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    district = models.ForeignKey(
        "structure.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    age_group = models.CharField(max_length=8, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    #: Only in an identified survey, with the day the member consented.
    respondent = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["survey", "district"])]

    def __str__(self):
        return str(self.pk)


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    option = models.ForeignKey(
        Option, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    number = models.IntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["question", "option"])]

    def __str__(self):
        return str(self.pk)


class SurveyTopic(models.Model):
    """A topic staff tag free-text answers with (the local issues register links to these)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(_("topic (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("topic (Russian)"), max_length=200)
    answers = models.ManyToManyField(Answer, blank=True, related_name="topics")

    class Meta:
        ordering = ["survey", "name"]
        verbose_name = _("survey topic")
        verbose_name_plural = _("survey topics")
        constraints = [models.UniqueConstraint(fields=["survey", "name"], name="survey_topic_name")]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("surveys:topics", args=[self.survey_id]) + f"?topic={self.pk}"

    @property
    def display_name(self) -> str:
        return _local(self.name, self.name_ru)


class Tally(models.Model):
    """A count of answers (or, with no question, of respondents) for one choice in one
    district, age group and sex. `slot` spells the whole key, so one unique constraint keeps
    one row per key on every database (NULLs would not collide in a composite one)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, null=True, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(max_length=20, blank=True)
    district = models.ForeignKey(
        "structure.Branch", null=True, on_delete=models.CASCADE, related_name="+"
    )
    age_group = models.CharField(max_length=8, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    slot = models.CharField(max_length=80)
    count = models.PositiveIntegerField(default=0)
    total = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "slot"], name="survey_tally_slot")]
        indexes = [models.Index(fields=["survey", "question"])]

    def __str__(self):
        return f"{self.survey_id}:{self.slot}={self.count}"

    @staticmethod
    def make_slot(question_id, choice, district_id, age_group, sex) -> str:
        return f"{question_id or 0}:{choice}:{district_id or 0}:{age_group}:{sex}"
