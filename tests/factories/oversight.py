"""Builders for the oversight tests: deputies, the maslikhats of the test world (`world`, the
`ow` fixture) and the fuller world the page tests and the permission matrix share
(`pages_world`)."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.utils import timezone

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.oversight import services
from bastau.oversight.models import Convocation, Deputy, Faction, Maslikhat, ReportQuestion
from bastau.oversight.services import budget_import

from .. import factories as f
from .members import upload, xlsx_bytes

_numbers = iter(range(1, 10_000))


def deputy(convocation, *, birth_date=dt.date(1973, 4, 5), sex="M", **kwargs) -> Deputy:
    """A deputy straight into the database (services are tested on their own)."""
    n = next(_numbers)
    fields = dict(
        maslikhat=convocation.maslikhat,
        convocation=convocation,
        last_name=f"Deputov{n}",
        first_name=f"Name{n}",
        birth_date=None if kwargs.get("member") else birth_date,
        sex="" if kwargs.get("member") else sex,
        elected_by=Deputy.Election.LIST,
        phone=f"+7702{n:07d}",
        email=f"deputy{n}@example.kz",
    )
    fields.update(kwargs)
    return Deputy.objects.create(**fields)


def world(w):
    """The foundation's world plus maslikhats (regional, the secretary's district, the other
    district), their current convocations, a faction and faction secretaries."""
    cache.clear()
    w.regional = Maslikhat.objects.create(
        level=Maslikhat.Level.REGIONAL,
        name="Облыстық мәслихат",
        branch=w.region,
        seats_total=34,
        seats_by_list=17,
        seats_by_district=17,
    )
    w.maslikhat = Maslikhat.objects.create(
        level=Maslikhat.Level.DISTRICT,
        name="Мұғалжар аудандық мәслихаты",
        branch=w.district,
        seats_total=4,
        seats_by_list=2,
        seats_by_district=2,
    )
    w.other_maslikhat = Maslikhat.objects.create(
        level=Maslikhat.Level.DISTRICT,
        name="Хромтау аудандық мәслихаты",
        branch=w.other_district,
        seats_total=3,
        seats_by_list=3,
    )
    start = dt.date(2023, 3, 20)
    w.reg_conv = Convocation.objects.create(maslikhat=w.regional, number=8, started_on=start)
    w.conv = Convocation.objects.create(maslikhat=w.maslikhat, number=8, started_on=start)
    w.other_conv = Convocation.objects.create(
        maslikhat=w.other_maslikhat, number=8, started_on=start
    )
    w.faction = Faction.objects.create(maslikhat=w.maslikhat, convocation=w.conv, name="Faction")
    w.deputy = deputy(w.conv, faction=w.faction)
    w.other_deputy = deputy(w.other_conv)
    w.faction_secretary = f.user(Role.FACTION_SECRETARY, branch=w.district)
    w.other_faction_secretary = f.user(Role.FACTION_SECRETARY, branch=w.other_district)
    w.regional_faction_secretary = f.user(Role.FACTION_SECRETARY, branch=w.region)
    return w


def pages_world(ow):
    """The `ow` world plus a schedule (an overdue, a future and a held report with a question),
    a lagging indicator with a note, a failed budget import and a reception officer."""
    w = ow
    today = timezone.localdate()
    secretary, fsec = Scope(w.secretary), Scope(w.faction_secretary)
    w.officer = f.user(Role.RECEPTION_OFFICER, branch=w.district)
    w.schedule = services.create_schedule(
        secretary,
        maslikhat=w.maslikhat,
        title="Есеп беру кестесі",
        period_start=today - dt.timedelta(days=60),
        period_end=today + dt.timedelta(days=120),
        approved_on=today - dt.timedelta(days=61),
    )
    w.other_schedule = services.create_schedule(
        Scope(w.other_secretary),
        maslikhat=w.other_maslikhat,
        title="Other",
        period_start=today,
        period_end=today + dt.timedelta(days=30),
        approved_on=today,
    )
    w.overdue_report = services.add_report(
        fsec, w.schedule, deputy=w.deputy, date=today - dt.timedelta(days=10),
        place="Қандыағаш, мәдениет үйі", audience="Тұрғындар", topic="Бюджет туралы есеп",
    )  # fmt: skip
    w.future_report = services.add_report(
        fsec, w.schedule, deputy=w.deputy, date=today + dt.timedelta(days=10),
        place="Ауыл клубы", topic="Жолдар",
    )  # fmt: skip
    w.held_report = services.add_report(
        fsec, w.schedule, deputy=w.deputy, date=today - dt.timedelta(days=5),
        place="Мектеп", topic="Білім беру",
    )  # fmt: skip
    services.record_outcome(
        fsec, w.held_report, held=True, attendance=35, questions=["Жол қашан жөнделеді?"]
    )
    w.question = ReportQuestion.objects.get(report=w.held_report)
    w.indicator, _ = services.save_indicator(
        fsec, maslikhat=w.maslikhat, year=2024, sector="education", code="261-015",
        data={"name": "New school places", "unit": "places", "plan": "100", "actual": "50"},
    )  # fmt: skip
    w.other_indicator, _ = services.save_indicator(
        Scope(w.other_faction_secretary), maslikhat=w.other_maslikhat, year=2024,
        sector="roads", code="451", data={"name": "Roads", "unit": "km", "plan": "10"},
    )  # fmt: skip
    services.add_note(fsec, w.indicator, date=today, text="Visited the school.")
    w.failed_import = budget_import.import_budget(
        fsec, maslikhat=w.maslikhat,
        upload=upload("bad.xlsx", xlsx_bytes(budget_import.TEMPLATE,
                                             [[2024, "space", "X", "", "", "u", -1, None, None]])),
    )  # fmt: skip
    w.other_import = budget_import.import_budget(
        Scope(w.other_faction_secretary), maslikhat=w.other_maslikhat,
        upload=upload("bad.xlsx", xlsx_bytes(budget_import.TEMPLATE, [])),
    )  # fmt: skip
    return w
