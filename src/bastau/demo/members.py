"""Demo step 2: ~34,000 members with party cards, exits, transfers and admissions.

Members are built in memory and written with bulk_create in one transaction. Speed first:
the seeded members, cards, admissions and transfers get **no per-row simple_history
records** (bulk_create_with_history would write a second row for each of ~75,000 rows, for a
history that says only "created by the seed"). A member's history starts with the first
change made in the application, as it would for a member imported from an old register.

The figures the demo promises (DESIGN.md section 4), on ``ctx.today``:

- ``ctx.members`` current members (34,000 by default): about 52% women, 21% under 35;
- join dates from 2006 to today, with admissions every month of this year; former members
  (left, expelled, deceased) with exit dates, so exits by month show; a few suspended;
- one POO (``GROWTH_POO_CODE``) with exactly 118 members on 31 December of last year and 124
  today: 8 admitted this year, 2 left this year;
- party cards of series "AKT" for most members, a few lost or reissued, revoked on exit;
- ``PENDING_CARDS`` members admitted three to eight weeks ago whose card is not made yet, so
  the activity step always has its 10 new members to give cards to, whatever the day;
- enough of today's Mugalzhar members who were 23 to 60 and members in 2019 for the 2019
  selection's 73 candidates in each of its groups (women, men, under 35 or not), whatever
  the day: members admitted since take their place when the random draw leaves too few;
- at least ``ROLL_2019`` members in Mugalzhar on the 2019 selection's voting day (scaled with
  the demo's size): members of 2019 who have left since are added when the random draw leaves
  fewer, so the selection's "about 2,000 voters" holds whichever year the demo is built in;
- a few transfers, and applications at every stage in the Mugalzhar district.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass

from bastau.core.choices import Sex
from bastau.lib import iin as iin_lib
from bastau.lib.dates import add_years, age_on
from bastau.members import tally as member_tally
from bastau.members.models import Admission, Member, PartyCard, Sector, Transfer
from bastau.structure.models import PrimaryOrganization

from . import DemoContext, Step
from .structure import DEMO_DISTRICT, GROWTH_POO_CODE, STREETS, demo_poos
from .util import data_lines, feminine_surname, latin, raw_delete

CARD_SERIES = "AKT"
WOMEN_SHARE = 0.52
#: Former members, as a share of current members.
FORMER_SHARE = 0.075
SUSPENDED_SHARE = 0.004
NO_CARD_SHARE = 0.025
REISSUED_CARD_SHARE = 0.006
#: (lowest age, highest age) on today's date and the share of current members, in percent:
#: 21% are under 35.
AGE_BANDS = (
    ((18, 24), 3.5),
    ((25, 29), 7.5),
    ((30, 34), 10.0),
    ((35, 39), 12.0),
    ((40, 44), 13.0),
    ((45, 49), 12.0),
    ((50, 54), 11.0),
    ((55, 59), 10.0),
    ((60, 64), 9.0),
    ((65, 82), 12.0),
)
GROWTH_BEFORE = 118  # members on 31 December of last year
GROWTH_JOINED = 8  # admitted this year
GROWTH_LEFT = 2  # left this year (were members on 31 December)
GROWTH_NOW = GROWTH_BEFORE + GROWTH_JOINED - GROWTH_LEFT  # 124
#: Admitted between PENDING_JOINED days ago, card not made yet (the activity step's meeting,
#: about 16 days ago, gives 10 of them their cards).
PENDING_CARDS = 14
PENDING_JOINED = (60, 24)
#: The 2019 selection's voting day (primaries step) and the fewest Mugalzhar members on it, at
#: full size: 85% of them voting gives the selection's 2,000 ballots.
ROLL_2019_DAY = dt.date(2019, 10, 14)
ROLL_2019 = 2450
#: Members eligible in each group of the 2019 selection's candidates beyond those it takes.
CANDIDATES_2019_SPARE = 3

#: The demo member's contacts, so one-time login codes can be sent (to the console).
DEMO_MEMBER_PHONE = "+77005550104"
DEMO_MEMBER_EMAIL = "member@bastau.example"

PARTY_START = dt.date(2006, 3, 1)
MOBILE_PREFIXES = ("701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778")
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")

REASONS = {
    Member.Status.LEFT: [
        "Өз өтініші бойынша партия қатарынан шықты",
        "Басқа елге көшуіне байланысты өз өтініші бойынша шықты",
    ],
    Member.Status.EXPELLED: [
        "Партия Жарғысын өрескел бұзғаны үшін шығарылды",
        "Партиялық тәртіпті жүйелі бұзғаны үшін шығарылды",
    ],
    Member.Status.DECEASED: ["Қайтыс болды"],
    Member.Status.SUSPENDED: [
        "Мүшелігі тоқтатылды: партияда болуға болмайтын мемлекеттік қызметке тағайындалды",
        "Мүшелігі тоқтатылды: мерзімді әскери қызметке шақырылды",
    ],
}
CARD_REASONS = {
    PartyCard.Status.LOST: ["Билет жоғалды (өтініш бойынша)"],
    PartyCard.Status.REPLACED: ["Тегі өзгеруіне байланысты қайта берілді", "Тозуына байланысты"],
}
TRANSFER_REASONS = [
    "Жұмыс орнын ауыстыруына байланысты",
    "Тұрғылықты жерін ауыстыруына байланысты",
    "Оқуға түсуіне байланысты",
]


def _join_weight(year: int) -> float:
    """Relative admissions per day, by year: the founding wave, then a steady flow.

    Older members mostly joined in the founding wave; younger ones can only have joined since
    they turned 18, which by itself fills the recent years, so those weigh less here.
    """
    if year <= 2006:
        return 30.0
    if year == 2007:
        return 14.0
    if year == 2008:
        return 8.0
    if year <= 2015:
        return 4.0
    if year == 2020:
        return 2.0
    if year <= 2019:
        return 3.0
    return 2.5


class People:
    """Kazakh names, birth dates and unique valid IINs, from one random source."""

    def __init__(self, rng, today: dt.date):
        self.rng = rng
        self.today = today
        self.male = data_lines("kk_given_names_male.txt")
        self.female = data_lines("kk_given_names_female.txt")
        self.surnames = data_lines("kk_surnames.txt")
        self.iins: set[str] = set()
        bands, weights = zip(*AGE_BANDS, strict=True)
        self.bands = bands
        self.band_cumulative = list(itertools.accumulate(weights))
        days = (today - PARTY_START).days + 1
        self.join_cumulative = list(
            itertools.accumulate(
                _join_weight((PARTY_START + dt.timedelta(days=d)).year) for d in range(days)
            )
        )

    def age(self, young_only: bool = False) -> int:
        cumulative = self.band_cumulative
        top = cumulative[2] if young_only else cumulative[-1]
        index = bisect.bisect_right(cumulative, self.rng.random() * top)
        low, high = self.bands[min(index, len(self.bands) - 1)]
        return self.rng.randint(low, high)

    def birth_date(self, age: int) -> dt.date:
        """A birth date of someone exactly `age` whole years old today."""
        latest = add_years(self.today, -age)  # turned `age` today
        earliest = add_years(self.today, -age - 1) + dt.timedelta(days=1)
        return earliest + dt.timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def iin(self, birth_date: dt.date, sex: str) -> str:
        while True:
            value = iin_lib.build(birth_date, sex, self.rng.randrange(10000))
            if value is not None and value not in self.iins:
                self.iins.add(value)
                return value

    def person(self, *, age: int | None = None, sex: str | None = None) -> dict:
        rng = self.rng
        if sex is None:
            sex = Sex.FEMALE if rng.random() < WOMEN_SHARE else Sex.MALE
        birth_date = self.birth_date(self.age() if age is None else age)
        father = rng.choice(self.male)
        surname = rng.choice(self.surnames)
        if sex == Sex.FEMALE:
            first_name = rng.choice(self.female)
            last_name = feminine_surname(surname)
            patronymic = father + "қызы"
        else:
            first_name = rng.choice(self.male)
            last_name = surname
            patronymic = father + "ұлы"
        phone = ""
        if rng.random() < 0.88:
            phone = f"+7{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10_000_000):07d}"
        email = ""
        if rng.random() < 0.3:
            email = (
                f"{latin(first_name)}.{latin(last_name)}{rng.randint(1, 999)}"
                f"@{rng.choice(EMAIL_DOMAINS)}"
            )
        return dict(
            iin=self.iin(birth_date, sex),
            last_name=last_name,
            first_name=first_name,
            patronymic=patronymic,
            birth_date=birth_date,
            sex=sex,
            phone=phone,
            email=email,
        )

    def date_between(self, low: dt.date, high: dt.date) -> dt.date:
        return low + dt.timedelta(days=self.rng.randrange((high - low).days + 1))

    def join_date(self, low: dt.date, high: dt.date) -> dt.date | None:
        """A join date in [low, high], each day weighted by the admissions of its year."""
        if low > high:
            return None
        cumulative = self.join_cumulative
        first = (low - PARTY_START).days
        last = (high - PARTY_START).days
        below = cumulative[first - 1] if first > 0 else 0.0
        point = below + self.rng.random() * (cumulative[last] - below)
        day = min(bisect.bisect_left(cumulative, point, first, last), last)
        return PARTY_START + dt.timedelta(days=day)


_K = PrimaryOrganization.WorkplaceKind
_SECTOR_MIXES = {
    _K.SCHOOL: ((Sector.BUDGET, 85), (Sector.PRIVATE, 5), (Sector.OTHER, 10)),
    _K.HOSPITAL: ((Sector.BUDGET, 85), (Sector.PRIVATE, 8), (Sector.OTHER, 7)),
    _K.GOVERNMENT: ((Sector.BUDGET, 92), (Sector.OTHER, 8)),
    _K.COLLEGE: ((Sector.BUDGET, 80), (Sector.STUDENT, 10), (Sector.OTHER, 10)),
    _K.ENTERPRISE: ((Sector.PRIVATE, 80), (Sector.BUDGET, 10), (Sector.OTHER, 10)),
    _K.AGRICULTURE: (
        (Sector.SELF_EMPLOYED, 45),
        (Sector.PRIVATE, 35),
        (Sector.UNEMPLOYED, 10),
        (Sector.OTHER, 10),
    ),
    _K.VILLAGE: (
        (Sector.BUDGET, 30),
        (Sector.SELF_EMPLOYED, 25),
        (Sector.PRIVATE, 20),
        (Sector.UNEMPLOYED, 12),
        (Sector.OTHER, 13),
    ),
    _K.NEIGHBOURHOOD: (
        (Sector.PRIVATE, 30),
        (Sector.SELF_EMPLOYED, 25),
        (Sector.BUDGET, 15),
        (Sector.UNEMPLOYED, 12),
        (Sector.OTHER, 18),
    ),
    None: ((Sector.BUDGET, 40), (Sector.PRIVATE, 25), (Sector.OTHER, 35)),
}
#: kind -> (sectors, cumulative weights) for rng.choices.
_SECTORS = {
    kind: (
        [sector for sector, _ in mix],
        list(itertools.accumulate(weight for _, weight in mix)),
    )
    for kind, mix in _SECTOR_MIXES.items()
}


def _sector(rng, kind: str, age: int, sex: str) -> str:
    retirement = 63 if sex == Sex.MALE else 61
    if age >= retirement and rng.random() < 0.85:
        return Sector.PENSIONER
    if age <= 22 and rng.random() < (0.7 if kind == _K.COLLEGE else 0.4):
        return Sector.STUDENT
    sectors, cumulative = _SECTORS.get(kind) or _SECTORS[None]
    return rng.choices(sectors, cum_weights=cumulative)[0]


#: Relative size of a POO by workplace kind.
SIZE_BY_KIND = {
    "enterprise": 1.6,
    "neighbourhood": 1.4,
    "village": 1.3,
    "hospital": 1.2,
    "college": 1.1,
    "school": 1.0,
    "government": 0.9,
    "other": 0.7,
    "agriculture": 0.6,
}


@dataclass
class _Row:
    member: Member
    age: int
    current: bool


class _Builder:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.today = ctx.today
        self.rng = ctx.rng("members")
        self.people = People(self.rng, ctx.today)
        self.rows: list[_Row] = []
        self.year_start = ctx.today.replace(month=1, day=1)
        #: Members whose card is not made yet (ids of the in-memory Member objects).
        self.pending: set[int] = set()

    def address(self, poo: PrimaryOrganization) -> str:
        rng = self.rng
        settlement = poo.address.split(", ")[0]
        address = f"{settlement}, {rng.choice(STREETS)} көшесі, {rng.randint(1, 150)}"
        if settlement.endswith(" қ.") and rng.random() < 0.6:
            address += f", {rng.randint(1, 180)} пәтер"
        return address

    def add(
        self,
        poo: PrimaryOrganization,
        *,
        join_low: dt.date | None = None,
        join_high: dt.date | None = None,
        left_low: dt.date | None = None,
        left_high: dt.date | None = None,
        former: bool = False,
        min_age: int = 18,
        sex: str | None = None,
        born: tuple[dt.date, dt.date] | None = None,
    ) -> Member:
        """One member of `poo`; a former member when `former` or a leaving window is given.

        `sex` and `born` (earliest, latest birth date) ask for a particular person."""
        rng, people, today = self.rng, self.people, self.today
        founded = max(poo.founded_on or PARTY_START, PARTY_START)
        join_low = max(join_low or founded, founded)
        join_high = join_high or today
        leaving = former or left_low is not None
        if leaving and left_low is None:
            join_high = min(join_high, today - dt.timedelta(days=90))
        while True:
            if born is None:
                age = people.age()
            else:
                age = rng.randint(age_on(born[1], today), age_on(born[0], today))
            if age < min_age:
                continue
            person = people.person(age=age, sex=sex)
            if born is not None and not born[0] <= person["birth_date"] <= born[1]:
                people.iins.discard(person["iin"])
                continue
            adult = add_years(person["birth_date"], 18)
            joined = people.join_date(max(join_low, adult), join_high)
            if joined is not None:
                break
            people.iins.discard(person["iin"])
        member = Member(
            **person,
            address=self.address(poo),
            poo=poo,
            sector=_sector(rng, poo.workplace_kind, age, person["sex"]),
            has_disability=rng.random() < (0.06 if age >= 60 else 0.02),
            joined_on=joined,
            status=Member.Status.ACTIVE,
            status_changed_on=joined,
            status_reason="",
        )
        if leaving:
            high = left_high or today
            low = min(max(left_low or joined + dt.timedelta(days=60), joined), high)
            left_on = low + dt.timedelta(days=rng.randrange((high - low).days + 1))
            if age >= 65:
                status = rng.choices(
                    [Member.Status.DECEASED, Member.Status.LEFT, Member.Status.EXPELLED],
                    [55, 40, 5],
                )[0]
            else:
                status = rng.choices(
                    [Member.Status.LEFT, Member.Status.EXPELLED, Member.Status.DECEASED],
                    [76, 16, 8],
                )[0]
            member.status = status
            member.status_changed_on = left_on
            member.status_reason = rng.choice(REASONS[status])
            member.left_on = left_on
        elif rng.random() < SUSPENDED_SHARE and joined < today - dt.timedelta(days=60):
            member.status = Member.Status.SUSPENDED
            member.status_changed_on = people.date_between(
                max(joined + dt.timedelta(days=30), today - dt.timedelta(days=3 * 365)), today
            )
            member.status_reason = rng.choice(REASONS[Member.Status.SUSPENDED])
        self.rows.append(_Row(member=member, age=age, current=not leaving))
        return member

    def build_members(self, poos: list[PrimaryOrganization], growth: PrimaryOrganization):
        rng = self.rng
        last_year_end = self.year_start - dt.timedelta(days=1)
        # The growth POO, exactly: 116 stayed + 2 left this year = 118 on 31 December;
        # 116 + 8 admitted this year = 124 today.
        for _ in range(GROWTH_BEFORE - GROWTH_LEFT):
            self.add(growth, join_high=last_year_end, min_age=20)
        for _ in range(GROWTH_LEFT):
            self.add(growth, join_high=last_year_end, min_age=20, left_low=self.year_start)
        for _ in range(GROWTH_JOINED):
            self.add(growth, join_low=self.year_start)
        for _ in range(4):
            self.add(growth, join_high=last_year_end, left_high=last_year_end, former=True)

        others = [p for p in poos if p.pk != growth.pk]
        weights = [SIZE_BY_KIND.get(p.workplace_kind, 1.0) * rng.uniform(0.6, 1.4) for p in others]
        # Recently admitted, card not made yet: whatever the day, the activity step finds them.
        low, high = (self.today - dt.timedelta(days=d) for d in PENDING_JOINED)
        for poo in rng.choices(others, weights, k=PENDING_CARDS):
            self.pending.add(id(self.add(poo, join_low=low, join_high=high)))
        current = max(self.ctx.members - GROWTH_NOW - PENDING_CARDS, 0)
        former = round(self.ctx.members * FORMER_SHARE)
        sizes = Counter(rng.choices(range(len(others)), weights, k=current))
        former_sizes = Counter(rng.choices(range(len(others)), weights, k=former))
        for index, poo in enumerate(others):
            for _ in range(sizes[index]):
                self.add(poo)
            for _ in range(former_sizes[index]):
                self.add(poo, former=True)
        district_poos = [
            p
            for p in others
            if p.branch.code == DEMO_DISTRICT
            and (p.founded_on or PARTY_START) < ROLL_2019_DAY - dt.timedelta(days=365)
        ]
        self._fill_candidates_2019(district_poos)
        self._fill_roll_2019(district_poos)

    def _fill_candidates_2019(self, district_poos: list[PrimaryOrganization]) -> None:
        """Enough of today's Mugalzhar members who could stand in the 2019 selection, in each
        of its (sex, under 35) groups: members since before its nomination, 23 to 60 on its
        reference day (primaries step). The later the demo's day, the fewer of today's members
        were there in 2019; those missing take the place of members admitted in Mugalzhar
        since 2019, so every total stays as it is. A demo too small to have such members to
        replace has fewer candidates."""
        from .primaries import NOMINATION_STARTS, REFERENCE_DATE, RESERVE_CANDIDATES

        if self.today <= NOMINATION_STARTS or not district_poos:
            return
        joined_before = NOMINATION_STARTS - dt.timedelta(days=30)
        windows = {  # (sex, under 35) -> (earliest, latest) birth date
            (sex, young): (
                add_years(REFERENCE_DATE, -(35 if young else 61)) + dt.timedelta(days=1),
                add_years(REFERENCE_DATE, -(23 if young else 35)),
            )
            for sex, young in RESERVE_CANDIDATES
        }

        def group(row: _Row):
            m = row.member
            if not (
                row.current
                and m.status == Member.Status.ACTIVE
                and m.joined_on < joined_before
                and m.poo.branch.code == DEMO_DISTRICT
            ):
                return None
            for key, (earliest, latest) in windows.items():
                if key[0] == m.sex and earliest <= m.birth_date <= latest:
                    return key
            return None

        found = Counter(group(row) for row in self.rows)
        replaceable = [
            row
            for row in self.rows
            if row.current
            and id(row.member) not in self.pending
            and row.member.poo.branch.code == DEMO_DISTRICT
            and row.member.poo.code != GROWTH_POO_CODE
            and row.member.joined_on > ROLL_2019_DAY
        ]
        self.rng.shuffle(replaceable)
        poos = [p for p in district_poos if (p.founded_on or PARTY_START) < joined_before]
        for key, wanted in RESERVE_CANDIDATES.items():
            # A few more than the selection takes: demo users linked to members are not
            # nominated.
            while found[key] < wanted + CANDIDATES_2019_SPARE and replaceable:
                gone = replaceable.pop()
                self.rows.remove(gone)
                self.people.iins.discard(gone.member.iin)
                member = self.add(
                    self.rng.choice(poos),
                    join_high=joined_before - dt.timedelta(days=1),
                    sex=key[0],
                    born=windows[key],
                )
                if member.status == Member.Status.ACTIVE:
                    found[key] += 1

    def _fill_roll_2019(self, district_poos: list[PrimaryOrganization]) -> None:
        """Members of 2019 who left since, until Mugalzhar had ROLL_2019 (scaled) members on
        the selection's voting day. The later the demo's day, the fewer of today's members
        were there in 2019 (the young were children then), and the more have left since."""
        day = ROLL_2019_DAY
        if self.today <= day + dt.timedelta(days=30) or not district_poos:
            return
        on_roll = sum(
            1
            for r in self.rows
            if r.member.poo.branch.code == DEMO_DISTRICT
            and r.member.joined_on <= day
            and (r.member.left_on is None or r.member.left_on > day)
        )
        missing = round(ROLL_2019 * min(self.ctx.scale, 1.0)) - on_roll
        rng = self.rng
        for _ in range(max(missing, 0)):
            self.add(
                rng.choice(district_poos),
                join_high=day - dt.timedelta(days=1),
                left_low=day + dt.timedelta(days=3),
                min_age=18 + (self.today.year - day.year),
            )

    def cards(self, always: Member) -> tuple[list, list]:
        """Cards for most members (and `always`), numbered in the order they were issued.

        Returns the cards to create first and (card, the card it replaces) pairs."""
        rng, today = self.rng, self.today
        specs = []  # (issued_on, order, card, replaced card or None)
        order = itertools.count()
        for row in self.rows:
            m = row.member
            issued = m.joined_on + dt.timedelta(days=rng.randint(5, 45))
            end = m.left_on or today
            if id(m) in self.pending:
                continue  # admitted weeks ago, card not made yet
            if issued > end or (rng.random() < NO_CARD_SHARE and m is not always):
                continue  # recently admitted (card not made yet), or never collected
            card = PartyCard(member=m, series=CARD_SERIES, issued_on=issued)
            specs.append((issued, next(order), card, None))
            if rng.random() < REISSUED_CARD_SHARE and issued + dt.timedelta(days=400) < end:
                reissued_on = self.people.date_between(issued + dt.timedelta(days=365), end)
                card.status = rng.choice([PartyCard.Status.LOST, PartyCard.Status.REPLACED])
                card.status_changed_on = reissued_on
                card.status_reason = rng.choice(CARD_REASONS[card.status])
                card = PartyCard(member=m, series=CARD_SERIES, issued_on=reissued_on)
                specs.append((reissued_on, next(order), card, specs[-1][2]))
            if m.left_on is not None:
                card.status = PartyCard.Status.REVOKED
                card.status_changed_on = m.left_on
                card.status_reason = m.status_reason
        specs.sort(key=lambda spec: spec[:2])
        for number, (_issued, _order, card, _replaces) in enumerate(specs, start=1):
            card.number = number
        first = [card for *_, card, replaces in specs if replaces is None]
        second = [(card, replaces) for *_, card, replaces in specs if replaces is not None]
        return first, second


def seed(ctx: DemoContext) -> None:
    today = ctx.today
    builder = _Builder(ctx)
    rng = builder.rng
    poos = list(demo_poos().select_related("branch").order_by("code"))
    growth = next(p for p in poos if p.code == GROWTH_POO_CODE)
    builder.build_members(poos, growth)

    # The demo member: a young woman of the growth POO with a card, who can get login codes.
    candidates = [
        r
        for r in builder.rows
        if r.member.poo is growth
        and r.current
        and r.member.status == Member.Status.ACTIVE
        and r.member.sex == Sex.FEMALE
        and r.member.joined_on < builder.year_start
    ]
    young = [r for r in candidates if 24 <= r.age <= 34]
    demo_member = (young or candidates)[0].member
    demo_member.phone = DEMO_MEMBER_PHONE
    demo_member.email = DEMO_MEMBER_EMAIL

    members = [r.member for r in builder.rows]
    Member.objects.bulk_create(members, batch_size=500)
    member_tally.rebuild()  # the kept figures (bulk_create sends no signals)
    ctx.log(f"  {len(members):,} member records")

    first, second = builder.cards(always=demo_member)
    PartyCard.objects.bulk_create(first, batch_size=500)
    for card, replaces in second:
        card.replaces = replaces
    PartyCard.objects.bulk_create([card for card, _ in second], batch_size=500)
    ctx.log(f"  {len(first) + len(second):,} party cards")

    # Leaders: most POOs have one, an active member of working age; the growth POO always.
    by_poo: dict[int, list[_Row]] = {}
    for row in builder.rows:
        if row.current and row.member.status == Member.Status.ACTIVE:
            by_poo.setdefault(row.member.poo_id, []).append(row)
    led = []
    for poo in poos:
        eligible = [
            r for r in by_poo.get(poo.pk, []) if 30 <= r.age <= 62 and r.member is not demo_member
        ]
        if eligible and (poo is growth or rng.random() < 0.85):
            poo.leader = min(eligible, key=lambda r: r.member.joined_on).member
            led.append(poo)
    PrimaryOrganization.objects.bulk_update(led, ["leader"], batch_size=500)
    PrimaryOrganization.history.bulk_history_create(
        led, update=True, default_change_reason="Leader elected"
    )

    cards_by_member = {c.member_id for c in first} | {c.member_id for c, _ in second}
    admissions = _admissions(builder, cards_by_member) + _open_applications(builder, poos)
    Admission.objects.bulk_create(admissions, batch_size=500)
    transfers = _transfers(builder, poos, growth)
    Transfer.objects.bulk_create(transfers, batch_size=500)
    ctx.log(f"  {len(led)} POO leaders, {len(admissions)} admissions, {len(transfers)} transfers")
    current = sum(1 for r in builder.rows if r.current)
    ctx.log(f"  {current:,} current members on {today:%d.%m.%Y}")


def _admissions(builder: _Builder, with_card: set[int]) -> list[Admission]:
    """The admission records of everyone admitted in the last twelve months (and this year)."""
    rng, today = builder.rng, builder.today
    since = min(builder.year_start, today - dt.timedelta(days=365))
    protocol = Counter()
    admissions = []
    for row in builder.rows:
        m = row.member
        if m.joined_on < since:
            continue
        meeting = m.joined_on - dt.timedelta(days=rng.randint(3, 12))
        protocol[m.poo_id] += 1
        admissions.append(
            Admission(
                iin=m.iin,
                last_name=m.last_name,
                first_name=m.first_name,
                patronymic=m.patronymic,
                phone=m.phone,
                email=m.email,
                address=m.address,
                sector=m.sector,
                poo=m.poo,
                applied_on=meeting - dt.timedelta(days=rng.randint(5, 25)),
                stage=Admission.Stage.CARD_ISSUED
                if m.pk in with_card
                else Admission.Stage.ADMITTED,
                poo_meeting_date=meeting,
                poo_protocol_number=str(protocol[m.poo_id]),
                district_decision_date=m.joined_on,
                member=m,
            )
        )
    return admissions


def _open_applications(builder: _Builder, poos) -> list[Admission]:
    """Applications in the Mugalzhar district at every stage of the admission path."""
    rng, today, people = builder.rng, builder.today, builder.people
    district_poos = [p for p in poos if p.branch.code == DEMO_DISTRICT]
    stages = (
        [Admission.Stage.APPLIED] * 7
        + [Admission.Stage.POO_APPROVED] * 5
        + [Admission.Stage.REJECTED] * 3
    )
    admissions = []
    for number, stage in enumerate(stages):
        poo = district_poos[number % 4] if number < 4 else rng.choice(district_poos)
        person = people.person(age=max(19, people.age(young_only=rng.random() < 0.5)))
        applied = today - dt.timedelta(days=rng.randint(2, 40))
        admission = Admission(
            iin=person["iin"],
            last_name=person["last_name"],
            first_name=person["first_name"],
            patronymic=person["patronymic"],
            phone=person["phone"],
            email=person["email"],
            address=builder.address(poo),
            sector=_sector(
                rng, poo.workplace_kind, age_on(person["birth_date"], today), person["sex"]
            ),
            poo=poo,
            applied_on=applied,
            stage=stage,
        )
        if stage != Admission.Stage.APPLIED:
            admission.poo_meeting_date = people.date_between(applied, today)
            admission.poo_protocol_number = str(rng.randint(2, 9))
        if stage == Admission.Stage.REJECTED:
            admission.rejection_reason = "Басқа партияның мүшесі екені анықталды"
        admissions.append(admission)
    return admissions


def _transfers(builder: _Builder, poos, growth) -> list[Transfer]:
    """A few members who came from another POO (a third of them within Mugalzhar)."""
    rng, today = builder.rng, builder.today
    count = max(6, round(24 * builder.ctx.scale))
    leaders = {p.leader_id for p in poos if p.leader_id}
    movable = [
        r.member
        for r in builder.rows
        if r.current
        and r.member.poo is not growth
        and r.member.pk not in leaders
        and r.member.joined_on < today - dt.timedelta(days=400)
    ]
    in_district = [m for m in movable if m.poo.branch.code == DEMO_DISTRICT]
    chosen = rng.sample(in_district, min(count // 3, len(in_district)))
    chosen += rng.sample(movable, min(count - len(chosen), len(movable)))
    transfers = []
    for m in dict.fromkeys(chosen):
        date = builder.people.date_between(
            m.joined_on + dt.timedelta(days=180), today - dt.timedelta(days=7)
        )
        origins = [
            p
            for p in poos
            if p is not growth and p.pk != m.poo_id and (p.founded_on or PARTY_START) <= m.joined_on
        ]
        same_branch = [p for p in origins if p.branch_id == m.poo.branch_id]
        origin = rng.choice(same_branch if same_branch and rng.random() < 0.6 else origins)
        transfers.append(
            Transfer(
                member=m,
                from_poo=origin,
                to_poo=m.poo,
                date=date,
                reason=rng.choice(TRANSFER_REASONS),
            )
        )
    return transfers


def is_done(ctx: DemoContext) -> bool:
    return Member.objects.filter(poo__in=demo_poos()).exists()


def reset(ctx: DemoContext) -> None:
    from bastau.accounts.models import User

    poo_ids = list(demo_poos().values_list("pk", flat=True))
    members = Member.objects.filter(poo_id__in=poo_ids)
    raw_delete(
        Transfer.objects.filter(member__poo_id__in=poo_ids)
        | Transfer.objects.filter(from_poo_id__in=poo_ids)
        | Transfer.objects.filter(to_poo_id__in=poo_ids)
    )
    # Cards by a subquery on their member ids: filtering through the member join makes Django
    # write UPDATE ... WHERE id IN (SELECT ... JOIN ...), which PostgreSQL may plan as nested
    # scans when the demo was written in the same transaction and has no statistics yet.
    member_ids = members.values("pk")
    PartyCard.objects.filter(member_id__in=member_ids, replaces__isnull=False).update(replaces=None)
    raw_delete(PartyCard.history.filter(member_id__in=member_ids))
    raw_delete(PartyCard.objects.filter(member_id__in=member_ids))
    raw_delete(Admission.history.filter(poo_id__in=poo_ids))
    raw_delete(Admission.objects.filter(poo_id__in=poo_ids))
    User.objects.filter(member__poo_id__in=poo_ids).update(member=None)
    demo_poos().update(leader=None)
    raw_delete(Member.history.filter(poo_id__in=poo_ids))
    raw_delete(members)
    member_tally.rebuild()  # the kept figures recounted without the demo's members


def summary(ctx: DemoContext) -> list[str]:
    from django.conf import settings
    from django.db.models import Count, Q

    from bastau.lib.dates import born_after_for_age_below
    from bastau.lib.stats import share
    from bastau.members.statistics import members_at

    records = Member.objects.filter(poo__in=demo_poos())
    cutoff = born_after_for_age_below(settings.YOUTH_AGE_LIMIT, ctx.today)
    row = members_at(records, ctx.today).aggregate(
        total=Count("pk"),
        women=Count("pk", filter=Q(sex=Sex.FEMALE)),
        youth=Count("pk", filter=Q(birth_date__gt=cutoff)),
    )
    total = row["total"]
    last_year_end = ctx.today.replace(month=1, day=1) - dt.timedelta(days=1)
    growth = records.filter(poo__code=GROWTH_POO_CODE)
    return [
        f"Members on {ctx.today:%d.%m.%Y}: {total:,} ({records.count():,} records with former "
        f"members), {share(row['women'], total)}% women, {share(row['youth'], total)}% under "
        f"{settings.YOUTH_AGE_LIMIT}",
        f"POO {GROWTH_POO_CODE}: {members_at(growth, last_year_end).count()} members on "
        f"{last_year_end:%d.%m.%Y}, {members_at(growth, ctx.today).count()} today",
        f"Party cards: {PartyCard.objects.filter(member__in=records).count():,}; "
        f"transfers: {Transfer.objects.filter(member__in=records).count()}; open applications "
        f"in {DEMO_DISTRICT}: "
        + str(
            Admission.objects.filter(
                poo__branch__code=DEMO_DISTRICT,
                stage__in=[Admission.Stage.APPLIED, Admission.Stage.POO_APPROVED],
            ).count()
        ),
    ]


STEP = Step(name="members", seed=seed, is_done=is_done, reset=reset, summary=summary)
