from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One entry of the audit trail: who did what to which object, when.

    Field-level diffs of records live in each model's simple_history table; this log
    records the actions themselves (admit, transfer, import, export, login...).
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    branch = models.ForeignKey(
        "structure.Branch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class ImportProblem(models.Model):
    """One problem found in an imported file (the members' import, the budget monitor's).
    `row` is the spreadsheet row number (the header is row 1); it is empty for a problem with
    the file as a whole. The message is kept as a stable code with parameters and put into
    words in the reader's language when shown (the concrete model's `message` and `text`)."""

    row = models.PositiveIntegerField(_("row"), null=True, blank=True)
    column = models.CharField(_("column"), max_length=100, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    code = models.CharField(_("problem"), max_length=40)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = [models.F("row").asc(nulls_first=True), "id"]

    def __str__(self):
        return self.text
