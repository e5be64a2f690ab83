"""The survey pages: building through the forms, answering as a member in Kazakh and
Russian, the public form with the reception's protections, results, export, flyer."""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from bastau.accounts.models import Role
from bastau.reception.forms import public as reception_forms
from bastau.voice.surveys.models import Answer, Participation, Question, Response, Survey

from ...factories import user as make_user
from ...factories.surveys import answer_data, build

pytestmark = pytest.mark.django_db


def _u(name, *args):
    return reverse(f"surveys:{name}", args=args)


def _post_data(w, **over):
    data = answer_data(w, **over)
    return {k: v for k, v in data.items() if v is not None}


def test_a_secretary_builds_a_survey_through_the_pages(client, world):
    w = build(world)
    client.force_login(w.secretary)
    today = timezone.localdate()
    response = client.post(
        _u("new"),
        {
            "title": "Ауыл жастары",
            "title_ru": "Сельская молодёжь",
            "branch": w.district.pk,
            "audience": "youth",
            "youth_age_limit": "35",
            "anonymous": "on",
            "opens_on": today.isoformat(),
            "closes_on": today.isoformat(),
        },
    )
    survey = Survey.objects.get(title="Ауыл жастары")
    assert response.status_code == 302 and response["Location"] == survey.get_absolute_url()
    response = client.post(
        _u("question_new", survey.pk),
        {
            "kind": "single",
            "text": "Не керек?",
            "text_ru": "Что нужно?",
            "options": "Жұмыс | Работа\nҮй | Жильё",
            "required": "on",
        },
    )
    assert response.status_code == 302
    first = Question.objects.get(survey=survey)
    assert [o.text_ru for o in first.options.all()] == ["Работа", "Жильё"]
    page = client.get(_u("question_new", survey.pk)).content.decode()
    assert f"{first.pk}:1" in page  # the condition offers the earlier question's options
    client.post(
        _u("question_new", survey.pk),
        {
            "kind": "text",
            "text": "Қандай жұмыс?",
            "text_ru": "Какая работа?",
            "show_if": f"{first.pk}:1",
        },
    )
    second = Question.objects.get(survey=survey, position=2)
    assert second.show_if_question == first and second.show_if_codes == ["1"]
    # A choice question without two options is refused in the user's language.
    response = client.post(
        _u("question_new", survey.pk),
        {"kind": "multiple", "text": "x", "text_ru": "x", "options": "Бір | Один"},
        HTTP_ACCEPT_LANGUAGE="kk",
    )
    assert response.status_code == 200 and "кемінде екі" in response.content.decode()
    assert Question.objects.filter(survey=survey).count() == 2
    preview = client.get(_u("preview", survey.pk)).content.decode()
    assert 'class="phone-frame"' in preview and f'data-show-if="q{first.pk}"' in preview
    client.post(_u("status", survey.pk), {"action": "open"})
    assert Survey.objects.get(pk=survey.pk).status == "open"


@pytest.mark.parametrize(
    ("language", "already", "malformed"),
    [
        ("kk", "Сіз бұл сауалнамаға жауап бердіңіз", "Бүтін сан енгізіңіз"),
        ("ru", "Вы уже ответили на этот опрос", "Введите целое число"),
    ],
)
def test_a_member_answers_in_kazakh_and_russian_once(client, world, language, already, malformed):
    w = build(world)
    client.force_login(w.member_user)
    mine = client.get(_u("mine"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert _u("answer", w.survey.pk) in mine
    page = client.get(_u("answer", w.survey.pk), HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200 and "data-survey" in page.content.decode()
    bad = client.post(
        _u("answer", w.survey.pk), _post_data(w, scale="бес"), HTTP_ACCEPT_LANGUAGE=language
    )
    assert bad.status_code == 200 and malformed in bad.content.decode()
    assert Response.objects.filter(survey=w.survey).count() == 0
    ok = client.post(_u("answer", w.survey.pk), _post_data(w), HTTP_ACCEPT_LANGUAGE=language)
    assert ok.status_code == 302
    again = client.post(
        _u("answer", w.survey.pk),
        _post_data(w, need="2", seeking=None),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert already in again.content.decode()
    assert Participation.objects.filter(survey=w.survey).count() == 1
    assert Response.objects.filter(survey=w.survey).count() == 1


def _public_post(client, w, *, seconds_ago=60, **extra):
    data = {
        "started": reception_forms.make_stamp(time.time() - seconds_ago),
        "website": "",
        w.p_district.key: str(w.district.pk),
        w.p_age.key: "18-24",
        w.p_sex.key: "M",
        w.p_need.key: "1",
        **extra,
    }
    return client.post(_u("public", w.public_survey.public_token), data, HTTP_ACCEPT_LANGUAGE="kk")


def test_the_public_form_has_the_appeal_forms_protections(client, world, settings):
    w = build(world)
    cache.clear()
    settings.SURVEYS_PUBLIC_ANSWERS_PER_ADDRESS_PER_HOUR = 2
    assert _public_post(client, w, website="http://spam").status_code == 200  # honeypot
    assert _public_post(client, w, seconds_ago=0).status_code == 200  # too fast
    assert Response.objects.filter(survey=w.public_survey).count() == 0
    assert _public_post(client, w).status_code == 302
    assert _public_post(client, w).status_code == 302
    limited = _public_post(client, w)
    assert limited.status_code == 429
    assert Response.objects.filter(survey=w.public_survey).count() == 2
    cache.clear()


@pytest.mark.parametrize(
    ("language", "message"),
    [("kk", "Ұсынылған нұсқалардың бірін таңдаңыз."), ("ru", "Выберите один из предложенных")],
)
def test_a_malformed_public_answer_is_explained_and_costs_no_answer_of_the_limit(
    client, world, settings, language, message
):
    w = build(world)
    cache.clear()
    settings.SURVEYS_PUBLIC_ANSWERS_PER_ADDRESS_PER_HOUR = 1
    client.cookies["bastau_language"] = language
    for _i in range(3):  # mistakes, corrected: none counts against the one answer allowed
        bad = _public_post(client, w, **{w.p_need.key: "7"})
        assert bad.status_code == 200 and message in bad.content.decode()
    assert Response.objects.filter(survey=w.public_survey).count() == 0
    assert _public_post(client, w).status_code == 302
    assert _public_post(client, w).status_code == 429
    assert Response.objects.filter(survey=w.public_survey).count() == 1
    cache.clear()


def test_a_district_secretary_exports_and_counts_topics_of_their_district_only(client, world):
    w = build(world)
    client.force_login(w.member_user)
    client.post(_u("answer", w.survey.pk), _post_data(w))
    young = w.other_member  # 20, the other district: also in the youth survey's audience
    client.force_login(make_user(Role.MEMBER, member=young))
    assert client.post(_u("answer", w.survey.pk), _post_data(w, text="Үй керек")).status_code == 302
    client.force_login(w.admin)
    answers = [
        str(pk) for pk in Answer.objects.filter(question=w.text).values_list("pk", flat=True)
    ]
    client.post(
        _u("topics", w.survey.pk), {"action": "tag", "topic": w.topic.pk, "answers": answers}
    )
    assert w.topic.answers.count() == 2
    assert "(2)" in client.get(_u("topics", w.survey.pk)).content.decode()
    client.force_login(w.secretary)
    csv = b"".join(client.get(_u("export", w.survey.pk, "csv")).streaming_content).decode()
    assert "Жұмыс керек" in csv and "Үй керек" not in csv
    assert len(csv.strip().splitlines()) == 2
    topics = client.get(_u("topics", w.survey.pk)).content.decode()
    assert "(1)" in topics and "(2)" not in topics and "Үй керек" not in topics


def test_results_export_flyer_and_qr(client, world):
    w = build(world)
    client.force_login(w.member_user)
    client.post(_u("answer", w.survey.pk), _post_data(w))
    client.force_login(w.secretary)
    page = client.get(_u("results", w.survey.pk)).content.decode()
    assert 'id="respondents-chart"' in page and w.district.display_name in page
    assert w.other_district.display_name not in page  # cut to the secretary's district
    csv = b"".join(client.get(_u("export", w.survey.pk, "csv")).streaming_content).decode()
    assert "Жұмыс керек" in csv and len(csv.strip().splitlines()) == 2
    xlsx = client.get(_u("export", w.survey.pk, "xlsx"))
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    assert client.get(_u("export", w.survey.pk, "exe")).status_code == 404
    flyer = client.get(_u("flyer", w.survey.pk))
    assert flyer.content[:5] == b"%PDF-"
    assert b"/Subtype /Image" in flyer.content  # the QR code of the survey's link
    qr = client.get(_u("qr", w.public_survey.public_token))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    public = client.get(_u("public_results", w.survey.public_token)).content.decode()
    assert "&lt;5" in public  # one answer: every count hidden


def test_staff_tag_free_text_answers_on_the_topics_page(client, world):
    w = build(world)
    client.force_login(w.member_user)
    client.post(_u("answer", w.survey.pk), _post_data(w))
    client.force_login(w.admin)
    page = client.get(_u("topics", w.survey.pk)).content.decode()
    assert "Жұмыс керек" in page
    answer_id = w.survey.responses.get().answers.get(question=w.text).pk
    response = client.post(
        _u("topics", w.survey.pk), {"action": "tag", "topic": w.topic.pk, "answers": [answer_id]}
    )
    assert response.status_code == 302
    assert list(w.topic.answers.values_list("pk", flat=True)) == [answer_id]
    tagged = client.get(_u("topics", w.survey.pk) + f"?topic={w.topic.pk}").content.decode()
    assert "Жұмыс керек" in tagged


def test_invitations_and_a_reminder_go_out_by_email_and_sms_from_the_send_button(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    from bastau.core import sms
    from bastau.members.models import Member

    w = build(world)
    Member.objects.filter(pk=w.member.pk).update(email="aigul@example.kz")
    link = _u("answer", w.survey.pk)
    client.force_login(w.admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_u("send", w.survey.pk), {"action": "send"}).status_code == 302
    assert [m.to for m in mailoutbox] == [["aigul@example.kz"]]
    assert link in mailoutbox[0].body and w.survey.title_ru in mailoutbox[0].subject
    assert len(sms.outbox) == 2 and all(link in m.text for m in sms.outbox)
    client.force_login(w.member_user)
    client.post(_u("answer", w.survey.pk), _post_data(w))
    mailoutbox.clear()
    sms.outbox.clear()
    client.force_login(w.admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_u("send", w.survey.pk), {"action": "remind"}).status_code == 302
    assert mailoutbox == [] and [m.to for m in sms.outbox] == [w.other_member.phone]
    assert Survey.objects.get(pk=w.survey.pk).reminded_on == timezone.localdate()


def test_every_page_read_of_an_identified_surveys_answers_is_audited(client, world):
    from bastau.core.models import AuditEvent

    w = build(world)
    client.force_login(w.member_user)
    data = {w.district_q.key: "25", w.district_text.key: "Жақсы", "consent": "on"}
    assert client.post(_u("answer", w.district_survey.pk), data).status_code == 302
    client.force_login(w.secretary)
    reads = AuditEvent.objects.filter(action="survey.identified_answers_read", actor=w.secretary)
    page = client.get(_u("responses", w.district_survey.pk)).content.decode()
    assert w.member.last_name in page and reads.count() == 1
    assert "Жақсы" in client.get(_u("topics", w.district_survey.pk)).content.decode()
    assert reads.count() == 2
    client.get(_u("topics", w.survey.pk))  # anonymous: no names to read, nothing recorded
    assert reads.count() == 2
