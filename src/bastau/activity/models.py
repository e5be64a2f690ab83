"""Branch activity: meetings (agenda, speakers, decisions) and the instructions they give,
tracked until done (execution reports, extension requests), plus the social projects registry.

Writes go through services.py; these models only hold the data and its invariants.
"""

import os
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from bastau.core.files import StoredFile, private_storage


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
        DONE = "done", pgettext_lazy("instruction status", "Done")
        OVERDUE = "overdue", _("Overdue")
        EXTENDED = "extended", _("Extended")
        CANCELLED = "cancelled", pgettext_lazy("instruction status", "Cancelled")

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


def _activity_upload_to(instance, filename) -> str:
    """activity/<random>/file.<ext>: the stored name tells nothing; the original is kept."""
    extension = os.path.splitext(filename)[1].lower()
    return f"activity/{secrets.token_hex(16)}/file{extension}"


def activity_storage():
    # Same private storage as appeals' files: no public URL, served by permission-checked views.
    return private_storage()


class ActivityAttachment(StoredFile):
    """A file attached to a meeting (its minutes, photos, lists) or to an execution report."""

    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    report = models.ForeignKey(
        ExecutionReport,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(
        _("file"), upload_to=_activity_upload_to, storage=activity_storage, max_length=200
    )

    class Meta(StoredFile.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False, report__isnull=True)
                | Q(meeting__isnull=True, report__isnull=False),
                name="activity_attachment_one_owner",
            ),
        ]


class Contest(models.Model):
    """A contest such as «Үздік бастауыш партия ұйымы»: POOs enter, the district jury scores
    and advances the best, the regional jury scores the finalists and names the winners."""

    class Status(models.TextChoices):
        OPEN = "open", _("Accepting entries")
        DISTRICT = "district", _("District stage")
        REGIONAL = "regional", _("Regional stage")
        FINISHED = "finished", _("Finished")

    class Stage(models.TextChoices):
        DISTRICT = "district", _("District stage")
        REGIONAL = "regional", _("Regional stage")

    branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("organizer"),
        on_delete=models.PROTECT,
        related_name="contests",
    )
    name = models.CharField(_("name"), max_length=300)
    year = models.PositiveSmallIntegerField(_("year"))
    rules = models.TextField(_("rules"), blank=True)
    entries_until = models.DateField(_("entries accepted until"), null=True, blank=True)
    advance_per_district = models.PositiveSmallIntegerField(_("finalists per district"), default=1)
    winners_count = models.PositiveSmallIntegerField(_("number of winners"), default=3)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "name", "id"]
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "name", "year"], name="activity_contest_unique_per_year"
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.year}"


class ContestCriterion(models.Model):
    """A scoring criterion; an entry's score is the weighted sum of its jurors' mean points."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("criterion"), max_length=300)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    max_points = models.PositiveSmallIntegerField(_("maximum points"), default=10)

    class Meta:
        ordering = ["contest", "position"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "position"], name="activity_criterion_position_unique"
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="activity_criterion_weight_gt0"),
            models.CheckConstraint(
                condition=Q(max_points__gt=0), name="activity_criterion_max_points_gt0"
            ),
        ]

    def __str__(self):
        return self.name


class Juror(models.Model):
    """A jury member of one stage; district jurors score their own district's entries."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="jurors")
    stage = models.CharField(_("stage"), max_length=10, choices=Contest.Stage.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("juror"),
        on_delete=models.PROTECT,
        related_name="contest_jury_seats",
    )
    district = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For the district stage: the district whose entries this juror scores."),
    )

    class Meta:
        ordering = ["contest", "stage", "id"]
        verbose_name = _("juror")
        verbose_name_plural = _("jury")
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "stage", "user"], name="activity_juror_once_per_stage"
            ),
            models.CheckConstraint(
                condition=Q(stage="district", district__isnull=False)
                | Q(stage="regional", district__isnull=True),
                name="activity_juror_district_iff_district_stage",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.stage})"


class ContestEntry(models.Model):
    """A POO's entry. Places are written when a stage is closed (the ranking at that moment)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    poo = models.ForeignKey(
        "structure.PrimaryOrganization",
        verbose_name=_("primary organization"),
        on_delete=models.PROTECT,
        related_name="contest_entries",
    )
    submitted_on = models.DateField(_("submitted on"))
    description = models.TextField(_("description"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    district_place = models.PositiveSmallIntegerField(_("district place"), null=True, blank=True)
    advanced = models.BooleanField(_("advanced to the regional stage"), default=False)
    regional_place = models.PositiveSmallIntegerField(_("regional place"), null=True, blank=True)
    is_winner = models.BooleanField(_("winner"), default=False)

    class Meta:
        ordering = ["contest", "regional_place", "district_place", "id"]
        verbose_name = _("contest entry")
        verbose_name_plural = _("contest entries")
        constraints = [
            models.UniqueConstraint(fields=["contest", "poo"], name="activity_entry_once_per_poo"),
        ]

    def __str__(self):
        return f"{self.contest_id}: {self.poo_id}"


class Score(models.Model):
    """One juror's points for one criterion of one entry at one stage."""

    entry = models.ForeignKey(ContestEntry, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(ContestCriterion, on_delete=models.CASCADE, related_name="scores")
    juror = models.ForeignKey(Juror, on_delete=models.CASCADE, related_name="scores")
    stage = models.CharField(_("stage"), max_length=10, choices=Contest.Stage.choices)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "criterion", "juror", "stage"], name="activity_score_once"
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="activity_score_nonneg"),
        ]

    def __str__(self):
        return f"{self.entry_id}/{self.criterion_id}/{self.juror_id}: {self.points}"


class Award(models.Model):
    """A letter of thanks, certificate, medal... given to a member or to a POO, often at a
    meeting or for a contest place."""

    class Kind(models.TextChoices):
        LETTER_OF_THANKS = "thanks", _("Letter of thanks")
        CERTIFICATE = "certificate", _("Certificate of honour")
        DIPLOMA = "diploma", _("Diploma")
        PARTY_MEDAL = "medal", _("Party medal")
        BADGE = "badge", _("Party badge")
        OTHER = "other", _("Other award")

    branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("awarded by"),
        on_delete=models.PROTECT,
        related_name="awards_given",
    )
    kind = models.CharField(_("award"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300, blank=True)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
    )
    poo = models.ForeignKey(
        "structure.PrimaryOrganization",
        verbose_name=_("primary organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
    )
    awarded_on = models.DateField(_("awarded on"), db_index=True)
    occasion = models.CharField(_("occasion"), max_length=500, blank=True)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
    )
    contest_entry = models.ForeignKey(
        ContestEntry,
        verbose_name=_("contest entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
    )
    number = models.CharField(_("number"), max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-awarded_on", "-id"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, poo__isnull=True)
                | Q(member__isnull=True, poo__isnull=False),
                name="activity_award_one_recipient",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.awarded_on:%Y-%m-%d}"


class Commission(models.Model):
    """A standing commission of a branch (party control commission, public council against
    corruption...) with its members for a term."""

    class Kind(models.TextChoices):
        CONTROL = "control", _("Party control commission")
        ANTICORRUPTION = "anticorruption", _("Public council against corruption")
        OTHER = "other", _("Other commission")

    branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="commissions",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=300)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    description = models.TextField(_("remit"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["branch", "kind", "name"]
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "name", "term_start"], name="activity_commission_unique"
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")),
                name="activity_commission_term_order",
            ),
        ]

    def __str__(self):
        return self.name


class CommissionMembership(models.Model):
    """A seat on a commission: a party member or, for public councils, an outside person."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        DEPUTY = "deputy", _("Deputy chair")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Member")

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("party member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commission_seats",
    )
    name = models.CharField(
        _("name"), max_length=200, blank=True, help_text=_("When the person is not a member.")
    )
    position = models.CharField(_("position held"), max_length=300, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["commission", "until", "role", "id"]
        verbose_name = _("commission member")
        verbose_name_plural = _("commission members")
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False) | ~Q(name=""),
                name="activity_commission_seat_has_person",
            ),
            models.UniqueConstraint(
                fields=["commission"],
                condition=Q(role="chair", until__isnull=True),
                name="activity_commission_one_chair",
            ),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.get_role_display()})"

    @property
    def display_name(self) -> str:
        return self.member.full_name if self.member_id else self.name


class CommissionSession(models.Model):
    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="sessions")
    number = models.CharField(_("number"), max_length=40, blank=True)
    date = models.DateField(_("date"), db_index=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    present = models.PositiveSmallIntegerField(_("members present"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("commission session")
        verbose_name_plural = _("commission sessions")

    def __str__(self):
        return f"{self.commission} {self.date:%Y-%m-%d}"


class CommissionDecision(models.Model):
    session = models.ForeignKey(
        CommissionSession, on_delete=models.CASCADE, related_name="decisions"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("decision"))
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("concerning member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["session", "position"]
        verbose_name = _("commission decision")
        verbose_name_plural = _("commission decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "position"], name="activity_commission_decision_position"
            ),
        ]

    def __str__(self):
        return f"{self.session_id}.{self.position}"
