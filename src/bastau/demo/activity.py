"""Demo step: branch activity (DESIGN.md section 4, the activists' meeting of the news report).

What the report of late 2019 described, on ``ctx.today``:

- the regional branch's activists' meeting a couple of weeks ago (``meeting_date``): groups of
  participants by category, named participants, four agenda items with speakers (the tasks
  set by the party's Chairman, reports of the branches, party cards for new members, awards)
  and a decision on each;
- the chair's five instructions from the first item, issued by the regional administrator to
  the district branches and the demo users (the Mugalzhar secretary, the POO leader; the demo
  member co-executes one): two done on time and one done late (reports accepted), one
  extended (open, new deadline ahead) and exactly one overdue (deadline passed, a report
  returned for rework);
- 10 new members given party cards at the meeting: the admitted members of the members step
  still without a card (the most recently admitted before the meeting) get their card through
  ``members.services.issue_card`` on the meeting date (their admission becomes "card issued");
  the POO meetings that admitted them (on the admission's own POO meeting date and protocol
  number) are recorded with a decision linked to each admission: ``record_decision`` links an
  admission only from a POO meeting, the body that decides it;
- the contest «Үздік бастауыш партия ұйымы» of the meeting's year, finished: five weighted
  criteria, a district juror in every district (in Mugalzhar the secretary, elsewhere a party
  activist with a user of the step's own, "jury-<branch>") and a regional jury (admin and two
  activists), entries from POOs of all 13 branches scored at both stages, district places,
  two finalists per branch, regional places and 8 winners, each with a diploma awarded at the
  meeting;
- 16 party veterans marked on their record, 4 of whom get a letter of thanks at the meeting;
- the six social projects of the regional branch with goal, target groups, curator and events
  (with reach) over the past year, and 24 projects optimised this year: merged into one of
  the six (18) or closed (6), with the date and the reason;
- two commissions of the regional branch: the party control commission (party members, one
  seat that changed hands) and the public council against corruption (with outside people by
  name and position), each with a chair, a secretary, a term and sessions with decisions.

Only the users step's users are referenced where a user's deletion is refused (issuer, report
author, juror): the oversight and reception steps delete their own users in their resets,
which must work while this step's data is there.

Meetings, instructions and projects go through ``bastau.activity.services`` (so the audit
trail and the services' rules hold) on a simulated clock, so that what happened three weeks
ago is recorded then; contests, awards and commissions are written with the ORM, within the
models' constraints. The random choices come from ``ctx.rng("activity...")``.

The reset removes every meeting, instruction, project, contest, award and commission of the
demo branches, the cards the step issued (their admissions back to "admitted"), the jury's
users and the veteran marks of demo members (the members step marks none).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Q, Sum
from django.utils import timezone

from bastau.accounts.models import Role, User
from bastau.accounts.scoping import Scope
from bastau.activity import services
from bastau.activity.models import (
    Award,
    Commission,
    CommissionDecision,
    CommissionMembership,
    CommissionSession,
    Contest,
    ContestCriterion,
    ContestEntry,
    Instruction,
    Juror,
    Meeting,
    ProjectEvent,
    Score,
    SocialProject,
)
from bastau.core.models import AuditEvent
from bastau.lib.dates import add_years
from bastau.lib.workdays import WorkCalendar
from bastau.members import services as member_services
from bastau.members.models import Admission, Member, PartyCard
from bastau.reception.models import Official
from bastau.reception.services import work_calendar
from bastau.reception.statistics import last_two_months
from bastau.structure.models import PrimaryOrganization

from . import REGION_CODE, DemoContext, Step
from .members import CARD_SERIES, People
from .primaries import _clock
from .structure import DEMO_DISTRICT, GROWTH_POO_CODE, demo_branches, demo_poos
from .util import raw_delete

# The activists' meeting ---------------------------------------------------------------------------
#: The meeting is held on the last working day (of the reception's calendar) on or before this
#: many days ago. The members step admits members weeks before it whose cards are not made yet.
MEETING_DAYS_AGO = 16
MEETING_NUMBER = "4"
NEW_MEMBERS = 10

PARTICIPANTS = {
    "Облыстық филиал саяси кеңесінің мүшелері": 41,
    "Аудандық және қалалық филиалдардың төрағалары мен хатшылары": 26,
    "Бастауыш партия ұйымдарының төрағалары": 118,
    "Мәслихаттардағы партия фракцияларының депутаттары": 52,
    "Партияның жастар қанатының белсенділері": 37,
    "Партия ардагерлері": 16,
    "Жаңа партия мүшелері": NEW_MEMBERS,
    "Бұқаралық ақпарат құралдарының өкілдері": 9,
}

ITEM_TASKS = (
    "Партия Төрағасының кеңейтілген саяси кеңес отырысында қойған міндеттері және оларды облыстық "
    "филиалда іске асыру туралы"
)
ITEM_REPORTS = (
    "Аудандық және қалалық филиалдардың, мәслихаттардағы партия фракцияларының жұмысы туралы "
    "есептер"
)
ITEM_CARDS = "Жаңа партия мүшелеріне партия билеттерін салтанатты түрде тапсыру"
ITEM_AWARDS = (
    "«Үздік бастауыш партия ұйымы» конкурсының жеңімпаздарын және партия ардагерлерін марапаттау"
)

DECISION_TASKS = (
    "Партия Төрағасы қойған міндеттер облыстық филиалдың жұмыс жоспарына енгізілсін; "
    "төрағаның тапсырмалары орындалуы бақылауға алынсын."
)
DECISION_REPORTS = (
    "Есептер назарға алынсын. Мұғалжар аудандық филиалының бастауыш партия ұйымдарымен жұмыс "
    "тәжірибесі өзге филиалдарға таратылсын."
)

#: The chair's five instructions: (key, text, deadline in working days after the meeting).
INSTRUCTIONS = (
    ("primaries", "Праймериз бойынша түсіндіру жұмыстарын ұйымдастыру", 5),
    ("programme", "Сайлауалды бағдарламаның жобасын әзірлеу", 6),
    ("budget", "Бюджет көрсеткіштерін партия активіне жеткізу", 2),
    ("control", "Бюджет көрсеткіштерінің орындалуын бақылау", 4),
    ("poos", "Бастауыш партия ұйымдарының жұмысын жандандыру, жаңа мүшелерге партия билеттерін "
             "уақтылы тапсыру", 7),
)  # fmt: skip
REPORTS = {
    "primaries": (
        "Барлық аудандық және қалалық филиалдарда праймериз тәртібі бойынша түсіндіру "
        "кездесулері өтті, оларға 2 300-ден астам партия мүшесі қатысты; жадынамалар бастауыш "
        "партия ұйымдарына таратылды."
    ),
    "budget": (
        "Облыстық бюджеттің негізгі көрсеткіштері фракция депутаттарының қатысуымен 13 аудандық "
        "және қалалық филиалдың партия активіне таныстырылды; ақпараттық материалдар "
        "филиалдардың әлеуметтік желілерінде жарияланды."
    ),
    "control": "Мұғалжар ауданында бюджеттік бағдарламалардың орындалуына мониторинг жүргізілуде.",
    "poos": (
        "Мұғалжар ауданының бастауыш партия ұйымдарында жиналыстар өткізілді, жаңа мүшелерге "
        "партия билеттері тапсырылды; БПҰ төрағаларына арналған семинар ұйымдастырылды."
    ),
}
RETURN_NOTE = (
    "Мониторинг нәтижелері бойынша нақты деректер мен ұсыныстар келтірілмеген; есепті толықтырыңыз."
)
EXTENSION_REASON = "Бағдарлама жобасын аудандық филиалдармен және сарапшылармен талқылау жалғасуда"
EXTENSION_DAYS = 30  # the programme's new deadline: the first working day this many days ahead

POO_ITEM = "Партия қатарына қабылдау туралы"

# The contest --------------------------------------------------------------------------------------
CONTEST_NAME = "Үздік бастауыш партия ұйымы"
CONTEST_RULES = (
    "Конкурсқа облыстың барлық бастауыш партия ұйымдары қатыса алады. Бірінші кезеңде аудандық "
    "(қалалық) қазылар алқасы өтінімдерді бағалап, әр аудан мен қаладан екі үздік ұйымды "
    "облыстық кезеңге ұсынады. Облыстық қазылар алқасы финалистерді бағалап, сегіз жеңімпазды "
    "анықтайды; жеңімпаздар облыстық филиалдың дипломымен марапатталады."
)
CRITERIA = (
    ("Партия қатарының өсуі және жаңа мүшелерді тарту", "0.25"),
    ("Партиялық жобалар мен әлеуметтік іс-шараларға қатысу", "0.25"),
    ("Азаматтардың өтініштерімен жұмыс, «Халыққа көмек» қабылдауларына қатысу", "0.20"),
    ("Бұқаралық ақпарат құралдары мен әлеуметтік желілердегі ақпараттық жұмыс", "0.15"),
    ("Партиялық құжаттаманың жүргізілуі (хаттамалар, мүшелерді есепке алу)", "0.15"),
)
ADVANCE_PER_DISTRICT = 2
WINNERS = 8
#: Entries per branch (the others: 3 or 4).
ENTRIES = {"aktobe-city": 6, DEMO_DISTRICT: 6}
ENTRY_TEXTS = (
    "Ұйым мүшелері «Ардагерлерді ардақтайық» жобасы аясында жалғызбасты қарттарға тұрақты "
    "көмек көрсетеді; жыл ішінде ұйым қатарына жаңа мүшелер қабылданды.",
    "Ұйым «Халыққа көмек» қабылдауларына белсенді қатысып, тұрғындардың өтініштерін шешуге "
    "ықпал етті; ұйымның жұмысы аудандық газетте жарияланды.",
    "Ұйым жастар арасында еріктілер тобын құрып, ауылды абаттандыру сенбіліктерін өткізді.",
    "Ұйымның хаттамалары мен мүшелерді есепке алу құжаттары үлгілі жүргізіледі; көп балалы "
    "отбасыларға қайырымдылық акциялары өткізілді.",
)
JURY_PREFIX = "jury-"
REGIONAL_JURY = ("jury-region-1", "jury-region-2")
DIPLOMA_TITLE = "«Үздік бастауыш партия ұйымы – {year}» конкурсының жеңімпазы"

# Veterans and letters of thanks -------------------------------------------------------------------
VETERANS = 16
THANKED = 4
THANKS_TITLE = "Облыстық филиалдың Алғыс хаты"
THANKS_OCCASION = (
    "Партия құрылысына қосқан зор үлесі, жастарды тәрбиелеудегі белсенділігі үшін "
    "(облыстық филиал белсенділерінің жиналысында)"
)

# Social projects ----------------------------------------------------------------------------------
#: The six active projects: name, goal, target groups, years ago it started (None: the start of
#: the reception's «Халыққа көмек» project two months ago), events in the past year, reach range.
PROJECTS = (
    ("Ардагерлерді ардақтайық",
     "Соғыс және еңбек ардагерлерін, жалғызбасты қарттарды құрметтеу, оларға тұрмыстық және "
     "медициналық көмек ұйымдастыру",
     "Ардагерлер, жалғызбасты қарттар, зейнеткерлер", 6,
     ("Ардагерлерге құрмет көрсету кеші", "Жалғызбасты қарттардың үйлеріне көмек акциясы",
      "Ардагерлермен кездесу және медициналық тексеру"), (40, 260)),
    ("Кедергісіз келешек",
     "Мүгедектігі бар адамдар үшін қолжетімді орта құру, олардың жұмысқа орналасуына және "
     "әлеуметтік оңалтуына жәрдемдесу",
     "Мүгедектігі бар адамдар, мүгедектігі бар балалары бар отбасылар", 4,
     ("Әлеуметтік нысандардың қолжетімділігін тексеру рейді", "Инклюзивті жәрмеңке",
      "Ерекше балаларға арналған мереке"), (20, 180)),
    ("Бақытты отбасы",
     "Көп балалы және аз қамтылған отбасыларды қолдау, отбасылық құндылықтарды насихаттау",
     "Көп балалы отбасылар, аз қамтылған отбасылар, жас отбасылар", 5,
     ("«Мектепке жол» қайырымдылық акциясы", "Отбасы күніне арналған мереке",
      "Көп балалы аналармен кездесу"), (50, 400)),
    ("Құтты мекен",
     "Елді мекендерді абаттандыру, тұрғын үй-коммуналдық шаруашылық мәселелерін шешуге "
     "тұрғындарды тарту",
     "Ауыл және қала тұрғындары, пәтер иелерінің кооперативтері", 3,
     ("Аулаларды абаттандыру сенбілігі", "Ағаш отырғызу акциясы",
      "Тұрғындармен көшпелі кездесу"), (60, 500)),
    ("Халыққа көмек",
     "Партияның қоғамдық қабылдауларында азаматтардың өтініштерін уақтылы шешу, мемлекеттік "
     "органдар басшыларының қабылдауларын ұйымдастыру",
     "Өтініш берген азаматтар, барлық тұрғындар", None,
     ("Мемлекеттік орган басшысының қабылдауы", "Көшпелі қабылдау",
      "Тегін заң кеңесі күні"), (15, 120)),
    ("Жастар — Отанға",
     "Жастардың бастамаларын қолдау, еріктілікті, кәсіпкерлікті және спортты дамыту",
     "14-35 жас аралығындағы жастар, студенттер, жас кәсіпкерлер", 2,
     ("Жастар форумы", "Еріктілер акциясы", "Жас кәсіпкерлерге арналған оқыту семинары"),
     (30, 350)),
)  # fmt: skip
PROJECT_EVENTS = 9  # per active project over the past year (fewer for «Халыққа көмек»)

MERGE_REASON = "Мақсаты мен нысаналы тобы ұқсас болғандықтан «{target}» жобасына біріктірілді"
#: The 24 projects optimised this year: (name, branch code, the project it merged into, or the
#: reason it was closed).
OPTIMISED = (
    ("Ардагерге құрмет", REGION_CODE, "Ардагерлерді ардақтайық"),
    ("Аға буын", REGION_CODE, "Ардагерлерді ардақтайық"),
    ("Зейнеткерге қамқорлық", DEMO_DISTRICT, "Ардагерлерді ардақтайық"),
    ("Жеңіс ұрпақтары", REGION_CODE, "Ардагерлерді ардақтайық"),
    ("Тең мүмкіндік", REGION_CODE, "Кедергісіз келешек"),
    ("Қолжетімді орта", REGION_CODE, "Кедергісіз келешек"),
    ("Инватакси", "aktobe-city", "Кедергісіз келешек"),
    ("Көп балалы отбасыға қолдау", REGION_CODE, "Бақытты отбасы"),
    ("Ана мен бала", REGION_CODE, "Бақытты отбасы"),
    ("Мектепке жол", DEMO_DISTRICT, "Бақытты отбасы"),
    ("Таза аула", REGION_CODE, "Құтты мекен"),
    ("Жасыл ел — жасыл аула", REGION_CODE, "Құтты мекен"),
    ("Ауыл — ел бесігі", REGION_CODE, "Құтты мекен"),
    ("Заң көмегі", REGION_CODE, "Халыққа көмек"),
    ("Ашық есік", DEMO_DISTRICT, "Халыққа көмек"),
    ("Жас кәсіпкер", REGION_CODE, "Жастар — Отанға"),
    ("Еріктілер мектебі", REGION_CODE, "Жастар — Отанға"),
    ("Спорт — денсаулық кепілі", "aktobe-city", "Жастар — Отанға"),
    ("Сапалы тамақ", REGION_CODE,
     "Міндеттері орындалды: мектептердегі тамақтану сапасын бақылау ата-аналар комитеттеріне "
     "берілді"),
    ("Қауіпсіз жол", REGION_CODE,
     "Мемлекеттік бағдарлама аясында жүзеге асырылатындықтан жабылды"),
    ("Цифрлық сауаттылық", REGION_CODE,
     "Міндеттері толық орындалды, жоба жабылды"),
    ("Ауызсу", REGION_CODE,
     "Мемлекеттік бағдарлама аясында жүзеге асырылатындықтан жабылды"),
    ("Кітап — білім бұлағы", DEMO_DISTRICT,
     "Қаржыландыру көзі болмағандықтан жабылды"),
    ("Ауыл шаруашылығы кооперациясы", REGION_CODE,
     "Міндеттері толық орындалды, жоба жабылды"),
)  # fmt: skip

# Commissions --------------------------------------------------------------------------------------
CONTROL_NAME = "Партияның Ақтөбе облыстық филиалының партиялық бақылау комиссиясы"
CONTROL_REMIT = (
    "Партия Жарғысының, партиялық тәртіптің сақталуын, партиялық құжаттаманың жүргізілуін және "
    "партиялық жарналардың төленуін бақылау; партия мүшелеріне қатысты тәртіптік істерді қарау."
)
COUNCIL_NAME = (
    "Партияның Ақтөбе облыстық филиалы жанындағы сыбайлас жемқорлыққа қарсы қоғамдық кеңес"
)
COUNCIL_REMIT = (
    "Жергілікті атқарушы органдар мен квазимемлекеттік сектор қызметіндегі сыбайлас жемқорлық "
    "тәуекелдерін қоғамдық талдау, азаматтардың сыбайлас жемқорлыққа қатысты өтініштерін қарау, "
    "сыбайлас жемқорлыққа қарсы мәдениетті насихаттау."
)
#: Outside members of the public council: position held.
COUNCIL_OUTSIDERS = (
    "Ақтөбе облыстық адвокаттар алқасының мүшесі",
    "Қ. Жұбанов атындағы Ақтөбе өңірлік университетінің доценті, заң ғылымдарының кандидаты",
    "«Атамекен» ұлттық кәсіпкерлер палатасы облыстық палатасының сарапшысы",
    "Құқық қорғау органдарының ардагері",
    "Облыстық «Ақтөбе» газетінің журналисі",
    "«Ашық қоғам» қоғамдық бірлестігінің төрағасы",
)
CONTROL_SESSIONS = (
    (
        "Бастауыш партия ұйымдарында партиялық жарналардың төленуін тексеру қорытындысы туралы",
        (
            "Ақпарат назарға алынсын; жарна төлеу бойынша берешегі бар бастауыш партия "
            "ұйымдарының төрағаларына ескерту жасалсын.",
            "Аудандық филиалдардағы партиялық құжаттаманы тексеру кестесі бекітілсін.",
        ),
    ),
    (
        "Партия мүшелеріне қатысты тәртіптік істер туралы",
        (
            "Партия Жарғысын өрескел бұзғаны үшін партия қатарынан шығару туралы бастауыш "
            "партия ұйымының шешімі заңды деп танылсын.",
            "Партиялық тәртіпті бұзған партия мүшесіне қатаң ескерту жарияланды.",
        ),
    ),
    (
        "Мұғалжар және Хромтау аудандық филиалдарындағы партиялық құжаттаманың жүргізілуін "
        "тексеру нәтижелері туралы",
        (
            "Мұғалжар аудандық филиалында мүшелерді есепке алу үлгілі жүргізіледі деп танылсын.",
            "Хромтау аудандық филиалына анықталған кемшіліктерді бір ай ішінде жою ұсынылсын.",
        ),
    ),
)
COUNCIL_SESSIONS = (
    (
        "Мемлекеттік сатып алулардағы сыбайлас жемқорлық тәуекелдерін талдау туралы",
        (
            "Облыстық білім басқармасының мемлекеттік сатып алуларына қоғамдық мониторинг "
            "жүргізілсін.",
            "Талдау нәтижелері сыбайлас жемқорлыққа қарсы іс-қимыл агенттігінің облыстық "
            "департаментіне жіберілсін.",
        ),
    ),
    (
        "«Халыққа көмек» қабылдауларына түскен сыбайлас жемқорлыққа қатысты өтініштерді қарау "
        "туралы",
        (
            "Үш өтініш бойынша құзыретті органдарға сауал жіберілсін.",
            "Жергілікті атқарушы органдардың қызметіндегі сыбайлас жемқорлық тәуекелдерін сыртқы "
            "талдау жоспары бекітілсін.",
        ),
    ),
)


# Helpers ------------------------------------------------------------------------------------------
def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _calendar() -> WorkCalendar:
    """The reception's working-day calendar (the `holidays` package and the staff's overrides):
    the demo holds meetings, sets deadlines and sits on working days only."""
    return work_calendar()


def _working_day_on_or_before(day: dt.date) -> dt.date:
    return _calendar().working_day_on_or_before(day)


def _between(rng, low: dt.date, high: dt.date) -> dt.date:
    if high <= low:
        return low
    return low + dt.timedelta(days=rng.randrange((high - low).days + 1))


def _card_less_admissions() -> list[Admission]:
    """Admitted members of the demo still without a valid card, most recently admitted first."""
    return list(
        Admission.objects.filter(
            poo__in=demo_poos(),
            stage=Admission.Stage.ADMITTED,
            member__status=Member.Status.ACTIVE,
            district_decision_date__isnull=False,
        )
        .exclude(member__cards__status=PartyCard.Status.VALID)
        .select_related("member", "poo__branch", "poo__leader")
        .order_by("-district_decision_date", "iin")
    )


def meeting_date(today: dt.date, cal: WorkCalendar | None = None) -> dt.date:
    """The last working day on or before MEETING_DAYS_AGO days ago."""
    cal = cal or _calendar()
    return cal.working_day_on_or_before(today - dt.timedelta(days=MEETING_DAYS_AGO))


class _Pool:
    """Current active members of working age, by branch (the first POOL_SIZE of a branch, read
    when first needed); each pick is taken out, so nobody gets two roles by accident."""

    POOL_SIZE = 400

    def __init__(self, today: dt.date, exclude: set[int]):
        self.today = today
        self.by_branch: dict[str, list[tuple[int, dt.date]]] = {}
        self.used: set[int] = set(exclude)

    def _rows(self, code: str) -> list[tuple[int, dt.date]]:
        if code not in self.by_branch:
            rows = (
                Member.objects.filter(
                    poo__in=demo_poos().filter(branch__code=code),
                    status=Member.Status.ACTIVE,
                    birth_date__gt=add_years(self.today, -63),
                    birth_date__lte=add_years(self.today, -35),
                )
                .order_by("pk")
                .values_list("pk", "birth_date")
            )
            self.by_branch[code] = list(rows[: self.POOL_SIZE])
        return self.by_branch[code]

    def pick(self, rng, code: str, *, min_age: int = 35, max_age: int = 62) -> int | None:
        low, high = add_years(self.today, -max_age - 1), add_years(self.today, -min_age)
        fits = [pk for pk, born in self._rows(code) if low < born <= high]
        fits = [pk for pk in fits if pk not in self.used]
        if not fits:
            return None
        pk = rng.choice(fits)
        self.used.add(pk)
        return pk

    def pick_any(self, rng, codes, **kw) -> int:
        for code in codes:
            pk = self.pick(rng, code, **kw)
            if pk is not None:
                return pk
        raise RuntimeError("the demo has no member to pick")


def _party_leaders() -> dict[str, Member]:
    """Each branch's party leader (first deputy chairman) as the reception step names them."""
    rows = Official.objects.filter(
        kind=Official.Kind.PARTY_LEADER, member__isnull=False, branch__in=demo_branches()
    ).select_related("member", "branch")
    return {o.branch.code: o.member for o in rows.order_by("pk")}


def _users() -> dict[str, User]:
    """The users step's demo users. Only they are referenced where deleting a user is refused
    (issuer, report author, juror...): the oversight and reception steps' users are deleted by
    those steps' own resets, which must keep working while this step's data is there."""
    wanted = ("admin", "secretary", "leader", "member")
    found = {u.username: u for u in User.objects.filter(username__in=wanted, is_active=True)}
    users = {name: found.get(name) for name in wanted}
    users["secretary"] = users["secretary"] or users["admin"]
    users["leader"] = users["leader"] or users["secretary"]
    return users


# The meeting, its POO meetings and the cards ----------------------------------------------------
def _poo_meetings(scope: Scope, clock, admissions: list[Admission]) -> None:
    """The POO meetings that admitted the new members, each decision linked to the admission."""
    groups: dict[tuple[int, dt.date], list[Admission]] = defaultdict(list)
    for a in admissions:
        groups[(a.poo_id, a.poo_meeting_date or a.district_decision_date)].append(a)
    for (_poo_id, day), group in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        poo = group[0].poo
        chair = poo.leader
        if chair is None or chair.pk in {a.member_id for a in group}:
            chair = (
                Member.objects.filter(poo=poo, status=Member.Status.ACTIVE, joined_on__lt=day)
                .exclude(pk__in=[a.member_id for a in group])
                .order_by("joined_on", "pk")
                .first()
            )
        clock.set(_aware(day, 17))
        meeting = services.create_meeting(
            scope,
            kind=Meeting.Kind.POO_MEETING,
            poo=poo,
            date=day,
            number=group[0].poo_protocol_number,
            place=poo.address,
            chair_member=chair,
            chair_name="" if chair else "БПҰ төрағасы",
        )
        item = services.add_agenda_item(scope, meeting, title=POO_ITEM)
        for a in group:
            services.record_decision(
                scope,
                item,
                text=f"{a.last_name} {a.first_name} {a.patronymic}".strip()
                + " партия қатарына қабылдансын; шешім аудандық филиалдың бекітуіне жіберілсін.",
                admission=a,
            )


def _issue_cards(scope: Scope, clock, admissions: list[Admission], day: dt.date) -> list:
    clock.set(_aware(day, 11))
    cards = []
    for a in sorted(admissions, key=lambda a: (a.district_decision_date, a.iin)):
        cards.append(member_services.issue_card(scope, a.member, series=CARD_SERIES, issued_on=day))
    return cards


def _meeting(ctx, rng, scope, clock, *, day, users, leaders, pool, new, cards, veterans):
    region = ctx.region()
    chair = leaders.get(REGION_CODE) or Member.objects.get(
        pk=pool.pick_any(rng, ["aktobe-city"], min_age=45)
    )
    pool.used.add(chair.pk)
    speakers = []
    for code in (DEMO_DISTRICT, "aktobe-city"):
        member = leaders.get(code)
        if member is None:
            member = Member.objects.get(pk=pool.pick_any(rng, [code]))
        speakers.append(member)
    clock.set(_aware(day, 17))
    meeting = services.create_meeting(
        scope,
        kind=Meeting.Kind.ACTIVISTS,
        branch=region,
        date=day,
        number=MEETING_NUMBER,
        place=f"{region.address}, облыстық филиалдың мәжіліс залы",
        chair_member=chair,
    )
    named = [chair, *speakers, *(a.member for a in new), *veterans[:THANKED]]
    services.set_participants(scope, meeting, categories=PARTICIPANTS, members=named)
    faction = User.objects.filter(username="faction", role=Role.FACTION_SECRETARY).first()
    tasks = services.add_agenda_item(scope, meeting, title=ITEM_TASKS, speakers=[chair])
    reports = services.add_agenda_item(
        scope,
        meeting,
        title=ITEM_REPORTS,
        speakers=speakers,
        speakers_text=(
            f"{faction.last_name} {faction.first_name} — облыстық мәслихаттағы партия "
            "фракциясының хатшысы"
            if faction is not None
            else ""
        ),
    )
    cards_item = services.add_agenda_item(scope, meeting, title=ITEM_CARDS, speakers=[chair])
    awards = services.add_agenda_item(scope, meeting, title=ITEM_AWARDS, speakers=[chair])
    services.record_decision(scope, tasks, text=DECISION_TASKS)
    services.record_decision(scope, reports, text=DECISION_REPORTS)
    names = "; ".join(f"{card.member.full_name} ({card})" for card in cards)
    services.record_decision(
        scope,
        cards_item,
        text=f"Жаңа партия мүшелеріне партия билеттері тапсырылды: {names}.",
    )
    services.record_decision(
        scope,
        awards,
        text=(
            f"«{CONTEST_NAME}» конкурсының {WINNERS} жеңімпазы облыстық филиалдың дипломымен "
            f"марапатталсын; партияның {THANKED} ардагеріне облыстық филиалдың Алғыс хаты "
            "табысталсын."
        ),
    )
    return meeting, tasks


def _instructions(ctx, scope: Scope, clock, *, item, day: dt.date, users) -> dict:
    """The chair's five instructions and what became of them by today."""
    secretary, leader, member = users["secretary"], users["leader"], users["member"]
    districts = list(demo_branches().exclude(code=REGION_CODE).order_by("code"))
    mugalzhar = [b for b in districts if b.code == DEMO_DISTRICT]
    city = [b for b in districts if b.code == "aktobe-city"]
    who = {
        "primaries": dict(
            responsible_users=[secretary],
            responsible_branches=districts,
            co_executors=[member] if member else [],
        ),
        "programme": dict(responsible_users=[secretary], responsible_branches=city + mugalzhar),
        "budget": dict(
            responsible_users=[secretary], responsible_branches=districts, co_executors=[leader]
        ),
        "control": dict(responsible_users=[secretary], responsible_branches=mugalzhar),
        "poos": dict(responsible_users=[leader], responsible_branches=mugalzhar),
    }
    for spec in who.values():  # a demo user missing: nobody is both responsible and co-executor
        spec["co_executors"] = [
            u for u in spec.get("co_executors", []) if u not in spec["responsible_users"]
        ]
    cal = _calendar()
    made = {}
    clock.set(_aware(day, 15))
    for key, text, days in INSTRUCTIONS:
        made[key] = services.issue_instruction(
            scope,
            text=text,
            deadline=cal.add_working_days(day, days),
            agenda_item=item,
            today=day,
            **who[key],
        )

    def on(offset: int, hour: int = 11) -> dt.date:
        """The offset-th working day after the meeting, at `hour` on the clock."""
        moment = cal.add_working_days(day, offset)
        clock.set(_aware(moment, hour))
        return moment

    def done(key: str, executor: User, submitted: int, accepted: int) -> None:
        report = services.submit_report(
            Scope(executor), made[key], text=REPORTS[key], today=on(submitted)
        )
        services.accept_report(scope, report, today=on(accepted, 15))

    # Done on time (offsets in working days after the meeting, as the deadlines).
    done("primaries", secretary, 4, 5)
    done("poos", leader, 6, 7)
    # Done late: reported two working days after the deadline.
    done("budget", secretary, 4, 5)
    # Overdue: started, a report returned for rework, nothing since; the deadline has passed.
    report = services.submit_report(
        Scope(secretary), made["control"], text=REPORTS["control"], today=on(3)
    )
    services.return_report(scope, report, note=RETURN_NOTE, today=on(4, 15))
    # Extended: the new deadline is ahead.
    programme = made["programme"]
    services.start_instruction(Scope(secretary), programme)
    ext = services.request_extension(
        Scope(secretary),
        programme,
        new_deadline=cal.working_day_on_or_after(ctx.today + dt.timedelta(days=EXTENSION_DAYS)),
        reason=EXTENSION_REASON,
        today=on(4),
    )
    services.decide_extension(scope, ext, approve=True, note="Мерзім ұзартылсын.", today=on(5, 15))
    return made


# The contest and the awards -----------------------------------------------------------------------
def _points(rng, quality: float) -> Decimal:
    value = min(10.0, max(0.0, rng.gauss(quality, 0.8)))
    return Decimal(round(value * 2) / 2).quantize(Decimal("0.01"))


def _weighted(scores: list[Score], weights: dict[int, Decimal]) -> Decimal:
    by_criterion: dict[int, list[Decimal]] = defaultdict(list)
    for s in scores:
        by_criterion[s.criterion_id].append(s.points)
    total = sum(
        weights[c] * sum(points) / len(points) for c, points in by_criterion.items() if points
    )
    return Decimal(total).quantize(Decimal("0.001"), ROUND_HALF_UP)


def _jury_users(rng, pool: _Pool, branches) -> dict[str, User]:
    """The jury's own users (created once; the reset deletes them): a party activist of each
    district or city but Mugalzhar (whose jury is the secretary) and two of the city for the
    regional jury. Role "member", linked to their member record, no usable password: the
    contest is finished, and the secretary and the admin sign in to see it."""
    wanted = {JURY_PREFIX + b.code: b.code for b in branches if b.code != DEMO_DISTRICT}
    wanted.update(dict.fromkeys(REGIONAL_JURY, "aktobe-city"))
    existing = {u.username: u for u in User.objects.filter(username__in=wanted)}
    users = {}
    for username, code in wanted.items():
        pk = pool.pick_any(rng, [code, "aktobe-city"])  # drawn always, whatever exists
        user = existing.get(username)
        if user is None:
            member = Member.objects.get(pk=pk)
            user = User(
                username=username,
                role=Role.MEMBER,
                member=member,
                first_name=member.first_name,
                last_name=member.last_name,
                email=f"{username}@bastau.example",
            )
            user.set_unusable_password()
            user.save()
        users[username] = user
    return users


def _contest(ctx, rng, clock, pool, *, day, meeting, users) -> list[ContestEntry]:
    region = ctx.region()
    branches = list(demo_branches().exclude(code=REGION_CODE).order_by("code"))
    admin = users["admin"]
    entries_until = _working_day_on_or_before(day - dt.timedelta(days=40))
    clock.set(_aware(day - dt.timedelta(days=95)))
    contest = Contest.objects.create(
        branch=region,
        name=CONTEST_NAME,
        year=day.year,
        rules=CONTEST_RULES,
        entries_until=entries_until,
        advance_per_district=ADVANCE_PER_DISTRICT,
        winners_count=WINNERS,
        status=Contest.Status.FINISHED,
        created_by=admin,
    )
    criteria = ContestCriterion.objects.bulk_create(
        ContestCriterion(
            contest=contest, position=i, name=name, weight=Decimal(weight), max_points=10
        )
        for i, (name, weight) in enumerate(CRITERIA, start=1)
    )
    weights = {c.pk: c.weight for c in criteria}

    jury = _jury_users(rng, pool, branches)
    jurors = [
        Juror(
            contest=contest,
            stage=Contest.Stage.DISTRICT,
            user=users["secretary"] if b.code == DEMO_DISTRICT else jury[JURY_PREFIX + b.code],
            district=b,
        )
        for b in branches
    ]
    jurors += [
        Juror(contest=contest, stage=Contest.Stage.REGIONAL, user=u)
        for u in (admin, *(jury[name] for name in REGIONAL_JURY))
    ]
    jurors = Juror.objects.bulk_create(jurors)

    poos = defaultdict(list)
    for poo in (
        PrimaryOrganization.objects.filter(
            branch__in=branches,
            status=PrimaryOrganization.Status.ACTIVE,
            leader__isnull=False,
        )
        .select_related("branch")
        .order_by("code")
    ):
        poos[poo.branch.code].append(poo)
    leader_user = users["leader"] if users["leader"].role == Role.POO_LEADER else None
    entries, quality = [], {}
    for branch in branches:
        count = ENTRIES.get(branch.code, rng.choice((3, 4)))
        candidates = poos.get(branch.code, [])
        chosen = rng.sample(candidates, min(count, len(candidates)))
        growth = next((p for p in candidates if p.code == GROWTH_POO_CODE), None)
        if growth is not None and growth not in chosen:
            chosen[-1] = growth
        for poo in chosen:
            entry = ContestEntry(
                contest=contest,
                poo=poo,
                submitted_on=_between(rng, entries_until - dt.timedelta(days=30), entries_until),
                description=rng.choice(ENTRY_TEXTS),
                submitted_by=leader_user if leader_user and poo.code == GROWTH_POO_CODE else None,
            )
            entries.append(entry)
            quality[poo.pk] = rng.gauss(7.0, 1.2) + (0.8 if poo.code == GROWTH_POO_CODE else 0)
    entries = ContestEntry.objects.bulk_create(entries)

    # District stage: the branch's jury scores its entries; the best two go on.
    district_jurors = defaultdict(list)
    for j in jurors:
        if j.stage == Contest.Stage.DISTRICT:
            district_jurors[j.district_id].append(j)
    scores = []
    by_branch = defaultdict(list)
    for entry in entries:
        mine = [
            Score(
                entry=entry,
                criterion=c,
                juror=j,
                stage=Contest.Stage.DISTRICT,
                points=_points(rng, quality[entry.poo.pk]),
            )
            for j in district_jurors[entry.poo.branch_id]
            for c in criteria
        ]
        scores += mine
        by_branch[entry.poo.branch_id].append((_weighted(mine, weights), entry.poo.code, entry))
    finalists = []
    for ranked in by_branch.values():
        ranked.sort(key=lambda r: (-r[0], r[1]))
        for place, (_score, _code, entry) in enumerate(ranked, start=1):
            entry.district_place = place
            entry.advanced = place <= ADVANCE_PER_DISTRICT
            if entry.advanced:
                finalists.append(entry)
    # Regional stage: the regional jury scores the finalists; the best eight win.
    regional_jurors = [j for j in jurors if j.stage == Contest.Stage.REGIONAL]
    ranked = []
    for entry in sorted(finalists, key=lambda e: e.poo.code):
        mine = [
            Score(
                entry=entry,
                criterion=c,
                juror=j,
                stage=Contest.Stage.REGIONAL,
                points=_points(rng, quality[entry.poo.pk]),
            )
            for j in regional_jurors
            for c in criteria
        ]
        scores += mine
        ranked.append((_weighted(mine, weights), entry.poo.code, entry))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    for place, (_score, _code, entry) in enumerate(ranked, start=1):
        entry.regional_place = place
        entry.is_winner = place <= WINNERS
    Score.objects.bulk_create(scores, batch_size=500)
    ContestEntry.objects.bulk_update(
        entries, ["district_place", "advanced", "regional_place", "is_winner"]
    )
    winners = [entry for _s, _c, entry in ranked[:WINNERS]]
    clock.set(_aware(day, 17))
    Award.objects.bulk_create(
        Award(
            branch=region,
            kind=Award.Kind.DIPLOMA,
            title=DIPLOMA_TITLE.format(year=contest.year),
            poo=entry.poo,
            awarded_on=day,
            occasion=f"«{CONTEST_NAME}» конкурсының облыстық кезеңі, {entry.regional_place} орын",
            meeting=meeting,
            contest_entry=entry,
            number=f"{contest.year}/Д-{entry.regional_place}",
            created_by=admin,
        )
        for entry in winners
    )
    return entries


def _veterans(ctx, rng, exclude: set[int]) -> list[Member]:
    """VETERANS founding-years members aged 63 or more, from all over the region; the first
    THANKED (one of them from Mugalzhar, one from the city) get letters of thanks."""
    rows = list(
        Member.objects.filter(
            poo__in=demo_poos(),
            status=Member.Status.ACTIVE,
            joined_on__lte=dt.date(2007, 12, 31),
            birth_date__lte=add_years(ctx.today, -63),
        )
        .exclude(pk__in=exclude)
        .order_by("pk")
        .values_list("pk", "poo__branch__code")
    )
    by_branch = defaultdict(list)
    for pk, code in rows:
        by_branch[code].append(pk)
    chosen = []
    for code in (DEMO_DISTRICT, "aktobe-city"):
        if by_branch.get(code):
            chosen.append(rng.choice(by_branch[code]))
    rest = [pk for pk, _code in rows if pk not in chosen]
    chosen += rng.sample(rest, min(VETERANS - len(chosen), len(rest)))
    members = Member.objects.in_bulk(chosen)
    Member.objects.filter(pk__in=chosen).update(is_veteran=True)
    veterans = [members[pk] for pk in chosen]
    for m in veterans:
        m.is_veteran = True
    return veterans


def _thanks(ctx, *, day, meeting, veterans, users) -> None:
    region = ctx.region()
    Award.objects.bulk_create(
        Award(
            branch=region,
            kind=Award.Kind.LETTER_OF_THANKS,
            title=THANKS_TITLE,
            member=m,
            awarded_on=day,
            occasion=THANKS_OCCASION,
            meeting=meeting,
            number=f"{day.year}/А-{i}",
            created_by=users["admin"],
        )
        for i, m in enumerate(veterans[:THANKED], start=1)
    )


# Social projects ----------------------------------------------------------------------------------
def _projects(ctx, rng, scope: Scope, clock, pool: _Pool) -> tuple[int, int]:
    today = ctx.today
    year_start = today.replace(month=1, day=1)
    branches = {b.code: b for b in demo_branches()}
    region = branches[REGION_CODE]
    help_start = last_two_months(today)[0].start
    active = {}
    events = 0
    for name, goal, groups, years_ago, titles, (low, high) in PROJECTS:
        started = (
            help_start
            if years_ago is None
            else add_years(year_start, -years_ago) + dt.timedelta(days=rng.randint(30, 200))
        )
        curator = Member.objects.get(
            pk=pool.pick_any(rng, ["aktobe-city", DEMO_DISTRICT, "khromtau"])
        )
        clock.set(_aware(started))
        project = services.create_project(
            scope,
            branch=region,
            name=name,
            goal=goal,
            target_groups=groups,
            curator=curator,
            started_on=started,
        )
        active[name] = project
        since = max(started, today - dt.timedelta(days=365))
        count = PROJECT_EVENTS if years_ago is not None else 5
        dates = sorted(_between(rng, since, today - dt.timedelta(days=1)) for _ in range(count))
        for date in dates:
            clock.set(_aware(date, 18))
            services.record_project_event(
                scope,
                project,
                date=date,
                title=rng.choice(titles),
                reach=rng.randint(low, high),
            )
            events += 1

    optimised = 0
    for name, code, target_or_reason in OPTIMISED:
        target = active.get(target_or_reason)
        started = add_years(year_start, -rng.randint(2, 7)) + dt.timedelta(days=rng.randint(0, 300))
        low = max(year_start, target.started_on) if target else year_start
        ended = _between(rng, low, today)
        clock.set(_aware(started))
        project = services.create_project(
            scope,
            branch=branches[code],
            name=name,
            goal="",
            target_groups=target.target_groups if target else "",
            started_on=started,
        )
        for _ in range(rng.randint(1, 3)):
            date = _between(rng, max(started, ended - dt.timedelta(days=400)), ended)
            clock.set(_aware(date, 18))
            services.record_project_event(
                scope, project, date=date, title=f"«{name}» акциясы", reach=rng.randint(10, 150)
            )
        clock.set(_aware(ended, 16))
        services.end_project(
            scope,
            project,
            on=ended,
            reason=MERGE_REASON.format(target=target.name) if target else target_or_reason,
            merged_into=target,
        )
        optimised += 1
    return events, optimised


# Commissions --------------------------------------------------------------------------------------
def _commissions(ctx, rng, clock, pool: _Pool, users) -> None:
    today = ctx.today
    region = ctx.region()
    year_start = today.replace(month=1, day=1)
    people = People(rng, today)
    codes = ["aktobe-city", DEMO_DISTRICT, "khromtau", "alga", "kargaly", "temir", "martuk"]

    def member(i: int) -> int:
        return pool.pick_any(rng, codes[i % len(codes) :] + codes, min_age=38)

    cal = _calendar()

    def session_day(days_ago: int) -> dt.date:
        return cal.working_day_on_or_before(today - dt.timedelta(days=days_ago))

    # The party control commission: seven seats held by members, one that changed hands.
    control_start = cal.working_day_on_or_before(add_years(year_start, -2) + dt.timedelta(days=72))
    control = Commission.objects.create(
        branch=region,
        kind=Commission.Kind.CONTROL,
        name=CONTROL_NAME,
        term_start=control_start,
        term_end=add_years(control_start, 5) - dt.timedelta(days=1),
        description=CONTROL_REMIT,
    )
    roles = [CommissionMembership.Role.CHAIR, CommissionMembership.Role.DEPUTY]
    roles += [CommissionMembership.Role.SECRETARY] + [CommissionMembership.Role.MEMBER] * 4
    replaced_on = session_day(170)
    seats = [
        CommissionMembership(
            commission=control,
            member_id=member(i),
            role=role,
            since=control_start if i != len(roles) - 1 else replaced_on,
            position="Партия мүшесі",
        )
        for i, role in enumerate(roles)
    ]
    seats.append(
        CommissionMembership(
            commission=control,
            member_id=member(len(roles)),
            role=CommissionMembership.Role.MEMBER,
            since=control_start,
            until=replaced_on - dt.timedelta(days=1),
            position="Партия мүшесі (басқа жұмысқа ауысуына байланысты шықты)",
        )
    )
    # The public council: a party chair and secretary, the others outside people by name.
    council_start = cal.working_day_on_or_before(add_years(year_start, -1) + dt.timedelta(days=40))
    council = Commission.objects.create(
        branch=region,
        kind=Commission.Kind.ANTICORRUPTION,
        name=COUNCIL_NAME,
        term_start=council_start,
        term_end=add_years(council_start, 3) - dt.timedelta(days=1),
        description=COUNCIL_REMIT,
    )
    seats += [
        CommissionMembership(
            commission=council,
            member_id=member(i),
            role=role,
            since=council_start,
            position=position,
        )
        for i, (role, position) in enumerate(
            (
                (CommissionMembership.Role.CHAIR, "Ақтөбе облыстық мәслихатының депутаты"),
                (CommissionMembership.Role.SECRETARY, "Облыстық филиал аппаратының қызметкері"),
            )
        )
    ]
    for position in COUNCIL_OUTSIDERS:
        person = people.person(age=rng.randint(34, 66))
        seats.append(
            CommissionMembership(
                commission=council,
                name=f"{person['last_name']} {person['first_name']} {person['patronymic']}",
                role=CommissionMembership.Role.MEMBER,
                since=council_start,
                position=position,
            )
        )
    CommissionMembership.objects.bulk_create(seats)

    expelled = (
        Member.objects.filter(
            poo__in=demo_poos(),
            status=Member.Status.EXPELLED,
            left_on__gte=today - dt.timedelta(days=320),
            left_on__lte=today - dt.timedelta(days=170),
        )
        .order_by("left_on", "pk")
        .first()
    )
    admin = users["admin"]
    plan = [
        (control, 300, CONTROL_SESSIONS[0], 7),
        (control, 170, CONTROL_SESSIONS[1], 6),
        (control, 45, CONTROL_SESSIONS[2], 7),
        (council, 240, COUNCIL_SESSIONS[0], 7),
        (council, 75, COUNCIL_SESSIONS[1], 6),
    ]
    counter = Counter()
    decisions = []
    for commission, days_ago, (agenda, texts), present in plan:
        day = session_day(days_ago)
        if commission is control and expelled is not None and days_ago == 170:
            day = cal.working_day_on_or_after(max(day, expelled.left_on))
        counter[commission.pk] += 1
        clock.set(_aware(day, 15))
        session = CommissionSession.objects.create(
            commission=commission,
            number=str(counter[commission.pk]),
            date=day,
            place=f"{region.address}, облыстық филиалдың кіші мәжіліс залы",
            agenda=agenda,
            present=present,
            created_by=admin,
        )
        for position, text in enumerate(texts, start=1):
            concerning = None
            if commission is control and days_ago == 170 and position == 1:
                concerning = expelled
                if expelled is not None:
                    text = f"{expelled.full_name}: {text}"
            decisions.append(
                CommissionDecision(session=session, position=position, text=text, member=concerning)
            )
    CommissionDecision.objects.bulk_create(decisions)


# The step -----------------------------------------------------------------------------------------
def seed(ctx: DemoContext) -> None:
    rng = ctx.rng("activity")
    users = _users()
    scope = Scope(users["admin"])
    leaders = _party_leaders()
    card_less = _card_less_admissions()
    day = meeting_date(ctx.today)
    new = [a for a in card_less if a.district_decision_date < day][:NEW_MEMBERS]
    taken = {a.member_id for a in new} | {m.pk for m in leaders.values()}
    taken |= set(
        PrimaryOrganization.objects.filter(leader__isnull=False).values_list("leader", flat=True)
    )
    taken |= set(User.objects.filter(member__isnull=False).values_list("member", flat=True))
    veterans = _veterans(ctx, ctx.rng("activity:veterans"), taken)
    pool = _Pool(ctx.today, taken | {m.pk for m in veterans})
    with _clock() as clock:
        _poo_meetings(scope, clock, new)
        cards = _issue_cards(scope, clock, new, day)
        meeting, tasks = _meeting(
            ctx,
            rng,
            scope,
            clock,
            day=day,
            users=users,
            leaders=leaders,
            pool=pool,
            new=new,
            cards=cards,
            veterans=veterans,
        )
        _instructions(ctx, scope, clock, item=tasks, day=day, users=users)
        entries = _contest(
            ctx, ctx.rng("activity:contest"), clock, pool, day=day, meeting=meeting, users=users
        )
        _thanks(ctx, day=day, meeting=meeting, veterans=veterans, users=users)
        events, optimised = _projects(ctx, ctx.rng("activity:projects"), scope, clock, pool)
        _commissions(ctx, ctx.rng("activity:commissions"), clock, pool, users)
    ctx.log(
        f"  activists' meeting {day:%d.%m.%Y}: 5 instructions, {len(cards)} party cards; "
        f"contest: {len(entries)} entries, {WINNERS} winners; {THANKED} letters of thanks; "
        f"{len(PROJECTS)} projects ({events} events), {optimised} optimised; 2 commissions"
    )


def _activists_meetings():
    return Meeting.objects.filter(branch__code=REGION_CODE, kind=Meeting.Kind.ACTIVISTS)


def is_done(ctx: DemoContext) -> bool:
    return (
        _activists_meetings().exists()
        and Contest.objects.filter(branch__code=REGION_CODE, name=CONTEST_NAME).exists()
    )


def reset(ctx: DemoContext) -> None:
    branches = demo_branches()
    poos = demo_poos()
    meetings = Meeting.objects.filter(branch__in=branches)
    # The cards the step issued: to members admitted by a demo meeting's decision, by a user.
    admission_ids = list(
        Admission.objects.filter(meeting_decisions__agenda_item__meeting__in=meetings)
        .values_list("pk", flat=True)
        .distinct()
    )
    cards = PartyCard.objects.filter(
        member__admission__pk__in=admission_ids, issued_by__isnull=False
    )
    card_ids = [str(pk) for pk in cards.values_list("pk", flat=True)]
    Award.objects.filter(
        Q(branch__in=branches) | Q(member__poo__in=poos) | Q(poo__in=poos)
    ).delete()
    Contest.objects.filter(branch__in=branches).delete()
    Commission.objects.filter(branch__in=branches).delete()
    # The history of the awards and commissions (the deletes above wrote "deleted" records).
    raw_delete(
        Award.history.filter(Q(branch__in=branches) | Q(member__poo__in=poos) | Q(poo__in=poos))
    )
    commission_ids = list(
        Commission.history.filter(branch__in=branches).values_list("id", flat=True).distinct()
    )
    session_ids = list(
        CommissionSession.history.filter(commission_id__in=commission_ids)
        .values_list("id", flat=True)
        .distinct()
    )
    raw_delete(CommissionDecision.history.filter(session_id__in=session_ids))
    raw_delete(CommissionSession.history.filter(id__in=session_ids))
    raw_delete(CommissionMembership.history.filter(commission_id__in=commission_ids))
    raw_delete(Commission.history.filter(id__in=commission_ids))
    Instruction.objects.filter(branch__in=branches).delete()
    meetings.delete()
    # Merged projects point at others (PROTECT): one statement each, checked at commit.
    projects = SocialProject.objects.filter(branch__in=branches)
    raw_delete(ProjectEvent.objects.filter(project__in=projects))
    raw_delete(SocialProject.objects.filter(pk__in=list(projects.values_list("pk", flat=True))))
    if card_ids:
        PartyCard.objects.filter(replaces_id__in=card_ids).update(replaces=None)
        raw_delete(PartyCard.history.filter(id__in=card_ids))
        raw_delete(PartyCard.objects.filter(pk__in=card_ids))
        raw_delete(
            AuditEvent.objects.filter(object_type="members.partycard", object_id__in=card_ids)
        )
    raw_delete(Admission.history.filter(id__in=admission_ids))
    Admission.objects.filter(pk__in=admission_ids, stage=Admission.Stage.CARD_ISSUED).exclude(
        member__cards__status=PartyCard.Status.VALID
    ).update(stage=Admission.Stage.ADMITTED)
    Member.objects.filter(poo__in=poos, is_veteran=True).update(is_veteran=False)
    # The jury's users, anchored in the demo region (a real account of that name stays).
    User.objects.filter(
        username__startswith=JURY_PREFIX, role=Role.MEMBER, member__poo__in=poos
    ).delete()
    raw_delete(AuditEvent.objects.filter(branch__in=branches, object_type__startswith="activity."))


# Figures ------------------------------------------------------------------------------------------
def figures(ctx: DemoContext) -> dict | None:
    """What the summary prints and the tests check, read through the services."""
    admin = User.objects.filter(role=Role.REGIONAL_ADMIN, branch__code=REGION_CODE).first()
    meeting = _activists_meetings().order_by("-date", "-pk").first()
    if admin is None or meeting is None:
        return None
    scope = Scope(admin)
    instructions = services.with_state(
        services.instructions(scope).filter(agenda_item__meeting=meeting), ctx.today
    )
    states = Counter(instructions.values_list("state", flat=True))
    late = instructions.filter(status="done", done_on__gt=F("deadline")).count()
    year_start = ctx.today.replace(month=1, day=1)
    ended = services.projects_ended(scope, start=year_start, end=ctx.today)
    figures_ = services.project_figures(
        scope, start=ctx.today - dt.timedelta(days=365), end=ctx.today
    ).filter(status=SocialProject.Status.ACTIVE)
    contest = Contest.objects.filter(branch=meeting.branch, name=CONTEST_NAME).first()
    entries = ContestEntry.objects.filter(contest=contest)
    commissions = Commission.objects.filter(branch__in=demo_branches())
    return {
        "meeting": meeting,
        "participants": meeting.participant_groups.aggregate(n=Sum("count"))["n"] or 0,
        "agenda": meeting.agenda_items.count(),
        "instructions": sum(states.values()),
        "states": states,
        "late": late,
        "cards": PartyCard.objects.filter(
            member__admission__meeting_decisions__isnull=False, issued_on=meeting.date
        ).count(),
        "contest": contest,
        "entries": entries.count(),
        "branches": entries.values("poo__branch").distinct().count(),
        "finalists": entries.filter(advanced=True).count(),
        "winners": entries.filter(is_winner=True).count(),
        "thanks": Award.objects.filter(meeting=meeting, kind=Award.Kind.LETTER_OF_THANKS).count(),
        "veterans": Member.objects.filter(poo__in=demo_poos(), is_veteran=True).count(),
        "active": len(figures_),
        "events": sum(p.event_count for p in figures_),
        "reach": sum(p.reach for p in figures_),
        "merged": ended["merged"],
        "closed": ended["closed"],
        "commissions": commissions.count(),
        "outsiders": CommissionMembership.objects.filter(
            commission__in=commissions, member__isnull=True
        ).count(),
        "sessions": CommissionSession.objects.filter(commission__in=commissions).count(),
        "decisions": CommissionDecision.objects.filter(session__commission__in=commissions).count(),
    }


def summary(ctx: DemoContext) -> list[str]:
    f = figures(ctx)
    if f is None:
        return []
    s = f["states"]
    return [
        f"Activists' meeting {f['meeting'].date:%d.%m.%Y}: {f['participants']} participants, "
        f"{f['agenda']} agenda items; the chair's {f['instructions']} instructions: "
        f"{s.get('done', 0)} done ({f['late']} late), {s.get('extended', 0)} extended, "
        f"{s.get('overdue', 0)} overdue; {f['cards']} new members given party cards",
        f"Contest «{CONTEST_NAME}» {f['contest'].year if f['contest'] else ''}: {f['entries']} "
        f"entries from {f['branches']} branches, {f['finalists']} finalists, {f['winners']} "
        f"winners with diplomas; {f['thanks']} letters of thanks to veterans ({f['veterans']} "
        "veterans on record)",
        f"Social projects: {f['active']} active ({f['events']} events, reach {f['reach']:,} "
        f"over the past year); {f['merged'] + f['closed']} optimised this year "
        f"({f['merged']} merged, {f['closed']} closed)",
        f"Commissions: {f['commissions']} ({f['outsiders']} outside members on the public "
        f"council), {f['sessions']} sessions, {f['decisions']} decisions",
    ]


def login_notes(site: str = "") -> list[str]:
    """What `bastau demo_logins` says about the branch activity."""
    meeting = _activists_meetings().order_by("-date", "-pk").first()
    if meeting is None:
        return []
    from django.urls import reverse

    pages = {name: site + reverse(f"activity:{name}") for name in ("board", "projects")}
    pages["meeting"] = site + reverse("activity:meeting", args=[meeting.pk])
    return [
        "Branch activity:",
        f'- "admin": the activists\' meeting of {meeting.date:%d.%m.%Y} ({pages["meeting"]}): '
        "agenda, speakers, 10 party cards, the contest's 8 winners and 4 letters of thanks; "
        f"the chair's five instructions on the control board ({pages['board']}), one overdue; "
        f"the six social projects and the 24 optimised this year ({pages['projects']}); the "
        "contest and the two commissions.",
        '- "secretary": responsible for four of them (one overdue: budget monitoring, its report '
        'returned for rework; one extended) and sees Mugalzhar\'s optimised projects; "member" '
        "co-executes the one on the primaries.",
    ]


STEP = Step(name="activity", seed=seed, is_done=is_done, reset=reset, summary=summary)
