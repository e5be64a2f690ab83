"""Deputies' reports to voters: the approved schedules, the reports, their outcomes and
questions, and a question turned into an appeal to the public reception."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bastau.core.forms import apply_errors
from bastau.core.pages import form_page
from bastau.core.permissions import requires

from .. import documents, permissions, services, statistics
from ..forms.reports import (
    HeldForm,
    MissedForm,
    PostponeForm,
    QuestionAppealForm,
    QuestionForm,
    ReportForm,
    ScheduleForm,
)
from ..models import ScheduledReport
from . import NAV, PAGE_SIZE, REPORT_BADGES, maslikhat_filter, report_rows


@require_GET
@requires("oversight.view_oversight")
def schedules(request):
    scope = request.scope
    today = timezone.localdate()
    qs = permissions.schedules(scope).annotate(
        total=Count("reports"),
        held=Count("reports", filter=Q(reports__status=ScheduledReport.Status.HELD)),
        overdue=Count(
            "reports",
            filter=Q(reports__status__in=ScheduledReport.OPEN, reports__date__lt=today),
        ),
    )
    maslikhat = maslikhat_filter(request)
    if maslikhat is not None:
        qs = qs.filter(maslikhat=maslikhat)
    qs = qs.order_by("-period_start", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    overdue = services.overdue(scope, today).select_related("schedule__maslikhat")[:100]
    return render(
        request,
        "oversight/schedules.html",
        {
            "page": page,
            "overdue": report_rows(overdue, today),
            "counts": statistics.report_counts(scope, today=today),
            "section": "schedules",
        },
    )


@require_http_methods(["GET", "POST"])
@requires("oversight.approve_report_schedules")
def schedule_new(request):
    scope = request.scope
    form = ScheduleForm(
        request.POST or None,
        maslikhats=permissions.maslikhats(scope),
        initial={"approved_on": timezone.localdate()},
    )
    return form_page(
        request,
        form,
        save=lambda data: services.create_schedule(scope, request=request, **data),
        done=lambda obj: reverse("oversight:schedule", args=[obj.pk]),
        message=_("The reporting schedule is approved."),
        title=_("Approve a reporting schedule"),
        submit=_("Approve"),
        cancel=reverse("oversight:schedules"),
        nav=NAV,
        context={"section": "schedules"},
    )


@require_GET
@requires("oversight.view_oversight")
def schedule(request, pk):
    scope = request.scope
    obj = get_object_or_404(permissions.schedules(scope), pk=pk)
    today = timezone.localdate()
    reports = (
        permissions.reports(scope)
        .filter(schedule=obj)
        .annotate(question_count=Count("questions"))
        .order_by("date", "time", "id")
    )
    return render(
        request,
        "oversight/schedule.html",
        {
            "schedule": obj,
            "reports": report_rows(reports, today),
            "counts": statistics.report_counts(scope, today=today, schedule=obj),
            "languages": documents.LANGUAGES,
            "section": "schedules",
        },
    )


@require_GET
@requires("oversight.view_oversight")
def schedule_document(request, pk, lang, fmt):
    obj = get_object_or_404(permissions.schedules(request.scope), pk=pk)
    if lang not in documents.LANGUAGES or fmt not in documents.FORMATS:
        raise Http404
    handle = io.BytesIO()
    documents.write_schedule(obj, lang, fmt, handle, timezone.localdate())
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"report-schedule-{obj.pk}-{lang}.{fmt}",
        content_type=documents.CONTENT_TYPES[fmt],
    )


@require_http_methods(["GET", "POST"])
@requires("oversight.record_reports")
def report_new(request, pk):
    scope = request.scope
    obj = get_object_or_404(permissions.schedules(scope), pk=pk)
    candidates = permissions.deputies(scope, active_only=True).filter(maslikhat=obj.maslikhat_id)
    return form_page(
        request,
        ReportForm(request.POST or None, deputies=candidates, initial={"date": obj.period_start}),
        save=lambda data: services.add_report(scope, obj, request=request, **data),
        done=reverse("oversight:schedule", args=[obj.pk]),
        message=_("The report is added to the schedule."),
        title=_("Add a report"),
        subtitle=obj.title,
        cancel=reverse("oversight:schedule", args=[obj.pk]),
        nav=NAV,
        context={"section": "schedules"},
    )


REPORT_EDIT_FIELDS = ("date", "time", "place", "audience", "subject", "topic")


@require_http_methods(["GET", "POST"])
@requires("oversight.record_reports")
def report_edit(request, pk):
    """Correct an open report's date, time, place, audience, subject and topic; once the
    outcome is recorded the report is not edited (back to its page with a message)."""
    scope = request.scope
    obj = get_object_or_404(permissions.reports(scope).select_related("schedule__maslikhat"), pk=pk)
    if not obj.is_open:
        messages.error(request, _("The outcome is recorded; the report cannot be edited."))
        return redirect("oversight:report", obj.pk)
    form = ReportForm(
        request.POST or None, editing=True, initial={f: getattr(obj, f) for f in REPORT_EDIT_FIELDS}
    )

    def save(data):
        changes = {
            name: value
            for name, value in data.items()
            if (value.strip() if isinstance(value, str) else value) != getattr(obj, name)
        }
        if changes:
            services.edit_report(scope, obj, changes=changes, request=request)

    return form_page(
        request,
        form,
        save=save,
        done=reverse("oversight:report", args=[obj.pk]),
        message=_("The report is saved."),
        title=_("Edit the report"),
        subtitle=f"{obj.deputy.full_name}: {obj.schedule.title}",
        cancel=reverse("oversight:report", args=[obj.pk]),
        nav=NAV,
        context={"section": "schedules"},
    )


@require_http_methods(["GET", "POST"])
@requires("oversight.view_oversight")
def report(request, pk):
    """A scheduled report: record the outcome (held, postponed, missed), the questions
    raised, and turn a question into an appeal. Recording needs `record_reports` (a POST of
    anyone else is a 403)."""
    scope = request.scope
    obj = get_object_or_404(permissions.reports(scope).select_related("schedule__maslikhat"), pk=pk)
    today = timezone.localdate()
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if post else None
    forms = {
        "held": HeldForm(post if action == "held" else None, initial={"held_on": obj.date}),
        "postpone": PostponeForm(post if action == "postpone" else None, prefix="p"),
        "missed": MissedForm(post if action == "missed" else None, prefix="m"),
        "question": QuestionForm(post if action == "question" else None, prefix="q"),
    }
    if post is not None:
        scope.require(permissions.record_reports(scope))
        form = forms.get(action)
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "held":
                    services.record_outcome(
                        scope, obj, held=True, held_on=data["held_on"],
                        attendance=data["attendance"], note=data["note"],
                        questions=form.question_list(), request=request,
                    )  # fmt: skip
                    messages.success(request, _("The report is recorded as held."))
                elif action == "postpone":
                    services.postpone(scope, obj, request=request, **data)
                    messages.success(request, _("The report is postponed."))
                elif action == "missed":
                    services.record_outcome(scope, obj, held=False, note=data["note"],
                                            request=request)  # fmt: skip
                    messages.success(request, _("The report is recorded as missed."))
                else:
                    services.add_question(scope, obj, request=request, **data)
                    messages.success(request, _("The question is recorded."))
                return redirect("oversight:report", obj.pk)
            except ValidationError as exc:
                apply_errors(form, exc)
    return render(
        request,
        "oversight/report.html",
        {
            "report": obj,
            "overdue": obj.is_overdue(today),
            "badge": REPORT_BADGES.get(obj.status, ""),
            "questions": obj.questions.select_related("appeal"),
            "can_make_appeals": permissions.make_appeals(scope, obj.schedule.maslikhat),
            "forms": forms,
            "action": action,
            "section": "schedules",
        },
    )


@require_http_methods(["GET", "POST"])
@requires("oversight.record_reports")
def question_appeal(request, pk):
    scope = request.scope
    question = get_object_or_404(
        permissions.questions(scope).select_related("report__schedule__maslikhat__branch",
                                                    "report__deputy"),
        pk=pk,
    )  # fmt: skip
    report_obj = question.report
    # after the 404 of another branch: the reception's right for this maslikhat's branch
    scope.require(permissions.make_appeals(scope, report_obj.schedule.maslikhat))
    back = reverse("oversight:report", args=[report_obj.pk])
    if question.appeal_id:
        messages.info(request, _("This question is already an appeal."))
        return redirect(back)
    from bastau.reception.models import Topic

    form = QuestionAppealForm(
        request.POST or None,
        topics=Topic.objects.filter(active=True),
        initial={"applicant_name": question.asked_by},
    )

    def save(data):
        data = dict(data)
        topic = data.pop("topic")
        return services.question_to_appeal(
            scope, question, topic=topic, applicant=data, request=request
        )

    def done(appeal):
        messages.success(request, _("Appeal %(number)s is registered.") % {"number": appeal.number})
        return back

    return form_page(
        request,
        form,
        save=save,
        done=done,
        title=_("Turn the question into an appeal"),
        subtitle=question.text,
        submit=_("Register the appeal"),
        cancel=back,
        nav=NAV,
        context={"section": "schedules"},
    )
