"""The budget monitor: sectors by year, indicators with their notes and responsibility, the
branch's threshold, the budget file import and the spreadsheets."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from bastau.accounts.scoping import Scope
from bastau.core import audit
from bastau.core.dbrouter import replica_view
from bastau.core.forms import apply_errors
from bastau.core.pages import form_page
from bastau.core.permissions import requires
from bastau.core.spreadsheets import sheet_title, spreadsheet_safe, workbook_response

from .. import permissions, services, statistics
from ..forms.budget import (
    BudgetImportForm,
    IndicatorFilterForm,
    NoteForm,
    ResponsibleForm,
    ThresholdForm,
)
from ..models import BudgetImport, BudgetSector
from ..services import budget_import
from . import NAV, PAGE_SIZE, maslikhat_filter


def _execution_width(value: Decimal | None) -> int:
    """Width of an execution bar in whole percent, 0-100 (a bar never overflows its row),
    for the `pct-N` classes of bastau.css."""
    if value is None:
        return 0
    return int(min(max(Decimal(value), Decimal(0)), Decimal(100)).to_integral_value(ROUND_HALF_UP))


@require_GET
@requires("oversight.view_oversight")
def budget(request):
    scope = request.scope
    maslikhat = maslikhat_filter(request)
    table = statistics.sector_year_table(scope, maslikhat=maslikhat)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and int(year) in table.years else None
    if year is None and table.years:
        year = table.years[-1]
    chart = []
    if year is not None:
        for value, label in table.sectors:
            cell = table.cell(value, year)
            main = cell.main
            execution = main.execution if main else None
            if cell.indicators:
                chart.append(
                    {
                        "sector": value,
                        "label": label,
                        "execution": execution,
                        "width": _execution_width(execution),
                        "lagging": cell.lagging,
                        "unit": main.unit if main else "",
                    }
                )
    rows = []
    for value, label, cells in table.rows():
        if any(c.indicators for c in cells):
            rows.append((value, label, list(zip(table.years, cells, strict=True))))
    maslikhats = permissions.maslikhats(scope)
    return render(
        request,
        "oversight/budget.html",
        {
            "table": table,
            "rows": rows,
            "year": year,
            "chart": chart,
            "maslikhat": maslikhat,
            "maslikhats": maslikhats,
            "responsible": statistics.by_responsible(scope, maslikhat=maslikhat, year=year)[:20],
            "lagging": services.lagging_indicators(scope, maslikhat=maslikhat).count(),
            "section": "budget",
        },
    )


def _filtered_indicators(scope: Scope, form):
    qs = permissions.indicators(scope)
    if form.is_valid():
        data = form.cleaned_data
        if data["maslikhat"]:
            qs = qs.filter(maslikhat=data["maslikhat"])
        if data["year"]:
            qs = qs.filter(year=data["year"])
        if data["sector"]:
            qs = qs.filter(sector=data["sector"])
        if data["lagging"]:
            qs = qs.filter(lagging=True)
        if data["responsible"] == "faction":
            qs = qs.filter(responsible_faction__isnull=False)
        elif data["responsible"] == "deputy":
            qs = qs.filter(responsible_deputy__isnull=False)
        elif data["responsible"] == "none":
            qs = qs.filter(responsible_faction__isnull=True, responsible_deputy__isnull=True)
        if data["q"]:
            qs = qs.filter(Q(code__icontains=data["q"]) | Q(name__icontains=data["q"]))
    return qs


@require_GET
@requires("oversight.view_oversight")
def indicators(request):
    scope = request.scope
    form = IndicatorFilterForm(request.GET or None, maslikhats=permissions.maslikhats(scope))
    qs = _filtered_indicators(scope, form).order_by("-year", "sector", "code", "id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/indicators.html",
        {"form": form, "page": page, "section": "indicators"},
    )


@require_GET
@requires("oversight.view_oversight")
@replica_view
def indicators_xlsx(request):
    """Every indicator of the filter as XLSX (the first columns are the import template's)."""
    scope = request.scope
    form = IndicatorFilterForm(request.GET or None, maslikhats=permissions.maslikhats(scope))
    qs = _filtered_indicators(scope, form).order_by("maslikhat", "year", "sector", "code")
    from openpyxl import Workbook

    labels = dict(BudgetSector.choices)
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(sheet_title(_("Indicators")))
    sheet.append([*budget_import.TEMPLATE, _("Maslikhat"), pgettext("budget", "Sector"),
                  _("Execution, %"), _("Lagging"), _("Responsible faction"),
                  _("Responsible deputy")])  # fmt: skip
    for i in qs.iterator(chunk_size=2000):
        sheet.append([i.year, i.sector, spreadsheet_safe(i.code), spreadsheet_safe(i.name),
                      spreadsheet_safe(i.program), spreadsheet_safe(i.unit), i.plan,
                      i.corrected_plan, i.actual, spreadsheet_safe(str(i.maslikhat)),
                      str(labels.get(i.sector, i.sector)), i.execution_percent,
                      _("yes") if i.lagging else "",
                      spreadsheet_safe(str(i.responsible_faction or "")),
                      spreadsheet_safe(str(i.responsible_deputy or ""))])  # fmt: skip
    return workbook_response(wb, "budget-indicators.xlsx")


@require_GET
@requires("oversight.view_oversight")
@replica_view
def budget_xlsx(request):
    """The whole budget monitor (sector x year, lagging, responsible, indicators)."""
    maslikhat = maslikhat_filter(request)
    return workbook_response(
        statistics.export_workbook(request.scope, maslikhat=maslikhat), "budget-monitoring.xlsx"
    )


@require_http_methods(["GET", "POST"])
@requires("oversight.view_oversight")
def indicator(request, pk):
    """An indicator with its notes; those who edit the budget add notes and set who is
    responsible here (a POST of anyone else is a 403)."""
    scope = request.scope
    obj = get_object_or_404(permissions.indicators(scope), pk=pk)
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if post else None
    note_form = NoteForm(post if action == "note" else None, initial={"date": timezone.localdate()})
    responsible_form = ResponsibleForm(
        post if action == "responsible" else None,
        prefix="r",
        factions=permissions.factions(scope).filter(maslikhat=obj.maslikhat_id),
        deputies=permissions.deputies(scope, active_only=True).filter(maslikhat=obj.maslikhat_id),
        initial={"faction": obj.responsible_faction_id, "deputy": obj.responsible_deputy_id},
    )
    if post is not None:
        scope.require(permissions.edit_budget(scope))
        if action == "note":
            if note_form.is_valid():
                try:
                    services.add_note(scope, obj, request=request, **note_form.cleaned_data)
                except ValidationError as exc:
                    apply_errors(note_form, exc)
                else:
                    messages.success(request, _("The note is added."))
                    return redirect("oversight:indicator", obj.pk)
        elif action == "responsible":
            if responsible_form.is_valid():
                try:
                    services.set_responsible(
                        scope, obj, request=request, **responsible_form.cleaned_data
                    )
                except ValidationError as exc:
                    apply_errors(responsible_form, exc)
                else:
                    messages.success(request, _("Responsibility is saved."))
                    return redirect("oversight:indicator", obj.pk)
        else:
            raise Http404
    return render(
        request,
        "oversight/indicator.html",
        {
            "indicator": obj,
            "notes": obj.notes.select_related("author"),
            "note_form": note_form,
            "responsible_form": responsible_form,
            "width": _execution_width(obj.execution_percent),
            "section": "indicators",
        },
    )


@require_http_methods(["GET", "POST"])
@requires("oversight.view_oversight")
def threshold(request, pk):
    scope = request.scope
    obj = get_object_or_404(permissions.maslikhats(scope), pk=pk)
    scope.require(permissions.manage_deputies(scope))  # after the 404 of another branch
    form = ThresholdForm(request.POST or None, initial={"budget_threshold": obj.budget_threshold})
    return form_page(
        request,
        form,
        save=lambda data: services.set_budget_threshold(
            scope, obj, data["budget_threshold"], request=request
        ),
        done=reverse("oversight:budget") + f"?maslikhat={obj.pk}",
        message=_("The threshold is saved; lagging flags are updated."),
        title=_("Budget execution threshold"),
        subtitle=str(obj),
        cancel=reverse("oversight:budget"),
        nav=NAV,
        context={"section": "budget"},
    )


@require_http_methods(["GET", "POST"])
@requires("oversight.edit_budget")
def budget_imports(request):
    scope = request.scope
    if request.method == "GET" and request.GET.get("template"):
        return workbook_response(budget_import.template_workbook(), "budget-template.xlsx")
    maslikhats = permissions.maslikhats(scope)
    form = BudgetImportForm(
        request.POST or None,
        request.FILES or None,
        maslikhats=maslikhats,
        initial={"maslikhat": maslikhats.first() if maslikhats.count() == 1 else None},
    )
    if request.method == "POST" and form.is_valid():
        job = budget_import.import_budget(
            scope,
            maslikhat=form.cleaned_data["maslikhat"],
            upload=form.cleaned_data["file"],
            request=request,
        )
        if job.succeeded:
            messages.success(
                request,
                _("Imported %(rows)s rows: %(created)s indicators created, %(updated)s updated.")
                % {"rows": job.total_rows, "created": job.created_count,
                   "updated": job.updated_count},
            )  # fmt: skip
        else:
            messages.error(request, _("Nothing was imported: the file has errors."))
        return redirect("oversight:budget_import", job.pk)
    page = Paginator(permissions.budget_imports(scope), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/imports.html",
        {"form": form, "page": page, "section": "imports"},
    )


def _import(request, pk) -> BudgetImport:
    return get_object_or_404(permissions.budget_imports(request.scope), pk=pk)


@require_GET
@requires("oversight.edit_budget")
def budget_import_detail(request, pk):
    job = _import(request, pk)
    page = Paginator(job.errors.all(), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/import_detail.html",
        {"job": job, "page": page, "section": "imports"},
    )


@require_GET
@requires("oversight.edit_budget")
def budget_import_errors(request, pk):
    """The problems of a failed import as XLSX (row, column, value, message)."""
    job = _import(request, pk)
    from openpyxl import Workbook

    audit.record(request.user, "budget.import_errors_downloaded", job,
                 branch=job.maslikhat.branch, request=request)  # fmt: skip
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(sheet_title(_("Errors")))
    sheet.append([_("Row"), _("Column"), _("Value"), _("Message")])
    for error in job.errors.all():
        sheet.append([error.row, error.column, spreadsheet_safe(error.value),
                      spreadsheet_safe(error.message)])  # fmt: skip
    return workbook_response(wb, f"budget-import-{job.pk}-errors.xlsx")
