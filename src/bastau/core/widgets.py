"""A searchable picker for a choice among thousands (members, people): an input that asks an
endpoint for up to ~20 matches as one types (htmx), and a hidden input with the picked id.

The field stays a ``ModelChoiceField`` over the scoped queryset, so validation is unchanged:
a submitted id outside the user's scope is refused as any invalid choice. The widget never
iterates the choices (that would render every row); it looks up only the selected one. The
behaviour lives in ``static/bastau/autocomplete.js`` (no inline script, CSP-safe); the
endpoint answers with ``core/autocomplete_results.html``.

``FilterAutocomplete`` and ``SearchChoiceField`` are the picker of one choice among thousands in
a filter form sent with GET (the reception dashboard's branch filter: 3,400 branches at national
size, which a ``<select>`` wrote out on every view of the page), usable without the script: the
name typed is sent and the field finds what it names."""

from __future__ import annotations

from django import forms
from django.core import validators
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


class FilterAutocomplete(Autocomplete):
    """The searchable picker of one of thousands of named things in a filter form sent with GET
    (``SearchChoiceField``'s widget): a hidden input carries the code picked under the field's
    name, the search box, named ``<name>_q``, the name shown. Its value is (code, text): text is
    None when the box was not sent (a link with the code only). With the script, picking fills
    both and typing empties the code (autocomplete.js, as ``Autocomplete``); without it, the
    text typed is sent and the field finds what it names. Never iterates the choices; the
    endpoint (it reads ``q`` or ``<name>_q``) answers with up to 20."""

    def __init__(self, url_name: str, attrs=None, *, placeholder=""):
        super().__init__(url_name, attrs)
        self.placeholder = placeholder

    def __deepcopy__(self, memo):
        obj = super().__deepcopy__(memo)
        obj.placeholder = self.placeholder
        return obj

    @staticmethod
    def search_name(name: str) -> str:
        return f"{name}_q"

    def format_value(self, value):
        if isinstance(value, list | tuple):
            code, text = (list(value) + ["", None])[:2]
        else:
            code, text = value, None
        code = "" if code is None else str(getattr(code, "pk", code))
        return code, text

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        widget_id = attrs.get("id") or f"id_{name}"
        code, text = self.format_value(value)
        results = f"{widget_id}_results"
        described = attrs.get("aria-describedby")
        invalid = attrs.get("aria-invalid")
        return format_html(
            '<div class="autocomplete" data-autocomplete>'
            '<input type="hidden" name="{}" value="{}" data-autocomplete-value>'
            '<input type="search" id="{}" name="{}" value="{}" autocomplete="off"'
            ' role="combobox" aria-autocomplete="list" aria-expanded="false"'
            ' aria-controls="{}" placeholder="{}" data-autocomplete-input{}{}'
            ' hx-get="{}" hx-trigger="input changed delay:300ms, search"'
            ' hx-target="#{}" hx-swap="innerHTML">'
            '<div id="{}" class="autocomplete-results" role="listbox" aria-live="polite"></div>'
            "</div>",
            name,
            code,
            widget_id,
            self.search_name(name),
            code if text is None else text,
            results,
            self.placeholder,
            format_html(' aria-describedby="{}"', described) if described else "",
            format_html(' aria-invalid="{}"', invalid) if invalid else "",
            reverse(self.url_name),
            results,
            results,
        )

    def value_from_datadict(self, data, files, name):
        return (data.get(name) or "", data.get(self.search_name(name)))

    def value_omitted_from_data(self, data, files, name):
        return name not in data and self.search_name(name) not in data


class SearchChoiceField(forms.Field):
    """One object of a scoped queryset, named by a code (``to_field_name``), picked with
    ``FilterAutocomplete``; ``clean`` gives the object, or None when nothing is chosen (an empty
    box). A code is checked against the queryset as a ``ModelChoiceField`` checks it (one
    out of the user's scope, or forged, is an invalid choice), with one query. A text that does
    not name the object of the code sent (typed without the script, or the code emptied by
    typing) is looked up with ``find(queryset, text)`` -> (exact matches, other matches), each
    a list of (code, label): a single match, exact or not, is the choice; none, or several, is
    an error in the user's language, and the several (up to 20) are kept in ``matches`` for
    the page to offer."""

    default_error_messages = {
        "invalid_choice": forms.ChoiceField.default_error_messages["invalid_choice"],
        "not_found": _lazy("Nothing found for “%(value)s”: type another name."),
        "several": _lazy("Several match “%(value)s”: choose one of them."),
    }
    #: At most this many matches are offered when a text names several.
    SHOWN = 20

    def __init__(
        self,
        url_name: str,
        *,
        queryset=None,
        to_field_name: str = "code",
        find=None,
        names=None,
        placeholder="",
        **kwargs,
    ):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", FilterAutocomplete(url_name, placeholder=placeholder))
        super().__init__(**kwargs)
        self.queryset = queryset
        self.to_field_name = to_field_name
        self.find = find
        self.names = names or (lambda obj: (str(obj),))
        self.matches: list[tuple[str, str]] = []
        self.max_code_length = 100

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.matches = []
        return result

    def to_python(self, value):
        if isinstance(value, list | tuple):
            code, text = (list(value) + ["", None])[:2]
        else:
            code, text = value, None
        code = "" if code in (None, "") else str(code).strip()
        text = None if text is None else " ".join(str(text).split())
        for part in (code, text or ""):
            validators.ProhibitNullCharactersValidator()(part)
        return code, text

    def clean(self, value):
        code, text = self.to_python(value)
        self.matches = []
        chosen = None
        if text == "":  # the box emptied: every choice (a stale code, sent without the script)
            code = ""
        if code:
            chosen = self._get(code)
            if chosen is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": code[:40]},
                )
            if text is None or self._names(chosen, text):
                return chosen
        if not text:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        return self._resolve(text[:100])

    def _get(self, code: str):
        if len(code) > self.max_code_length or self.queryset is None:
            return None
        return self.queryset.filter(**{self.to_field_name: code}).first()

    def _names(self, obj, text: str) -> bool:
        wanted = text.casefold()
        return any(
            name and " ".join(str(name).split()).casefold() == wanted for name in self.names(obj)
        )

    def _resolve(self, text: str):
        exact, others = self.find(self.queryset, text) if self.find else ([], [])
        if len(exact) == 1 or (not exact and len(others) == 1):
            (code, _label) = (exact or others)[0]
            found = self._get(code)
            if found is not None:
                return found
        if not exact and not others:
            raise forms.ValidationError(
                self.error_messages["not_found"], code="not_found", params={"value": text}
            )
        self.matches = (exact + others)[: self.SHOWN]
        raise forms.ValidationError(
            self.error_messages["several"], code="several", params={"value": text}
        )
