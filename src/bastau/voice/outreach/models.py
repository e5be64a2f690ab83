"""Information work (ақпараттық-түсіндіру жұмысы): outreach campaigns with their materials,
target districts and POOs, a plan of reach, and the events that reach people.

A campaign's plan is a set of `PlanTarget` rows: planned reach for a district (no POO) or for
one POO of it. An `Event` records the people it reached in a district (and perhaps a POO).
An event may be announced ahead of its date: until its reach is recorded (`reach` is NULL) it
is planned and counts nothing against the plan. Reach against the plan is summed in the
database (`statistics.py`) over the events whose reach is recorded.

Supporters (voice.people) with consent in force are invited to an upcoming event: one
`Invitation` row per supporter and event (never a copy of their contacts), sent by SMS and/or
email by a background task that checks the consent again when it sends.

A chair's instruction (activity, a floor below) can point to a campaign: the link is stored
here (`Campaign.instructions`), since activity may not import outreach.
"""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bastau.core.files import StoredFile, private_storage


class Campaign(models.Model):
    class Theme(models.TextChoices):
        PRIMARIES = "primaries", _("Explaining the primaries")
        STRATEGY_2050 = "strategy_2050", _("The «Kazakhstan 2050» strategy")
        RENEWAL = "renewal", _("Results of the party's renewal")
        PROGRAMME = "programme", _("The pre-election programme")
        OTHER = "other", _("Other theme")

    title = models.CharField(_("title (Kazakh)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)
    talking_points = models.TextField(_("talking points (Kazakh)"), blank=True)
    talking_points_ru = models.TextField(_("talking points (Russian)"), blank=True)
    branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("organising branch"),
        on_delete=models.PROTECT,
        related_name="outreach_campaigns",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    target_branches = models.ManyToManyField(
        "structure.Branch",
        verbose_name=_("target districts"),
        blank=True,
        related_name="targeted_by_campaigns",
    )
    target_poos = models.ManyToManyField(
        "structure.PrimaryOrganization",
        verbose_name=_("target primary organizations"),
        blank=True,
        related_name="targeted_by_campaigns",
    )
    instructions = models.ManyToManyField(
        "activity.Instruction",
        verbose_name=_("instructions"),
        blank=True,
        related_name="outreach_campaigns",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("outreach campaign")
        verbose_name_plural = _("outreach campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="outreach_campaign_dates"
            ),
        ]

    def __str__(self):
        return self.display_title

    def get_absolute_url(self):
        return reverse("outreach:campaign", args=[self.pk])

    @property
    def display_title(self) -> str:
        if get_language() == "ru" and self.title_ru:
            return self.title_ru
        return self.title


def _outreach_upload_to(instance, filename) -> str:
    """outreach/<random>/file.<ext>: the stored name tells nothing; the original is kept."""
    extension = os.path.splitext(filename)[1].lower()
    return f"outreach/{secrets.token_hex(16)}/file{extension}"


def outreach_storage():
    return private_storage()


class Material(StoredFile):
    """A file of a campaign: a leaflet, a presentation, a video script."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="materials")
    file = models.FileField(
        _("file"), upload_to=_outreach_upload_to, storage=outreach_storage, max_length=200
    )

    class Meta(StoredFile.Meta):
        verbose_name = _("material")
        verbose_name_plural = _("materials")


class PlanTarget(models.Model):
    """Planned reach of a campaign in a district, or in one POO of it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="plan")
    branch = models.ForeignKey(
        "structure.Branch", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    poo = models.ForeignKey(
        "structure.PrimaryOrganization",
        verbose_name=_("primary organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    planned_reach = models.PositiveIntegerField(_("planned reach"))

    class Meta:
        ordering = ["branch__name", "id"]
        verbose_name = _("planned reach")
        verbose_name_plural = _("plan")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "branch"],
                condition=Q(poo__isnull=True),
                name="outreach_plan_one_per_district",
            ),
            models.UniqueConstraint(
                fields=["campaign", "poo"],
                condition=Q(poo__isnull=False),
                name="outreach_plan_one_per_poo",
            ),
        ]

    def __str__(self):
        return f"{self.poo or self.branch}: {self.planned_reach}"


class Event(models.Model):
    """One piece of outreach work and the people it reached."""

    class Kind(models.TextChoices):
        CITIZENS_MEETING = "citizens_meeting", _("Meeting with citizens")
        YARD_MEETING = "yard_meeting", _("Yard meeting")
        MEDIA = "media", _("Media publication")
        ONLINE = "online", _("Online post")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="outreach_events",
    )
    poo = models.ForeignKey(
        "structure.PrimaryOrganization",
        verbose_name=_("primary organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outreach_events",
    )
    #: NULL while the event is planned: its reach is recorded on or after its date.
    reach = models.PositiveIntegerField(_("people reached"), null=True, blank=True)
    place = models.CharField(_("place or link"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("outreach event")
        verbose_name_plural = _("outreach events")
        indexes = [
            models.Index(fields=["campaign", "branch"]),
            models.Index(fields=["campaign", "poo"]),
            models.Index(fields=["campaign", "date"]),
        ]

    def __str__(self):
        return f"{self.title} ({self.date})"

    def get_absolute_url(self):
        return reverse("outreach:event", args=[self.pk])

    @property
    def is_planned(self) -> bool:
        """Announced, its reach not yet recorded."""
        return self.reach is None


class Invitation(models.Model):
    """A supporter invited to an event: at most one per supporter and event. The message is
    queued, then sent (or not: consent withdrawn, no contact left, the event passed)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        NOT_SENT = "not_sent", _("Not sent")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="invitations"
    )
    supporter = models.ForeignKey(
        "people.Supporter",
        verbose_name=_("supporter"),
        on_delete=models.CASCADE,
        related_name="outreach_invitations",
    )
    by_sms = models.BooleanField(_("by SMS"), default=False)
    by_email = models.BooleanField(_("by email"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    invited_on = models.DateField(_("invited on"))
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["event", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "supporter"], name="outreach_invitation_once_per_event"
            ),
        ]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self):
        return f"{self.event_id}/{self.supporter_id}"
