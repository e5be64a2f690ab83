"""Demo step: the public reception «Халыққа көмек» (DESIGN.md section 4, issue 4 item 7).

What the news report of late 2019 said, reproduced on ``ctx.today`` and checked with the
reception's own statistics (`bastau.reception.statistics`, printed by the summary):

- about 2,500 appeals over the last two years (scaled with ``ctx.scale``), from every channel
  (reception visits, phone, the online form, letters, e-Otinish, deputies' meetings), of every
  type and topic, from all 13 district/city branches and received by them or by the regional
  branch;
- of the appeals registered this year and decided, 46% resolved positively; 28% in the same
  part of last year (18 points up), in every branch alike. "This year" is the year the
  reception reports on (`statistics.reporting_year`, the period its dashboard opens on): the
  current year so far, but in January, when the new year's first appeals are not even due,
  all of the year just ended against all of the year before;
- receptions tripled in the last two months: the «Халыққа көмек» project added a head of a
  state body and a maslikhat deputy to every branch's weekly reception two months ago, so the
  reception sessions and the appeals registered at them are three times those of the two
  months before;
- each appeal's life as events (registered -> assigned -> in progress -> resolved, or
  forwarded), on the working-day calendar: deadlines of 15 working days, forwarding within 3,
  a few extensions with their reasons (the applicant told within 3 working days), some
  answers late, some appeals still open and a few overdue now;
- 43 officials: in every branch a party leader (weekly for two years), a deputy akim and a
  maslikhat deputy (weekly since the project), and a regional head of department with a
  mobile reception on a set date; the sessions held, bookings for the coming two weeks and
  those of the past two;
- a reception officer for every branch: "reception" (Mugalzhar, with the secretary who is its
  head) signs in with the demo password; the others ("reception-<branch code>") register and
  handle their branches' appeals in the history.

How the figures are made exact rather than lucky: the random source (``ctx.rng("reception")``)
draws the mix and the dates; then

- the positive share is dealt out, not drawn: going through the appeals of a registration
  year that are decided by today, in order of registration, an appeal is positive when that
  brings the region's count and its branch's count, together, closer to p times the appeals
  so far; so the region, every branch and every part of the year (the statistics compare
  this year with the same part of last year) hold p within about one appeal;
- the reception visits of the two windows are counted out: N before, 3N in the last two
  months, split over the branches by their weights (largest remainder), then over each
  branch's sessions in the window.

Everything is written with bulk_create (no per-row history; these models keep none) and dated
before ``ctx.today``: nothing happens "today", so the demo is the same at any hour.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from bastau.accounts.models import Role, User
from bastau.lib import workdays
from bastau.lib.dates import add_years
from bastau.members.models import Member
from bastau.reception import tally as reception_tally
from bastau.reception.models import (
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    Appeal,
    AppealEvent,
    Attachment,
    Booking,
    Official,
    ReceptionSchedule,
    ReceptionSession,
    Topic,
)
from bastau.reception.services import work_calendar
from bastau.structure.models import Branch

from . import DEMO_PASSWORD, REGION_CODE, DemoContext, Step, password_hash
from .members import People
from .structure import BRANCHES, DEMO_DISTRICT, STREETS, demo_branches
from .util import raw_delete

#: Appeals over the two years at full size (DESIGN.md: "about 2,500").
APPEALS = 2500
#: Appeals registered at reception visits per month before the project (full size).
RECEPTION_VISITS_PER_MONTH = 35
#: The share resolved positively, by registration year relative to the year reported on
#: (`statistics.reporting_year`: this year, or in January the year just ended, whose share
#: the new year's first appeals keep).
POSITIVE_SHARE = {1: 0.46, 0: 0.46, -1: 0.28, -2: 0.27}
#: Decided late (after the deadline in force), by year: the branch got better.
LATE_SHARE = {0: 0.05, -1: 0.12, -2: 0.13}
EXTENDED_SHARE = {0: 0.06, -1: 0.05, -2: 0.05}
FORWARDED_SHARE = 0.07
#: Of the appeals registered 1-5 months ago, the share still stuck (open, mostly overdue).
STUCK_SHARE = 0.05
BOOKING_DAYS = 14

#: The Mugalzhar officer who signs in; the other branches' officers are "reception-<code>".
RECEPTION_USER = "reception"
RECEPTION_EMAIL = "reception@bastau.example"
RECEPTION_PHONE = "+77005550105"
OFFICER_PREFIX = "reception-"

#: Relative number of appeals each branch receives (the regional branch: its own receptions,
#: letters and e-Otinish); the city is the largest, Mugalzhar the largest district.
BRANCH_WEIGHTS = {
    "aktobe-city": 30,
    REGION_CODE: 9,
    DEMO_DISTRICT: 10,
    "alga": 5,
    "khromtau": 5,
    "shalkar": 4,
    "temir": 4,
    "martuk": 4,
    "kargaly": 3,
    "kobda": 3,
    "aiteke-bi": 3,
    "baiganin": 3,
    "uil": 2,
    "irgiz": 2,
}
CHANNEL_WEIGHTS = {  # appeals not registered at a reception
    Appeal.Channel.PHONE: 22,
    Appeal.Channel.ONLINE: 28,
    Appeal.Channel.LETTER: 12,
    Appeal.Channel.EOTINISH: 23,
    Appeal.Channel.DEPUTY_MEETING: 15,
}
KIND_WEIGHTS = {
    Appeal.Kind.APPLICATION: 45,
    Appeal.Kind.COMPLAINT: 25,
    Appeal.Kind.REQUEST: 12,
    Appeal.Kind.PROPOSAL: 8,
    Appeal.Kind.FEEDBACK: 5,
    Appeal.Kind.REPORT: 5,
}
TOPIC_WEIGHTS = {
    "social_aid": 22,
    "housing_utilities": 20,
    "land": 14,
    "employment": 12,
    "healthcare": 9,
    "education": 8,
    "roads_transport": 8,
    "corruption": 2,
    "other": 5,
}

TEXTS = {
    "social_aid": (
        (
            "Көп балалы анамын. Атаулы әлеуметтік көмек тағайындау туралы өтінішімді қарауға "
            "көмектесуіңізді сұраймын, құжаттарды бір ай бұрын тапсырдым.",
            "Әкем бірінші топтағы мүгедек, оңалтудың техникалық құралдары (арба) әлі берілмеді. "
            "Мәселені шешуге көмектесіңіздер.",
            "Жұмыссыз қалдым, отбасымыз қиын жағдайда. Біржолғы материалдық көмек алуға "
            "мүмкіндік бар ма?",
        ),
        (
            "Я многодетная мать. Прошу помочь с рассмотрением заявления на адресную социальную "
            "помощь, документы сданы месяц назад.",
            "Моему отцу, инвалиду первой группы, до сих пор не выдали кресло-коляску. Прошу "
            "разобраться.",
            "Прошу оказать единовременную материальную помощь семье, оказавшейся в трудной "
            "жизненной ситуации.",
        ),
    ),
    "housing_utilities": (
        (
            "{street} көшесіндегі көпқабатты үйде жылыту жүйесі дұрыс жұмыс істемейді, пәтерлер "
            "суық. Шара қолдануыңызды сұраймын.",
            "Үйіміздің шатыры ағып тұр, пәтер иелерінің бірлестігі жауап бермейді. Жөндеуге "
            "көмектесіңіздер.",
            "Бір аптадан бері ауыз су берілмейді. Мәселені шешуге көмектесуіңізді сұраймын.",
        ),
        (
            "В доме по улице {street} с начала отопительного сезона холодные батареи. Просим "
            "принять меры.",
            "Кровля нашего дома протекает, ОСИ не реагирует. Просим помочь с ремонтом.",
            "Прошу проверить начисления за электроэнергию: сумма выросла в два раза.",
        ),
    ),
    "land": (
        (
            "Жеке тұрғын үй салу үшін жер телімін алу кезегінде 2015 жылдан бері тұрмын. "
            "Кезектің жылжуы туралы ақпарат беруіңізді сұраймын.",
            "Көршім біздің жер телімінің шекарасын бұзып, қоршау салды. Тексеру жүргізуіңізді "
            "сұраймын.",
            "Шаруа қожалығына жайылым жер бөлу туралы өтінішім ұзақ уақыт қаралмай жатыр.",
        ),
        (
            "Стою в очереди на земельный участок под ИЖС с 2016 года. Прошу сообщить о "
            "продвижении очереди.",
            "Прошу помочь с оформлением правоустанавливающих документов на земельный участок.",
            "Сосед самовольно занял часть нашего участка. Прошу провести проверку.",
        ),
    ),
    "employment": (
        (
            "Университетті биыл бітірдім, мамандығым бойынша жұмыс таба алмай жүрмін. Жастар "
            "практикасына жіберуге көмектесіңіздер.",
            "Жұмыс берушім үш ай бойы жалақы төлемей келеді. Құқығымды қорғауға көмектесуіңізді "
            "сұраймын.",
            "Кәсіпкерлік негіздеріне оқуға және шағын несие алуға қалай қатысуға болады?",
        ),
        (
            "Остался без работы после сокращения на предприятии. Прошу помочь с трудоустройством.",
            "Работодатель три месяца задерживает заработную плату. Прошу помочь.",
            "Прошу включить меня в программу молодёжной практики, я выпускник колледжа.",
        ),
    ),
    "education": (
        (
            "Балам балабақшаға екі жылдан бері кезекте тұр, орын берілмей жатыр.",
            "Ауылымыздан мектепке оқушыларды тасымалдайтын автобус жоқ, балалар жаяу қатынайды.",
            "Мектепте оқу жылының басынан бері физика пәнінің мұғалімі жоқ.",
        ),
        (
            "Ребёнок стоит в очереди в детский сад два года, место не предоставлено. Прошу помочь.",
            "В школе нашего села с начала учебного года нет учителя физики.",
            "Прошу организовать подвоз детей в школу из нашего посёлка.",
        ),
    ),
    "healthcare": (
        (
            "Емханада маман дәрігерге жазылу үшін бір ай күту керек. Шара қолдануыңызды сұраймын.",
            "Анама тегін дәрі-дәрмек екі айдан бері берілмей жатыр, дәріханада жоқ дейді.",
            "Ауылымыздағы фельдшерлік-акушерлік пунктте медицина қызметкері жоқ.",
        ),
        (
            "Невозможно записаться к узкому специалисту в поликлинике, очередь больше месяца.",
            "Льготные лекарства по диспансерному учёту не выдаются уже два месяца.",
            "Прошу помочь с направлением на операцию в областную больницу по квоте.",
        ),
    ),
    "corruption": (
        (
            "Жер телімін рәсімдеу кезінде лауазымды тұлға заңсыз ақы талап етті. Тексеруіңізді "
            "сұраймын.",
            "Жолды жөндеуге бөлінген қаражаттың қалай жұмсалғанын тексеріңіздер: жол бір жылда "
            "бұзылды.",
        ),
        (
            "При оформлении документов сотрудник потребовал деньги за ускорение. Прошу провести "
            "проверку.",
            "Прошу проверить расходование средств на ремонт дома культуры в нашем селе.",
        ),
    ),
    "roads_transport": (
        (
            "{street} көшесіндегі жол жөндеуді қажет етеді, шұңқырлар көп.",
            "Ауылымыз бен аудан орталығы арасында қоғамдық көлік қатынамайды.",
            "Көшеде жарық жоқ, кешке жүру қауіпті.",
        ),
        (
            "Дорога по улице {street} в аварийном состоянии, прошу включить её в план ремонта.",
            "Отменили автобусный маршрут до нашего посёлка, прошу восстановить.",
            "На нашей улице не работает освещение, прошу принять меры.",
        ),
    ),
    "other": (
        (
            "Ауылымызда спорт алаңын салуды ұсынамын, жастардың бос уақытын өткізетін орны жоқ.",
            "Тұрғын үй сертификатын алу тәртібін түсіндіріп беруіңізді сұраймын.",
        ),
        (
            "Предлагаю установить детскую площадку во дворе нашего дома.",
            "Прошу разъяснить порядок получения жилищного сертификата.",
        ),
    ),
}
POSITIVE_ACTIONS = {
    "social_aid": ("Әлеуметтік көмек тағайындалды.", "Социальная помощь назначена."),
    "housing_utilities": ("Ақау жойылды, жұмыс қалпына келтірілді.", "Неисправность устранена."),
    "land": ("Жер телімі бойынша мәселе шешілді.", "Вопрос по земельному участку решён."),
    "employment": ("Жұмысқа орналасуға жолдама берілді.", "Выдано направление на работу."),
    "education": ("Балаңызға орын берілді.", "Вопрос решён, место предоставлено."),
    "healthcare": ("Қажетті медициналық көмек ұйымдастырылды.", "Медицинская помощь организована."),
    "corruption": (
        "Тексеру жүргізілді, кінәлі тұлға жауапқа тартылды.",
        "Проверка проведена, виновное лицо привлечено к ответственности.",
    ),
    "roads_transport": (
        "Жұмыс жоспарға енгізіліп, орындалды.",
        "Работы включены в план и выполнены.",
    ),
    "other": ("Ұсынысыңыз қолдау тапты.", "Ваше предложение поддержано."),
}
RESPONSES = {
    Appeal.Status.RESOLVED_POSITIVE: (
        "Құрметті өтініш беруші! Өтінішіңіз қаралды. {action} Қосымша сұрақтар болса, "
        "«Халыққа көмек» қабылдауына хабарласыңыз.",
        "Уважаемый заявитель! Ваше обращение рассмотрено. {action} По дополнительным вопросам "
        "обращайтесь в приёмную «Халыққа көмек».",
    ),
    Appeal.Status.EXPLAINED: (
        "Құрметті өтініш беруші! Өтінішіңіз қаралды. Мәселе бойынша қолданыстағы заңнаманың "
        "талаптары мен рәсімдердің тәртібі түсіндірілді.",
        "Уважаемый заявитель! Ваше обращение рассмотрено. Разъясняем требования действующего "
        "законодательства и порядок решения вопроса.",
    ),
    Appeal.Status.REFUSED: (
        "Құрметті өтініш беруші! Өтінішіңіз қаралды. Заңнама талаптарына сәйкес өтінішті "
        "қанағаттандыруға негіз жоқ. Шешімге жоғары тұрған органға немесе сотқа шағымдана аласыз.",
        "Уважаемый заявитель! Ваше обращение рассмотрено. Оснований для его удовлетворения по "
        "закону нет. Решение можно обжаловать в вышестоящем органе или в суде.",
    ),
}
EXTENSION_REASONS = (
    (
        "Орынға шығып тексеру және қосымша материалдар жинау қажет.",
        "Требуется выезд на место и сбор дополнительных материалов.",
    ),
    (
        "Мемлекеттік органдардан қосымша ақпарат сұратылды.",
        "Запрошена дополнительная информация в государственных органах.",
    ),
    ("Комиссиялық тексеру жүргізілуде.", "Проводится комиссионная проверка."),
)
FORWARD_TO = {
    "corruption": "Ақтөбе облысы бойынша Сыбайлас жемқорлыққа қарсы іс-қимыл департаменті",
    "land": "Ақтөбе облысының жер қатынастары басқармасы",
    "healthcare": "Ақтөбе облысының денсаулық сақтау басқармасы",
    "employment": "Ақтөбе облысы бойынша Еңбек инспекциясы",
    "social_aid": "«Азаматтарға арналған үкімет» мемлекеттік корпорациясының облыстық филиалы",
    "housing_utilities": "Ақтөбе облысының энергетика және тұрғын үй-коммуналдық шаруашылық "
    "басқармасы",
    "education": "Ақтөбе облысының білім басқармасы",
    "roads_transport": "Ақтөбе облысының жолаушылар көлігі және автомобиль жолдары басқармасы",
    "other": "Ақтөбе облысының прокуратурасы",
}
#: The local body that answers for a topic: "<place> <adjective> ... бөлімі".
BODIES = {
    "social_aid": "жұмыспен қамту және әлеуметтік бағдарламалар",
    "employment": "жұмыспен қамту және әлеуметтік бағдарламалар",
    "housing_utilities": "тұрғын үй-коммуналдық шаруашылық",
    "roads_transport": "тұрғын үй-коммуналдық шаруашылық, жолаушылар көлігі және жолдар",
    "land": "жер қатынастары",
    "education": "білім",
    "healthcare": "денсаулық сақтау",
}
COMMENTS = (
    "Өтініш берушімен телефон арқылы байланыс орнатылды.",
    "Жауапты органға сұрау салынды.",
    "Орынға шығып тексеру жүргізілді.",
)


@dataclass(frozen=True)
class Place:
    """How a branch's area is named: Мұғалжар ауданы / аудандық, Ақтөбе қаласы / қалалық."""

    adjective: str
    noun: str  # ауданы, қаласы, облысы
    attribute: str  # аудандық, қалалық, облыстық
    unit: str  # бөлімі (district, city), басқармасы (region)
    settlements: tuple[str, ...]


def _places() -> dict[str, Place]:
    places = {
        REGION_CODE: Place("Ақтөбе", "облысы", "облыстық", "басқармасы", ("Ақтөбе қ.",)),
    }
    for spec in BRANCHES:
        city = spec.kind == Branch.Kind.CITY
        settlements = (spec.centre, *(f"{t} қ." for t in spec.towns)) + tuple(
            f"{v} а." for v in spec.villages
        )
        places[spec.code] = Place(
            spec.adjective,
            "қаласы" if city else "ауданы",
            "қалалық" if city else "аудандық",
            "бөлімі",
            tuple(dict.fromkeys(settlements)),
        )
    return places


# Working days ------------------------------------------------------------------------------
class Days:
    """The working days from `start` to well after today, for fast counting (bisect)."""

    def __init__(self, cal: workdays.WorkCalendar, start: dt.date, end: dt.date):
        self.cal = cal
        self.list: list[dt.date] = []
        day = start
        while day <= end:
            if cal.is_working_day(day):
                self.list.append(day)
            day += dt.timedelta(days=1)
        self.set = set(self.list)

    def add(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after `day` (cal.add_working_days)."""
        if n == 0:
            return day
        return self.list[bisect.bisect_right(self.list, day) + n - 1]

    def on_or_after(self, day: dt.date) -> dt.date:
        return self.list[bisect.bisect_left(self.list, day)]

    def between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b]."""
        return bisect.bisect_right(self.list, b) - bisect.bisect_right(self.list, a)

    def is_working(self, day: dt.date) -> bool:
        return day in self.set


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


# Officials and schedules -------------------------------------------------------------------
@dataclass(frozen=True)
class OfficialSpec:
    key: str  # "leader", "akim", "deputy", "mobile"
    kind: str
    position: str
    organisation: str
    weekday: int | None
    start: dt.time
    end: dt.time
    since_project: bool  # weekly since the «Халыққа көмек» project started


def _official_specs(branch: Branch, place: Place, index: int) -> list[OfficialSpec]:
    region = branch.code == REGION_CODE
    morning, afternoon = (dt.time(10), dt.time(12)), (dt.time(15), dt.time(17))
    akim = f"{place.adjective} {place.noun} әкімінің орынбасары"
    maslikhat = f"{place.adjective} {place.attribute} мәслихаты"
    return [
        OfficialSpec(
            "leader",
            Official.Kind.PARTY_LEADER,
            f"Партияның {branch.name} төрағасының бірінші орынбасары",
            branch.name,
            index % 5,
            *morning,
            since_project=False,
        ),
        OfficialSpec(
            "akim",
            Official.Kind.STATE_BODY_HEAD,
            akim,
            f"{place.adjective} {place.noun} әкімдігі",
            (index + 2) % 5,
            *afternoon,
            since_project=True,
        ),
        OfficialSpec(
            "deputy",
            Official.Kind.DEPUTY,
            f"{maslikhat} депутаты" if not region else "Ақтөбе облыстық мәслихатының депутаты",
            maslikhat,
            (index + 4) % 5,
            *morning,
            since_project=True,
        ),
    ]


@dataclass
class World:
    """What the step builds, kept in memory while it runs."""

    today: dt.date
    start: dt.date
    days: Days
    branches: dict[str, Branch]
    places: dict[str, Place]
    officers: dict[str, User]
    heads: dict[str, User]
    code_by_id: dict[int, str] = field(default_factory=dict)
    officials: dict[str, list[Official]] = field(default_factory=dict)
    schedules: list[ReceptionSchedule] = field(default_factory=list)
    sessions: dict[str, list[ReceptionSession]] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)


def _officers(ctx: DemoContext, rng, people: People, branches: dict[str, Branch]):
    """One reception officer per branch (created once), all with the demo password."""
    wanted = {
        code: RECEPTION_USER if code == DEMO_DISTRICT else OFFICER_PREFIX + code
        for code in BRANCH_WEIGHTS
    }
    existing = {u.username: u for u in User.objects.filter(username__in=wanted.values())}
    password = password_hash()
    officers = {}
    for code, username in wanted.items():
        user = existing.get(username)
        person = people.person()  # drawn always, so the rest does not depend on what exists
        if user is None:
            user = User(
                username=username,
                role=Role.RECEPTION_OFFICER,
                branch=branches[code],
                first_name=person["first_name"],
                last_name=person["last_name"],
            )
            if username == RECEPTION_USER:
                user.email, user.phone = RECEPTION_EMAIL, RECEPTION_PHONE
            user.password = password
            user.save()
            if username == RECEPTION_USER:
                ctx.log(f"  user {username} (reception officer, {branches[code].code})")
        officers[code] = user
    return officers


def _build_officials(world: World, rng, people: People) -> None:
    leaders = _party_leaders(world, rng)
    officials, specs = [], []
    for index, code in enumerate(BRANCH_WEIGHTS):
        branch = world.branches[code]
        for spec in _official_specs(branch, world.places[code], index):
            member = leaders.get(code) if spec.key == "leader" else None
            if member is not None:
                name = member.full_name
            else:
                person = people.person(age=rng.randint(38, 60))
                name = f"{person['last_name']} {person['first_name']} {person['patronymic']}"
            officials.append(
                Official(
                    name=name,
                    position=spec.position,
                    organisation=spec.organisation,
                    kind=spec.kind,
                    member=member,
                    branch=branch,
                )
            )
            specs.append((code, spec))
    # A mobile reception of the regional health department in Mugalzhar, on a set date.
    person = people.person(age=52)
    officials.append(
        Official(
            name=f"{person['last_name']} {person['first_name']} {person['patronymic']}",
            position="Ақтөбе облысының денсаулық сақтау басқармасының басшысы",
            organisation="Ақтөбе облысының денсаулық сақтау басқармасы",
            kind=Official.Kind.STATE_BODY_HEAD,
            branch=world.branches[REGION_CODE],
        )
    )
    Official.objects.bulk_create(officials)
    project_start = _two_month_windows(world.today)[0][0]
    schedules = []
    for official, (code, spec) in zip(officials, specs, strict=False):
        world.officials.setdefault(code, []).append(official)
        branch = world.branches[code]
        schedules.append(
            ReceptionSchedule(
                official=official,
                branch=branch,
                weekday=spec.weekday,
                valid_from=project_start if spec.since_project else None,
                start_time=spec.start,
                end_time=spec.end,
                place=f"«Халыққа көмек» қоғамдық қабылдауы, {branch.address}",
                slot_minutes=15,
                note="«Халыққа көмек» жобасы" if spec.since_project else "",
            )
        )
    mobile = officials[-1]
    world.officials[REGION_CODE].append(mobile)
    schedules.append(
        ReceptionSchedule(
            official=mobile,
            branch=world.branches[DEMO_DISTRICT],
            date=world.days.on_or_after(world.today + dt.timedelta(days=8)),
            start_time=dt.time(11),
            end_time=dt.time(13),
            place="Қандыағаш қ., аудандық аурухана, мәжіліс залы",
            slot_minutes=20,
            note="Көшпелі қабылдау",
        )
    )
    ReceptionSchedule.objects.bulk_create(schedules)
    world.schedules = schedules


def _party_leaders(world: World, rng) -> dict[str, Member]:
    """A member of each branch to be its party leader at the reception (one query)."""
    pool = defaultdict(list)
    rows = Member.objects.filter(
        poo__branch__in=world.branches.values(),
        status=Member.Status.ACTIVE,
        birth_date__range=(
            dt.date(world.today.year - 60, 1, 1),
            dt.date(world.today.year - 38, 1, 1),
        ),
    ).values_list("pk", "poo__branch__code")
    for pk, code in rows.order_by("pk")[:20000]:
        if len(pool[code]) < 50:
            pool[code].append(pk)
    chosen = {code: rng.choice(pks) for code, pks in sorted(pool.items()) if pks}
    members = Member.objects.in_bulk(chosen.values())
    return {code: members[pk] for code, pk in chosen.items()}


def _two_month_windows(today: dt.date):
    """(current, previous) as (start, end) pairs: the statistics' last_two_months()."""
    from bastau.reception.statistics import last_two_months

    current, previous = last_two_months(today)
    return (current.start, current.end), (previous.start, previous.end)


def _build_sessions(world: World) -> None:
    """A session for every weekly reception held on a working day before today."""
    sessions = []
    for item in world.schedules:
        if item.weekday is None:
            continue
        code = _code_of(world, item.branch_id)
        first = max(world.start, item.valid_from or world.start)
        day = first + dt.timedelta(days=(item.weekday - first.weekday()) % 7)
        while day < world.today:
            if world.days.is_working(day):
                sessions.append(
                    ReceptionSession(
                        official=item.official,
                        branch=item.branch,
                        schedule=item,
                        date=day,
                        place=item.place,
                        created_by=world.officers[code],
                    )
                )
            day += dt.timedelta(days=7)
    ReceptionSession.objects.bulk_create(sessions, batch_size=500)
    sessions.sort(key=lambda s: (s.date, s.schedule.start_time, s.pk))
    for session in sessions:
        world.sessions.setdefault(_code_of(world, session.branch_id), []).append(session)


def _code_of(world: World, branch_id: int) -> str:
    return world.code_by_id[branch_id]


# Appeals -----------------------------------------------------------------------------------
#: The status of a RESOLVED event, replaced by the outcome `_deal_outcomes` gives.
DECIDED = "decided"
MINUTE = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    kind: str
    status: str | None
    by: User | None
    comment: str
    changes: dict
    data: dict


@dataclass
class Draft:
    """An appeal being built, with its planned life (cut at today)."""

    appeal: Appeal
    code: str  # receiving branch
    topic: str
    events: list[Event] = field(default_factory=list)
    decided_at: dt.datetime | None = None  # when the RESOLVED event happens (if by today)
    outcome: str = ""

    def add(self, at, kind, status=None, by=None, comment="", changes=None, **data) -> None:
        """Plan an event: at `at`, `kind`, moving to `status` (None: no change; DECIDED: the
        outcome dealt later), setting the appeal's fields in `changes`."""
        self.events.append(Event(at, kind, status, by, comment, changes or {}, data))


def _largest_remainder(total: int, weights: dict[str, float]) -> dict[str, int]:
    whole = sum(weights.values())
    raw = {k: total * w / whole for k, w in weights.items()}
    counts = {k: math.floor(v) for k, v in raw.items()}
    rest = total - sum(counts.values())
    for k in sorted(raw, key=lambda k: (counts[k] - raw[k], k))[:rest]:
        counts[k] += 1
    return counts


def _pick(rng, weights: dict):
    keys = list(weights)
    return rng.choices(keys, [weights[k] for k in keys])[0]


def _code(rng) -> str:
    return "".join(rng.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def _reception_dates(world: World, rng, scale: float) -> list[tuple[str, ReceptionSession]]:
    """(branch code, session) for every appeal registered at a reception visit."""
    (cur_start, cur_end), (prev_start, prev_end) = _two_month_windows(world.today)
    before = max(1, round(2 * RECEPTION_VISITS_PER_MONTH * scale))
    per_branch = _largest_remainder(before, BRANCH_WEIGHTS)
    chosen = []

    def in_window(code, low, high):
        return [s for s in world.sessions.get(code, []) if low <= s.date <= high]

    for code, count in per_branch.items():
        for low, high, n in ((prev_start, prev_end, count), (cur_start, cur_end, 3 * count)):
            pool = in_window(code, low, high)
            chosen += [(code, rng.choice(pool)) for _ in range(n)]
    # Before the two windows: the same pace as the two months before the project.
    months = (prev_start - world.start).days / 30.4
    older = round(RECEPTION_VISITS_PER_MONTH * scale * months)
    pools = {
        code: in_window(code, world.start, prev_start - dt.timedelta(days=1))
        for code in BRANCH_WEIGHTS
    }
    for _ in range(older):
        code = _pick(rng, BRANCH_WEIGHTS)
        chosen.append((code, rng.choice(pools[code])))
    return chosen


def _other_dates(world: World, rng, count: int) -> list[dt.date]:
    """Registration dates of the appeals not made at a reception: mostly working days, a
    slow growth over the two years, more in the heating season."""
    days, weights = [], []
    span = (world.today - world.start).days
    day = world.start
    while day < world.today:
        weight = 1.0 if world.days.is_working(day) else 0.12
        weight *= 0.9 + 0.25 * (day - world.start).days / span
        weight *= 1.15 if day.month in (11, 12, 1, 2, 3) else 0.9 if day.month in (6, 7, 8) else 1.0
        days.append(day)
        weights.append(weight)
        day += dt.timedelta(days=1)
    return sorted(rng.choices(days, weights, k=count))


def _applicant(world: World, rng, people: People, district: str, language: str) -> dict:
    person = people.person()
    place = world.places[district]
    settlement = rng.choice(place.settlements)
    street = rng.choice(STREETS)
    return {
        "applicant_name": f"{person['last_name']} {person['first_name']} {person['patronymic']}",
        "applicant_iin": person["iin"] if rng.random() < 0.55 else "",
        "applicant_phone": person["phone"],
        "applicant_email": person["email"] if rng.random() < 0.8 else "",
        "applicant_address": f"{settlement}, {street} көшесі, {rng.randint(1, 120)}"
        + (f", {rng.randint(1, 90)}-пәтер" if rng.random() < 0.4 else ""),
        "street": street,
    }


def _body(world: World, code: str, topic: str) -> str:
    place = world.places[code]
    subject = BODIES.get(topic)
    if subject is None:
        return f"{place.adjective} {place.noun} әкімдігі"
    if code == REGION_CODE:
        return f"Ақтөбе облысының {subject} басқармасы"
    return f"{place.adjective} {place.attribute} {subject} бөлімі"


def _moment(rng, day: dt.date, after: dt.datetime | None = None) -> dt.datetime:
    at = _aware(day, rng.randint(9, 16), rng.choice((0, 10, 20, 30, 40, 50)))
    if after is not None and at <= after:
        at = after + dt.timedelta(minutes=rng.randint(10, 90))
    return at


def _draft(world: World, rng, people: People, *, code, district, channel, day, session, at):
    language = "kk" if rng.random() < 0.62 else "ru"
    topic = _pick(rng, TOPIC_WEIGHTS)
    kind = _pick(rng, KIND_WEIGHTS)
    if topic == "corruption":
        kind = rng.choice((Appeal.Kind.REPORT, Appeal.Kind.COMPLAINT))
    who = _applicant(world, rng, people, district, language)
    if (
        channel == Appeal.Channel.ONLINE
        and not who["applicant_phone"]
        and not who["applicant_email"]
    ):
        who["applicant_phone"] = f"+7705{rng.randrange(10_000_000):07d}"
    text = rng.choice(TEXTS[topic][0 if language == "kk" else 1]).format(street=who.pop("street"))
    deadline = world.days.add(day, workdays.CONSIDERATION_WORKING_DAYS)
    officer = world.officers[code]
    appeal = Appeal(
        receiving_branch=world.branches[code],
        year=day.year,
        tracking_code="",
        channel=channel,
        eotinish_reference=f"ЖТ-{day.year}-{rng.randrange(10**8):08d}"
        if channel == Appeal.Channel.EOTINISH
        else "",
        kind=kind,
        topic=world.topics[topic],
        session=session,
        language=language,
        district=world.branches[district],
        text=text,
        consent_at=at if channel == Appeal.Channel.ONLINE else None,
        registered_on=day,
        registered_at=at,
        registered_by=None if channel == Appeal.Channel.ONLINE else officer,
        deadline=deadline,
        forward_by=world.days.add(day, workdays.FORWARDING_WORKING_DAYS),
        due_on=deadline,
        **who,
    )
    draft = Draft(appeal, code, topic)
    draft.add(at, "registered", Appeal.Status.REGISTERED, appeal.registered_by, channel=channel)
    _plan(world, rng, draft)
    return draft


def _plan(world: World, rng, draft: Draft) -> None:
    """The appeal's whole planned life as events; `_cut` keeps those before today."""
    a, days, add = draft.appeal, world.days, draft.add
    R = a.registered_on
    age = R.year - world.today.year
    officer = world.officers[draft.code]
    head = world.heads.get(draft.code) or world.heads[REGION_CODE]
    contact = bool(a.applicant_phone or a.applicant_email)
    last = a.registered_at

    if rng.random() < FORWARDED_SHARE:
        late = rng.random() < 0.1
        on = days.add(R, rng.randint(4, 7) if late else rng.randint(1, 3))
        to = FORWARD_TO[draft.topic]
        reason = "Құзыретті органды анықтау үшін қосымша уақыт қажет болды." if late else ""
        at = _moment(rng, on, last)
        changes = {"forwarded_to": to, "forwarded_on": on, "forward_late_reason": reason}
        add(at, "forwarded", Appeal.Status.FORWARDED, officer, reason, changes,
            to=to, on=str(on), late=late)  # fmt: skip
        if contact:
            add(at + MINUTE, "notified", about="forwarded", channels=_channels(a))
        return

    # Online appeals wait for the next working day more often (sent in the evening).
    online = a.channel == Appeal.Channel.ONLINE
    assign_after = rng.choice((0, 1, 1, 2) if online else (0, 0, 1, 1, 1, 2))
    if assign_after == 0 and days.is_working(R):
        assigned_on = R
    else:
        assigned_on = days.add(R, max(assign_after, 1))
    assigned_at = _moment(rng, assigned_on, last)
    heads = [o for o in world.officials[draft.code] if o.kind == Official.Kind.STATE_BODY_HEAD]
    official = rng.choice(heads) if heads and rng.random() < 0.5 else None
    body = _body(world, draft.code, draft.topic)
    changes = {"assignee": officer, "responsible_official": official, "responsible_body": body}
    add(assigned_at, "assigned", Appeal.Status.ASSIGNED, officer, "", changes,
        assignee=officer.pk, official=official.pk if official else None, body=body)  # fmt: skip
    started_on = days.add(assigned_on, rng.choice((0, 1, 1, 2, 3)))
    last = _moment(rng, started_on, assigned_at)
    add(last, "started", Appeal.Status.IN_PROGRESS, officer)
    if rng.random() < 0.2:
        last = _moment(rng, days.add(started_on, rng.randint(1, 4)), last)
        add(last, "commented", None, officer, rng.choice(COMMENTS))

    extended = rng.random() < EXTENDED_SHARE.get(age, 0.05)
    late = rng.random() < LATE_SHARE.get(age, 0.12)
    stuck = (
        world.today - dt.timedelta(days=150) <= R <= world.today - dt.timedelta(days=30)
        and rng.random() < STUCK_SHARE
    )
    if extended:
        decided_on = max(days.add(R, rng.randint(9, 14)), _next_day(days, last))
        limit = workdays.extension_limit(days.cal, R)
        new_deadline = min(days.add(R, rng.randint(24, 36)), limit)
        new_deadline = days.cal.working_day_on_or_before(new_deadline)
        extended = new_deadline > a.deadline
    if extended:
        reason = rng.choice(EXTENSION_REASONS)[0 if a.language == "kk" else 1]
        at = _moment(rng, decided_on, last)
        notice_by = days.add(decided_on, workdays.EXTENSION_NOTICE_WORKING_DAYS)
        changes = {
            "extended_deadline": new_deadline,
            "due_on": new_deadline,
            "extension_reason": reason,
            "extended_on": decided_on,
            "extension_count": 1,
            "extension_notice_by": notice_by,
        }
        add(at, "extended", None, head, reason, changes, **{
            "from": str(a.deadline), "to": str(new_deadline),
            "decided_on": str(decided_on), "notice_by": str(notice_by),
        })  # fmt: skip
        if contact:  # told at once by SMS / email
            told = at + MINUTE
            add(told, "notified", None, None, "", {"extension_notified_at": told},
                about="extended", channels=_channels(a))  # fmt: skip
        else:  # by letter, within the 3 working days
            told = _moment(rng, days.add(decided_on, rng.randint(1, 3)), at)
            add(told, "notified", None, officer, "Хатпен хабарланды.",
                {"extension_notified_at": told}, about="extended")  # fmt: skip
        last = told
        span = days.between(R, new_deadline)
        resolve_after = span + rng.randint(1, 5) if late else rng.randint(16, max(16, span))
    elif late:
        resolve_after = rng.randint(16, 26)
    else:
        resolve_after = max(days.between(R, started_on) + 1, round(rng.triangular(3, 15, 11)))
    if stuck:
        return
    resolved_on = max(days.add(R, resolve_after), _next_day(days, last))
    draft.decided_at = _moment(rng, resolved_on, last)
    add(draft.decided_at, "resolved", DECIDED, officer, on=str(resolved_on))
    if contact:
        add(draft.decided_at + MINUTE, "notified", about="resolved", channels=_channels(a))


def _next_day(days: Days, moment: dt.datetime) -> dt.date:
    """The first working day on or after the day of `moment` (so a step never precedes the
    one before it)."""
    return days.on_or_after(timezone.localtime(moment).date())


def _channels(appeal: Appeal) -> list[str]:
    return [
        name
        for name, value in (("sms", appeal.applicant_phone), ("email", appeal.applicant_email))
        if value
    ]


def _cut(draft: Draft, cutoff: dt.datetime) -> None:
    draft.events = sorted((e for e in draft.events if e.at < cutoff), key=lambda e: e.at)
    if draft.decided_at is not None and draft.decided_at >= cutoff:
        draft.decided_at = None


def _deal_outcomes(world: World, rng, drafts: list[Draft]) -> None:
    """Positive exactly p of the decided appeals of each registration year, in the region and
    in every branch, and in every part of the year (see the module docstring); the rest
    explained (3 in 4) or refused."""
    years: dict[int, list[Draft]] = defaultdict(list)
    for draft in drafts:
        if draft.decided_at is not None:
            years[draft.appeal.registered_on.year].append(draft)
    from bastau.reception.statistics import reporting_year

    reported = reporting_year(world.today)[0].start.year
    for year, items in sorted(years.items()):
        p = POSITIVE_SHARE.get(year - reported, 0.27)
        items.sort(key=lambda d: d.appeal.registered_at)
        dealt = 0  # positive so far in the region
        branch_seen: dict[str, int] = defaultdict(int)
        branch_dealt: dict[str, int] = defaultdict(int)
        for seen, draft in enumerate(items, start=1):
            branch_seen[draft.code] += 1
            # Positive when that keeps the region's and the branch's counts, together,
            # closer to p times the appeals so far (both stay within about one appeal).
            region_gap = dealt - p * seen
            branch_gap = branch_dealt[draft.code] - p * branch_seen[draft.code]
            without = region_gap**2 + branch_gap**2
            with_one = (region_gap + 1) ** 2 + (branch_gap + 1) ** 2
            if with_one < without:
                draft.outcome = Appeal.Status.RESOLVED_POSITIVE
                dealt += 1
                branch_dealt[draft.code] += 1
            else:
                draft.outcome = (
                    Appeal.Status.EXPLAINED if rng.random() < 0.75 else Appeal.Status.REFUSED
                )


def _apply(draft: Draft) -> list[AppealEvent]:
    """Run the kept events over the appeal: its final fields and its event rows."""
    a = draft.appeal
    status = Appeal.Status.REGISTERED
    rows = []
    for event in draft.events:
        data = dict(event.data)
        for name, value in event.changes.items():
            setattr(a, name, value)
        before = status
        new_status = event.status
        if new_status == DECIDED:
            new_status = draft.outcome
            language = 0 if a.language == "kk" else 1
            action = POSITIVE_ACTIONS[draft.topic][language]
            a.response_text = RESPONSES[new_status][language].format(action=action)
            a.resolved_on = timezone.localtime(event.at).date()
            data["late"] = a.resolved_on > a.due_on
        if new_status is not None:
            status = new_status
        rows.append(
            AppealEvent(
                appeal=a,
                kind=event.kind,
                from_status="" if event.kind == AppealEvent.Kind.REGISTERED else before,
                to_status=status,
                by=event.by,
                at=event.at,
                comment=event.comment,
                data=data,
            )
        )
    a.status = status
    return rows


def _number(drafts: list[Draft]) -> None:
    """Registration numbers in order of registration per branch and year (after any the
    branches already hold)."""
    counters: dict[tuple[str, int], int] = defaultdict(int)
    branches = {d.appeal.receiving_branch_id: d.code for d in drafts}
    existing = (
        Appeal.objects.filter(receiving_branch_id__in=branches)
        .values_list("receiving_branch_id", "year")
        .annotate(top=Max("seq"))
        .order_by()
    )
    for branch_id, year, top in existing:
        counters[(branches[branch_id], year)] = top
    for draft in sorted(drafts, key=lambda d: (d.appeal.registered_at, d.code)):
        a = draft.appeal
        key = (draft.code, a.year)
        counters[key] += 1
        a.seq = counters[key]
        a.number = f"{a.receiving_branch.code.upper()}-{a.year}-{a.seq:06d}"


def _build_appeals(ctx: DemoContext, world: World, rng, people: People) -> list[Draft]:
    total = round(APPEALS * ctx.scale)
    at_receptions = _reception_dates(world, rng, ctx.scale)
    others = _other_dates(world, rng, max(0, total - len(at_receptions)))
    drafts = []
    per_session: dict[int, int] = defaultdict(int)
    for code, session in sorted(at_receptions, key=lambda item: (item[1].date, item[1].pk)):
        slot = per_session[session.pk]
        per_session[session.pk] += 1
        start = dt.datetime.combine(session.date, session.schedule.start_time)
        at = timezone.make_aware(start + dt.timedelta(minutes=15 * slot + rng.randint(0, 10)))
        district = code if code != REGION_CODE else _pick(rng, _district_weights())
        drafts.append(
            _draft(
                world,
                rng,
                people,
                code=code,
                district=district,
                channel=Appeal.Channel.RECEPTION,
                day=session.date,
                session=session,
                at=at,
            )
        )
    for day in others:
        channel = (
            _pick(rng, CHANNEL_WEIGHTS) if world.days.is_working(day) else Appeal.Channel.ONLINE
        )
        if channel == Appeal.Channel.ONLINE:
            district = _pick(rng, _district_weights())
            code = district  # the online form sends an appeal to the applicant's district
            at = _aware(day, rng.randint(7, 22), rng.randint(0, 59))
        else:
            code = _pick(rng, BRANCH_WEIGHTS)
            district = code if code != REGION_CODE else _pick(rng, _district_weights())
            if code != REGION_CODE and rng.random() < 0.08:
                district = _pick(rng, _district_weights())
            at = _aware(day, rng.randint(9, 17), rng.randint(0, 59))
        drafts.append(
            _draft(
                world,
                rng,
                people,
                code=code,
                district=district,
                channel=channel,
                day=day,
                session=None,
                at=at,
            )
        )
    return drafts


def _district_weights() -> dict[str, int]:
    return {code: w for code, w in BRANCH_WEIGHTS.items() if code != REGION_CODE}


def _write_appeals(ctx: DemoContext, world: World, rng, drafts: list[Draft]) -> None:
    cutoff = _aware(world.today, 0)
    for draft in drafts:
        _cut(draft, cutoff)
    _deal_outcomes(world, rng, drafts)
    events = []
    for draft in drafts:
        events += _apply(draft)
    _number(drafts)
    codes = set()
    for draft in drafts:
        code = _code(rng)
        while code in codes:
            code = _code(rng)
        codes.add(code)
        draft.appeal.tracking_code = code
    Appeal.objects.bulk_create([d.appeal for d in drafts], batch_size=500)
    reception_tally.rebuild()  # the kept figures (bulk_create sends no signals)
    AppealEvent.objects.bulk_create(events, batch_size=1000)


# Bookings ----------------------------------------------------------------------------------
def _build_bookings(world: World, rng, people: People) -> int:
    """The coming two weeks: about a third of the slots booked (online or by staff); the past
    two weeks: bookings attended, missed or cancelled."""
    bookings, codes = [], set()
    topics = list(world.topics.values())

    def booking(item, day, time, status, session=None, staff=None):
        person = people.person()
        code = _code(rng)
        while code in codes:
            code = _code(rng)
        codes.add(code)
        phone = person["phone"] or f"+7701{rng.randrange(10_000_000):07d}"
        bookings.append(
            Booking(
                schedule=item,
                official=item.official,
                date=day,
                time=time,
                applicant_name=f"{person['last_name']} {person['first_name']}",
                applicant_phone=phone,
                topic=rng.choice(topics) if rng.random() < 0.6 else None,
                status=status,
                code=code,
                booked_by=staff,
                session=session,
            )
        )

    sessions = {(s.schedule_id, s.date): s for code in world.sessions for s in world.sessions[code]}
    for item in world.schedules:
        code = _code_of(world, item.branch_id)
        officer = world.officers[code]
        day = world.today - dt.timedelta(days=BOOKING_DAYS)
        while day <= world.today + dt.timedelta(days=BOOKING_DAYS):
            held = item.occurs_on(day) and (item.date is not None or world.days.is_working(day))
            if held:
                past = day < world.today
                for time in item.slot_times():
                    if rng.random() >= (0.45 if past else 0.3):
                        continue
                    staff = officer if rng.random() < 0.4 else None
                    if not past:
                        booking(item, day, time, Booking.Status.BOOKED, staff=staff)
                        continue
                    roll = rng.random()
                    if roll < 0.1:
                        booking(item, day, time, Booking.Status.CANCELLED, staff=staff)
                    elif roll < 0.25:
                        booking(item, day, time, Booking.Status.NO_SHOW, staff=staff)
                    else:
                        session = sessions.get((item.pk, day))
                        booking(item, day, time, Booking.Status.ATTENDED, session, staff)
            day += dt.timedelta(days=1)
    Booking.objects.bulk_create(bookings, batch_size=500)
    return len(bookings)


# The step ----------------------------------------------------------------------------------
def seed(ctx: DemoContext) -> None:
    rng = ctx.rng("reception")
    today = ctx.today
    start = add_years(today, -2) + dt.timedelta(days=1)  # the two years up to today
    branches = {b.code: b for b in demo_branches()}
    cal = work_calendar()
    people = People(rng, today)
    world = World(
        today=today,
        start=start,
        days=Days(cal, start - dt.timedelta(days=14), today + dt.timedelta(days=400)),
        branches=branches,
        places=_places(),
        officers=_officers(ctx, rng, people, branches),
        heads={
            u.branch.code: u
            for u in User.objects.filter(
                role__in=(Role.DISTRICT_SECRETARY, Role.REGIONAL_ADMIN),
                branch__in=branches.values(),
                is_active=True,
            )
            .select_related("branch")
            .order_by("pk")
        },
    )
    world.code_by_id = {b.pk: code for code, b in branches.items()}
    if REGION_CODE not in world.heads:  # no regional administrator: the region's officer
        world.heads[REGION_CODE] = world.officers[REGION_CODE]
    world.topics = {t.code: t for t in Topic.objects.filter(code__in=TOPIC_WEIGHTS)}
    missing = set(TOPIC_WEIGHTS) - set(world.topics)
    if missing:
        raise RuntimeError(f"appeal topics missing (migration 0002): {sorted(missing)}")
    _build_officials(world, rng, people)
    _build_sessions(world)
    drafts = _build_appeals(ctx, world, rng, people)
    _write_appeals(ctx, world, rng, drafts)
    bookings = _build_bookings(world, rng, people)
    ctx.log(
        f"  {len(drafts):,} appeals, {sum(len(v) for v in world.officials.values())} officials, "
        f"{len(world.schedules)} schedules, {sum(len(v) for v in world.sessions.values()):,} "
        f"sessions, {bookings} bookings"
    )


def _officer_users():
    return User.objects.filter(
        Q(username=RECEPTION_USER) | Q(username__startswith=OFFICER_PREFIX),
        role=Role.RECEPTION_OFFICER,
        branch__in=demo_branches(),
    )


def is_done(ctx: DemoContext) -> bool:
    return _officer_users().filter(username=RECEPTION_USER).exists()


def reset(ctx: DemoContext) -> None:
    branches = demo_branches()
    appeals = Appeal.objects.filter(receiving_branch__in=branches)
    officials = Official.objects.filter(branch__in=branches)
    schedules = ReceptionSchedule.objects.filter(Q(branch__in=branches) | Q(official__in=officials))
    sessions = ReceptionSession.objects.filter(Q(branch__in=branches) | Q(official__in=officials))
    # References from outside the demo region to what goes (PROTECT): let go of them.
    others = Appeal.objects.exclude(receiving_branch__in=branches)
    others.filter(district__in=branches).update(district=None)
    others.filter(responsible_official__in=officials).update(responsible_official=None)
    storage = Attachment._meta.get_field("file").storage
    for name in Attachment.objects.filter(appeal__in=appeals).values_list("file", flat=True):
        with contextlib.suppress(OSError):
            storage.delete(name)
    raw_delete(Booking.objects.filter(Q(official__in=officials) | Q(schedule__in=schedules)))
    raw_delete(AppealEvent.objects.filter(appeal__in=appeals))
    raw_delete(Attachment.objects.filter(appeal__in=appeals))
    raw_delete(appeals)
    reception_tally.rebuild()  # the kept figures recounted without the demo's appeals
    raw_delete(sessions)
    raw_delete(schedules)
    raw_delete(officials)
    _officer_users().delete()


@dataclass(frozen=True)
class Figures:
    """The report's figures as the statistics module computes them."""

    year: int  # the year reported on (statistics.reporting_year)
    appeals: int
    decided_this_year: int
    positive_this_year: object
    positive_last_year: object
    positive_whole_last_year: object
    points: object
    visits_now: int
    visits_before: int
    visits_ratio: object
    sessions_now: int
    sessions_before: int
    sessions_ratio: object
    open: int
    overdue: int
    extended: int
    forwarded: int


def figures(user, today: dt.date | None = None) -> Figures:
    """What `user` (the regional administrator, or a branch's secretary or officer) sees."""
    from bastau.accounts.scoping import Scope
    from bastau.reception import permissions, services, statistics

    scope = Scope(user)
    today = today or timezone.localdate()
    reported, before = statistics.reporting_year(today)
    year = statistics.compare(scope, reported, before, as_of=today)
    whole = statistics.summary(
        scope, statistics.this_year(reported.end, whole_previous_year=True)[1], as_of=today
    )
    months = statistics.two_month_comparison(scope, today)
    appeals = permissions.appeals(scope, include_assigned=False)
    return Figures(
        year=reported.start.year,
        appeals=appeals.count(),
        decided_this_year=year.current.decided,
        positive_this_year=year.current.positive_share,
        positive_last_year=year.previous.positive_share,
        positive_whole_last_year=whole.positive_share,
        points=year.positive_share_points,
        visits_now=months.current.reception_visits,
        visits_before=months.previous.reception_visits,
        visits_ratio=statistics.ratio(
            months.current.reception_visits, months.previous.reception_visits
        ),
        sessions_now=months.current.reception_sessions,
        sessions_before=months.previous.reception_sessions,
        sessions_ratio=months.sessions_ratio,
        open=appeals.filter(status__in=Appeal.OPEN).count(),
        overdue=services.overdue(scope, today).count(),
        extended=appeals.filter(extended_deadline__isnull=False).count(),
        forwarded=appeals.filter(status=Appeal.Status.FORWARDED).count(),
    )


def _figure_lines(label: str, f: Figures) -> list[str]:
    return [
        f"Reception, {label}: {f.appeals:,} appeals; resolved positively {f.positive_this_year}% "
        f"in {f.year} against {f.positive_last_year}% in the same part of {f.year - 1} "
        f"({f.points:+} points; all of {f.year - 1} {f.positive_whole_last_year}%)",
        f"Reception, {label}: last two months against the two before: reception visits "
        f"{f.visits_now} vs {f.visits_before} (x{f.visits_ratio}), reception sessions "
        f"{f.sessions_now} vs {f.sessions_before} (x{f.sessions_ratio}); now {f.open} open, "
        f"{f.overdue} overdue; {f.extended} extended, {f.forwarded} forwarded in all",
    ]


def summary(ctx: DemoContext) -> list[str]:
    admin = User.objects.filter(role=Role.REGIONAL_ADMIN, branch__code=REGION_CODE).first()
    officer = _officer_users().filter(username=RECEPTION_USER).first()
    lines = []
    if admin is not None:
        lines += _figure_lines("the region (admin)", figures(admin, ctx.today))
    if officer is not None:
        lines += _figure_lines(
            f"{DEMO_DISTRICT} (secretary, reception)", figures(officer, ctx.today)
        )
    return lines


def login_notes(site: str = "") -> list[str]:
    """What `bastau demo_logins` says about the reception; `site` prefixes the paths."""
    officer = _officer_users().filter(username=RECEPTION_USER).first()
    if officer is None:
        return []

    def url(name: str, default: str) -> str:
        try:
            return site + reverse(f"reception:{name}")
        except NoReverseMatch:
            return f"{site}/reception/{default}"

    sample = (
        Appeal.objects.filter(receiving_branch=officer.branch, extended_deadline__isnull=False)
        .order_by("-registered_on")
        .values_list("tracking_code", flat=True)
        .first()
    )
    lines = [
        "Public reception «Халыққа көмек»:",
        f'- "{RECEPTION_USER}" (password {DEMO_PASSWORD}, phone {RECEPTION_PHONE}): the '
        f"reception officer of the {officer.branch.code} branch: registers, "
        'assigns, forwards and resolves its appeals; "secretary" (its head) also extends '
        f'them, "admin" sees every branch. Staff pages: {url("staff_dashboard", "staff/")}. '
        f"The other branches' officers are {OFFICER_PREFIX}<branch code>.",
        f"- For citizens, no account: {url('public', 'public/')} (submit an appeal at "
        f"{url('submit', 'appeal/')}, check a status at {url('status', 'status/')}, the "
        f"schedule and booking at {url('schedule', 'schedule/')}).",
    ]
    if sample:
        lines.append(
            f"  A demo tracking code to try: {sample[:5]}-{sample[5:]} (a Mugalzhar appeal whose "
            "deadline was extended)."
        )
    return lines


STEP = Step(name="reception", seed=seed, is_done=is_done, reset=reset, summary=summary)
