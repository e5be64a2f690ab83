from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    name = "bastau.reception"
    verbose_name = _("Public reception")

    def ready(self):
        from . import tally

        tally.connect()
