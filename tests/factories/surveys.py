"""Builders shared by the survey tests: the world's surveys (`build`) and answers."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.lib.dates import add_years
from bastau.members.models import Member
from bastau.voice.surveys import services as s
from bastau.voice.surveys.models import Survey


def _survey(scope, branch, audience, *, anonymous=True, public_results=False, **extra):
    today = timezone.localdate()
    return s.create_survey(
        scope,
        {
            "title": "Жастар сауалнамасы",
            "title_ru": "Молодёжный опрос",
            "intro": "",
            "intro_ru": "",
            "branch": branch,
            "poo": extra.get("poo"),
            "audience": audience,
            "youth_age_limit": 35,
            "anonymous": anonymous,
            "opens_on": today - dt.timedelta(days=3),
            "closes_on": today + dt.timedelta(days=10),
            "public_results": public_results,
        },
        today=today,
    )


def choice(scope, survey, kind, text, options=(), **extra):
    return s.add_question(
        scope,
        survey,
        {
            "kind": kind,
            "text": text,
            "text_ru": text + " (ru)",
            "options_list": list(options),
            "required": extra.pop("required", True),
            **extra,
        },
    )


def build(world):
    """The foundation's world plus: the region's youth survey (anonymous, open) with a
    single choice, a multiple choice, a scale, a question shown only to those who need jobs
    and a free text; the district's identified members survey (open); the other district's
    draft; the region's public survey with profile questions and published results. The
    member user is 25 and the second member 60, whatever the day the tests run."""
    w = world
    today = timezone.localdate()
    Member.objects.filter(pk=w.members[0].pk).update(
        birth_date=add_years(today, -25) - dt.timedelta(days=30)
    )
    Member.objects.filter(pk=w.members[1].pk).update(birth_date=add_years(today, -60))
    Member.objects.filter(pk=w.other_member.pk).update(birth_date=add_years(today, -20))
    admin, sec, other = Scope(w.admin), Scope(w.secretary), Scope(w.other_secretary)

    w.survey = _survey(admin, w.region, Survey.Audience.YOUTH, public_results=True)
    w.need = choice(
        admin, w.survey, "single", "Не қажет?", [("Жұмыс", "Работа"), ("Баспана", "Жильё")]
    )
    w.support = choice(
        admin,
        w.survey,
        "multiple",
        "Қандай қолдау?",
        [("Грант", "Грант"), ("Ипотека", "Ипотека"), ("Курстар", "Курсы")],
    )
    w.scale = choice(admin, w.survey, "scale", "Бағалаңыз", scale_min=1, scale_max=5)
    w.seeking = choice(
        admin,
        w.survey,
        "single",
        "Жұмыс іздейсіз бе?",
        [("Иә", "Да"), ("Жоқ", "Нет")],
        show_if=(w.need, "1"),
    )
    w.text = choice(admin, w.survey, "text", "Ұсыныс", required=False)
    s.open_survey(admin, w.survey)

    w.district_survey = _survey(sec, w.district, Survey.Audience.MEMBERS, anonymous=False)
    w.district_q = choice(sec, w.district_survey, "number", "Жасыңыз", number_min=14, number_max=99)
    w.district_text = choice(sec, w.district_survey, "text", "Пікір", required=False)
    s.open_survey(sec, w.district_survey)

    w.other_survey = _survey(other, w.other_district, Survey.Audience.MEMBERS)
    choice(other, w.other_survey, "single", "Иә/жоқ", [("Иә", "Да"), ("Жоқ", "Нет")])

    w.named_survey = _survey(sec, w.district, Survey.Audience.NAMED)

    w.public_survey = _survey(admin, w.region, Survey.Audience.PUBLIC, public_results=True)
    w.p_district = choice(admin, w.public_survey, "district", "Ауданыңыз")
    w.p_age = choice(admin, w.public_survey, "age_group", "Жасыңыз")
    w.p_sex = choice(admin, w.public_survey, "sex", "Жынысыңыз")
    w.p_need = choice(
        admin, w.public_survey, "single", "Не қажет?", [("Жұмыс", "Работа"), ("Баспана", "Жильё")]
    )
    s.open_survey(admin, w.public_survey)
    w.topic = s.create_topic(admin, w.survey, name="Жұмыс", name_ru="Работа")
    return w


def answer_data(w, need="1", support=("1", "3"), scale="4", seeking="1", text="Жұмыс керек"):
    data = {w.need.key: need, w.support.key: list(support), w.scale.key: scale, w.text.key: text}
    if seeking is not None:
        data[w.seeking.key] = seeking
    return data
