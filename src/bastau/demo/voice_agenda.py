"""The demo's local issues register and its draft regional programme (issue 14, parts 2-3).

- The register is built from the demo's own records: the largest groups of appeals by topic and
  district become issues linked to the set "appeals of topic T in district D" (links, so the
  counts are the reception's); the questions raised at deputies' reports are linked to the
  issue of their district on the same subject, or become issues of their own; the survey's
  topics are linked when the surveys module provides them (see `_survey_topics`).
- A regional programme of `ITEMS` commitments answering the largest issues, saved as version
  1, changed (one target, one cost) and saved as version 2, put on the agenda of a political
  council held `MEETING_DAYS_AGO` days ago, whose decision adopts it; it is published.
- Tracking: two commitments in progress and on track (with evidence and a budget indicator),
  one in progress past its deadline (overdue), the rest planned.
- The youth programme «Жастар — Отанға!» of the regional youth wing, drawn from the youth
  survey: one commitment per issue made of the survey's topics (indicator, target, deadline),
  saved as version 1, submitted to the wing's congress `YOUTH_SUBMITTED_DAYS_AGO` days ago
  (after the survey opened) and adopted by the congress the voice_outreach step records
  a few days before the demo day; it is published.

Everything goes through `bastau.voice.agenda.services`, dates are relative to `ctx.today`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count

from bastau.accounts.scoping import Scope
from bastau.activity import services as activity_services
from bastau.activity.models import Meeting
from bastau.oversight.models import BudgetIndicator, ReportQuestion
from bastau.reception.models import Appeal

from . import REGION_CODE, DemoContext, Step

PROGRAMME_TITLE = "«AMANAT» партиясы Ақтөбе облыстық филиалының сайлауалды бағдарламасы"
PROGRAMME_TITLE_RU = "Предвыборная программа Актюбинского областного филиала партии «AMANAT»"
ISSUES = 18
ITEMS = 15
MEETING_DAYS_AGO = 60
YOUTH_PROGRAMME_TITLE = "«Жастар — Отанға!» жастар бағдарламасы"
YOUTH_PROGRAMME_TITLE_RU = "Молодёжная программа «Жастар — Отанға!»"
YOUTH_SUBMITTED_DAYS_AGO = 7

#: Survey topic (kk name) -> (commitment kk, commitment ru, indicator, target, months to deadline)
YOUTH_COMMITMENTS = {
    "Жастарға жұмыс орындары": (
        "Жастарға арналған уақытша және тұрақты жұмыс орындарын ашу",
        "Открыть временные и постоянные рабочие места для молодёжи",
        "Жұмысқа орналасқан жастар саны",
        "2000",
        12,
    ),
    "Жастарға баспана": (
        "Жас отбасыларға арналған жалдамалы үй бағдарламасын кеңейту",
        "Расширить программу арендного жилья для молодых семей",
        "Жалдамалы пәтер алған жас отбасылар саны",
        "300",
        18,
    ),
    "Спорт және демалыс": (
        "Әр ауданда жастар орталығында тегін спорт үйірмелерін ашу",
        "Открыть бесплатные спортивные секции в молодёжных центрах каждого района",
        "Үйірмелер ашылған аудандар саны",
        "13",
        9,
    ),
    "Интернет және байланыс": (
        "Ауылдық мектептер мен жастар орталықтарын жылдам интернетке қосу",
        "Подключить сельские школы и молодёжные центры к скоростному интернету",
        "Қосылған нысандар саны",
        "120",
        15,
    ),
}

#: topic code: (commitment kk, commitment ru, indicator, target, responsible, cost, sector)
COMMITMENTS = {
    "social_aid": (
        "Атаулы әлеуметтік көмекті тағайындау мерзімін қысқарту",
        "Сократить срок назначения адресной социальной помощи",
        "Тағайындау мерзімі, жұмыс күні",
        "10",
        "Әлеуметтік мәселелер жөніндегі комиссия",
        Decimal("0"),
    ),
    "housing_utilities": (
        "Тозығы жеткен жылу және су желілерін жаңарту",
        "Обновить изношенные тепловые и водопроводные сети",
        "Жаңартылған желі, км",
        "25",
        "Мәслихаттағы партиялық фракция",
        Decimal("1850000"),
    ),
    "land": (
        "Жер телімдерін беру кезегін ашық жариялау",
        "Открыто публиковать очередь на предоставление земельных участков",
        "Кезегі жарияланған аудандар саны",
        "13",
        "Облыстық филиалдың аппараты",
        None,
    ),
    "employment": (
        "Жастарды жұмыспен қамту орталығы арқылы жұмысқа орналастыру",
        "Трудоустроить молодёжь через центр занятости",
        "Жұмысқа орналасқан жастар саны",
        "1500",
        "«Jas Otan» жастар қанаты",
        Decimal("120000"),
    ),
    "healthcare": (
        "Ауылдық медициналық пункттерді дәрігерлермен толықтыру",
        "Укомплектовать сельские медицинские пункты врачами",
        "Толықтырылған пункттер үлесі, %",
        "90",
        "Денсаулық сақтау басқармасымен жұмыс тобы",
        Decimal("300000"),
    ),
    "education": (
        "Апатты мектептердің орнына жаңа мектептер салу",
        "Построить новые школы взамен аварийных",
        "Жаңа оқушы орны",
        "2400",
        "Мәслихаттағы партиялық фракция",
        Decimal("9600000"),
    ),
    "roads_transport": (
        "Аудандық маңызы бар жолдарды жөндеу",
        "Отремонтировать дороги районного значения",
        "Жөнделген жол, км",
        "180",
        "Жол қозғалысы жөніндегі жұмыс тобы",
        Decimal("7200000"),
    ),
    "corruption": (
        "Мемлекеттік қызметтерге қоғамдық мониторинг жүргізу",
        "Проводить общественный мониторинг государственных услуг",
        "Мониторинг жүргізілген қызметтер саны",
        "40",
        "Сыбайлас жемқорлыққа қарсы кеңес",
        None,
    ),
    "other": (
        "Тұрғындардың өтініштері бойынша ауылдарды абаттандыру",
        "Благоустроить сёла по обращениям жителей",
        "Абаттандырылған ауылдар саны",
        "60",
        "Аудандық филиалдар",
        Decimal("850000"),
    ),
}

#: Words of a deputy's question -> the appeal topic it is about.
QUESTION_TOPICS = (
    ("жол", "roads_transport"),
    ("жарығы", "housing_utilities"),
    ("су құбыр", "housing_utilities"),
    ("тұрғын үй", "housing_utilities"),
    ("емхана", "healthcare"),
    ("мектеп", "education"),
    ("спорт", "other"),
)


def _programme():
    from bastau.voice.agenda.models import Programme

    return Programme.objects.filter(branch__code=REGION_CODE, title=PROGRAMME_TITLE)


def _youth_programme():
    from bastau.voice.agenda.models import Programme

    return Programme.objects.filter(branch__code=REGION_CODE, title=YOUTH_PROGRAMME_TITLE)


def _question_topic(text: str) -> str:
    lowered = text.lower()
    return next((code for word, code in QUESTION_TOPICS if word in lowered), "other")


#: Words of a survey topic's name -> the appeal topic it is about.
SURVEY_TOPICS = (
    ("жұмыс", "employment"),
    ("баспана", "housing_utilities"),
    ("білім", "education"),
    ("денсаулық", "healthcare"),
    ("жол", "roads_transport"),
)


def _survey_topics():
    """The topics staff tagged the demo's youth survey's free-text answers with."""
    from bastau.voice.surveys.models import SurveyTopic

    return SurveyTopic.objects.filter(survey__branch__code=REGION_CODE).select_related("survey")


def _issues(ctx: DemoContext, scope: Scope) -> list:
    from bastau.reception.models import Topic
    from bastau.structure.models import Branch
    from bastau.voice.agenda import services

    groups = list(
        Appeal.objects.filter(district__isnull=False)
        .values("topic_id", "district_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "topic_id", "district_id")[:ISSUES]
    )
    topics = Topic.objects.in_bulk({g["topic_id"] for g in groups})
    branches = Branch.objects.in_bulk({g["district_id"] for g in groups})
    issues = {}
    for group in groups:
        topic, district = topics[group["topic_id"]], branches[group["district_id"]]
        issue = services.create_issue(
            scope,
            title=f"{topic.name}: {district.name}",
            title_ru=f"{topic.name_ru or topic.name}: {district.name_ru or district.name}",
            district=district,
            topic=topic,
            description="Тұрғындардың қабылдауға түскен өтініштерінен анықталған мәселе.",
        )
        services.link_appeals(scope, issue, topic=topic, district=district)
        issues[(topic.code, district.pk)] = issue
    questions = ReportQuestion.objects.select_related("report__schedule__maslikhat__branch")
    linked = 0
    for question in questions.order_by("pk")[:40]:
        branch = question.report.schedule.maslikhat.branch
        code = _question_topic(question.text)
        district = None if branch.kind == Branch.Kind.REGION else branch
        issue = issues.get((code, district.pk if district else None))
        if issue is None:
            issue = services.create_issue(
                scope,
                title=question.text.rstrip("?"),
                district=district,
                topic=Topic.objects.filter(code=code).first(),
                description="Депутаттың есеп беру кездесуінде қойылған сұрақ.",
            )
            issues[(code, district.pk if district else None)] = issue
        services.link_question(scope, issue, question=question)
        linked += 1
    surveyed = 0
    for survey_topic in _survey_topics():
        lowered = survey_topic.name.lower()
        code = next((c for word, c in SURVEY_TOPICS if word in lowered), "other")
        issue = services.create_issue(
            scope,
            title=survey_topic.name,
            title_ru=survey_topic.name_ru,
            topic=Topic.objects.filter(code=code).first(),
            description="Жастар сауалнамасының жауаптарынан анықталған мәселе.",
        )
        services.link_survey_topic(scope, issue, topic=survey_topic)
        issues[("survey", survey_topic.pk)] = issue
        surveyed += 1
    ctx.log(
        f"  local issues: {len(issues)}, {linked} deputies' questions and {surveyed} survey "
        "topics linked"
    )
    return list(issues.values())


#: The commitment (by position, from 0) given a short deadline that has now passed.
OVERDUE_AT = 3


def _deadline(today: dt.date, n: int) -> dt.date:
    if n == OVERDUE_AT:
        return today - dt.timedelta(days=14)
    return today + dt.timedelta(days=180 + 30 * n)


def _programme_build(ctx: DemoContext, scope: Scope, issues: list):
    from bastau.voice.agenda import services

    today = ctx.today
    region = ctx.region()
    counts = services.people_counts(i.pk for i in issues)
    ranked = sorted(issues, key=lambda i: (-counts[i.pk], i.pk))[:ITEMS]
    programme = services.create_programme(
        scope, branch=region, title=PROGRAMME_TITLE, title_ru=PROGRAMME_TITLE_RU
    )
    items = []
    for n, issue in enumerate(ranked):
        code = issue.topic.code if issue.topic_id else "other"
        title, title_ru, indicator, target, responsible, cost = COMMITMENTS.get(
            code, COMMITMENTS["other"]
        )
        where = issue.district.name if issue.district_id else ""
        where_ru = (issue.district.name_ru or where) if issue.district_id else ""
        items.append(
            services.add_item(
                scope,
                programme,
                issues_answered=[issue],
                title=f"{title} ({where})" if where else title,
                title_ru=f"{title_ru} ({where_ru})" if where_ru else title_ru,
                indicator=indicator,
                target=target,
                deadline=_deadline(today, n),
                responsible=responsible,
                cost=cost,
                district=issue.district,
            )
        )
    services.create_version(scope, programme, note="Бірінші жоба")
    first = items[0]
    services.update_item(
        scope,
        first,
        issues_answered=list(first.issues.all()),
        **{
            **{f: getattr(first, f) for f in services.ITEM_EDITABLE},
            "target": "7",
        },
    )
    version = services.create_version(
        scope, programme, note="Талқылаудан кейін: мақсатты мән нақтыланды"
    )
    meeting = activity_services.create_meeting(
        scope,
        kind=Meeting.Kind.POLITICAL_COUNCIL,
        branch=region,
        date=today - dt.timedelta(days=MEETING_DAYS_AGO),
        place="Ақтөбе, облыстық филиал",
        number="12",
        chair_name="Облыстық филиал төрағасы",
    )
    services.submit_version(scope, version, meeting=meeting)
    services.approve_at_meeting(
        scope, version, text="Сайлауалды бағдарлама жобасының 2-нұсқасы мақұлдансын."
    )
    version.refresh_from_db()
    services.publish_version(scope, version)
    return programme, items


def _track(ctx: DemoContext, scope: Scope, items: list) -> None:
    from bastau.voice.agenda import services

    today = ctx.today
    indicators = list(
        BudgetIndicator.objects.filter(maslikhat__branch__code=REGION_CODE).order_by(
            "-year", "code"
        )[:2]
    )
    on_track = items[1:3]
    for n, item in enumerate(on_track):
        services.track_item(
            scope,
            item,
            status="in_progress",
            today=today,
            budget_indicators=indicators[n : n + 1],
        )
        services.add_evidence(
            scope,
            item,
            text="Жұмыс тобының отырысы өтті, орындау кестесі бекітілді.",
            date=today - dt.timedelta(days=10 + n),
            today=today,
        )
    # Work started on the commitment with a short deadline; the deadline has passed.
    services.track_item(scope, items[OVERDUE_AT], status="in_progress", today=today)


def _youth_programme_build(ctx: DemoContext, scope: Scope) -> None:
    """The youth programme of the regional wing, drawn from the youth survey's topics and
    adopted by the wing's latest congress (held after the survey opened)."""
    from bastau.voice.agenda import services
    from bastau.voice.agenda.models import Issue
    from bastau.voice.people.models import YouthCongress, YouthWing

    from .voice_outreach import PROGRAMME_CONGRESS_TITLE

    today = ctx.today
    region = ctx.region()
    wing = YouthWing.objects.filter(branch=region).first()
    congress = YouthCongress.objects.filter(wing=wing, title=PROGRAMME_CONGRESS_TITLE).first()
    topics = list(_survey_topics().order_by("pk"))
    if wing is None or congress is None or not topics:
        ctx.log("  youth programme: no youth wing, congress or survey topics; skipped")
        return
    programme = services.create_programme(
        scope,
        branch=region,
        title=YOUTH_PROGRAMME_TITLE,
        title_ru=YOUTH_PROGRAMME_TITLE_RU,
        youth_wing=wing,
        survey=topics[0].survey,
    )
    for topic in topics:
        issue = (
            Issue.objects.filter(sources__survey_topic=topic, status=Issue.Status.OPEN)
            .order_by("pk")
            .first()
        )
        if issue is None:
            continue
        title, title_ru, indicator, target, months = YOUTH_COMMITMENTS.get(
            topic.name,
            (
                f"{topic.name}: жастардың ұсыныстарын орындау",
                f"{topic.name_ru or topic.name}: выполнить предложения молодёжи",
                "Орындалған ұсыныстар саны",
                "10",
                12,
            ),
        )
        services.add_item(
            scope,
            programme,
            issues_answered=[issue],
            title=title,
            title_ru=title_ru,
            indicator=indicator,
            target=target,
            deadline=today + dt.timedelta(days=30 * months),
            responsible="«Jas Otan» жастар қанаты",
            cost=None,
            district=None,
        )
    version = services.create_version(scope, programme, note="Сауалнама қорытындысы бойынша")
    submitted_on = today - dt.timedelta(days=YOUTH_SUBMITTED_DAYS_AGO)
    services.submit_to_congress(scope, version, on=submitted_on, today=today)
    services.adopt_at_congress(scope, version, congress=congress, today=today)
    services.publish_version(scope, version)
    ctx.log(
        f"  youth programme: {programme.items.count()} commitments, adopted by the congress "
        f"of {congress.date}"
    )


def seed(ctx: DemoContext) -> None:
    scope = Scope(ctx.user("admin"))
    issues = _issues(ctx, scope)
    programme, items = _programme_build(ctx, scope, issues)
    _track(ctx, scope, items)
    ctx.log(f"  programme: {len(items)} commitments, version 2 adopted and published")
    _youth_programme_build(ctx, scope)


def is_done(ctx: DemoContext) -> bool:
    return _programme().exists()


def reset(ctx: DemoContext) -> None:
    from bastau.voice.agenda.models import (
        Evidence,
        Issue,
        IssueEvent,
        IssueSource,
        Programme,
        ProgrammeItem,
        ProgrammeVersion,
    )

    meetings = list(
        ProgrammeVersion.objects.filter(agenda_item__isnull=False)
        .values_list("agenda_item__meeting_id", flat=True)
        .distinct()
    )
    Evidence.objects.all().delete()
    ProgrammeItem.issues.through.objects.all().delete()
    ProgrammeVersion.objects.all().delete()
    ProgrammeItem.objects.all().delete()
    Programme.objects.all().delete()
    IssueEvent.objects.all().delete()
    IssueSource.objects.all().delete()
    Issue.objects.filter(merged_into__isnull=False).delete()
    Issue.objects.all().delete()
    Meeting.objects.filter(pk__in=meetings).delete()


def summary(ctx: DemoContext) -> list[str]:
    from bastau.voice.agenda import services
    from bastau.voice.agenda.models import Issue

    programme = _programme().first()
    if programme is None:
        return []
    counts = services.state_counts(programme.items.all(), ctx.today)
    return [
        f"Local issues: {Issue.objects.filter(status='open').count()}; programme: "
        f"{programme.items.count()} commitments, {counts.get('in_progress', 0)} in progress, "
        f"{counts.get('overdue', 0)} overdue (/agenda/)"
    ]


STEP = Step(name="voice_agenda", seed=seed, is_done=is_done, reset=reset, summary=summary)
