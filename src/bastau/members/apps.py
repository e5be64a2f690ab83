from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "bastau.members"
    verbose_name = _("Members")

    def ready(self):
        from bastau.structure import membership

        from . import permissions, services, statistics, tally

        tally.connect()

        membership.register(
            count_by_poo=statistics.count_by_poo,
            has_current_members=services.has_current_members,
            move_current_members=services.move_current_members,
        )

        from bastau.accounts import directory

        from . import pickers

        directory.register(
            members=permissions.members,
            search_members=pickers.search_members,
            member_label=pickers.member_label,
        )
