from urllib.parse import urlencode

from django import template

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
    """CSS width in percent for a bar of `part` against the largest value `whole`.

    Returned as a string with a dot, so that locales with a decimal comma (kk, ru) cannot
    turn it into invalid CSS."""
    try:
        value = 100 * int(part) / int(whole) if int(whole) else 0
    except (TypeError, ValueError):
        value = 0
    return f"{value:.1f}"
