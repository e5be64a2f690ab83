"""Numbers in Kazakh and Russian sentences: grouping, Russian plural and case agreement, Kazakh
suffixes with vowel harmony, and the phrases of change (points against percent). Pure: no
Django, so the branch report's sentences are tested with known answers in milliseconds.

Conventions:

- Numbers are grouped by three with a no-break space (U+00A0): "2 500", "1 000 000"; decimals
  take a comma: "46,5". A whole Decimal prints without ",0".
- Russian: a noun after a numeral takes one of three forms (1 обращение, 2 обращения,
  5 обращений; 21 like 1, 11-14 like 5); after a fraction the genitive singular (2,5 процента).
  In the genitive ("из 2 500 обращений") it is the genitive singular after 1, 21, ... and the
  genitive plural otherwise. The preposition с becomes со before a number read from "ста"
  (100-199 in its highest group: "со 118 до 124").
- Kazakh: a noun after a numeral stays singular ("2 500 өтініш"). A suffix on a written number
  follows the last word it is read with ("2 500" is "екі мың бес жүз": "2 500-ге"; "124" ends
  in "төрт": "124-ке"; a fraction ends in the numeral of its decimals: "46,5" ... "бес"); a
  suffix on a percentage follows "пайыз" ("46%-ы", "18%-ға"). The suffix is chosen by the last
  vowel (back а о ұ ы / front ә е ө ү і) and the last sound (vowel; sonorant л р й у;
  voiced з ж; nasal м н ң; voiceless otherwise).
- Shares change by percentage points (46% against 28% is "+18 points"); counts change by a
  percent of the earlier count ("+250, or 11,1%"). A ratio is "в 3 раза" / "3 есе".
"""

from __future__ import annotations

from decimal import Decimal

NBSP = "\u00a0"

Number = int | Decimal


# -- formatting ---------------------------------------------------------------------------


def fmt(value: Number, places: int | None = None) -> str:
    """A number as the texts print it: "2 500", "-1 234", "46,5", "46" (for Decimal("46.0"))."""
    if isinstance(value, float):  # never in figures; accept for convenience in callers' tests
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        if places is not None:
            value = value.quantize(Decimal(1).scaleb(-places))
        if value == value.to_integral_value():
            value = int(value)
    if isinstance(value, int):
        sign = "-" if value < 0 else ""
        return sign + _group(str(abs(value)))
    sign = "-" if value < 0 else ""
    text = format(abs(value), "f")
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    return sign + _group(whole) + ("," + frac if frac else "")


def _group(digits: str) -> str:
    parts = []
    while len(digits) > 3:
        parts.append(digits[-3:])
        digits = digits[:-3]
    parts.append(digits)
    return NBSP.join(reversed(parts))


def _is_whole(value: Number) -> bool:
    return isinstance(value, int) or value == value.to_integral_value()


# -- Russian ------------------------------------------------------------------------------

#: Russian nouns: key -> (nominative forms for 1 / 2-4 / 5+, genitive forms for 1 / other).
RU_NOUNS: dict[str, tuple[tuple[str, str, str], tuple[str, str]]] = {
    "appeal": (("обращение", "обращения", "обращений"), ("обращения", "обращений")),
    "member": (("член партии", "члена партии", "членов партии"), ("члена партии", "членов партии")),
    "candidate": (("кандидат", "кандидата", "кандидатов"), ("кандидата", "кандидатов")),
    "vote": (("голос", "голоса", "голосов"), ("голоса", "голосов")),
    "voter": (
        ("проголосовавший", "проголосовавших", "проголосовавших"),
        ("проголосовавшего", "проголосовавших"),
    ),
    "reception": (("приём", "приёма", "приёмов"), ("приёма", "приёмов")),
    "percent": (("процент", "процента", "процентов"), ("процента", "процентов")),
    "point": (
        ("процентный пункт", "процентных пункта", "процентных пунктов"),
        ("процентного пункта", "процентных пунктов"),
    ),
    "time": (("раз", "раза", "раз"), ("раза", "раз")),
    "project": (("проект", "проекта", "проектов"), ("проекта", "проектов")),
    "meeting": (("собрание", "собрания", "собраний"), ("собрания", "собраний")),
    "instruction": (("поручение", "поручения", "поручений"), ("поручения", "поручений")),
    "winner": (("победитель", "победителя", "победителей"), ("победителя", "победителей")),
    "award": (("награда", "награды", "наград"), ("награды", "наград")),
    "letter": (
        ("благодарственное письмо", "благодарственных письма", "благодарственных писем"),
        ("благодарственного письма", "благодарственных писем"),
    ),
    "commission": (("комиссия", "комиссии", "комиссий"), ("комиссии", "комиссий")),
    "session": (("заседание", "заседания", "заседаний"), ("заседания", "заседаний")),
    "deputy": (("депутат", "депутата", "депутатов"), ("депутата", "депутатов")),
    "report": (("отчёт", "отчёта", "отчётов"), ("отчёта", "отчётов")),
    "admission": (
        ("приём в партию", "приёма в партию", "приёмов в партию"),
        ("приёма в партию", "приёмов в партию"),
    ),
    "card": (
        ("партийный билет", "партийных билета", "партийных билетов"),
        ("партийного билета", "партийных билетов"),
    ),
    "poo": (("ППО", "ППО", "ППО"), ("ППО", "ППО")),
    "year": (("год", "года", "лет"), ("года", "лет")),
    "day": (("день", "дня", "дней"), ("дня", "дней")),
    "indicator": (("показатель", "показателя", "показателей"), ("показателя", "показателей")),
    "person": (("человек", "человека", "человек"), ("человека", "человек")),
    "woman": (("женщина", "женщины", "женщин"), ("женщины", "женщин")),
    "social_project": (
        ("социальный проект", "социальных проекта", "социальных проектов"),
        ("социального проекта", "социальных проектов"),
    ),
    "application": (
        ("заявление о приёме", "заявления о приёме", "заявлений о приёме"),
        ("заявления о приёме", "заявлений о приёме"),
    ),
    "event": (("мероприятие", "мероприятия", "мероприятий"), ("мероприятия", "мероприятий")),
}


def ru_form(n: Number, one: str, few: str, many: str) -> str:
    """The Russian noun form after a whole n: one (1, 21, 101), few (2-4, 22-24), many (0,
    5-20, 11-14). (After a fraction Russian takes the genitive singular: see ru_noun.)"""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def ru_noun(n: Number, noun: str, case: str = "nom") -> str:
    """The noun `noun` (a key of RU_NOUNS) after n, in the nominative/accusative ("nom": the
    counting form) or the genitive ("gen": "из 2 500 обращений")."""
    nominative, genitive = RU_NOUNS[noun]
    if not _is_whole(n):
        return genitive[0]  # 2,5 процентного пункта: the genitive singular in both cases
    if case == "gen":
        m = abs(int(n))
        return genitive[0] if m % 10 == 1 and m % 100 != 11 else genitive[1]
    return ru_form(n, *nominative)


def ru_count(n: Number, noun: str, case: str = "nom") -> str:
    """ "2 500 обращений", "1 обращение", "из 21 обращения" (gen)."""
    return f"{fmt(n)} {ru_noun(n, noun, case)}"


def ru_with(n: Number) -> str:
    """The preposition "с"/"со" before the number n in the genitive: со 118 (ста
    восемнадцати), со 124 000 (ста двадцати четырёх тысяч), с 1 118 (одной тысячи ...), с 2."""
    n = abs(int(n))
    while n >= 1000:
        n //= 1000
    return "со" if 100 <= n <= 199 else "с"


def ru_past(n: Number, singular: str, plural: str) -> str:
    """A past-tense verb agreeing with a counted subject: the singular after 1, 21, ...
    ("проведён 21 приём"), otherwise the neuter/plural form ("проведено 5 приёмов")."""
    if _is_whole(n):
        m = abs(int(n))
        if m % 10 == 1 and m % 100 != 11:
            return singular
    return plural


# -- Kazakh -------------------------------------------------------------------------------

KK_UNITS = ["нөл", "бір", "екі", "үш", "төрт", "бес", "алты", "жеті", "сегіз", "тоғыз"]
KK_TENS = ["", "он", "жиырма", "отыз", "қырық", "елу", "алпыс", "жетпіс", "сексен", "тоқсан"]
KK_SCALES = ["", "мың", "миллион", "миллиард", "триллион"]

BACK_VOWELS = set("аоұыя")
FRONT_VOWELS = set("әеөүіэ")  # у and и follow the word's other vowels, and end like й
VOWELS = BACK_VOWELS | FRONT_VOWELS
SONORANTS = set("лрйуи")
VOICED = set("зж")
NASALS = set("мнң")


def kk_last_word(value: Number) -> str:
    """The last word a number is read with in Kazakh: 6 алты, 40 қырық, 2 500 жүз (екі мың бес
    жүз), 124 төрт, 1 000 000 миллион, 0 нөл; a fraction is read ending in its decimals (46,5:
    ... бес; 2,25: ... жиырма бес)."""
    if not _is_whole(value):
        frac = format(abs(Decimal(value)), "f").partition(".")[2].rstrip("0")
        return kk_last_word(int(frac))
    n = abs(int(value))
    if n == 0:
        return KK_UNITS[0]
    if n % 1000 == 0:  # ... мың, ... миллион: read ending in the scale of its last group
        scale = 0
        while n % 1000 == 0:
            n //= 1000
            scale += 1
        return KK_SCALES[scale]
    group = n % 1000
    if group % 10:
        return KK_UNITS[group % 10]
    if group % 100:
        return KK_TENS[group // 10 % 10]
    return "жүз"


def _harmony(word: str) -> str:
    for ch in reversed(word.lower()):
        if ch in BACK_VOWELS:
            return "back"
        if ch in FRONT_VOWELS:
            return "front"
    return "back"


def _ending(word: str) -> str:
    last = word.lower()[-1]
    if last in VOWELS:
        return "vowel"
    if last in SONORANTS:
        return "sonorant"
    if last in VOICED:
        return "voiced"
    if last in NASALS:
        return "nasal"
    return "voiceless"


#: suffix -> by ending: (back, front) variants.
_KK_SUFFIXES: dict[str, dict[str, tuple[str, str]]] = {
    "plural": {
        "vowel": ("лар", "лер"),
        "sonorant": ("лар", "лер"),
        "voiced": ("дар", "дер"),
        "nasal": ("дар", "дер"),
        "voiceless": ("тар", "тер"),
    },
    "genitive": {
        "vowel": ("ның", "нің"),
        "nasal": ("ның", "нің"),
        "sonorant": ("дың", "дің"),
        "voiced": ("дың", "дің"),
        "voiceless": ("тың", "тің"),
    },
    "accusative": {
        "vowel": ("ны", "ні"),
        "sonorant": ("ды", "ді"),
        "voiced": ("ды", "ді"),
        "nasal": ("ды", "ді"),
        "voiceless": ("ты", "ті"),
    },
    "dative": {
        "vowel": ("ға", "ге"),
        "sonorant": ("ға", "ге"),
        "voiced": ("ға", "ге"),
        "nasal": ("ға", "ге"),
        "voiceless": ("қа", "ке"),
    },
    "locative": {
        "vowel": ("да", "де"),
        "sonorant": ("да", "де"),
        "voiced": ("да", "де"),
        "nasal": ("да", "де"),
        "voiceless": ("та", "те"),
    },
    "ablative": {
        "vowel": ("дан", "ден"),
        "sonorant": ("дан", "ден"),
        "voiced": ("дан", "ден"),
        "nasal": ("нан", "нен"),
        "voiceless": ("тан", "тен"),
    },
    "instrumental": {
        "vowel": ("мен", "мен"),
        "sonorant": ("мен", "мен"),
        "voiced": ("бен", "бен"),
        "nasal": ("бен", "бен"),
        "voiceless": ("пен", "пен"),
    },
    "possessive": {  # 3rd person: "46%-ы", "алтысы"
        "vowel": ("сы", "сі"),
        "sonorant": ("ы", "і"),
        "voiced": ("ы", "і"),
        "nasal": ("ы", "і"),
        "voiceless": ("ы", "і"),
    },
}


def kk_suffix(word: str, case: str) -> str:
    """The suffix of `case` for a Kazakh word: kk_suffix("тармақ", "dative") == "қа"."""
    back, front = _KK_SUFFIXES[case][_ending(word)]
    return back if _harmony(word) == "back" else front


def kk_word(word: str, case: str) -> str:
    """A word with its case suffix: "тармаққа", "өтініштің"."""
    return word + kk_suffix(word, case)


def kk_number(value: Number, case: str) -> str:
    """A written number with its suffix: "2 500-ге", "118-ден", "124-ке", "6-сы"."""
    return f"{fmt(value)}-{kk_suffix(kk_last_word(value), case)}"


def kk_percent(value: Number, case: str | None = None) -> str:
    """A percentage, with a suffix read after "пайыз": "46%", "46%-ы", "18%-ға"."""
    text = f"{fmt(value)}%"
    return text if case is None else f"{text}-{kk_suffix('пайыз', case)}"


# -- changes ------------------------------------------------------------------------------


def direction(delta: Number) -> int:
    return (delta > 0) - (delta < 0)


_RU_VERBS = {  # direction -> gender -> verb
    1: {"f": "выросла", "n": "выросло", "m": "вырос", "pl": "выросли"},
    -1: {"f": "снизилась", "n": "снизилось", "m": "снизился", "pl": "снизились"},
    0: {"f": "не изменилась", "n": "не изменилось", "m": "не изменился", "pl": "не изменились"},
}
_KK_VERBS = {1: "артты", -1: "кеміді", 0: "өзгерген жоқ"}


def change_points(lang: str, before: Number, after: Number, gender: str = "f") -> str:
    """A share's change in percentage points, never in percent: ru "выросла на 18 процентных
    пунктов", "снизилась на 2,5 процентного пункта", "не изменилась"; kk "18 пайыздық тармаққа
    артты", "2,5 пайыздық тармаққа кеміді", "өзгерген жоқ"."""
    delta = Decimal(after) - Decimal(before)
    way = direction(delta)
    size = abs(delta)
    if lang == "ru":
        verb = _RU_VERBS[way][gender]
        return verb if way == 0 else f"{verb} на {ru_count(size, 'point')}"
    verb = _KK_VERBS[way]
    return verb if way == 0 else f"{fmt(size)} пайыздық {kk_word('тармақ', 'dative')} {verb}"


def change_count(lang: str, before: int, after: int, gender: str = "n") -> str:
    """A count's change with its percent of the earlier count: ru "выросло на 6 (на 5,1%)",
    "снизилось на 250 (на 10%)", "не изменилось"; kk "6-ға (5,1%-ға) артты"; without a percent
    when the earlier count is 0."""
    delta = after - before
    way = direction(delta)
    size = abs(delta)
    pct = None
    if before > 0 and way:
        pct = (Decimal(size) * 100 / Decimal(before)).quantize(Decimal("0.1"))
    if lang == "ru":
        verb = _RU_VERBS[way][gender]
        if way == 0:
            return verb
        return f"{verb} на {fmt(size)}" + (f" (на {fmt(pct)}%)" if pct is not None else "")
    verb = _KK_VERBS[way]
    if way == 0:
        return verb
    return (
        f"{kk_number(size, 'dative')}"
        + (f" ({kk_percent(pct, 'dative')})" if pct is not None else "")
        + f" {verb}"
    )


def times(lang: str, ratio: Number) -> str:
    """A ratio of two counts: ru "в 3 раза", "в 1,5 раза", "в 5 раз"; kk "3 есе"."""
    if lang == "ru":
        return f"в {ru_count(ratio, 'time')}"
    return f"{fmt(ratio)} есе"
