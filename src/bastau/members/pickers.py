"""The member search behind the searchable pickers (``core.widgets.Autocomplete``): at most a
handful of members of the reader's scope, by name prefix, IIN prefix (only to those who may
see IINs) or party card number, found with the indexes the member list uses."""

from __future__ import annotations

import re

from django.db.models import Q

from bastau.lib.iin import mask

from . import permissions
from .models import Member


def search_members(scope, query: str, limit: int = 20) -> list[Member]:
    query = " ".join(query.split())[:100]
    if len(query) < 2:
        return []
    qs = permissions.members(scope).exclude(status__in=Member.ENDED)
    card = re.fullmatch(r"([A-Za-zА-Яа-яӘәІіҢңҒғҮүҰұҚқӨөҺһ]{0,8})\s*(\d{1,9})", query)
    if query.isdigit():
        match = Q(cards__number=int(query[:9]))
        if permissions.see_personal_data(scope):
            match |= Q(iin__startswith=query)
    else:
        match = Q()
        for word in query.split()[:3]:
            match &= (
                Q(last_name__istartswith=word)
                | Q(first_name__istartswith=word)
                | Q(patronymic__istartswith=word)
            )
        if card and card.group(1):  # "AB 0012345": a series and a number
            match |= Q(cards__series__iexact=card.group(1), cards__number=int(card.group(2)))
    qs = qs.filter(match)
    return list(qs.distinct().order_by("last_name", "first_name", "id")[:limit])


def member_label(scope, member: Member) -> str:
    iin = member.iin if permissions.see_personal_data(scope) else mask(member.iin)
    return f"{member.full_name} · {iin}"
