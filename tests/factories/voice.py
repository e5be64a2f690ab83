"""Builders shared by the supporters, youth wing and outreach tests: `build(world)` adds to
the foundation's world a youth wing with members, supporters in both districts (one
withdrawn), and an outreach campaign on the primaries with its plan, events (one of them
upcoming, no one yet invited) and a file."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.activity import services as activity_services
from bastau.voice.outreach import services as outreach
from bastau.voice.outreach.models import Campaign, Event
from bastau.voice.people import services as people
from bastau.voice.people.models import ConsentChannel, Supporter

from . import member

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def years_ago(today: dt.date, years: int, days: int = 0) -> dt.date:
    from bastau.lib.dates import add_years

    return add_years(today, -years) - dt.timedelta(days=days)


def supporter(scope, branch, today, *, last_name="Жақсыбекова", poo=None, **kwargs):
    fields = dict(
        branch=branch,
        poo=poo,
        last_name=last_name,
        first_name="Айгерім",
        phone="+77015550101",
        email="a@example.kz",
        consent_given_on=today,
        consent_channel=ConsentChannel.PAPER,
        today=today,
    )
    fields.update(kwargs)
    return people.register_supporter(scope, **fields)


def build(world):
    w = world
    today = timezone.localdate()
    admin, sec, other = Scope(w.admin), Scope(w.secretary), Scope(w.other_secretary)
    # The youth wing.
    w.wing = people.create_wing(
        admin,
        name="«Jas Otan» жастар қанаты",
        name_ru="Молодёжное крыло «Jas Otan»",
        branch=w.region,
    )
    w.district_wing = people.create_wing(admin, name="Мұғалжар «Jas Otan»", branch=w.district)
    w.young_member = member(w.poo, birth_date=years_ago(today, 25), sex="F")
    w.wing_party = people.add_youth_member(
        sec, branch=w.district, member=w.young_member, joined_on=today, today=today
    )
    w.wing_other = people.add_youth_member(
        sec,
        branch=w.district,
        last_name="Нұрланов",
        first_name="Ерлан",
        birth_date=years_ago(today, 19),
        sex="M",
        phone="+77015550202",
        consent_channel=ConsentChannel.ONLINE,
        joined_on=today,
        today=today,
    )
    w.other_wing_member = people.add_youth_member(
        other,
        branch=w.other_district,
        last_name="Сейітова",
        first_name="Дана",
        birth_date=years_ago(today, 22),
        consent_channel=ConsentChannel.PAPER,
        joined_on=today,
        today=today,
    )
    w.congress = people.record_congress(
        admin,
        w.wing,
        date=today,
        title="«Jas Otan» облыстық съезі",
        delegates_elected=120,
        delegates_present=101,
    )
    # Supporters.
    w.supporter = supporter(sec, w.district, today, poo=w.poo)
    w.volunteer = supporter(
        sec, w.district, today, last_name="Ким", kind=Supporter.Kind.VOLUNTEER, email=""
    )
    w.withdrawn = supporter(sec, w.district, today, last_name="Омаров")
    people.withdraw_by_staff(sec, w.withdrawn, on=today)
    w.other_supporter = supporter(other, w.other_district, today, last_name="Петров")
    # The campaign.
    w.campaign = outreach.create_campaign(
        admin,
        title="Праймериз дегеніміз не?",
        title_ru="Что такое праймериз?",
        theme=Campaign.Theme.PRIMARIES,
        branch=w.region,
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=20),
        talking_points="Праймериз — ашық іріктеу.",
        talking_points_ru="Праймериз — открытый отбор.",
        target_branches=[w.district, w.other_district],
    )
    outreach.set_plan(admin, w.campaign, branch=w.district, planned_reach=400)
    outreach.set_plan(admin, w.campaign, branch=w.district, poo=w.poo, planned_reach=150)
    outreach.set_plan(admin, w.campaign, branch=w.other_district, planned_reach=300)
    w.event = outreach.record_event(
        Scope(w.leader),
        w.campaign,
        kind=Event.Kind.YARD_MEETING,
        date=today - dt.timedelta(days=2),
        title="Аула жиналысы",
        branch=None,
        poo=w.poo,
        reach=60,
        today=today,
    )
    w.sec_event = outreach.record_event(
        sec,
        w.campaign,
        kind=Event.Kind.CITIZENS_MEETING,
        date=today - dt.timedelta(days=1),
        title="Тұрғындармен кездесу",
        branch=w.district,
        reach=140,
        today=today,
    )
    w.other_event = outreach.record_event(
        other,
        w.campaign,
        kind=Event.Kind.ONLINE,
        date=today,
        title="Instagram",
        branch=w.other_district,
        reach=900,
        today=today,
    )
    # An upcoming yard meeting of the district, announced: its reach is not yet known.
    w.upcoming = outreach.record_event(
        sec,
        w.campaign,
        kind=Event.Kind.CITIZENS_MEETING,
        date=today + dt.timedelta(days=3),
        title="Праймериз туралы кездесу",
        branch=w.district,
        place="Қандыағаш, Мәдениет үйі",
        reach=None,
        today=today,
    )
    w.material = outreach.add_materials(
        admin, w.campaign, [SimpleUploadedFile("leaflet.pdf", PDF, content_type="application/pdf")]
    )[0]
    # A district campaign of the other district only.
    w.other_campaign = outreach.create_campaign(
        other,
        title="Қазақстан – 2050",
        title_ru="Казахстан – 2050",
        theme=Campaign.Theme.STRATEGY_2050,
        branch=w.other_district,
        starts_on=today - dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=5),
        target_branches=[w.other_district],
    )
    w.instruction = activity_services.issue_instruction(
        admin,
        text="Праймериз бойынша түсіндіру жұмысын ұйымдастыру",
        deadline=today + dt.timedelta(days=10),
        branch=w.region,
        responsible_branches=[w.district],
    )
    outreach.link_instruction(admin, w.campaign, w.instruction.pk)
    return w


def youth_programme(w):
    """The regional youth programme of the world's wing (one commitment), submitted to its
    congress and adopted there: `w.youth_version`."""
    from bastau.voice.agenda import services as agenda

    admin, today = Scope(w.admin), timezone.localdate()
    programme = agenda.create_programme(
        admin, branch=w.region, title="«Жастар — Отанға!»", youth_wing=w.wing
    )
    issue = agenda.create_issue(admin, title="Жастарға жұмыс")
    agenda.add_item(
        admin, programme, issues_answered=[issue], title="Жұмыс орындары", indicator="саны",
        target="100", deadline=today + dt.timedelta(days=100), responsible="«Jas Otan»",
    )  # fmt: skip
    w.youth_version = agenda.create_version(admin, programme)
    agenda.submit_to_congress(admin, w.youth_version, on=today, today=today)
    agenda.adopt_at_congress(admin, w.youth_version, congress=w.congress, today=today)
    return w
