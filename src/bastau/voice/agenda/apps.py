from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "bastau.voice.agenda"
    label = "agenda"
    verbose_name = _("Local issues and the programme")

    def ready(self):
        from . import signals  # noqa: F401  (a meeting's decision adopts a programme version)
