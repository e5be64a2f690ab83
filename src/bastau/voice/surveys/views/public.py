"""The public pages of a survey, open to everyone through its link or QR code: the answer form
(with the public reception's protections: its honeypot and signed minimum fill time, its
rate limits per client address, its client-address rule behind proxies), the thank-you page,
the QR code and, if the branch chose to publish them, the results (aggregates only, no group
smaller than 5 people)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from bastau.core.forms import apply_errors
from bastau.reception import services as reception
from bastau.reception.views.public import HOUR, client_address, posts_per_hour

from .. import documents, services
from ..forms import AnswerForm, PublicAnswerForm
from ..models import Survey
from . import display


def answers_per_hour() -> int:
    from django.conf import settings

    return getattr(settings, "SURVEYS_PUBLIC_ANSWERS_PER_ADDRESS_PER_HOUR", 5)


def _survey(token) -> Survey:
    return get_object_or_404(
        Survey.objects.filter(audience=Survey.Audience.PUBLIC).exclude(status=Survey.Status.DRAFT),
        public_token=token,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def public_answer(request, token):
    survey = _survey(token)
    today = timezone.localdate()
    questions = services.questions_of(survey)
    template = "surveys/public.html"
    context = {"survey": survey, "open": survey.is_open_on(today)}
    if request.method != "POST" or not context["open"]:
        return render(request, template, {**context, "form": PublicAnswerForm(questions=questions)})
    form = PublicAnswerForm(request.POST, questions=questions)
    address = client_address(request)
    if reception.rate_limited("public-post", address, limit=posts_per_hour(), window_seconds=HOUR):
        return render(
            request,
            template,
            {
                **context,
                "form": form,
                "limited": _(
                    "Too many forms were sent from your connection. Try again in an hour."
                ),
            },
            status=429,
        )
    if form.is_valid():
        try:
            services.check_public_answer(survey, form.raw_answers(), today=today)
        except ValidationError as exc:  # a mistake to correct: not counted against the limit
            form.apply_service_errors(exc)
            return render(request, template, {**context, "form": form})
        if reception.rate_limited(
            f"survey-{survey.pk}", address, limit=answers_per_hour(), window_seconds=HOUR
        ):
            return render(
                request,
                template,
                {
                    **context,
                    "form": form,
                    "limited": _(
                        "Several answers came from your connection in a short time. Try "
                        "again later."
                    ),
                },
                status=429,
            )
        try:
            services.submit_public_answer(survey, form.raw_answers(), today=today)
        except ValidationError as exc:
            form.apply_service_errors(exc)
        else:
            return redirect("surveys:public_done", token)
    return render(request, template, {**context, "form": form})


@require_safe
def public_done(request, token):
    return render(request, "surveys/public_done.html", {"survey": _survey(token)})


@require_safe
def public_results(request, token):
    """Published results of any survey whose branch chose to publish them."""
    survey = get_object_or_404(
        Survey.objects.exclude(status=Survey.Status.DRAFT).filter(public_results=True),
        public_token=token,
    )
    by = request.GET.get("by", "district")
    if by not in services.DIMENSIONS:
        by = "district"
    data = services.results(survey, by=by, public=True)
    return render(
        request,
        "surveys/public_results.html",
        {
            "survey": survey,
            "r": data,
            "v": display.present(data),
            "by": by,
            "dimensions": [("district", _("District")), ("age", _("Age group")), ("sex", _("Sex"))],
        },
    )


@require_safe
def qr(request, token):
    survey = _survey(token)
    response = HttpResponse(
        documents.qr_svg(services.survey_link(survey)), content_type="image/svg+xml"
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def supporter_answer(request, token):
    """A supporter's personal link: the answer form, once; no account needed."""
    from .. import supporters

    invitation = supporters.invitation(token)
    if invitation is None:
        raise Http404
    survey = invitation.survey
    today = timezone.localdate()
    questions = services.for_members(services.questions_of(survey))
    form = AnswerForm(request.POST or None, questions=questions, identified=False)
    if request.method == "POST" and form.is_valid() and invitation.answered_on is None:
        try:
            supporters.submit(invitation, form.raw_answers(), today=today)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("surveys:public_done", survey.public_token)
    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "form": form,
            "open": survey.is_open_on(today),
            "answered": invitation.answered_on is not None,
            "personal_link": True,
        },
    )
