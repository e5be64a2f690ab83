from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrimariesConfig(AppConfig):
    name = "bastau.primaries"
    verbose_name = _("Primaries")

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy checks)
