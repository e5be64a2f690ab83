"""Branch activity: meetings (agenda, speakers, decisions) and the instructions they give,
tracked until done (execution reports, extension requests), plus the social projects registry.

Writes go through services.py; these models only hold the data and its invariants.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Meeting(models.Model):
    """A meeting held by a branch, or by a POO (then `poo` is set and `branch` is its branch)."""

    class Kind(models.TextChoices):
        ACTIVISTS = "activists", _("Activists' meeting")
        POLITICAL_COUNCIL = "political_council", _("Political council")
        CONFERENCE = "conference", _("Conference")
        POO_MEETING = "poo_meeting", _("Primary organization meeting")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    poo = models.ForeignKey(
        "structure.PrimaryOrganization",
        verbose_name=_("primary organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    number = models.CharField(_("protocol number"), max_length=40, blank=True)
    date = models.DateField(_("date"), db_index=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    chair_member = models.ForeignKey(
        "members.Member",
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chaired_meetings",
    )
    chair_name = models.CharField(
        _("chair (name)"),
        max_length=200,
        blank=True,
        help_text=_("When the chair is not a member on record."),
    )
    attendees = models.ManyToManyField(
        "members.Member",
        verbose_name=_("named participants"),
        blank=True,
        related_name="meetings_attended",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="poo_meeting") & Q(poo__isnull=False))
                | (~Q(kind="poo_meeting") & Q(poo__isnull=True)),
                name="activity_meeting_poo_iff_poo_meeting",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"

    @property
    def chair_display(self) -> str:
        return self.chair_member.full_name if self.chair_member_id else self.chair_name


class ParticipantGroup(models.Model):
    """How many people of one category attended (e.g. "POO leaders: 45")."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="participant_groups"
    )
    category = models.CharField(_("category"), max_length=200)
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("participant group")
        verbose_name_plural = _("participant groups")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "category"], name="activity_participant_category_once"
            ),
        ]

    def __str__(self):
        return f"{self.category}: {self.count}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("question"), max_length=500)
    speakers = models.ManyToManyField(
        "members.Member", verbose_name=_("speakers"), blank=True, related_name="+"
    )
    speakers_text = models.CharField(
        _("other speakers"),
        max_length=500,
        blank=True,
        help_text=_("Speakers who are not members on record, by name and position."),
    )

    class Meta:
        ordering = ["meeting", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"], name="activity_agenda_position_once"
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


class Decision(models.Model):
    """A decision taken on an agenda item. A POO meeting's decision to admit a member or to
    nominate a candidate links to that record (no copy of its data)."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    admission = models.ForeignKey(
        "members.Admission",
        verbose_name=_("admission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
    )
    candidate = models.ForeignKey(
        "primaries.Candidate",
        verbose_name=_("candidate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
    )

    class Meta:
        ordering = ["agenda_item", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(admission__isnull=True) | Q(candidate__isnull=True),
                name="activity_decision_one_link",
            ),
        ]

    def __str__(self):
        return self.text[:80]


class Instruction(models.Model):
    """An instruction (поручение) under execution control.

    `status` stores what people did; "overdue" is never stored: it is derived (see
    `services.with_state`) when the deadline has passed and the instruction is still open.
    """

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        OVERDUE = "overdue", _("Overdue")
        EXTENDED = "extended", _("Extended")
        CANCELLED = "cancelled", _("Cancelled")

    #: Stored statuses of an instruction still to be executed.
    OPEN = (Status.ISSUED, Status.IN_PROGRESS, Status.EXTENDED)

    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instructions",
    )
    branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("issuing branch"),
        on_delete=models.PROTECT,
        related_name="instructions",
    )
    poo = models.ForeignKey(
        "structure.PrimaryOrganization",
        verbose_name=_("issuing primary organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instructions",
    )
    text = models.TextField(_("instruction"))
    issuer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="issued_instructions",
    )
    issued_on = models.DateField(_("issued on"))
    responsible_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible people"),
        blank=True,
        related_name="instructions",
    )
    responsible_branches = models.ManyToManyField(
        "structure.Branch",
        verbose_name=_("responsible branches"),
        blank=True,
        related_name="assigned_instructions",
    )
    responsible_poos = models.ManyToManyField(
        "structure.PrimaryOrganization",
        verbose_name=_("responsible primary organizations"),
        blank=True,
        related_name="assigned_instructions",
    )
    co_executors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("co-executors"),
        blank=True,
        related_name="co_executed_instructions",
    )
    original_deadline = models.DateField(_("original deadline"))
    deadline = models.DateField(_("deadline"), db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ISSUED, db_index=True
    )
    done_on = models.DateField(_("executed on"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True, editable=False)
    escalated_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="overdue"), name="activity_instruction_overdue_not_stored"
            ),
            models.CheckConstraint(
                condition=Q(status="done", done_on__isnull=False)
                | (~Q(status="done") & Q(done_on__isnull=True)),
                name="activity_instruction_done_on_iff_done",
            ),
        ]

    def __str__(self):
        return self.text[:80]

    def state(self, today) -> str:
        """The status as shown: stored, or "overdue" for an open one past its deadline."""
        if self.status in self.OPEN and self.deadline < today:
            return self.Status.OVERDUE
        return self.status


class ExecutionReport(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned for rework")

    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="reports")
    text = models.TextField(_("report"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField(_("submitted on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    note = models.CharField(_("issuer's note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["instruction", "created_at", "id"]
        verbose_name = _("execution report")
        verbose_name_plural = _("execution reports")

    def __str__(self):
        return self.text[:80]


class ExtensionRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    instruction = models.ForeignKey(
        Instruction, on_delete=models.CASCADE, related_name="extension_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_on = models.DateField(_("requested on"))
    new_deadline = models.DateField(_("new deadline"))
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    note = models.CharField(_("issuer's note"), max_length=500, blank=True)

    class Meta:
        ordering = ["instruction", "id"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["instruction"],
                condition=Q(status="pending"),
                name="activity_one_pending_extension",
            ),
        ]

    def __str__(self):
        return f"{self.instruction_id} -> {self.new_deadline}"


class SocialProject(models.Model):
    """A party social project run by a branch. Merged or closed projects stay on record with
    the date and reason, so the year's "optimised" projects remain visible."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MERGED = "merged", _("Merged")
        CLOSED = "closed", _("Closed")

    branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="social_projects",
    )
    name = models.CharField(_("name"), max_length=200)
    goal = models.TextField(_("goal"), blank=True)
    target_groups = models.CharField(_("target groups"), max_length=300, blank=True)
    curator = models.ForeignKey(
        "members.Member",
        verbose_name=_("curator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="curated_projects",
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    status_changed_on = models.DateField(_("status date"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("social project")
        verbose_name_plural = _("social projects")
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "name"], name="activity_project_name_unique_in_branch"
            ),
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="activity_project_merged_into_iff_merged",
            ),
        ]

    def __str__(self):
        return self.name


class ProjectEvent(models.Model):
    """An event under a social project, with its reach (people helped)."""

    project = models.ForeignKey(SocialProject, on_delete=models.PROTECT, related_name="events")
    date = models.DateField(_("date"), db_index=True)
    title = models.CharField(_("event"), max_length=300)
    reach = models.PositiveIntegerField(_("people reached"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("project event")
        verbose_name_plural = _("project events")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"
