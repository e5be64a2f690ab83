"""The branch report's sentences, written from its figures in Kazakh and Russian.

Pure: no Django (the import contract keeps it so), so every sentence is tested with known
answers. Each function takes a section's facts (plain numbers, dates and names, see
`figures.py`) and a language, and returns whole sentences; the grammar of numbers comes from
`bastau.lib.numerals` (Russian agreement and case, Kazakh suffixes, points against percent),
never from gluing translated fragments in a template.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bastau.lib.numerals import (
    change_count,
    change_points,
    fmt,
    kk_number,
    kk_word,
    ru_count,
    ru_past,
    ru_with,
    times,
)


def _d(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _pct(value) -> str:
    return f"{fmt(Decimal(value))}%"


def members(facts: dict, lang: str) -> list[str]:
    total, women, youth = facts["total"], facts["women"], facts["youth"]
    day, age = facts["day"], facts["youth_age"]
    before, after = facts["before"], facts["after"]
    if lang == "ru":
        out = [
            f"На {_d(day)} в партии {ru_past(total, 'состоит', 'состоят')} "
            f"{ru_count(total, 'member')}, из них {ru_count(women, 'woman')} "
            f"({_pct(facts['women_share'])}) и {ru_count(youth, 'person')} моложе "
            f"{ru_count(age, 'year', 'gen')} "
            f"({_pct(facts['youth_share'])})."
        ]
        if before == after:
            out.append(f"С {_d(facts['start'])} число членов партии не изменилось ({fmt(after)}).")
        else:
            out.append(
                f"С {_d(facts['start'])} число членов партии "
                f"{change_count('ru', before, after)}: {ru_with(before)} {fmt(before)} "
                f"до {fmt(after)}."
            )
        for poo in facts.get("top_poos", [])[:1]:
            out.append(
                f"Больше всего выросла ППО «{poo['name_ru']}»: {ru_with(poo['before'])} "
                f"{fmt(poo['before'])} до {ru_count(poo['after'], 'member', 'gen')}."
            )
        return out
    out = [
        f"{_d(day)} жағдай бойынша партияда {fmt(total)} мүше бар, оның ішінде "
        f"{fmt(women)} әйел ({_pct(facts['women_share'])}) және {age} {kk_word('жас', 'dative')} "
        f"толмаған {fmt(youth)} адам ({_pct(facts['youth_share'])})."
    ]
    if before == after:
        out.append(
            f"Кезең басынан ({_d(facts['start'])}) бері партия мүшелерінің саны өзгерген жоқ "
            f"({fmt(after)})."
        )
    else:
        out.append(
            f"Кезең басынан ({_d(facts['start'])}) бері партия мүшелерінің саны "
            f"{kk_number(before, 'ablative')} {kk_number(after, 'dative')} дейін, яғни "
            f"{change_count('kk', before, after)}."
        )
    for poo in facts.get("top_poos", [])[:1]:
        out.append(
            f"Ең көп өскен БПҰ — «{poo['name']}»: мүшелері {kk_number(poo['before'], 'ablative')} "
            f"{kk_number(poo['after'], 'dative')} дейін көбейді."
        )
    return out


def review(facts: dict, lang: str) -> list[str]:
    """The review of members (партия мүшелерін сараптау / сверка членов партии)."""
    f = facts
    titles = ", ".join(f"«{r['title']}»" for r in f["reviews"])
    total, confirmed, changed = f["total"], f["confirmed"], f["changed"]
    other, unanswered = f["other"], f["unanswered"]
    if lang == "ru":
        out = [
            f"В ходе сверки членов партии ({titles}) {ru_past(total, 'проверен', 'проверено')} "
            f"{ru_count(total, 'member')}: подтверждено — {fmt(confirmed)}, изменены статус "
            f"или учёт — {fmt(changed)}, иной ответ — {fmt(other)}."
        ]
        if unanswered:
            out.append(f"Без ответа — {fmt(unanswered)}.")
        return out
    out = [
        f"Партия мүшелерін сараптау ({titles}) барысында {fmt(total)} мүше тексерілді: "
        f"{fmt(confirmed)} мүше расталды, {fmt(changed)} мүшенің мәртебесі немесе есебі өзгерді, "
        f"{fmt(other)} мүше бойынша өзге жауап берілді."
    ]
    if unanswered:
        out.append(f"{fmt(unanswered)} мүше бойынша жауап әлі жоқ.")
    return out


def admissions(facts: dict, lang: str) -> list[str]:
    admitted, cards, applied = facts["admitted"], facts["cards"], facts["applied"]
    if lang == "ru":
        return [
            f"{ru_past(applied, 'Подано', 'Подано')} {ru_count(applied, 'application')}; "
            f"{ru_past(admitted, 'принят', 'принято')} в партию {ru_count(admitted, 'person')}, "
            f"{ru_past(cards, 'выдан', 'выдано')} {ru_count(cards, 'card')}."
        ]
    return [
        f"Партияға кіруге {fmt(applied)} өтініш берілді; партияға {fmt(admitted)} адам "
        f"қабылданды, {fmt(cards)} партия билеті табысталды."
    ]


def primaries(facts: dict, lang: str) -> list[str]:
    out = []
    for c in facts["campaigns"]:
        n, v = c["candidates"], c["voters"]
        if lang == "ru":
            out.append(
                f"В отборе «{c['name']}» ({c['year']}) {ru_past(n, 'участвовал', 'участвовали')} "
                f"{ru_count(n, 'candidate')}, {ru_past(v, 'проголосовал', 'проголосовали')} "
                f"{ru_count(v, 'member')}."
            )
        else:
            out.append(
                f"«{c['name']}» іріктеуіне ({c['year']} ж.) {fmt(n)} кандидат қатысты, "
                f"{fmt(v)} партия мүшесі дауыс берді."
            )
    if not out:
        out.append(
            "Кезеңде ішкі партиялық іріктеу өткізілген жоқ."
            if lang == "kk"
            else "Внутрипартийных отборов в периоде не проводилось."
        )
    return out


def reception(facts: dict, lang: str) -> list[str]:
    reg, reg0 = facts["registered"], facts["registered_before"]
    share, share0 = facts["positive_share"], facts["positive_share_before"]
    s, s0, ratio = facts["sessions"], facts["sessions_before"], facts["sessions_ratio"]
    if lang == "ru":
        out = [
            f"{ru_past(reg, 'Зарегистрировано', 'Зарегистрировано')} {ru_count(reg, 'appeal')}; "
            f"по сравнению с предыдущим периодом их число {change_count('ru', reg0, reg)}.",
            f"Из {ru_count(facts['decided'], 'appeal', 'gen')}, рассмотренных по существу, "
            f"положительно решено {_pct(share)}; доля положительных решений "
            f"{change_points('ru', share0, share)} (было {_pct(share0)}).",
        ]
        if ratio is not None and ratio > 1:
            out.append(
                f"За последние два месяца {ru_past(s, 'проведён', 'проведено')} "
                f"{ru_count(s, 'reception')} граждан — {times('ru', ratio)} больше, чем за два "
                f"месяца до этого ({fmt(s0)})."
            )
        else:
            out.append(
                f"За последние два месяца {ru_past(s, 'проведён', 'проведено')} "
                f"{ru_count(s, 'reception')} граждан, за два месяца до этого — {fmt(s0)}."
            )
        return out
    out = [
        f"{fmt(reg)} өтініш тіркелді; алдыңғы кезеңмен салыстырғанда олардың саны "
        f"{change_count('kk', reg0, reg)}.",
        f"Мәні бойынша қаралған {fmt(facts['decided'])} өтініштің {_pct(share)}-ы оң шешілді; "
        f"оң шешімдердің үлесі {change_points('kk', share0, share)} (бұрын {_pct(share0)} еді).",
    ]
    if ratio is not None and ratio > 1:
        out.append(
            f"Соңғы екі айда азаматтардың {fmt(s)} қабылдауы өтті — алдыңғы екі айдан "
            f"{times('kk', ratio)} көп ({fmt(s0)})."
        )
    else:
        out.append(
            f"Соңғы екі айда азаматтардың {fmt(s)} қабылдауы өтті, алдыңғы екі айда — {fmt(s0)}."
        )
    return out


def oversight(facts: dict, lang: str) -> list[str]:
    n, age = facts["deputies"], facts["average_age"]
    held, ind, lag = facts["reports_held"], facts["indicators"], facts["lagging"]
    if lang == "ru":
        first = f"В реестре {ru_count(n, 'deputy')} маслихатов"
        first += f", средний возраст — {ru_count(age, 'year')}." if age is not None else "."
        return [
            first,
            f"За период {ru_past(held, 'заслушан', 'заслушано')} {ru_count(held, 'report')} "
            f"депутатов; по бюджету {facts['year']} года отслеживается "
            f"{ru_count(ind, 'indicator')}, из них {fmt(lag)} отстают от плана.",
        ]
    first = f"Тізілімде мәслихаттардың {fmt(n)} депутаты бар"
    first += f", орташа жасы — {fmt(age)}." if age is not None else "."
    return [
        first,
        f"Кезеңде депутаттардың {fmt(held)} есебі тыңдалды; {facts['year']} жылғы бюджеттің "
        f"{fmt(ind)} көрсеткіші бақыланады, оның {fmt(lag)} жоспардан қалып отыр.",
    ]


def activity(facts: dict, lang: str) -> list[str]:
    f = facts
    if lang == "ru":
        return [
            f"Проведено {ru_count(f['meetings'], 'meeting')}; "
            f"дано {ru_count(f['instructions'], 'instruction')}: "
            f"исполнено в срок — {fmt(f['on_time'])}, с опозданием — {fmt(f['late'])}, "
            f"просрочено — {fmt(f['overdue'])}, в работе — {fmt(f['open'])}.",
            f"{ru_past(f['projects_active'], 'Действует', 'Действуют')} "
            f"{ru_count(f['projects_active'], 'social_project')}; за период "
            f"{ru_past(f['projects_optimised'], 'оптимизирован', 'оптимизировано')} "
            f"{ru_count(f['projects_optimised'], 'project')}.",
            f"В конкурсах {ru_past(f['winners'], 'определён', 'определено')} "
            f"{ru_count(f['winners'], 'winner')}; {ru_past(f['awards'], 'вручена', 'вручено')} "
            f"{ru_count(f['awards'], 'award')}, в том числе {ru_count(f['thanks'], 'letter')}.",
            f"{ru_past(f['commissions'], 'Работает', 'Работают')} "
            f"{ru_count(f['commissions'], 'commission')}, проведено "
            f"{ru_count(f['commission_sessions'], 'session')}.",
        ]
    return [
        f"{fmt(f['meetings'])} жиналыс өтті; {fmt(f['instructions'])} тапсырма берілді: "
        f"мерзімінде орындалғаны — {fmt(f['on_time'])}, кешігіп орындалғаны — {fmt(f['late'])}, "
        f"мерзімі өткені — {fmt(f['overdue'])}, орындалуда — {fmt(f['open'])}.",
        f"{fmt(f['projects_active'])} әлеуметтік жоба жұмыс істейді; кезеңде "
        f"{fmt(f['projects_optimised'])} жоба оңтайландырылды.",
        f"Байқауларда {fmt(f['winners'])} жеңімпаз анықталды; {fmt(f['awards'])} марапат, оның "
        f"ішінде {fmt(f['thanks'])} Алғыс хат табысталды.",
        f"{fmt(f['commissions'])} комиссия жұмыс істейді, {fmt(f['commission_sessions'])} "
        "отырыс өтті.",
    ]


WRITERS = {
    "members": members,
    "review": review,
    "admissions": admissions,
    "primaries": primaries,
    "reception": reception,
    "oversight": oversight,
    "activity": activity,
}


def sentences(section_key: str, facts: dict, lang: str) -> list[str]:
    """The sentences of one section in "kk" or "ru" (any other language: Russian)."""
    return WRITERS[section_key](facts, "kk" if lang == "kk" else "ru")
