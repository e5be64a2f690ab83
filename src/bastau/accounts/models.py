from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REGIONAL_ADMIN = "regional_admin", _("Regional administrator")
    DISTRICT_SECRETARY = "district_secretary", _("District branch secretary")
    POO_LEADER = "poo_leader", _("Primary organization leader")
    RECEPTION_OFFICER = "reception_officer", _("Public reception officer")
    FACTION_SECRETARY = "faction_secretary", _("Faction secretary")
    MEMBER = "member", _("Member")


class User(AbstractUser):
    """A person who signs in. The role and its anchor (branch or POO) fix what they may see."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.MEMBER)
    branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("The branch a regional administrator or district secretary works for."),
    )
    poo = models.ForeignKey(
        "structure.PrimaryOrganization",
        verbose_name=_("primary organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leaders",
    )
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("member record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username


class OneTimeCode(models.Model):
    """A login code sent by SMS or email. Only its hash is stored."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="one_time_codes"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"code for {self.user_id} via {self.channel}"
