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
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext


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


class AutocompleteMultiple(Autocomplete):
    """The picker for several people (``ModelMultipleChoiceField``): the chosen ones are a list,
    each with a hidden input carrying its id under the field's name and a button that removes
    it; below, the same search box and results as ``Autocomplete``. Picking a result adds it to
    the list (autocomplete.js); the form posts the ids, so the field validates them against its
    scoped queryset as a select would. Only the chosen rows are read (one query), never the
    choices."""

    def _labels(self, values: list[str]) -> list[tuple[str, str]]:
        """(id, label) of the chosen values that the field's queryset holds, in their order; an
        id outside it (a forged or out-of-scope one) is not shown: the form refuses it."""
        ids = [int(v) for v in values if str(v).isdigit() and len(str(v)) <= 18]
        field = getattr(self.choices, "field", None)
        queryset = getattr(self.choices, "queryset", None)
        if not ids or field is None or queryset is None:
            return []
        found = {obj.pk: obj for obj in queryset.filter(pk__in=ids)}
        seen, rows = set(), []
        for pk in ids:
            if pk in found and pk not in seen:
                seen.add(pk)
                rows.append((str(pk), field.label_from_instance(found[pk])))
        return rows

    def format_value(self, value):
        if value is None or value == "":
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        return [str(getattr(v, "pk", v)) for v in value if v not in (None, "")]

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        widget_id = attrs.get("id") or f"id_{name}"
        results = f"{widget_id}_results"
        chosen_id = f"{widget_id}_chosen"
        remove = pgettext("picker", "Remove")
        remove_named = _("Remove: %(name)s")
        items = format_html_join(
            "",
            '<li data-chosen-value="{}"><input type="hidden" name="{}" value="{}">'
            '<span class="chip-label">{}</span> <button type="button" class="link"'
            ' data-autocomplete-remove aria-label="{}">{}</button></li>',
            (
                (pk, name, pk, label, remove_named % {"name": label}, remove)
                for pk, label in self._labels(self.format_value(value))
            ),
        )
        described = attrs.get("aria-describedby")
        invalid = attrs.get("aria-invalid")
        return format_html(
            '<div class="autocomplete autocomplete-multiple" data-autocomplete'
            ' data-autocomplete-multiple data-name="{}" data-remove-text="{}"'
            ' data-remove-label="{}">'
            '<p class="muted chosen-none" id="{}_none"{}>{}</p>'
            '<ul class="autocomplete-chosen" id="{}" aria-label="{}" aria-live="polite"'
            " data-autocomplete-chosen>{}</ul>"
            '<input type="search" id="{}" name="q" autocomplete="off"'
            ' role="combobox" aria-autocomplete="list" aria-expanded="false"'
            ' aria-controls="{}" placeholder="{}" data-autocomplete-input{}{}'
            ' hx-get="{}" hx-trigger="input changed delay:300ms, search"'
            ' hx-target="#{}" hx-swap="innerHTML">'
            '<div id="{}" class="autocomplete-results" role="listbox" aria-live="polite"></div>'
            "</div>",
            name,
            remove,
            remove_named,
            widget_id,
            mark_safe(" hidden") if items else "",
            _("Nobody chosen yet."),
            chosen_id,
            _("Chosen"),
            items,
            widget_id,
            results,
            _("Type a name to add a person"),
            format_html(' aria-describedby="{}"', described) if described else "",
            format_html(' aria-invalid="{}"', invalid) if invalid else "",
            reverse(self.url_name),
            results,
            results,
        )

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        if getter is not None:
            values = getter(name)
        else:
            value = data.get(name)
            values = value if isinstance(value, list | tuple) else [value]
        return [v for v in values if v not in (None, "")]

    def value_omitted_from_data(self, data, files, name):
        # An empty list posts nothing, as a multiple select does: never "omitted".
        return False


class PeopleField(forms.ModelMultipleChoiceField):
    """Several people picked with ``AutocompleteMultiple`` from a scoped queryset: an id the
    queryset does not hold (another district's member, a forged number) is refused with a
    message in the user's language, and nothing is saved."""

    default_error_messages = {
        "invalid_list": _lazy("Choose the people from the search results."),
        "invalid_choice": _lazy(
            "“%(value)s” is not among the people you may choose here: find the person by the"
            " search again."
        ),
        "invalid_pk_value": _lazy("“%(pk)s” is not a valid value."),
    }

    def __init__(self, url_name: str, *args, label_from_instance=None, **kwargs):
        kwargs.setdefault("queryset", None)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", AutocompleteMultiple(url_name))
        super().__init__(*args, **kwargs)
        if label_from_instance is not None:
            self.label_from_instance = label_from_instance

    def _check_values(self, value):
        # Ids of more than 18 digits would overflow the database's integer: refused as invalid.
        for pk in value:
            if isinstance(pk, str) and len(pk) > 18:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)
