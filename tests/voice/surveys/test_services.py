"""The surveys' actions: answering once, anonymity by schema, tallies kept in step, results,
rates, topics, distribution, export, and bad input that changes nothing."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.core import sms
from bastau.core.models import AuditEvent
from bastau.lib.dates import add_years
from bastau.voice.surveys import services as s
from bastau.voice.surveys.models import (
    Answer,
    Participation,
    Response,
    Survey,
    Tally,
)

from ...factories import member as make_member
from ...factories import user as make_user
from ...factories.surveys import _survey, answer_data, build, choice

pytestmark = pytest.mark.django_db


def _tally(survey):
    return sorted(Tally.objects.filter(survey=survey).values_list("slot", "count", "total"))


def _state(survey):
    return (
        Participation.objects.filter(survey=survey).count(),
        Response.objects.filter(survey=survey).count(),
        Answer.objects.filter(question__survey=survey).count(),
        _tally(survey),
        Survey.objects.get(pk=survey.pk).responses_count,
    )


def test_a_young_member_answers_once_and_a_second_answer_changes_nothing(world):
    w = build(world)
    today = timezone.localdate()
    me = Scope(w.member_user)
    s.submit_member_answer(me, w.survey, answer_data(w), today=today)
    before = _state(w.survey)
    assert before[:3] == (1, 1, 6)  # need, 2 supports, scale, seeking, text
    with pytest.raises(ValidationError) as exc:
        s.submit_member_answer(me, w.survey, answer_data(w, need="2", seeking=None), today=today)
    assert "already answered" in " ".join(exc.value.messages)
    assert _state(w.survey) == before


def test_anonymity_by_schema_and_by_data(world):
    w = build(world)
    s.submit_member_answer(
        Scope(w.member_user), w.survey, answer_data(w), today=timezone.localdate()
    )
    mark = Participation.objects.get(survey=w.survey)
    response = Response.objects.get(survey=w.survey)
    assert mark.member_id == w.member.pk and response.respondent_id is None
    # No time finer than the day on the mark; no time at all on responses and answers; no
    # key shared between who and what; random ids that reveal no order.
    for model in (Participation, Response, Answer):
        for f in model._meta.concrete_fields:
            assert not isinstance(f, models.DateTimeField), (model, f.name)
    assert not any(isinstance(f, models.DateField) for f in Answer._meta.concrete_fields)
    assert [f.name for f in Response._meta.concrete_fields if isinstance(f, models.DateField)] == [
        "consent_on"
    ]
    assert response.consent_on is None
    assert isinstance(Participation._meta.pk, models.UUIDField)
    assert isinstance(Response._meta.pk, models.UUIDField)
    assert isinstance(Answer._meta.pk, models.UUIDField)
    assert not any(f.related_model is Participation for f in Response._meta.get_fields())


def test_tallies_kept_on_submit_equal_a_recount(world):
    w = build(world)
    today = timezone.localdate()
    young = make_member(w.poo2, sex="M", birth_date=add_years(today, -19))
    other_user = make_user("member", member=young)
    s.submit_member_answer(Scope(w.member_user), w.survey, answer_data(w), today=today)
    s.submit_member_answer(
        Scope(other_user), w.survey, answer_data(w, need="2", seeking=None, text=""), today=today
    )
    kept = _tally(w.survey)
    s.rebuild_tally(w.survey)
    assert _tally(w.survey) == kept
    result = s.results(w.survey, by="age")
    need = result.questions[0]
    assert [r.total for r in need.rows] == [1, 1]
    ages = [c.key for c in result.columns]
    assert need.rows[0].cells[ages.index("25-29")] == 1
    assert need.rows[1].cells[ages.index("18-24")] == 1
    assert result.respondents.total == 2


def test_malformed_answers_get_messages_and_change_nothing(world):
    w = build(world)
    before = _state(w.survey)
    bad = answer_data(w, need="9", support=("1", "x"), scale="seven")
    with pytest.raises(ValidationError) as exc:
        s.submit_member_answer(Scope(w.member_user), w.survey, bad, today=timezone.localdate())
    errors = exc.value.message_dict
    assert set(errors) == {w.need.key, w.support.key, w.scale.key}
    assert "whole number" in errors[w.scale.key][0]
    assert _state(w.survey) == before


def test_only_the_audience_answers(world):
    w = build(world)
    today = timezone.localdate()
    old = make_user("member", member=w.members[1])  # 60 years old: not youth
    with pytest.raises(PermissionDenied):
        s.submit_member_answer(Scope(old), w.survey, answer_data(w), today=today)
    with pytest.raises(PermissionDenied):
        s.submit_member_answer(Scope(w.secretary), w.survey, answer_data(w), today=today)
    assert [x.pk for x in s.open_for_member(w.member.pk, today)] == [
        w.district_survey.pk,
        w.survey.pk,
    ] or {x.pk for x in s.open_for_member(w.member.pk, today)} == {
        w.survey.pk,
        w.district_survey.pk,
    }
    assert Participation.objects.count() == 0


def test_identified_survey_needs_consent_and_reads_are_audited(world):
    w = build(world)
    today = timezone.localdate()
    data = {w.district_q.key: "25", w.district_text.key: "Жақсы"}
    with pytest.raises(ValidationError) as exc:
        s.submit_member_answer(Scope(w.member_user), w.district_survey, data, today=today)
    assert "consent" in exc.value.message_dict
    assert Response.objects.filter(survey=w.district_survey).count() == 0
    s.submit_member_answer(Scope(w.member_user), w.district_survey, data, today=today, consent=True)
    response = Response.objects.get(survey=w.district_survey)
    assert response.respondent_id == w.member.pk and response.consent_on == today
    rows = list(s.identified_responses(Scope(w.secretary), w.district_survey))
    assert rows == [response]
    assert AuditEvent.objects.filter(
        action="survey.identified_answers_read", actor=w.secretary
    ).exists()
    with pytest.raises(PermissionDenied):
        s.identified_responses(Scope(w.secretary), w.survey)  # anonymous: no names to read
    result = s.results(w.district_survey, by="district")
    assert result.questions[0].mean == "25.0"


def test_public_answers_take_their_profile_from_the_questions(world):
    w = build(world)
    today = timezone.localdate()
    data = {
        w.p_district.key: str(w.district.pk),
        w.p_age.key: "18-24",
        w.p_sex.key: "F",
        w.p_need.key: "2",
    }
    for _i in range(6):
        s.submit_public_answer(w.public_survey, data, today=today)
    s.submit_public_answer(w.public_survey, {**data, w.p_need.key: "1"}, today=today)
    response = Response.objects.filter(survey=w.public_survey).first()
    assert (response.district_id, response.age_group, response.sex) == (w.district.pk, "18-24", "F")
    by_district = s.respondents_by_district(w.public_survey)
    assert by_district == {w.district.pk: 7}
    public = s.results(w.public_survey, by="district", public=True)
    need = public.questions[3]
    assert need.rows[1].total == 6 and need.rows[0].shown_total is None
    assert need.rows[1].shown_total is None  # 7 respondents - 6 would give the hidden 1
    column = [c.key for c in public.columns].index(w.district.pk)
    assert need.rows[0].shown_cells[column] is None
    assert need.rows[1].shown_cells[column] is None  # the only other count: hidden too
    with pytest.raises(ValidationError):
        s.submit_public_answer(w.survey, data, today=today)  # not a public survey
    with pytest.raises(ValidationError):
        s.submit_public_answer(w.public_survey, {**data, w.p_sex.key: "X"}, today=today)
    assert Response.objects.filter(survey=w.public_survey).count() == 7


def test_rates_by_district_and_for_a_poo_leader(world):
    w = build(world)
    today = timezone.localdate()
    s.submit_member_answer(Scope(w.member_user), w.survey, answer_data(w), today=today)
    rows = {r.label: (r.invited, r.answered, r.percent) for r in s.rates(w.survey)}
    assert rows[w.district.display_name] == (1, 1, 100)
    assert rows[w.other_district.display_name] == (1, 0, 0)
    assert [(r.invited, r.answered) for r in s.rates(w.survey, poo_id=w.poo.pk)] == [(1, 1)]
    only = s.rates(w.survey, district_id=w.other_district.pk)
    assert [(r.invited, r.answered) for r in only] == [(1, 0)]


def test_results_of_a_region_survey_cut_to_a_district(world):
    w = build(world)
    today = timezone.localdate()
    s.submit_member_answer(Scope(w.member_user), w.survey, answer_data(w), today=today)
    mine = s.results(w.survey, by="district", district_id=w.district.pk)
    theirs = s.results(w.survey, by="district", district_id=w.other_district.pk)
    assert mine.respondents.total == 1 and theirs.respondents.total == 0
    assert [c.key for c in mine.columns] == [w.district.pk]


def test_topics_tag_free_text_answers(world):
    w = build(world)
    s.submit_member_answer(
        Scope(w.member_user), w.survey, answer_data(w), today=timezone.localdate()
    )
    answer = s.text_answers(w.survey).get()
    assert s.tag_answers(Scope(w.admin), w.topic, [answer.pk]) == 1
    assert list(w.topic.answers.all()) == [answer]
    assert s.topic_counts(w.survey)[0].n == 1
    with pytest.raises(PermissionDenied):
        s.tag_answers(Scope(w.leader), w.topic, [answer.pk])
    with pytest.raises(ValidationError):
        s.tag_answers(Scope(w.other_secretary), w.topic, [answer.pk])  # not their district's
    with pytest.raises(ValidationError):
        s.create_topic(Scope(w.admin), w.survey, name="Жұмыс", name_ru="x")
    s.tag_answers(Scope(w.admin), w.topic, [answer.pk], untag=True)
    assert w.topic.answers.count() == 0


def test_invitations_and_reminders_by_email_and_sms(world):
    w = build(world)
    today = timezone.localdate()
    sms.outbox.clear()
    sent = s.send_messages(w.survey.pk, today)
    assert sent.recipients == 2 and sent.sms == 2  # the two young members, with phones
    assert any(s.survey_link(w.survey) in m.text for m in sms.outbox)
    s.submit_member_answer(Scope(w.member_user), w.survey, answer_data(w), today=today)
    sms.outbox.clear()
    reminded = s.send_messages(w.survey.pk, today, reminder=True)
    assert reminded.recipients == 1 and [m.to for m in sms.outbox] == [w.other_member.phone]
    survey = Survey.objects.get(pk=w.survey.pk)
    assert survey.sent_on == today and survey.reminded_on == today
    assert s.send_messages(w.other_survey.pk, today).recipients == 0  # a draft sends nothing
    assert len(mail.outbox) == 0  # the world's members have no email


def test_building_checks_the_questionnaire(world):
    w = build(world)
    admin = Scope(w.admin)
    with pytest.raises(ValidationError):
        choice(admin, w.survey, "text", "Кеш")  # open: no more changes
    with pytest.raises(ValidationError):
        choice(Scope(w.other_secretary), w.other_survey, "single", "Бір ғана", [("a", "a")])
    with pytest.raises(PermissionDenied):
        choice(Scope(w.secretary), w.other_survey, "text", "Бөгде")
    with pytest.raises(ValidationError):
        s.parse_options("Жалғыз")
    assert s.parse_options("Иә | Да\n\nЖоқ|Нет") == [("Иә", "Да"), ("Жоқ", "Нет")]
    with pytest.raises(ValidationError):
        s.open_survey(
            Scope(w.other_secretary),
            s.create_survey(
                Scope(w.other_secretary),
                {
                    "title": "Бос",
                    "title_ru": "Пустой",
                    "branch": w.other_district,
                    "audience": "members",
                    "opens_on": timezone.localdate(),
                    "closes_on": timezone.localdate(),
                },
                today=timezone.localdate(),
            ),
        )


def test_export_rows_one_per_response(world):
    w = build(world)
    s.submit_member_answer(
        Scope(w.member_user), w.survey, answer_data(w), today=timezone.localdate()
    )
    questions = s.questions_of(w.survey)
    rows = list(s.export_rows(w.survey, questions))
    assert len(rows) == 1
    assert rows[0][1:4] == [w.district.name, "25-29", "F"]
    assert rows[0][4:] == ["1", "1;3", "4", "1", "Жұмыс керек"]


def test_a_scope_survey_takes_only_its_districts_or_its_poos_members(world):
    w = build(world)
    today = timezone.localdate()
    sec = Scope(w.secretary)
    district = {m.pk for m in s.audience_members(w.district_survey)}
    assert district == {m.pk for m in w.members}  # both POOs of the district, no one else
    poo2_survey = _survey(sec, w.district, Survey.Audience.MEMBERS, poo=w.poo2)
    assert [m.pk for m in s.audience_members(poo2_survey)] == [w.members[2].pk]
    region = {m.pk for m in s.audience_members(_survey(Scope(w.admin), w.region, "members"))}
    assert region == {m.pk for m in w.members} | {w.other_member.pk}
    outsider = make_user("member", member=w.other_member)
    data = {w.district_q.key: "30"}
    with pytest.raises(PermissionDenied):
        s.submit_member_answer(Scope(outsider), w.district_survey, data, today=today)
    assert w.district_survey.pk not in {x.pk for x in s.open_for_member(w.other_member.pk, today)}
    assert Participation.objects.filter(survey=w.district_survey).count() == 0


def test_a_named_list_survey_is_for_the_listed_members_only(world):
    w = build(world)
    today = timezone.localdate()
    sec = Scope(w.secretary)
    survey = w.named_survey
    with pytest.raises(ValidationError) as exc:  # not in the secretary's scope
        s.set_invitees(sec, survey, [w.members[0].iin, w.other_member.iin])
    assert w.other_member.iin in " ".join(exc.value.messages)
    assert survey.invitees.count() == 0
    assert s.set_invitees(sec, survey, [w.members[0].iin, w.members[2].iin]) == 2
    assert {m.pk for m in s.audience_members(survey)} == {w.members[0].pk, w.members[2].pk}
    choice(sec, survey, "single", "Келесіз бе?", [("Иә", "Да"), ("Жоқ", "Нет")])
    s.open_survey(sec, survey)
    q = survey.questions.get()
    s.submit_member_answer(Scope(w.member_user), survey, {q.key: "1"}, today=today)
    not_listed = make_user("member", member=w.members[1])
    with pytest.raises(PermissionDenied):
        s.submit_member_answer(Scope(not_listed), survey, {q.key: "1"}, today=today)
    assert Response.objects.filter(survey=survey).count() == 1


def test_topic_counts_are_cut_to_a_district(world):
    w = build(world)
    today = timezone.localdate()
    young = make_user("member", member=w.other_member)  # 20, the other district
    s.submit_member_answer(Scope(w.member_user), w.survey, answer_data(w), today=today)
    s.submit_member_answer(Scope(young), w.survey, answer_data(w, text="Үй керек"), today=today)
    s.tag_answers(
        Scope(w.admin), w.topic, list(s.text_answers(w.survey).values_list("pk", flat=True))
    )
    assert s.topic_counts(w.survey)[0].n == 2
    assert s.topic_counts(w.survey, district_id=w.district.pk)[0].n == 1
    assert s.topic_counts(w.survey, district_id=w.other_district.pk)[0].n == 1
