"""The branch activity pages: meetings (participants, agenda, decisions, files), instructions
through their whole cycle, the control board and the social projects registry; bad input
shows a translated error and changes nothing; list pages and the board take a fixed number of
queries however many rows they show."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.activity import services as s
from bastau.activity.models import (
    AgendaItem,
    Decision,
    ExecutionReport,
    ExtensionRequest,
    Instruction,
    Meeting,
    ParticipantGroup,
    ProjectEvent,
    SocialProject,
)

from .. import factories as f
from ..factories.activity import PDF, build, pdf_upload

pytestmark = pytest.mark.django_db


def _u(name, *args):
    return reverse(f"activity:{name}", args=args)


def _pages(w):
    return [
        _u("index"),
        _u("meetings"),
        _u("meetings") + f"?kind=activists&branch={w.district.pk}&year=2026",
        _u("meeting_new"),
        _u("meeting", w.meeting.pk),
        _u("meeting", w.poo_meeting.pk),
        _u("meeting_participants", w.meeting.pk),
        _u("agenda_item_new", w.meeting.pk),
        _u("decision_new", w.item.pk),
        _u("decision_new", w.poo_item.pk),
        _u("meeting_attachment_new", w.meeting.pk),
        _u("instructions"),
        _u("instructions") + f"?state=in_progress&responsible={w.member_user.pk}&mine=on",
        _u("instruction_new"),
        _u("instruction_new") + f"?item={w.item.pk}",
        _u("instruction", w.instruction.pk),
        _u("instruction", w.poo_instruction.pk),
        _u("board"),
        _u("projects"),
        _u("projects") + "?status=optimised&year=2026",
        _u("project_new"),
        _u("project", w.project.pk),
        _u("project_event_new", w.project.pk),
        _u("project_end", w.project.pk),
        _u("project_figures"),
        _u("project_figures") + "?start=2026-01-01&end=2026-12-31",
    ]


@pytest.mark.parametrize("role", ["secretary", "admin"])
def test_every_page_renders(client, world, role):
    w = build(world)
    client.force_login(getattr(w, role))
    for url in _pages(w):
        response = client.get(url)
        assert response.status_code == 200, url


def test_leader_sees_their_poo_meetings_and_instructions(client, world):
    w = build(world)
    client.force_login(w.leader)
    page = client.get(_u("meetings")).content.decode()
    assert "Ахметов А." in page and "Қандыағаш" not in page
    page = client.get(_u("instructions")).content.decode()
    assert "Жиналыс өткізу" in page and "Праймериз бойынша" not in page
    assert client.get(_u("instruction_new")).status_code == 200
    assert client.get(_u("projects")).status_code == 403


def test_meeting_detail_shows_participants_agenda_decisions_links_and_files(client, world):
    w = build(world)
    client.force_login(w.secretary)
    page = client.get(_u("meeting", w.meeting.pk)).content.decode()
    for text in (
        "БПҰ төрағалары",
        "165",
        w.members[2].full_name,
        "Праймериз қорытындысы туралы",
        w.members[1].full_name,
        "Ақпарат назарға алынсын.",
        "Праймериз бойынша түсіндіру",
        "protocol.pdf",
        _u("attachment", w.meeting_file.pk),
        _u("meeting_minutes", w.meeting.pk, "kk", "pdf"),
    ):
        assert text in page, text
    page = client.get(_u("meeting", w.poo_meeting.pk)).content.decode()
    assert w.admission.get_absolute_url() in page  # the decision links to the admission


def test_record_a_meeting(client, world):
    w = world
    client.force_login(w.secretary)
    response = client.post(
        _u("meeting_new"),
        {
            "kind": "political_council",
            "branch": w.district.pk,
            "date": "2026-05-04",
            "place": "Ақтөбе",
            "number": "3",
            "chair": w.members[1].pk,
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == _u("meeting", meeting.pk)
    assert (meeting.branch, meeting.chair_member, meeting.number) == (w.district, w.members[1], "3")


def test_bad_meeting_shows_a_translated_error_and_records_nothing(client, world):
    w = world
    client.force_login(w.secretary)
    client.cookies["bastau_language"] = "ru"
    data = {"kind": "activists", "branch": w.district.pk, "date": "2026-05-04"}
    response = client.post(_u("meeting_new"), data)
    assert response.status_code == 200
    with translation.override("ru"):
        expected = str(s._("Name the chair of the meeting."))
    assert expected in response.content.decode()
    assert not Meeting.objects.exists()
    # A missing date: Django's message, in Russian.
    response = client.post(_u("meeting_new"), {**data, "date": "", "chair_name": "A"})
    assert "Обязательное поле." in response.content.decode()
    assert not Meeting.objects.exists()
    # A member of another branch (the picker's scope): refused, in Russian.
    response = client.post(_u("meeting_new"), {**data, "chair": w.other_member.pk})
    assert "chair" in response.context["form"].errors
    assert "Выберите корректный вариант" in response.content.decode()
    assert not Meeting.objects.exists()


def test_leader_records_a_poo_meeting_and_cannot_hold_a_branch_one(client, world):
    w = world
    client.force_login(w.leader)
    data = {"kind": "poo_meeting", "poo": w.poo.pk, "date": "2026-05-04", "chair_name": "A"}
    assert client.post(_u("meeting_new"), data).status_code == 302
    assert Meeting.objects.get().poo == w.poo
    response = client.post(_u("meeting_new"), {**data, "poo": w.poo2.pk})
    assert "poo" in response.context["form"].errors  # not a choice for this leader
    assert Meeting.objects.count() == 1


def test_participants_agenda_and_decision_forms(client, world):
    w = build(world)
    client.force_login(w.secretary)
    url = _u("meeting_participants", w.meeting.pk)
    response = client.post(url, {"categories": "Активтер: 80\nЖастар: 20", "attendees": ""})
    assert response.status_code == 302
    assert {g.category: g.count for g in w.meeting.participant_groups.all()} == {
        "Активтер": 80,
        "Жастар": 20,
    }
    response = client.post(url, {"categories": "Активтер eighty", "attendees": ""})
    assert "categories" in response.context["form"].errors
    assert ParticipantGroup.objects.filter(meeting=w.meeting).count() == 2
    response = client.post(url, {"categories": "A: 1", "attendees": [w.other_member.pk]})
    assert "attendees" in response.context["form"].errors
    assert w.meeting.participant_groups.count() == 2

    url = _u("agenda_item_new", w.meeting.pk)
    response = client.post(url, {"title": "Екінші мәселе", "speakers": [w.members[0].pk]})
    assert response.status_code == 302
    second = w.meeting.agenda_items.get(position=2)
    assert list(second.speakers.all()) == [w.members[0]]
    response = client.post(url, {"title": ""})
    assert response.context["form"].errors and w.meeting.agenda_items.count() == 2

    url = _u("decision_new", w.poo_item.pk)
    response = client.post(url, {"text": "Кандидат ұсынылсын."})
    assert response.status_code == 302
    assert Decision.objects.filter(agenda_item=w.poo_item).count() == 2
    response = client.post(url, {"text": " "})
    assert response.status_code == 200
    assert Decision.objects.filter(agenda_item=w.poo_item).count() == 2


def test_meeting_files_are_checked_and_streamed_after_an_access_check(client, world):
    w = build(world)
    client.force_login(w.secretary)
    url = _u("meeting_attachment_new", w.meeting.pk)
    response = client.post(url, {"attachments": [pdf_upload("photo.pdf")]})
    assert response.status_code == 302
    assert w.meeting.attachments.count() == 2
    fake = SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf")
    response = client.post(url, {"attachments": [fake]})
    assert response.status_code == 200
    assert "evil.pdf" in response.content.decode()  # the error names the file
    assert w.meeting.attachments.count() == 2

    response = client.get(_u("attachment", w.meeting_file.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(_u("attachment", w.other_file.pk)).status_code == 404
    # The responsible member reads the file of their own report, not the meeting's.
    client.force_login(w.member_user)
    assert client.get(_u("attachment", w.report_file.pk)).status_code == 200
    assert client.get(_u("attachment", w.meeting_file.pk)).status_code == 404


def test_issue_an_instruction_from_an_agenda_item(client, world):
    w = build(world)
    client.force_login(w.secretary)
    deadline = timezone.localdate() + dt.timedelta(days=14)
    url = _u("instruction_new") + f"?item={w.item.pk}"
    response = client.post(
        url,
        {
            "text": "Тізімді жаңарту",
            "deadline": deadline.isoformat(),
            "responsible_users": [w.leader.pk],
            "responsible_poos": [w.poo2.pk],
        },
    )
    instruction = Instruction.objects.get(text="Тізімді жаңарту")
    assert response.status_code == 302
    assert (instruction.agenda_item, instruction.branch, instruction.issuer) == (
        w.item,
        w.district,
        w.secretary,
    )
    assert list(instruction.responsible_users.all()) == [w.leader]
    count = Instruction.objects.count()
    past = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        url, {"text": "x", "deadline": past.isoformat(), "responsible_users": [w.leader.pk]}
    )
    assert "deadline" in response.context["form"].errors
    response = client.post(url, {"text": "x", "deadline": deadline.isoformat()})
    assert "responsible_users" in response.context["form"].errors
    assert Instruction.objects.count() == count
    # Another district's agenda item does not exist for this secretary.
    assert client.get(_u("instruction_new") + f"?item={w.other_item.pk}").status_code == 404


def test_standalone_instruction_by_a_leader_is_their_poos(client, world):
    w = world
    client.force_login(w.leader)
    deadline = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        _u("instruction_new"),
        {"text": "Жиналыс", "deadline": deadline, "poo": w.poo.pk,
         "responsible_users": [w.member_user.pk]},
    )  # fmt: skip
    assert response.status_code == 302
    assert Instruction.objects.get().poo == w.poo


def _act(client, instruction, **data):
    return client.post(_u("instruction", instruction.pk), data)


def test_execution_cycle_through_the_page(client, world):
    w = build(world)
    instruction = w.poo_instruction  # the leader's POO is responsible
    client.force_login(w.leader)
    assert _act(client, instruction, action="start").status_code == 302
    instruction.refresh_from_db()
    assert instruction.status == Instruction.Status.IN_PROGRESS
    response = _act(client, instruction, action="report", **{"report-text": ""})
    assert response.status_code == 200 and response.context["forms"]["report"].errors
    assert not instruction.reports.exists()
    response = client.post(
        _u("instruction", instruction.pk),
        {"action": "report", "report-text": "Жиналыс өтті", "report-attachments": pdf_upload()},
    )
    assert response.status_code == 302
    report = instruction.reports.get()
    assert report.attachments.count() == 1
    # Only the issuer decides.
    assert _act(client, instruction, action="accept").status_code == 403
    client.force_login(w.secretary)
    response = _act(client, instruction, action="return", **{"return-note": ""})
    assert response.context["forms"]["return"].errors
    report.refresh_from_db()
    assert report.status == ExecutionReport.Status.SUBMITTED
    page = client.get(_u("instruction", instruction.pk)).content.decode()
    assert "Жиналыс өтті" in page and "Accept the report" in page
    assert _act(client, instruction, action="accept").status_code == 302
    instruction.refresh_from_db()
    assert instruction.status == Instruction.Status.DONE
    assert instruction.done_on == timezone.localdate()
    page = client.get(_u("instruction", instruction.pk)).content.decode()
    assert "Report accepted" in page and 'data-state="done"' in page


def test_extension_and_cancellation_through_the_page(client, world):
    w = build(world)
    instruction = w.instruction
    client.force_login(w.member_user)
    later = instruction.deadline + dt.timedelta(days=7)
    response = _act(
        client,
        instruction,
        action="extend",
        **{"extend-new_deadline": instruction.deadline.isoformat(), "extend-reason": "Егін"},
    )
    assert (
        response.context["forms"]["extend"].errors and not instruction.extension_requests.exists()
    )
    response = _act(
        client,
        instruction,
        action="extend",
        **{"extend-new_deadline": later.isoformat(), "extend-reason": "Егін"},
    )
    assert response.status_code == 302
    assert _act(client, instruction, action="cancel", **{"cancel-reason": "x"}).status_code == 403
    client.force_login(w.secretary)
    assert _act(client, instruction, action="approve_extension").status_code == 302
    instruction.refresh_from_db()
    assert (instruction.status, instruction.deadline) == (Instruction.Status.EXTENDED, later)
    assert instruction.extension_requests.get().status == ExtensionRequest.Status.APPROVED
    response = _act(client, instruction, action="cancel", **{"cancel-reason": " "})
    assert response.context["forms"]["cancel"].errors
    assert (
        _act(client, instruction, action="cancel", **{"cancel-reason": "Қажет емес"}).status_code
        == 302
    )
    instruction.refresh_from_db()
    assert instruction.status == Instruction.Status.CANCELLED
    # A decision with nothing pending is an error message, not a change.
    response = _act(client, instruction, action="accept")
    assert response.status_code == 200
    report = instruction.reports.get()
    assert report.status == ExecutionReport.Status.SUBMITTED


def test_member_sees_only_their_instructions(client, world):
    w = build(world)
    client.force_login(w.member_user)
    page = client.get(_u("instructions")).content.decode()
    assert "Праймериз бойынша" in page and "Жиналыс өткізу" not in page
    assert client.get(_u("instruction", w.poo_instruction.pk)).status_code == 404
    assert client.get(_u("instruction", w.instruction.pk)).status_code == 200
    page = client.get(_u("instructions")).content.decode()
    assert f'href="{_u("index")}"' not in page and f'href="{_u("board")}"' not in page


def test_overdue_is_a_filter_though_never_stored(client, world):
    w = build(world)
    Instruction.objects.filter(pk=w.poo_instruction.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    client.force_login(w.secretary)
    response = client.get(_u("instructions") + "?state=overdue")
    rows = response.context["rows"]
    assert [r["instruction"].pk for r in rows] == [w.poo_instruction.pk]
    assert rows[0]["state"] == "overdue"
    response = client.get(_u("instructions") + "?state=issued")
    assert [r["instruction"].pk for r in response.context["rows"]] == []


def test_board_counts_on_time_late_overdue_open(client, world):
    w = build(world)
    today = timezone.localdate()
    client.force_login(w.secretary)
    before = client.get(_u("board")).context["totals"]
    assert before == {"on_time": 0, "late": 0, "overdue": 0, "open": 2}
    s.accept_report(Scope(w.secretary), w.report)
    Instruction.objects.filter(pk=w.poo_instruction.pk).update(
        deadline=today - dt.timedelta(days=1), original_deadline=today - dt.timedelta(days=1)
    )
    response = client.get(_u("board"))
    assert response.context["totals"] == {"on_time": 1, "late": 0, "overdue": 1, "open": 0}
    person = {r.key: r for r in response.context["by_person"]}
    assert person[w.member_user.pk].on_time == 1
    page = response.content.decode()
    assert 'id="board-person"' in page and 'id="board-branch"' in page


def test_projects_register_event_end_and_optimised(client, world):
    w = build(world)
    client.force_login(w.secretary)
    today = timezone.localdate()
    response = client.post(
        _u("project_new"),
        {"branch": w.district.pk, "name": "Жастар — Отанға", "curator": w.members[0].pk},
    )
    assert response.status_code == 302
    youth = SocialProject.objects.get(name="Жастар — Отанға")
    assert youth.curator == w.members[0]
    response = client.post(_u("project_new"), {"branch": w.district.pk, "name": "Жастар — Отанға"})
    assert "name" in response.context["form"].errors
    assert SocialProject.objects.filter(name="Жастар — Отанға").count() == 1

    url = _u("project_event_new", youth.pk)
    assert client.post(url, {"date": today, "title": "Акция", "reach": "35"}).status_code == 302
    response = client.post(url, {"date": today, "title": "Акция", "reach": "-3"})
    assert response.context["form"].errors and youth.events.count() == 1

    url = _u("project_end", w.project2.pk)
    response = client.post(url, {"ending": "merged", "on": today, "reason": "Оңтайландыру"})
    assert "merged_into" in response.context["form"].errors
    w.project2.refresh_from_db()
    assert w.project2.status == SocialProject.Status.ACTIVE
    response = client.post(
        url,
        {"ending": "merged", "merged_into": w.project.pk, "on": today, "reason": "Оңтайландыру"},
    )
    assert response.status_code == 302
    w.project2.refresh_from_db()
    assert (w.project2.status, w.project2.merged_into) == (SocialProject.Status.MERGED, w.project)
    assert (
        client.post(
            _u("project_end", youth.pk), {"ending": "closed", "on": today, "reason": "Аяқталды"}
        ).status_code
        == 302
    )

    response = client.get(_u("projects") + f"?status=optimised&year={today.year}")
    assert response.context["optimised"] == 2
    assert {p.name for p in response.context["page"]} == {"Құтты мекен", "Жастар — Отанға"}
    response = client.get(_u("projects") + "?status=active")
    assert [p.name for p in response.context["page"]] == ["Бақытты отбасы"]
    response = client.get(_u("index"))
    assert response.context["projects"]["optimised"] == 2
    page = client.get(_u("project", w.project.pk)).content.decode()
    assert "Құтты мекен" in page and "Жәрмеңке" in page  # took over, and its event


def test_project_figures_by_period(client, world):
    w = build(world)
    client.force_login(w.secretary)
    today = timezone.localdate()
    s.record_project_event(
        Scope(w.secretary), w.project, date=today - dt.timedelta(days=400), title="Old", reach=7
    )
    response = client.get(
        _u("project_figures") + f"?start={today.isoformat()}&end={today.isoformat()}"
    )
    figures = {p.name: (p.event_count, p.reach) for p in response.context["page"]}
    assert figures == {"Бақытты отбасы": (1, 120), "Құтты мекен": (0, 0)}
    assert response.context["totals"] == {"events": 1, "reach": 120}
    response = client.get(_u("project_figures") + "?start=2026-02-01&end=2026-01-01")
    assert response.context["form"].errors


def test_index_summarises_meetings_instructions_and_the_board(client, world):
    w = build(world)
    client.force_login(w.secretary)
    response = client.get(_u("index"))
    assert response.context["totals"]["open"] == 2
    assert [r["instruction"].pk for r in response.context["my_rows"]] == [
        w.poo_instruction.pk,
        w.instruction.pk,
    ]
    page = response.content.decode()
    assert "Праймериз бойынша" in page and _u("meeting", w.meeting.pk) in page
    assert response.context["recent"] == [w.meeting]
    assert response.context["upcoming"] == [w.poo_meeting]


# Query counts --------------------------------------------------------------------------------
def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_rows(w, n=6):
    today = timezone.localdate()
    sec = Scope(w.secretary)
    for k in range(n):
        user = f.user(Role.MEMBER, member=f.member(w.poo))
        m = s.create_meeting(
            sec, kind="conference", branch=w.district, date=today, chair_name=f"C{k}"
        )
        item = s.add_agenda_item(sec, m, title=f"Q{k}", speakers=[w.members[0]])
        s.record_decision(sec, item, text="ok")
        ins = s.issue_instruction(
            sec,
            text=f"Task {k}",
            deadline=today + dt.timedelta(days=k + 1),
            agenda_item=item,
            responsible_users=[user],
            responsible_poos=[w.poo2],
            co_executors=[w.leader],
        )
        rep = s.submit_report(Scope(user), ins, text="done")
        if k % 2:
            s.accept_report(sec, rep)
        p = s.create_project(sec, branch=w.district, name=f"Project {k}", curator=w.members[1])
        s.record_project_event(sec, p, date=today, title="e", reach=k)


def test_list_pages_and_the_board_do_not_grow_queries_with_rows(client, world):
    w = build(world)
    client.force_login(w.secretary)
    urls = [
        _u("index"),
        _u("meetings"),
        _u("meeting", w.meeting.pk),
        _u("instructions"),
        _u("instructions") + "?state=in_progress&mine=on",
        _u("board"),
        _u("projects"),
        _u("project_figures"),
    ]
    before = [_count(client, url) for url in urls]
    _more_rows(w)
    s.add_agenda_item(Scope(w.secretary), w.meeting, title="More", speakers=[w.members[1]])
    after = [_count(client, url) for url in urls]
    assert after == before, list(zip(urls, before, after, strict=True))
    assert AgendaItem.objects.count() > 8 and ProjectEvent.objects.count() > 6
