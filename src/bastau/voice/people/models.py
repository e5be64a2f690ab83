"""Supporters and volunteers (kept only with recorded consent) and the youth wing «Jas Otan».

Supporters are not party members. Their personal data is kept only while a consent is in
force (Law of the Republic of Kazakhstan No. 94-V "On personal data and their protection"):
each `Consent` records the text version, the day, the channel and who recorded it. When the
consent is withdrawn (by the person through their code, or by staff) the supporter's personal
fields are erased and only the fact of consent and withdrawal stays.

The youth wing is an organisation attached to the structure: a `YouthWing` belongs to the
regional branch, with optional district wings under it (`parent`). Its members are party
members (a link to `members.Member`, never a copy) or young people who are not members (their
own fields, with consent), within the wing's age limits.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bastau.core.choices import Sex


def new_withdrawal_code() -> str:
    """The code a supporter keeps to withdraw consent by themselves (link or typed)."""
    return secrets.token_urlsafe(12)


class ConsentChannel(models.TextChoices):
    PAPER = "paper", _("Signed paper form")
    ONLINE = "online", _("Online form")
    PHONE = "phone", _("By phone (recorded call)")
    IN_PERSON = "in_person", _("In person, to staff")


class Supporter(models.Model):
    """A supporter or volunteer who is not a party member."""

    class Language(models.TextChoices):
        KAZAKH = "kk", _("Kazakh")
        RUSSIAN = "ru", _("Russian")

    class Kind(models.TextChoices):
        SUPPORTER = "supporter", _("Supporter")
        VOLUNTEER = "volunteer", _("Volunteer")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Consent in force")
        WITHDRAWN = "withdrawn", _("Consent withdrawn, data erased")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SUPPORTER)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    # Personal data: erased on withdrawal.
    last_name = models.CharField(_("surname"), max_length=100, blank=True)
    first_name = models.CharField(_("given name"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    note = models.CharField(_("interests, how they can help"), max_length=300, blank=True)
    #: The language messages to them are written in (Kazakh unless they asked for Russian).
    language = models.CharField(
        _("language of messages"), max_length=2, choices=Language.choices, default=Language.KAZAKH
    )
    # Not personal: kept after withdrawal so counts by district stay right.
    branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="supporters",
    )
    poo = models.ForeignKey(
        "structure.PrimaryOrganization",
        verbose_name=_("primary organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supporters",
    )
    withdrawal_code = models.CharField(
        _("withdrawal code"), max_length=40, unique=True, default=new_withdrawal_code
    )
    registered_on = models.DateField(_("registered on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        indexes = [
            models.Index(fields=["status", "branch"]),
            models.Index(fields=["branch", "kind", "status"]),
            models.Index(fields=["last_name", "first_name"]),
        ]
        constraints = [
            # A withdrawn supporter keeps no personal data.
            models.CheckConstraint(
                condition=Q(status="active")
                | (
                    Q(last_name="")
                    & Q(first_name="")
                    & Q(birth_date__isnull=True)
                    & Q(phone="")
                    & Q(email="")
                    & Q(note="")
                ),
                name="supporter_withdrawn_erased",
            ),
        ]

    def __str__(self):
        if self.status == self.Status.WITHDRAWN:
            return f"#{self.pk}"
        return f"{self.last_name} {self.first_name}".strip()

    def get_absolute_url(self):
        return reverse("people:supporter", args=[self.pk])

    @property
    def full_name(self) -> str:
        return str(self)


class Consent(models.Model):
    """One consent to the processing of personal data: given, and perhaps withdrawn."""

    class WithdrawnVia(models.TextChoices):
        SELF = "self", _("By the person, with their code")
        STAFF = "staff", _("By staff, at the person's request")

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="consents")
    text_version = models.CharField(_("consent text version"), max_length=20)
    given_on = models.DateField(_("consent given on"))
    channel = models.CharField(_("channel"), max_length=12, choices=ConsentChannel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_via = models.CharField(
        _("withdrawn"), max_length=8, choices=WithdrawnVia.choices, blank=True
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["supporter", "withdrawn_on"])]

    def __str__(self):
        return f"{self.text_version} {self.given_on}"


class YouthWing(models.Model):
    """The youth wing «Jas Otan»: the regional wing attached to the regional branch, and
    optional district wings (`parent` = the regional wing) attached to district branches.
    The age limits are set on the regional wing and hold for its district wings."""

    name = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    branch = models.OneToOneField(
        "structure.Branch",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="youth_wing",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("regional wing"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="district_wings",
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=14)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), default=35)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)

    class Meta:
        ordering = ["parent_id", "name"]
        verbose_name = _("youth wing")
        verbose_name_plural = _("youth wings")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__lte=models.F("max_age")), name="youth_wing_age_order"
            ),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("people:wing", args=[self.pk])

    @property
    def display_name(self) -> str:
        if get_language() == "ru" and self.name_ru:
            return self.name_ru
        return self.name

    @property
    def root(self) -> YouthWing:
        return self.parent if self.parent_id else self


class YouthWingMember(models.Model):
    """A member of the youth wing: a party member (linked, not copied) or a young person who
    is not a member (their own fields, kept with consent)."""

    wing = models.ForeignKey(
        YouthWing, verbose_name=_("wing"), on_delete=models.PROTECT, related_name="members"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("party member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="youth_wing_memberships",
    )
    # A non-member's own data (empty for a party member, whose record is the member's).
    last_name = models.CharField(_("surname"), max_length=100, blank=True)
    first_name = models.CharField(_("given name"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="youth_wing_members",
    )
    consent_version = models.CharField(_("consent text version"), max_length=20, blank=True)
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_channel = models.CharField(
        _("consent channel"), max_length=12, choices=ConsentChannel.choices, blank=True
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("youth wing member")
        verbose_name_plural = _("youth wing members")
        indexes = [
            models.Index(fields=["wing", "left_on"]),
            models.Index(fields=["branch", "left_on"]),
            models.Index(fields=["birth_date"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(member__isnull=False, left_on__isnull=True),
                name="youth_wing_member_once",
            ),
            # Either a party member, or a non-member with a name, a birth date and a consent.
            models.CheckConstraint(
                condition=Q(member__isnull=False, last_name="", birth_date__isnull=True)
                | Q(
                    member__isnull=True,
                    birth_date__isnull=False,
                    consent_given_on__isnull=False,
                )
                & ~Q(last_name=""),
                name="youth_wing_member_member_or_own_data",
            ),
        ]

    def __str__(self):
        if self.member_id:
            return str(self.member)
        return f"{self.last_name} {self.first_name}".strip()


class YouthCongress(models.Model):
    """A congress (or conference) of the youth wing. It adopts the youth programme: the
    adopted version points here (`voice.agenda`'s `ProgrammeVersion.congress`, reverse name
    `adopted_versions`), so what a congress adopted is read from that link."""

    wing = models.ForeignKey(
        YouthWing, verbose_name=_("wing"), on_delete=models.PROTECT, related_name="congresses"
    )
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    delegates_elected = models.PositiveIntegerField(_("delegates elected"), default=0)
    delegates_present = models.PositiveIntegerField(_("delegates present"), default=0)
    decisions = models.TextField(_("decisions"), blank=True)
    meeting = models.ForeignKey(
        "activity.Meeting",
        verbose_name=_("meeting (minutes)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("youth wing congress")
        verbose_name_plural = _("youth wing congresses")
        constraints = [
            models.CheckConstraint(
                condition=Q(delegates_present__lte=models.F("delegates_elected")),
                name="youth_congress_present_le_elected",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.date})"

    def get_absolute_url(self):
        return reverse("people:wing", args=[self.wing_id])
