"""The outreach campaigns an instruction points to, for the instruction's page (registered
with `activity.links` when Django starts)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from . import permissions as perms


def campaign_links(scope, instruction) -> list[tuple[str, str]]:
    if not perms.view_outreach(scope):
        return []
    campaigns = perms.campaigns(scope).filter(instructions=instruction).order_by("-starts_on")
    return [
        (c.get_absolute_url(), _("Outreach campaign: %(title)s") % {"title": c.display_title})
        for c in campaigns[:10]
    ]
