"""Demo step: information work, the youth wing «Jas Otan» and supporters (issue 14, parts 4-5).

On ``ctx.today``:

- the regional outreach campaign «Праймериз: ашық әрі әділ іріктеу» explaining the primaries,
  from 30 days ago to 30 days ahead, targeting all 13 district and city branches, with talking
  points in Kazakh and Russian, a one-page leaflet (PDF), a plan of reach per district (and per
  POO for ten Mugalzhar POOs) and events in every district (meetings with citizens, yard
  meetings, media publications, online posts) with their reach: some districts ahead of the
  plan, some behind. The chair's instruction on explaining the primaries (the activity step's)
  points to it. A smaller district campaign on «Қазақстан – 2050» in Mugalzhar;
- the youth wing: the regional wing on the regional branch (ages 14-35) and wings of four
  districts, with about 300 party members under 35 and about 60 young people who are not
  members (with consent), and two congresses: one `CONGRESS_DAYS_AGO[0]` days ago, which
  ordered the youth-needs survey and the programme «Жастар — Отанға!» drafted from it, and one
  `CONGRESS_DAYS_AGO[1]` days ago (after the survey opened), where the programme is adopted
  (the voice_agenda step records that adoption);
- about 400 supporters and volunteers in all districts, each with a recorded consent; about
  one in twelve has withdrawn it (their data erased, the facts kept), about a quarter asked for
  messages in Russian. An upcoming meeting of the primaries campaign in Mugalzhar, five days
  ahead, is announced (its reach not yet known) and Mugalzhar's supporters with consent in
  force are invited to it, their invitations marked sent (the demo writes no real message).

Campaigns, plan and links go through ``bastau.voice.outreach.services``; the many events,
wing members and supporters are written in bulk within the models' constraints. The random
choices come from ``ctx.rng("voice_outreach...")``. The reset removes all of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Sum

from bastau.accounts.models import User
from bastau.accounts.scoping import Scope
from bastau.activity.models import Instruction
from bastau.lib.dates import add_years
from bastau.members.models import Member
from bastau.structure.models import Branch, PrimaryOrganization
from bastau.voice.outreach import services as outreach
from bastau.voice.outreach.models import Campaign, Event, Invitation, Material, PlanTarget
from bastau.voice.people import consent
from bastau.voice.people.models import (
    Consent,
    ConsentChannel,
    Supporter,
    YouthCongress,
    YouthWing,
    YouthWingMember,
)

from . import REGION_CODE, DemoContext, Step
from .members import People
from .structure import DEMO_DISTRICT, GROWTH_POO_CODE

CAMPAIGN_TITLE = "Праймериз: ашық әрі әділ іріктеу"
UPCOMING_TITLE = "Праймериз туралы ашық кездесу"
UPCOMING_PLACE = "Қандыағаш, аудандық мәдениет үйі, 15:00"
UPCOMING_IN_DAYS = 5
CAMPAIGN_TITLE_RU = "Праймериз: открытый и честный отбор"
TALKING_POINTS = (
    "Праймериз — партияның ішкі іріктеуі: депутаттыққа кандидаттарды партия мүшелері ашық "
    "дауыс беру арқылы таңдайды.\n"
    "Кез келген партия мүшесі өзін-өзі ұсына алады немесе оны бастауыш партия ұйымы ұсынады.\n"
    "Тізімге әйелдер мен жастардың үлесі кемінде 30% және 20% болуы тиіс.\n"
    "Әр бюллетень ашық тақтада тексеріледі: дауыс беруші өз бюллетенінің есептелгенін көре алады."
)
TALKING_POINTS_RU = (
    "Праймериз — внутрипартийный отбор: кандидатов в депутаты выбирают члены партии открытым "
    "голосованием.\n"
    "Любой член партии может выдвинуть себя сам или быть выдвинутым первичной организацией.\n"
    "В списке должно быть не менее 30% женщин и 20% молодёжи.\n"
    "Каждый бюллетень проверяется на открытой доске: голосующий видит, что его бюллетень учтён."
)
STRATEGY_TITLE = "«Қазақстан – 2050» стратегиясы: ауыл жастарына"
STRATEGY_TITLE_RU = "Стратегия «Казахстан – 2050»: сельской молодёжи"
PRIMARIES_INSTRUCTION = "Праймериз бойынша түсіндіру жұмыстарын ұйымдастыру"
WING_NAME = "«Jas Otan» жастар қанаты"
WING_NAME_RU = "Молодёжное крыло «Jas Otan»"
WING_DISTRICTS = (DEMO_DISTRICT, "aktobe-city", "khromtau", "alga")
PROGRAMME = "«Жастар — Отанға!»"
#: Days before the demo day of the wing's two congresses; the youth survey opens 21 days before.
CONGRESS_DAYS_AGO = (45, 3)
CONGRESS_TITLE = "«Jas Otan» жастар қанатының облыстық съезі"
PROGRAMME_CONGRESS_TITLE = "«Jas Otan» жастар қанатының кезектен тыс облыстық съезі"
YOUTH_MEMBERS = 300
YOUTH_OTHERS = 60
SUPPORTERS = 400
WITHDRAWN_SHARE = 0.08
VOLUNTEER_SHARE = 0.3

EVENT_TITLES = {
    Event.Kind.CITIZENS_MEETING: ("Тұрғындармен кездесу: праймериз не үшін керек", 40, 220),
    Event.Kind.YARD_MEETING: ("Аула жиналысы: праймериздің тәртібі", 15, 70),
    Event.Kind.MEDIA: ("Аудандық газетте сұхбат: праймериз туралы", 800, 3000),
    Event.Kind.ONLINE: ("Әлеуметтік желідегі түсіндіру видеосы", 500, 4000),
}
KIND_WEIGHTS = {
    Event.Kind.CITIZENS_MEETING: 4,
    Event.Kind.YARD_MEETING: 6,
    Event.Kind.MEDIA: 1,
    Event.Kind.ONLINE: 2,
}


def _districts():
    return Branch.objects.filter(parent__code=REGION_CODE).order_by("code")


def _leaflet() -> bytes:
    from fpdf import FPDF

    from bastau.core.printing import FONT_FAMILY, add_fonts

    pdf = FPDF()
    add_fonts(pdf)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, "B", 16)
    pdf.multi_cell(0, 9, CAMPAIGN_TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 11)
    pdf.multi_cell(0, 6, TALKING_POINTS, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT_FAMILY, "B", 16)
    pdf.multi_cell(0, 9, CAMPAIGN_TITLE_RU, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 11)
    pdf.multi_cell(0, 6, TALKING_POINTS_RU, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _campaign(ctx: DemoContext, admin, districts) -> Campaign:
    rng = ctx.rng("voice_outreach.campaign")
    today = ctx.today
    scope = Scope(admin)
    campaign = outreach.create_campaign(
        scope,
        title=CAMPAIGN_TITLE,
        title_ru=CAMPAIGN_TITLE_RU,
        theme=Campaign.Theme.PRIMARIES,
        branch=ctx.region(),
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=30),
        talking_points=TALKING_POINTS,
        talking_points_ru=TALKING_POINTS_RU,
        target_branches=list(districts),
    )
    outreach.add_materials(
        scope,
        campaign,
        [SimpleUploadedFile("praimeriz-zhadnama.pdf", _leaflet(), "application/pdf")],
    )
    members = dict(
        Member.objects.filter(status=Member.Status.ACTIVE, poo__branch__in=districts)
        .values("poo__branch")
        .annotate(n=Count("pk"))
        .values_list("poo__branch", "n")
    )
    # The plan: reach half as many people as the district has members (at least 200).
    plans = [
        PlanTarget(
            campaign=campaign,
            branch=b,
            planned_reach=max(200, round(members.get(b.pk, 0) * 0.5, -1)),
        )
        for b in districts
    ]
    mugalzhar = next(b for b in districts if b.code == DEMO_DISTRICT)
    poos = list(
        PrimaryOrganization.objects.filter(branch=mugalzhar, status="active").order_by("code")[:10]
    )
    plans += [
        PlanTarget(campaign=campaign, branch=mugalzhar, poo=p, planned_reach=60) for p in poos
    ]
    PlanTarget.objects.bulk_create(plans)
    # Events: each district at its own pace, so some are ahead of the plan and some behind.
    events = []
    elapsed = (today - campaign.starts_on).days
    district_poos = {
        b.pk: list(
            PrimaryOrganization.objects.filter(branch=b, status="active")
            .order_by("code")
            .values_list("pk", flat=True)[:30]
        )
        for b in districts
    }
    for plan in plans[: len(districts)]:
        pace = rng.choice((0.35, 0.6, 0.9, 1.1, 1.4, 2.1))
        target = int(plan.planned_reach * pace * elapsed / 60)
        reached = 0
        while True:
            remaining = target - reached
            kinds = [k for k, (_t, low, _h) in EVENT_TITLES.items() if low <= remaining]
            if not kinds:
                break
            kind = rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds])[0]
            title, low, high = EVENT_TITLES[kind]
            reach = min(rng.randint(low, high), remaining)
            poo_ids = district_poos[plan.branch_id]
            poo = rng.choice(poo_ids) if kind == Event.Kind.YARD_MEETING and poo_ids else None
            events.append(
                Event(
                    campaign=campaign,
                    kind=kind,
                    date=today - dt.timedelta(days=rng.randint(0, elapsed)),
                    title=title,
                    branch_id=plan.branch_id,
                    poo_id=poo,
                    reach=reach,
                    place=""
                    if kind != Event.Kind.ONLINE
                    else "https://instagram.com/amanat.aktobe",
                    recorded_by=admin,
                )
            )
            reached += reach
    Event.objects.bulk_create(events, batch_size=1000)
    # The POO leader's own yard meeting.
    leader_poo = PrimaryOrganization.objects.get(code=GROWTH_POO_CODE)
    outreach.record_event(
        Scope(User.objects.get(username="leader")),
        campaign,
        kind=Event.Kind.YARD_MEETING,
        date=today - dt.timedelta(days=3),
        title="Аула жиналысы: праймериздің тәртібі",
        branch=None,
        poo=leader_poo,
        reach=48,
        today=today,
    )
    instruction = Instruction.objects.filter(
        text=PRIMARIES_INSTRUCTION, branch__code=REGION_CODE
    ).first()
    if instruction is not None:
        campaign.instructions.add(instruction)
    return campaign


def _strategy_campaign(ctx: DemoContext, mugalzhar) -> None:
    secretary = User.objects.get(username="secretary")
    today = ctx.today
    campaign = outreach.create_campaign(
        Scope(secretary),
        title=STRATEGY_TITLE,
        title_ru=STRATEGY_TITLE_RU,
        theme=Campaign.Theme.STRATEGY_2050,
        branch=mugalzhar,
        starts_on=today - dt.timedelta(days=14),
        ends_on=today + dt.timedelta(days=14),
        talking_points="Стратегияның жастарға арналған басымдықтары: білім, кәсіп, тұрғын үй.",
        talking_points_ru="Приоритеты стратегии для молодёжи: образование, профессия, жильё.",
        target_branches=[mugalzhar],
    )
    outreach.set_plan(Scope(secretary), campaign, branch=mugalzhar, planned_reach=600)
    event = outreach.record_event(
        Scope(secretary),
        campaign,
        kind=Event.Kind.CITIZENS_MEETING,
        date=today - dt.timedelta(days=2),
        title="Қандыағаш колледжінде студенттермен кездесу",
        branch=mugalzhar,
        reach=180,
        today=today,
    )
    return event


def _upcoming_event(ctx: DemoContext, campaign: Campaign, mugalzhar) -> Event:
    """A meeting five days ahead, announced by Mugalzhar's secretary, with the district's
    supporters (consent in force) invited. The invitations are written as the worker would
    leave them after sending, so the demo sends nothing to its made-up contacts."""
    secretary = User.objects.get(username="secretary")
    today = ctx.today
    event = outreach.record_event(
        Scope(secretary),
        campaign,
        kind=Event.Kind.CITIZENS_MEETING,
        date=today + dt.timedelta(days=UPCOMING_IN_DAYS),
        title=UPCOMING_TITLE,
        branch=mugalzhar,
        place=UPCOMING_PLACE,
        reach=None,
        today=today,
    )
    Invitation.objects.bulk_create(
        [
            Invitation(
                event=event,
                supporter_id=pk,
                by_sms=True,
                by_email=True,
                status=Invitation.Status.SENT,
                invited_on=today,
                sent_on=today,
                invited_by=secretary,
            )
            for pk in outreach.invitable(Scope(secretary), event).values_list("pk", flat=True)
        ],
        batch_size=1000,
    )
    return event


def _youth_wing(ctx: DemoContext, admin, districts) -> None:
    rng = ctx.rng("voice_outreach.youth")
    today = ctx.today
    region = ctx.region()
    root = YouthWing.objects.create(
        name=WING_NAME,
        name_ru=WING_NAME_RU,
        branch=region,
        min_age=14,
        max_age=35,
        founded_on=add_years(today, -6),
    )
    wings = {region.pk: root}
    for b in districts:
        if b.code in WING_DISTRICTS:
            wings[b.pk] = YouthWing.objects.create(
                name=f"{b.name} «Jas Otan»",
                name_ru=f"{b.name_ru or b.name} «Jas Otan»",
                branch=b,
                parent=root,
                min_age=14,
                max_age=35,
                founded_on=add_years(today, -4),
            )
    # Party members aged 18-34 today (safely inside the limits), spread over the districts.
    young = list(
        Member.objects.filter(
            status=Member.Status.ACTIVE,
            poo__branch__in=districts,
            birth_date__gt=add_years(today, -35),
            birth_date__lte=add_years(today, -18),
        )
        .order_by("pk")
        .values_list("pk", "poo__branch", "joined_on")
    )
    rows = []
    for pk, branch_id, joined in rng.sample(young, min(YOUTH_MEMBERS, len(young))):
        rows.append(
            YouthWingMember(
                wing=wings.get(branch_id, root),
                member_id=pk,
                branch_id=branch_id,
                joined_on=max(joined, today - dt.timedelta(days=rng.randint(30, 1500))),
                created_by=admin,
            )
        )
    people = People(rng, today)
    district_list = list(districts)
    for _ in range(YOUTH_OTHERS):
        person = people.person(age=rng.randint(16, 30))
        b = rng.choice(district_list)
        joined = today - dt.timedelta(days=rng.randint(10, 700))
        rows.append(
            YouthWingMember(
                wing=wings.get(b.pk, root),
                last_name=person["last_name"],
                first_name=person["first_name"],
                birth_date=person["birth_date"],
                sex=person["sex"],
                phone=person["phone"],
                email=person["email"],
                branch=b,
                consent_version=consent.CURRENT_VERSION,
                consent_given_on=joined,
                consent_channel=rng.choice(ConsentChannel.values),
                joined_on=joined,
                created_by=admin,
            )
        )
    YouthWingMember.objects.bulk_create(rows, batch_size=1000)
    YouthCongress.objects.create(
        wing=root,
        date=today - dt.timedelta(days=CONGRESS_DAYS_AGO[0]),
        title=CONGRESS_TITLE,
        delegates_elected=150,
        delegates_present=138,
        decisions=(
            "1. Облыс жастарының қажеттіліктері туралы сауалнама өткізілсін.\n"
            f"2. Сауалнама қорытындысы бойынша {PROGRAMME} жастар бағдарламасының жобасы "
            "әзірленіп, кезектен тыс съезге ұсынылсын.\n"
            "3. Праймериз бойынша түсіндіру жұмысына жас еріктілер тартылсын."
        ),
        created_by=admin,
    )
    YouthCongress.objects.create(
        wing=root,
        date=today - dt.timedelta(days=CONGRESS_DAYS_AGO[1]),
        title=PROGRAMME_CONGRESS_TITLE,
        delegates_elected=150,
        delegates_present=121,
        decisions=f"1. {PROGRAMME} жастар бағдарламасы қабылдансын.",
        created_by=admin,
    )


def _supporters(ctx: DemoContext, admin, districts) -> None:
    rng = ctx.rng("voice_outreach.supporters")
    today = ctx.today
    people = People(rng, today)
    district_list = list(districts)
    poos = {
        b.pk: list(
            PrimaryOrganization.objects.filter(branch=b, status="active")
            .order_by("code")
            .values_list("pk", flat=True)[:20]
        )
        for b in district_list
    }
    languages = ctx.rng("voice_outreach.supporter_languages")
    supporters, plans = [], []
    for _ in range(SUPPORTERS):
        b = rng.choice(district_list)
        person = people.person(age=rng.randint(18, 70))
        registered = today - dt.timedelta(days=rng.randint(0, 365))
        withdrawn = rng.random() < WITHDRAWN_SHARE
        kind = (
            Supporter.Kind.VOLUNTEER if rng.random() < VOLUNTEER_SHARE else Supporter.Kind.SUPPORTER
        )
        poo = rng.choice(poos[b.pk]) if poos[b.pk] and rng.random() < 0.5 else None
        if b.code == DEMO_DISTRICT and rng.random() < 0.3:
            poo = PrimaryOrganization.objects.get(code=GROWTH_POO_CODE).pk
        withdrawn_on = (
            min(today, registered + dt.timedelta(days=rng.randint(1, 200))) if withdrawn else None
        )
        phone = person["phone"] or f"+7701{rng.randrange(10_000_000):07d}"
        supporters.append(
            Supporter(
                kind=kind,
                status=Supporter.Status.WITHDRAWN if withdrawn else Supporter.Status.ACTIVE,
                last_name="" if withdrawn else person["last_name"],
                first_name="" if withdrawn else person["first_name"],
                birth_date=None if withdrawn else person["birth_date"],
                sex="" if withdrawn else person["sex"],
                phone="" if withdrawn else phone,
                email="" if withdrawn else person["email"],
                language=Supporter.Language.RUSSIAN
                if languages.random() < 0.25
                else Supporter.Language.KAZAKH,
                branch=b,
                poo_id=poo,
                registered_on=registered,
                withdrawn_on=withdrawn_on,
                created_by=admin,
            )
        )
        plans.append((registered, withdrawn_on))
    Supporter.objects.bulk_create(supporters, batch_size=1000)
    Consent.objects.bulk_create(
        [
            Consent(
                supporter=s,
                text_version=consent.CURRENT_VERSION,
                given_on=registered,
                channel=rng.choice(ConsentChannel.values),
                recorded_by=admin,
                withdrawn_on=withdrawn_on,
                withdrawn_via=(rng.choice(Consent.WithdrawnVia.values) if withdrawn_on else ""),
            )
            for s, (registered, withdrawn_on) in zip(supporters, plans, strict=True)
        ],
        batch_size=1000,
    )


def seed(ctx: DemoContext) -> None:
    admin = User.objects.get(username="admin")
    districts = list(_districts())
    mugalzhar = next(b for b in districts if b.code == DEMO_DISTRICT)
    _supporters(ctx, admin, districts)
    _youth_wing(ctx, admin, districts)
    campaign = _campaign(ctx, admin, districts)
    _upcoming_event(ctx, campaign, mugalzhar)
    _strategy_campaign(ctx, mugalzhar)


def is_done(ctx: DemoContext) -> bool:
    return Campaign.objects.filter(title=CAMPAIGN_TITLE, branch__code=REGION_CODE).exists()


def reset(ctx: DemoContext) -> None:
    from .structure import demo_branches

    branches = demo_branches()
    campaigns = Campaign.objects.filter(branch__in=branches)
    storage = Material._meta.get_field("file").storage
    for name in Material.objects.filter(campaign__in=campaigns).values_list("file", flat=True):
        with contextlib.suppress(OSError):
            storage.delete(name)
    Event.objects.filter(campaign__in=campaigns).delete()
    campaigns.delete()
    YouthCongress.objects.filter(wing__branch__in=branches).delete()
    YouthWingMember.objects.filter(branch__in=branches).delete()
    YouthWing.objects.filter(branch__in=branches, parent__isnull=False).delete()
    YouthWing.objects.filter(branch__in=branches).delete()
    Supporter.objects.filter(branch__in=branches).delete()


def figures(ctx: DemoContext) -> dict | None:
    campaign = Campaign.objects.filter(title=CAMPAIGN_TITLE, branch__code=REGION_CODE).first()
    if campaign is None:
        return None
    planned = (
        PlanTarget.objects.filter(campaign=campaign, poo__isnull=True).aggregate(
            s=Sum("planned_reach")
        )["s"]
        or 0
    )
    events = Event.objects.filter(campaign=campaign, reach__isnull=False).aggregate(
        n=Count("pk"), s=Sum("reach")
    )
    return {
        "campaign": campaign,
        "planned": planned,
        "events": events["n"],
        "reach": events["s"] or 0,
        "wing": YouthWingMember.objects.filter(left_on__isnull=True).count(),
        "wing_others": YouthWingMember.objects.filter(member__isnull=True).count(),
        "supporters": Supporter.objects.filter(status=Supporter.Status.ACTIVE).count(),
        "withdrawn": Supporter.objects.filter(status=Supporter.Status.WITHDRAWN).count(),
    }


def summary(ctx: DemoContext) -> list[str]:
    f = figures(ctx)
    if f is None:
        return []
    return [
        f"Outreach campaign «{CAMPAIGN_TITLE}»: {f['events']} events reached {f['reach']} people "
        f"against a plan of {f['planned']} (/outreach/{f['campaign'].pk}/)",
        f"Youth wing «Jas Otan»: {f['wing']} members ({f['wing_others']} not party members), "
        f"{len(CONGRESS_DAYS_AGO)} congresses; {f['supporters']} supporters and volunteers with "
        f"consent, {f['withdrawn']} withdrawn (/people/counts/)",
    ]


STEP = Step(name="voice_outreach", seed=seed, is_done=is_done, reset=reset, summary=summary)
