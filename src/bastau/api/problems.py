"""Errors as RFC 9457 problem details (`application/problem+json`), in the caller's language:
the Accept-Language header, else the language the token was made in, else Kazakh."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

PROBLEM_TYPE = "/api/v1/problems/"


def titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Not signed in"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        422: _("The data is not valid"),
        429: _("Too many requests"),
        500: _("Server error"),
    }


def problem(
    request,
    status: int,
    detail: str = "",
    *,
    kind: str = "",
    errors: dict | list | None = None,
    headers: dict | None = None,
) -> HttpResponse:
    body = {
        "type": PROBLEM_TYPE + (kind or str(status)),
        "title": titles().get(status, titles()[400]),
        "status": status,
        "detail": detail or titles().get(status, ""),
        "instance": request.path if request is not None else "",
    }
    if errors:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/problem+json; charset=utf-8",
    )
    response["Content-Language"] = _language()
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _language() -> str:
    return translation.get_language() or "kk"
