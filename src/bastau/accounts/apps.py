from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "bastau.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import sessionproof

        # The session's proof for the thin cast path (sessionproof, primaries.castpath).
        user_logged_in.connect(sessionproof.on_login, dispatch_uid="bastau.sessionproof")
