from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StructureConfig(AppConfig):
    name = "bastau.structure"
    verbose_name = _("Party structure")

    def ready(self):
        from bastau.accounts import directory

        from . import permissions

        directory.register(branches=permissions.branches, poos=permissions.poos)
