"""The form page every app has: show a form; on a valid post run one action; show its errors on
the form or say it is done and move on. Written once here instead of once per view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from .forms import apply_errors

#: The one form template; apps pass the navigation they show above it (``nav``).
FORM_TEMPLATE = "core/form.html"


def form_page(
    request,
    form,
    *,
    save: Callable[[dict], Any],
    done: str | Callable[[Any], str | HttpResponse],
    title: str,
    cancel: str,
    message: str = "",
    nav: str | None = None,
    template: str = FORM_TEMPLATE,
    context: dict | None = None,
    **page,
) -> HttpResponse:
    """Render ``form`` on a page, or, on a valid POST, call ``save(cleaned_data)``.

    - ``save`` is the app's action: it checks, writes and audits. A ``ValidationError`` it raises
      is shown on the form and nothing is written (the action runs in its own transaction).
    - ``done`` is where to go next: a URL, or a function of what ``save`` returned that gives a
      URL or a whole response (a file, say). ``message``, if given, is shown there.
    - ``nav`` names the template of the section navigation shown above the form; ``page`` adds
      ``subtitle``, ``submit`` (the button's text), ``notice``, ``back`` (a link above the card,
      a (url, text) pair) to the page. ``context`` adds anything the ``nav`` template needs.
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if message:
                messages.success(request, message)
            target = done(result) if callable(done) else done
            return target if isinstance(target, HttpResponse) else redirect(target)
    return render(
        request,
        template,
        {
            **(context or {}),
            **page,
            "form": form,
            "title": title,
            "cancel": cancel,
            "nav": nav,
            "multipart": form.is_multipart(),
        },
    )
