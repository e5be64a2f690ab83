from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bastau.core.choices import Sex
from bastau.core.models import ImportProblem


class Sector(models.TextChoices):
    BUDGET = "budget", _("Budget sector")
    PRIVATE = "private", _("Private sector")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    PENSIONER = "pensioner", _("Pensioner")
    STUDENT = "student", _("Student")
    UNEMPLOYED = "unemployed", _("Unemployed")
    OTHER = "other", _("Other")


class Member(models.Model):
    """A party member. The IIN fixes birth date and sex; both are stored for fast counting."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        LEFT = "left", _("Left the party")
        EXPELLED = "expelled", _("Expelled")
        DECEASED = "deceased", _("Deceased")

    #: Statuses that end membership: `left_on` is set when a member reaches one of these.
    ENDED = (Status.LEFT, Status.EXPELLED, Status.DECEASED)

    iin = models.CharField(_("IIN"), max_length=12, unique=True)
    last_name = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("given name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    poo = models.ForeignKey(
        "structure.PrimaryOrganization",
        verbose_name=_("primary organization"),
        on_delete=models.PROTECT,
        related_name="members",
        # The index on (poo, status) serves every lookup by POO: a second one on poo alone
        # only costs every import and admission its upkeep.
        db_index=False,
    )
    sector = models.CharField(
        _("sector"), max_length=16, choices=Sector.choices, default=Sector.OTHER
    )
    has_disability = models.BooleanField(_("person with disability"), default=False)
    is_veteran = models.BooleanField(
        _("veteran"), default=False, help_text=_("A party veteran, honoured at meetings.")
    )
    joined_on = models.DateField(_("joined on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    status_changed_on = models.DateField(_("status date"), null=True, blank=True)
    status_reason = models.CharField(_("status reason"), max_length=300, blank=True)
    left_on = models.DateField(_("membership ended on"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=[])

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [
            models.Index(fields=["poo", "status"]),
            models.Index(fields=["status", "birth_date"]),
            models.Index(fields=["joined_on"]),
            models.Index(fields=["left_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(iin__regex=r"^[0-9]{12}$"), name="member_iin_twelve_digits"
            ),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("members:detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def is_member(self) -> bool:
        return self.status not in self.ENDED


class Admission(models.Model):
    """The admission path: application -> POO meeting decision -> district approval -> card."""

    class Stage(models.TextChoices):
        APPLIED = "applied", _("Application received")
        POO_APPROVED = "poo_approved", _("Approved by the POO meeting")
        ADMITTED = "admitted", _("Approved by the district branch")
        CARD_ISSUED = "card_issued", _("Party card issued")
        REJECTED = "rejected", _("Rejected")

    iin = models.CharField(_("IIN"), max_length=12)
    last_name = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("given name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    sector = models.CharField(
        _("sector"), max_length=16, choices=Sector.choices, default=Sector.OTHER
    )
    poo = models.ForeignKey(
        "structure.PrimaryOrganization",
        verbose_name=_("primary organization"),
        on_delete=models.PROTECT,
        related_name="admissions",
    )
    applied_on = models.DateField(_("application date"))
    stage = models.CharField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.APPLIED, db_index=True
    )
    poo_meeting_date = models.DateField(_("POO meeting date"), null=True, blank=True)
    poo_protocol_number = models.CharField(_("protocol number"), max_length=40, blank=True)
    district_decision_date = models.DateField(_("district decision date"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    member = models.OneToOneField(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="admission"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-applied_on", "-id"]
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")

    def __str__(self):
        return f"{self.last_name} {self.first_name} ({self.get_stage_display()})"

    def get_absolute_url(self):
        return reverse("members:admission", args=[self.pk])


class PartyCard(models.Model):
    """A party card: numbers are unique within a series; reissue and loss keep the old card."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REPLACED = "replaced", _("Replaced")
        LOST = "lost", _("Lost")
        REVOKED = "revoked", _("Revoked")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="cards")
    series = models.CharField(_("series"), max_length=8)
    number = models.PositiveIntegerField(_("number"))
    issued_on = models.DateField(_("issued on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VALID
    )
    status_changed_on = models.DateField(_("status date"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("party card")
        verbose_name_plural = _("party cards")
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="card_unique_in_series"),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status="valid"),
                name="card_one_valid_per_member",
            ),
        ]

    def __str__(self):
        return f"{self.series} {self.number:07d}"


class Transfer(models.Model):
    """A member's move from one POO to another."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    from_poo = models.ForeignKey(
        "structure.PrimaryOrganization", on_delete=models.PROTECT, related_name="+"
    )
    to_poo = models.ForeignKey(
        "structure.PrimaryOrganization", on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self):
        return f"{self.member} {self.from_poo_id}->{self.to_poo_id}"


def _import_upload_to(instance, filename) -> str:
    """Uploaded import files get a random name; the original name is kept on the job."""
    import os
    import secrets

    extension = os.path.splitext(filename)[1].lower()
    return f"imports/{secrets.token_hex(16)}{extension}"


class ImportJob(models.Model):
    """One upload of members or primary organizations, checked whole and then written whole."""

    class Kind(models.TextChoices):
        MEMBERS = "members", _("Members")
        POOS = "poos", _("Primary organizations")

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        FAILED = "failed", _("Failed")
        SUCCEEDED = "succeeded", _("Succeeded")

    class Phase(models.TextChoices):
        QUEUED = "queued", _("Queued")
        CHECKING = "checking", _("Checking rows")
        SAVING = "saving", _("Saving")
        DONE = "done", _("Done")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=_import_upload_to, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices, default=Phase.QUEUED)
    in_background = models.BooleanField(_("run in the background"), default=False)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    created_count = models.PositiveIntegerField(_("records created"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("branch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["branch", "-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"

    def get_absolute_url(self):
        return reverse("members:import_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.SUCCEEDED)

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class ImportRowError(ImportProblem):
    """One problem found in a members or POO import file (core.models.ImportProblem)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="errors")

    class Meta(ImportProblem.Meta):
        verbose_name = _("import error")
        verbose_name_plural = _("import errors")

    @property
    def message(self) -> str:
        from .imports import problem_message

        return problem_message(self.code, self.params)

    @property
    def text(self) -> str:
        """The whole sentence: "Row 14, column iin: The IIN's check digit is wrong."."""
        from .imports import problem_text

        return problem_text(self.row, self.column, self.code, self.params)


class Review(models.Model):
    """A review of members (партия мүшелерін сараптау): every POO of a branch (or of the whole
    region) goes through its members by a deadline. Opening it takes the roll: one item per
    current member, with the POO and status they had that day."""

    class State(models.TextChoices):
        OPEN = "open", _("Running")
        CLOSED = "closed", _("Closed")

    branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="member_reviews",
    )
    title = models.CharField(_("title"), max_length=200)
    opened_on = models.DateField(_("opened on"))
    deadline = models.DateField(_("deadline"))
    state = models.CharField(
        _("state"), max_length=8, choices=State.choices, default=State.OPEN, db_index=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    #: Counts by status of the roll's members when it opened and when it closed.
    figures_before = models.JSONField(default=dict, blank=True)
    figures_after = models.JSONField(default=dict, blank=True)
    unanswered_at_close = models.PositiveIntegerField(default=0)
    last_reminded_on = models.DateField(null=True, blank=True, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("review of members")
        verbose_name_plural = _("reviews of members")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("members:review", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class ReviewItem(models.Model):
    """One member on a review's roll and the answer their POO leader gave."""

    class Answer(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CONTACT_LOST = "contact_lost", _("Contact lost")
        MOVED = "moved", _("Moved")
        DECEASED = "deceased", _("Deceased")
        WISHES_TO_LEAVE = "leaving", _("Wishes to leave")
        OTHER = "other", _("Other")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="review_items")
    #: The member's POO and status when the review opened (the roll).
    poo = models.ForeignKey(
        "structure.PrimaryOrganization", on_delete=models.PROTECT, related_name="+"
    )
    status_before = models.CharField(max_length=12, choices=Member.Status.choices)
    answer = models.CharField(
        _("answer"), max_length=12, choices=Answer.choices, blank=True, default=""
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    to_poo = models.ForeignKey(
        "structure.PrimaryOrganization",
        verbose_name=_("moved to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The member confirmed their own contact details in their cabinet.
    self_confirmed_on = models.DateField(_("confirmed by the member on"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        constraints = [
            models.UniqueConstraint(fields=["review", "member"], name="review_item_once"),
        ]
        indexes = [models.Index(fields=["review", "poo", "answer"])]

    def __str__(self):
        return f"{self.review_id}: {self.member_id} {self.answer}"


# Kept figures (bastau.lib.tally; maintained by members.tally in the transaction of each change,
# rebuilt by `bastau rebuild_aggregates`) ------------------------------------------------------
class MemberFlow(models.Model):
    """How many members of a POO, sex, sector and birth date joined (`joined`) and left
    (`ended`) on a day. Figures of the day count members by their record as it stands now (a
    transferred member's history moves with them, as the recount did)."""

    poo = models.ForeignKey(
        "structure.PrimaryOrganization", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    sex = models.CharField(max_length=1)
    sector = models.CharField(max_length=16)
    birth_date = models.DateField()
    joined = models.IntegerField(default=0)
    ended = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["poo", "day", "sex", "sector", "birth_date"], name="member_flow_key"
            )
        ]
        # The region's overview sums joined - ended over a range of days (the growth, the
        # months): covered by the index on PostgreSQL, no visit of the rows.
        indexes = [
            models.Index(fields=["day"], include=["joined", "ended"], name="member_flow_day_net")
        ]

    def __str__(self):
        return f"{self.poo_id} {self.day} {self.sex} {self.sector} {self.birth_date}"


class MemberStock(models.Model):
    """Members of a POO, sex and sector whose membership has not ended (every flow summed)."""

    poo = models.ForeignKey(
        "structure.PrimaryOrganization", on_delete=models.CASCADE, related_name="+"
    )
    sex = models.CharField(max_length=1)
    sector = models.CharField(max_length=16)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poo", "sex", "sector"], name="member_stock_key")
        ]

    def __str__(self):
        return f"{self.poo_id} {self.sex} {self.sector}: {self.n}"


class MemberBirthStock(models.Model):
    """Members of the whole region whose membership has not ended, by sex and birth date."""

    sex = models.CharField(max_length=1)
    birth_date = models.DateField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sex", "birth_date"], name="member_birth_stock_key")
        ]

    def __str__(self):
        return f"{self.sex} {self.birth_date}: {self.n}"
