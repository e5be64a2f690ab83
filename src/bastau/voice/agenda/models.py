"""The local issues register and the pre-election programme.

An `Issue` is one problem people raise in a district (or the whole region) on a topic. Its
`IssueSource` rows are links, never copies: a set of appeals (topic + district), one appeal, a
deputy's question, a meeting's decision, a survey topic. Merging a duplicate moves its links
to the issue it duplicates; the duplicate keeps its row, marked merged, pointing there.

A `Programme` (regional or of one district) is made of `ProgrammeItem`s, each a measurable
commitment answering issues. A `ProgrammeVersion` is a frozen snapshot of the items; a version
put on a meeting's agenda is adopted when that meeting records its decision on the item.
A youth programme (`Programme.youth_wing` set, perhaps drawn from a survey) is adopted instead
by a congress of its wing (`ProgrammeVersion.congress`): submitted to the congress, then adopted
there. Writes go through services.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import logic


def _local(kk: str, ru: str) -> str:
    return ru if (get_language() or "kk").startswith("ru") and ru else kk


class Issue(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MERGED = "merged", _("Merged")

    title = models.CharField(_("issue (Kazakh)"), max_length=300)
    title_ru = models.CharField(_("issue (Russian)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    district = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for an issue of the whole region."),
    )
    topic = models.ForeignKey(
        "reception.Topic",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("local issue")
        verbose_name_plural = _("local issues")
        indexes = [
            models.Index(fields=["status", "district", "topic"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="agenda_issue_merged_into_iff_merged",
            ),
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        return _local(self.title, self.title_ru)


class IssueSource(models.Model):
    """A link from an issue to where people raised it."""

    class Kind(models.TextChoices):
        APPEALS = "appeals", _("Appeals of a topic in a district")
        APPEAL = "appeal", _("Appeal")
        QUESTION = "question", _("Deputy's question")
        DECISION = "decision", _("Meeting decision")
        SURVEY_TOPIC = "survey", _("Survey topic")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(_("source"), max_length=10, choices=Kind.choices)
    topic = models.ForeignKey(
        "reception.Topic", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "structure.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal = models.ForeignKey(
        "reception.Appeal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    question = models.ForeignKey(
        "oversight.ReportQuestion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.ForeignKey(
        "activity.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    survey_topic = models.ForeignKey(
        "surveys.SurveyTopic", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["issue", "kind", "id"]
        verbose_name = _("issue source")
        verbose_name_plural = _("issue sources")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "topic", "district"],
                condition=Q(kind="appeals"),
                name="agenda_source_appeal_set_once",
            ),
            models.UniqueConstraint(
                fields=["issue", "appeal"], condition=Q(kind="appeal"), name="agenda_appeal_once"
            ),
            models.UniqueConstraint(
                fields=["issue", "question"],
                condition=Q(kind="question"),
                name="agenda_question_once",
            ),
            models.UniqueConstraint(
                fields=["issue", "decision"],
                condition=Q(kind="decision"),
                name="agenda_decision_once",
            ),
            models.UniqueConstraint(
                fields=["issue", "survey_topic"],
                condition=Q(kind="survey"),
                name="agenda_survey_topic_once",
            ),
        ]
        indexes = [models.Index(fields=["kind", "topic", "district"])]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.issue_id}"


class IssueEvent(models.Model):
    """The issue's history: created, a link added or removed, merged."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Registered")
        LINKED = "linked", _("Source linked")
        UNLINKED = "unlinked", _("Source removed")
        MERGED_INTO = "merged_into", _("Merged into another issue")
        MERGED_FROM = "merged_from", _("A duplicate merged into it")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    other = models.ForeignKey(
        Issue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.issue_id} {self.kind}"


class Programme(models.Model):
    """The draft pre-election programme of the region or of one district, or the youth
    programme of a youth wing (adopted by the wing's congress)."""

    branch = models.ForeignKey(
        "structure.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title (Kazakh)"), max_length=300)
    title_ru = models.CharField(_("title (Russian)"), max_length=300, blank=True)
    youth_wing = models.ForeignKey(
        "people.YouthWing",
        verbose_name=_("youth wing"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programmes",
        help_text=_("Set for a youth programme, which the wing's congress adopts."),
    )
    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("survey it draws on"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        return _local(self.title, self.title_ru)


class ProgrammeItem(models.Model):
    """A measurable commitment. Its tracking fields (status, evidence, links to budget
    indicators and deputies' reports) matter once a version holding it is adopted; "overdue"
    is never stored (see `logic.commitment_state` and `services.with_state`)."""

    class Status(models.TextChoices):
        PLANNED = logic.PLANNED, pgettext_lazy("commitment status", "Planned")
        IN_PROGRESS = logic.IN_PROGRESS, _("In progress")
        DONE = logic.DONE, _("Kept")
        OVERDUE = logic.OVERDUE, _("Overdue")
        CANCELLED = logic.CANCELLED, _("Withdrawn")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("commitment (Kazakh)"), max_length=400)
    title_ru = models.CharField(_("commitment (Russian)"), max_length=400, blank=True)
    indicator = models.CharField(_("indicator"), max_length=300)
    target = models.CharField(_("target"), max_length=200)
    deadline = models.DateField(_("deadline"), db_index=True)
    responsible = models.CharField(_("responsible person or unit"), max_length=300)
    cost = models.DecimalField(
        _("cost, thousand tenge"), max_digits=14, decimal_places=1, null=True, blank=True
    )
    district = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issues = models.ManyToManyField(
        Issue, verbose_name=_("issues answered"), related_name="programme_items"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    done_on = models.DateField(_("kept on"), null=True, blank=True)
    budget_indicators = models.ManyToManyField(
        "oversight.BudgetIndicator",
        verbose_name=_("budget indicators"),
        blank=True,
        related_name="+",
    )
    deputy_reports = models.ManyToManyField(
        "oversight.ScheduledReport",
        verbose_name=_("deputies' reports"),
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["programme", "position"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "position"], name="agenda_item_position_once"
            ),
            models.CheckConstraint(
                condition=~Q(status="overdue"), name="agenda_item_overdue_not_stored"
            ),
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        return _local(self.title, self.title_ru)

    def state(self, today) -> str:
        return logic.commitment_state(self.status, self.deadline, today)


class Evidence(models.Model):
    """What shows a commitment is being kept: a text and/or a link."""

    item = models.ForeignKey(ProgrammeItem, on_delete=models.CASCADE, related_name="evidence")
    text = models.TextField(_("evidence"))
    url = models.URLField(_("link"), blank=True)
    date = models.DateField(_("date"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.text[:80]


class ProgrammeVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("On a meeting's agenda")
        ADOPTED = "adopted", _("Adopted")
        SUPERSEDED = "superseded", _("Superseded")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    items = models.JSONField(default=list)  # the snapshot: logic.ITEM_FIELDS + key, position
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    agenda_item = models.ForeignKey(
        "activity.AgendaItem",
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.ForeignKey(
        "activity.Decision",
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    congress = models.ForeignKey(
        "people.YouthCongress",
        verbose_name=_("adopted at the congress"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adopted_versions",
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "-number"]
        verbose_name = _("programme version")
        verbose_name_plural = _("programme versions")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="agenda_version_number_once"
            ),
            # Adopted by a meeting's decision or by a congress, never both.
            models.CheckConstraint(
                condition=Q(congress__isnull=True) | Q(decision__isnull=True),
                name="agenda_version_decision_or_congress",
            ),
        ]

    def __str__(self):
        return f"{self.programme} v{self.number}"
