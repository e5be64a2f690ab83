"""Pages of contests, awards and commissions: they render, forms change data, bad input
changes nothing, every role gets what the matrix says, list pages take a fixed number of
queries, and no personal data shows."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone
from openpyxl import load_workbook

from bastau.accounts.scoping import Scope
from bastau.activity.models import (
    Award,
    Commission,
    CommissionMembership,
    CommissionSession,
    Contest,
    ContestEntry,
    Juror,
    Score,
)
from bastau.activity.recognition import services as r

from .. import factories as f
from ..factories.activity import build_contest, enter_all, score

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "member_user",
    "district_juror",
    "regional_juror",
    "leader",
    "secretary",
    "other_secretary",
    "admin",
]
LOGIN = "login"


def _u(name, *args):
    return reverse(f"activity:{name}", args=args)


def build(world):
    """A contest in its district stage with three entries, awards, and a commission in each
    district with a seat and a session."""
    w = enter_all(build_contest(world))
    r.open_district_stage(Scope(w.admin), w.contest)
    w.contest.refresh_from_db()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    w.members[1].is_veteran = True
    w.members[1].save()
    w.award = r.give_award(
        Scope(w.secretary), kind=Award.Kind.LETTER_OF_THANKS, member=w.members[1],
        awarded_on=yesterday, occasion="Veterans' evening",
    )  # fmt: skip
    w.member_award = r.give_award(
        Scope(w.admin), kind=Award.Kind.CERTIFICATE, member=w.member, awarded_on=yesterday
    )
    w.other_award = r.give_award(
        Scope(w.admin), kind=Award.Kind.PARTY_MEDAL, member=w.other_member, awarded_on=yesterday
    )
    start = dt.date(2025, 1, 1)
    w.commission = r.create_commission(
        Scope(w.secretary), branch=w.district, kind="control", name="Control", term_start=start
    )
    w.seat = r.add_seat(Scope(w.secretary), w.commission, member=w.members[1], role="chair",
                        since=start)  # fmt: skip
    w.session = r.record_session(Scope(w.secretary), w.commission, date=dt.date(2025, 6, 1),
                                 decisions=["First decision", "Second decision"])  # fmt: skip
    w.other_commission = r.create_commission(
        Scope(w.other_secretary), branch=w.other_district, kind="anticorruption",
        name="Council", term_start=start,
    )  # fmt: skip
    w.other_seat = r.add_seat(Scope(w.other_secretary), w.other_commission, name="Outsider",
                              since=start)  # fmt: skip
    return w


@pytest.fixture
def pw(world):
    return build(world)


# The permission matrix -------------------------------------------------------------------------
SIGNED_IN = dict.fromkeys(ROLES, 200) | {"anonymous": LOGIN}
ADMIN = dict.fromkeys(ROLES, 403) | {"anonymous": LOGIN, "admin": 200}
ENTER = ADMIN | {"leader": 200, "secretary": 200, "other_secretary": 200}
SCORE_DISTRICT = ADMIN | {"admin": 403, "district_juror": 200}
GIVE = ADMIN | {"secretary": 200, "other_secretary": 200}
GIVE_OWN = GIVE | {"other_secretary": 404}
COMMISSIONS = GIVE
COMMISSION_OWN = GIVE_OWN
#: An award to a member of the first district's POO: who sees it (a member sees only their own).
SEE_AWARD = dict.fromkeys(ROLES, 404) | {
    "anonymous": LOGIN,
    "leader": 200,
    "secretary": 200,
    "admin": 200,
}


def _matrix(w):
    return [
        ("contests", _u("contests"), SIGNED_IN),
        ("contest new", _u("contest_new"), ADMIN),
        ("contest", _u("contest", w.contest.pk), SIGNED_IN),
        ("enter", _u("contest_enter", w.contest.pk), ENTER),
        ("jury", _u("contest_jury", w.contest.pk), ADMIN),
        ("criteria", _u("contest_criteria", w.contest.pk), ADMIN),
        ("stage", _u("contest_stage", w.contest.pk), ADMIN),
        ("score sheet", _u("contest_score", w.contest.pk), SCORE_DISTRICT),
        ("results", _u("contest_results", w.contest.pk), SIGNED_IN),
        ("results regional", _u("contest_results", w.contest.pk) + "?stage=regional", SIGNED_IN),
        ("results xlsx", _u("contest_results_xlsx", w.contest.pk), SIGNED_IN),
        ("award winners", _u("contest_award_winners", w.contest.pk), ADMIN),
        ("awards", _u("awards"), SIGNED_IN),
        ("awards xlsx", _u("awards_xlsx"), SIGNED_IN),
        ("award new", _u("award_new"), GIVE),
        ("award new for a POO", _u("award_new") + f"?poo={w.poo.pk}", GIVE_OWN),
        ("award new for a member", _u("award_new") + f"?member={w.member.pk}", GIVE_OWN),
        ("commissions", _u("commissions"), COMMISSIONS),
        ("commission new", _u("commission_new"), COMMISSIONS),
        ("commission", _u("commission", w.commission.pk), COMMISSION_OWN),
        (
            "another district's commission",
            _u("commission", w.other_commission.pk),
            COMMISSIONS | {"secretary": 404},
        ),
        ("seat new", _u("commission_seat_new", w.commission.pk), COMMISSION_OWN),
        ("seat end", _u("commission_seat_end", w.seat.pk), COMMISSION_OWN),
        (
            "another district's seat end",
            _u("commission_seat_end", w.other_seat.pk),
            COMMISSIONS | {"secretary": 404},
        ),
        ("session new", _u("commission_session_new", w.commission.pk), COMMISSION_OWN),
        # The editors
        ("award", _u("award", w.award.pk), SEE_AWARD),
        ("award edit", _u("award_edit", w.award.pk), GIVE_OWN),
        ("award delete", _u("award_delete", w.award.pk), GIVE_OWN),
        (
            "the region's award: a secretary sees it, may not change it",
            _u("award_edit", w.member_award.pk),
            GIVE_OWN | {"secretary": 403},
        ),
        ("deleted awards", _u("awards_deleted"), GIVE),
        ("commission edit", _u("commission_edit", w.commission.pk), COMMISSION_OWN),
        ("commission delete", _u("commission_delete", w.commission.pk), COMMISSION_OWN),
        (
            "another district's commission edit",
            _u("commission_edit", w.other_commission.pk),
            COMMISSIONS | {"secretary": 404},
        ),
        ("deleted commissions", _u("commissions_deleted"), COMMISSIONS),
        ("seat edit", _u("commission_seat_edit", w.seat.pk), COMMISSION_OWN),
        ("seat delete", _u("commission_seat_delete", w.seat.pk), COMMISSION_OWN),
        (
            "another district's seat delete",
            _u("commission_seat_delete", w.other_seat.pk),
            COMMISSIONS | {"secretary": 404},
        ),
        ("session edit", _u("commission_session_edit", w.session.pk), COMMISSION_OWN),
        ("session delete", _u("commission_session_delete", w.session.pk), COMMISSION_OWN),
    ]


def _ok_codes(matrix):
    return {role: (302 if code == 200 else code) for role, code in matrix.items()}


def _post_matrix(w):
    """(label, url, data, {role: expected}): a success is a redirect (302)."""
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    return [
        (
            "announce a contest",
            _u("contest_new"),
            {
                "branch": w.region.pk,
                "name": "New contest",
                "year": "2026",
                "advance_per_district": "1",
                "winners_count": "3",
                "criteria": "Activity; 1; 10",
            },
            _ok_codes(ADMIN),
        ),  # fmt: skip
        (
            "score",
            _u("contest_score", w.contest.pk),
            {f"s-{w.e1.pk}-{w.c1.pk}": "5", f"s-{w.e1.pk}-{w.c2.pk}": "6"},
            _ok_codes(SCORE_DISTRICT),
        ),
        (
            "close the district stage",
            _u("contest_stage", w.contest.pk),
            {"action": "close_district"},
            _ok_codes(ADMIN),
        ),
        (
            "award",
            _u("award_new"),
            {
                "poo": w.poo.pk,
                "recipient": f"member-{w.member.pk}",
                "kind": "thanks",
                "awarded_on": yesterday,
                "branch": w.district.pk,
            },
            _ok_codes(COMMISSION_OWN) | {"admin": 302},
        ),  # fmt: skip
        (
            "session",
            _u("commission_session_new", w.commission.pk),
            {"date": "2025-09-01", "decisions": "Decision"},
            _ok_codes(COMMISSION_OWN),
        ),
        (
            "end a seat",
            _u("commission_seat_end", w.seat.pk),
            {"until": "2025-12-31"},
            _ok_codes(COMMISSION_OWN),
        ),
        (
            "add a seat",
            _u("commission_seat_new", w.commission.pk),
            {"name": "Outside expert", "role": "member", "since": "2025-02-01"},
            _ok_codes(COMMISSION_OWN),
        ),
        (
            "enter",
            _u("contest_enter", w.contest.pk),
            {"poo": w.poo2.pk},
            # the district stage is running: the form says so, nothing is entered
            ENTER | {"secretary": 200},
        ),
        (
            "add a juror",
            _u("contest_jury", w.contest.pk),
            {"action": "add", "username": w.leader.username, "stage": "regional"},
            _ok_codes(ADMIN),
        ),
        (
            "award the winners (not finished yet: the form says so)",
            _u("contest_award_winners", w.contest.pk),
            {"kind": "diploma", "awarded_on": yesterday},
            ADMIN,
        ),
        (
            "commission new",
            _u("commission_new"),
            {
                "branch": w.district.pk,
                "kind": "other",
                "name": "Ethics",
                "term_start": "2025-01-01",
            },
            _ok_codes(COMMISSIONS) | {"other_secretary": 200},  # not their branch: form error
        ),  # fmt: skip
        # The editors, edits before deletions (one role's posts run in this order)
        (
            "change the award",
            _u("award_edit", w.award.pk),
            {
                "kind": "thanks",
                "awarded_on": yesterday,
                "branch": w.district.pk,
                "occasion": "Changed",
            },
            _ok_codes(GIVE_OWN),
        ),  # fmt: skip
        (
            "change the commission",
            _u("commission_edit", w.commission.pk),
            {"kind": "control", "name": "Control 2", "term_start": "2025-01-01"},
            _ok_codes(COMMISSION_OWN),
        ),
        (
            "change a seat",
            _u("commission_seat_edit", w.seat.pk),
            {"role": "chair", "since": "2025-01-01", "until": "2025-12-31", "position": "Head"},
            _ok_codes(COMMISSION_OWN),
        ),
        (
            "change the session",
            _u("commission_session_edit", w.session.pk),
            {"date": "2025-06-01", "decisions": "First decision\nSecond, amended"},
            _ok_codes(COMMISSION_OWN),
        ),
        (
            "delete the session",
            _u("commission_session_delete", w.session.pk),
            {},
            _ok_codes(COMMISSION_OWN),
        ),
        ("delete a seat", _u("commission_seat_delete", w.seat.pk), {}, _ok_codes(COMMISSION_OWN)),
        (
            "delete the commission (refused: the session posted above is on record)",
            _u("commission_delete", w.commission.pk),
            {},
            COMMISSION_OWN,
        ),
        ("delete the award", _u("award_delete", w.award.pk), {}, _ok_codes(GIVE_OWN)),
    ]


def _login(client, w, role):
    if role != "anonymous":
        client.force_login(getattr(w, role))


def _ok(response, expected) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and reverse("accounts:login") in response["Location"]
    return response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_matrix_says(client, pw, role):
    _login(client, pw, role)
    failures = []
    for label, url, expected_by_role in _matrix(pw):
        expected = expected_by_role[role]
        response = client.get(url)
        if not _ok(response, expected):
            failures.append(f"{label} {url}: expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_every_post_answers_each_role_as_the_matrix_says(client, pw, role):
    _login(client, pw, role)
    failures = []
    for label, url, data, expected_by_role in _post_matrix(pw):
        expected = expected_by_role[role]
        response = client.post(url, data)
        if not _ok(response, expected):
            failures.append(f"{label} {url}: expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)


def test_matrix_covers_every_recognition_url(pw):
    """A new page in urls_recognition must be added to the matrix (or this test fails)."""
    from bastau.activity.recognition import urls as urls_recognition

    covered = {resolve(url.split("?")[0]).url_name for _label, url, _e in _matrix(pw)}
    covered |= {resolve(url).url_name for _label, url, _d, _e in _post_matrix(pw)}
    names = {p.name for p in urls_recognition.urlpatterns}
    assert names and names - covered == set()
    # and every one of them is reachable in the activity namespace
    activity = get_resolver().namespace_dict["activity"][1].reverse_dict
    assert names <= {n for n in activity if isinstance(n, str)}


def test_refused_posts_change_nothing(client, pw):
    w = pw
    client.force_login(w.other_secretary)
    client.post(_u("commission_session_new", w.commission.pk),
                {"date": "2025-09-01", "decisions": "X"})  # fmt: skip
    client.post(_u("commission_seat_end", w.seat.pk), {"until": "2025-12-31"})
    client.post(_u("award_new"), {"poo": w.poo.pk, "recipient": "poo", "kind": "thanks",
                "awarded_on": "2025-01-01", "branch": w.other_district.pk})  # fmt: skip
    client.post(_u("award_edit", w.award.pk), {"kind": "medal", "awarded_on": "2025-01-01",
                "branch": w.other_district.pk})  # fmt: skip
    client.post(_u("award_delete", w.award.pk))
    client.post(_u("commission_edit", w.commission.pk),
                {"kind": "other", "name": "X", "term_start": "2025-01-01"})  # fmt: skip
    client.post(_u("commission_delete", w.commission.pk))
    client.post(_u("commission_seat_edit", w.seat.pk), {"role": "member", "since": "2025-01-01"})
    client.post(_u("commission_seat_delete", w.seat.pk))
    client.post(_u("commission_session_edit", w.session.pk),
                {"date": "2025-06-02", "decisions": "X"})  # fmt: skip
    client.post(_u("commission_session_delete", w.session.pk))
    client.force_login(w.member_user)
    client.post(_u("contest_stage", w.contest.pk), {"action": "close_district"})
    client.post(_u("contest_score", w.contest.pk), {f"s-{w.e1.pk}-{w.c1.pk}": "5"})
    client.force_login(w.regional_juror)
    client.post(_u("contest_score", w.contest.pk), {f"s-{w.e1.pk}-{w.c1.pk}": "5"})
    assert CommissionSession.objects.filter(commission=w.commission).count() == 1
    w.seat.refresh_from_db()
    assert w.seat.until is None and w.seat.role == "chair"
    w.award.refresh_from_db()
    assert w.award.kind == Award.Kind.LETTER_OF_THANKS
    w.commission.refresh_from_db()
    assert (w.commission.name, w.commission.kind) == ("Control", "control")
    assert [d.text for d in w.session.decisions.order_by("position")] == [
        "First decision",
        "Second decision",
    ]
    assert Award.objects.count() == 3
    w.contest.refresh_from_db()
    assert w.contest.status == Contest.Status.DISTRICT
    assert not Score.objects.exists()


# Contests ----------------------------------------------------------------------------------------
def test_admin_announces_a_contest_and_seats_a_juror(client, world):
    w = world
    client.force_login(w.admin)
    response = client.post(_u("contest_new"), {
        "branch": w.region.pk, "name": "Best POO", "year": "2026", "rules": "Rules",
        "advance_per_district": "2", "winners_count": "8",
        "criteria": "Activity; 2; 10\n\nGrowth of membership; 1,5\nMedia; 0.5; 5",
    })  # fmt: skip
    contest = Contest.objects.get(name="Best POO")
    assert response["Location"] == _u("contest_jury", contest.pk)
    assert [(c.name, c.weight, c.max_points) for c in contest.criteria.all()] == [
        ("Activity", Decimal("2"), 10),
        ("Growth of membership", Decimal("1.5"), 10),
        ("Media", Decimal("0.5"), 5),
    ]
    juror = f.user("member", username="aigerim")
    response = client.post(_u("contest_jury", contest.pk), {
        "action": "add", "username": "aigerim", "stage": "district", "district": w.district.pk,
    })  # fmt: skip
    assert response.status_code == 302
    assert Juror.objects.get(contest=contest).user == juror
    # a district juror without a district: an error on the page, nobody seated
    response = client.post(_u("contest_jury", contest.pk), {
        "action": "add", "username": "aigerim", "stage": "district", "district": "",
    })  # fmt: skip
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    # unknown login
    response = client.post(_u("contest_jury", contest.pk), {
        "action": "add", "username": "nobody", "stage": "regional"})  # fmt: skip
    assert "No active account with this login." in response.content.decode()
    assert Juror.objects.filter(contest=contest).count() == 1
    # removing the juror who has not scored
    seat = Juror.objects.get(contest=contest)
    client.post(_u("contest_jury", contest.pk), {"action": "remove", "juror": seat.pk})
    assert not Juror.objects.filter(contest=contest).exists()


@pytest.mark.parametrize(
    "criteria,message",
    [
        ("Activity; 0; 10", "must be above 0"),
        ("Activity", "write «name; weight; maximum points»"),
        ("Activity; 1; ten", "must be a whole number"),
        ("  ", "This field is required."),
    ],
)
def test_bad_contest_shows_an_error_and_creates_nothing(client, world, criteria, message):
    client.force_login(world.admin)
    response = client.post(_u("contest_new"), {
        "branch": world.region.pk, "name": "Best POO", "year": "2026",
        "advance_per_district": "1", "winners_count": "3", "criteria": criteria,
    })  # fmt: skip
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Contest.objects.exists()


def test_leader_enters_their_poo_from_the_page(client, world):
    w = build_contest(world, entries_until=None)
    client.force_login(w.leader)
    page = client.get(_u("contest", w.contest.pk)).content.decode()
    assert _u("contest_enter", w.contest.pk) in page
    form = client.get(_u("contest_enter", w.contest.pk)).content.decode()
    assert w.poo.name in form and w.poo2.name not in form
    response = client.post(_u("contest_enter", w.contest.pk),
                           {"poo": w.poo.pk, "description": "Tree planting"})  # fmt: skip
    assert response.status_code == 302
    entry = ContestEntry.objects.get(contest=w.contest)
    assert (entry.poo, entry.description, entry.submitted_by) == (w.poo, "Tree planting", w.leader)
    # another POO's id is not a choice: an error, nothing entered
    response = client.post(_u("contest_enter", w.contest.pk), {"poo": w.poo2.pk})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert ContestEntry.objects.count() == 1
    # once entered, the link is gone
    assert (
        _u("contest_enter", w.contest.pk)
        not in client.get(_u("contest", w.contest.pk)).content.decode()
    )


def test_juror_sheet_saves_marks_and_refuses_bad_points(client, pw):
    w = pw
    client.force_login(w.district_juror)
    sheet = client.get(_u("contest_score", w.contest.pk)).content.decode()
    assert w.poo.name in sheet and w.poo2.name in sheet and w.other_poo.name not in sheet
    cell = f"s-{w.e1.pk}-{w.c1.pk}"
    response = client.post(_u("contest_score", w.contest.pk),
                           {cell: "7.5", f"s-{w.e2.pk}-{w.c2.pk}": "3"})  # fmt: skip
    assert response.status_code == 302
    assert Score.objects.get(entry=w.e1, criterion=w.c1).points == Decimal("7.5")
    assert 'value="7.50"' in client.get(_u("contest_score", w.contest.pk)).content.decode()
    response = client.post(_u("contest_score", w.contest.pk),
                           {cell: "11", f"s-{w.e2.pk}-{w.c2.pk}": "1"})  # fmt: skip
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert Score.objects.get(entry=w.e1, criterion=w.c1).points == Decimal("7.5")
    assert Score.objects.get(entry=w.e2, criterion=w.c2).points == Decimal("3")
    # a cell of another district's entry is simply not on this sheet
    client.post(_u("contest_score", w.contest.pk), {f"s-{w.e3.pk}-{w.c1.pk}": "9"})
    assert not Score.objects.filter(entry=w.e3).exists()


def test_stages_from_the_pages_and_the_results(client, pw):
    w = pw
    score(w, w.district_juror, w.e1, 9, 9)
    score(w, w.district_juror, w.e2, 2, 2)
    score(w, w.other_juror, w.e3, 4, 4)
    client.force_login(w.member_user)
    page = client.get(_u("contest_results", w.contest.pk)).content.decode()
    assert "published when it closes" in page and w.poo.name not in page
    client.force_login(w.secretary)
    page = client.get(_u("contest_results", w.contest.pk)).content.decode()
    assert w.poo.name in page and w.other_poo.name not in page  # own district, live
    client.force_login(w.admin)
    preview = client.get(_u("contest_stage", w.contest.pk)).content.decode()
    assert "Close the district stage" in preview and w.other_poo.name in preview
    response = client.post(_u("contest_stage", w.contest.pk), {"action": "close_district"})
    assert response.status_code == 302
    w.contest.refresh_from_db()
    assert w.contest.status == Contest.Status.REGIONAL
    # a stale form (the stage moved on) does nothing
    client.post(_u("contest_stage", w.contest.pk), {"action": "close_district"})
    w.contest.refresh_from_db()
    assert w.contest.status == Contest.Status.REGIONAL
    w.e1.refresh_from_db()
    assert (w.e1.district_place, w.e1.advanced) == (1, True)
    client.force_login(w.member_user)
    page = client.get(_u("contest_results", w.contest.pk)).content.decode()
    assert w.poo.name in page and w.other_poo.name in page and "Finalist" in page
    score(w, w.regional_juror, w.e1, 5, 5)
    score(w, w.regional_juror, w.e3, 6, 6)
    client.force_login(w.admin)
    client.post(_u("contest_stage", w.contest.pk), {"action": "close_regional"})
    w.contest.refresh_from_db()
    assert w.contest.status == Contest.Status.FINISHED
    client.force_login(w.member_user)
    page = client.get(_u("contest_results", w.contest.pk) + "?stage=regional").content.decode()
    assert page.index(w.other_poo.name) < page.index(w.poo.name) and "Winner" in page
    response = client.get(_u("contest_results_xlsx", w.contest.pk))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    regional = list(wb.worksheets[1].values)
    assert [row[2] for row in regional[1:]] == [w.other_poo.name, w.poo.name]
    assert regional[1][5] == "yes"  # winners_count is 1
    # award the winners
    client.force_login(w.admin)
    today = timezone.localdate().isoformat()
    response = client.post(_u("contest_award_winners", w.contest.pk),
                           {"kind": "diploma", "awarded_on": today})  # fmt: skip
    assert response.status_code == 302
    award = Award.objects.get(kind="diploma")
    assert award.poo == w.other_poo and award.contest_entry == w.e3


def test_results_for_unknown_stage_is_404(client, pw):
    client.force_login(pw.admin)
    assert client.get(_u("contest_results", pw.contest.pk) + "?stage=final").status_code == 404


# Awards ------------------------------------------------------------------------------------------
def test_awards_list_filters_and_shows_no_personal_data(client, pw):
    w = pw
    client.force_login(w.secretary)
    page = client.get(_u("awards")).content.decode()
    assert w.members[1].full_name in page and w.member.full_name in page
    assert w.other_member.full_name not in page
    for m in (w.members[1], w.member):
        assert m.iin not in page and m.phone not in page
    page = client.get(_u("awards") + "?veterans=on").content.decode()
    assert w.members[1].full_name in page and w.member.full_name not in page
    page = client.get(_u("awards") + "?kind=certificate").content.decode()
    assert w.member.full_name in page and w.members[1].full_name not in page
    response = client.get(_u("awards_xlsx") + "?veterans=on")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert len(rows) == 2 and rows[1][4] == w.members[1].full_name and rows[1][5] == "yes"


def test_member_sees_only_their_own_awards(client, pw):
    client.force_login(pw.member_user)
    page = client.get(_u("awards")).content.decode()
    assert pw.member.full_name in page
    assert pw.members[1].full_name not in page and pw.other_member.full_name not in page
    assert _u("award_new") not in page  # no "give an award" button


def test_secretary_gives_an_award_in_two_steps(client, pw):
    w = pw
    client.force_login(w.secretary)
    chooser = client.get(_u("award_new")).content.decode()
    assert w.poo.name in chooser and w.other_poo.name not in chooser
    form = client.get(_u("award_new") + f"?poo={w.poo.pk}").content.decode()
    assert w.members[1].full_name in form and w.members[2].full_name not in form  # other POO
    assert w.members[1].iin not in form
    response = client.post(_u("award_new"), {
        "poo": w.poo.pk, "recipient": "poo", "kind": "diploma", "title": "Best POO",
        "awarded_on": "2026-01-15", "branch": w.district.pk, "occasion": "Annual conference",
    })  # fmt: skip
    assert response.status_code == 302
    award = Award.objects.get(kind="diploma")
    assert (award.poo, award.member, award.title, award.branch) == (
        w.poo, None, "Best POO", w.district,
    )  # fmt: skip


def test_bad_award_shows_an_error_and_changes_nothing(client, pw):
    w = pw
    client.force_login(w.secretary)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(_u("award_new"), {
        "poo": w.poo.pk, "recipient": f"member-{w.member.pk}", "kind": "thanks",
        "awarded_on": tomorrow, "branch": w.district.pk,
    })  # fmt: skip
    assert response.status_code == 200
    assert "An award is recorded once it has been given." in response.content.decode()
    # a member of another POO is not a choice
    response = client.post(_u("award_new"), {
        "poo": w.poo.pk, "recipient": f"member-{w.members[2].pk}", "kind": "thanks",
        "awarded_on": "2026-01-01", "branch": w.district.pk,
    })  # fmt: skip
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert Award.objects.count() == 3


# Commissions -------------------------------------------------------------------------------------
def test_commission_pages_create_seat_end_and_record(client, world):
    w = world
    client.force_login(w.secretary)
    response = client.post(_u("commission_new"), {
        "branch": w.district.pk, "kind": "control", "name": "Бақылау комиссиясы",
        "term_start": "2025-01-01", "term_end": "2029-12-31",
    })  # fmt: skip
    c = Commission.objects.get()
    assert response["Location"] == _u("commission", c.pk)
    page = client.get(_u("commission_seat_new", c.pk)).content.decode()
    assert reverse("accounts:pick_member") in page  # the searchable picker, no option list
    assert w.members[1].full_name not in page
    assert f'<option value="{w.members[1].pk}"' not in page
    found = client.get(reverse("accounts:pick_member"), {"q": w.members[1].last_name})
    assert w.members[1].full_name in found.content.decode()
    client.post(_u("commission_seat_new", c.pk),
                {"member": w.members[1].pk, "role": "chair", "since": "2025-01-01"})  # fmt: skip
    client.post(_u("commission_seat_new", c.pk),
                {"name": "Outside Lawyer", "position": "Advocate", "role": "member",
                 "since": "2025-01-01"})  # fmt: skip
    assert c.memberships.count() == 2
    # a second sitting chair: an error, nothing added
    response = client.post(_u("commission_seat_new", c.pk),
                           {"name": "Another", "role": "chair", "since": "2025-02-01"})  # fmt: skip
    assert "sitting chair" in response.content.decode()
    # a member of another district cannot be posted
    response = client.post(_u("commission_seat_new", c.pk),
                           {"member": w.other_member.pk, "role": "member",
                            "since": "2025-02-01"})  # fmt: skip
    assert response.status_code == 200
    assert c.memberships.count() == 2
    chair = c.memberships.get(role="chair")
    response = client.post(_u("commission_seat_end", chair.pk), {"until": "2024-12-31"})
    assert "cannot end before it started" in response.content.decode()
    client.post(_u("commission_seat_end", chair.pk), {"until": "2025-06-30"})
    chair.refresh_from_db()
    assert chair.until == dt.date(2025, 6, 30)
    response = client.post(_u("commission_session_new", c.pk), {
        "date": "2025-03-05", "number": "2", "present": "5",
        "decisions": "Hear the report.\n\nIssue a reprimand.",
    })  # fmt: skip
    assert response.status_code == 302
    session = CommissionSession.objects.get()
    assert [(d.position, d.text) for d in session.decisions.all()] == [
        (1, "Hear the report."),
        (2, "Issue a reprimand."),
    ]
    response = client.post(_u("commission_session_new", c.pk),
                           {"date": "2024-03-05", "decisions": "Too early"})  # fmt: skip
    assert "term had not started" in response.content.decode()
    response = client.post(_u("commission_session_new", c.pk), {"date": "2025-04-01",
                                                                 "decisions": "  "})  # fmt: skip
    assert response.status_code == 200
    assert CommissionSession.objects.count() == 1
    page = client.get(_u("commission", c.pk)).content.decode()
    assert "Outside Lawyer" in page and "Issue a reprimand." in page
    assert "Former members" in page and w.members[1].full_name in page
    assert w.members[1].iin not in page and w.members[1].phone not in page


def test_other_secretary_cannot_create_in_another_branch(client, world):
    client.force_login(world.other_secretary)
    response = client.post(_u("commission_new"), {
        "branch": world.district.pk, "kind": "control", "name": "X", "term_start": "2025-01-01",
    })  # fmt: skip
    assert response.status_code == 200
    assert not Commission.objects.exists()


# Query counts ------------------------------------------------------------------------------------
def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_list_pages_take_a_fixed_number_of_queries(client, pw, django_assert_max_num_queries):
    w = pw
    client.force_login(w.admin)
    urls = [_u("contests"), _u("awards"), _u("commissions"), _u("awards") + "?veterans=on"]
    before = {url: _count(client, url) for url in urls}
    for i in range(12):
        poo = f.poo(w.district, name=f"Extra {i}")
        m = f.member(poo, is_veteran=True)
        r.give_award(Scope(w.admin), kind="thanks", member=m, awarded_on=dt.date(2025, 1, 1))
        r.give_award(Scope(w.admin), kind="diploma", poo=poo, awarded_on=dt.date(2025, 1, 1))
        Contest.objects.create(branch=w.region, name=f"Contest {i}", year=2025)
        c = r.create_commission(Scope(w.admin), branch=w.district, kind="other",
                                name=f"Commission {i}", term_start=dt.date(2025, 1, 1))  # fmt: skip
        r.add_seat(Scope(w.admin), c, member=m, role="chair", since=dt.date(2025, 1, 1))
    after = {url: _count(client, url) for url in urls}
    assert after == before
    for url in urls:
        with django_assert_max_num_queries(8):
            client.get(url)


def test_commission_and_contest_pages_do_not_grow_with_rows(client, pw):
    w = pw
    client.force_login(w.admin)
    urls = [_u("commission", w.commission.pk), _u("contest", w.contest.pk),
            _u("contest_results", w.contest.pk)]  # fmt: skip
    before = {url: _count(client, url) for url in urls}
    for i in range(5):
        r.add_seat(Scope(w.admin), w.commission, name=f"Person {i}", since=dt.date(2025, 2, 1))
        r.record_session(Scope(w.admin), w.commission, date=dt.date(2025, 7, i + 1),
                         decisions=["A", "B"])  # fmt: skip
        poo = f.poo(w.district, name=f"More {i}")
        ContestEntry.objects.create(contest=w.contest, poo=poo, submitted_on=dt.date(2026, 1, 1))
    assert {url: _count(client, url) for url in urls} == before
    assert CommissionMembership.objects.filter(commission=w.commission).count() == 6


def test_criteria_change_before_the_first_score_and_are_refused_after(client, pw):
    """Criteria are edited until a juror records a mark; then refused in the user's language."""
    from bastau.activity.models import Score
    from bastau.core.models import AuditEvent

    w = pw
    client.force_login(w.admin)
    url = _u("contest_criteria", w.contest.pk)
    Score.objects.filter(entry__contest=w.contest).delete()
    assert client.get(url).status_code == 200
    response = client.post(url, {"criteria": "Activity; 3; 10\nMedia; 1; 5"})
    assert response.status_code == 302
    assert [(c.name, c.weight, c.max_points) for c in w.contest.criteria.all()] == [
        ("Activity", Decimal("3"), 10),
        ("Media", Decimal("1"), 5),
    ]
    assert AuditEvent.objects.filter(action="contest.criteria_changed").exists()
    # a juror scores: the criteria are fixed from now on
    from bastau.activity.models import ContestEntry, Juror

    entry = ContestEntry.objects.filter(contest=w.contest).first()
    juror = Juror.objects.filter(contest=w.contest).first()
    assert entry is not None and juror is not None
    Score.objects.create(
        entry=entry,
        criterion=w.contest.criteria.first(),
        juror=juror,
        stage=juror.stage,
        points=5,
    )
    for lang, text in (
        ("kk", "Критерийлерді енді өзгертуге болмайды"),
        ("ru", "Критерии больше нельзя менять"),
    ):
        client.cookies["bastau_language"] = lang
        response = client.post(url, {"criteria": "Other; 1; 10"})
        assert response.status_code == 200
        assert text in str(response.context["form"].errors["criteria"])
    assert [c.name for c in w.contest.criteria.all()] == ["Activity", "Media"]
