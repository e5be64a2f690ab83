"""The results protocol (PDF, DOCX) in Kazakh or Russian, and the results workbook (XLSX).

Three steps, so the two protocol formats cannot drift apart:

1. `gather(campaign)` reads everything once: the branch, dates, commission, roll and turnout,
   votes, the built lists, and the board's final checkpoint and tally signature (which bind the
   paper protocol to the public record of the ballots).
2. `protocol_blocks(facts, lang)` lays the protocol out as a list of blocks (title, headings,
   label/value fields, tables, signature lines) in the chosen language.
3. `write_pdf` / `write_docx` render those blocks; `write_results_xlsx` writes the workbook.

Language. A protocol is printed in Kazakh or Russian whatever the reader's interface language.
Every fixed text is an English msgid looked up through gettext under
`translation.override(lang)` (so the translators' kk/ru .po files take over once they hold
it), falling back to the Kazakh and Russian written next to it in `TEXTS` below, so the
protocol is right today even while the .po files lack these msgids. The list's explanations
are built here from the stable fields of the stored list (reason.code, reason.groups,
reason.placed_before; the shortages), never from the builder's English sentences.

The PDF embeds DejaVu Sans (static/fonts, with its licence), which has every Kazakh letter
(ә ғ қ ң ө ұ ү һ і), so it does not depend on the fonts of the machine that opens it. The
fonts, the text lookup and the date format are shared with every printed document
(`bastau.core.printing`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_noop

from bastau.core.printing import (
    CONTENT_TYPES as CONTENT_TYPES,
)
from bastau.core.printing import (
    DOCX_LANG,
    Texts,
    add_fonts,
    fmt_date,
    normalise_language,
)
from bastau.lib.dates import age_on
from bastau.lib.stats import share

from . import quota, services
from .models import (
    Ballot,
    Campaign,
    Candidate,
    CommissionMember,
    ListResult,
    Participation,
    VoterRollEntry,
)

LANGUAGES = ("kk", "ru")
FORMATS = ("pdf", "docx")

# --------------------------------------------------------------------------- texts

#: key: (English msgid, Kazakh, Russian). The English is what gettext looks up.
TEXTS: dict[str, tuple[str, str, str]] = {
    "title": (
        gettext_noop("Protocol of the election commission on the results of the vote"),
        "Дауыс беру қорытындылары туралы сайлау комиссиясының хаттамасы",
        "Протокол избирательной комиссии об итогах голосования",
    ),
    "draft": (
        gettext_noop("Results not yet published: the commission's working copy."),
        "Қорытындылар әлі жарияланған жоқ: комиссияның жұмыс данасы.",
        "Итоги ещё не опубликованы: рабочий экземпляр комиссии.",
    ),
    "campaign": (gettext_noop("Campaign"), "Науқан", "Кампания"),
    "kind": (gettext_noop("Kind"), "Түрі", "Вид"),
    "branch": (gettext_noop("Party branch"), "Партия филиалы", "Филиал партии"),
    "scope": (
        gettext_noop("Branch whose members vote"),
        "Мүшелері дауыс беретін филиал",
        "Филиал, члены которого голосуют",
    ),
    "maslikhat": (gettext_noop("Maslikhat"), "Мәслихат", "Маслихат"),
    "stage": (gettext_noop("Stage"), "Кезеңі", "Этап"),
    "kind_maslikhat_list": (
        gettext_noop("Maslikhat list primaries"),
        "Мәслихатқа партиялық тізім бойынша праймериз",
        "Праймериз по партийному списку в маслихат",
    ),
    "kind_personnel_reserve": (
        gettext_noop("Personnel reserve selection"),
        "Кадрлық резервке іріктеу",
        "Отбор в кадровый резерв",
    ),
    "kind_conference_rating": (
        gettext_noop("Conference rating vote"),
        "Конференциядағы рейтингтік дауыс беру",
        "Рейтинговое голосование на конференции",
    ),
    "status_counting": (gettext_noop("Counting"), "Дауыстарды санау", "Подсчёт голосов"),
    "status_results": (
        gettext_noop("Results published"),
        "Қорытындылар жарияланды",
        "Итоги опубликованы",
    ),
    "status_closed": (gettext_noop("Closed"), "Аяқталды", "Завершена"),
    "dates": (gettext_noop("Dates"), "Мерзімдері", "Сроки"),
    "nomination_period": (
        gettext_noop("Nomination of candidates"),
        "Кандидаттарды ұсыну",
        "Выдвижение кандидатов",
    ),
    "registration_ends": (
        gettext_noop("Registration ends"),
        "Тіркеудің аяқталуы",
        "Окончание регистрации",
    ),
    "voting_period": (gettext_noop("Voting"), "Дауыс беру", "Голосование"),
    "results_date": (
        gettext_noop("Results announced"),
        "Қорытындыларды жариялау",
        "Объявление итогов",
    ),
    "complaints_end": (
        gettext_noop("Complaints accepted until"),
        "Шағымдарды қабылдаудың соңғы күні",
        "Приём жалоб до",
    ),
    "commission": (
        gettext_noop("Election commission"),
        "Сайлау комиссиясы",
        "Избирательная комиссия",
    ),
    "role_chair": (gettext_noop("Chair"), "Төраға", "Председатель"),
    "role_deputy": (
        gettext_noop("Deputy chair"),
        "Төрағаның орынбасары",
        "Заместитель председателя",
    ),
    "role_secretary": (gettext_noop("Secretary"), "Хатшы", "Секретарь"),
    "role_member": (
        gettext_noop("Member of the commission"),
        "Комиссия мүшесі",
        "Член комиссии",
    ),
    "no_commission": (
        gettext_noop("No commission members are recorded."),
        "Комиссия мүшелері тіркелмеген.",
        "Члены комиссии не указаны.",
    ),
    "vote": (gettext_noop("Results of the vote"), "Дауыс беру қорытындылары", "Итоги голосования"),
    "roll": (
        gettext_noop("Members on the voter roll"),
        "Сайлаушылар тізіміндегі партия мүшелері",
        "Членов партии в списке избирателей",
    ),
    "ballots": (gettext_noop("Ballots cast"), "Берілген бюллетеньдер", "Подано бюллетеней"),
    "online": (gettext_noop("of them online"), "оның ішінде онлайн", "в том числе онлайн"),
    "paper": (
        gettext_noop("of them on paper at polling stations"),
        "оның ішінде учаскелерде қағаз бюллетеньмен",
        "в том числе бумажными бюллетенями на участках",
    ),
    "blank": (
        gettext_noop("Blank ballots (no candidate chosen)"),
        "Бос бюллетеньдер (бірде-бір кандидат белгіленбеген)",
        "Пустые бюллетени (не отмечен ни один кандидат)",
    ),
    "turnout": (gettext_noop("Turnout"), "Дауыс беруге қатысу", "Явка"),
    "choose_up_to": (
        gettext_noop("Most candidates a voter could choose"),
        "Сайлаушы белгілей алатын кандидаттардың ең көп саны",
        "Наибольшее число кандидатов, которое мог отметить избиратель",
    ),
    "candidates": (gettext_noop("Candidates"), "Кандидаттар", "Кандидаты"),
    "registered": (
        gettext_noop("Registered candidates"),
        "Тіркелген кандидаттар",
        "Зарегистрировано кандидатов",
    ),
    "by_poo": (
        gettext_noop("nominated by primary party organizations"),
        "бастауыш партия ұйымдары ұсынған",
        "выдвинуты первичными партийными организациями",
    ),
    "self": (gettext_noop("self-nominated"), "өзін-өзі ұсынған", "самовыдвиженцы"),
    "women": (gettext_noop("women"), "әйелдер", "женщины"),
    "youth": (
        gettext_noop("youth under %(age)s"),
        "%(age)s жасқа дейінгі жастар",
        "молодёжь до %(age)s лет",
    ),
    "disability": (
        gettext_noop("persons with disabilities"),
        "мүгедектігі бар адамдар",
        "лица с инвалидностью",
    ),
    "votes_heading": (
        gettext_noop("Votes for each candidate, in ranking order"),
        "Кандидаттарға берілген дауыстар (рейтинг бойынша)",
        "Голоса за кандидатов (в порядке рейтинга)",
    ),
    "col_rank": (gettext_noop("Rank"), "Орын", "Место"),
    "col_number": (gettext_noop("Reg. no."), "Тірк. №", "Рег. №"),
    "col_candidate": (gettext_noop("Candidate"), "Кандидат", "Кандидат"),
    "col_nomination": (gettext_noop("Nominated by"), "Ұсынған", "Выдвижение"),
    "col_votes": (gettext_noop("Votes"), "Дауыс", "Голоса"),
    "col_percent": (gettext_noop("Share, %"), "Үлесі, %", "Доля, %"),
    "col_groups": (gettext_noop("Quota groups"), "Квота топтары", "Квотные группы"),
    "col_list": (gettext_noop("List"), "Тізім", "Список"),
    "nom_poo": (gettext_noop("POO"), "БПҰ", "ППО"),
    "nom_self": (gettext_noop("self-nomination"), "өзін-өзі ұсыну", "самовыдвижение"),
    "tie_lot": (
        gettext_noop(
            "Ties in votes are broken by the published lot with the seed «%(seed)s»: the "
            "smaller SHA-256 of “seed:candidate id” ranks higher."
        ),
        "Дауыстары тең болса, орын «%(seed)s» кілтімен жарияланған жеребе бойынша анықталады: "
        "«кілт:кандидат id» жолының SHA-256 мәні кішісі жоғары тұрады.",
        "При равенстве голосов место определяется опубликованным жребием с ключом «%(seed)s»: "
        "выше тот, у кого меньше SHA-256 строки «ключ:id кандидата».",
    ),
    "tie_order": (
        gettext_noop("Ties in votes are broken by registration order."),
        "Дауыстары тең болса, орын тіркелу реті бойынша анықталады.",
        "При равенстве голосов место определяется очерёдностью регистрации.",
    ),
    "list_heading": (gettext_noop("List: %(title)s"), "Тізім: %(title)s", "Список: %(title)s"),
    "list_length": (
        gettext_noop("Places on the list"),
        "Тізімдегі орын саны",
        "Число мест в списке",
    ),
    "list_turnout": (
        gettext_noop("Members on this list's roll: %(roll)s; ballots: %(ballots)s"),
        "Осы тізім бойынша сайлаушылар: %(roll)s; бюллетеньдер: %(ballots)s",
        "Избирателей по этому списку: %(roll)s; бюллетеней: %(ballots)s",
    ),
    "rules": (gettext_noop("Quota rules"), "Квота ережелері", "Правила квот"),
    "rules_party-2019": (
        gettext_noop("Party rule (2019), each group separately"),
        "Партия ережесі (2019), әр топ жеке",
        "Правило партии (2019), каждая группа отдельно",
    ),
    "rules_law-2022": (
        gettext_noop("Law (2022), counted together, each person once"),
        "Заң (2022), бірге, әр адам бір рет есептеледі",
        "Закон (2022), в совокупности, каждый учитывается один раз",
    ),
    "rules_custom": (
        gettext_noop("Custom rule set «%(id)s»"),
        "«%(id)s» арнайы ережелер жиынтығы",
        "Особый набор правил «%(id)s»",
    ),
    "rules_none": (
        gettext_noop("No quotas (a rating)"),
        "Квотасыз (рейтинг)",
        "Без квот (рейтинг)",
    ),
    "at_least": (
        gettext_noop("%(group)s at least %(share)s%%"),
        "%(group)s — кемінде %(share)s%%",
        "%(group)s — не менее %(share)s%%",
    ),
    "ref_date": (
        gettext_noop("Ages counted on"),
        "Жас есептелген күн",
        "Возраст определён на дату",
    ),
    "prefix_on": (
        gettext_noop("Quotas also hold in every top part of the list"),
        "Квоталар тізімнің әрбір жоғарғы бөлігінде де сақталады",
        "Квоты соблюдаются и в каждой верхней части списка",
    ),
    "lot_seed": (gettext_noop("Lot seed"), "Жеребе кілті", "Ключ жребия"),
    "col_position": (gettext_noop("Position"), "Орны", "Позиция"),
    "col_vote_rank": (gettext_noop("Rank by votes"), "Дауыс бойынша орны", "Место по голосам"),
    "col_reason": (gettext_noop("Why here"), "Негіздеме", "Основание"),
    "in_vote_order": (gettext_noop("vote order"), "дауыс реті", "порядок голосов"),
    "reason_short": (gettext_noop("quota: %(groups)s"), "квота: %(groups)s", "квота: %(groups)s"),
    "reason_short_prefix": (
        gettext_noop("quota in the top places: %(groups)s"),
        "жоғарғы орындардағы квота: %(groups)s",
        "квота в верхней части: %(groups)s",
    ),
    "departure": (
        gettext_noop(
            "Position %(position)s: %(name)s is placed above higher-ranked candidates "
            "(%(others)s) to meet the quota for %(groups)s."
        ),
        "%(position)s-орын: %(groups)s квотасын сақтау үшін %(name)s рейтингі жоғары "
        "кандидаттардан (%(others)s) жоғары қойылды.",
        "Позиция %(position)s: %(name)s поставлен(а) выше кандидатов с более высоким "
        "рейтингом (%(others)s) для соблюдения квоты: %(groups)s.",
    ),
    "departure_prefix": (
        gettext_noop(
            "Position %(position)s: %(name)s is placed above higher-ranked candidates "
            "(%(others)s) to meet the quota for %(groups)s among the top places."
        ),
        "%(position)s-орын: тізімнің жоғарғы орындарында %(groups)s квотасын сақтау үшін "
        "%(name)s рейтингі жоғары кандидаттардан (%(others)s) жоғары қойылды.",
        "Позиция %(position)s: %(name)s поставлен(а) выше кандидатов с более высоким "
        "рейтингом (%(others)s) для соблюдения квоты в верхней части списка: %(groups)s.",
    ),
    "and_more": (gettext_noop("and %(n)s more"), "тағы %(n)s кандидат", "и ещё %(n)s"),
    "and": (gettext_noop("and"), "және", "и"),
    "departures": (
        gettext_noop("Departures from the vote order"),
        "Дауыс ретінен ауытқулар",
        "Отступления от порядка голосов",
    ),
    "no_departures": (
        gettext_noop("The list follows the vote order: the quotas forced no departure."),
        "Тізім дауыс ретімен сәйкес келеді: квоталар ешбір ауытқуды талап етпеді.",
        "Список совпадает с порядком голосов: квоты не потребовали отступлений.",
    ),
    "quota_check": (
        gettext_noop("Quota check"),
        "Квоталардың сақталуын тексеру",
        "Проверка соблюдения квот",
    ),
    "col_group": (gettext_noop("Group"), "Топ", "Группа"),
    "col_min_share": (gettext_noop("Minimum share"), "Ең аз үлесі", "Минимальная доля"),
    "col_needed": (gettext_noop("Needed"), "Қажет", "Требуется"),
    "col_present": (gettext_noop("On the list"), "Тізімде", "В списке"),
    "col_met": (gettext_noop("Met"), "Сақталды", "Соблюдено"),
    "yes": (gettext_noop("yes"), "иә", "да"),
    "no": (gettext_noop("no"), "жоқ", "нет"),
    "recheck_ok": (
        gettext_noop(
            "Independent re-check (each quota counted again on the list as printed): the list "
            "meets every quota."
        ),
        "Тәуелсіз қайта тексеру (әр квота басылған тізім бойынша қайта саналды): тізім барлық "
        "квотаны сақтайды.",
        "Независимая перепроверка (каждая квота пересчитана по напечатанному списку): список "
        "соблюдает все квоты.",
    ),
    "recheck_bad": (
        gettext_noop("Independent re-check found a quota breach: %(details)s"),
        "Тәуелсіз қайта тексеру квотаның бұзылғанын анықтады: %(details)s",
        "Независимая перепроверка выявила нарушение квоты: %(details)s",
    ),
    "breach": (
        gettext_noop("%(group)s: %(count)s of %(needed)s needed"),
        "%(group)s: қажетті %(needed)s орнына %(count)s",
        "%(group)s: %(count)s при необходимых %(needed)s",
    ),
    "breach_top": (
        gettext_noop("%(group)s in the top %(k)s: %(count)s of %(needed)s needed"),
        "%(group)s, алғашқы %(k)s орында: қажетті %(needed)s орнына %(count)s",
        "%(group)s в первых %(k)s местах: %(count)s при необходимых %(needed)s",
    ),
    "not_built": (
        gettext_noop("The list has not been built yet."),
        "Тізім әлі құрылған жоқ.",
        "Список ещё не сформирован.",
    ),
    "infeasible": (
        gettext_noop("No list of %(length)s places can meet the quotas."),
        "Квоталарды сақтайтын %(length)s орындық тізім құру мүмкін емес.",
        "Невозможно составить список из %(length)s мест, соблюдающий квоты.",
    ),
    "shortage": (
        gettext_noop(
            "%(group)s: at least %(needed)s needed; qualifying candidates: %(available)s."
        ),
        "%(group)s: кемінде %(needed)s қажет; сәйкес кандидаттар саны: %(available)s.",
        "%(group)s: требуется не менее %(needed)s; подходящих кандидатов: %(available)s.",
    ),
    "joint_top": (
        gettext_noop(
            "Within the top %(k)s places these quotas cannot all be met together (%(needs)s): "
            "too few candidates count for more than one group."
        ),
        "Алғашқы %(k)s орында бұл квоталарды бір мезгілде сақтау мүмкін емес (%(needs)s): "
        "бірнеше топқа бірдей жататын кандидаттар жеткіліксіз.",
        "В первых %(k)s местах эти квоты нельзя соблюсти одновременно (%(needs)s): слишком "
        "мало кандидатов, относящихся сразу к нескольким группам.",
    ),
    "joint_list": (
        gettext_noop(
            "These quotas cannot all be met together in the list (%(needs)s): too few "
            "candidates count for more than one group."
        ),
        "Тізімде бұл квоталарды бір мезгілде сақтау мүмкін емес (%(needs)s): бірнеше топқа "
        "бірдей жататын кандидаттар жеткіліксіз.",
        "В списке эти квоты нельзя соблюсти одновременно (%(needs)s): слишком мало "
        "кандидатов, относящихся сразу к нескольким группам.",
    ),
    "need_item": (
        gettext_noop("%(group)s need %(needed)s"),
        "%(group)s — %(needed)s қажет",
        "%(group)s — требуется %(needed)s",
    ),
    "too_few": (
        gettext_noop(
            "A list of %(length)s places needs at least %(length)s candidates; registered: "
            "%(candidates)s."
        ),
        "%(length)s орындық тізімге кемінде %(length)s кандидат қажет; тіркелгені: %(candidates)s.",
        "Для списка из %(length)s мест нужно не менее %(length)s кандидатов; "
        "зарегистрировано: %(candidates)s.",
    ),
    "board": (
        gettext_noop("Public record of the ballots"),
        "Бюллетеньдердің ашық тізілімі",
        "Открытый реестр бюллетеней",
    ),
    "board_intro": (
        gettext_noop(
            "These values bind this protocol to the public record of the ballots: anyone can "
            "check them against the record with a verifier (bastau verify_board, "
            "docs/verification.md)."
        ),
        "Бұл мәндер хаттаманы бюллетеньдердің ашық тізілімімен байланыстырады: оларды кез "
        "келген адам тізілім бойынша тексеру бағдарламасымен тексере алады (bastau "
        "verify_board, docs/verification.md).",
        "Эти значения связывают протокол с открытым реестром бюллетеней: любой может сверить "
        "их с реестром программой проверки (bastau verify_board, docs/verification.md).",
    ),
    "public_key": (
        gettext_noop("Board public key (Ed25519)"),
        "Тізілімнің ашық кілті (Ed25519)",
        "Открытый ключ реестра (Ed25519)",
    ),
    "final_checkpoint": (
        gettext_noop("Final checkpoint"),
        "Соңғы бақылау нүктесі",
        "Последняя контрольная точка",
    ),
    "checkpoint_desc": (
        gettext_noop("no. %(seq)s, sealed %(sealed_at)s UTC, %(total)s ballots in all"),
        "№%(seq)s, %(sealed_at)s UTC мөрленген, барлық бюллетеньдер: %(total)s",
        "№%(seq)s, запечатана %(sealed_at)s UTC, всего бюллетеней: %(total)s",
    ),
    "final_hash": (
        gettext_noop("Hash of the final checkpoint (SHA-256)"),
        "Соңғы бақылау нүктесінің хэші (SHA-256)",
        "Хэш последней контрольной точки (SHA-256)",
    ),
    "tally_signature": (
        gettext_noop("Signature of the tally (Ed25519)"),
        "Дауыс санағының қолтаңбасы (Ed25519)",
        "Подпись итогов подсчёта (Ed25519)",
    ),
    "none": (gettext_noop("none"), "жоқ", "нет"),
    "signatures": (
        gettext_noop("Signatures of the members of the commission"),
        "Комиссия мүшелерінің қолдары",
        "Подписи членов комиссии",
    ),
    "signature": (gettext_noop("(signature)"), "(қолы)", "(подпись)"),
    "drawn_up": (gettext_noop("Drawn up on"), "Хаттама жасалған күн", "Протокол составлен"),
    "footer": (
        gettext_noop("%(slug)s · generated by Bastau on %(date)s"),
        "%(slug)s · Bastau жүйесінде %(date)s жасалды",
        "%(slug)s · сформирован в системе Bastau %(date)s",
    ),
    "page": (
        gettext_noop("page %(page)s of %(pages)s"),
        "%(pages)s беттің %(page)s-беті",
        "стр. %(page)s из %(pages)s",
    ),
    "summary_sheet": (gettext_noop("Summary"), "Жиынтық", "Сводка"),
}


#: The text `key` in `lang`: the translators' .po when it has it, else TEXTS.
text = Texts(TEXTS)


# --------------------------------------------------------------------------- facts


@dataclass
class RankedCandidate:
    rank: int
    number: int
    board_id: str
    name: str
    nomination: str
    votes: int
    group_mask: int
    quota_candidate: quota.Candidate  # as the list builder sees it (sex, birth date, ...)


@dataclass
class ContestFacts:
    title: str
    code: str
    length: int
    roll: int
    ballots: int
    ranking: list[RankedCandidate]
    result: dict | None  # ListResult.data, or None when not built


@dataclass
class Facts:
    campaign: Campaign
    region: Any
    branch: Any
    commission: list[tuple[str, str]]  # (role, name), chair first
    roll: int
    online: int
    paper: int
    ballots: int
    blank: int
    candidates: int
    by_poo: int
    women: int
    youth: int
    youth_age: int
    rules: quota.RuleSet | None
    reference_date: dt.date
    contests: list[ContestFacts]
    public_key: str
    checkpoints: int
    last_checkpoint: Any  # board.Checkpoint or None
    tally_signature: str
    generated_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def voted(self) -> int:
        return self.online + self.paper

    @property
    def by_board_id(self) -> dict[str, RankedCandidate]:
        return {c.board_id: c for contest in self.contests for c in contest.ranking}


ROLE_ORDER = {"chair": 0, "deputy": 1, "secretary": 2, "member": 3}


def _person(user) -> str:
    member = getattr(user, "member", None)
    if member is not None:
        return member.full_name
    return user.get_full_name() or user.username


def gather(campaign: Campaign) -> Facts:
    """Everything the protocol and the workbook show, in a fixed number of queries."""
    campaign = Campaign.objects.select_related("branch", "branch__parent").get(pk=campaign.pk)
    region = campaign.branch
    while region.parent_id is not None:
        region = region.parent
    rows = CommissionMember.objects.filter(campaign=campaign).select_related("user__member")
    commission = sorted(
        ((r.role, _person(r.user)) for r in rows), key=lambda rn: (ROLE_ORDER.get(rn[0], 9), rn[1])
    )
    channels = dict(
        Participation.objects.filter(campaign=campaign)
        .values_list("channel")
        .annotate(n=Count("id"))
        .values_list("channel", "n")
    )
    tally = campaign.tally or {}
    ballots = tally.get("ballots")
    if ballots is None:
        ballots = Ballot.objects.filter(campaign=campaign).count()
    reference = services.reference_date(campaign)
    try:
        rules = services.campaign_rules(campaign)
    except (ValueError, KeyError, TypeError):
        rules = None
    youth_age = int(getattr(settings, "YOUTH_AGE_LIMIT", 35))

    registered = list(
        Candidate.objects.filter(campaign=campaign, status=Candidate.Status.REGISTERED).only(
            "number", "name", "nomination", "sex", "birth_date", "contest_id"
        )
    )
    women = sum(1 for c in registered if c.sex == "F")
    youth = sum(1 for c in registered if age_on(c.birth_date, reference) < youth_age)
    by_poo = sum(1 for c in registered if c.nomination == Candidate.Nomination.POO)

    roll_by_contest = dict(
        VoterRollEntry.objects.filter(campaign=campaign)
        .values_list("contest_id")
        .annotate(n=Count("id"))
        .values_list("contest_id", "n")
    )
    ballots_by_contest = dict(
        Ballot.objects.filter(campaign=campaign)
        .values_list("contest_id")
        .annotate(n=Count("tracker"))
        .values_list("contest_id", "n")
    )
    results = {r.contest_id: r.data for r in ListResult.objects.filter(contest__campaign=campaign)}
    by_number = {c.number: c for c in registered}
    contests = []
    for contest in campaign.contests.all().order_by("title", "pk"):
        pool = services.quota_candidates(campaign, contest)
        ranked = quota.rank_candidates(pool, campaign.tie_break_seed or None)
        ranking = []
        for rank, qc in enumerate(ranked, start=1):
            model = by_number[qc.registration_order]
            ranking.append(
                RankedCandidate(
                    rank=rank,
                    number=model.number,
                    board_id=qc.id,
                    name=qc.name,
                    nomination=model.nomination,
                    votes=qc.votes,
                    group_mask=rules.mask(qc, reference) if rules else 0,
                    quota_candidate=qc,
                )
            )
        contests.append(
            ContestFacts(
                title=contest.title,
                code=contest.code,
                length=contest.effective_length,
                roll=roll_by_contest.get(contest.pk, 0),
                ballots=ballots_by_contest.get(contest.pk, 0),
                ranking=ranking,
                result=results.get(contest.pk),
            )
        )
    checkpoints = services.checkpoints_of(campaign)
    return Facts(
        campaign=campaign,
        region=region,
        branch=campaign.branch,
        commission=commission,
        roll=sum(roll_by_contest.values()),
        online=channels.get(Participation.Channel.ONLINE, 0),
        paper=channels.get(Participation.Channel.PAPER, 0),
        ballots=int(ballots),
        blank=int(tally.get("blank", 0)),
        candidates=len(registered),
        by_poo=by_poo,
        women=women,
        youth=youth,
        youth_age=youth_age,
        rules=rules,
        reference_date=reference,
        contests=contests,
        public_key=campaign.public_key,
        checkpoints=len(checkpoints),
        last_checkpoint=checkpoints[-1] if checkpoints else None,
        tally_signature=tally.get("signature", ""),
    )


# --------------------------------------------------------------------------- wording


def branch_name(branch, lang: str) -> str:
    if lang == "ru" and branch.name_ru:
        return branch.name_ru
    return branch.name


def fmt_moment(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")


def fmt_range(start: str, end: str) -> str:
    if start == "—" and end == "—":
        return "—"
    return f"{start} – {end}"


def percent(part: int, whole: int, lang: str, places: int = 1) -> str:
    """A share as Kazakh and Russian write it: a decimal comma, "12,5%"."""
    value = str(share(part, whole, places))
    return (value if lang == "en" else value.replace(".", ",")) + "%"


def count_share(count: int, whole: int, lang: str) -> str:
    return f"{count} ({percent(count, whole, lang)})"


def join_words(words: list[str], lang: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {text('and', lang)} " + words[-1]


def predicate_label(predicate: quota.Predicate, lang: str) -> str:
    if predicate.kind == "woman":
        return text("women", lang)
    if predicate.kind == "youth":
        return text("youth", lang, age=predicate.age_below)
    if predicate.kind == "disability":
        return text("disability", lang)
    return join_words([predicate_label(p, lang) for p in predicate.of], lang)


def group_labels(rules: quota.RuleSet | None, lang: str) -> dict[str, str]:
    if rules is None:
        return {}
    return {g.id: predicate_label(g.predicate, lang) for g in rules.groups}


def rules_label(facts: Facts, lang: str) -> str:
    rules, campaign = facts.rules, facts.campaign
    if rules is None or not rules.groups:
        return text("rules_none", lang)
    if campaign.quota_rules in (Campaign.Rules.PARTY_2019, Campaign.Rules.LAW_2022):
        name = text(f"rules_{campaign.quota_rules}", lang)
    else:
        name = text("rules_custom", lang, id=rules.id)
    labels = group_labels(rules, lang)
    parts = [text("at_least", lang, group=labels[g.id], share=g.min_share) for g in rules.groups]
    return f"{name}: " + "; ".join(parts)


def names_of(ids: list[str], facts: Facts, lang: str, shown: int = 5) -> str:
    by_id = facts.by_board_id
    names = [by_id[i].name if i in by_id else i for i in ids]
    if len(names) > shown:
        return ", ".join(names[:shown]) + " " + text("and_more", lang, n=len(names) - shown)
    return ", ".join(names)


def departure_sentence(row: dict, facts: Facts, labels: dict[str, str], lang: str) -> str:
    reason = row["reason"]
    groups = join_words([labels.get(g, g) for g in reason.get("groups", [])], lang)
    key = "departure_prefix" if reason.get("code") == "prefix_quota" else "departure"
    return text(
        key,
        lang,
        position=row["position"],
        name=row["name"] or row["id"],
        others=names_of(list(reason.get("placed_before", [])), facts, lang),
        groups=groups,
    )


def reason_short(row: dict, labels: dict[str, str], lang: str) -> str:
    reason = row.get("reason")
    if not reason:
        return text("in_vote_order", lang)
    groups = join_words([labels.get(g, g) for g in reason.get("groups", [])], lang)
    key = "reason_short_prefix" if reason.get("code") == "prefix_quota" else "reason_short"
    return text(key, lang, groups=groups)


def infeasible_sentences(data: dict, labels: dict[str, str], lang: str) -> list[str]:
    info = data.get("infeasible")
    if not isinstance(info, dict):
        return [str(data.get("message") or info)]
    if "shortages" not in info:  # too few candidates for the list length
        return [text("too_few", lang, length=info.get("length"), candidates=info.get("candidates"))]
    lines = [text("infeasible", lang, length=info.get("length"))]
    shortages = info.get("shortages", [])
    if not info.get("joint"):
        for s in shortages:
            group = labels.get(s["group"], s.get("label", s["group"]))
            lines.append(
                text("shortage", lang, group=group, needed=s["needed"], available=s["available"])
            )
    else:
        needs = "; ".join(
            text("need_item", lang, group=labels.get(s["group"], s["group"]), needed=s["needed"])
            for s in shortages
        )
        k = shortages[0].get("within_top") if shortages else None
        if k:
            lines.append(text("joint_top", lang, k=k, needs=needs))
        else:
            lines.append(text("joint_list", lang, needs=needs))
    return lines


def recheck(result: dict, facts: Facts, contest: ContestFacts, lang: str) -> str:
    """Count every quota again on the list as printed (quota.check_list, not the builder)."""
    if facts.rules is None:
        return ""
    pool = {c.board_id: c.quota_candidate for c in contest.ranking}
    ordered = [pool[r["id"]] for r in result["list"] if r["id"] in pool]
    if len(ordered) != len(result["list"]):
        return text("recheck_bad", lang, details="?")
    violations = quota.check_list(
        ordered,
        facts.rules,
        dt.date.fromisoformat(result.get("reference_date") or facts.reference_date.isoformat()),
        prefix=bool(result.get("prefix")),
    )
    if not violations:
        return text("recheck_ok", lang)
    labels = group_labels(facts.rules, lang)
    details = "; ".join(
        text(
            "breach_top" if v.within_top else "breach",
            lang,
            group=labels.get(v.group_id, v.group_id),
            count=v.count,
            needed=v.needed,
            k=v.within_top,
        )
        for v in violations
    )
    return text("recheck_bad", lang, details=details)


# --------------------------------------------------------------------------- layout


@dataclass
class Title:
    lines: list[str]


@dataclass
class Heading:
    text: str


@dataclass
class Para:
    text: str
    small: bool = False


@dataclass
class Fields:
    rows: list[tuple[str, str]]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: tuple[float, ...]
    align: tuple[str, ...]  # "L" / "R" / "C" per column


@dataclass
class Values:
    """Long values (keys, hashes, signatures): each label with its value below, full width."""

    rows: list[tuple[str, str]]


@dataclass
class Signatures:
    rows: list[tuple[str, str]]  # (role label, name)
    sign_label: str
    date_label: str


def status_label(campaign: Campaign, lang: str) -> str:
    key = f"status_{campaign.status}"
    return text(key, lang) if key in TEXTS else campaign.get_status_display()


def candidate_groups(c: RankedCandidate, facts: Facts, labels: dict[str, str]) -> str:
    if facts.rules is None:
        return ""
    return ", ".join(labels[g] for g in facts.rules.group_ids(c.group_mask))


def role_label(role: str, lang: str) -> str:
    return text(f"role_{role}" if f"role_{role}" in TEXTS else "role_member", lang)


def protocol_blocks(facts: Facts, lang: str) -> list[Any]:
    campaign = facts.campaign
    T = lambda key, **p: text(key, lang, **p)  # noqa: E731
    blocks: list[Any] = []
    heads = [branch_name(facts.region, lang)]
    if facts.branch.pk != facts.region.pk:
        heads.append(branch_name(facts.branch, lang))
    blocks.append(Title([*heads, "", T("title"), campaign.title]))
    if campaign.status == Campaign.Status.COUNTING:
        blocks.append(Para(T("draft")))

    fields = [
        (T("campaign"), campaign.title),
        (T("kind"), T(f"kind_{campaign.kind}")),
        (T("branch"), branch_name(facts.region, lang)),
        (T("scope"), branch_name(facts.branch, lang)),
    ]
    if campaign.maslikhat:
        fields.append((T("maslikhat"), campaign.maslikhat))
    fields.append((T("stage"), status_label(campaign, lang)))
    blocks.append(Fields(fields))

    blocks.append(Heading(T("dates")))
    blocks.append(
        Fields(
            [
                (
                    T("nomination_period"),
                    fmt_range(
                        fmt_date(campaign.nomination_starts), fmt_date(campaign.nomination_ends)
                    ),
                ),
                (T("registration_ends"), fmt_date(campaign.registration_ends)),
                (
                    T("voting_period"),
                    fmt_range(fmt_moment(campaign.voting_starts), fmt_moment(campaign.voting_ends)),
                ),
                (T("results_date"), fmt_date(campaign.results_date)),
                (T("complaints_end"), fmt_date(campaign.complaints_end)),
            ]
        )
    )

    blocks.append(Heading(T("commission")))
    if facts.commission:
        blocks.append(Fields([(role_label(role, lang), name) for role, name in facts.commission]))
    else:
        blocks.append(Para(T("no_commission")))

    blocks.append(Heading(T("vote")))
    blocks.append(
        Fields(
            [
                (T("roll"), str(facts.roll)),
                (T("ballots"), str(facts.ballots)),
                (T("online"), count_share(facts.online, facts.voted, lang)),
                (T("paper"), count_share(facts.paper, facts.voted, lang)),
                (T("blank"), count_share(facts.blank, facts.ballots, lang)),
                (T("turnout"), percent(facts.voted, facts.roll, lang)),
                (T("choose_up_to"), str(campaign.choose_up_to)),
            ]
        )
    )
    blocks.append(Heading(T("candidates")))
    blocks.append(
        Fields(
            [
                (T("registered"), str(facts.candidates)),
                (T("by_poo"), count_share(facts.by_poo, facts.candidates, lang)),
                (T("self"), count_share(facts.candidates - facts.by_poo, facts.candidates, lang)),
                (T("women"), count_share(facts.women, facts.candidates, lang)),
                (
                    T("youth", age=facts.youth_age),
                    count_share(facts.youth, facts.candidates, lang),
                ),
            ]
        )
    )

    labels = group_labels(facts.rules, lang)
    several = len(facts.contests) > 1
    for contest in facts.contests:
        blocks.append(Heading(T("votes_heading") + (f": {contest.title}" if several else "")))
        if several:
            blocks.append(Para(T("list_turnout", roll=contest.roll, ballots=contest.ballots)))
        blocks.append(
            Table(
                headers=[
                    T("col_rank"),
                    T("col_number"),
                    T("col_candidate"),
                    T("col_nomination"),
                    T("col_groups"),
                    T("col_votes"),
                    T("col_percent"),
                ],
                rows=[
                    [
                        str(c.rank),
                        str(c.number),
                        c.name,
                        T("nom_poo") if c.nomination == Candidate.Nomination.POO else T("nom_self"),
                        candidate_groups(c, facts, labels),
                        str(c.votes),
                        percent(c.votes, contest.ballots, lang),
                    ]
                    for c in contest.ranking
                ],
                widths=(12, 12, 47, 24, 30, 17, 14),
                align=("R", "R", "L", "L", "L", "R", "R"),
            )
        )
        if campaign.tie_break_seed:
            blocks.append(Para(T("tie_lot", seed=campaign.tie_break_seed), small=True))
        else:
            blocks.append(Para(T("tie_order"), small=True))

    for contest in facts.contests:
        if not contest.length:
            continue
        blocks.extend(list_blocks(facts, contest, lang, labels))

    blocks.append(Heading(T("board")))
    blocks.append(Para(T("board_intro"), small=True))
    last = facts.last_checkpoint
    final = (
        T(
            "checkpoint_desc",
            seq=last.seq,
            sealed_at=last.sealed_at.replace("T", " ").rstrip("Z"),
            total=last.total,
        )
        if last
        else T("none")
    )
    blocks.append(Fields([(T("final_checkpoint"), final)]))
    blocks.append(
        Values(
            [
                (T("public_key"), facts.public_key or T("none")),
                (T("final_hash"), last.hash() if last else T("none")),
                (T("tally_signature"), facts.tally_signature or T("none")),
            ]
        )
    )

    blocks.append(Heading(T("signatures")))
    blocks.append(
        Signatures(
            rows=[(role_label(role, lang), name) for role, name in facts.commission]
            or [(role_label("chair", lang), ""), (role_label("secretary", lang), "")],
            sign_label=T("signature"),
            date_label=T("drawn_up"),
        )
    )
    return blocks


def list_blocks(facts: Facts, contest: ContestFacts, lang: str, labels: dict) -> list[Any]:
    T = lambda key, **p: text(key, lang, **p)  # noqa: E731
    campaign = facts.campaign
    blocks: list[Any] = [Heading(T("list_heading", title=contest.title))]
    result = contest.result
    ref = facts.reference_date
    if result and result.get("reference_date"):
        ref = dt.date.fromisoformat(result["reference_date"])
    fields = [
        (T("list_length"), str(contest.length)),
        (T("rules"), rules_label(facts, lang)),
        (T("ref_date"), fmt_date(ref)),
        (T("lot_seed"), campaign.tie_break_seed or "—"),
    ]
    if campaign.prefix_mode:
        fields.append((T("prefix_on"), T("yes")))
    blocks.append(Fields(fields))
    if result is None:
        blocks.append(Para(T("not_built")))
        return blocks
    if "infeasible" in result:
        blocks.extend(Para(line) for line in infeasible_sentences(result, labels, lang))
        return blocks
    rows = result["list"]
    blocks.append(
        Table(
            headers=[
                T("col_position"),
                T("col_candidate"),
                T("col_votes"),
                T("col_vote_rank"),
                T("col_groups"),
                T("col_reason"),
            ],
            rows=[
                [
                    str(r["position"]),
                    r["name"] or r["id"],
                    str(r["votes"]),
                    str(r["vote_rank"]),
                    ", ".join(labels.get(g, g) for g in r["groups"]),
                    reason_short(r, labels, lang),
                ]
                for r in rows
            ],
            widths=(14, 45, 17, 18, 30, 32),
            align=("R", "L", "R", "R", "L", "L"),
        )
    )
    quotas = result.get("quotas", [])
    if quotas:
        blocks.append(Heading(T("quota_check")))
        blocks.append(
            Table(
                headers=[
                    T("col_group"),
                    T("col_min_share"),
                    T("col_needed"),
                    T("col_present"),
                    T("col_met"),
                ],
                rows=[
                    [
                        labels.get(q["group"], q.get("label", q["group"])),
                        f"{q['min_share']}%",
                        str(q["needed"]),
                        str(q["count"]),
                        T("yes") if q["count"] >= q["needed"] else T("no"),
                    ]
                    for q in quotas
                ],
                widths=(70, 25, 20, 20, 20),
                align=("L", "R", "R", "R", "C"),
            )
        )
        check = recheck(result, facts, contest, lang)
        if check:
            blocks.append(Para(check, small=True))
    blocks.append(Heading(T("departures")))
    departures = [r for r in rows if r.get("reason")]
    if departures:
        blocks.extend(Para(departure_sentence(r, facts, labels, lang)) for r in departures)
    else:
        blocks.append(Para(T("no_departures")))
    return blocks


def footer_text(facts: Facts, lang: str) -> str:
    return text(
        "footer",
        lang,
        slug=facts.campaign.slug,
        date=fmt_moment(facts.generated_at),
    )


# --------------------------------------------------------------------------- PDF


def write_pdf(facts: Facts, lang: str, out: IO[bytes]) -> None:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos
    from fpdf.fonts import FontFace

    # fpdf2 subsets the font with fontTools, which logs every table it prunes at INFO.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    footer = footer_text(facts, lang)
    page_label = text("page", lang, page="{page}", pages="{nb}")

    class Protocol(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font("DejaVu", "", 7)
            self.set_text_color(90)
            self.cell(0, 5, footer, align="L")
            self.set_x(self.l_margin)
            self.cell(0, 5, page_label.replace("{page}", str(self.page_no())), align="R")
            self.set_text_color(0)

    pdf = Protocol(format="A4")
    pdf.set_margins(18, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    add_fonts(pdf)
    pdf.set_title(f"{text('title', lang)}: {facts.campaign.title}")
    pdf.set_author(branch_name(facts.region, lang))
    pdf.set_creator("Bastau")
    pdf.set_lang({"kk": "kk-KZ", "ru": "ru-RU"}.get(lang, "en"))
    pdf.c_margin = 0  # text starts at the margin, as the tables' first column does
    pdf.add_page()
    nl = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
    bold = FontFace(emphasis="BOLD", fill_color=(236, 236, 236))

    for block in protocol_blocks(facts, lang):
        if isinstance(block, Title):
            for i, line in enumerate(block.lines):
                if not line:
                    pdf.ln(3)
                    continue
                pdf.set_font("DejaVu", "B", 13 if i >= len(block.lines) - 2 else 10)
                pdf.multi_cell(0, 6, line, align="C", **nl)
            pdf.ln(3)
        elif isinstance(block, Heading):
            if pdf.will_page_break(20):
                pdf.add_page()
            pdf.ln(2)
            pdf.set_font("DejaVu", "B", 11)
            pdf.multi_cell(0, 6, block.text, align="L", **nl)
            pdf.ln(1)
        elif isinstance(block, Para):
            pdf.set_font("DejaVu", "", 8 if block.small else 9.5)
            pdf.multi_cell(0, 4.5 if block.small else 5, block.text, align="L", **nl)
            pdf.ln(1)
        elif isinstance(block, Fields):
            pdf.set_font("DejaVu", "", 9.5)
            with pdf.table(
                align="LEFT",
                col_widths=(42, 58),
                borders_layout="NONE",
                first_row_as_headings=False,
                text_align=("LEFT", "LEFT"),
                line_height=5,
                padding=(0.6, 1, 0.6, 0),
            ) as table:
                for label, value in block.rows:
                    row = table.row()
                    row.cell(label)
                    row.cell(value)
            pdf.ln(1)
        elif isinstance(block, Values):
            for label, value in block.rows:
                if pdf.will_page_break(11):
                    pdf.add_page()
                pdf.set_font("DejaVu", "", 9.5)
                pdf.multi_cell(0, 5, label, align="L", **nl)
                pdf.set_font("DejaVu", "", 8)
                pdf.multi_cell(0, 4.5, value, align="L", **nl)
                pdf.ln(1)
        elif isinstance(block, Table):
            pdf.set_font("DejaVu", "", 8.5)
            align = tuple({"L": "LEFT", "R": "RIGHT", "C": "CENTER"}[a] for a in block.align)
            with pdf.table(
                align="LEFT",
                col_widths=block.widths,
                text_align=align,
                line_height=4.6,
                headings_style=bold,
                padding=(0.8, 1),
            ) as table:
                head = table.row()
                for h in block.headers:
                    head.cell(h)
                for values in block.rows:
                    row = table.row()
                    for v in values:
                        row.cell(v)
            pdf.ln(2)
        elif isinstance(block, Signatures):
            pdf.ln(2)
            width = pdf.epw
            for role, name in block.rows:
                if pdf.will_page_break(16):
                    pdf.add_page()
                pdf.set_font("DejaVu", "B", 9.5)
                pdf.cell(width * 0.30, 8, role)
                pdf.set_font("DejaVu", "", 9.5)
                pdf.cell(width * 0.38, 8, name)
                pdf.cell(width * 0.32, 8, "_" * 28, align="R", **nl)
                pdf.set_font("DejaVu", "", 7)
                pdf.cell(width * 0.68, 3, "")
                pdf.cell(width * 0.32, 3, block.sign_label, align="C", **nl)
                pdf.ln(3)
            pdf.ln(3)
            pdf.set_font("DejaVu", "", 9.5)
            pdf.cell(width * 0.30, 8, block.date_label)
            pdf.cell(0, 8, "«____» ______________ 20___", **nl)
    pdf.output(out)


# --------------------------------------------------------------------------- DOCX


def write_docx(facts: Facts, lang: str, out: IO[bytes]) -> None:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin, section.right_margin = Cm(2.0), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(1.5), Cm(1.5)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(11)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), "Times New Roman")
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), DOCX_LANG.get(lang, "kk-KZ"))
    rpr.append(language)
    normal.paragraph_format.space_after = Pt(2)
    doc.core_properties.title = f"{text('title', lang)}: {facts.campaign.title}"
    doc.core_properties.author = branch_name(facts.region, lang)
    doc.core_properties.language = DOCX_LANG.get(lang, "kk-KZ")

    footer = section.footer.paragraphs[0]
    run = footer.add_run(footer_text(facts, lang) + " · ")
    run.font.size = Pt(8)
    page_field = OxmlElement("w:fldSimple")
    page_field.set(qn("w:instr"), "PAGE")
    field_run = OxmlElement("w:r")
    field_text = OxmlElement("w:t")
    field_text.text = "1"
    field_run.append(field_text)
    page_field.append(field_run)
    footer._p.append(page_field)

    def table_with(headers, rows, widths, align, grid=True):
        table = doc.add_table(rows=0, cols=len(widths))
        if grid:
            table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        total = sum(widths)
        usable = 17.5
        cols = [Cm(usable * w / total) for w in widths]
        all_rows = ([headers] if headers else []) + rows
        for index, values in enumerate(all_rows):
            cells = table.add_row().cells
            for j, value in enumerate(values):
                cells[j].width = cols[j]
                paragraph = cells[j].paragraphs[0]
                paragraph.paragraph_format.space_after = Pt(0)
                if align[j] == "R":
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                elif align[j] == "C":
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                r = paragraph.add_run(value)
                r.font.size = Pt(9.5)
                if headers and index == 0:
                    r.bold = True
        if headers:  # repeat the header row on every page
            tr_pr = table.rows[0]._tr.get_or_add_trPr()
            header = OxmlElement("w:tblHeader")
            header.set(qn("w:val"), "true")
            tr_pr.append(header)
        return table

    for block in protocol_blocks(facts, lang):
        if isinstance(block, Title):
            for i, line in enumerate(block.lines):
                paragraph = doc.add_paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                if line:
                    r = paragraph.add_run(line)
                    r.bold = True
                    r.font.size = Pt(14 if i >= len(block.lines) - 2 else 11)
        elif isinstance(block, Heading):
            paragraph = doc.add_heading(block.text, level=2)
            paragraph.paragraph_format.keep_with_next = True
            for r in paragraph.runs:
                r.font.color.rgb = RGBColor(0, 0, 0)
                r.font.name = "Times New Roman"
                r.font.size = Pt(12)
        elif isinstance(block, Para):
            paragraph = doc.add_paragraph()
            r = paragraph.add_run(block.text)
            if block.small:
                r.font.size = Pt(9)
        elif isinstance(block, Fields):
            table_with(None, [list(row) for row in block.rows], (42, 58), ("L", "L"), grid=False)
        elif isinstance(block, Values):
            for label, value in block.rows:
                paragraph = doc.add_paragraph()
                paragraph.paragraph_format.keep_with_next = True
                paragraph.add_run(label)
                paragraph = doc.add_paragraph()
                r = paragraph.add_run(value)
                r.font.size = Pt(9)
                r.font.name = "Consolas"
        elif isinstance(block, Table):
            table_with(block.headers, block.rows, block.widths, block.align)
            doc.add_paragraph()
        elif isinstance(block, Signatures):
            rows = []
            for role, name in block.rows:
                rows.append([role, name, "_" * 24])
                rows.append(["", "", block.sign_label])
            table = table_with(None, rows, (30, 40, 30), ("L", "L", "C"), grid=False)
            for i, row in enumerate(table.rows):
                if i % 2 == 0:
                    row.cells[0].paragraphs[0].runs[0].bold = True
                    row.height = Cm(1.0)
                else:
                    for cell in row.cells:
                        for r in cell.paragraphs[0].runs:
                            r.font.size = Pt(8)
            doc.add_paragraph()
            paragraph = doc.add_paragraph()
            paragraph.add_run(f"{block.date_label}: «____» ______________ 20___")
    doc.save(out)


# --------------------------------------------------------------------------- XLSX


def _cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is stored as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _sheet_title(title: str, taken: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip("'") or "list"
    clean = clean[:31]
    candidate, n = clean, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate = clean[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(candidate.lower())
    return candidate


def write_results_xlsx(facts: Facts, lang: str, out: IO[bytes]) -> None:
    """Sheets: the summary, every candidate with votes and rank, and one sheet per list."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    T = lambda key, **p: text(key, lang, **p)  # noqa: E731
    campaign = facts.campaign
    labels = group_labels(facts.rules, lang)
    book = Workbook()
    taken: set[str] = set()
    bold = Font(bold=True)

    summary = book.active
    summary.title = _sheet_title(T("summary_sheet"), taken)
    last = facts.last_checkpoint
    rows = [
        (T("branch"), branch_name(facts.region, lang)),
        (T("scope"), branch_name(facts.branch, lang)),
        (T("campaign"), campaign.title),
        (T("kind"), T(f"kind_{campaign.kind}")),
        (T("stage"), status_label(campaign, lang)),
        (
            T("voting_period"),
            fmt_range(fmt_moment(campaign.voting_starts), fmt_moment(campaign.voting_ends)),
        ),
        (T("roll"), facts.roll),
        (T("ballots"), facts.ballots),
        (T("online"), facts.online),
        (T("paper"), facts.paper),
        (T("blank"), facts.blank),
        (T("turnout"), float(share(facts.voted, facts.roll)) / 100),
        (T("registered"), facts.candidates),
        (T("by_poo"), facts.by_poo),
        (T("self"), facts.candidates - facts.by_poo),
        (T("women"), facts.women),
        (T("youth", age=facts.youth_age), facts.youth),
        (T("rules"), rules_label(facts, lang)),
        (T("lot_seed"), campaign.tie_break_seed or T("tie_order")),
        (T("public_key"), facts.public_key),
        (T("final_hash"), last.hash() if last else ""),
        (T("tally_signature"), facts.tally_signature),
    ]
    for label, value in rows:
        summary.append([label, _cell(value)])
        summary.cell(row=summary.max_row, column=1).font = bold
    turnout_row = [r[0] for r in rows].index(T("turnout")) + 1
    summary.cell(row=turnout_row, column=2).number_format = "0.0%"
    summary.column_dimensions["A"].width = 48
    summary.column_dimensions["B"].width = 70

    sheet = book.create_sheet(_sheet_title(T("candidates"), taken))
    header = [
        T("col_list"),
        T("col_rank"),
        T("col_number"),
        T("col_candidate"),
        T("col_nomination"),
        T("col_groups"),
        T("col_votes"),
        T("col_percent"),
    ]
    sheet.append(header)
    for contest in facts.contests:
        for c in contest.ranking:
            sheet.append(
                [
                    _cell(contest.title),
                    c.rank,
                    c.number,
                    _cell(c.name),
                    T("nom_poo") if c.nomination == Candidate.Nomination.POO else T("nom_self"),
                    candidate_groups(c, facts, labels),
                    c.votes,
                    float(share(c.votes, contest.ballots, 2)) / 100,
                ]
            )
            sheet.cell(row=sheet.max_row, column=8).number_format = "0.00%"
    for cell in sheet[1]:
        cell.font = bold
    sheet.freeze_panes = "A2"
    for col, width in zip("ABCDEFGH", (28, 8, 9, 40, 18, 30, 10, 12), strict=True):
        sheet.column_dimensions[col].width = width

    for contest in facts.contests:
        if not contest.length:
            continue
        sheet = book.create_sheet(_sheet_title(f"{T('col_list')} {contest.code}", taken))
        sheet.append([T("list_heading", title=contest.title)])
        sheet["A1"].font = Font(bold=True, size=12)
        result = contest.result
        if result is None:
            sheet.append([T("not_built")])
            continue
        if "infeasible" in result:
            for line in infeasible_sentences(result, labels, lang):
                sheet.append([line])
            continue
        sheet.append(
            [
                T("col_position"),
                T("col_candidate"),
                T("col_votes"),
                T("col_vote_rank"),
                T("col_groups"),
                T("col_reason"),
            ]
        )
        for cell in sheet[2]:
            cell.font = bold
        for r in result["list"]:
            sheet.append(
                [
                    r["position"],
                    _cell(r["name"] or r["id"]),
                    r["votes"],
                    r["vote_rank"],
                    ", ".join(labels.get(g, g) for g in r["groups"]),
                    departure_sentence(r, facts, labels, lang)
                    if r.get("reason")
                    else T("in_vote_order"),
                ]
            )
            sheet.cell(row=sheet.max_row, column=6).alignment = Alignment(wrap_text=True)
        sheet.append([])
        sheet.append([T("quota_check")])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.append(
            [T("col_group"), T("col_min_share"), T("col_needed"), T("col_present"), T("col_met")]
        )
        for q in result.get("quotas", []):
            sheet.append(
                [
                    labels.get(q["group"], q.get("label", q["group"])),
                    q["min_share"] / 100,
                    q["needed"],
                    q["count"],
                    T("yes") if q["count"] >= q["needed"] else T("no"),
                ]
            )
            sheet.cell(row=sheet.max_row, column=2).number_format = "0%"
        sheet.freeze_panes = "A3"
        for col, width in zip("ABCDEF", (10, 40, 10, 12, 30, 80), strict=True):
            sheet.column_dimensions[col].width = width
    book.save(out)


# --------------------------------------------------------------------------- entry points


def write_protocol(campaign: Campaign, lang: str, fmt: str, out: IO[bytes]) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: use one of {LANGUAGES}")
    facts = gather(campaign)
    if fmt == "pdf":
        write_pdf(facts, lang, out)
    elif fmt == "docx":
        write_docx(facts, lang, out)
    else:
        raise ValueError(f"format {fmt!r}: use one of {FORMATS}")


def write_results(campaign: Campaign, lang: str, out: IO[bytes]) -> None:
    write_results_xlsx(gather(campaign), normalise_language(lang), out)
