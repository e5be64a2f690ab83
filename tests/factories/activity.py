"""Builders shared by the activity tests: the meetings world (`build`) and a contest with its
jurors, entries and scores (`build_contest`, `enter_all`, `score`, `run_district_stage`)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.activity import services as s
from bastau.activity.models import ActivityAttachment, Meeting
from bastau.activity.recognition import services as r
from bastau.members.models import Admission

from . import make_iin, user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="protocol.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def build(world):
    """The foundation's world plus: a district activists' meeting with participants, an agenda
    item, a decision and a file; a POO meeting whose decision admits an applicant; a meeting of
    the other district; instructions (to the member user from the agenda item, with a report
    and a file; to the POO; of the other district); social projects with events."""
    w = world
    today = timezone.localdate()
    sec, leader, other = Scope(w.secretary), Scope(w.leader), Scope(w.other_secretary)
    w.meeting = s.create_meeting(
        sec,
        kind=Meeting.Kind.ACTIVISTS,
        branch=w.district,
        date=today - dt.timedelta(days=3),
        place="Қандыағаш, мәдениет үйі",
        number="7",
        chair_member=w.members[1],
    )
    s.set_participants(
        sec, w.meeting, categories={"БПҰ төрағалары": 45, "Активтер": 120}, members=[w.members[2]]
    )
    w.item = s.add_agenda_item(
        sec, w.meeting, title="Праймериз қорытындысы туралы", speakers=[w.members[1]]
    )
    s.record_decision(sec, w.item, text="Ақпарат назарға алынсын.")
    s.add_meeting_attachments(sec, w.meeting, [pdf_upload()])
    w.meeting_file = ActivityAttachment.objects.get(meeting=w.meeting)
    w.poo_meeting = s.create_meeting(
        leader, kind=Meeting.Kind.POO_MEETING, poo=w.poo, date=today, chair_name="Ахметов А."
    )
    w.poo_item = s.add_agenda_item(leader, w.poo_meeting, title="Партияға қабылдау")
    w.admission = Admission.objects.create(
        iin=make_iin(dt.date(1990, 1, 1), "F"),
        last_name="Серікова",
        first_name="Әсел",
        poo=w.poo,
        applied_on=today,
    )
    s.record_decision(leader, w.poo_item, text="Қабылдансын.", admission=w.admission)
    w.other_meeting = s.create_meeting(
        other, kind=Meeting.Kind.CONFERENCE, branch=w.other_district, date=today, chair_name="X"
    )
    w.other_item = s.add_agenda_item(other, w.other_meeting, title="Other")
    w.other_file = s.add_meeting_attachments(other, w.other_meeting, [pdf_upload()])[0]
    w.instruction = s.issue_instruction(
        sec,
        text="Праймериз бойынша түсіндіру жұмысын ұйымдастыру",
        deadline=today + dt.timedelta(days=10),
        agenda_item=w.item,
        responsible_users=[w.member_user],
    )
    w.report = s.submit_report_with_files(
        Scope(w.member_user), w.instruction, text="12 кездесу өтті", files=[pdf_upload("list.pdf")]
    )
    w.report_file = ActivityAttachment.objects.get(report=w.report)
    w.poo_instruction = s.issue_instruction(
        sec,
        text="Жиналыс өткізу",
        deadline=today + dt.timedelta(days=5),
        branch=w.district,
        responsible_poos=[w.poo],
    )
    w.other_instruction = s.issue_instruction(
        other,
        text="Other district's work",
        deadline=today + dt.timedelta(days=5),
        branch=w.other_district,
        responsible_poos=[w.other_poo],
    )
    w.project = s.create_project(
        sec, branch=w.district, name="Бақытты отбасы", curator=w.members[1], started_on=today
    )
    w.project2 = s.create_project(sec, branch=w.district, name="Құтты мекен")
    s.record_project_event(sec, w.project, date=today, title="Жәрмеңке", reach=120)
    w.other_project = s.create_project(other, branch=w.other_district, name="Other project")
    return w


#: The day the contest builders enter on.
TODAY = dt.date(2026, 3, 10)
CRITERIA = [
    {"name": "Activity", "weight": "2", "max_points": 10},
    {"name": "Growth", "weight": "1.5", "max_points": 10},
]


def build_contest(w, **kwargs):
    """The world plus a contest with two criteria and jurors: a district juror for each
    district and a regional juror (users of the member role)."""
    w.district_juror = user(Role.MEMBER, username="juror-d")
    w.other_juror = user(Role.MEMBER, username="juror-o")
    w.regional_juror = user(Role.MEMBER, username="juror-r")
    fields = dict(
        branch=w.region,
        name="Үздік бастауыш партия ұйымы",
        year=2026,
        criteria=CRITERIA,
        rules="Best POO of the year",
        entries_until=dt.date(2026, 4, 1),
        advance_per_district=1,
        winners_count=1,
        jurors=[
            {"user": w.district_juror, "stage": "district", "district": w.district},
            {"user": w.other_juror, "stage": "district", "district": w.other_district},
            {"user": w.regional_juror, "stage": "regional", "district": None},
        ],
    )
    fields.update(kwargs)
    w.contest = r.create_contest(Scope(w.admin), **fields)
    w.c1, w.c2 = list(w.contest.criteria.all())
    return w


def enter_all(w):
    w.e1 = r.submit_entry(Scope(w.leader), w.contest, poo=w.poo, today=TODAY)
    w.e2 = r.submit_entry(Scope(w.secretary), w.contest, poo=w.poo2, today=TODAY)
    w.e3 = r.submit_entry(Scope(w.admin), w.contest, poo=w.other_poo, today=TODAY)
    return w


def score(w, user, entry, a, g):
    c = w.contest
    r.record_scores(Scope(user), c, points={(entry.pk, w.c1.pk): a, (entry.pk, w.c2.pk): g})


def run_district_stage(w):
    r.open_district_stage(Scope(w.admin), w.contest)
    w.contest.refresh_from_db()
    score(w, w.district_juror, w.e1, 6, 6)  # 12 + 9 = 21
    score(w, w.district_juror, w.e2, 9, 2)  # 18 + 3 = 21 (tie, more first-criterion points)
    score(w, w.other_juror, w.e3, 5, 5)
    return r.close_district_stage(Scope(w.admin), w.contest)
