from urllib.parse import urlencode

from django import template

from bastau.core import permissions
from bastau.lib.iin import mask

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(params, doseq=True)


@register.filter
def masked(value):
    return mask(str(value or ""))


@register.filter
def percent_of(part, whole):
    """Whole percent, 0-100, of a bar of `part` against the largest value `whole`.

    Bars are drawn with the classes `pct-0` ... `pct-100` of bastau.css (the
    Content-Security-Policy allows no style attribute), so the value is an integer,
    rounded half up and kept within 0-100."""
    try:
        part, whole = int(part), int(whole)
    except (TypeError, ValueError):
        return 0
    if whole <= 0 or part <= 0:
        return 0
    return min((200 * part + whole) // (2 * whole), 100)


@register.simple_tag(takes_context=True)
def allowed(context, rule_name: str) -> bool:
    """`{% allowed "app.rule" as ok %}`: whether the page the rule guards opens for this user,
    so a link is shown exactly when its target opens (core.permissions)."""
    request = context.get("request")
    return request is not None and permissions.allowed(request, rule_name)
