"""Supporters (voice.people's registry) as a survey's audience: each is invited with a
personal link, answers once, and their answer is stored apart from the invitation, as a
member's anonymous answer is apart from their participation mark.

Only supporters whose consent is in force are invited (`people.services.invitable_supporters`);
a supporter who withdraws their consent loses their invitation's link at once (the answer form
checks the consent again), and their earlier answer, which names no one, stays counted.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from bastau.voice.people import services as people

from . import rules, services
from .models import Response, SupporterInvite, Survey


def audience(survey: Survey):
    """The supporters a supporters' survey is for."""
    if survey.audience != Survey.Audience.SUPPORTERS:
        return people.invitable_supporters(None).none()
    return people.invitable_supporters(survey.poo or survey.branch)


def invite(survey: Survey, today: dt.date) -> int:
    """An invitation (with its link) for every supporter of the audience not yet invited."""
    have = SupporterInvite.objects.filter(survey=survey).values("supporter_id")
    new = [
        SupporterInvite(survey=survey, supporter_id=pk, invited_on=today)
        for pk in audience(survey).exclude(pk__in=have).values_list("pk", flat=True)
    ]
    SupporterInvite.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    return len(new)


def link(invitation: SupporterInvite) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("surveys:supporter", args=[invitation.token])


def recipients(survey: Survey, *, reminder: bool):
    """(email, phone, personal link) of each invited supporter whose consent is in force."""
    invites = SupporterInvite.objects.filter(survey=survey, supporter__in=audience(survey)).filter(
        ~Q(supporter__email="") | ~Q(supporter__phone="")
    )
    if reminder:
        invites = invites.filter(answered_on__isnull=True)
    for invitation in invites.select_related("supporter").iterator(chunk_size=2000):
        yield invitation.supporter.email, invitation.supporter.phone, link(invitation)


def invitation(token: str) -> SupporterInvite | None:
    """The invitation of a link, only while the supporter's consent is in force."""
    found = (
        SupporterInvite.objects.filter(token=token).select_related("survey", "supporter").first()
    )
    if found is None or not audience(found.survey).filter(pk=found.supporter_id).exists():
        return None
    return found


def submit(invitation: SupporterInvite, raw: dict, *, today: dt.date) -> Response:
    """The supporter's answer: checked by the same rules; the invitation is marked answered
    (the day only) in the same transaction, and a second answer changes nothing."""
    survey = invitation.survey
    if not survey.is_open_on(today):
        raise ValidationError(_("This survey is not open for answers."))
    questions = services.for_members(services.questions_of(survey))
    checked = rules.check(services.specs(survey, questions), raw)
    if not checked.ok:
        raise services._problems_error(checked.problems)
    supporter = invitation.supporter
    profile = services._Profile(
        district_id=supporter.branch_id,
        age_group=rules.age_group_of(supporter.birth_date, survey.opens_on),
        sex=supporter.sex or "",
    )
    with transaction.atomic():
        marked = SupporterInvite.objects.filter(pk=invitation.pk, answered_on__isnull=True).update(
            answered_on=today
        )
        if not marked:
            raise ValidationError(
                _("You have already answered this survey. Thank you!"), code="already_answered"
            )
        return services._write(
            survey, questions, checked.answers, profile, Response.Channel.SUPPORTER
        )


def rates(survey: Survey, branches) -> dict:
    """Invited and answered supporters by district: {branch id: (invited, answered)}."""
    rows = (
        SupporterInvite.objects.filter(survey=survey, supporter__branch__in=branches)
        .values_list("supporter__branch_id")
        .annotate(n=Count("pk"), answered=Count("pk", filter=Q(answered_on__isnull=False)))
        .order_by()
    )
    return {branch: (n, answered) for branch, n, answered in rows}
