"""Public reception «Халыққа көмек»: citizens' appeals, officials' reception schedules.

An `Appeal` is received by a branch (`receiving_branch`), gets a registration number unique
per branch and year and a random tracking code for the citizen, and moves through

    registered -> assigned -> in progress -> resolved positively / explained / refused
    (or, from any open status, forwarded to the competent body)

Every step is an `AppealEvent` (who, when, from which status to which, comment); the writes
themselves live in `services.py`. Deadlines are dates computed on the working-day calendar
(`bastau.lib.workdays` + `CalendarOverride` rows) when the appeal is registered or extended.

Personal data of the applicant (name, IIN, phone, email, address, the text, the answer and
the attachments) is shown only to the people who handle the appeal, and every read by staff
is audited (`services.can_see_personal_data`, `services.log_personal_data_read`).

Later: the deputies' reporting module (oversight) will link deputies' meetings to the appeals
they received; the `deputy_meeting` channel and `session`/`responsible_official` carry that
information until then.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bastau.core.files import PrivateFileStorage, StoredFile, private_storage
from bastau.lib import iin as iin_lib

#: Tracking codes: no 0/O, 1/I/L, so a code read over the phone is typed right.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 10  # 31**10 ~ 8e14 codes (49 bits)


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def _localized(obj, base: str = "name") -> str:
    language = (get_language() or "kk")[:2]
    if language in ("ru", "en"):
        value = getattr(obj, f"{base}_{language}", "")
        if value:
            return value
    return getattr(obj, base)


def validate_iin(value: str) -> None:
    if value and not iin_lib.is_valid(value):
        raise ValidationError(_("This is not a valid IIN."), code="iin")


class Topic(models.Model):
    """An entry of the editable catalogue of appeal topics."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("appeal topic")
        verbose_name_plural = _("appeal topics")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return _localized(self)


class CalendarOverride(models.Model):
    """A staff correction of the working-day calendar; it wins over the `holidays` package."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self):
        return f"{self.date}: {'working' if self.is_working_day else 'day off'}"


class Official(models.Model):
    """Someone who receives citizens: a head of a state body, a party leader, a deputy."""

    class Kind(models.TextChoices):
        STATE_BODY_HEAD = "state_body_head", _("Head of a state body")
        PARTY_LEADER = "party_leader", _("Party leader")
        DEPUTY = "deputy", _("Deputy")
        OTHER = "other", _("Other")

    name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=300)
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("party member record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The branch whose reception schedule lists this official."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        indexes = [models.Index(fields=["branch", "active"])]

    def __str__(self):
        return f"{self.name}, {self.position}"


class ReceptionSchedule(models.Model):
    """When and where an official receives citizens: every given weekday, or on one date."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    official = models.ForeignKey(
        Official, verbose_name=_("official"), on_delete=models.PROTECT, related_name="schedules"
    )
    branch = models.ForeignKey(
        "structure.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, null=True, blank=True
    )
    date = models.DateField(_("date"), null=True, blank=True)
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_until = models.DateField(_("until"), null=True, blank=True)
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=300)
    slot_minutes = models.PositiveSmallIntegerField(
        _("minutes per visitor"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["weekday", "date", "start_time", "id"]
        verbose_name = _("reception schedule")
        verbose_name_plural = _("reception schedules")
        constraints = [
            models.CheckConstraint(
                condition=(Q(weekday__isnull=False) & Q(date__isnull=True))
                | (Q(weekday__isnull=True) & Q(date__isnull=False)),
                name="schedule_weekday_or_date",
            ),
            models.CheckConstraint(
                condition=Q(weekday__isnull=True) | Q(weekday__lte=6),
                name="schedule_weekday_range",
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="schedule_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["branch", "active"])]

    def __str__(self):
        when = self.get_weekday_display() if self.weekday is not None else str(self.date)
        return f"{self.official.name}: {when} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    def clean(self):
        if (self.weekday is None) == (self.date is None):
            raise ValidationError(_("Give either a weekday or a date."))
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("The reception must end after it starts.")})
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The period ends before it starts.")})

    def occurs_on(self, day: dt.date) -> bool:
        """Whether this schedule has a reception on `day` (working days are checked by the
        caller, who holds the calendar)."""
        if not self.active:
            return False
        if self.date is not None:
            return self.date == day
        if self.valid_from and day < self.valid_from:
            return False
        if self.valid_until and day > self.valid_until:
            return False
        return day.weekday() == self.weekday

    def slot_times(self) -> list[dt.time]:
        """Start times of the visitor slots: every slot fits before the end time."""
        times = []
        base = dt.date(2000, 1, 1)
        current = dt.datetime.combine(base, self.start_time)
        end = dt.datetime.combine(base, self.end_time)
        step = dt.timedelta(minutes=self.slot_minutes)
        while current + step <= end:
            times.append(current.time())
            current += step
        return times


class ReceptionSession(models.Model):
    """A reception actually held: the appeals it received point to it."""

    official = models.ForeignKey(
        Official, verbose_name=_("official"), on_delete=models.PROTECT, related_name="sessions"
    )
    branch = models.ForeignKey(
        "structure.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    schedule = models.ForeignKey(
        ReceptionSchedule,
        verbose_name=_("schedule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("reception session")
        verbose_name_plural = _("reception sessions")
        indexes = [models.Index(fields=["branch", "date"]), models.Index(fields=["date"])]

    def __str__(self):
        return f"{self.official.name}, {self.date}"


class Booking(models.Model):
    """A visitor slot at a reception, booked online by a citizen or by staff for them."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not come")
        CANCELLED = "cancelled", _("Cancelled")

    schedule = models.ForeignKey(
        ReceptionSchedule,
        verbose_name=_("schedule"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    official = models.ForeignKey(
        Official, verbose_name=_("official"), on_delete=models.PROTECT, related_name="bookings"
    )
    date = models.DateField(_("date"))
    time = models.TimeField(_("time"))
    applicant_name = models.CharField(_("name"), max_length=200)
    applicant_phone = models.CharField(_("phone"), max_length=20)
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.BOOKED
    )
    code = models.CharField(_("booking code"), max_length=TRACKING_LENGTH, unique=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when the citizen booked online."),
    )
    session = models.ForeignKey(
        ReceptionSession,
        verbose_name=_("reception session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "time", "id"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["official", "date", "time"],
                condition=~Q(status="cancelled"),
                name="booking_one_per_slot",
            )
        ]
        indexes = [models.Index(fields=["official", "date"])]

    def __str__(self):
        return f"{self.official.name} {self.date} {self.time:%H:%M}"


def _attachment_upload_to(instance, filename) -> str:
    """appeals/<random>/file.<ext>: the stored name tells nothing; the original is kept in
    the row."""
    extension = os.path.splitext(filename)[1].lower()
    return f"appeals/{secrets.token_hex(16)}/file{extension}"


def appeal_storage() -> PrivateFileStorage:
    return private_storage()


class Appeal(models.Model):
    """A citizen's appeal to the public reception."""

    class Channel(models.TextChoices):
        RECEPTION = "reception", _("Reception visit")
        PHONE = "phone", _("Phone call")
        ONLINE = "online", _("Online form")
        LETTER = "letter", _("Letter")
        EOTINISH = "eotinish", _("e-Otinish")
        DEPUTY_MEETING = "deputy_meeting", _("Deputy's meeting")

    class Kind(models.TextChoices):
        APPLICATION = "application", _("Application")
        COMPLAINT = "complaint", _("Complaint")
        PROPOSAL = "proposal", _("Proposal")
        REQUEST = "request", _("Request")
        FEEDBACK = "feedback", _("Feedback")
        REPORT = "report", _("Report")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED_POSITIVE = "resolved_positive", _("Resolved positively")
        EXPLAINED = "explained", _("Explained")
        REFUSED = "refused", _("Refused")
        FORWARDED = "forwarded", _("Forwarded to the competent body")

    #: Still being worked on: these count for the overdue and due-soon lists.
    OPEN = (Status.REGISTERED, Status.ASSIGNED, Status.IN_PROGRESS)
    #: Decided on the merits by the branch.
    DECIDED = (Status.RESOLVED_POSITIVE, Status.EXPLAINED, Status.REFUSED)
    CLOSED = (*DECIDED, Status.FORWARDED)

    # Identity
    receiving_branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("receiving branch"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    seq = models.PositiveIntegerField(_("sequence number"))
    number = models.CharField(_("registration number"), max_length=60, unique=True)
    tracking_code = models.CharField(
        _("tracking code"), max_length=TRACKING_LENGTH, unique=True, default=new_tracking_code
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    eotinish_reference = models.CharField(_("e-Otinish reference"), max_length=60, blank=True)
    kind = models.CharField(
        _("type"), max_length=16, choices=Kind.choices, default=Kind.APPLICATION
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="appeals"
    )
    session = models.ForeignKey(
        ReceptionSession,
        verbose_name=_("reception session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    language = models.CharField(_("language"), max_length=8, default="kk")

    # The applicant (personal data)
    applicant_name = models.CharField(_("applicant"), max_length=200)
    applicant_iin = models.CharField(_("IIN"), max_length=12, blank=True, validators=[validate_iin])
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("email"), blank=True)
    applicant_address = models.CharField(_("address"), max_length=300, blank=True)
    district = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The district or city the applicant lives in."),
    )
    text = models.TextField(_("text"))
    consent_at = models.DateTimeField(
        _("consent to data processing given at"), null=True, blank=True
    )

    # Registration
    registered_on = models.DateField(_("registered on"))
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when the citizen submitted it online."),
    )

    # Workflow
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_appeals",
    )
    responsible_official = models.ForeignKey(
        Official,
        verbose_name=_("responsible official"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    responsible_body = models.CharField(_("responsible state body"), max_length=300, blank=True)

    # Deadlines (dates on the working-day calendar)
    deadline = models.DateField(_("deadline (15 working days)"))
    forward_by = models.DateField(_("forward by (3 working days)"))
    extended_deadline = models.DateField(_("extended deadline"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for extension"), blank=True)
    extended_on = models.DateField(_("extension decided on"), null=True, blank=True)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    extension_notice_by = models.DateField(
        _("applicant to be told of the extension by"), null=True, blank=True
    )
    extension_notified_at = models.DateTimeField(
        _("applicant told of the extension at"), null=True, blank=True
    )
    due_on = models.DateField(
        _("due on"), help_text=_("The deadline in force: the extended one, if any.")
    )

    # Outcome
    forwarded_to = models.CharField(_("forwarded to"), max_length=300, blank=True)
    forwarded_on = models.DateField(_("forwarded on"), null=True, blank=True)
    forward_late_reason = models.TextField(_("reason for forwarding late"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    response_text = models.TextField(_("response letter"), blank=True)

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.UniqueConstraint(
                fields=["receiving_branch", "year", "seq"], name="appeal_number_per_branch_year"
            ),
            models.CheckConstraint(
                condition=Q(applicant_iin="") | Q(applicant_iin__regex=r"^[0-9]{12}$"),
                name="appeal_iin_twelve_digits",
            ),
        ]
        indexes = [
            models.Index(fields=["receiving_branch", "status", "due_on"]),
            models.Index(fields=["assignee", "status", "due_on"]),
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["registered_on"]),
            models.Index(fields=["receiving_branch", "registered_on"]),
            models.Index(fields=["resolved_on"]),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def forwarded_late(self) -> bool:
        return self.forwarded_on is not None and self.forwarded_on > self.forward_by

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_on < today

    @property
    def masked_iin(self) -> str:
        return iin_lib.mask(self.applicant_iin)


class AppealEvent(models.Model):
    """One step of an appeal's life: who did what, when, with which comment."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        ASSIGNED = "assigned", _("Assigned")
        STARTED = "started", _("Work started")
        EXTENDED = "extended", _("Deadline extended")
        FORWARDED = "forwarded", _("Forwarded")
        RESOLVED = "resolved", _("Resolved")
        COMMENTED = "commented", _("Comment")
        NOTIFIED = "notified", _("Applicant notified")
        ATTACHMENT = "attachment", _("File attached")
        DEADLINE_RECOMPUTED = "deadline_recomputed", _("Deadline recomputed (calendar change)")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=24, choices=Kind.choices)
    from_status = models.CharField(
        _("from status"), max_length=20, choices=Appeal.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=20, choices=Appeal.Status.choices, blank=True
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty for the citizen (online form) or the system."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")
        indexes = [models.Index(fields=["appeal", "at"])]

    def __str__(self):
        return f"{self.appeal_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Attachment(StoredFile):
    """A file attached to an appeal; type checked by extension and content, size limited."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        _("file"), upload_to=_attachment_upload_to, storage=appeal_storage, max_length=200
    )

    class Meta(StoredFile.Meta):
        pass


# Kept figures (bastau.lib.tally.appeal_keys; maintained by reception.tally in the transaction of
# each change, rebuilt by `bastau rebuild_aggregates`). Keys hold no NULL (a unique key would not
# match it): no district is 0, no due date (closed) is NO_DAY, `late` is -1 while open.
NO_DAY = dt.date(1, 1, 1)


class _Count(models.Model):
    n = models.IntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.n}"


class AppealOutcomeCount(_Count):
    day = models.DateField()
    status = models.CharField(max_length=20)
    late = models.SmallIntegerField()
    due_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "status", "late", "due_on"], name="appeal_outcome_key"
            )
        ]


class AppealTopicCount(_Count):
    day = models.DateField()
    topic_id = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "topic_id"], name="appeal_topic_key")]


class AppealChannelCount(_Count):
    day = models.DateField()
    channel = models.CharField(max_length=16)
    kind = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "channel", "kind"], name="appeal_channel_key")
        ]


class AppealPlaceDayCount(_Count):
    day = models.DateField()
    branch_id = models.IntegerField()
    district_id = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "branch_id", "district_id"], name="appeal_place_day_key"
            )
        ]


class AppealPlaceMonthCount(_Count):
    month = models.DateField()
    branch_id = models.IntegerField()
    district_id = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "branch_id", "district_id"], name="appeal_place_month_key"
            )
        ]


class AppealPlaceYearCount(_Count):
    year = models.DateField()  # its 1 January
    branch_id = models.IntegerField()
    district_id = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "branch_id", "district_id"], name="appeal_place_year_key"
            )
        ]


class AppealDecidedCount(_Count):
    day = models.DateField()
    took = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "took"], name="appeal_decided_key")]
