"""Demo step: the regional youth-needs survey for the «Жастар — Отанға!» programme.

An anonymous survey of the region's young members (younger than 35 on its opening day),
open from three weeks before the demo's today to three weeks after it, with about 3,000
answers from young members of all 13 districts (fewer in a smaller demo). What people need
differs by place and age as one would expect: jobs first in the districts, housing in
Aktobe, education and leisure among the youngest. About a third wrote a proposal in their own
words; most of those are tagged into four topics. The demo member (a young woman) has not
answered yet, so she finds the survey open on her "My surveys" page.

Rows are written with bulk_create (participation marks, responses and answers share no key,
as `surveys.models` requires), and the tallies are then counted once from the answers by the
same `services.rebuild_tally` the product uses.
"""

from __future__ import annotations

import datetime as dt

from bastau.voice.surveys import rules
from bastau.voice.surveys import services as survey_services
from bastau.voice.surveys.models import (
    Answer,
    Option,
    Participation,
    Question,
    Response,
    Survey,
    SurveyTopic,
)

from . import DemoContext, Step

TITLE = "«Жастар — Отанға!»: жастардың қажеттіліктері"
TITLE_RU = "«Жастар — Отанға!»: потребности молодёжи"
ANSWERS = 3000

NEEDS = [
    ("jobs", "Жұмыс орындары", "Рабочие места"),
    ("housing", "Баспана", "Жильё"),
    ("education", "Білім және кәсіп", "Образование и профессия"),
    ("leisure", "Бос уақыт және спорт", "Досуг и спорт"),
    ("health", "Денсаулық", "Здоровье"),
    ("internet", "Интернет және байланыс", "Интернет и связь"),
]
SUPPORT = [
    ("grants", "Бизнеске грант", "Гранты на бизнес"),
    ("mortgage", "Жеңілдетілген ипотека", "Льготная ипотека"),
    ("courses", "Тегін курстар", "Бесплатные курсы"),
    ("sport", "Спорт алаңдары", "Спортивные площадки"),
    ("career", "Мансаптық кеңес", "Карьерные консультации"),
]
#: Topic (kk, ru) and the proposals people wrote on it.
TOPICS = [
    (
        "Жастарға жұмыс орындары",
        "Рабочие места для молодёжи",
        "jobs",
        [
            "Ауылда жастарға жұмыс жоқ, кәсіпорын ашу керек",
            "Колледж бітірген жастарды жұмысқа алатын бағдарлама керек",
            "Нужны рабочие места для молодёжи в районе",
            "Жазғы уақытша жұмыс студенттерге",
            "Молодых специалистов не берут без опыта",
        ],
    ),
    (
        "Жастарға баспана",
        "Жильё для молодёжи",
        "housing",
        [
            "Жас отбасыларға жалдамалы үй керек",
            "Ипотека пайызы тым жоғары",
            "Арендное жильё для молодых семей",
            "Жатақхана жетіспейді",
            "Очередь на жильё слишком длинная",
        ],
    ),
    (
        "Спорт және демалыс",
        "Спорт и досуг",
        "leisure",
        [
            "Ауылда спорт залы жоқ",
            "Жастар орталығында үйірмелер ашу керек",
            "Нужен бесплатный спортзал",
            "Кешкі уақытта баратын жер жоқ",
        ],
    ),
    (
        "Интернет және байланыс",
        "Интернет и связь",
        "internet",
        [
            "Ауылда интернет нашар",
            "Мобильді байланыс үзіліп қалады",
            "Плохой интернет мешает учиться онлайн",
        ],
    ),
]
CITY = "aktobe-city"


def _survey() -> Survey | None:
    return Survey.objects.filter(title=TITLE).first()


def _add_question(survey, position, kind, text, text_ru, options=(), **extra) -> Question:
    q = Question.objects.create(
        survey=survey, position=position, kind=kind, text=text, text_ru=text_ru, **extra
    )
    Option.objects.bulk_create(
        Option(question=q, code=code, position=i, text=kk, text_ru=ru)
        for i, (code, kk, ru) in enumerate(options, 1)
    )
    return q


def _need_weights(district_code: str, age_group: str) -> list[int]:
    # jobs, housing, education, leisure, health, internet
    weights = [34, 18, 14, 16, 8, 10] if district_code != CITY else [22, 36, 16, 14, 8, 4]
    if age_group in ("14-17", "18-24"):
        weights[2] += 16
        weights[3] += 10
        weights[1] -= 8
    elif age_group == "30-34":
        weights[1] += 10
        weights[3] -= 6
    return [max(w, 1) for w in weights]


def seed(ctx: DemoContext) -> None:
    today = ctx.today
    rng = ctx.rng("voice-surveys")
    region = ctx.region()
    admin = ctx.user("admin")
    demo_member_id = ctx.user("member").member_id
    survey = Survey.objects.create(
        title=TITLE,
        title_ru=TITLE_RU,
        intro=(
            "Облыстың жастары, «Jas Otan» съезі қабылдайтын «Жастар — Отанға!» бағдарламасы "
            "үшін сіздерге не қажет екенін айтыңыздар. Сауалнама жасырын."
        ),
        intro_ru=(
            "Молодёжь области, расскажите, что вам нужно, для программы «Жастар — Отанға!», "
            "которую примет съезд «Jas Otan». Опрос анонимный."
        ),
        branch=region,
        audience=Survey.Audience.YOUTH,
        youth_age_limit=35,
        anonymous=True,
        status=Survey.Status.OPEN,
        opens_on=today - dt.timedelta(days=21),
        closes_on=today + dt.timedelta(days=21),
        public_results=True,
        created_by=admin,
        created_on=today - dt.timedelta(days=25),
        sent_on=today - dt.timedelta(days=21),
        reminded_on=today - dt.timedelta(days=7),
    )
    need = _add_question(
        survey,
        1,
        rules.SINGLE,
        "Сізге ең алдымен не қажет?",
        "Что вам нужнее всего?",
        NEEDS,
    )
    support = _add_question(
        survey,
        2,
        rules.MULTIPLE,
        "Мемлекет пен партиядан қандай қолдау күтесіз?",
        "Какой поддержки вы ждёте от государства и партии?",
        SUPPORT,
    )
    scale = _add_question(
        survey,
        3,
        rules.SCALE,
        "Жеріңіздегі жастар саясатын 1-ден 5-ке дейін бағалаңыз",
        "Оцените молодёжную политику в вашем районе от 1 до 5",
        scale_min=1,
        scale_max=5,
    )
    seeking = _add_question(
        survey,
        4,
        rules.SINGLE,
        "Қазір жұмыс іздеп жүрсіз бе?",
        "Вы сейчас ищете работу?",
        [("yes", "Иә", "Да"), ("no", "Жоқ", "Нет")],
        show_if_question=need,
        show_if_codes=["jobs"],
    )
    text = _add_question(
        survey,
        5,
        rules.TEXT,
        "Өз ұсынысыңызды жазыңыз",
        "Напишите ваше предложение",
        required=False,
    )
    options = {q.pk: {o.code: o.pk for o in q.options.all()} for q in (need, support, seeking)}

    young = list(
        survey_services.audience_members(survey)
        .exclude(pk=demo_member_id)
        .values_list("pk", "poo_id", "poo__branch_id", "poo__branch__code", "birth_date", "sex")
        .order_by("pk")
    )
    by_district: dict[int, list] = {}
    for row in young:
        by_district.setdefault(row[2], []).append(row)
    target = min(round(ANSWERS * max(ctx.scale, 0.1)), len(young))
    # Every district answers: a share of each district's young members, the same share
    # everywhere but for a little noise, so response rates differ a little.
    share = target / max(len(young), 1)
    chosen = []
    for rows in by_district.values():
        rng.shuffle(rows)
        k = min(len(rows), max(1, round(len(rows) * share * rng.uniform(0.8, 1.2))))
        chosen.extend(rows[:k])
    chosen = chosen[:target] if len(chosen) > target else chosen

    participations, responses, answers = [], [], []
    topic_answers: dict[int, list[Answer]] = {i: [] for i in range(len(TOPICS))}
    need_codes = [code for code, _kk, _ru in NEEDS]
    support_codes = [code for code, _kk, _ru in SUPPORT]
    for pk, poo_id, district_id, district_code, birth_date, sex in chosen:
        answered_on = survey.opens_on + dt.timedelta(days=min(rng.randrange(0, 21), 20))
        participations.append(
            Participation(
                survey=survey,
                member_id=pk,
                district_id=district_id,
                poo_id=poo_id,
                answered_on=min(answered_on, today),
            )
        )
        age_group = rules.age_group_of(birth_date, survey.opens_on)
        response = Response(
            survey=survey,
            channel=Response.Channel.MEMBER,
            district_id=district_id,
            age_group=age_group,
            sex=sex,
        )
        responses.append(response)
        first = rng.choices(need_codes, weights=_need_weights(district_code, age_group))[0]
        answers.append(Answer(response=response, question=need, option_id=options[need.pk][first]))
        wanted = {
            "jobs": ["grants", "career"],
            "housing": ["mortgage"],
            "education": ["courses"],
            "leisure": ["sport"],
        }.get(first, [])
        picked = set(wanted[: rng.randint(0, len(wanted))]) | set(
            rng.sample(support_codes, rng.randint(1, 2))
        )
        for code in sorted(picked):
            answers.append(
                Answer(response=response, question=support, option_id=options[support.pk][code])
            )
        score = rng.choices([1, 2, 3, 4, 5], weights=[8, 18, 34, 28, 12])[0]
        answers.append(Answer(response=response, question=scale, number=score))
        if first == "jobs":
            code = rng.choices(["yes", "no"], weights=[60, 40])[0]
            answers.append(
                Answer(response=response, question=seeking, option_id=options[seeking.pk][code])
            )
        if rng.random() < 0.3:
            index = next((i for i, t in enumerate(TOPICS) if t[2] == first), None)
            if index is None:
                index = rng.randrange(len(TOPICS))
            phrase = rng.choice(TOPICS[index][3])
            answer = Answer(response=response, question=text, text=phrase)
            answers.append(answer)
            if rng.random() < 0.7:
                topic_answers[index].append(answer)
    Participation.objects.bulk_create(participations, batch_size=2000)
    Response.objects.bulk_create(responses, batch_size=2000)
    Answer.objects.bulk_create(answers, batch_size=5000)
    through = SurveyTopic.answers.through
    links = []
    for i, (name, name_ru, _need, _phrases) in enumerate(TOPICS):
        topic = SurveyTopic.objects.create(survey=survey, name=name, name_ru=name_ru)
        links.extend(through(surveytopic_id=topic.pk, answer_id=a.pk) for a in topic_answers[i])
    through.objects.bulk_create(links, batch_size=5000)
    survey_services.rebuild_tally(survey)
    ctx.log(f"  youth survey: {len(responses):,} answers, {len(links):,} tagged proposals")


def is_done(ctx: DemoContext) -> bool:
    return _survey() is not None


def reset(ctx: DemoContext) -> None:
    survey = _survey()
    if survey is None:
        return
    Participation.objects.filter(survey=survey).delete()
    Answer.objects.filter(question__survey=survey).delete()
    Response.objects.filter(survey=survey).delete()
    survey.delete()


def summary(ctx: DemoContext) -> list[str]:
    survey = _survey()
    if survey is None:
        return []
    result = survey_services.results(survey, by="age")
    first = result.questions[0]
    top = rules.top([(r.label, r.total) for r in first.rows], 3)
    needs = ", ".join(f"{label} {n:,}" for label, n in top)
    return [f"Youth-needs survey: {survey.responses_count:,} answers; top needs: {needs}"]


STEP = Step(name="youth survey", seed=seed, is_done=is_done, reset=reset, summary=summary)
