"""Deputies' oversight: maslikhats, deputies, factions, reporting schedules, budget monitoring.

Scope: every record hangs off a `Maslikhat`, and a maslikhat belongs to one branch (the
regional maslikhat to the regional branch, a city or district maslikhat to that branch).
`permissions.maslikhats()` and the other scoped querysets of `permissions.py` decide who sees
which maslikhat; `services` holds every write (permission, transaction, audit).

A deputy who is a party member links to the `members.Member` record; their birth date and
sex then come from that record (the deputy's own fields stay empty), so the register never
disagrees with the membership file. Statistics read both through `Coalesce`.

Budget indicators store their execution % and lagging flag, computed exactly in Python
(`execution.py`, the app's pure arithmetic, no Django) whenever an indicator or its
maslikhat's threshold changes, so lists filter, count and paginate on them in the database
on every backend (SQLite keeps decimals as floating point, which must not decide a flag at
the boundary).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bastau.core.choices import Sex
from bastau.core.models import ImportProblem
from bastau.lib.dates import age_on

from . import execution

MONEY = dict(max_digits=18, decimal_places=2)


def _localized_name(obj) -> str:
    if (get_language() or "kk")[:2] == "ru" and obj.name_ru:
        return obj.name_ru
    return obj.name


class Maslikhat(models.Model):
    """A local representative body: regional, city or district maslikhat."""

    class Level(models.TextChoices):
        REGIONAL = "regional", _("Regional maslikhat")
        CITY = "city", _("City maslikhat")
        DISTRICT = "district", _("District maslikhat")

    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    name = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    branch = models.OneToOneField(
        "structure.Branch",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="maslikhat",
        help_text=_("The party branch that oversees this maslikhat's deputies."),
    )
    seats_total = models.PositiveSmallIntegerField(_("seats"))
    seats_by_list = models.PositiveSmallIntegerField(_("seats by party list"), default=0)
    seats_by_district = models.PositiveSmallIntegerField(
        _("seats by single-member district"), default=0
    )
    budget_threshold = models.DecimalField(
        _("budget execution threshold, %"),
        max_digits=5,
        decimal_places=2,
        default=execution.DEFAULT_THRESHOLD,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text=_("Indicators executed below this share of the plan are flagged."),
    )

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("maslikhat")
        verbose_name_plural = _("maslikhats")
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_total=models.F("seats_by_list") + models.F("seats_by_district")),
                name="maslikhat_seats_split_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(budget_threshold__gt=0) & Q(budget_threshold__lte=100),
                name="maslikhat_threshold_range",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return _localized_name(self)


class Convocation(models.Model):
    """A maslikhat's term: the 8th convocation elected in 2023, say."""

    maslikhat = models.ForeignKey(
        Maslikhat,
        verbose_name=_("maslikhat"),
        on_delete=models.PROTECT,
        related_name="convocations",
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["maslikhat", "-number"]
        verbose_name = _("convocation")
        verbose_name_plural = _("convocations")
        constraints = [
            models.UniqueConstraint(
                fields=["maslikhat", "number"], name="convocation_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="convocation_ends_after_start",
            ),
        ]

    def __str__(self):
        return _("%(maslikhat)s, convocation %(number)s") % {
            "maslikhat": self.maslikhat,
            "number": self.number,
        }

    def is_current(self, today: dt.date) -> bool:
        return self.started_on <= today and (self.ended_on is None or self.ended_on >= today)


class Deputy(models.Model):
    """A maslikhat deputy of one convocation."""

    class Party(models.TextChoices):
        OURS = "ours", _("Our party")
        OTHER = "other", _("Another party")
        NONE = "none", _("No party")

    class Election(models.TextChoices):
        LIST = "list", _("Party list")
        DISTRICT = "district", _("Single-member district")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Mandate ended")

    maslikhat = models.ForeignKey(
        Maslikhat, verbose_name=_("maslikhat"), on_delete=models.PROTECT, related_name="deputies"
    )
    convocation = models.ForeignKey(
        Convocation,
        verbose_name=_("convocation"),
        on_delete=models.PROTECT,
        related_name="deputies",
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("party member record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deputy_mandates",
        help_text=_("When the deputy is a party member: birth date and sex come from there."),
    )
    last_name = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("given name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    birth_date = models.DateField(
        _("birth date"), null=True, blank=True, help_text=_("Empty for a party member.")
    )
    sex = models.CharField(
        _("sex"), max_length=1, choices=Sex.choices, blank=True, help_text=_("Empty for a member.")
    )
    party = models.CharField(_("party"), max_length=8, choices=Party.choices, default=Party.OURS)
    party_name = models.CharField(
        _("party name"), max_length=200, blank=True, help_text=_("For another party.")
    )
    elected_by = models.CharField(_("elected by"), max_length=10, choices=Election.choices)
    district_number = models.PositiveSmallIntegerField(
        _("electoral district number"), null=True, blank=True
    )
    committee = models.CharField(_("standing committee"), max_length=300, blank=True)
    posts = models.CharField(
        _("posts"),
        max_length=300,
        blank=True,
        help_text=_("Chair of the maslikhat, secretary, committee chair, ..."),
    )
    faction = models.ForeignKey(
        "Faction",
        verbose_name=_("faction"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deputies",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    ended_on = models.DateField(_("mandate ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason the mandate ended"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("deputy")
        verbose_name_plural = _("deputies")
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False) | (Q(birth_date__isnull=False) & ~Q(sex="")),
                name="deputy_birth_date_and_sex_known",
            ),
            models.CheckConstraint(
                condition=(Q(elected_by="district") & Q(district_number__isnull=False))
                | (Q(elected_by="list") & Q(district_number__isnull=True)),
                name="deputy_district_number_iff_district",
            ),
            models.CheckConstraint(
                condition=(Q(status="ended") & Q(ended_on__isnull=False))
                | (Q(status="active") & Q(ended_on__isnull=True)),
                name="deputy_ended_on_iff_ended",
            ),
            models.UniqueConstraint(
                fields=["convocation", "member"],
                condition=Q(member__isnull=False),
                name="deputy_member_once_per_convocation",
            ),
        ]
        indexes = [
            models.Index(fields=["maslikhat", "status"]),
            models.Index(fields=["convocation", "status"]),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def effective_birth_date(self) -> dt.date | None:
        return self.member.birth_date if self.member_id else self.birth_date

    @property
    def effective_sex(self) -> str:
        return self.member.sex if self.member_id else self.sex

    def age_on(self, reference: dt.date) -> int | None:
        born = self.effective_birth_date
        return age_on(born, reference) if born else None


class Faction(models.Model):
    """The party's faction in one maslikhat's convocation: its leader and member deputies
    (`Deputy.faction`)."""

    maslikhat = models.ForeignKey(
        Maslikhat, verbose_name=_("maslikhat"), on_delete=models.PROTECT, related_name="factions"
    )
    convocation = models.ForeignKey(
        Convocation,
        verbose_name=_("convocation"),
        on_delete=models.PROTECT,
        related_name="factions",
    )
    name = models.CharField(_("name"), max_length=200)
    leader = models.ForeignKey(
        Deputy,
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_factions",
    )
    formed_on = models.DateField(_("formed on"), null=True, blank=True)

    class Meta:
        ordering = ["maslikhat", "-convocation__number"]
        verbose_name = _("faction")
        verbose_name_plural = _("factions")
        constraints = [
            models.UniqueConstraint(
                fields=["maslikhat", "convocation"], name="faction_one_per_convocation"
            )
        ]

    def __str__(self):
        return self.name


# Reporting schedule ----------------------------------------------------------------------------
class ReportSchedule(models.Model):
    """The reporting schedule the branch approves for a period (a half-year, say)."""

    maslikhat = models.ForeignKey(
        Maslikhat,
        verbose_name=_("maslikhat"),
        on_delete=models.PROTECT,
        related_name="report_schedules",
    )
    title = models.CharField(_("title"), max_length=300)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    approved_on = models.DateField(_("approved on"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("reporting schedule")
        verbose_name_plural = _("reporting schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="report_schedule_period_order",
            )
        ]

    def __str__(self):
        return self.title


class ScheduledReport(models.Model):
    """One deputy's report to voters on the schedule, and then what happened.

    `scheduled` -> `held` or `missed`; `postponed` moves it to a new date (still open:
    `first_date` keeps the approved one). An open report whose date has passed is overdue.
    """

    class Subject(models.TextChoices):
        BUDGET = "budget", _("Budget spending")
        WORK = "work", _("Deputy's work")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        POSTPONED = "postponed", _("Postponed")
        HELD = "held", _("Held")
        MISSED = "missed", _("Missed")

    #: Still to be held: these are overdue once their date has passed.
    OPEN = (Status.SCHEDULED, Status.POSTPONED)

    schedule = models.ForeignKey(
        ReportSchedule,
        verbose_name=_("schedule"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    deputy = models.ForeignKey(
        Deputy, verbose_name=_("deputy"), on_delete=models.PROTECT, related_name="reports"
    )
    date = models.DateField(_("date"))
    first_date = models.DateField(_("date approved"))
    time = models.TimeField(_("time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300)
    audience = models.CharField(_("audience"), max_length=300, blank=True)
    subject = models.CharField(
        _("subject"), max_length=8, choices=Subject.choices, default=Subject.BUDGET
    )
    topic = models.CharField(_("topic"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    postpone_count = models.PositiveSmallIntegerField(_("times postponed"), default=0)
    postpone_reason = models.CharField(_("reason for postponing"), max_length=300, blank=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True)
    outcome_note = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        ordering = ["date", "time", "id"]
        verbose_name = _("scheduled report")
        verbose_name_plural = _("scheduled reports")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="held") | Q(held_on__isnull=False),
                name="report_held_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "date"]),
            models.Index(fields=["deputy", "date"]),
        ]

    def __str__(self):
        return f"{self.deputy}: {self.date}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.date < today


class ReportQuestion(models.Model):
    """A question raised at a report. When it is turned into an appeal, `appeal` points to
    the appeal the public reception registered (a link: the appeal is not a copy here)."""

    report = models.ForeignKey(
        ScheduledReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    text = models.TextField(_("question"))
    asked_by = models.CharField(
        _("asked by"), max_length=200, blank=True, help_text=_("Optional: name of the voter.")
    )
    appeal = models.OneToOneField(
        "reception.Appeal",
        verbose_name=_("appeal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deputy_question",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "id"]
        verbose_name = _("question raised")
        verbose_name_plural = _("questions raised")

    def __str__(self):
        return self.text[:80]


# Budget monitoring ----------------------------------------------------------------------------
class BudgetSector(models.TextChoices):
    EDUCATION = "education", _("Education")
    HEALTHCARE = "healthcare", _("Healthcare")
    SOCIAL = "social", _("Social protection")
    HOUSING = "housing", _("Housing and utilities")
    ROADS = "roads", _("Roads and transport")
    AGRICULTURE = "agriculture", _("Agriculture")
    CULTURE = "culture", _("Culture and sport")
    OTHER = "other", _("Other")


class BudgetIndicator(models.Model):
    """One budget programme's indicator for a year: plan, corrected plan, actual.

    The natural key is (maslikhat, year, sector, code): importing a row with the same key
    updates the indicator. `execution_percent` and `lagging` are derived (see module doc).
    """

    maslikhat = models.ForeignKey(
        Maslikhat,
        verbose_name=_("maslikhat"),
        on_delete=models.PROTECT,
        related_name="budget_indicators",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    sector = models.CharField(_("sector"), max_length=12, choices=BudgetSector.choices)
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("indicator"), max_length=300)
    program = models.CharField(_("budget programme"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=40)
    plan = models.DecimalField(_("plan"), **MONEY)
    corrected_plan = models.DecimalField(_("corrected plan"), null=True, blank=True, **MONEY)
    actual = models.DecimalField(_("actual"), null=True, blank=True, **MONEY)
    execution_percent = models.DecimalField(
        _("execution, %"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    lagging = models.BooleanField(_("lagging"), default=False, editable=False)
    responsible_faction = models.ForeignKey(
        Faction,
        verbose_name=_("responsible faction"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_indicators",
    )
    responsible_deputy = models.ForeignKey(
        Deputy,
        verbose_name=_("responsible deputy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_indicators",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "sector", "code"]
        verbose_name = _("budget indicator")
        verbose_name_plural = _("budget indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["maslikhat", "year", "sector", "code"], name="budget_indicator_natural_key"
            ),
            models.CheckConstraint(condition=Q(plan__gte=0), name="budget_plan_not_negative"),
            models.CheckConstraint(
                condition=Q(corrected_plan__isnull=True) | Q(corrected_plan__gte=0),
                name="budget_corrected_plan_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(actual__isnull=True) | Q(actual__gte=0),
                name="budget_actual_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["maslikhat", "year", "sector"]),
            models.Index(fields=["maslikhat", "lagging"]),
        ]

    def __str__(self):
        return f"{self.year} {self.code} {self.name}"

    def save(self, *args, **kwargs):
        self.refresh_execution()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "execution_percent", "lagging"}
        super().save(*args, **kwargs)

    @property
    def base(self) -> Decimal | None:
        """The amount execution is measured against: corrected plan, else plan."""
        return execution.execution_base(self.plan, self.corrected_plan)

    def refresh_execution(self, threshold: Decimal | None = None) -> None:
        """Recompute the derived fields (call before a bulk write; `save` calls it)."""
        if threshold is None:
            threshold = self.maslikhat.budget_threshold
        self.execution_percent = execution.execution_percent(
            self.actual, self.plan, self.corrected_plan
        )
        self.lagging = execution.is_lagging(self.actual, self.plan, self.corrected_plan, threshold)


class MonitoringNote(models.Model):
    """A dated note of the party's monitoring of one indicator (a visit, a request)."""

    indicator = models.ForeignKey(
        BudgetIndicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="notes",
    )
    date = models.DateField(_("date"))
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("monitoring note")
        verbose_name_plural = _("monitoring notes")

    def __str__(self):
        return f"{self.date}: {self.text[:60]}"


class BudgetImport(models.Model):
    """One upload of a budget file for a maslikhat: checked whole, then written whole.

    Parallel to `members.ImportJob` (which is for members and POOs only and runs large files
    in the background); budget files are small and import inline. Problems are
    `BudgetImportError` rows, worded in the reader's language when shown.
    """

    class Status(models.TextChoices):
        FAILED = "failed", _("Failed")
        SUCCEEDED = "succeeded", _("Succeeded")

    maslikhat = models.ForeignKey(
        Maslikhat,
        verbose_name=_("maslikhat"),
        on_delete=models.CASCADE,
        related_name="budget_imports",
    )
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("indicators created"), default=0)
    updated_count = models.PositiveIntegerField(_("indicators updated"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("budget import")
        verbose_name_plural = _("budget imports")

    def __str__(self):
        return self.original_name

    @property
    def succeeded(self) -> bool:
        return self.status == self.Status.SUCCEEDED


class BudgetImportError(ImportProblem):
    """One problem of a budget file (core.models.ImportProblem)."""

    job = models.ForeignKey(BudgetImport, on_delete=models.CASCADE, related_name="errors")

    class Meta(ImportProblem.Meta):
        verbose_name = _("budget import error")
        verbose_name_plural = _("budget import errors")

    @property
    def message(self) -> str:
        from .services.budget_import import problem_message

        return problem_message(self.code, self.params)

    @property
    def text(self) -> str:
        """ "Row 4, column plan: The amount cannot be negative." in the active language."""
        from .services.budget_import import problem_text

        return problem_text(self.row, self.column, self.code, self.params)
