"""The report's sentences in Kazakh and Russian, with known answers (no database)."""

import datetime as dt
from decimal import Decimal

from bastau.reports import wording

NB = "\u00a0"

MEMBERS = {
    "day": dt.date(2026, 12, 5),
    "start": dt.date(2026, 1, 1),
    "total": 34012,
    "women": 17801,
    "women_share": Decimal("52.3"),
    "youth": 7142,
    "youth_share": Decimal("21.0"),
    "youth_age": 35,
    "before": 33890,
    "after": 34012,
    "top_poos": [
        {"name": "Мектеп №1", "name_ru": "Школа №1", "code": "x", "before": 118, "after": 124}
    ],
}


def test_members_in_russian():
    first, growth, poo = wording.sentences("members", MEMBERS, "ru")
    assert first == (
        f"На 05.12.2026 в партии состоят 34{NB}012 членов партии, из них 17{NB}801 женщина "
        f"(52,3%) и 7{NB}142 человека моложе 35 лет (21%)."
    )
    assert growth == (
        f"С 01.01.2026 число членов партии выросло на 122 (на 0,4%): с 33{NB}890 до 34{NB}012."
    )
    assert poo == "Больше всего выросла ППО «Школа №1»: со 118 до 124 членов партии."


def test_members_in_kazakh():
    first, growth, poo = wording.sentences("members", MEMBERS, "kk")
    assert first == (
        f"05.12.2026 жағдай бойынша партияда 34{NB}012 мүше бар, оның ішінде 17{NB}801 әйел "
        f"(52,3%) және 35 жасқа толмаған 7{NB}142 адам (21%)."
    )
    assert growth == (
        f"Кезең басынан (01.01.2026) бері партия мүшелерінің саны 33{NB}890-нан 34{NB}012-ге "
        f"дейін, яғни 122-ге (0,4%-ға) артты."
    )
    assert poo == "Ең көп өскен БПҰ — «Мектеп №1»: мүшелері 118-ден 124-ке дейін көбейді."


def test_one_member_and_no_change():
    facts = {
        **MEMBERS,
        "total": 21,
        "women": 1,
        "youth": 11,
        "before": 21,
        "after": 21,
        "youth_age": 21,
        "top_poos": [],
    }
    first, same = wording.sentences("members", facts, "ru")
    assert first.startswith("На 05.12.2026 в партии состоит 21 член партии, из них 1 женщина")
    assert "11 человек моложе 21 года" in first
    assert same == "С 01.01.2026 число членов партии не изменилось (21)."
    assert wording.sentences("members", facts, "kk")[1] == (
        "Кезең басынан (01.01.2026) бері партия мүшелерінің саны өзгерген жоқ (21)."
    )


RECEPTION = {
    "registered": 1250,
    "registered_before": 1100,
    "decided": 900,
    "positive": 414,
    "positive_share": Decimal("46.0"),
    "positive_share_before": Decimal("28.0"),
    "sessions": 12,
    "sessions_before": 4,
    "sessions_ratio": Decimal("3.0"),
}


def test_reception_in_both_languages():
    ru = wording.sentences("reception", RECEPTION, "ru")
    assert ru == [
        f"Зарегистрировано 1{NB}250 обращений; по сравнению с предыдущим периодом их число "
        "выросло на 150 (на 13,6%).",
        "Из 900 обращений, рассмотренных по существу, положительно решено 46%; доля "
        "положительных решений выросла на 18 процентных пунктов (было 28%).",
        "За последние два месяца проведено 12 приёмов граждан — в 3 раза больше, чем за два "
        "месяца до этого (4).",
    ]
    kk = wording.sentences("reception", RECEPTION, "kk")
    assert kk == [
        f"1{NB}250 өтініш тіркелді; алдыңғы кезеңмен салыстырғанда олардың саны 150-ге "
        "(13,6%-ға) артты.",
        "Мәні бойынша қаралған 900 өтініштің 46%-ы оң шешілді; оң шешімдердің үлесі 18 "
        "пайыздық тармаққа артты (бұрын 28% еді).",
        "Соңғы екі айда азаматтардың 12 қабылдауы өтті — алдыңғы екі айдан 3 есе көп (4).",
    ]


def test_reception_fewer_receptions_and_a_falling_share():
    facts = {
        **RECEPTION,
        "positive_share": Decimal("25.5"),
        "sessions": 1,
        "sessions_before": 4,
        "sessions_ratio": Decimal("0.3"),
        "decided": 21,
    }
    ru = wording.sentences("reception", facts, "ru")
    assert "Из 21 обращения, рассмотренных по существу" in ru[1]
    assert "снизилась на 2,5 процентного пункта (было 28%)" in ru[1]
    assert ru[2] == "За последние два месяца проведён 1 приём граждан, за два месяца до этого — 4."
    kk = wording.sentences("reception", facts, "kk")
    assert "2,5 пайыздық тармаққа кеміді" in kk[1]


def test_primaries_and_activity():
    facts = {
        "campaigns": [
            {
                "name": "Мұғалжар резерві",
                "year": 2019,
                "candidates": 73,
                "voters": 2000,
                "slug": "x",
            }
        ],
        "in_period": False,
    }
    assert wording.sentences("primaries", facts, "ru") == [
        f"В отборе «Мұғалжар резерві» (2019) участвовали 73 кандидата, проголосовали "
        f"2{NB}000 членов партии."
    ]
    assert wording.sentences("primaries", facts, "kk") == [
        f"«Мұғалжар резерві» іріктеуіне (2019 ж.) 73 кандидат қатысты, 2{NB}000 партия мүшесі "
        "дауыс берді."
    ]
    activity = {
        "meetings": 1,
        "instructions": 5,
        "on_time": 2,
        "late": 1,
        "overdue": 1,
        "open": 1,
        "projects_active": 6,
        "projects_optimised": 24,
        "winners": 8,
        "awards": 12,
        "thanks": 4,
        "commissions": 2,
        "commission_sessions": 3,
    }
    ru = wording.sentences("activity", activity, "ru")
    assert ru[0].startswith("Проведено 1 собрание; дано 5 поручений: исполнено в срок — 2")
    assert ru[1] == ("Действуют 6 социальных проектов; за период оптимизировано 24 проекта.")
    assert ru[2] == (
        "В конкурсах определено 8 победителей; вручено 12 наград, в том числе 4 "
        "благодарственных письма."
    )
    kk = wording.sentences("activity", activity, "kk")
    assert kk[1] == "6 әлеуметтік жоба жұмыс істейді; кезеңде 24 жоба оңтайландырылды."
    assert "8 жеңімпаз" in kk[2] and "4 Алғыс хат" in kk[2]


def test_review_in_both_languages():
    facts = {
        "reviews": [{"title": "Сараптау 2026"}],
        "total": 121,
        "confirmed": 101,
        "changed": 2,
        "other": 1,
        "unanswered": 17,
    }
    assert wording.sentences("review", facts, "ru") == [
        "В ходе сверки членов партии («Сараптау 2026») проверен 121 член партии: "
        "подтверждено — 101, изменены статус или учёт — 2, иной ответ — 1.",
        "Без ответа — 17.",
    ]
    assert wording.sentences("review", facts, "kk") == [
        "Партия мүшелерін сараптау («Сараптау 2026») барысында 121 мүше тексерілді: 101 мүше "
        "расталды, 2 мүшенің мәртебесі немесе есебі өзгерді, 1 мүше бойынша өзге жауап берілді.",
        "17 мүше бойынша жауап әлі жоқ.",
    ]
    done = {**facts, "total": 5, "confirmed": 5, "changed": 0, "other": 0, "unanswered": 0}
    assert wording.sentences("review", done, "ru") == [
        "В ходе сверки членов партии («Сараптау 2026») проверено 5 членов партии: "
        "подтверждено — 5, изменены статус или учёт — 0, иной ответ — 0."
    ]
