"""Import and export pages: upload a file, follow its progress, read and download the error
report; download the member list (as filtered on screen) and the POO list."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from bastau.core import audit
from bastau.core.choices import Sex
from bastau.core.dbrouter import replica_view
from bastau.core.permissions import requires
from bastau.core.spreadsheets import ImportFileError, inspect_upload
from bastau.structure import permissions as structure_perms
from bastau.structure.models import PrimaryOrganization

from .. import exports, permissions
from .. import imports as importing
from ..models import ImportJob, Member, Sector
from .staff import filter_members

FORMATS = ("csv", "xlsx")


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"), choices=ImportJob.Kind.choices
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "An .xlsx or .csv file whose first row names the columns, as in the template."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.inspection = inspect_upload(upload)
        except ImportFileError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        return upload


def _format(request, default="csv") -> str:
    fmt = request.GET.get("format", default) or default
    if fmt not in FORMATS:
        raise Http404
    return fmt


def _user_branch(request):
    return getattr(request.user, "branch", None)


def _template_response(kind: str, fmt: str):
    if kind not in ImportJob.Kind.values:
        raise Http404
    if kind == ImportJob.Kind.MEMBERS:
        choices = {
            "sector": Sector.choices,
            "status": Member.Status.choices,
            "sex": Sex.choices,
            "has_disability": [("1", _("Yes")), ("0", _("No"))],
        }
    else:
        choices = {"workplace_kind": PrimaryOrganization.WorkplaceKind.choices}
    return exports.import_template_response(kind, importing.template_columns(kind), choices, fmt)


@require_http_methods(["GET", "POST"])
@login_required
@requires("members.import_members")
def imports(request):
    scope = request.scope
    if request.method == "GET" and request.GET.get("template"):
        return _template_response(request.GET["template"], _format(request, "xlsx"))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = importing.create_job(
            scope,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            inspection=form.inspection,
        )
        job = importing.start_import(job)
        if job.status == ImportJob.Status.SUCCEEDED:
            messages.success(
                request,
                _("Imported %(count)s records from %(name)s.")
                % {"count": job.created_count, "name": job.original_name},
            )
        elif job.status == ImportJob.Status.FAILED:
            messages.error(request, _("Nothing was imported: the file has errors."))
        else:
            messages.info(request, _("The file is being imported in the background."))
        return redirect(job)
    jobs = importing.jobs_for(scope).select_related("created_by")
    page = Paginator(jobs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "members/imports.html",
        {
            "form": form,
            "page": page,
            "kinds": ImportJob.Kind.choices,
            "inline_max": settings.IMPORT_INLINE_MAX_ROWS,
        },
    )


def _job_for(request, pk) -> ImportJob:
    jobs = importing.jobs_for(request.scope).select_related("created_by")
    return get_object_or_404(jobs, pk=pk)


@require_GET
@login_required
@requires("members.import_members")
def import_detail(request, pk):
    job = _job_for(request, pk)
    if request.htmx and request.GET.get("poll"):
        if job.is_finished:
            # Reload the whole page: it shows the result and the error report.
            return HttpResponseClientRefresh()
        return render(request, "members/_import_status.html", {"job": job})
    page = Paginator(job.errors.all(), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "members/import_detail.html",
        {"job": job, "page": page, "max_stored": importing.MAX_STORED_ERRORS},
    )


@require_GET
@login_required
@requires("members.import_members")
def import_errors(request, pk):
    job = _job_for(request, pk)
    fmt = _format(request)
    # The report quotes the file's values, IINs included.
    audit.record(
        request.user,
        "import.errors_downloaded",
        job,
        request=request,
        branch=_user_branch(request),
        data={"format": fmt},
    )
    return exports.import_errors_response(job, job.errors.all(), fmt)


@require_GET
@login_required
@requires("members.view_members")
@replica_view
def export_members(request):
    """The member list as filtered on screen (the same query string), in the user's scope;
    IIN and phone are masked, email and address left out, for roles that may not see them."""
    scope = request.scope
    fmt = _format(request)
    _form, qs = filter_members(scope, request.GET)
    qs = qs.select_related("poo", "poo__branch").order_by("last_name", "first_name", "id")
    masked = not permissions.see_personal_data(scope)
    filters = {
        key: value for key, value in request.GET.items() if key not in ("format", "page") and value
    }
    audit.record(
        request.user,
        "members.exported",
        request=request,
        branch=_user_branch(request),
        data={"format": fmt, "filters": filters, "masked": masked, "rows": qs.count()},
    )
    return exports.list_response(
        "members",
        qs,
        fmt,
        masked=masked,
        filename_stem=f"bastau-members-{timezone.localdate():%Y-%m-%d}",
    )


@require_GET
@login_required
@requires("members.view_members")
@replica_view
def export_poos(request):
    """Primary organizations in the user's scope, optionally one branch's or one status."""
    scope = request.scope
    fmt = _format(request)
    qs = structure_perms.poos(scope)
    branch_code = request.GET.get("branch", "")
    if branch_code:
        branch = structure_perms.branches(scope).filter(code=branch_code).first()
        if branch is None:
            raise Http404
        if branch.kind != branch.Kind.REGION:
            qs = qs.filter(branch=branch)
    status = request.GET.get("status", "")
    if status in PrimaryOrganization.Status.values:
        qs = qs.filter(status=status)
    qs = qs.select_related("branch", "leader").order_by("branch__name", "name", "id")
    audit.record(
        request.user,
        "poos.exported",
        request=request,
        branch=_user_branch(request),
        data={"format": fmt, "branch": branch_code, "status": status, "rows": qs.count()},
    )
    return exports.list_response(
        "poos",
        qs,
        fmt,
        masked=False,
        filename_stem=f"bastau-poos-{timezone.localdate():%Y-%m-%d}",
    )
