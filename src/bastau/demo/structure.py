"""Demo step 1: the regional branch, its 12 district branches and the city branch, ~250 POOs.

Branches and POOs are few, so they get their simple_history "created" rows like any record
made in the application.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from bastau.structure.models import Branch, PrimaryOrganization, StructureEvent

from . import REGION_CODE, DemoContext, Step
from .util import raw_delete

#: The district of the demo's secretary, POO leader and member.
DEMO_DISTRICT = "mugalzhar"
#: The POO that grew from 118 members at the start of the year to 124 today.
GROWTH_POO_CODE = "mugalzhar-001"
GROWTH_POO_NAME = "Қандыағаш қаласы №2 мектеп-гимназиясы БПҰ"

K = PrimaryOrganization.WorkplaceKind

STREETS = [
    "Абай",
    "Абылай хан",
    "Әбілқайыр хан",
    "Әйтеке би",
    "Әлия Молдағұлова",
    "Бөкенбай батыр",
    "Есет батыр",
    "Жамбыл",
    "Жанқожа батыр",
    "Құрманғазы",
    "Мәншүк Мәметова",
    "Махамбет",
    "Наурыз",
    "Сәтбаев",
    "Тәуелсіздік",
    "Шернияз",
    "Ыбырай Алтынсарин",
    "Достық",
    "Бейбітшілік",
    "Қазыбек би",
    "Төле би",
    "Байтұрсынов",
    "Жастар",
    "Орталық",
]

FARMS = [
    "Ақжол",
    "Береке",
    "Бірлік",
    "Достық",
    "Жаңа өмір",
    "Ынтымақ",
    "Қайнар",
    "Құлагер",
    "Шапағат",
    "Жайлау",
    "Ақниет",
    "Мереке",
    "Байтерек",
    "Болашақ",
    "Ырыс",
    "Қарасай",
]


@dataclass(frozen=True)
class BranchSpec:
    code: str
    name: str
    name_ru: str
    kind: str
    adjective: str  # "Мұғалжар" in "Мұғалжар ауданы", "Мұғалжар аудандық ..."
    centre: str  # the seat, e.g. "Қандыағаш қ." (қаласы) or "Бадамша а." (ауылы)
    towns: tuple[str, ...]
    villages: tuple[str, ...]
    poos: int
    #: Relative weights of workplace kinds among the branch's POOs.
    kinds: tuple[tuple[str, float], ...]


DISTRICT_KINDS = (
    (K.SCHOOL, 4.0),
    (K.VILLAGE, 3.5),
    (K.HOSPITAL, 1.5),
    (K.GOVERNMENT, 1.5),
    (K.AGRICULTURE, 1.5),
    (K.ENTERPRISE, 1.5),
    (K.COLLEGE, 0.5),
    (K.OTHER, 0.7),
)
TOWN_DISTRICT_KINDS = (
    (K.SCHOOL, 4.0),
    (K.ENTERPRISE, 3.0),
    (K.VILLAGE, 2.5),
    (K.NEIGHBOURHOOD, 1.5),
    (K.HOSPITAL, 1.5),
    (K.GOVERNMENT, 1.5),
    (K.AGRICULTURE, 1.0),
    (K.COLLEGE, 0.8),
    (K.OTHER, 0.7),
)
CITY_KINDS = (
    (K.SCHOOL, 5.0),
    (K.ENTERPRISE, 3.5),
    (K.NEIGHBOURHOOD, 2.5),
    (K.HOSPITAL, 2.0),
    (K.GOVERNMENT, 2.0),
    (K.COLLEGE, 1.5),
    (K.VILLAGE, 0.6),
    (K.OTHER, 1.0),
)


def _district(code, name, name_ru, centre, towns, villages, poos, kinds=DISTRICT_KINDS):
    return BranchSpec(
        code=code,
        name=f"{name} аудандық филиалы",
        name_ru=f"{name_ru} районный филиал",
        kind=Branch.Kind.DISTRICT,
        adjective=name,
        centre=centre,
        towns=tuple(towns),
        villages=tuple(villages),
        poos=poos,
        kinds=kinds,
    )


REGION = BranchSpec(
    code=REGION_CODE,
    name="Ақтөбе облыстық филиалы",
    name_ru="Актюбинский областной филиал",
    kind=Branch.Kind.REGION,
    adjective="Ақтөбе",
    centre="Ақтөбе қ.",
    towns=(),
    villages=(),
    poos=0,
    kinds=(),
)

BRANCHES: tuple[BranchSpec, ...] = (
    BranchSpec(
        code="aktobe-city",
        name="Ақтөбе қалалық филиалы",
        name_ru="Актюбинский городской филиал",
        kind=Branch.Kind.CITY,
        adjective="Ақтөбе",
        centre="Ақтөбе қ.",
        towns=(),
        villages=("Қарғалы", "Благодар", "Сазды", "Новый", "Ақжар"),
        poos=73,
        kinds=CITY_KINDS,
    ),
    _district(
        "aiteke-bi",
        "Әйтеке би",
        "Айтекебийский",
        "Темірбек Жүргенов а.",
        [],
        ["Қарабұтақ", "Ақкөл", "Құмқұдық", "Сұлукөл", "Жамбыл", "Үшқатты", "Ақтасты"],
        13,
    ),
    _district(
        "alga",
        "Алға",
        "Алгинский",
        "Алға қ.",
        ["Алға"],
        ["Бестамақ", "Тоқмансай", "Қарабұлақ", "Ақай", "Маржанбұлақ", "Тілеусай", "Қайнар"],
        17,
        TOWN_DISTRICT_KINDS,
    ),
    _district(
        "baiganin",
        "Байғанин",
        "Байганинский",
        "Қарауылкелді а.",
        [],
        ["Жарқамыс", "Көлтабан", "Миялы", "Оймауыт", "Қопа", "Сартоғай", "Ащы"],
        12,
    ),
    _district(
        "irgiz",
        "Ырғыз",
        "Иргизский",
        "Ырғыз а.",
        [],
        ["Нұра", "Тауып", "Құмтөбе", "Қызылжар", "Жайсаңбай", "Аманкөл"],
        10,
    ),
    _district(
        "kargaly",
        "Қарғалы",
        "Каргалинский",
        "Бадамша а.",
        [],
        ["Қосестек", "Ащылысай", "Әлімбет", "Желтау", "Степной", "Петропавл"],
        11,
    ),
    _district(
        "kobda",
        "Қобда",
        "Хобдинский",
        "Қобда а.",
        [],
        ["Бегалы", "Жиренқопа", "Бестау", "Исатай", "Сарбие", "Талдысай", "Көкпекті"],
        11,
    ),
    _district(
        "martuk",
        "Мартөк",
        "Мартукский",
        "Мартөк а.",
        [],
        ["Байнассай", "Жайсаң", "Көктерек", "Сарыжар", "Танабай", "Хазірет", "Қаратоғай"],
        15,
    ),
    _district(
        DEMO_DISTRICT,
        "Мұғалжар",
        "Мугалжарский",
        "Қандыағаш қ.",
        ["Қандыағаш", "Ембі", "Жем"],
        ["Жұрын", "Шенгелші", "Батпаққөл", "Ақкемір", "Қайыңды", "Егіндібұлақ", "Сағашили"],
        30,
        TOWN_DISTRICT_KINDS,
    ),
    _district(
        "uil",
        "Ойыл",
        "Уилский",
        "Ойыл а.",
        [],
        ["Қараой", "Көптоғай", "Саралжын", "Ақшатау", "Қайынды", "Бесқопа"],
        10,
    ),
    _district(
        "temir",
        "Темір",
        "Темирский",
        "Шұбарқұдық а.",
        ["Темір", "Шұбарқұдық"],
        ["Кеңқияқ", "Аққұдық", "Саркөл", "Таскопа", "Шығырлы", "Ақсай"],
        15,
        TOWN_DISTRICT_KINDS,
    ),
    _district(
        "khromtau",
        "Хромтау",
        "Хромтауский",
        "Хромтау қ.",
        ["Хромтау"],
        ["Дон", "Абай", "Тасөткел", "Табантал", "Көктау", "Қызылсу", "Бөгетсай"],
        17,
        TOWN_DISTRICT_KINDS,
    ),
    _district(
        "shalkar",
        "Шалқар",
        "Шалкарский",
        "Шалқар қ.",
        ["Шалқар"],
        ["Шетырғыз", "Бозой", "Айшуақ", "Жаңаарық", "Мөңке би", "Тоғыз", "Қауылжыр"],
        16,
        TOWN_DISTRICT_KINDS,
    ),
)


def _town_label(town: str) -> str:
    return f"{town} қ."


def _village_label(village: str) -> str:
    return f"{village} а."


def _streams(spec: BranchSpec, rng) -> dict[str, Iterator[tuple[str, str]]]:
    """For each workplace kind, an iterator of (POO name without "БПҰ", settlement label)."""
    adj = spec.adjective
    centre = spec.centre
    if spec.kind == Branch.Kind.CITY:
        city = centre

        def schools():
            forms = ["мектеп-гимназия", "орта мектеп", "мектеп-лицей", "орта мектеп"]
            number = 0
            for form in itertools.cycle(forms):
                number += rng.randint(1, 3)  # not every school has a POO
                yield f"№{number} {form}", city

        return {
            K.SCHOOL: schools(),
            K.HOSPITAL: iter(
                (name, city)
                for name in [
                    "Облыстық көпбейінді аурухана",
                    "Облыстық перинаталдық орталық",
                    "Облыстық балалар ауруханасы",
                    "Жедел медициналық жәрдем станциясы",
                    "Қалалық №1 емхана",
                    "Қалалық №3 емхана",
                    "Қалалық №5 емхана",
                    "Облыстық онкологиялық диспансер",
                    "Қалалық №2 емхана",
                    "Облыстық кардиология орталығы",
                ]
            ),
            K.COLLEGE: iter(
                (name, city)
                for name in [
                    "Қ. Жұбанов атындағы Ақтөбе өңірлік университеті",
                    "Марат Оспанов атындағы Батыс Қазақстан медицина университеті",
                    "Ақтөбе жоғары политехникалық колледжі",
                    "Ақтөбе медициналық колледжі",
                    "Ақтөбе гуманитарлық колледжі",
                    "Ақтөбе көлік және коммуникациялар колледжі",
                    "Ақтөбе музыкалық колледжі",
                    "Ақтөбе құрылыс колледжі",
                ]
            ),
            K.GOVERNMENT: iter(
                (name, city)
                for name in [
                    "Ақтөбе облысы әкімдігі",
                    "Ақтөбе қаласы әкімдігі",
                    "Облыстық білім басқармасы",
                    "Облыстық денсаулық сақтау басқармасы",
                    "Облыстық мәдениет басқармасы",
                    "Облыстық жастар саясаты басқармасы",
                    "Облыстық қаржы басқармасы",
                    "Астана ауданы әкімдігі",
                    "Алматы ауданы әкімдігі",
                    "Облыстық жұмыспен қамтуды үйлестіру басқармасы",
                    "Қалалық білім бөлімі",
                    "Облыстық ауыл шаруашылығы басқармасы",
                ]
            ),
            K.ENTERPRISE: iter(
                (name, city)
                for name in [
                    "Ақтөбе ферроқорытпа зауыты",
                    "Ақтөбе хром қосылыстары зауыты",
                    "Ақтөбе темір-бетон бұйымдары зауыты",
                    "Ақтөбе жылу электр орталығы",
                    "«Ақтөбе су-энерго» ЖШС",
                    "№2 автобус паркі",
                    "Ақтөбе темір жол вокзалы",
                    "Ақтөбе халықаралық әуежайы",
                    "«Қазпошта» АҚ облыстық филиалы",
                    "«Қазақтелеком» АҚ облыстық телекоммуникация дирекциясы",
                    "Ақтөбе нан зауыты",
                    "Ақтөбе локомотив депосы",
                    "«Ақтөбе жылу желілері» МКК",
                    "Ақтөбе құбыр зауыты",
                    "Ақтөбе рентген аппаратураларын жасау зауыты",
                    "Ақтөбе сүт комбинаты",
                    "«Ақтөбе қалалық жарық» МКК",
                    "Облыстық кәсіпкерлер палатасы",
                ]
            ),
            K.NEIGHBOURHOOD: iter(
                [(f"{n}-шағын ауданы", city) for n in (5, 8, 11, 12, 4, 3)]
                + [
                    (f"{name} тұрғын алабы", city)
                    for name in [
                        "Батыс-2",
                        "Жаңақоныс",
                        "Нұрдәулет",
                        "Авиақалашық",
                        "Ескі қала",
                        "Кірпіш зауыты",
                        "Құрайлы",
                        "Ұлықбек",
                    ]
                ]
            ),
            K.VILLAGE: iter((f"{v} ауылдық округі", _village_label(v)) for v in spec.villages),
            K.OTHER: iter(
                (name, city)
                for name in [
                    "Облыстық ардагерлер кеңесі",
                    "Облыстық филармония",
                    "Т. Ахтанов атындағы облыстық драма театры",
                    "Облыстық тарихи-өлкетану музейі",
                    "Облыстық ғылыми әмбебап кітапханасы",
                    "«Шапағат» мүгедектер қоғамы",
                ]
            ),
        }

    towns = [_town_label(t) for t in spec.towns] or [centre]
    villages = list(spec.villages)

    def schools():
        numbers = {t: itertools.count(1) for t in towns}
        # The seat first (its numbered schools), then a village school, alternating.
        pool = itertools.cycle([("town", t) for t in towns] + [("village", v) for v in villages])
        used_villages = set()
        forms = itertools.cycle(["орта мектебі", "мектеп-гимназиясы", "орта мектебі"])
        for where, place in pool:
            if where == "town":
                town_word = place.replace(" қ.", " қаласы").replace(" а.", " ауылы")
                yield f"{town_word} №{next(numbers[place])} {next(forms)}", place
            elif place not in used_villages:
                used_villages.add(place)
                yield f"{place} орта мектебі", _village_label(place)
            else:
                yield f"{place} негізгі мектебі", _village_label(place)

    def hospitals():
        yield f"{adj} аудандық ауруханасы", centre
        for v in villages:
            yield f"{v} дәрігерлік амбулаториясы", _village_label(v)

    def agriculture():
        for farm, v in zip(FARMS, itertools.cycle(villages), strict=False):
            yield f"«{farm}» шаруа қожалығы", _village_label(v)

    def enterprises():
        base = [
            (f"{spec.centre.removesuffix(' қ.').removesuffix(' а.')} темір жол станциясы", centre),
            (f"{adj} аудандық электр желілері", centre),
            (f"«Қазпошта» АҚ {adj} аудандық торабы", centre),
            (f"«{adj} су арнасы» МКК", centre),
            (f"«{adj} жылу» МКК", centre),
            (f"{adj} аудандық жол пайдалану учаскесі", centre),
        ]
        if spec.code == DEMO_DISTRICT:
            base = [
                ("Қандыағаш локомотив депосы", "Қандыағаш қ."),
                ("Ембі вагон депосы", "Ембі қ."),
                ("Жем темір жол станциясы", "Жем қ."),
                ("«Қандыағаш мұнай-газ» ЖШС", "Қандыағаш қ."),
                ("Ембі жол дистанциясы", "Ембі қ."),
                *base[1:],
            ]
        elif spec.code == "khromtau":
            base = [
                ("Хромтау кен байыту комбинаты", "Хромтау қ."),
                ("Хромтау автокөлік кәсіпорны", "Хромтау қ."),
                *base,
            ]
        elif spec.code == "temir":
            base = [("Кеңқияқ мұнай кәсіпшілігі", _village_label("Кеңқияқ")), *base]
        yield from base

    def government():
        yield f"{adj} ауданы әкімдігі", centre
        yield f"{adj} аудандық білім бөлімі", centre
        yield f"{adj} аудандық халыққа қызмет көрсету орталығы", centre
        yield f"{adj} аудандық жұмыспен қамту орталығы", centre
        yield f"{adj} аудандық мәслихатының аппараты", centre

    def villages_stream():
        for v in villages:
            yield f"{v} ауылдық округі", _village_label(v)

    def neighbourhoods():
        for t in map(_town_label, spec.towns):
            town_word = t.replace(" қ.", " қаласы")
            for n in (1, 2, 3):
                yield f"{town_word} {n}-шағын ауданы", t

    def colleges():
        yield f"{adj} көпсалалы колледжі", centre
        yield f"{adj} аграрлық-техникалық колледжі", centre

    def other():
        yield f"{adj} аудандық ардагерлер кеңесі", centre
        yield f"{adj} аудандық мәдениет үйі", centre
        yield f"{adj} аудандық балалар-жасөспірімдер спорт мектебі", centre

    return {
        K.SCHOOL: schools(),
        K.HOSPITAL: hospitals(),
        K.AGRICULTURE: agriculture(),
        K.ENTERPRISE: enterprises(),
        K.GOVERNMENT: government(),
        K.VILLAGE: villages_stream(),
        K.NEIGHBOURHOOD: neighbourhoods(),
        K.COLLEGE: colleges(),
        K.OTHER: other(),
    }


def _founded_on(rng, today: dt.date) -> dt.date:
    """Most POOs date from the party's founding year; the rest appeared since."""
    roll = rng.random()
    if roll < 0.55:
        year = 2006
    elif roll < 0.80:
        year = rng.randint(2007, 2010)
    else:
        year = rng.randint(2011, min(2022, today.year - 1))
    start = dt.date(year, 1, 1) if year > 2006 else dt.date(2006, 3, 1)
    return start + dt.timedelta(days=rng.randrange(300))


def _address(rng, settlement: str) -> str:
    return f"{settlement}, {rng.choice(STREETS)} көшесі, {rng.randint(1, 120)}"


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng("structure")
    region = Branch(
        kind=REGION.kind,
        code=REGION.code,
        name=REGION.name,
        name_ru=REGION.name_ru,
        address="Ақтөбе қ., Әбілқайыр хан даңғылы, 40",
    )
    bulk_create_with_history([region], Branch)
    region = Branch.objects.get(code=REGION.code)
    children = [
        Branch(
            kind=spec.kind,
            code=spec.code,
            name=spec.name,
            name_ru=spec.name_ru,
            parent=region,
            address=_address(rng, spec.centre),
        )
        for spec in BRANCHES
    ]
    bulk_create_with_history(children, Branch)
    by_code = {b.code: b for b in Branch.objects.filter(parent=region)}

    poos: list[PrimaryOrganization] = []
    for spec in BRANCHES:
        branch = by_code[spec.code]
        streams = _streams(spec, rng)
        kinds = [k for k, _ in spec.kinds]
        weights = [w for _, w in spec.kinds]
        names: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        if spec.code == DEMO_DISTRICT:
            names.append((K.SCHOOL, GROWTH_POO_NAME.removesuffix(" БПҰ"), "Қандыағаш қ."))
            seen.add(names[0][1])
        while len(names) < spec.poos:
            kind = rng.choices(kinds, weights)[0]
            try:
                name, settlement = next(streams[kind])
            except StopIteration:
                index = kinds.index(kind)
                del kinds[index], weights[index]
                if not kinds:
                    raise RuntimeError(f"ran out of POO names for {spec.code}") from None
                continue
            if name in seen:
                continue
            seen.add(name)
            names.append((kind, name, settlement))
        for number, (kind, name, settlement) in enumerate(names, start=1):
            poos.append(
                PrimaryOrganization(
                    code=f"{spec.code}-{number:03d}",
                    name=f"{name} БПҰ",
                    branch=branch,
                    workplace_kind=kind,
                    address=_address(rng, settlement),
                    founded_on=dt.date(2006, 5, 12)
                    if name == GROWTH_POO_NAME.removesuffix(" БПҰ")
                    else _founded_on(rng, ctx.today),
                )
            )
    bulk_create_with_history(poos, PrimaryOrganization, batch_size=500)
    saved = PrimaryOrganization.objects.filter(branch__parent=region).only("pk", "founded_on")
    StructureEvent.objects.bulk_create(
        [StructureEvent(poo=p, kind=StructureEvent.Kind.FOUNDED, date=p.founded_on) for p in saved],
        batch_size=500,
    )
    ctx.log(f"  {1 + len(children)} branches, {len(poos)} primary organizations")


def is_done(ctx: DemoContext) -> bool:
    return Branch.objects.filter(code=REGION_CODE).exists()


def demo_branches():
    return Branch.objects.filter(Q(code=REGION_CODE) | Q(parent__code=REGION_CODE))


def demo_poos():
    return PrimaryOrganization.objects.filter(branch__in=demo_branches())


def reset(ctx: DemoContext) -> None:
    from bastau.accounts.models import User
    from bastau.core.models import AuditEvent

    branch_ids = list(demo_branches().values_list("pk", flat=True))
    poo_ids = list(demo_poos().values_list("pk", flat=True))
    # Users anchored to a demo branch or POO cannot outlive it (PROTECT): remove them too.
    anchored = User.objects.filter(Q(branch_id__in=branch_ids) | Q(poo_id__in=poo_ids))
    anchored.delete()
    AuditEvent.objects.filter(branch_id__in=branch_ids).update(branch=None)
    raw_delete(StructureEvent.objects.filter(Q(poo_id__in=poo_ids) | Q(merged_into_id__in=poo_ids)))
    PrimaryOrganization.objects.filter(pk__in=poo_ids).update(merged_into=None, leader=None)
    raw_delete(PrimaryOrganization.history.filter(id__in=poo_ids))
    raw_delete(PrimaryOrganization.objects.filter(pk__in=poo_ids))
    raw_delete(Branch.history.filter(id__in=branch_ids))
    raw_delete(Branch.objects.filter(parent_id__in=branch_ids))
    raw_delete(Branch.objects.filter(pk__in=branch_ids))


def summary(ctx: DemoContext) -> list[str]:
    branches = demo_branches().exclude(code=REGION_CODE)
    return [
        f"Branches: the regional branch and {branches.count()} district/city branches; "
        f"{demo_poos().count()} primary organizations"
    ]


STEP = Step(name="structure", seed=seed, is_done=is_done, reset=reset, summary=summary)
