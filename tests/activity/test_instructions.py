import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from bastau.accounts.scoping import Scope
from bastau.activity import permissions as p
from bastau.activity import services as s
from bastau.activity.models import ExecutionReport, ExtensionRequest, Instruction, Meeting
from bastau.core import sms
from bastau.primaries.models import Candidate

from .. import factories as f

T = dt.date(2026, 4, 1)  # "today" in these tests
WEEK = T + dt.timedelta(days=7)


def issue(w, user=None, **kwargs):
    kwargs.setdefault("text", "Organize explanatory work on the primaries")
    kwargs.setdefault("deadline", WEEK)
    if "agenda_item" not in kwargs and "poo" not in kwargs:
        kwargs.setdefault("branch", w.district)
    if not any(k in kwargs for k in ("responsible_users", "responsible_poos")):
        kwargs["responsible_users"] = [w.member_user]
    return s.issue_instruction(Scope(user or w.secretary), today=T, **kwargs)


def test_instruction_from_a_meeting_takes_its_unit(world):
    w = world
    meeting = s.create_meeting(
        Scope(w.leader), kind=Meeting.Kind.POO_MEETING, poo=w.poo, date=T, chair_name="X"
    )
    item = s.add_agenda_item(Scope(w.leader), meeting, title="Primaries")
    instruction = issue(w, w.leader, agenda_item=item)
    assert (instruction.branch, instruction.poo) == (w.district, w.poo)
    assert instruction.status == Instruction.Status.ISSUED
    assert list(item.instructions.all()) == [instruction]


def test_full_execution_cycle(world):
    w = world
    co = f.user("member")
    instruction = issue(w, co_executors=[co])
    member = Scope(w.member_user)
    s.start_instruction(member, instruction)
    assert instruction.status == Instruction.Status.IN_PROGRESS
    with pytest.raises(ValidationError):  # started twice
        s.start_instruction(member, instruction)
    report = s.submit_report(Scope(co), instruction, text="Held 12 meetings", today=WEEK)
    with pytest.raises(ValidationError):  # one pending report at a time
        s.submit_report(member, instruction, text="More")
    with pytest.raises(PermissionDenied):  # only the issuer accepts
        s.accept_report(member, report)
    with pytest.raises(PermissionDenied):
        s.accept_report(Scope(w.admin), report)
    s.accept_report(Scope(w.secretary), report, today=WEEK + dt.timedelta(days=3))
    instruction.refresh_from_db()
    assert instruction.status == Instruction.Status.DONE
    assert instruction.done_on == WEEK  # the day of the report, not of the acceptance
    assert instruction.state(WEEK + dt.timedelta(days=30)) == Instruction.Status.DONE
    report.refresh_from_db()
    assert report.status == ExecutionReport.Status.ACCEPTED
    with pytest.raises(ValidationError):
        s.accept_report(Scope(w.secretary), report)
    with pytest.raises(ValidationError):  # no reports on a closed instruction
        s.submit_report(member, instruction, text="again")
    with pytest.raises(ValidationError):
        s.cancel_instruction(Scope(w.secretary), instruction, reason="late idea")


def test_returned_report_keeps_instruction_open(world):
    w = world
    instruction = issue(w)
    report = s.submit_report(Scope(w.member_user), instruction, text="Half done", today=T)
    assert instruction.status == Instruction.Status.IN_PROGRESS  # reporting starts the work
    with pytest.raises(ValidationError):
        s.return_report(Scope(w.secretary), report, note="")
    s.return_report(Scope(w.secretary), report, note="Attach the list")
    instruction.refresh_from_db()
    assert instruction.status == Instruction.Status.IN_PROGRESS
    s.submit_report(Scope(w.member_user), instruction, text="All done", today=T)


def test_extension_requests(world):
    w = world
    instruction = issue(w)
    member = Scope(w.member_user)
    with pytest.raises(ValidationError):  # not later than the current deadline
        s.request_extension(member, instruction, new_deadline=WEEK, reason="x")
    with pytest.raises(ValidationError):
        s.request_extension(member, instruction, new_deadline=WEEK + dt.timedelta(1), reason=" ")
    later = WEEK + dt.timedelta(days=14)
    ext = s.request_extension(member, instruction, new_deadline=later, reason="Harvest")
    with pytest.raises(ValidationError):  # one pending at a time
        s.request_extension(member, instruction, new_deadline=later, reason="again")
    with pytest.raises(PermissionDenied):
        s.decide_extension(member, ext, approve=True)
    s.decide_extension(Scope(w.secretary), ext, approve=True)
    instruction.refresh_from_db()
    assert instruction.status == Instruction.Status.EXTENDED
    assert (instruction.original_deadline, instruction.deadline) == (WEEK, later)
    with pytest.raises(ValidationError):
        s.decide_extension(Scope(w.secretary), ext, approve=False)
    refused = s.request_extension(
        member, instruction, new_deadline=later + dt.timedelta(1), reason="More"
    )
    s.decide_extension(Scope(w.secretary), refused, approve=False, note="No")
    instruction.refresh_from_db()
    assert refused.status == ExtensionRequest.Status.REFUSED
    assert instruction.deadline == later


def test_cancel_and_overdue_is_derived(world):
    w = world
    instruction = issue(w)
    late_day = WEEK + dt.timedelta(days=1)
    assert instruction.state(WEEK) == Instruction.Status.ISSUED
    assert instruction.state(late_day) == Instruction.Status.OVERDUE
    states = s.with_state(Instruction.objects.all(), late_day).values_list("state", flat=True)
    assert list(states) == ["overdue"]
    with pytest.raises(PermissionDenied):
        s.cancel_instruction(Scope(w.member_user), instruction, reason="x")
    with pytest.raises(ValidationError):
        s.cancel_instruction(Scope(w.secretary), instruction, reason="")
    s.cancel_instruction(Scope(w.secretary), instruction, reason="Superseded")
    assert instruction.state(late_day) == Instruction.Status.CANCELLED
    with pytest.raises(ValidationError):
        s.start_instruction(Scope(w.member_user), instruction)


def test_issue_validation(world):
    w = world
    with pytest.raises(ValidationError):
        issue(w, deadline=T - dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        issue(w, responsible_users=[])
    with pytest.raises(ValidationError):
        issue(w, text=" ")
    with pytest.raises(ValidationError):
        issue(w, co_executors=[w.member_user])


def test_issue_permissions(world):
    w = world
    with pytest.raises(PermissionDenied):
        issue(w, w.other_secretary)  # another district's branch
    with pytest.raises(PermissionDenied):
        issue(w, w.leader)  # a POO leader issues for their POO only
    with pytest.raises(PermissionDenied):
        issue(w, w.member_user)
    with pytest.raises(PermissionDenied):
        issue(w, w.leader, poo=w.poo2)
    with pytest.raises(PermissionDenied):  # a unit outside the issuer's reach
        issue(w, responsible_poos=[w.other_poo])
    issue(w, w.leader, poo=w.poo)
    issue(w, w.admin, branch=w.other_district, responsible_poos=[w.other_poo])


def test_responsible_units_and_visibility(world):
    w = world
    to_poo = issue(w, responsible_poos=[w.poo])
    mine = issue(w)
    other = issue(w, w.other_secretary, branch=w.other_district, responsible_poos=[w.other_poo])
    # The leader of a responsible POO acts on it; a member not named does not.
    s.submit_report(Scope(w.leader), to_poo, text="Done", today=T)
    with pytest.raises(PermissionDenied):
        s.submit_report(Scope(w.member_user), to_poo, text="Done")
    with pytest.raises(PermissionDenied):
        s.submit_report(Scope(w.other_secretary), mine, text="Done")
    assert set(p.instructions(Scope(w.member_user))) == {mine}
    assert set(p.instructions(Scope(w.leader))) == {to_poo}
    assert set(p.instructions(Scope(w.secretary))) == {to_poo, mine}
    assert set(p.instructions(Scope(w.other_secretary))) == {other}
    assert set(p.instructions(Scope(w.admin))) == {to_poo, mine, other}
    # No duplicate rows from the many-to-many joins.
    both = issue(w, responsible_users=[w.member_user], responsible_poos=[w.poo])
    assert list(p.instructions(Scope(w.secretary))).count(both) == 1


def test_candidate_decision_must_come_from_its_poo(world):
    w = world
    meeting = s.create_meeting(
        Scope(w.leader), kind=Meeting.Kind.POO_MEETING, poo=w.poo, date=T, chair_name="X"
    )
    item = s.add_agenda_item(Scope(w.leader), meeting, title="Nomination")
    with pytest.raises(ValidationError):
        s.record_decision(
            Scope(w.leader), item, text="Nominate", candidate=Candidate(nominating_poo=w.poo2)
        )


def _finish(w, instruction, on):
    report = s.submit_report(Scope(w.member_user), instruction, text="done", today=on)
    s.accept_report(Scope(instruction.issuer), report, today=on)


def test_control_board_counts(world, django_assert_num_queries):
    w = world
    u2 = f.user("member", last_name="Zhaksylykov")
    day = dt.timedelta(days=1)
    a = issue(w, deadline=T + 2 * day)  # member_user: on time
    _finish(w, a, T + day)
    b = issue(w, deadline=T + day)  # member_user: late
    _finish(w, b, T + 3 * day)
    issue(w, deadline=T + day)  # member_user: overdue on T+5
    issue(w, deadline=T + 10 * day, responsible_users=[w.member_user, u2])  # open, both
    c = issue(w, deadline=T + day, responsible_users=[u2])  # cancelled: counts nowhere
    s.cancel_instruction(Scope(w.secretary), c, reason="x")
    e = issue(w, deadline=T + day, responsible_users=[u2])  # u2: extended, then open
    ext = s.request_extension(Scope(u2), e, new_deadline=T + 20 * day, reason="r", today=T)
    s.decide_extension(Scope(w.secretary), ext, approve=True)
    issue(w, w.other_secretary, branch=w.other_district, responsible_poos=[w.other_poo])
    today = T + 5 * day
    with django_assert_num_queries(1):
        rows = s.control_board(Scope(w.secretary), by="person", today=today)
    got = {r.key: (r.on_time, r.late, r.overdue, r.open) for r in rows}
    assert got == {w.member_user.pk: (1, 1, 1, 1), u2.pk: (0, 0, 0, 2)}
    with django_assert_num_queries(1):
        rows = s.control_board(Scope(w.admin), by="branch", today=today)
    got = {r.key: (r.on_time, r.late, r.overdue, r.open) for r in rows}
    assert got == {w.district.pk: (1, 1, 1, 2), w.other_district.pk: (0, 0, 0, 1)}
    # Scoped: the other district's secretary never sees this district.
    rows = s.control_board(Scope(w.other_secretary), by="branch", today=today)
    assert [r.key for r in rows] == [w.other_district.pk]
    # A member sees only their own line.
    rows = s.control_board(Scope(w.member_user), by="person", today=today)
    assert {r.key for r in rows} == {w.member_user.pk, u2.pk}  # the shared instruction
    assert [r.total for r in rows if r.key == w.member_user.pk] == [4]


def test_reminders_and_escalation(world):
    w = world
    w.member_user.email = "resp@example.kz"
    w.member_user.phone = "+77010000001"
    w.member_user.save()
    w.secretary.email = "sec@example.kz"
    w.secretary.save()
    day = dt.timedelta(days=1)
    overdue = issue(w, deadline=T + day)
    issue(w, deadline=T + 3 * day)  # due soon on T+2
    issue(w, deadline=T + 30 * day)  # not yet
    done = issue(w, deadline=T + day)
    _finish(w, done, T)
    on = T + 2 * day
    result = s.send_reminders(on, days=3)
    assert (result.reminded, result.escalated) == (2, 1)
    to_resp = [m for m in mail.outbox if m.to == ["resp@example.kz"]]
    to_issuer = [m for m in mail.outbox if m.to == ["sec@example.kz"]]
    assert len(to_resp) == 2 and len(to_issuer) == 1
    assert overdue.text in to_issuer[0].subject
    assert [m.to for m in sms.outbox] == ["+77010000001", "+77010000001"]
    # Same day again: nothing new. Next day: reminded again, but escalated only once.
    assert s.send_reminders(on, days=3).reminded == 0
    mail.outbox.clear()
    again = s.send_reminders(on + day, days=3)
    assert (again.reminded, again.escalated) == (2, 0)
    assert not [m for m in mail.outbox if m.to == ["sec@example.kz"]]


def test_reminders_command(world, capsys):
    w = world
    w.member_user.email = "resp@example.kz"
    w.member_user.save()
    issue(w, deadline=T + dt.timedelta(days=1))
    call_command("activity_reminders", "--date", (T + dt.timedelta(days=5)).isoformat())
    out = capsys.readouterr().out
    assert "1 instructions reminded, 1 escalated" in out
    assert [m.to for m in mail.outbox] == [["resp@example.kz"]]  # the issuer has no contact
