"""The staff's survey pages: the list, the builder (survey, questions, named list), the phone
preview, opening and closing, sending, response rates, results with cross-tabs, the topics of
free-text answers, identified answers (audited), export and the flyer."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bastau.core import audit
from bastau.core.forms import apply_errors
from bastau.core.pages import form_page
from bastau.core.permissions import requires
from bastau.core.spreadsheets import cells, csv_response, xlsx_response

from .. import documents, services
from .. import permissions as perms
from ..forms import AnswerForm, InviteesForm, PublicAnswerForm, QuestionForm, SurveyForm, TopicForm
from ..models import Question, Survey, SurveyTopic
from . import display

NAV = "surveys/_nav.html"


def _survey(request, pk) -> Survey:
    return get_object_or_404(perms.surveys(request.scope).select_related("branch", "poo"), pk=pk)


def _editable(request, pk) -> Survey:
    survey = _survey(request, pk)
    if not perms.can_edit(request.scope, survey):
        raise PermissionDenied
    return survey


@requires("voice.surveys.view_rates")
def survey_list(request):
    qs = perms.surveys(request.scope).select_related("branch").order_by("-opens_on", "-pk")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/list.html",
        {"page": page, "section": "list", "manage": perms.manage_surveys(request.scope)},
    )


@requires("voice.surveys.manage_surveys")
def survey_new(request):
    today = timezone.localdate()
    initial = {"opens_on": today, "closes_on": today + timezone.timedelta(days=30)}
    if not request.scope.is_regional_admin:
        initial["branch"] = request.user.branch_id
    form = SurveyForm(request.POST or None, scope=request.scope, initial=initial)
    return form_page(
        request,
        form,
        save=lambda data: services.create_survey(request.scope, data, today=today, request=request),
        done=lambda survey: survey.get_absolute_url(),
        title=_("New survey"),
        cancel=reverse("surveys:list"),
        message=_("The survey is created. Add its questions."),
        nav=NAV,
        template="surveys/survey_form.html",
    )


@requires("voice.surveys.manage_surveys")
def survey_edit(request, pk):
    survey = _editable(request, pk)
    form = SurveyForm(request.POST or None, instance=survey, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        survey = Survey.objects.get(pk=pk)  # the form wrote onto its instance
        try:
            services.update_survey(request.scope, survey, data, request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(survey)
    return render(
        request,
        "surveys/survey_form.html",
        {
            "form": form,
            "title": _("Edit the survey"),
            "cancel": survey.get_absolute_url(),
            "nav": NAV,
        },
    )


@requires("voice.surveys.manage_surveys")
def survey_detail(request, pk):
    survey = _survey(request, pk)
    questions = services.questions_of(survey)
    return render(
        request,
        "surveys/survey.html",
        {
            "survey": survey,
            "questions": questions,
            "editable": perms.can_edit(request.scope, survey),
            "link": services.survey_link(survey),
            "invitees": survey.invitees.count()
            if survey.audience == Survey.Audience.NAMED
            else None,
            "audience_size": _audience_size(survey),
        },
    )


def _audience_size(survey) -> int | None:
    if survey.is_public:
        return None
    if survey.audience == Survey.Audience.SUPPORTERS:
        from .. import supporters

        return supporters.audience(survey).count()
    return services.audience_members(survey).count()


@requires("voice.surveys.manage_surveys")
def question_new(request, pk):
    survey = _editable(request, pk)
    form = QuestionForm(request.POST or None, survey=survey)
    return form_page(
        request,
        form,
        save=lambda data: services.add_question(request.scope, survey, data, request=request),
        done=survey.get_absolute_url(),
        title=_("New question"),
        subtitle=survey.display_title,
        cancel=survey.get_absolute_url(),
        message=_("The question is added."),
        nav=NAV,
        template="surveys/question_form.html",
    )


@require_POST
@requires("voice.surveys.manage_surveys")
def question_delete(request, pk):
    question = get_object_or_404(
        Question.objects.filter(survey__in=perms.surveys(request.scope)), pk=pk
    )
    survey = _editable(request, question.survey_id)
    try:
        services.remove_question(request.scope, question, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The question is removed."))
    return redirect(survey)


@requires("voice.surveys.manage_surveys")
def invitees(request, pk):
    survey = _editable(request, pk)
    if survey.audience != Survey.Audience.NAMED:
        raise Http404
    current = "\n".join(survey.invitees.values_list("member__iin", flat=True))
    form = InviteesForm(request.POST or None, initial={"iins": current})
    return form_page(
        request,
        form,
        save=lambda data: services.set_invitees(
            request.scope, survey, data["iins"], request=request
        ),
        done=survey.get_absolute_url(),
        title=_("The named list"),
        subtitle=survey.display_title,
        cancel=survey.get_absolute_url(),
        message=_("The list is saved."),
        nav=NAV,
    )


@requires("voice.surveys.manage_surveys")
def preview(request, pk):
    """The answer form as a respondent sees it, in a phone-wide frame; nothing is sent."""
    survey = _survey(request, pk)
    questions = services.questions_of(survey)
    if survey.is_public:
        form = PublicAnswerForm(questions=questions)
    else:
        form = AnswerForm(
            questions=services.for_members(questions), identified=not survey.anonymous
        )
    return render(request, "surveys/preview.html", {"survey": survey, "form": form})


@require_POST
@requires("voice.surveys.manage_surveys")
def survey_status(request, pk):
    survey = _editable(request, pk)
    action = request.POST.get("action")
    try:
        if action == "open" and survey.status == Survey.Status.DRAFT:
            services.open_survey(request.scope, survey, request=request)
            messages.success(request, _("The survey is open for answers."))
        elif action == "close" and survey.status == Survey.Status.OPEN:
            services.close_survey(request.scope, survey, request=request)
            messages.success(request, _("The survey is closed."))
        else:
            messages.error(request, _("This cannot be done to the survey now."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(survey)


@require_POST
@requires("voice.surveys.manage_surveys")
def survey_send(request, pk):
    """Queue the invitations (or a reminder to those who have not answered) for the worker."""
    from ..tasks import send_survey_messages

    survey = _editable(request, pk)
    today = timezone.localdate()
    reminder = request.POST.get("action") == "remind"
    if survey.is_public or not survey.is_open_on(today):
        messages.error(request, _("Only an open survey of members can be sent."))
        return redirect(survey)
    send_survey_messages.enqueue(survey.pk, today.isoformat(), reminder)
    audit.record(
        request.user,
        "survey.reminders_queued" if reminder else "survey.invitations_queued",
        survey,
        branch=survey.branch,
        request=request,
    )
    messages.success(
        request,
        _("The reminders are on their way.")
        if reminder
        else _("The invitations are on their way."),
    )
    return redirect(survey)


@requires("voice.surveys.view_rates")
def rates(request, pk):
    survey = _survey(request, pk)
    scope = request.scope
    poo_id = perms.rate_poo(scope)
    district = None if poo_id else perms.result_district(scope, survey)
    rows = services.rates(survey, district_id=district, poo_id=poo_id)
    return render(
        request,
        "surveys/rates.html",
        {
            "survey": survey,
            "rows": rows,
            "top": max((r.answered for r in rows), default=0),
            "manage": perms.manage_surveys(scope),
        },
    )


@requires("voice.surveys.manage_surveys")
def results(request, pk):
    survey = _survey(request, pk)
    by = request.GET.get("by", "district")
    if by not in services.DIMENSIONS:
        by = "district"
    district = perms.result_district(request.scope, survey)
    data = services.results(survey, by=by, district_id=district)
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "r": data,
            "v": display.present(data),
            "by": by,
            "dimensions": [
                ("district", _("District")),
                ("age", _("Age group")),
                ("sex", _("Sex")),
            ],
            "topics": services.topic_counts(survey, district_id=district),
        },
    )


def _audit_identified(request, survey, what: str):
    if not survey.anonymous:
        audit.record(
            request.user,
            "survey.identified_answers_read",
            survey,
            branch=survey.branch,
            summary=what,
            request=request,
        )


@requires("voice.surveys.manage_surveys")
def topics(request, pk):
    """Free-text answers (50 a page) and the topics staff tag them with."""
    survey = _survey(request, pk)
    district = perms.result_district(request.scope, survey)
    topic_form = TopicForm(prefix="topic")
    if request.method == "POST":
        if request.POST.get("action") == "topic":
            topic_form = TopicForm(request.POST, prefix="topic")
            if topic_form.is_valid():
                try:
                    services.create_topic(
                        request.scope, survey, **topic_form.cleaned_data, request=request
                    )
                except ValidationError as exc:
                    apply_errors(topic_form, exc)
                else:
                    messages.success(request, _("The topic is added."))
                    return redirect(request.get_full_path())
        else:
            topic = SurveyTopic.objects.filter(survey=survey, pk=request.POST.get("topic")).first()
            ids = request.POST.getlist("answers")
            if topic is None or not ids:
                messages.error(request, _("Choose a topic and at least one answer."))
            else:
                try:
                    n = services.tag_answers(
                        request.scope,
                        topic,
                        ids,
                        untag=request.POST.get("action") == "untag",
                        request=request,
                    )
                except (ValidationError, ValueError):
                    messages.error(request, _("Some of the chosen answers are not this survey's."))
                else:
                    messages.success(request, _("%(count)s answers updated.") % {"count": n})
            return redirect(request.get_full_path())
    topic_id = request.GET.get("topic") or None
    if topic_id and not topic_id.isdigit():
        topic_id = None
    answers = services.text_answers(
        survey,
        topic_id=topic_id,
        untagged=request.GET.get("untagged") == "1",
        district_id=district,
    ).prefetch_related("topics")
    page = Paginator(answers, 50).get_page(request.GET.get("page"))
    _audit_identified(request, survey, "free-text answers")
    return render(
        request,
        "surveys/topics.html",
        {
            "survey": survey,
            "page": page,
            "topics": services.topic_counts(survey, district_id=district),
            "topic_form": topic_form,
            "current_topic": int(topic_id) if topic_id else None,
        },
    )


@requires("voice.surveys.manage_surveys")
def responses(request, pk):
    """An identified survey's answers with who gave them (25 a page); every read audited."""
    survey = _survey(request, pk)
    if survey.anonymous:
        raise Http404
    qs = services.identified_responses(request.scope, survey, request=request)
    page = Paginator(qs.prefetch_related("answers__option", "answers__question"), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "surveys/responses.html", {"survey": survey, "page": page})


@requires("voice.surveys.manage_surveys")
def export(request, pk, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    survey = _survey(request, pk)
    district = perms.result_district(request.scope, survey)
    questions = services.questions_of(survey)
    header = services.export_header(questions)
    rows = services.export_rows(survey, questions, district_id=district)
    audit.record(
        request.user,
        "survey.exported",
        survey,
        branch=survey.branch,
        data={"format": fmt},
        request=request,
    )
    filename = f"survey-{survey.pk}.{fmt}"
    if fmt == "csv":
        return csv_response(header, (cells(r, True) for r in rows), filename)
    return xlsx_response(survey.display_title, header, (cells(r, False) for r in rows), filename)


@requires("voice.surveys.manage_surveys")
def flyer(request, pk):
    survey = _survey(request, pk)
    pdf = documents.flyer_pdf(survey, services.survey_link(survey))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="survey-{survey.pk}-flyer.pdf"'
    return response
