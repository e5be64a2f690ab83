"""The editors of awards, commissions, seats and sessions: a change is saved, audited with the
fields it changed and shown in the object's history with its old and new values (in the reader's
language); a deletion is confirmed on a page, refused where it would lose records, and stays
readable in the history; bad input changes nothing and says why in Kazakh; a user out of scope
gets a 403 or a 404 and changes nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from bastau.accounts.scoping import Scope
from bastau.activity.models import (
    Award,
    Commission,
    CommissionDecision,
    CommissionMembership,
    CommissionSession,
)
from bastau.activity.recognition import services as r
from bastau.core.history import merged_history
from bastau.core.models import AuditEvent

from .test_views_recognition import build

pytestmark = pytest.mark.django_db

LANGUAGE_COOKIE = "bastau_language"


@pytest.fixture
def w(world):
    return build(world)


def _u(name, *args):
    return reverse(f"activity:{name}", args=args)


def kk(message: str) -> str:
    """The Kazakh of a message; the test fails if there is none."""
    with translation.override("kk"):
        text = gettext(message)
    assert text != message, f"no Kazakh for {message!r}"
    return text


def kk_field(model, name: str) -> str:
    """A field's name in Kazakh, as the history names it."""
    field = model._meta.get_field(name)
    with translation.override("kk"):
        text = str(field.verbose_name)
    with translation.override("en"):
        assert text != str(field.verbose_name), f"no Kazakh for the field {name!r}"
    return text


def _in_kazakh(client):
    client.cookies[LANGUAGE_COOKIE] = "kk"


def _session(w) -> CommissionSession:
    return CommissionSession.objects.get(commission=w.commission)


# Awards ------------------------------------------------------------------------------------------
def _award_data(award, **changes):
    data = {
        "kind": award.kind,
        "title": award.title,
        "number": award.number,
        "awarded_on": award.awarded_on.isoformat(),
        "occasion": award.occasion,
        "branch": award.branch_id,
    }
    return data | changes


def test_an_award_is_changed_audited_and_its_history_shows_old_and_new(client, w):
    client.force_login(w.secretary)
    _in_kazakh(client)
    response = client.post(
        _u("award_edit", w.award.pk), _award_data(w.award, occasion="Жеңіс күні", number="17")
    )
    assert response.status_code == 302 and response["Location"] == _u("award", w.award.pk)
    w.award.refresh_from_db()
    assert (w.award.occasion, w.award.number) == ("Жеңіс күні", "17")
    event = AuditEvent.objects.get(action="award.changed")
    assert event.actor == w.secretary and event.object_id == str(w.award.pk)
    assert sorted(event.data["fields"]) == ["number", "occasion"]
    page = client.get(_u("award", w.award.pk)).content.decode()
    assert f"{kk_field(Award, 'occasion')}: Veterans&#x27; evening → Жеңіс күні" in page
    assert f"{kk_field(Award, 'number')}: — → 17" in page
    assert str(w.secretary) in page
    assert "Occasion" not in page and "Changed" not in page  # no English on the kk page


def test_a_changed_link_is_shown_by_name_in_the_history(client, w):
    client.force_login(w.admin)
    client.post(_u("award_edit", w.award.pk), _award_data(w.award, branch=w.region.pk))
    w.award.refresh_from_db()
    assert w.award.branch == w.region
    page = client.get(_u("award", w.award.pk)).content.decode()
    assert f"{w.district.display_name} → {w.region.display_name}" in page


def test_bad_award_input_changes_nothing_and_says_why_in_kazakh(client, w):
    client.force_login(w.secretary)
    _in_kazakh(client)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    before = w.award.history.count()
    response = client.post(_u("award_edit", w.award.pk), _award_data(w.award, awarded_on=tomorrow))
    assert response.status_code == 200
    assert kk("An award is recorded once it has been given.") in response.content.decode()
    response = client.post(_u("award_edit", w.award.pk), _award_data(w.award, kind="other"))
    assert kk("Name the award.") in response.content.decode()
    w.award.refresh_from_db()
    assert w.award.kind == Award.Kind.LETTER_OF_THANKS and w.award.awarded_on < timezone.localdate()
    assert w.award.history.count() == before
    assert not AuditEvent.objects.filter(action="award.changed").exists()


def test_an_award_out_of_reach_is_not_changed(client, w):
    # the region's award to a member of the secretary's district: seen, not changeable
    client.force_login(w.secretary)
    assert client.get(_u("award", w.member_award.pk)).status_code == 200
    data = _award_data(w.member_award, occasion="X")
    assert client.post(_u("award_edit", w.member_award.pk), data).status_code == 403
    assert client.post(_u("award_delete", w.member_award.pk)).status_code == 403
    page = client.get(_u("award", w.member_award.pk)).content.decode()
    assert _u("award_edit", w.member_award.pk) not in page  # no link where the page refuses
    # another district's award: not even seen
    client.force_login(w.other_secretary)
    assert client.post(_u("award_edit", w.award.pk), _award_data(w.award)).status_code == 404
    assert client.post(_u("award_delete", w.award.pk)).status_code == 404
    # a POO leader sees the award, without its history or editing links
    client.force_login(w.leader)
    page = client.get(_u("award", w.award.pk)).content.decode()
    assert _u("award_edit", w.award.pk) not in page and "Veterans&#x27; evening" in page
    assert client.get(_u("award_edit", w.award.pk)).status_code == 403
    assert Award.objects.filter(pk__in=[w.award.pk, w.member_award.pk]).count() == 2
    assert not AuditEvent.objects.filter(action__in=["award.changed", "award.deleted"]).exists()


def test_an_award_is_deleted_after_confirmation_and_its_history_stays(client, w):
    client.force_login(w.secretary)
    page = client.get(_u("award_delete", w.award.pk))
    assert page.status_code == 200 and Award.objects.filter(pk=w.award.pk).exists()
    response = client.post(_u("award_delete", w.award.pk), {"reason": "Entered twice"})
    assert response.status_code == 302
    assert not Award.objects.filter(pk=w.award.pk).exists()
    event = AuditEvent.objects.get(action="award.deleted")
    assert event.object_id == str(w.award.pk) and event.summary == "Entered twice"
    _in_kazakh(client)
    page = client.get(_u("awards_deleted")).content.decode()
    assert "Entered twice" in page and w.members[1].full_name in page
    assert kk("Deleted") in page and kk("Created") in page
    # the other district's secretary does not see it among their deleted awards
    client.force_login(w.other_secretary)
    assert w.members[1].full_name not in client.get(_u("awards_deleted")).content.decode()
    # nor does a POO leader open the page
    client.force_login(w.leader)
    assert client.get(_u("awards_deleted")).status_code == 403


# Commissions -------------------------------------------------------------------------------------
def _commission_data(c, **changes):
    data = {
        "kind": c.kind,
        "name": c.name,
        "term_start": c.term_start.isoformat(),
        "term_end": c.term_end.isoformat() if c.term_end else "",
        "description": c.description,
    }
    return data | changes


def test_a_commission_is_dissolved_by_ending_its_term_and_the_history_shows_it(client, w):
    client.force_login(w.secretary)
    _in_kazakh(client)
    data = _commission_data(w.commission, term_end="2026-06-30", name="Бақылау")
    response = client.post(_u("commission_edit", w.commission.pk), data)
    assert response.status_code == 302
    w.commission.refresh_from_db()
    assert (w.commission.name, w.commission.term_end) == ("Бақылау", dt.date(2026, 6, 30))
    event = AuditEvent.objects.get(action="commission.changed")
    assert sorted(event.data["fields"]) == ["name", "term_end"]
    page = client.get(_u("commission", w.commission.pk)).content.decode()
    assert f"{kk_field(Commission, 'name')}: Control → Бақылау" in page
    assert f"{kk_field(Commission, 'term_end')}: — → " in page


def test_bad_commission_input_changes_nothing_and_says_why_in_kazakh(client, w):
    client.force_login(w.secretary)
    _in_kazakh(client)
    # the seat started on 2025-01-01 and the session was held on 2025-06-01
    for changes, message in [
        ({"term_start": "2025-02-01"}, "A member's seat starts before this date: change that "
         "seat first."),
        ({"term_end": "2025-05-01"}, "A session was held after this date."),
        ({"name": "  "}, "This field is required."),
    ]:  # fmt: skip
        data = _commission_data(w.commission, **changes)
        response = client.post(_u("commission_edit", w.commission.pk), data)
        assert response.status_code == 200
        assert kk(message) in response.content.decode()
    w.commission.refresh_from_db()
    assert (w.commission.name, w.commission.term_start) == ("Control", dt.date(2025, 1, 1))
    assert w.commission.term_end is None
    assert not AuditEvent.objects.filter(action="commission.changed").exists()


def test_a_commission_that_held_sessions_is_not_deleted(client, w):
    client.force_login(w.secretary)
    _in_kazakh(client)
    page = client.get(_u("commission_delete", w.commission.pk)).content.decode()
    held = kk(
        "The commission has recorded sessions, so it cannot be deleted: its decisions stay on "
        "record. To dissolve it, set the end of its term."
    )
    assert held in page
    assert _u("commission_edit", w.commission.pk) in page  # the way to dissolve it
    response = client.post(_u("commission_delete", w.commission.pk), {"reason": "x"})
    assert response.status_code == 200
    assert response.content.decode().count(held) == 2  # the notice, and the refusal itself
    assert Commission.objects.filter(pk=w.commission.pk).exists()
    assert CommissionMembership.objects.filter(commission=w.commission).count() == 1
    assert not AuditEvent.objects.filter(action="commission.deleted").exists()


def test_a_commission_without_sessions_is_deleted_with_its_seats_and_stays_readable(client, w):
    client.force_login(w.secretary)
    c = r.create_commission(
        Scope(w.secretary), branch=w.district, kind="other", name="Ethics",
        term_start=dt.date(2025, 1, 1),
    )  # fmt: skip
    r.add_seat(Scope(w.secretary), c, name="Mistaken Person", since=dt.date(2025, 1, 1))
    response = client.post(_u("commission_delete", c.pk), {"reason": "Registered by mistake"})
    assert response.status_code == 302 and response["Location"] == _u("commissions")
    assert not Commission.objects.filter(pk=c.pk).exists()
    assert not CommissionMembership.objects.filter(name="Mistaken Person").exists()
    assert AuditEvent.objects.get(action="commission.deleted").data == {"seats": 1}
    _in_kazakh(client)
    page = client.get(_u("commissions_deleted")).content.decode()
    assert "Ethics" in page and "Registered by mistake" in page and "Mistaken Person" in page
    assert kk("Deleted") in page
    client.force_login(w.other_secretary)
    assert "Ethics" not in client.get(_u("commissions_deleted")).content.decode()


def test_another_districts_commission_is_not_changed(client, w):
    client.force_login(w.other_secretary)
    data = _commission_data(w.commission, name="Hijacked")
    assert client.post(_u("commission_edit", w.commission.pk), data).status_code == 404
    assert client.post(_u("commission_delete", w.commission.pk)).status_code == 404
    client.force_login(w.leader)
    assert client.post(_u("commission_edit", w.commission.pk), data).status_code == 403
    w.commission.refresh_from_db()
    assert w.commission.name == "Control"


# Seats -------------------------------------------------------------------------------------------
def _seat_data(seat, **changes):
    data = {
        "position": seat.position,
        "role": seat.role,
        "since": seat.since.isoformat(),
        "until": seat.until.isoformat() if seat.until else "",
    }
    if not seat.member_id:
        data["name"] = seat.name
    return data | changes


def test_a_seat_is_changed_and_the_commission_page_shows_old_and_new(client, w):
    client.force_login(w.secretary)
    _in_kazakh(client)
    response = client.post(
        _u("commission_seat_edit", w.seat.pk),
        _seat_data(w.seat, role="deputy", position="Ардагерлер кеңесінің төрағасы"),
    )
    assert response.status_code == 302
    w.seat.refresh_from_db()
    assert (w.seat.role, w.seat.position) == ("deputy", "Ардагерлер кеңесінің төрағасы")
    assert sorted(AuditEvent.objects.get(action="commission.seat_changed").data["fields"]) == [
        "position",
        "role",
    ]
    page = client.get(_u("commission", w.commission.pk)).content.decode()
    with translation.override("kk"):
        chair, deputy = (str(CommissionMembership.Role(x).label) for x in ("chair", "deputy"))
    assert f"{kk_field(CommissionMembership, 'role')}: {chair} → {deputy}" in page
    assert w.members[1].full_name in page


def test_bad_seat_input_changes_nothing_and_says_why_in_kazakh(client, w):
    client.force_login(w.secretary)
    _in_kazakh(client)
    second = r.add_seat(Scope(w.secretary), w.commission, name="Second", since=dt.date(2025, 2, 1))
    for changes, message in [
        ({"role": "chair"}, "The commission has a sitting chair: end that seat first."),
        ({"since": "2024-12-01"}, "A seat cannot start before the commission's term."),
        ({"until": "2025-01-15"}, "A seat cannot end before it started."),
        ({"name": ""}, "This field is required."),
    ]:
        response = client.post(_u("commission_seat_edit", second.pk), _seat_data(second, **changes))
        assert response.status_code == 200, changes
        assert kk(message) in response.content.decode(), changes
    second.refresh_from_db()
    assert (second.role, second.since, second.until, second.name) == (
        "member", dt.date(2025, 2, 1), None, "Second",
    )  # fmt: skip
    assert not AuditEvent.objects.filter(action="commission.seat_changed").exists()


def test_a_seat_deleted_by_mistake_stays_in_the_commission_history(client, w):
    client.force_login(w.secretary)
    page = client.get(_u("commission_seat_delete", w.seat.pk)).content.decode()
    assert _u("commission_seat_end", w.seat.pk) in page  # the usual way a member leaves
    response = client.post(_u("commission_seat_delete", w.seat.pk), {"reason": "Wrong person"})
    assert response.status_code == 302
    assert not CommissionMembership.objects.filter(pk=w.seat.pk).exists()
    assert AuditEvent.objects.filter(action="commission.seat_deleted").count() == 1
    _in_kazakh(client)
    page = client.get(_u("commission", w.commission.pk)).content.decode()
    assert f"{kk('Deleted')} (Wrong person)" in page and w.members[1].full_name in page


def test_another_districts_seat_is_not_changed(client, w):
    client.force_login(w.secretary)
    data = _seat_data(w.other_seat, role="chair")
    assert client.post(_u("commission_seat_edit", w.other_seat.pk), data).status_code == 404
    assert client.post(_u("commission_seat_delete", w.other_seat.pk)).status_code == 404
    w.other_seat.refresh_from_db()
    assert w.other_seat.role == "member"


# Sessions ----------------------------------------------------------------------------------------
def _session_data(session, **changes):
    data = {
        "date": session.date.isoformat(),
        "number": session.number,
        "place": session.place,
        "present": "" if session.present is None else session.present,
        "agenda": session.agenda,
        "decisions": "\n".join(d.text for d in session.decisions.order_by("position")),
    }
    return data | changes


def test_a_session_is_changed_keeping_each_decisions_member(client, w):
    session = _session(w)
    first = session.decisions.get(position=1)
    first.member = w.members[1]
    first.save()
    client.force_login(w.secretary)
    _in_kazakh(client)
    response = client.post(
        _u("commission_session_edit", session.pk),
        _session_data(session, number="7", decisions="First decision, amended"),
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.number == "7"
    decisions = list(session.decisions.order_by("position"))
    assert [(d.position, d.text, d.member) for d in decisions] == [
        (1, "First decision, amended", w.members[1])
    ]
    assert AuditEvent.objects.filter(action="commission.session_changed").count() == 1
    page = client.get(_u("commission", w.commission.pk)).content.decode()
    assert f"{kk_field(CommissionSession, 'number')}: — → 7" in page
    assert f"{kk_field(CommissionDecision, 'text')}: First decision → First decision, amended" in (
        page
    )
    assert "Second decision" in page and kk("Deleted") in page  # the removed decision


def test_bad_session_input_changes_nothing_and_says_why_in_kazakh(client, w):
    session = _session(w)
    client.force_login(w.secretary)
    _in_kazakh(client)
    for changes, message in [
        ({"date": "2024-06-01"}, "The commission's term had not started by this date."),
        ({"decisions": "  \n "}, "This field is required."),
    ]:
        response = client.post(
            _u("commission_session_edit", session.pk), _session_data(session, **changes)
        )
        assert response.status_code == 200
        assert kk(message) in response.content.decode()
    session.refresh_from_db()
    assert session.date == dt.date(2025, 6, 1) and session.decisions.count() == 2
    assert not AuditEvent.objects.filter(action="commission.session_changed").exists()


def test_a_session_is_deleted_with_its_decisions_and_stays_in_the_history(client, w):
    session = _session(w)
    client.force_login(w.other_secretary)
    assert client.post(_u("commission_session_delete", session.pk)).status_code == 404
    assert client.post(_u("commission_session_edit", session.pk), {}).status_code == 404
    client.force_login(w.secretary)
    assert client.get(_u("commission_session_delete", session.pk)).status_code == 200
    assert CommissionSession.objects.filter(pk=session.pk).exists()
    response = client.post(_u("commission_session_delete", session.pk))
    assert response.status_code == 302
    assert not CommissionSession.objects.filter(pk=session.pk).exists()
    assert not CommissionDecision.objects.filter(session_id=session.pk).exists()
    assert AuditEvent.objects.get(action="commission.session_deleted").data == {"decisions": 2}
    page = client.get(_u("commission", w.commission.pk)).content.decode()
    assert "Second decision" in page  # its history on the commission's page
    # with its sessions gone, the commission may now be deleted
    client.post(_u("commission_delete", w.commission.pk))
    assert not Commission.objects.filter(pk=w.commission.pk).exists()


# The history reader ------------------------------------------------------------------------------
def test_merged_history_diffs_each_object_against_its_own_previous_record(w):
    scope = Scope(w.secretary)
    second = r.add_seat(scope, w.commission, name="Second", since=dt.date(2025, 2, 1))
    r.change_seat(scope, w.seat, role="chair", since=dt.date(2025, 1, 1), position="Head")
    r.change_seat(scope, second, role="member", since=dt.date(2025, 3, 1), name="Second")
    rows = merged_history(
        [CommissionMembership.history.filter(commission_id=w.commission.pk)],
        subject=lambda record: record.name or "member",
    )
    changed = [row for row in rows if row.type == "~"]
    assert [(row.subject, [(c.old, c.new) for c in row.changes]) for row in changed] == [
        ("Second", [(dt.date(2025, 2, 1), dt.date(2025, 3, 1))]),
        ("member", [("—", "Head")]),
    ]
    assert all(row.who == w.secretary for row in rows)
