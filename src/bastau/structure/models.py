from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Branch(models.Model):
    """The regional branch and its district/city branches (a two-level tree)."""

    class Kind(models.TextChoices):
        REGION = "region", _("Regional branch")
        DISTRICT = "district", _("District branch")
        CITY = "city", _("City branch")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("structure:branch", args=[self.code])

    @property
    def display_name(self) -> str:
        if get_language() == "ru" and self.name_ru:
            return self.name_ru
        return self.name


class PrimaryOrganization(models.Model):
    """A primary party organization (POO): the unit every member belongs to."""

    class WorkplaceKind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        SCHOOL = "school", _("School")
        COLLEGE = "college", _("College or university")
        HOSPITAL = "hospital", _("Healthcare")
        GOVERNMENT = "government", _("State body")
        VILLAGE = "village", _("Village (rural district)")
        NEIGHBOURHOOD = "neighbourhood", _("Residential area")
        AGRICULTURE = "agriculture", _("Agriculture")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MERGED = "merged", _("Merged")
        CLOSED = "closed", _("Closed")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=250)
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="poos"
    )
    workplace_kind = models.CharField(
        _("workplace kind"),
        max_length=20,
        choices=WorkplaceKind.choices,
        default=WorkplaceKind.OTHER,
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    leader = models.ForeignKey(
        "members.Member",
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_poos",
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("primary organization")
        verbose_name_plural = _("primary organizations")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("structure:poo", args=[self.code])


class StructureEvent(models.Model):
    """A dated change to a POO's place in the structure, kept forever."""

    class Kind(models.TextChoices):
        FOUNDED = "founded", _("Founded")
        MOVED = "moved", _("Moved to another branch")
        MERGED = "merged", _("Merged")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    poo = models.ForeignKey(PrimaryOrganization, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("date"))
    from_branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    merged_into = models.ForeignKey(
        PrimaryOrganization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("structure event")
        verbose_name_plural = _("structure events")

    def __str__(self):
        return f"{self.poo} {self.kind} {self.date}"
