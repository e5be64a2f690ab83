"""National-size data for benchmarks: `bastau generate_scale` (issue #7, docs/performance.md).

What it builds, deterministically from a seed and a date (the same seed, date, sizes and board
key give the same rows, byte for byte):

- a national branch (the region of the data model) with one district or city branch per party
  list (a list takes its voters from one branch: `contest_branch_unique`), and about 4,000
  primary organizations (one per 250 members by default), every branch with at least one;
- 1,000,000 members with valid IINs that agree with their birth dates and sexes, 52% women,
  about 21% under 35, joined since 2006; about 7.5% former members (left, expelled, deceased)
  with their end dates, and a few suspended;
- 1,000,000 appeals to the public reception over the two years before the date, received by
  the branches in proportion to their size, with channels, types, topics, numbers per branch and
  year, deadlines on the working-day calendar, extensions, and statuses by age (old appeals
  decided or forwarded, a few stuck and overdue, recent ones still open);
- one national primaries campaign counted: 10,990 registered candidates in 3,400 lists, the
  voter roll frozen by the real `open_voting`, 662,687 members who voted (who voted) and as
  many ballots (what was voted) sealed into signed checkpoints by the board's own sealing code
  (`board.seal_checkpoint`, the function `services.seal` calls), and the tally signed by the
  real `close_voting`. `bastau export_board` + `bastau verify_board` accept the board;
- users: `bench-admin` (regional administrator), `bench-secretary` (the first district), and
  reception officers who handle the appeals, all with the password given.

Speed: rows are generated in Python and written with COPY on PostgreSQL (psycopg 3
`cursor.copy`), bulk_create on SQLite; ids of branches, POOs and members are assigned here so
that nothing is read back. No simple_history rows are written for generated records (as in the
demo): their history starts with the first change made in the application. Reception events
(`AppealEvent`) are not generated: the appeal pages show an empty history.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import random
import uuid
import zoneinfo
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction

from bastau.accounts.models import Role, User
from bastau.accounts.scoping import Scope
from bastau.core.choices import Sex
from bastau.demo.members import AGE_BANDS, EMAIL_DOMAINS, MOBILE_PREFIXES, SIZE_BY_KIND
from bastau.demo.structure import BRANCHES, STREETS
from bastau.demo.util import data_lines, feminine_surname, latin
from bastau.lib import iin as iin_lib
from bastau.lib import workdays
from bastau.members import tally as member_tally
from bastau.members.models import Member, Sector
from bastau.primaries import board, services
from bastau.primaries import tally as primaries_tally
from bastau.primaries.keys import signing_key
from bastau.primaries.models import (
    Ballot,
    Campaign,
    Candidate,
    Checkpoint,
    Contest,
    Participation,
)
from bastau.reception import tally as reception_tally
from bastau.reception.models import TRACKING_ALPHABET, TRACKING_LENGTH, Appeal, Topic
from bastau.reception.services import work_calendar
from bastau.structure.models import Branch, PrimaryOrganization

#: The national figures of issue #7.
MEMBERS = 1_000_000
APPEALS = 1_000_000
BALLOTS = 662_687
CANDIDATES = 10_990
LISTS = 3_400
MEMBERS_PER_POO = 250
SEED = "bastau-scale"

REGION_CODE = "kz-national"
CAMPAIGN_SLUG = "national-primaries"
ADMIN_USERNAME = "bench-admin"
SECRETARY_USERNAME = "bench-secretary"
OFFICER_PREFIX = "bench-officer-"
DEFAULT_PASSWORD = "bastau-bench"

PARTY_START = dt.date(2006, 3, 1)
WOMEN_SHARE = 0.52
FORMER_SHARE = 0.075
SUSPENDED_SHARE = 0.004
CITY_SHARE = 0.08
#: Apps whose tables `reset` empties (reception topics, seeded by a migration, are kept).
RESET_APPS = (
    "core",
    "accounts",
    "structure",
    "members",
    "primaries",
    "reception",
    "oversight",
    "activity",
    "axes",
    "sessions",
    "admin",
    "django_tasks_db",
)
KEEP_TABLES = {"reception_topic", "reception_calendaroverride"}


@dataclass(frozen=True)
class ScaleSpec:
    members: int = MEMBERS
    appeals: int = APPEALS
    ballots: int = BALLOTS
    candidates: int = CANDIDATES
    lists: int = LISTS
    poos: int = 0  # 0: one per MEMBERS_PER_POO members, and at least one per branch
    seed: str = SEED
    today: dt.date = field(default_factory=dt.date.today)
    choose_up_to: int = 3
    checkpoint_size: int = 5_000
    password: str = DEFAULT_PASSWORD

    @property
    def branches(self) -> int:
        """District/city branches: one per list but the national one, plus one that has no
        list of its own (its members vote in the national list)."""
        return max(self.lists, 1)

    @property
    def poo_count(self) -> int:
        return max(self.poos or self.members // MEMBERS_PER_POO, self.branches)

    def problems(self) -> list[str]:
        found = []
        if self.members < 10 * self.branches:
            found.append(f"--members must be at least 10 per list ({10 * self.branches})")
        if self.candidates < self.lists:
            found.append("--candidates must be at least --lists (every list has a candidate)")
        if self.ballots > self.members * 0.8:
            found.append("--ballots must be at most 80% of --members (the voters on the roll)")
        if self.lists < 1 or self.choose_up_to < 1 or self.checkpoint_size < 1:
            found.append("--lists, choose_up_to and the checkpoint size must be positive")
        return found


class NotEmpty(Exception):
    pass


Progress = Callable[[str, int], "ProgressBar"]


class ProgressBar:
    """The interface `generate` reports progress through (the command draws it)."""

    def update(self, n: int = 1) -> None:  # pragma: no cover - the null bar
        pass

    def close(self) -> None:  # pragma: no cover
        pass


def _no_progress(label: str, total: int) -> ProgressBar:
    return ProgressBar()


@contextmanager
def _bar(progress: Progress, label: str, total: int):
    bar = progress(label, total)
    try:
        yield bar
    finally:
        bar.close()


# Writing rows ------------------------------------------------------------------------------
class Writer:
    """COPY on PostgreSQL, bulk_create elsewhere. Rows are tuples in the order of `fields`
    (attribute names, "poo_id" for a foreign key); every other column gets its default."""

    BATCH = 5000

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def write(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        rows: Iterable[tuple],
        bar: ProgressBar | None = None,
    ) -> int:
        return (self._copy if self.postgres else self._bulk)(model, fields, rows, bar)

    def _copy(self, model, fields, rows, bar) -> int:
        meta = model._meta
        given = [meta.get_field(name) for name in fields]
        json_at = [i for i, f in enumerate(given) if f.get_internal_type() == "JSONField"]
        named = {f.attname for f in given}
        rest = [
            f
            for f in meta.concrete_fields
            if f.attname not in named and not (f.primary_key and isinstance(f, models.AutoField))
        ]
        defaults = tuple(_column_default(f) for f in rest)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in [*given, *rest])
        sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
        count = 0
        dumps = json.dumps
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            write_row = copy.write_row
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = dumps(row[i], separators=(",", ":"), ensure_ascii=False)
                write_row((*row, *defaults) if defaults else row)
                count += 1
                if bar is not None and count % 1000 == 0:
                    bar.update(1000)
        if bar is not None:
            bar.update(count % 1000)
        return count

    def _bulk(self, model, fields, rows, bar) -> int:
        count = 0
        for chunk in _chunks(rows, self.BATCH):
            model.objects.bulk_create(
                [model(**dict(zip(fields, row, strict=True))) for row in chunk]
            )
            count += len(chunk)
            if bar is not None:
                bar.update(len(chunk))
        return count

    def reset_sequences(self, *model_classes) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _column_default(f: models.Field):
    if f.null and not f.has_default():
        return None
    value = f.get_default()
    if isinstance(value, dict | list):
        return json.dumps(value)
    if value is None and not f.null:
        raise ValueError(f"{f.model.__name__}.{f.name} needs a value")
    return value


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


# Emptiness and reset -----------------------------------------------------------------------
def existing_data() -> dict[str, int]:
    """What would be in the way: the rows that generate_scale must not mix with."""
    found = {
        "branches": Branch.objects.count(),
        "members": Member.objects.count(),
        "appeals": Appeal.objects.count(),
        "campaigns": Campaign.objects.count(),
    }
    return {name: n for name, n in found.items() if n}


def reset_tables() -> list[str]:
    from django.apps import apps

    tables = []
    for label in RESET_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models(include_auto_created=True):
            table = model._meta.db_table
            if model._meta.managed and not model._meta.proxy and table not in KEEP_TABLES:
                tables.append(table)
    existing = set(connection.introspection.table_names())
    return sorted({t for t in tables if t in existing})


def reset() -> int:
    """Empty every table of the project's data (reception topics and calendar overrides
    stay). PostgreSQL: one TRUNCATE ... RESTART IDENTITY CASCADE. For a benchmark database."""
    tables = reset_tables()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rows written earlier in this transaction leave deferred FK checks pending,
            # which TRUNCATE refuses; run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                f"TRUNCATE {', '.join(quote(t) for t in tables)} RESTART IDENTITY CASCADE"
            )
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {quote(table)}")
    return len(tables)


# The generator -----------------------------------------------------------------------------
@dataclass
class Result:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    campaign_slug: str = ""


def generate(
    spec: ScaleSpec,
    *,
    progress: Progress = _no_progress,
    log: Callable[[str], None] = lambda _line: None,
    timer: Callable[[], float] | None = None,
) -> Result:
    """Build the whole data set in one transaction (the caller checks the database is empty
    or resets it). Returns the row counts and the seconds each part took."""
    import time

    clock = timer or time.perf_counter
    problems = spec.problems()
    if problems:
        raise ValueError("; ".join(problems))
    result = Result()
    builder = _Builder(spec, progress, log)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = 0")
        for name, step in (
            ("structure", builder.structure),
            ("users", builder.users),
            ("members", builder.members),
            ("appeals", builder.appeals),
            ("primaries", builder.primaries),
        ):
            started = clock()
            log(f"{name}...")
            step()
            result.seconds[name] = round(clock() - started, 2)
            log(f"  {name}: {result.seconds[name]:.1f} s")
    result.counts = dict(builder.counts)
    result.campaign_slug = builder.campaign_slug
    return result


def analyze() -> None:
    """Fresh planner statistics (and a visibility map) after a bulk load; PostgreSQL only."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if connection.in_atomic_block:  # VACUUM cannot run in a transaction (tests)
            cursor.execute("ANALYZE")
            return
        cursor.execute("SET statement_timeout = 0")
        cursor.execute("VACUUM (ANALYZE)")


class _Builder:
    def __init__(self, spec: ScaleSpec, progress: Progress, log):
        self.spec = spec
        self.progress = progress
        self.log = log
        self.today = spec.today
        self.tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.writer = Writer()
        self.counts: Counter[str] = Counter()
        self.campaign_slug = f"{CAMPAIGN_SLUG}-{self.today.year}"

    def rng(self, part: str) -> random.Random:
        # A str seed is hashed with SHA-512: no dependence on PYTHONHASHSEED.
        return random.Random(f"{self.spec.seed}:{part}")

    def at(self, day: dt.date, minutes: int) -> dt.datetime:
        """A local time on `day`, `minutes` after midnight."""
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=self.tz)

    # Structure ---------------------------------------------------------------------------
    def structure(self) -> None:
        spec, rng = self.spec, self.rng("structure")
        places = sorted({p for b in BRANCHES for p in (*b.towns, *b.villages)})
        self.region_id = 1
        branches = [
            (
                1,
                Branch.Kind.REGION,
                REGION_CODE,
                "«Бастау» ұлттық филиалы (масштаб сынағы)",
                "Национальный филиал «Бастау» (нагрузочный тест)",
                None,
                "Астана қ., Тәуелсіздік даңғылы, 1",
            )
        ]
        self.branch_ids: list[int] = []
        self.branch_codes: list[str] = []
        for i in range(spec.branches):
            place = rng.choice(places)
            city = rng.random() < CITY_SHARE
            kind = Branch.Kind.CITY if city else Branch.Kind.DISTRICT
            name = f"{place} {'қалалық' if city else 'аудандық'} филиалы №{i + 1}"
            name_ru = f"{'Городской' if city else 'Районный'} филиал {place} №{i + 1}"
            code = f"b{i + 1:04d}"
            branches.append((i + 2, kind, code, name, name_ru, 1, f"{place}, Орталық көшесі, 1"))
            self.branch_ids.append(i + 2)
            self.branch_codes.append(code)
        self.counts["branches"] = self.writer.write(
            Branch, ["id", "kind", "code", "name", "name_ru", "parent_id", "address"], branches
        )

        # POOs: one in every branch, the rest by the branches' weights.
        kinds = list(SIZE_BY_KIND)
        kind_weights = list(itertools.accumulate([4, 3, 3, 2, 1, 5, 2, 1, 2]))  # see KIND order
        n = spec.poo_count
        weights = list(itertools.accumulate(rng.uniform(0.3, 3.0) for _ in self.branch_ids))
        owner = list(range(len(self.branch_ids)))
        owner += rng.choices(range(len(self.branch_ids)), cum_weights=weights, k=n - len(owner))
        owner.sort()
        self.poo_branch = array("i", owner)  # POO index -> branch index
        poo_rows = []
        size_weights = []
        number = Counter()
        for j, b in enumerate(owner):
            kind = rng.choices(kinds, cum_weights=kind_weights)[0]
            number[(b, kind)] += 1
            place = rng.choice(places)
            poo_rows.append(
                (
                    j + 1,
                    f"p{j + 1:05d}",
                    f"{place} №{number[(b, kind)]} {_KIND_WORDS[kind]} БПҰ",
                    self.branch_ids[b],
                    kind,
                    f"{place}, {rng.choice(STREETS)} көшесі, {rng.randint(1, 120)}",
                    PARTY_START + dt.timedelta(days=rng.randrange(3650)),
                    PrimaryOrganization.Status.ACTIVE,
                )
            )
            size_weights.append(SIZE_BY_KIND[kind] * rng.uniform(0.5, 1.5))
        self.poo_places = [row[5].split(",")[0] for row in poo_rows]
        self.poo_cum = list(itertools.accumulate(size_weights))
        self.counts["poos"] = self.writer.write(
            PrimaryOrganization,
            [
                "id",
                "code",
                "name",
                "branch_id",
                "workplace_kind",
                "address",
                "founded_on",
                "status",
            ],
            poo_rows,
        )
        self.writer.reset_sequences(Branch, PrimaryOrganization)

    # Users -------------------------------------------------------------------------------
    def users(self) -> None:
        password = make_password(self.spec.password)
        officers = max(1, min(40, len(self.branch_ids) // 100))
        rows = [
            User(
                username=ADMIN_USERNAME,
                role=Role.REGIONAL_ADMIN,
                branch_id=self.region_id,
                first_name="Бенч",
                last_name="Әкімші",
                password=password,
            ),
            User(
                username=SECRETARY_USERNAME,
                role=Role.DISTRICT_SECRETARY,
                branch_id=self.branch_ids[0],
                first_name="Бенч",
                last_name="Хатшы",
                password=password,
            ),
        ]
        for k in range(officers):
            rows.append(
                User(
                    username=f"{OFFICER_PREFIX}{k + 1}",
                    role=Role.RECEPTION_OFFICER,
                    branch_id=self.branch_ids[k * len(self.branch_ids) // officers],
                    first_name="Қабылдау",
                    last_name=f"Маманы {k + 1}",
                    password=password,
                )
            )
        User.objects.bulk_create(rows)
        self.admin = User.objects.get(username=ADMIN_USERNAME)
        self.officer_ids = list(
            User.objects.filter(username__startswith=OFFICER_PREFIX)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        self.counts["users"] = len(rows)

    # Members -----------------------------------------------------------------------------
    def members(self) -> None:
        spec, rng, today = self.spec, self.rng("members"), self.today
        n = spec.members
        male = data_lines("kk_given_names_male.txt")
        female = data_lines("kk_given_names_female.txt")
        surnames = data_lines("kk_surnames.txt")
        fem_surnames = {s: feminine_surname(s) for s in surnames}
        bands, band_weights = zip(*AGE_BANDS, strict=True)
        band_cum = list(itertools.accumulate(band_weights))
        # Birth dates of someone `age` years old today: [earliest, earliest + span).
        birth_range = {}
        for age in range(18, 83):
            latest = _add_years(today, -age).toordinal()
            earliest = _add_years(today, -age - 1).toordinal() + 1
            birth_range[age] = (earliest, latest - earliest + 1)
        today_ord = today.toordinal()
        start_ord = PARTY_START.toordinal()
        sector_choices = [
            Sector.BUDGET,
            Sector.PRIVATE,
            Sector.SELF_EMPLOYED,
            Sector.UNEMPLOYED,
            Sector.OTHER,
        ]
        sector_cum = list(itertools.accumulate([38, 30, 14, 6, 12]))
        poo_of = rng.choices(range(len(self.poo_cum)), cum_weights=self.poo_cum, k=n)
        serials: dict[tuple[int, str], int] = {}
        fromordinal = dt.date.fromordinal
        random_ = rng.random
        randrange = rng.randrange
        choice = rng.choice
        build_iin = iin_lib.build

        # What the campaign needs later, in compact arrays (index = member id - 1).
        self.member_branch = array("i", bytes(4 * n))
        self.member_active = bytearray(n)
        self.member_female = bytearray(n)
        self.member_birth = array("i", bytes(4 * n))
        poo_branch = self.poo_branch
        places = self.poo_places
        streets = STREETS

        def rows():
            for i in range(n):
                female_ = random_() < WOMEN_SHARE
                sex = Sex.FEMALE if female_ else Sex.MALE
                age = bands[min(bisect.bisect_right(band_cum, random_() * band_cum[-1]), 9)]
                age = rng.randint(*age)
                earliest, span = birth_range[age]
                birth_ord = earliest + randrange(span)
                born = fromordinal(birth_ord)
                key = (birth_ord, sex)
                serial = serials.get(key, 0)
                while (iin := build_iin(born, sex, serial)) is None:
                    serial += 1
                serials[key] = serial + 1
                father = choice(male)
                surname = choice(surnames)
                if female_:
                    first, last, patronymic = choice(female), fem_surnames[surname], father + "қызы"
                else:
                    first, last, patronymic = choice(male), surname, father + "ұлы"
                phone = ""
                if random_() < 0.88:
                    phone = f"+7{choice(MOBILE_PREFIXES)}{randrange(10_000_000):07d}"
                email = ""
                if random_() < 0.3:
                    email = (
                        f"{latin(first)}.{latin(last)}{randrange(1, 1000)}@{choice(EMAIL_DOMAINS)}"
                    )
                poo = poo_of[i]
                address = f"{places[poo]}, {choice(streets)} көшесі, {randrange(1, 150)}"
                adult = max(birth_ord + 6575, start_ord)
                joined_ord = (
                    adult + int((today_ord - adult) * random_()) if adult < today_ord else today_ord
                )
                joined = fromordinal(joined_ord)
                r = random_()
                status, changed, reason, left = Member.Status.ACTIVE, joined, "", None
                if r < FORMER_SHARE:
                    if age >= 65:
                        status = rng.choices(_ENDED, [55, 40, 5])[0]
                    else:
                        status = rng.choices(_ENDED, [8, 76, 16])[0]
                    left_ord = joined_ord + randrange(max(today_ord - joined_ord, 0) + 1)
                    left = changed = fromordinal(left_ord)
                    reason = _REASONS[status]
                elif r < FORMER_SHARE + SUSPENDED_SHARE:
                    status = Member.Status.SUSPENDED
                    reason = _REASONS[status]
                else:
                    self.member_active[i] = 1
                if age >= 62 and random_() < 0.85:
                    sector = Sector.PENSIONER
                elif age <= 22 and random_() < 0.4:
                    sector = Sector.STUDENT
                else:
                    sector = rng.choices(sector_choices, cum_weights=sector_cum)[0]
                disabled = random_() < (0.06 if age >= 60 else 0.02)
                veteran = age >= 60 and random_() < 0.03
                self.member_branch[i] = poo_branch[poo]
                self.member_female[i] = female_
                self.member_birth[i] = birth_ord
                yield (
                    i + 1,
                    iin,
                    last,
                    first,
                    patronymic,
                    born,
                    sex,
                    phone,
                    email,
                    address,
                    poo + 1,
                    sector,
                    disabled,
                    veteran,
                    joined,
                    status,
                    changed,
                    reason,
                    left,
                )

        fields = [
            "id",
            "iin",
            "last_name",
            "first_name",
            "patronymic",
            "birth_date",
            "sex",
            "phone",
            "email",
            "address",
            "poo_id",
            "sector",
            "has_disability",
            "is_veteran",
            "joined_on",
            "status",
            "status_changed_on",
            "status_reason",
            "left_on",
        ]
        with _bar(self.progress, "members", n) as bar:
            self.counts["members"] = self.writer.write(Member, fields, rows(), bar)
        self.writer.reset_sequences(Member)
        self.counts["active_members"] = sum(self.member_active)
        member_tally.rebuild()  # the kept figures (written in bulk: no signals)

    # Appeals -----------------------------------------------------------------------------
    def appeals(self) -> None:
        spec, rng, today = self.spec, self.rng("appeals"), self.today
        n = spec.appeals
        if not n:
            return
        first_day = _add_years(today, -2) + dt.timedelta(days=1)
        days = [first_day + dt.timedelta(days=d) for d in range((today - first_day).days)]
        # More appeals lately (twice as many at the end as two years ago), few at weekends.
        weights = [
            (1 + i / len(days)) * (0.3 if day.weekday() >= 5 else 1.0) for i, day in enumerate(days)
        ]
        chosen = sorted(
            rng.choices(range(len(days)), cum_weights=list(itertools.accumulate(weights)), k=n)
        )
        cal = work_calendar()
        deadlines = {day: workdays.deadlines_for(cal, day) for day in days}
        topics = list(Topic.objects.order_by("order", "pk").values_list("pk", "code"))
        if not topics:
            topic = Topic.objects.create(
                code="other", name="Басқа", name_ru="Другое", name_en="Other"
            )
            topics = [(topic.pk, topic.code)]
        # Branches receive in proportion to their members; the national branch 10%.
        branch_sizes = Counter(self.member_branch)
        receivers = [self.region_id, *self.branch_ids]
        codes = [REGION_CODE.upper(), *(c.upper() for c in self.branch_codes)]
        total = sum(branch_sizes.values())
        receiver_cum = list(
            itertools.accumulate(
                [0.1 * total] + [branch_sizes.get(b, 0) + 1 for b in range(len(self.branch_ids))]
            )
        )
        male = data_lines("kk_given_names_male.txt")
        female = data_lines("kk_given_names_female.txt")
        surnames = data_lines("kk_surnames.txt")
        channels, channel_cum = _cum(_CHANNELS)
        kinds, kind_cum = _cum(_APPEAL_KINDS)
        officers = self.officer_ids
        seq: Counter[tuple[int, int]] = Counter()
        codes_seen: set[str] = set()
        alphabet = TRACKING_ALPHABET
        random_, randrange, choice = rng.random, rng.randrange, rng.choice
        S = Appeal.Status

        def tracking_code() -> str:
            while True:
                code = "".join(rng.choices(alphabet, k=TRACKING_LENGTH))
                if code not in codes_seen:
                    codes_seen.add(code)
                    return code

        def rows():
            for index in chosen:
                day = days[index]
                age = (today - day).days
                receiver = rng.choices(range(len(receivers)), cum_weights=receiver_cum)[0]
                branch_id = receivers[receiver]
                district_id = (
                    branch_id if receiver else self.branch_ids[randrange(len(self.branch_ids))]
                )
                seq[(receiver, day.year)] += 1
                number = f"{codes[receiver]}-{day.year}-{seq[(receiver, day.year)]:06d}"
                channel = rng.choices(channels, cum_weights=channel_cum)[0]
                kind = rng.choices(kinds, cum_weights=kind_cum)[0]
                topic_id, topic_code = choice(topics)
                female_ = random_() < 0.55
                name = f"{choice(surnames)}{'а' if female_ and random_() < 0.8 else ''} " + (
                    choice(female) if female_ else choice(male)
                )
                iin = ""
                if random_() < 0.6:
                    born = dt.date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28))
                    sex = Sex.FEMALE if female_ else Sex.MALE
                    while (iin := iin_lib.build(born, sex, randrange(10000))) is None:
                        pass
                phone = (
                    f"+7{choice(MOBILE_PREFIXES)}{randrange(10_000_000):07d}"
                    if random_() < 0.9
                    else ""
                )
                email = (
                    f"citizen{randrange(10**7)}@{choice(EMAIL_DOMAINS)}"
                    if not phone or random_() < 0.2
                    else ""
                )
                registered_at = self.at(day, 9 * 60 + randrange(9 * 60))
                d = deadlines[day]
                status, resolved, forwarded_on, forwarded_to = _appeal_outcome(rng, age)
                assignee = None if status == S.REGISTERED else choice(officers)
                extended = extended_on = notice_by = None
                reason = ""
                count = 0
                due = d.consideration
                if status != S.FORWARDED and status != S.REGISTERED and random_() < 0.04:
                    extended_on = min(day + dt.timedelta(days=10), today)
                    extended = d.extension_limit
                    due = extended
                    count = 1
                    reason = "Қосымша тексеру қажет: жергілікті атқарушы органнан жауап күтілуде."
                    notice_by = cal.add_working_days(
                        extended_on, workdays.EXTENSION_NOTICE_WORKING_DAYS
                    )
                resolved_on = forwarded = None
                if resolved is not None:
                    resolved_on = min(day + dt.timedelta(days=resolved), today)
                if forwarded_on is not None:
                    forwarded = min(day + dt.timedelta(days=forwarded_on), today)
                text = _TEXTS.get(topic_code, _TEXTS["other"]).format(street=choice(STREETS))
                yield (
                    branch_id,
                    day.year,
                    seq[(receiver, day.year)],
                    number,
                    tracking_code(),
                    channel,
                    f"ЖТ-{day.year}-{randrange(10**7):07d}" if channel == "eotinish" else "",
                    kind,
                    topic_id,
                    "kk" if random_() < 0.7 else "ru",
                    name,
                    iin,
                    phone,
                    email,
                    f"{choice(STREETS)} көшесі, {randrange(1, 150)}",
                    district_id,
                    text,
                    registered_at if channel == "online" else None,
                    day,
                    registered_at,
                    None if channel == "online" else choice(officers),
                    status,
                    assignee,
                    d.consideration,
                    d.forwarding,
                    extended,
                    reason,
                    extended_on,
                    count,
                    notice_by,
                    None,
                    due,
                    forwarded_to,
                    forwarded,
                    resolved_on,
                    "Өтініш қаралды, жауап хат жіберілді." if resolved_on else "",
                    registered_at,
                )

        fields = [
            "receiving_branch_id",
            "year",
            "seq",
            "number",
            "tracking_code",
            "channel",
            "eotinish_reference",
            "kind",
            "topic_id",
            "language",
            "applicant_name",
            "applicant_iin",
            "applicant_phone",
            "applicant_email",
            "applicant_address",
            "district_id",
            "text",
            "consent_at",
            "registered_on",
            "registered_at",
            "registered_by_id",
            "status",
            "assignee_id",
            "deadline",
            "forward_by",
            "extended_deadline",
            "extension_reason",
            "extended_on",
            "extension_count",
            "extension_notice_by",
            "extension_notified_at",
            "due_on",
            "forwarded_to",
            "forwarded_on",
            "resolved_on",
            "response_text",
            "updated_at",
        ]
        with _bar(self.progress, "appeals", n) as bar:
            self.counts["appeals"] = self.writer.write(Appeal, fields, rows(), bar)
        reception_tally.rebuild()  # the kept figures (written in bulk: no signals)

    # Primaries ---------------------------------------------------------------------------
    def primaries(self) -> None:
        spec, rng, today = self.spec, self.rng("primaries"), self.today
        scope = Scope(self.admin)
        voting_from = today - dt.timedelta(days=40)
        voting_until = today - dt.timedelta(days=33)
        campaign = Campaign.objects.create(
            encrypted=False,
            slug=self.campaign_slug,
            title=f"Ішкі партиялық іріктеу {today.year} (масштаб сынағы)",
            kind=Campaign.Kind.MASLIKHAT_LIST,
            branch_id=self.region_id,
            maslikhat="Барлық деңгейдегі мәслихаттар",
            status=Campaign.Status.REGISTRATION,
            nomination_starts=today - dt.timedelta(days=90),
            nomination_ends=today - dt.timedelta(days=70),
            registration_ends=today - dt.timedelta(days=50),
            voting_starts=self.at(voting_from, 8 * 60),
            voting_ends=self.at(voting_until, 20 * 60),
            results_date=today - dt.timedelta(days=30),
            choose_up_to=spec.choose_up_to,
            list_length=0,
            quota_rules=Campaign.Rules.PARTY_2019,
            reference_date=voting_until,
            tie_break_seed=f"{spec.seed}/{today.year}",
            created_by=self.admin,
        )
        # Lists: one per branch but the last, and the national one for everybody else.
        n_lists = spec.lists
        own = self.branch_ids[: n_lists - 1]
        contests = [
            Contest(
                campaign=campaign, code="national", title=campaign.title, branch_id=self.region_id
            )
        ]
        contests += [
            Contest(
                campaign=campaign,
                code=f"list-{self.branch_codes[b]}",
                title=f"Тізім №{b + 1}",
                branch_id=branch_id,
            )
            for b, branch_id in enumerate(own)
        ]
        Contest.objects.bulk_create(contests, batch_size=2000)
        contest_by_branch = dict(
            Contest.objects.filter(campaign=campaign).values_list("branch_id", "pk")
        )
        national = contest_by_branch[self.region_id]
        # branch index -> its contest; the branches without a list vote in the national one
        contest_of_branch = [contest_by_branch.get(bid, national) for bid in self.branch_ids]

        # Candidates: split evenly; each list's first candidate a woman and its second one
        # young, so most lists can meet the party-2019 quotas.
        active_by_branch: list[list[int]] = [[] for _ in self.branch_ids]
        for i in range(spec.members):
            if self.member_active[i]:
                active_by_branch[self.member_branch[i]].append(i)
        youth_ord = _add_years(voting_until, -35).toordinal()  # born after: under 35
        base, extra = divmod(spec.candidates, n_lists)
        chosen: list[tuple[int, int]] = []  # (contest id, member index)
        lengths: dict[int, int] = {}
        taken: set[int] = set()
        no_list = [b for b in range(len(self.branch_ids)) if contest_of_branch[b] == national]
        for k in range(n_lists):
            want = base + (1 if k < extra else 0)
            if k == 0:
                contest_id = national
                pool = [i for b in no_list for i in active_by_branch[b]] or [
                    i for b in range(len(self.branch_ids)) for i in active_by_branch[b][:50]
                ]
            else:
                contest_id = contest_by_branch[own[k - 1]]
                pool = active_by_branch[k - 1]
            picks = _pick_candidates(
                rng, pool, want, taken, self.member_female, self.member_birth, youth_ord
            )
            taken.update(picks)
            chosen += [(contest_id, i) for i in picks]
            lengths[contest_id] = max(len(picks) - 1, 1) if picks else 0
        for contest_id, length in lengths.items():
            Contest.objects.filter(pk=contest_id).update(list_length=length or None)
        member_rows = {}
        ids = [i + 1 for _c, i in chosen]
        for start in range(0, len(ids), 5000):
            for row in Member.objects.filter(pk__in=ids[start : start + 5000]).values_list(
                "pk",
                "last_name",
                "first_name",
                "patronymic",
                "sex",
                "birth_date",
                "has_disability",
                "poo_id",
            ):
                member_rows[row[0]] = row
        nominated_on = today - dt.timedelta(days=80)
        candidate_rows = []
        for number, (contest_id, i) in enumerate(chosen, start=1):
            pk, last, first, patronymic, sex, born, disabled, poo_id = member_rows[i + 1]
            by_poo = rng.random() < 0.6
            candidate_rows.append(
                Candidate(
                    campaign=campaign,
                    contest_id=contest_id,
                    member_id=pk,
                    number=number,
                    nomination=Candidate.Nomination.POO if by_poo else Candidate.Nomination.SELF,
                    nominating_poo_id=poo_id if by_poo else None,
                    poo_decision_date=nominated_on - dt.timedelta(days=3) if by_poo else None,
                    poo_protocol_number=f"{rng.randint(1, 40)}" if by_poo else "",
                    name=" ".join(p for p in (last, first, patronymic) if p),
                    sex=sex,
                    birth_date=born,
                    has_disability=disabled,
                    status=Candidate.Status.REGISTERED,
                    nominated_on=nominated_on,
                )
            )
        Candidate.objects.bulk_create(candidate_rows, batch_size=2000)
        self.counts["lists"] = len(contests)
        self.counts["candidates"] = len(candidate_rows)

        # Voting opens through the real action: it checks the lists and freezes the roll.
        self.counts["roll"] = services.open_voting(scope, campaign)
        campaign.refresh_from_db()

        # Who voted: a random sample of the roll, in the order they came.
        roll = [i for i in range(spec.members) if self.member_active[i]]
        if spec.ballots > len(roll):
            raise ValueError(f"{spec.ballots} ballots but only {len(roll)} members on the roll")
        voters = rng.sample(roll, spec.ballots)
        del roll
        voting_days = [
            voting_from + dt.timedelta(days=d) for d in range((voting_until - voting_from).days + 1)
        ]

        def participations():
            for i in voters:
                yield (
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    campaign.pk,
                    i + 1,
                    Participation.Channel.PAPER
                    if rng.random() < 0.12
                    else Participation.Channel.ONLINE,
                    rng.choice(voting_days),
                )

        with _bar(self.progress, "who voted", len(voters)) as bar:
            self.counts["participations"] = self.writer.write(
                Participation,
                ["id", "campaign_id", "member_id", "channel", "voted_on"],
                participations(),
                bar,
            )

        # What was voted: ballots in arrival order, sealed in checkpoints as the sealer does.
        by_contest: dict[int, tuple[list[str], list[float]]] = {}
        for candidate in candidate_rows:
            ids_, weights = by_contest.setdefault(candidate.contest_id, ([], []))
            ids_.append(candidate.board_id)
            weights.append(rng.paretovariate(1.5))
        cum = {c: (ids_, list(itertools.accumulate(w))) for c, (ids_, w) in by_contest.items()}
        bcampaign = services.board_campaign(campaign)
        codes = services.board_list_codes(campaign) or {}  # bastau-board/2: each ballot's list
        key = signing_key()
        slug = campaign.slug
        k_max = spec.choose_up_to
        sizes = []
        left = len(voters)
        while left:
            size = min(left, max(1, int(spec.checkpoint_size * rng.uniform(0.8, 1.2))))
            sizes.append(size)
            left -= size
        window = (campaign.voting_ends - campaign.voting_starts).total_seconds()
        previous = None
        arrivals = iter(voters)
        written = 0
        with _bar(self.progress, "ballots", len(voters)) as bar:
            for number, size in enumerate(sizes, start=1):
                batch = []
                contest_of = {}
                for _ in range(size):
                    i = next(arrivals)
                    contest_id = contest_of_branch[self.member_branch[i]]
                    options, option_cum = cum.get(contest_id, ([], []))
                    r = rng.random()
                    k = 0 if r < 0.02 or not options else 1 if r < 0.55 else 2 if r < 0.8 else 3
                    k = min(k, k_max, len(options))
                    picked: set[str] = set()
                    while len(picked) < k:
                        picked.add(rng.choices(options, cum_weights=option_cum)[0])
                    choices = tuple(sorted(picked))
                    nonce = f"{rng.getrandbits(128):032x}"
                    list_id = codes.get(contest_id)
                    tracker = board.compute_tracker(slug, choices, nonce, list_id)
                    batch.append(board.Ballot(tracker, nonce, choices, None, list_id))
                    contest_of[tracker] = contest_id
                sealed_at = campaign.voting_starts + dt.timedelta(
                    seconds=window * number / len(sizes)
                )
                checkpoint, sealed = board.seal_checkpoint(
                    bcampaign, batch, previous, key, sealed_at
                )
                row = Checkpoint.objects.create(
                    campaign=campaign,
                    seq=checkpoint.seq,
                    campaign_hash=checkpoint.campaign_hash,
                    prev=checkpoint.prev,
                    batch_size=checkpoint.batch_size,
                    batch_root=checkpoint.batch_root,
                    total=checkpoint.total,
                    sealed_at=checkpoint.sealed_at,
                    signature=checkpoint.signature,
                )
                written += self.writer.write(
                    Ballot,
                    ["tracker", "campaign_id", "contest_id", "checkpoint_id", "nonce", "choices"],
                    (
                        (
                            b.tracker,
                            campaign.pk,
                            contest_of[b.tracker],
                            row.pk,
                            b.nonce,
                            list(b.choices),
                        )
                        for b in sealed
                    ),
                )
                bar.update(size)
                previous = checkpoint
        self.counts["ballots"] = written
        self.counts["checkpoints"] = len(sizes)
        primaries_tally.rebuild()  # the kept ballots per list (written in bulk)
        # Voting closes through the real action: nothing pending, so it counts and signs.
        tally = services.close_voting(scope, campaign)
        assert tally["ballots"] == written


def _pick_candidates(rng, pool, want, taken, female, birth, youth_ord) -> list[int]:
    free = [i for i in pool if i not in taken]
    if len(free) <= want:
        return free
    picks: list[int] = []
    women = [i for i in free[:400] if female[i]]
    if women:
        picks.append(rng.choice(women))
    young = [i for i in free[:400] if birth[i] > youth_ord and i not in picks]
    if young and len(picks) < want:
        picks.append(rng.choice(young))
    while len(picks) < want:
        i = rng.choice(free)
        if i not in picks:
            picks.append(i)
    return picks


def _appeal_outcome(rng, age: int):
    """(status, days to resolve, days to forward, forwarded to) for an appeal `age` days old."""
    S = Appeal.Status
    r = rng.random()
    open_share = 0.05 if age > 60 else 0.25 if age > 15 else 0.7
    if r < open_share:
        status = rng.choices([S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS], [2, 3, 5])[0]
        return status, None, None, ""
    r = rng.random()
    if r < 0.08:
        return S.FORWARDED, None, rng.randint(1, 5), "Аудан әкімдігі"
    status = rng.choices([S.RESOLVED_POSITIVE, S.EXPLAINED, S.REFUSED], [45, 40, 15])[0]
    days = rng.randint(2, 16) if rng.random() < 0.9 else rng.randint(17, 40)
    return status, min(days, max(age, 0)), None, ""


def _cum(weights: dict) -> tuple[list, list]:
    keys = list(weights)
    return keys, list(itertools.accumulate(weights[k] for k in keys))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


_ENDED = [Member.Status.DECEASED, Member.Status.LEFT, Member.Status.EXPELLED]
_REASONS = {
    Member.Status.LEFT: "Өз өтініші бойынша партия қатарынан шықты",
    Member.Status.EXPELLED: "Партия Жарғысын өрескел бұзғаны үшін шығарылды",
    Member.Status.DECEASED: "Қайтыс болды",
    Member.Status.SUSPENDED: "Мүшелігі тоқтатылды: мерзімді әскери қызметке шақырылды",
}
_KIND_WORDS = {
    "enterprise": "кәсіпорны",
    "neighbourhood": "шағын ауданы",
    "village": "ауылдық округі",
    "hospital": "емханасы",
    "college": "колледжі",
    "school": "орта мектебі",
    "government": "әкімдігі",
    "other": "қоғамдық ұйымы",
    "agriculture": "шаруа қожалығы",
}
_CHANNELS = {
    Appeal.Channel.RECEPTION: 20,
    Appeal.Channel.PHONE: 18,
    Appeal.Channel.ONLINE: 22,
    Appeal.Channel.LETTER: 10,
    Appeal.Channel.EOTINISH: 18,
    Appeal.Channel.DEPUTY_MEETING: 12,
}
_APPEAL_KINDS = {
    Appeal.Kind.APPLICATION: 45,
    Appeal.Kind.COMPLAINT: 25,
    Appeal.Kind.REQUEST: 12,
    Appeal.Kind.PROPOSAL: 8,
    Appeal.Kind.FEEDBACK: 5,
    Appeal.Kind.REPORT: 5,
}
_TEXTS = {
    "social_aid": (
        "Атаулы әлеуметтік көмек тағайындау туралы өтінішімді қарауға көмектесуіңізді сұраймын."
    ),
    "housing_utilities": (
        "{street} көшесіндегі үйде жылыту жұмыс істемейді. Шара қолдануыңызды сұраймын."
    ),
    "land": "Жер телімін алу кезегінің жылжуы туралы ақпарат беруіңізді сұраймын.",
    "employment": "Мамандығым бойынша жұмыс таба алмай жүрмін. Көмектесуіңізді сұраймын.",
    "healthcare": "Емханаға жазылу қиын, кезек ұзақ. Мәселені шешуге көмектесіңіздер.",
    "education": "Балабақшаға кезек туралы ақпарат беруіңізді сұраймын.",
    "roads_transport": "{street} көшесіндегі жолды жөндеу қажет.",
    "corruption": "Мемлекеттік қызмет көрсету кезінде заңсыз талап қойылды.",
    "other": "Өтінішімді қарауыңызды сұраймын.",
}
