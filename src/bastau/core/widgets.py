"""A searchable picker for a choice among thousands (members, people): an input that asks an
endpoint for up to ~20 matches as one types (htmx), and a hidden input with the picked id.

The field stays a ``ModelChoiceField`` over the scoped queryset, so validation is unchanged:
a submitted id outside the user's scope is refused as any invalid choice. The widget never
iterates the choices (that would render every row); it looks up only the selected one. The
behaviour lives in ``static/bastau/autocomplete.js`` (no inline script, CSP-safe); the
endpoint answers with ``core/autocomplete_results.html``."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _


class Autocomplete(forms.Widget):
    """``Autocomplete("accounts:pick_member")``: the endpoint's URL name (it reads ``q``)."""

    def __init__(self, url_name: str, attrs=None):
        super().__init__(attrs)
        self.url_name = url_name
        self.choices = ()

    def __deepcopy__(self, memo):
        obj = super().__deepcopy__(memo)
        obj.url_name = self.url_name
        return obj

    def _label(self, value) -> str:
        if value in (None, ""):
            return ""
        field = getattr(self.choices, "field", None)
        queryset = getattr(self.choices, "queryset", None)
        if field is None or queryset is None:
            return str(value)
        try:
            obj = queryset.filter(pk=value).first()
        except (TypeError, ValueError):
            return ""
        return field.label_from_instance(obj) if obj is not None else ""

    def format_value(self, value):
        return "" if value is None else str(value)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        widget_id = attrs.get("id") or f"id_{name}"
        value = self.format_value(value)
        results = f"{widget_id}_results"
        return format_html(
            '<div class="autocomplete" data-autocomplete>'
            '<input type="hidden" name="{}" value="{}" data-autocomplete-value>'
            '<input type="search" id="{}" name="q" value="{}" autocomplete="off"'
            ' role="combobox" aria-autocomplete="list" aria-expanded="false"'
            ' aria-controls="{}" placeholder="{}" data-autocomplete-input'
            ' hx-get="{}" hx-trigger="input changed delay:300ms, search"'
            ' hx-target="#{}" hx-swap="innerHTML">'
            '<div id="{}" class="autocomplete-results" role="listbox" aria-live="polite"></div>'
            "</div>",
            name,
            value,
            widget_id,
            self._label(value),
            results,
            _("Type a name, IIN or card number"),
            reverse(self.url_name),
            results,
            results,
        )

    def value_from_datadict(self, data, files, name):
        return data.get(name) or None

    def value_omitted_from_data(self, data, files, name):
        return name not in data
