"""The appeal workflow: registration with calendar deadlines, every transition, refused
transitions, permissions by role and branch, extension cap, forwarding, notifications."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from bastau.accounts.scoping import Scope
from bastau.core import sms
from bastau.core.models import AuditEvent
from bastau.reception import permissions, services
from bastau.reception.models import Appeal, AppealEvent, Official, ReceptionSession

from ..factories.reception import APPLICANT_NAME, D, register

pytestmark = pytest.mark.django_db
S = Appeal.Status


# Registration --------------------------------------------------------------------------
def test_register_computes_deadlines_on_the_calendar(rw):
    appeal = register(rw, registered_on=D(2026, 3, 5))
    # 15 working days across 9 March (Women's Day observed) and 23-25 March (Nauryz).
    assert appeal.deadline == D(2026, 4, 1)
    assert appeal.due_on == D(2026, 4, 1)
    assert appeal.forward_by == D(2026, 3, 11)
    assert appeal.status == S.REGISTERED
    assert appeal.registered_by == rw.secretary
    assert appeal.applicant_phone == "+77015551234"


def test_register_across_the_year_end(rw):
    appeal = register(rw, registered_on=D(2025, 12, 24))
    assert appeal.deadline == D(2026, 1, 19)
    assert appeal.number == "MUGALZHAR-2025-000001"


def test_numbers_run_per_branch_and_year(rw):
    a = register(rw)
    b = register(rw)
    c = register(rw, rw.admin, branch=rw.other_district)
    d = register(rw, registered_on=D(2025, 11, 3))
    assert [a.number, b.number, c.number, d.number] == [
        "MUGALZHAR-2026-000001",
        "MUGALZHAR-2026-000002",
        "KHROMTAU-2026-000001",
        "MUGALZHAR-2025-000001",
    ]
    codes = {a.tracking_code, b.tracking_code, c.tracking_code, d.tracking_code}
    assert len(codes) == 4
    for code in codes:
        assert len(code) == 10
        assert not set(code) & set("01OIL")


def test_register_records_event_audit_and_tells_the_applicant(rw):
    appeal = register(rw)
    event = appeal.events.get(kind="registered")
    assert (event.kind, event.to_status, event.by) == ("registered", S.REGISTERED, rw.secretary)
    audit_event = AuditEvent.objects.get(action="appeal.registered")
    assert audit_event.summary == appeal.number
    assert APPLICANT_NAME not in str(audit_event.data) + audit_event.summary
    assert [m.to for m in sms.outbox] == ["+77015551234"]
    assert appeal.number in sms.outbox[0].text
    assert "01.04.2026" in sms.outbox[0].text
    assert mail.outbox[0].to == ["aigul@example.kz"]


def test_register_eotinish_needs_reference(rw):
    with pytest.raises(ValidationError) as exc:
        register(rw, channel="eotinish")
    assert "eotinish_reference" in exc.value.message_dict
    appeal = register(rw, channel="eotinish", eotinish_reference="ЖТ-Т-2026-0001234")
    assert appeal.eotinish_reference == "ЖТ-Т-2026-0001234"


def test_register_refuses_future_date_and_bad_fields(rw):
    with pytest.raises(ValidationError) as exc:
        register(rw, registered_on=dt.date.today() + dt.timedelta(days=3), applicant_iin="123")
    assert {"registered_on", "applicant_iin"} <= set(exc.value.message_dict)
    assert not Appeal.objects.exists()


def test_register_at_a_session(rw):
    official = Official.objects.create(
        name="Серік Әбенов", position="Akim", kind="state_body_head", branch=rw.district
    )
    session = ReceptionSession.objects.create(
        official=official, branch=rw.district, date=D(2026, 4, 10), place="Hall"
    )
    appeal = services.register_appeal(
        Scope(rw.officer),
        data={"applicant_name": "Ерлан", "topic": rw.topic, "text": "Road repair needed here."},
        receiving_branch=rw.district,
        channel="phone",
        session=session,
    )
    assert appeal.channel == "reception"
    assert appeal.registered_on == D(2026, 4, 10)
    assert list(session.appeals.all()) == [appeal]


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("admin", True),
        ("secretary", True),
        ("officer", True),
        ("other_secretary", False),
        ("other_officer", False),
        ("leader", False),
        ("member_user", False),
    ],
)
def test_who_may_register(rw, role, allowed):
    user = getattr(rw, role)
    if allowed:
        assert register(rw, user).receiving_branch == rw.district
    else:
        with pytest.raises(PermissionDenied):
            register(rw, user)


# Transitions -----------------------------------------------------------------------------
def test_full_workflow(rw):
    appeal = register(rw)
    sms.outbox.clear()
    mail.outbox.clear()
    services.assign(Scope(rw.secretary), appeal, assignee=rw.officer, comment="Please call her")
    assert appeal.status == S.ASSIGNED
    services.start(Scope(rw.officer), appeal)
    assert appeal.status == S.IN_PROGRESS
    services.add_comment(Scope(rw.officer), appeal, text="Called the housing office.")
    services.resolve(
        Scope(rw.officer),
        appeal,
        outcome=S.RESOLVED_POSITIVE,
        response_text="The heating was repaired on 19 March.",
        on=D(2026, 3, 20),
    )
    appeal.refresh_from_db()
    assert appeal.status == S.RESOLVED_POSITIVE
    assert appeal.resolved_on == D(2026, 3, 20)
    events = list(appeal.events.values_list("kind", "from_status", "to_status", "by"))
    assert events == [
        ("registered", "", S.REGISTERED, rw.secretary.pk),
        ("notified", S.REGISTERED, S.REGISTERED, None),
        ("assigned", S.REGISTERED, S.ASSIGNED, rw.secretary.pk),
        ("started", S.ASSIGNED, S.IN_PROGRESS, rw.officer.pk),
        ("commented", S.IN_PROGRESS, S.IN_PROGRESS, rw.officer.pk),
        ("resolved", S.IN_PROGRESS, S.RESOLVED_POSITIVE, rw.officer.pk),
        ("notified", S.RESOLVED_POSITIVE, S.RESOLVED_POSITIVE, None),
    ]
    assert appeal.events.get(kind="assigned").comment == "Please call her"
    # The applicant is told: SMS with the outcome, email with the letter.
    assert "resolved positively" in sms.outbox[-1].text
    assert "The heating was repaired" in mail.outbox[-1].body
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"appeal.assigned", "appeal.started", "appeal.resolved"} <= actions


@pytest.mark.parametrize("outcome", [S.EXPLAINED, S.REFUSED])
def test_resolve_from_assigned(rw, outcome):
    appeal = register(rw)
    services.assign(Scope(rw.secretary), appeal, body="Akimat of Mugalzhar district")
    services.resolve(
        Scope(rw.secretary), appeal, outcome=outcome, response_text="Answer.", on=D(2026, 3, 6)
    )
    assert appeal.status == outcome


def test_wrong_transitions_are_refused(rw):
    scope = Scope(rw.secretary)
    appeal = register(rw)
    with pytest.raises(ValidationError):
        services.start(scope, appeal)  # not assigned yet
    with pytest.raises(ValidationError):
        services.resolve(scope, appeal, outcome=S.EXPLAINED, response_text="x", on=D(2026, 3, 6))
    services.assign(scope, appeal, assignee=rw.officer)
    services.start(scope, appeal)
    with pytest.raises(ValidationError):
        services.start(scope, appeal)  # already in progress
    with pytest.raises(ValidationError):
        services.resolve(scope, appeal, outcome=S.FORWARDED, response_text="x", on=D(2026, 3, 6))
    with pytest.raises(ValidationError) as exc:
        services.resolve(scope, appeal, outcome=S.EXPLAINED, response_text="  ", on=D(2026, 3, 6))
    assert "response_text" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.resolve(scope, appeal, outcome=S.EXPLAINED, response_text="x", on=D(2026, 3, 1))
    services.resolve(scope, appeal, outcome=S.EXPLAINED, response_text="x", on=D(2026, 3, 6))
    for action in (
        lambda: services.resolve(scope, appeal, outcome=S.REFUSED, response_text="y"),
        lambda: services.assign(scope, appeal, assignee=rw.secretary),
        lambda: services.start(scope, appeal),
        lambda: services.forward(scope, appeal, to="Akimat", on=D(2026, 3, 6)),
        lambda: services.extend(
            scope, appeal, new_deadline=D(2026, 4, 20), reason="r", decided_on=D(2026, 3, 6)
        ),
    ):
        with pytest.raises(ValidationError):
            action()
    appeal.refresh_from_db()
    assert appeal.status == S.EXPLAINED
    assert appeal.events.filter(kind="resolved").count() == 1


def test_assign_needs_someone(rw):
    appeal = register(rw)
    with pytest.raises(ValidationError):
        services.assign(Scope(rw.secretary), appeal)
    rw.officer.is_active = False
    rw.officer.save()
    with pytest.raises(ValidationError):
        services.assign(Scope(rw.secretary), appeal, assignee=rw.officer)


def test_reassignment_keeps_progress(rw):
    appeal = register(rw)
    services.assign(Scope(rw.secretary), appeal, assignee=rw.officer)
    services.start(Scope(rw.officer), appeal)
    services.assign(Scope(rw.secretary), appeal, assignee=rw.secretary)
    assert appeal.status == S.IN_PROGRESS
    assert appeal.assignee == rw.secretary


# Permissions -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role, allowed",
    [
        ("admin", True),
        ("secretary", True),
        ("officer", True),
        ("other_secretary", False),
        ("other_officer", False),
        ("leader", False),
        ("member_user", False),
    ],
)
def test_who_may_assign_and_forward(rw, role, allowed):
    appeal = register(rw)
    scope = Scope(getattr(rw, role))
    if allowed:
        services.assign(scope, appeal, body="Akimat")
        services.forward(scope, appeal, to="Akimat", on=D(2026, 3, 10))
        assert appeal.status == S.FORWARDED
    else:
        with pytest.raises(PermissionDenied):
            services.assign(scope, appeal, body="Akimat")
        with pytest.raises(PermissionDenied):
            services.forward(scope, appeal, to="Akimat", on=D(2026, 3, 10))
        assert Appeal.objects.get().status == S.REGISTERED


def test_the_assignee_works_on_their_appeal_only(rw):
    appeal = register(rw)
    deputy = rw.member_user  # e.g. a deputy with a member account
    services.assign(Scope(rw.secretary), appeal, assignee=deputy)
    scope = Scope(deputy)
    assert list(permissions.appeals(scope)) == [appeal]
    assert permissions.can_see_personal_data(Scope(deputy), appeal)
    services.start(scope, appeal)
    services.add_comment(scope, appeal, text="Visited the family.")
    with pytest.raises(PermissionDenied):
        services.assign(scope, appeal, assignee=deputy)
    with pytest.raises(PermissionDenied):
        services.forward(scope, appeal, to="Akimat", on=D(2026, 3, 10))
    with pytest.raises(PermissionDenied):
        services.extend(
            scope, appeal, new_deadline=D(2026, 4, 20), reason="r", decided_on=D(2026, 3, 10)
        )
    services.resolve(
        scope, appeal, outcome=S.EXPLAINED, response_text="Explained.", on=D(2026, 3, 12)
    )
    other = register(rw)
    with pytest.raises(PermissionDenied):
        services.start(scope, other)
    assert list(permissions.appeals(scope)) == [appeal]


def test_scope_lists_by_branch(rw):
    mine = register(rw)
    theirs = register(rw, rw.admin, branch=rw.other_district)
    assert set(permissions.appeals(Scope(rw.admin))) == {mine, theirs}
    assert list(permissions.appeals(Scope(rw.secretary))) == [mine]
    assert list(permissions.appeals(Scope(rw.officer))) == [mine]
    assert list(permissions.appeals(Scope(rw.other_secretary))) == [theirs]
    assert list(permissions.appeals(Scope(rw.leader))) == []
    assert list(permissions.appeals(Scope(rw.member_user))) == []


# Extension -------------------------------------------------------------------------------
def test_extension_by_the_head_within_two_months(rw):
    appeal = register(rw)  # 5 March 2026: due 1 April, cap 5 May
    sms.outbox.clear()
    mail.outbox.clear()
    services.extend(
        Scope(rw.secretary),
        appeal,
        new_deadline=D(2026, 4, 20),
        reason="Waiting for the land commission",
        decided_on=D(2026, 3, 30),
    )
    appeal.refresh_from_db()
    assert appeal.due_on == appeal.extended_deadline == D(2026, 4, 20)
    assert appeal.deadline == D(2026, 4, 1)
    assert appeal.extension_notice_by == D(2026, 4, 2)  # 31 March, 1 and 2 April
    assert appeal.extension_notified_at is not None
    assert "20.04.2026" in sms.outbox[0].text
    assert "land commission" in mail.outbox[0].body
    # Again, up to the cap: 5 May (5 March + 2 months, a working day).
    services.extend(
        Scope(rw.admin),
        appeal,
        new_deadline=D(2026, 5, 5),
        reason="More",
        decided_on=D(2026, 4, 15),
    )
    assert appeal.extension_count == 2
    assert appeal.due_on == D(2026, 5, 5)
    assert appeal.events.filter(kind="extended").count() == 2


def test_extension_cap_and_rules(rw):
    appeal = register(rw)
    scope = Scope(rw.secretary)

    def refused(field, **kwargs):
        args = dict(new_deadline=D(2026, 4, 20), reason="Reason", decided_on=D(2026, 3, 30))
        args.update(kwargs)
        with pytest.raises(ValidationError) as exc:
            services.extend(scope, appeal, **args)
        assert field in exc.value.message_dict

    refused("new_deadline", new_deadline=D(2026, 5, 6))  # beyond 2 months
    refused("new_deadline", new_deadline=D(2026, 3, 31))  # earlier than the deadline
    refused("new_deadline", new_deadline=D(2026, 4, 18))  # a Saturday
    refused("reason", reason="  ")
    refused("decided_on", decided_on=D(2026, 4, 2))  # after the deadline passed
    appeal.refresh_from_db()
    assert appeal.extension_count == 0 and appeal.due_on == D(2026, 4, 1)


def test_extension_is_the_heads_decision(rw):
    appeal = register(rw)
    with pytest.raises(PermissionDenied):
        services.extend(
            Scope(rw.officer),
            appeal,
            new_deadline=D(2026, 4, 20),
            reason="r",
            decided_on=D(2026, 3, 30),
        )
    with pytest.raises(PermissionDenied):
        services.extend(
            Scope(rw.other_secretary),
            appeal,
            new_deadline=D(2026, 4, 20),
            reason="r",
            decided_on=D(2026, 3, 30),
        )


def test_extension_without_contact_waits_for_staff_notice(rw):
    appeal = register(rw, applicant_phone="", applicant_email="")
    assert not sms.outbox and not mail.outbox
    services.extend(
        Scope(rw.secretary),
        appeal,
        new_deadline=D(2026, 4, 20),
        reason="r",
        decided_on=D(2026, 3, 30),
    )
    assert appeal.extension_notified_at is None
    assert appeal.extension_notice_by == D(2026, 4, 2)
    services.mark_extension_notified(Scope(rw.officer), appeal, how="Letter No. 12 posted")
    assert appeal.extension_notified_at is not None
    assert appeal.events.filter(kind="notified").get().comment == "Letter No. 12 posted"


# Forwarding ------------------------------------------------------------------------------
def test_forward_within_three_working_days(rw):
    appeal = register(rw)  # forward by 11 March (9 March is a day off)
    sms.outbox.clear()
    services.forward(
        Scope(rw.officer), appeal, to="Department of Land Relations", on=D(2026, 3, 11)
    )
    appeal.refresh_from_db()
    assert appeal.status == S.FORWARDED
    assert not appeal.forwarded_late
    assert "Department of Land Relations" in sms.outbox[0].text
    assert mail.outbox[-1].to == ["aigul@example.kz"]


def test_late_forward_needs_a_reason(rw):
    appeal = register(rw)
    with pytest.raises(ValidationError) as exc:
        services.forward(Scope(rw.officer), appeal, to="Akimat", on=D(2026, 3, 12))
    assert "late_reason" in exc.value.message_dict
    assert Appeal.objects.get().status == S.REGISTERED
    services.forward(
        Scope(rw.officer), appeal, to="Akimat", on=D(2026, 3, 12), late_reason="Competence unclear"
    )
    assert appeal.forwarded_late
    assert appeal.forward_late_reason == "Competence unclear"
    assert appeal.events.get(kind="forwarded").data["late"] is True


def test_forward_needs_a_body(rw):
    appeal = register(rw)
    with pytest.raises(ValidationError):
        services.forward(Scope(rw.officer), appeal, to=" ", on=D(2026, 3, 10))


# Calendar overrides ----------------------------------------------------------------------
def test_calendar_override_moves_open_deadlines(rw):
    open_appeal = register(rw)
    closed = register(rw)
    services.assign(Scope(rw.secretary), closed, body="Akimat")
    services.resolve(
        Scope(rw.secretary), closed, outcome=S.EXPLAINED, response_text="x", on=D(2026, 3, 6)
    )
    with pytest.raises(PermissionDenied):
        services.set_calendar_override(
            Scope(rw.secretary), day=D(2026, 3, 17), is_working_day=False
        )
    services.set_calendar_override(
        Scope(rw.admin), day=D(2026, 3, 17), is_working_day=False, note="Extra day off"
    )
    open_appeal.refresh_from_db()
    closed.refresh_from_db()
    assert open_appeal.deadline == open_appeal.due_on == D(2026, 4, 2)
    assert open_appeal.forward_by == D(2026, 3, 11)  # before the changed day
    assert closed.deadline == D(2026, 4, 1)
    assert open_appeal.events.filter(kind="deadline_recomputed").count() == 1
    # New registrations use the override too.
    assert register(rw, registered_on=D(2026, 3, 16)).forward_by == D(2026, 3, 20)
    assert services.remove_calendar_override(Scope(rw.admin), D(2026, 3, 17)) == 2
    open_appeal.refresh_from_db()
    assert open_appeal.due_on == D(2026, 4, 1)


def test_recompute_keeps_an_extended_deadline(rw):
    appeal = register(rw)
    services.extend(
        Scope(rw.secretary),
        appeal,
        new_deadline=D(2026, 4, 20),
        reason="r",
        decided_on=D(2026, 3, 20),
    )
    services.set_calendar_override(Scope(rw.admin), day=D(2026, 3, 17), is_working_day=False)
    appeal.refresh_from_db()
    assert appeal.deadline == D(2026, 4, 2)
    assert appeal.due_on == D(2026, 4, 20)


# Lists -----------------------------------------------------------------------------------
def test_overdue_and_due_soon(rw):
    a = register(rw, registered_on=D(2026, 3, 5))  # due 1 April
    b = register(rw, registered_on=D(2026, 3, 10))  # due 3 April
    c = register(rw, registered_on=D(2026, 3, 20))  # due 15 April
    done = register(rw, registered_on=D(2026, 3, 2))
    services.assign(Scope(rw.secretary), done, body="x")
    services.resolve(
        Scope(rw.secretary), done, outcome=S.REFUSED, response_text="x", on=D(2026, 3, 3)
    )
    other = register(rw, rw.admin, branch=rw.other_district, registered_on=D(2026, 3, 5))
    assert b.due_on == D(2026, 4, 3) and c.due_on == D(2026, 4, 15)
    today = D(2026, 4, 2)
    assert list(services.overdue(Scope(rw.secretary), today)) == [a]
    assert list(services.overdue(Scope(rw.admin), today)) == [a, other]
    # Up to the 3rd working day after 2 April: 3, 6, 7 April.
    assert list(services.due_soon(Scope(rw.secretary), today)) == [b]
    assert list(services.due_soon(Scope(rw.secretary), today, days=10)) == [b, c]
    assert list(services.overdue(Scope(rw.other_officer), today)) == [other]


def test_search_appeals(rw):
    a = register(rw)
    register(rw, topic=rw.land)
    scope = Scope(rw.secretary)
    assert list(services.search_appeals(scope, topic=rw.topic)) == [a]
    assert services.search_appeals(scope, status="open").count() == 2
    assert list(services.search_appeals(scope, number="000001")) == [a]


# Privacy and public status ---------------------------------------------------------------
def test_personal_data_visibility_and_logging(rw):
    appeal = register(rw)
    assert permissions.can_see_personal_data(Scope(rw.admin), appeal)
    assert permissions.can_see_personal_data(Scope(rw.secretary), appeal)
    assert permissions.can_see_personal_data(Scope(rw.officer), appeal)
    for user in (rw.other_secretary, rw.other_officer, rw.leader, rw.member_user):
        assert not permissions.can_see_personal_data(Scope(user), appeal)
    services.log_personal_data_read(rw.officer, appeal)
    event = AuditEvent.objects.get(action="appeal.personal_data_read")
    assert (event.actor, event.object_id, event.branch) == (rw.officer, str(appeal.pk), rw.district)


def test_public_status_shows_nothing_personal(rw):
    appeal = register(rw)
    code = appeal.tracking_code
    status = services.public_status(f" {code[:5].lower()}-{code[5:]} ")
    assert status.number == appeal.number
    assert status.status == S.REGISTERED
    assert status.due_on == D(2026, 4, 1)
    assert status.topic == "Social aid"
    values = " ".join(str(v) for v in vars(status).values())
    for personal in (APPLICANT_NAME, "701", "aigul", "Абай", "heating"):
        assert personal not in values
    assert services.public_status("AAAAAAAAAA") is None
    assert services.public_status("short") is None
    assert services.public_status("0" * 10) is None


def test_notification_failure_does_not_undo_the_action(rw, settings):
    settings.SMS_BACKEND = "tests.reception.test_workflow.FailingSms"
    appeal = register(rw)
    assert Appeal.objects.filter(pk=appeal.pk).exists()
    assert appeal.events.filter(kind="notified").get().data["channels"] == ["email"]


class FailingSms:
    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise RuntimeError("provider down")


def test_events_are_ordered_history(rw):
    appeal = register(rw)
    services.assign(Scope(rw.secretary), appeal, assignee=rw.officer)
    assert list(AppealEvent.objects.filter(appeal=appeal).values_list("kind", flat=True)) == [
        "registered",
        "notified",
        "assigned",
    ]
