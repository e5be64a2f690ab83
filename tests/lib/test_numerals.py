"""Known answers for the numbers-and-words functions of the branch report (kk and ru)."""

from decimal import Decimal

import pytest

from bastau.lib import numerals as n

NB = "\u00a0"


@pytest.mark.parametrize(
    "value, text",
    [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (2500, f"2{NB}500"),
        (1_000_000, f"1{NB}000{NB}000"),
        (-1234, f"-1{NB}234"),
        (Decimal("46.0"), "46"),
        (Decimal("46.5"), "46,5"),
        (Decimal("12345.25"), f"12{NB}345,25"),
        (Decimal("-2.50"), "-2,5"),
    ],
)
def test_fmt_groups_and_commas(value, text):
    assert n.fmt(value) == text


@pytest.mark.parametrize(
    "count, nominative, genitive",
    [
        (0, "0 обращений", "0 обращений"),
        (1, "1 обращение", "1 обращения"),
        (2, "2 обращения", "2 обращений"),
        (4, "4 обращения", "4 обращений"),
        (5, "5 обращений", "5 обращений"),
        (11, "11 обращений", "11 обращений"),
        (12, "12 обращений", "12 обращений"),
        (14, "14 обращений", "14 обращений"),
        (21, "21 обращение", "21 обращения"),
        (22, "22 обращения", "22 обращений"),
        (111, "111 обращений", "111 обращений"),
        (101, "101 обращение", "101 обращения"),
        (2500, f"2{NB}500 обращений", f"2{NB}500 обращений"),
        (Decimal("2.5"), "2,5 обращения", "2,5 обращения"),
    ],
)
def test_russian_plural_and_genitive(count, nominative, genitive):
    assert n.ru_count(count, "appeal") == nominative
    assert n.ru_count(count, "appeal", "gen") == genitive


def test_russian_other_nouns():
    assert n.ru_count(73, "candidate") == "73 кандидата"
    assert n.ru_count(2000, "vote") == f"2{NB}000 голосов"
    assert n.ru_count(124, "member") == "124 члена партии"
    assert n.ru_count(8, "winner") == "8 победителей"
    assert n.ru_count(4, "letter") == "4 благодарственных письма"
    assert n.ru_count(1, "letter") == "1 благодарственное письмо"
    assert n.ru_count(Decimal("2.5"), "point") == "2,5 процентного пункта"


def test_russian_preposition_s_and_verb():
    assert n.ru_with(118) == "со"
    assert n.ru_with(124_000) == "со"
    assert n.ru_with(1118) == "с"
    assert n.ru_with(2) == "с"
    assert n.ru_with(99) == "с"
    assert n.ru_past(21, "проведён", "проведено") == "проведён"
    assert n.ru_past(11, "проведён", "проведено") == "проведено"
    assert n.ru_past(5, "проведён", "проведено") == "проведено"


@pytest.mark.parametrize(
    "value, word",
    [
        (0, "нөл"),
        (6, "алты"),
        (40, "қырық"),
        (100, "жүз"),
        (118, "сегіз"),
        (124, "төрт"),
        (2500, "жүз"),
        (1000, "мың"),
        (34_000, "мың"),
        (1_000_000, "миллион"),
        (Decimal("46.5"), "бес"),
    ],
)
def test_kazakh_last_word(value, word):
    assert n.kk_last_word(value) == word


@pytest.mark.parametrize(
    "value, case, text",
    [
        (118, "ablative", "118-ден"),
        (124, "dative", "124-ке"),
        (2500, "dative", f"2{NB}500-ге"),
        (6, "possessive", "6-сы"),
        (5, "possessive", "5-і"),
        (10, "ablative", "10-нан"),
        (40, "dative", "40-қа"),
        (90, "locative", "90-да"),
        (50, "genitive", "50-дің"),
        (1000, "dative", f"1{NB}000-ға"),
        (20, "accusative", "20-ны"),
        (8, "instrumental", "8-бен"),
        (3, "instrumental", "3-пен"),
        (7, "instrumental", "7-мен"),
    ],
)
def test_kazakh_number_suffixes(value, case, text):
    assert n.kk_number(value, case) == text


def test_kazakh_percent_and_words():
    assert n.kk_percent(46, "possessive") == "46%-ы"
    assert n.kk_percent(18, "dative") == "18%-ға"
    assert n.kk_percent(Decimal("46.5")) == "46,5%"
    assert n.kk_word("тармақ", "dative") == "тармаққа"
    assert n.kk_word("өтініш", "genitive") == "өтініштің"
    assert n.kk_word("мүше", "plural") == "мүшелер"
    assert n.kk_word("қабылдау", "dative") == "қабылдауға"


def test_points_are_not_percent():
    assert n.change_points("kk", 28, 46) == "18 пайыздық тармаққа артты"
    assert n.change_points("ru", 28, 46) == "выросла на 18 процентных пунктов"
    assert n.change_points("ru", Decimal("46"), Decimal("43.5")) == (
        "снизилась на 2,5 процентного пункта"
    )
    assert n.change_points("kk", Decimal("46"), Decimal("43.5")) == ("2,5 пайыздық тармаққа кеміді")
    assert n.change_points("ru", 46, 46) == "не изменилась"
    assert n.change_points("kk", 46, 46) == "өзгерген жоқ"
    assert n.change_points("ru", 20, 21) == "выросла на 1 процентный пункт"


def test_count_changes_carry_percent_of_the_earlier_count():
    assert n.change_count("ru", 118, 124) == "выросло на 6 (на 5,1%)"
    assert n.change_count("kk", 118, 124) == "6-ға (5,1%-ға) артты"
    assert n.change_count("ru", 2500, 2250) == "снизилось на 250 (на 10%)"
    assert n.change_count("kk", 2500, 2250) == "250-ге (10%-ға) кеміді"
    assert n.change_count("ru", 0, 5) == "выросло на 5"
    assert n.change_count("ru", 7, 7, gender="m") == "не изменился"


def test_times():
    assert n.times("ru", 3) == "в 3 раза"
    assert n.times("ru", 5) == "в 5 раз"
    assert n.times("ru", Decimal("1.5")) == "в 1,5 раза"
    assert n.times("kk", 3) == "3 есе"
