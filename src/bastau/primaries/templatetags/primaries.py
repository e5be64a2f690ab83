"""Template tags of the primaries' public pages."""

from django import template

from bastau.primaries.views.public import vote_page_opens

register = template.Library()


@register.simple_tag(takes_context=True)
def vote_link_shown(context, campaign) -> bool:
    """`{% vote_link_shown campaign as show_vote %}`: the vote page opens for this user."""
    request = context.get("request")
    if request is None:
        return False
    return vote_page_opens(request, campaign)
