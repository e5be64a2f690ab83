"""Demo step: deputies' oversight (DESIGN.md section 4, issue 5 item 6).

- 14 maslikhats: the regional one (34 seats, 17 by party list and 17 by single-member
  district), the Aktobe city maslikhat and the 12 district maslikhats (elected wholly in
  single-member districts, as the 2023 law has it for them), each with its VIII convocation
  (elected 19 March 2023) and the VII before it; every seat of the VIII convocation is taken,
  so the region has exactly 204 active deputies (whatever ``--members``), plus a few whose
  mandate ended and whose seat went to someone else;
- deputies with an average age of about 51 and about a fifth of them women; most from the
  party (many linked to a current member of the maslikhat's branch whose age and sex fit:
  birth date and sex then come from the member record), the others from other parties or
  self-nominated; standing committees, the chair, the secretary and committee chairs;
- one party faction per maslikhat with all the party's deputies and a leader;
- a reporting schedule approved this year for every maslikhat: a report by each faction
  deputy, held (attendance, questions raised), missed, postponed, overdue (date passed,
  nothing recorded) and upcoming. No question is turned into an appeal by default
  (`QUESTION_TO_APPEAL`): the link (PROTECT) would outlive the reception step's own reset,
  which deletes its appeals alone, and the new appeal would change the reception's exact
  figures; `question_to_appeal(ctx)` does it through the service on demand;
- budget indicators 2020-2023 in every sector for the regional maslikhat, the city and
  Mugalzhar (plan, corrected plan, actual, million tenge), some lagging below the 90%
  threshold (regional roads 2023 at 71%), with the faction or a deputy responsible and
  monitoring notes on the lagging ones;
- the faction secretary "faction" of the regional maslikhat (demo password).

Everything but the one appeal is written with bulk_create (these models keep no history).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils import timezone

from bastau.accounts.models import Role, User
from bastau.core.choices import Sex
from bastau.lib.dates import add_years, age_on
from bastau.members.models import Member
from bastau.members.statistics import members_at
from bastau.oversight.models import (
    BudgetImport,
    BudgetIndicator,
    BudgetSector,
    Convocation,
    Deputy,
    Faction,
    Maslikhat,
    MonitoringNote,
    ReportQuestion,
    ReportSchedule,
    ScheduledReport,
)

from . import DEMO_PASSWORD, REGION_CODE, DemoContext, Step, password_hash
from .members import People
from .structure import BRANCHES, DEMO_DISTRICT, REGION, demo_branches

#: Turn one question of the regional maslikhat into a reception appeal while seeding (see the
#: module doc: off until the reception step's reset releases questions linked to its appeals).
QUESTION_TO_APPEAL = False

FACTION_USER = "faction"
FACTION_EMAIL = "faction@bastau.example"
FACTION_PHONE = "+77005550106"

CURRENT = (8, dt.date(2023, 3, 19))  # VIII convocation
PREVIOUS = (7, dt.date(2021, 1, 10))  # VII convocation

#: Seats of the VIII convocation: (by list, by district). 34 + 30 + 140 = 204.
SEATS = {
    REGION_CODE: (17, 17),
    "aktobe-city": (0, 30),
    DEMO_DISTRICT: (0, 15),
    "alga": (0, 13),
    "khromtau": (0, 13),
    "shalkar": (0, 12),
    "temir": (0, 12),
    "martuk": (0, 11),
    "kargaly": (0, 11),
    "kobda": (0, 11),
    "aiteke-bi": (0, 11),
    "baiganin": (0, 11),
    "uil": (0, 10),
    "irgiz": (0, 10),
}
TOTAL_DEPUTIES = sum(a + b for a, b in SEATS.values())  # 204

#: The regional list seats won by each party (the rest by ours), 2023.
LIST_OTHERS = (
    "«Ақ жол» ҚДП",
    "«Ақ жол» ҚДП",
    "«Ауыл» ХПДП",
    "«Respublica» партиясы",
    "«Respublica» партиясы",
    "Қазақстан Халық партиясы",
    "ЖСДП",
)
DISTRICT_OTHERS = ("«Ауыл» ХПДП", "«Ақ жол» ҚДП", "«Respublica» партиясы")
OURS_DISTRICT_SHARE = 0.78  # of single-member district seats; the rest mostly self-nominated
WOMEN_SHARE = 0.21
LINK_SHARE = 0.65  # of our deputies, linked to a member when one fits
ENDED_MANDATES = ("aktobe-city", DEMO_DISTRICT, "alga")

COMMITTEES_REGIONAL = (
    "Бюджет және әлеуметтік-экономикалық даму мәселелері жөніндегі тұрақты комиссия",
    "Әлеуметтік-мәдени даму мәселелері жөніндегі тұрақты комиссия",
    "Өнеркәсіп, құрылыс, көлік және тұрғын үй-коммуналдық шаруашылық мәселелері жөніндегі "
    "тұрақты комиссия",
    "Аграрлық мәселелер, жер қатынастары және экология жөніндегі тұрақты комиссия",
    "Заңдылық, құқықтық тәртіп және азаматтардың өтініштері жөніндегі тұрақты комиссия",
)
COMMITTEES_LOCAL = (
    "Бюджет және экономика мәселелері жөніндегі тұрақты комиссия",
    "Әлеуметтік сала және заңдылық мәселелері жөніндегі тұрақты комиссия",
    "Инфрақұрылым, ТКШ және аграрлық мәселелер жөніндегі тұрақты комиссия",
)
CHAIR = "Мәслихат төрағасы"
SECRETARY = "Мәслихат хатшысы"
COMMITTEE_CHAIR = "Тұрақты комиссия төрағасы"

# Reports ------------------------------------------------------------------------------------------
#: Past reports, in date order, cycle through these outcomes ("overdue": nothing recorded).
PAST_OUTCOMES = (
    "held", "held", "overdue", "held", "postponed", "held", "missed", "held", "held", "overdue",
)  # fmt: skip
TOPICS = (
    (ScheduledReport.Subject.BUDGET, "Жергілікті бюджеттің атқарылуы және бюджет қаражатының "
                                     "игерілуі туралы"),
    (ScheduledReport.Subject.BUDGET, "Білім беру және денсаулық сақтау нысандарына бөлінген "
                                     "қаражаттың жұмсалуы туралы"),
    (ScheduledReport.Subject.BUDGET, "Жолдарды жөндеуге бөлінген қаражаттың игерілуі туралы"),
    (ScheduledReport.Subject.WORK, "Депутаттың сайлаушылар алдындағы жұмысы туралы есеп"),
)  # fmt: skip
PLACES = ("мәдениет үйі", "№{n} мектептің мәжіліс залы", "ауылдық клуб", "әкімдіктің залы")
AUDIENCES = (
    "Тұрғындар, партия белсенділері",
    "Сайлау округінің тұрғындары",
    "Бастауыш партия ұйымдарының төрағалары, тұрғындар",
)
QUESTIONS = (
    "Ауылдағы көше жарығы қашан жөнделеді?",
    "Мектептің спорт залын күрделі жөндеу жоспарда бар ма?",
    "Аудан орталығына баратын жолдың жөндеуі неге кешіктірілді?",
    "Көп балалы отбасыларға тұрғын үй кезегі қалай жүріп жатыр?",
    "Емхананың жаңа ғимаратының құрылысы қашан аяқталады?",
    "Ауыз су құбырын тарту жұмыстары қай жылға жоспарланған?",
    "Жастарға арналған спорт алаңын салуға қаражат бөлінді ме?",
)
POSTPONE_REASONS = (
    "Депутаттың іссапарына байланысты",
    "Мәслихат сессиясының өтуіне байланысты",
)

# Budget -------------------------------------------------------------------------------------------
BUDGET_YEARS = (2020, 2021, 2022, 2023)
UNIT = "млн теңге"
#: Per sector: (indicator code, name, budget programme, 2020 plan of the regional maslikhat
#: in million tenge). The regional maslikhat has both indicators of a sector, the others the
#: first only.
INDICATORS = {
    BudgetSector.EDUCATION: (
        ("261-003", "Жалпы білім беру", "Жалпы білім беретін оқыту", 61_000),
        ("261-015", "Мектептер салу және реконструкциялау", "Білім беру нысандарын дамыту",
         19_500),
    ),
    BudgetSector.HEALTHCARE: (
        ("253-038", "Денсаулық сақтау нысандарын салу", "Денсаулық сақтауды дамыту", 14_000),
        ("253-010", "Халыққа алғашқы медициналық-санитариялық көмек", "Медициналық көмек",
         21_000),
    ),
    BudgetSector.SOCIAL: (
        ("256-007", "Мемлекеттік атаулы әлеуметтік көмек", "Әлеуметтік көмек", 9_800),
        ("256-050", "Мүгедектігі бар адамдарды оңалту", "Әлеуметтік оңалту", 4_200),
    ),
    BudgetSector.HOUSING: (
        ("279-011", "Сумен жабдықтау және су бұру жүйесін дамыту", "ТКШ дамыту", 12_500),
        ("279-017", "Коммуналдық тұрғын үй қорын салу", "Тұрғын үй құрылысы", 15_800),
    ),
    BudgetSector.ROADS: (
        ("268-025", "Автомобиль жолдарын күрделі, орташа және ағымдағы жөндеу", "Жол қозғалысы",
         17_300),
        ("268-005", "Әлеуметтік маңызы бар қатынастар бойынша жолаушылар тасымалы",
         "Көлік инфрақұрылымы", 3_600),
    ),
    BudgetSector.AGRICULTURE: (
        ("255-047", "Агроөнеркәсіптік кешенді субсидиялау", "Ауыл шаруашылығын дамыту", 16_400),
        ("255-019", "Ветеринариялық іс-шаралар", "Ветеринария", 2_900),
    ),
    BudgetSector.CULTURE: (
        ("261-022", "Спорт нысандарын салу", "Дене шынықтыру мен спортты дамыту", 4_700),
        ("262-005", "Мәдени-демалыс жұмысын қолдау", "Мәдениет", 3_100),
    ),
    BudgetSector.OTHER: (
        ("271-040", "Өңірлерді дамытудың 2025 жылға дейінгі бағдарламасы", "Өңірлік даму",
         8_400),
        ("120-001", "Жергілікті атқарушы органдардың қызметі", "Мемлекеттік басқару", 6_200),
    ),
}  # fmt: skip
#: Maslikhats with indicators and their scale against the regional plan.
BUDGET_SCALE = {
    REGION_CODE: Decimal(1),
    "aktobe-city": Decimal("0.28"),
    DEMO_DISTRICT: Decimal("0.05"),
}
#: Lagging on purpose: (branch, sector, year, indicator index) -> execution %.
LAGGING = {
    (REGION_CODE, BudgetSector.ROADS, 2023, 0): Decimal("71.00"),
    (REGION_CODE, BudgetSector.HOUSING, 2022, 1): Decimal("84.30"),
    (REGION_CODE, BudgetSector.HEALTHCARE, 2021, 0): Decimal("86.70"),
    (REGION_CODE, BudgetSector.CULTURE, 2020, 0): Decimal("78.20"),
    ("aktobe-city", BudgetSector.HOUSING, 2023, 0): Decimal("82.50"),
    (DEMO_DISTRICT, BudgetSector.ROADS, 2023, 0): Decimal("76.40"),
    (DEMO_DISTRICT, BudgetSector.EDUCATION, 2022, 0): Decimal("88.90"),
}
NOTES = (
    "Фракция мүшелері нысанға барып, мердігердің жұмыс кестесінен қалып отырғанын анықтады.",
    "Жауапты басқармаға депутаттық сауал жіберілді; қаражатты игеру мерзімі сұралды.",
    "Мәслихат сессиясында басқарма басшысының есебі тыңдалды, бақылау жалғасуда.",
)
#: The sector each committee of the regional maslikhat answers for (index in COMMITTEES_*).
SECTOR_COMMITTEE = {
    BudgetSector.EDUCATION: 1,
    BudgetSector.HEALTHCARE: 1,
    BudgetSector.SOCIAL: 1,
    BudgetSector.CULTURE: 1,
    BudgetSector.HOUSING: 2,
    BudgetSector.ROADS: 2,
    BudgetSector.AGRICULTURE: 3,
    BudgetSector.OTHER: 0,
}

MILLION = Decimal("0.01")


def _q(value) -> Decimal:
    return Decimal(value).quantize(MILLION, ROUND_HALF_UP)


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _names(branch_code: str) -> tuple[str, str]:
    spec = (
        REGION if branch_code == REGION_CODE else next(s for s in BRANCHES if s.code == branch_code)
    )
    return (
        spec.name.replace("филиалы", "мәслихаты"),
        spec.name_ru.replace("филиал", "маслихат"),
    )


def _deputy_age(rng) -> int:
    return max(31, min(69, round(rng.gauss(51, 8))))


# Maslikhats, convocations, deputies, factions ----------------------------------------------------
def _maslikhats(branches) -> dict[str, Maslikhat]:
    rows = []
    for code, (by_list, by_district) in SEATS.items():
        branch = branches[code]
        name, name_ru = _names(code)
        level = {
            REGION_CODE: Maslikhat.Level.REGIONAL,
            "aktobe-city": Maslikhat.Level.CITY,
        }.get(code, Maslikhat.Level.DISTRICT)
        rows.append(
            Maslikhat(
                level=level,
                name=name,
                name_ru=name_ru,
                branch=branch,
                seats_total=by_list + by_district,
                seats_by_list=by_list,
                seats_by_district=by_district,
            )
        )
    Maslikhat.objects.bulk_create(rows)
    return {m.branch.code: m for m in Maslikhat.objects.filter(branch__in=branches.values())}


def _convocations(maslikhats: dict[str, Maslikhat]) -> dict[str, Convocation]:
    rows = []
    for m in maslikhats.values():
        rows.append(
            Convocation(
                maslikhat=m,
                number=PREVIOUS[0],
                started_on=PREVIOUS[1],
                ended_on=CURRENT[1] - dt.timedelta(days=1),
            )
        )
        rows.append(Convocation(maslikhat=m, number=CURRENT[0], started_on=CURRENT[1]))
    Convocation.objects.bulk_create(rows)
    return {
        c.maslikhat.branch.code: c
        for c in Convocation.objects.filter(
            maslikhat__in=maslikhats.values(), number=CURRENT[0]
        ).select_related("maslikhat__branch")
    }


class _MemberPool:
    """Current members of each branch by (sex, age), for deputies who are party members:
    (pk, last name, first name, patronymic) rows, read in one query."""

    def __init__(self, today: dt.date):
        self.by_branch: dict[str, dict[tuple[str, int], list[tuple]]] = {}
        qs = members_at(
            Member.objects.filter(
                poo__branch__in=demo_branches(),
                status=Member.Status.ACTIVE,
                birth_date__gt=add_years(today, -71),
                birth_date__lte=add_years(today, -30),
            ),
            today,
        ).order_by("pk")
        for pk, code, sex, born, *names in qs.values_list(
            "pk", "poo__branch__code", "sex", "birth_date", "last_name", "first_name", "patronymic"
        ):
            key = (sex, age_on(born, today))
            self.by_branch.setdefault(code, {}).setdefault(key, []).append((pk, *names))
        self.used: set[int] = set()

    def take(self, rng, branch_code: str, sex: str, age: int) -> tuple | None:
        # The regional maslikhat's party deputies come from anywhere in the region: the city.
        code = "aktobe-city" if branch_code == REGION_CODE else branch_code
        pool = self.by_branch.get(code, {})
        for delta in (0, 1, -1, 2, -2):
            candidates = [m for m in pool.get((sex, age + delta), ()) if m[0] not in self.used]
            if candidates:
                member = rng.choice(candidates)
                self.used.add(member[0])
                return member
        return None


def _deputy(rng, people: People, pool: _MemberPool, convocation, faction, *, party, party_name,
            elected_by, district_number, link: bool) -> Deputy:  # fmt: skip
    sex = Sex.FEMALE if rng.random() < WOMEN_SHARE else Sex.MALE
    age = _deputy_age(rng)
    person = people.person(age=age, sex=sex)
    member = None
    if party == Deputy.Party.OURS and link:
        member = pool.take(rng, convocation.maslikhat.branch.code, sex, age)
    deputy = Deputy(
        maslikhat=convocation.maslikhat,
        convocation=convocation,
        member_id=member[0] if member else None,
        party=party,
        party_name=party_name,
        elected_by=elected_by,
        district_number=district_number,
        faction=faction if party == Deputy.Party.OURS else None,
        phone=person["phone"],
        email=person["email"],
    )
    if member is not None:
        deputy.last_name, deputy.first_name, deputy.patronymic = member[1:]
    else:
        deputy.last_name, deputy.first_name = person["last_name"], person["first_name"]
        deputy.patronymic = person["patronymic"]
        deputy.birth_date, deputy.sex = person["birth_date"], person["sex"]
    return deputy


def _deputies(ctx, rng, convocations, factions) -> list[Deputy]:
    people = People(rng, ctx.today)
    pool = _MemberPool(ctx.today)
    deputies: list[Deputy] = []
    for code, convocation in convocations.items():
        maslikhat = convocation.maslikhat
        faction = factions[code]
        mine: list[Deputy] = []
        list_parties = [("", Deputy.Party.OURS)] * (maslikhat.seats_by_list - len(LIST_OTHERS))
        list_parties += [(name, Deputy.Party.OTHER) for name in LIST_OTHERS]
        if maslikhat.seats_by_list == 0:
            list_parties = []
        for party_name, party in list_parties:
            mine.append(
                _deputy(rng, people, pool, convocation, faction, party=party,
                        party_name=party_name, elected_by=Deputy.Election.LIST,
                        district_number=None, link=rng.random() < LINK_SHARE)
            )  # fmt: skip
        for number in range(1, maslikhat.seats_by_district + 1):
            draw = rng.random()
            if draw < OURS_DISTRICT_SHARE:
                party, party_name = Deputy.Party.OURS, ""
            elif draw < OURS_DISTRICT_SHARE + 0.06:
                party, party_name = Deputy.Party.OTHER, rng.choice(DISTRICT_OTHERS)
            else:
                party, party_name = Deputy.Party.NONE, ""
            mine.append(
                _deputy(rng, people, pool, convocation, faction, party=party,
                        party_name=party_name, elected_by=Deputy.Election.DISTRICT,
                        district_number=number, link=rng.random() < LINK_SHARE)
            )  # fmt: skip
        _posts(rng, mine, code)
        deputies += mine
        if code in ENDED_MANDATES:  # someone resigned; the seat went to the one above
            ended = _deputy(rng, people, pool, convocation, None, party=Deputy.Party.NONE,
                            party_name="", elected_by=Deputy.Election.DISTRICT,
                            district_number=rng.randint(1, maslikhat.seats_by_district),
                            link=False)  # fmt: skip
            ended.status = Deputy.Status.ENDED
            ended.ended_on = people.date_between(CURRENT[1] + dt.timedelta(days=120),
                                                 CURRENT[1] + dt.timedelta(days=400))  # fmt: skip
            ended.end_reason = "Басқа жұмысқа ауысуына байланысты өз өтініші бойынша"
            ended.committee = rng.choice(COMMITTEES_LOCAL)
            deputies.append(ended)
    Deputy.objects.bulk_create(deputies, batch_size=500)
    return deputies


def _posts(rng, deputies: list[Deputy], code: str) -> None:
    committees = COMMITTEES_REGIONAL if code == REGION_CODE else COMMITTEES_LOCAL
    ours = [d for d in deputies if d.party == Deputy.Party.OURS]
    for index, deputy in enumerate(deputies):
        deputy.committee = committees[index % len(committees)]
    chair, secretary = ours[0], ours[1]
    chair.posts, chair.committee = CHAIR, ""
    secretary.posts, secretary.committee = SECRETARY, ""
    for committee in committees:
        in_committee = [d for d in deputies if d.committee == committee]
        head = next((d for d in in_committee if d.party == Deputy.Party.OURS), in_committee[0])
        head.posts = COMMITTEE_CHAIR


def _factions(convocations) -> dict[str, Faction]:
    rows = [
        Faction(
            maslikhat=c.maslikhat,
            convocation=c,
            name=f"{c.maslikhat.name}ндағы партия фракциясы",  # "...мәслихатындағы"
            formed_on=c.started_on + dt.timedelta(days=10),
        )
        for c in convocations.values()
    ]
    Faction.objects.bulk_create(rows)
    return {
        f.maslikhat.branch.code: f
        for f in Faction.objects.filter(convocation__in=convocations.values()).select_related(
            "maslikhat__branch"
        )
    }


def _leaders(rng, factions, deputies) -> None:
    for faction in factions.values():
        members = [d for d in deputies if d.faction_id == faction.pk and d.is_active]
        plain = [d for d in members if d.posts not in (CHAIR, SECRETARY)] or members
        faction.leader = rng.choice(plain)
    Faction.objects.bulk_update(factions.values(), ["leader"])


# Reporting schedules ----------------------------------------------------------------------------
def _schedules(ctx, rng, maslikhats, approvers) -> list[ReportSchedule]:
    today = ctx.today
    approved_on = max(today.replace(month=1, day=1), today - dt.timedelta(days=160))
    rows = [
        ReportSchedule(
            maslikhat=m,
            title=f"{m.name} фракциясы депутаттарының {today.year} жылғы сайлаушылар алдындағы "
            "есептерінің кестесі",
            period_start=today - dt.timedelta(days=150),
            period_end=today + dt.timedelta(days=120),
            approved_on=approved_on,
            approved_by=approvers.get(code),
        )
        for code, m in maslikhats.items()
    ]
    ReportSchedule.objects.bulk_create(rows)
    return list(ReportSchedule.objects.filter(maslikhat__in=maslikhats.values()))


def _reports(ctx, rng, schedules, deputies, recorders) -> list[ScheduledReport]:
    today = ctx.today
    by_maslikhat: dict[int, list[Deputy]] = {}
    for d in deputies:
        if d.faction_id and d.is_active:
            by_maslikhat.setdefault(d.maslikhat_id, []).append(d)
    reports, questions = [], []
    for schedule in schedules:
        code = schedule.maslikhat.branch.code
        recorder = recorders.get(code)
        centre = (
            REGION if code == REGION_CODE else next(s for s in BRANCHES if s.code == code)
        ).centre
        span = (schedule.period_end - schedule.period_start).days
        drafts = []
        for deputy in by_maslikhat.get(schedule.maslikhat_id, []):
            day = schedule.period_start + dt.timedelta(days=rng.randrange(span + 1))
            subject, topic = rng.choice(TOPICS)
            place = rng.choice(PLACES).format(n=rng.randint(1, 30))
            drafts.append(
                ScheduledReport(
                    schedule=schedule,
                    deputy=deputy,
                    date=day,
                    first_date=day,
                    time=dt.time(rng.choice((10, 11, 15, 16)), 0),
                    place=f"{centre}, {place}",
                    audience=rng.choice(AUDIENCES),
                    subject=subject,
                    topic=topic,
                )
            )
        drafts.sort(key=lambda r: (r.date, r.deputy.last_name))
        past = [r for r in drafts if r.date < today]
        for index, report in enumerate(past):
            outcome = PAST_OUTCOMES[index % len(PAST_OUTCOMES)]
            if outcome == "held":
                report.status = ScheduledReport.Status.HELD
                report.held_on = report.date
                report.attendance = rng.randint(25, 180)
                report.outcome_note = "Есеп тыңдалды, сайлаушылардың ұсыныстары жинақталды."
                report.recorded_by = recorder
                report.recorded_at = _aware(report.date, 18)
                for text in rng.sample(QUESTIONS, rng.randint(1, 3)):
                    questions.append((report, text))
            elif outcome == "missed":
                report.status = ScheduledReport.Status.MISSED
                report.outcome_note = "Депутат есеп беру кездесуіне келмеді."
                report.recorded_by = recorder
                report.recorded_at = _aware(report.date + dt.timedelta(days=1), 10)
            elif outcome == "postponed":
                report.status = ScheduledReport.Status.POSTPONED
                report.postpone_count = 1
                report.postpone_reason = rng.choice(POSTPONE_REASONS)
                report.date = min(
                    today + dt.timedelta(days=rng.randint(7, 40)), schedule.period_end
                )
            # "overdue": left scheduled with its date passed
        upcoming = [r for r in drafts if r.date >= today and r.status == "scheduled"]
        for report in upcoming[::6]:  # a few upcoming ones were moved later already
            new_date = report.date + dt.timedelta(days=rng.randint(5, 20))
            if new_date <= schedule.period_end:
                report.date = new_date
                report.status = ScheduledReport.Status.POSTPONED
                report.postpone_count = 1
                report.postpone_reason = rng.choice(POSTPONE_REASONS)
        reports += drafts
    ScheduledReport.objects.bulk_create(reports, batch_size=500)
    people = People(rng, today)
    ReportQuestion.objects.bulk_create(
        [
            ReportQuestion(
                report=report,
                text=text,
                asked_by=_voter(people),
                created_by=report.recorded_by,
            )
            for report, text in questions
        ],
        batch_size=500,
    )
    return reports


def _voter(people: People) -> str:
    person = people.person()
    return f"{person['last_name']} {person['first_name']}"


def question_to_appeal(ctx: DemoContext) -> str:
    """One question of the regional maslikhat becomes an appeal through the service (the
    regional administrator may both record reports and register appeals); returns a note."""
    from bastau.accounts.scoping import Scope
    from bastau.oversight import services
    from bastau.reception.models import Topic

    maslikhat = _maslikhats_qs().filter(branch__code=REGION_CODE).first()
    admin = (
        User.objects.filter(role=Role.REGIONAL_ADMIN, branch__code=REGION_CODE, is_active=True)
        .order_by("pk")
        .first()
    )
    if maslikhat is None:
        return "no regional maslikhat: no question turned into an appeal"
    if admin is None:
        return "no regional administrator: no question turned into an appeal"
    topic = Topic.objects.filter(code="housing_utilities", active=True).first()
    question = (
        ReportQuestion.objects.filter(report__schedule__maslikhat=maslikhat, appeal__isnull=True)
        .exclude(asked_by="")
        .order_by("-report__held_on", "pk")
        .first()
    )
    if topic is None or question is None:
        return "no reception topic or question: no question turned into an appeal"
    appeal = services.question_to_appeal(
        Scope(admin), question, topic=topic, applicant={"applicant_phone": "+77015550123"}
    )
    return f"question {question.pk} became appeal {appeal.number}"


# Budget -------------------------------------------------------------------------------------------
def _indicators(ctx, rng, maslikhats, factions, deputies, author) -> list[BudgetIndicator]:
    by_committee: dict[tuple[int, str], Deputy] = {}
    for d in deputies:
        if d.posts == COMMITTEE_CHAIR and d.is_active:
            by_committee[(d.maslikhat_id, d.committee)] = d
    rows, notes = [], []
    for code, scale in BUDGET_SCALE.items():
        maslikhat = maslikhats[code]
        faction = factions[code]
        committees = COMMITTEES_REGIONAL if code == REGION_CODE else COMMITTEES_LOCAL
        for sector, specs in INDICATORS.items():
            chosen = specs if code == REGION_CODE else specs[:1]
            for index, (icode, name, program, base) in enumerate(chosen):
                for year in BUDGET_YEARS:
                    growth = Decimal("1.08") ** (year - 2020)
                    plan = _q(Decimal(base) * scale * growth * Decimal(rng.uniform(0.95, 1.05)))
                    corrected = _q(plan * Decimal(rng.uniform(0.96, 1.09)))
                    percent = LAGGING.get((code, sector, year, index))
                    lagging = percent is not None
                    if percent is None:
                        percent = Decimal(str(round(rng.uniform(91.5, 100.0), 1)))
                    indicator = BudgetIndicator(
                        maslikhat=maslikhat,
                        year=year,
                        sector=sector,
                        code=icode,
                        name=name,
                        program=program,
                        unit=UNIT,
                        plan=plan,
                        corrected_plan=corrected,
                        actual=_q(corrected * percent / 100),
                        updated_by=author,
                    )
                    indicator.refresh_execution(maslikhat.budget_threshold)
                    if lagging or (year == 2023 and index == 0):
                        indicator.responsible_faction = faction
                        committee = committees[SECTOR_COMMITTEE[sector] % len(committees)]
                        indicator.responsible_deputy = by_committee.get((maslikhat.pk, committee))
                    rows.append(indicator)
                    if indicator.lagging:
                        for step, text in enumerate(NOTES[: 2 + (year == 2023)]):
                            day = dt.date(year + 1, 2 + 2 * step, 10 + step)
                            notes.append((indicator, min(day, ctx.today), text))
    BudgetIndicator.objects.bulk_create(rows, batch_size=500)
    MonitoringNote.objects.bulk_create(
        [MonitoringNote(indicator=i, date=day, text=text, author=author) for i, day, text in notes]
    )
    return rows


# The step -----------------------------------------------------------------------------------------
def _faction_user(region) -> User:
    user = User.objects.filter(username=FACTION_USER).first()
    if user is None:
        user = User(
            username=FACTION_USER,
            role=Role.FACTION_SECRETARY,
            branch=region,
            first_name="Айгерім",
            last_name="Нұрмағанбетова",
            email=FACTION_EMAIL,
            phone=FACTION_PHONE,
        )
        user.password = password_hash()
        user.save()
    return user


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng("oversight")
    branches = {b.code: b for b in demo_branches()}
    region = branches[REGION_CODE]
    faction_user = _faction_user(region)
    admin = User.objects.filter(
        role=Role.REGIONAL_ADMIN, branch=region, is_active=True
    ).order_by("pk").first()  # fmt: skip
    secretaries = {
        u.branch.code: u
        for u in User.objects.filter(
            role=Role.DISTRICT_SECRETARY, branch__in=branches.values(), is_active=True
        )
        .select_related("branch")
        .order_by("-pk")
    }
    approvers = {code: secretaries.get(code, admin) for code in SEATS}
    recorders = dict(approvers, **{REGION_CODE: faction_user})

    maslikhats = _maslikhats(branches)
    convocations = _convocations(maslikhats)
    factions = _factions(convocations)
    deputies = _deputies(ctx, rng, convocations, factions)
    _leaders(rng, factions, deputies)
    schedules = _schedules(ctx, rng, maslikhats, approvers)
    reports = _reports(ctx, rng, schedules, deputies, recorders)
    appeal_note = (
        question_to_appeal(ctx)
        if QUESTION_TO_APPEAL
        else "no question turned into an appeal (QUESTION_TO_APPEAL off)"
    )
    indicators = _indicators(ctx, rng, maslikhats, factions, deputies, faction_user)
    ctx.log(
        f"  {len(maslikhats)} maslikhats, {len(deputies)} deputies, {len(reports)} reports, "
        f"{len(indicators)} budget indicators; {appeal_note}"
    )


def _maslikhats_qs():
    return Maslikhat.objects.filter(branch__in=demo_branches())


def is_done(ctx: DemoContext) -> bool:
    return _maslikhats_qs().filter(branch__code=REGION_CODE).exists()


def reset(ctx: DemoContext) -> None:
    # Ids first, as plain lists: nested IN-subqueries over fresh, unanalysed tables can make
    # PostgreSQL choose a plan that runs past the statement timeout.
    maslikhats = list(_maslikhats_qs().values_list("pk", flat=True))
    indicators = list(
        BudgetIndicator.objects.filter(maslikhat_id__in=maslikhats).values_list("pk", flat=True)
    )
    MonitoringNote.objects.filter(indicator_id__in=indicators).delete()
    BudgetImport.objects.filter(maslikhat_id__in=maslikhats).delete()
    BudgetIndicator.objects.filter(pk__in=indicators).delete()
    schedules = list(
        ReportSchedule.objects.filter(maslikhat_id__in=maslikhats).values_list("pk", flat=True)
    )
    reports = list(
        ScheduledReport.objects.filter(schedule_id__in=schedules).values_list("pk", flat=True)
    )
    ReportQuestion.objects.filter(report_id__in=reports).delete()
    ScheduledReport.objects.filter(pk__in=reports).delete()
    ReportSchedule.objects.filter(pk__in=schedules).delete()
    Faction.objects.filter(maslikhat_id__in=maslikhats).update(leader=None)
    Deputy.objects.filter(maslikhat_id__in=maslikhats).delete()
    Faction.objects.filter(maslikhat_id__in=maslikhats).delete()
    Convocation.objects.filter(maslikhat_id__in=maslikhats).delete()
    Maslikhat.objects.filter(pk__in=maslikhats).delete()
    User.objects.filter(
        username=FACTION_USER, role=Role.FACTION_SECRETARY, branch__in=demo_branches()
    ).delete()


# Figures ------------------------------------------------------------------------------------------
def summary(ctx: DemoContext) -> list[str]:
    from bastau.accounts.scoping import Scope
    from bastau.oversight import statistics

    admin = User.objects.filter(role=Role.REGIONAL_ADMIN, branch__code=REGION_CODE).first()
    regional = _maslikhats_qs().filter(branch__code=REGION_CODE).first()
    if admin is None or regional is None:
        return []
    scope = Scope(admin)
    overview = statistics.register_overview(scope, reference=ctx.today)
    counts = statistics.report_counts(scope, today=ctx.today)
    elected = dict(
        Deputy.objects.filter(maslikhat=regional, status=Deputy.Status.ACTIVE)
        .values_list("elected_by")
        .annotate(n=Count("pk"))
    )
    lagging = BudgetIndicator.objects.filter(maslikhat__in=_maslikhats_qs(), lagging=True)
    worst = lagging.filter(maslikhat=regional).order_by("execution_percent").first()
    return [
        f"Deputies: {overview.total} active in {_maslikhats_qs().count()} maslikhats, average "
        f"age {overview.average_age}, {overview.women_share}% women; the regional maslikhat "
        f"{regional.seats_total} seats, {elected.get('list', 0)} by list and "
        f"{elected.get('district', 0)} by district",
        f"Reporting schedules: {counts['total']} reports, {counts['held']} held, "
        f"{counts['overdue']} overdue, {counts['postponed']} postponed, {counts['missed']} missed",
        f"Budget indicators {BUDGET_YEARS[0]}-{BUDGET_YEARS[-1]}: "
        f"{BudgetIndicator.objects.filter(maslikhat__in=_maslikhats_qs()).count()}, "
        f"{lagging.count()} lagging below the threshold"
        + (f" (worst: {worst.year} {worst.name}, {worst.execution_percent}%)" if worst else ""),
    ]


def login_notes(site: str = "") -> list[str]:
    """What `bastau demo_logins` says about the deputies' oversight."""
    user = User.objects.filter(username=FACTION_USER, role=Role.FACTION_SECRETARY).first()
    if user is None:
        return []
    from django.urls import NoReverseMatch, reverse

    pages = f"{site}/oversight/"
    for name in ("oversight:dashboard", "oversight:index", "oversight:home"):
        try:
            pages = site + reverse(name)
            break
        except NoReverseMatch:
            continue
    return [
        "Deputies' oversight:",
        f'- "{FACTION_USER}" (password {DEMO_PASSWORD}, phone {FACTION_PHONE}): the faction '
        "secretary of the regional maslikhat: its deputies, the reporting schedule (record a "
        "report as held, see the overdue ones) and the budget monitor (regional roads 2023 "
        f'lags at 71%); "admin" sees every maslikhat, "secretary" Mugalzhar. Pages: {pages}.',
    ]


STEP = Step(name="oversight", seed=seed, is_done=is_done, reset=reset, summary=summary)
