"""API tokens: one user's key for other software, stored as a SHA-256 hash (the token itself is
shown once, when it is made), with its access (read or read-write), the apps it opens, an
expiry and a revocation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The apps a token may open, in the order the token page lists them.
API_APPS = (
    "structure",
    "members",
    "reception",
    "oversight",
    "primaries",
    "activity",
    "surveys",
    "programme",
)


class ApiToken(models.Model):
    class Access(models.TextChoices):
        READ = "read", _("read only")
        WRITE = "write", _("read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("token starts with"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    access = models.CharField(_("access"), max_length=8, choices=Access.choices)
    apps = models.JSONField(_("apps"), default=list)
    language = models.CharField(_("language"), max_length=8, default="kk")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, now) -> bool:
        return self.revoked_at is None and self.expires_at > now

    def allows(self, app: str, write: bool) -> bool:
        if write and self.access != self.Access.WRITE:
            return False
        return app in self.apps
