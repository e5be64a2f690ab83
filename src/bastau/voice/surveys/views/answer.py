"""A member's survey pages: the open surveys for them, and the answer form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from bastau.core.forms import apply_errors
from bastau.core.permissions import requires

from .. import services
from ..forms import AnswerForm
from ..models import Participation, Survey


@requires("voice.surveys.answer_surveys")
def mine(request):
    today = timezone.localdate()
    return render(
        request,
        "surveys/mine.html",
        {"surveys": services.open_for_member(request.user.member_id, today)},
    )


@requires("voice.surveys.answer_surveys")
def answer(request, pk):
    today = timezone.localdate()
    survey = get_object_or_404(Survey.objects.exclude(audience=Survey.Audience.PUBLIC), pk=pk)
    if not services.in_audience(survey, request.user.member_id):
        raise PermissionDenied
    answered = Participation.objects.filter(survey=survey, member_id=request.user.member_id)
    questions = services.for_members(services.questions_of(survey))
    form = AnswerForm(request.POST or None, questions=questions, identified=not survey.anonymous)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_member_answer(
                request.scope,
                survey,
                form.raw_answers(),
                today=today,
                consent=bool(form.cleaned_data.get("consent")),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Thank you: your answer is counted."))
            return redirect("surveys:mine")
    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "form": form,
            "open": survey.is_open_on(today),
            "answered": answered.exists(),
        },
    )
