"""Choices every app shares."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    """Stored as one letter on members, deputies and candidates; the IIN's seventh digit gives
    it (bastau.lib.iin.Sex is the same two values, free of Django)."""

    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
