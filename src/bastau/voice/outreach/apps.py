from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "bastau.voice.outreach"
    label = "outreach"
    verbose_name = _("Information work")

    def ready(self):
        from bastau.activity import links

        from .hooks import campaign_links

        links.register(campaign_links)
