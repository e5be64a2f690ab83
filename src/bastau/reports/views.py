"""The branch report: choose the place and the periods, read it on the page, download it."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bastau.core import audit
from bastau.core.dbrouter import replica_view
from bastau.core.permissions import requires
from bastau.core.printing import CONTENT_TYPES
from bastau.reception.statistics import Period, reporting_year
from bastau.structure import permissions as structure_perms

from . import documents, figures, wording
from .forms import ReportForm
from .texts import definition, text


def _choose(request):
    """(form, report or None). The defaults are the reporting year against the same part of
    the year before (as the reception's dashboard); a bad period or a place outside the
    reader's scope leaves the form with its error and no report."""
    scope = request.scope
    today = timezone.localdate()
    current, previous = reporting_year(today)
    params = request.GET.copy()
    for name, value in (
        ("start", current.start),
        ("end", current.end),
        ("compare_start", previous.start),
        ("compare_end", previous.end),
    ):
        if not params.get(name):
            params[name] = value.isoformat()
    branches = structure_perms.branches(scope).order_by("kind", "name")
    form = ReportForm(params, branches=branches)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    try:
        place = figures.resolve_place(scope, data.get("branch", ""), data.get("poo", ""))
    except figures.PlaceNotFound:
        form.add_error(
            "poo" if data.get("poo") else "branch",
            _("There is no such branch or POO among those you may see."),
        )
        return form, None
    report = figures.build(
        scope,
        place,
        Period(data["start"], data["end"]),
        Period(data["compare_start"], data["compare_end"]),
        as_of=today,
    )
    return form, report


def _page_language() -> str:
    lang = (get_language() or "kk")[:2]
    return lang if lang in ("kk", "ru", "en") else "kk"


@require_GET
@login_required
@requires("reports.view_reports")
@replica_view
def report_page(request):
    form, report = _choose(request)
    lang = _page_language()
    sections = []
    if report is not None:
        words = "ru" if lang == "en" else lang
        for section in report.sections:
            sections.append(
                {
                    "key": section.key,
                    "title": text(section.key, lang),
                    "sentences": wording.sentences(section.key, section.facts, words),
                    "figures": [
                        {
                            "key": f.key,
                            "label": text(f.key, lang),
                            "value": documents.value_text(f),
                            "previous": documents.value_text(f, f.previous)
                            if f.previous is not None
                            else "",
                            "definition": definition(f.key, lang),
                            "link": f.link,
                        }
                        for f in section.figures
                    ],
                }
            )
    return render(
        request,
        "reports/report.html",
        {
            "form": form,
            "report": report,
            "sections": sections,
            "title": documents.heading(report, lang)[0] if report else "",
            "query": request.GET.urlencode(),
            "status": 200,
        },
        status=200 if report is not None or not request.GET else 400,
    )


@require_GET
@login_required
@requires("reports.view_reports")
@replica_view
def report_file(request, lang: str, fmt: str):
    if lang not in documents.LANGUAGES or fmt not in documents.WRITERS:
        raise Http404
    form, report = _choose(request)
    if report is None:
        return render(
            request,
            "reports/report.html",
            {"form": form, "report": None, "sections": [], "query": request.GET.urlencode()},
            status=400,
        )
    out = io.BytesIO()
    documents.WRITERS[fmt](report, lang, out)
    audit.record(
        request.user,
        "report.exported",
        summary=f"{report.place.kind} {report.place.query} {report.period.start}–"
        f"{report.period.end} {fmt} {lang}",
        request=request,
    )
    response = HttpResponse(out.getvalue(), content_type=CONTENT_TYPES[fmt])
    name = f"report-{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}-{lang}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
