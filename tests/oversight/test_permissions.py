"""The permission matrix of the oversight pages, for every role.

A role that may not use a page at all gets 403; an object of another maslikhat is a 404 (it
does not exist for that user); anonymous users go to the login page.
"""

import datetime as dt

import pytest
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone

from bastau.oversight.models import Convocation, Faction, ReportQuestion, ScheduledReport

from ..factories import oversight as fo

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "member_user",
    "leader",
    "officer",
    "secretary",
    "other_secretary",
    "faction_secretary",
    "other_faction_secretary",
    "regional_faction_secretary",
    "admin",
]
LOGIN = "login"

#: Pages for every oversight role, without an object of a maslikhat.
VIEW = {
    "anonymous": LOGIN,
    "member_user": 403,
    "leader": 403,
    "officer": 403,
    "secretary": 200,
    "other_secretary": 200,
    "faction_secretary": 200,
    "other_faction_secretary": 200,
    "regional_faction_secretary": 200,
    "admin": 200,
}
#: An object of the district's maslikhat.
OWN = dict(VIEW, other_secretary=404, other_faction_secretary=404, regional_faction_secretary=404)
#: The register (maslikhats, deputies, threshold, approving schedules): not faction secretaries.
MANAGE = dict(
    VIEW, faction_secretary=403, other_faction_secretary=403, regional_faction_secretary=403
)
MANAGE_OWN = dict(OWN, faction_secretary=403)
#: Turning a question into an appeal: the branch's reception handlers only.
APPEAL = dict(OWN, faction_secretary=403)


def _u(name, *args):
    return reverse(f"oversight:{name}", args=args)


def _matrix(w):
    return [
        ("index", _u("index"), VIEW),
        ("statistics", _u("statistics"), VIEW),
        ("statistics of a maslikhat", _u("statistics") + f"?maslikhat={w.maslikhat.pk}", OWN),
        ("maslikhat new", _u("maslikhat_new"), MANAGE),
        ("maslikhat edit", _u("maslikhat_edit", w.maslikhat.pk), MANAGE_OWN),
        ("convocation new", _u("convocation_new", w.maslikhat.pk), MANAGE_OWN),
        ("threshold", _u("threshold", w.maslikhat.pk), MANAGE_OWN),
        ("deputies", _u("deputies"), VIEW),
        ("deputy new", _u("deputy_new"), MANAGE),
        ("deputy", _u("deputy", w.deputy.pk), OWN),
        (
            "another district's deputy",
            _u("deputy", w.other_deputy.pk),
            dict(VIEW, secretary=404, faction_secretary=404, regional_faction_secretary=404),
        ),
        ("deputy edit", _u("deputy_edit", w.deputy.pk), MANAGE_OWN),
        ("faction", _u("faction", w.faction.pk), OWN),
        ("faction new", _u("faction_new", w.maslikhat.pk), OWN),
        ("schedules", _u("schedules"), VIEW),
        ("schedule new", _u("schedule_new"), MANAGE),
        ("schedule", _u("schedule", w.schedule.pk), OWN),
        ("schedule pdf", _u("schedule_document", w.schedule.pk, "kk", "pdf"), OWN),
        ("schedule docx", _u("schedule_document", w.schedule.pk, "ru", "docx"), OWN),
        ("report new", _u("report_new", w.schedule.pk), OWN),
        ("report", _u("report", w.overdue_report.pk), OWN),
        ("report edit", _u("report_edit", w.future_report.pk), OWN),
        ("question appeal", _u("question_appeal", w.question.pk), APPEAL),
        ("budget", _u("budget"), VIEW),
        ("budget xlsx", _u("budget_xlsx"), VIEW),
        ("indicators", _u("indicators"), VIEW),
        ("indicators xlsx", _u("indicators_xlsx"), VIEW),
        ("indicator", _u("indicator", w.indicator.pk), OWN),
        (
            "another district's indicator",
            _u("indicator", w.other_indicator.pk),
            dict(VIEW, secretary=404, faction_secretary=404, regional_faction_secretary=404),
        ),
        ("imports", _u("budget_imports"), VIEW),
        ("import", _u("budget_import", w.failed_import.pk), OWN),
        ("import errors", _u("budget_import_errors", w.failed_import.pk), OWN),
        (
            "another district's import",
            _u("budget_import", w.other_import.pk),
            dict(VIEW, secretary=404, faction_secretary=404, regional_faction_secretary=404),
        ),
    ]


def _post_matrix(w):
    """(label, url, data, {role: expected}): a success is a redirect (302)."""
    ok = {role: (302 if code == 200 else code) for role, code in OWN.items()}
    w.next_conv = Convocation.objects.create(
        maslikhat=w.maslikhat, number=9, started_on=dt.date(2028, 3, 20)
    )
    today = timezone.localdate().isoformat()
    return [
        (
            "record held",
            _u("report", w.overdue_report.pk),
            {"action": "held", "held_on": today, "attendance": "10"},
            ok,
        ),
        (
            "add a note",
            _u("indicator", w.indicator.pk),
            {"action": "note", "date": today, "text": "Note"},
            ok,
        ),
        (
            "register a faction",
            _u("faction_new", w.maslikhat.pk),
            {"convocation": w.next_conv.pk, "name": "New faction"},
            ok,
        ),
        (
            "edit a report",
            _u("report_edit", w.future_report.pk),
            {
                "date": w.future_report.date.isoformat(),
                "place": "New place",
                "subject": "budget",
                "topic": "New topic",
            },  # fmt: skip
            ok,
        ),
        (
            "threshold",
            _u("threshold", w.maslikhat.pk),
            {"budget_threshold": "80"},
            {role: (302 if code == 200 else code) for role, code in MANAGE_OWN.items()},
        ),
    ]


def _login(client, w, role):
    if role != "anonymous":
        client.force_login(getattr(w, role))


def _ok(response, expected) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and reverse("accounts:login") in response["Location"]
    return response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_matrix_says(client, ow, role):
    w = fo.pages_world(ow)
    _login(client, w, role)
    failures = []
    for label, url, expected_by_role in _matrix(w):
        expected = expected_by_role[role]
        response = client.get(url)
        if not _ok(response, expected):
            failures.append(f"{label} {url}: expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_every_post_answers_each_role_as_the_matrix_says(client, ow, role):
    w = fo.pages_world(ow)
    _login(client, w, role)
    failures = []
    for label, url, data, expected_by_role in _post_matrix(w):
        expected = expected_by_role[role]
        response = client.post(url, data)
        if not _ok(response, expected):
            failures.append(f"{label} {url}: expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)


def test_refused_posts_change_nothing(client, ow):
    w = fo.pages_world(ow)
    client.force_login(w.other_faction_secretary)
    today = timezone.localdate().isoformat()
    client.post(_u("report", w.overdue_report.pk), {"action": "held", "held_on": today,
                                                    "attendance": "1"})  # fmt: skip
    client.post(_u("indicator", w.indicator.pk), {"action": "note", "date": today, "text": "x"})
    next_conv = Convocation.objects.create(
        maslikhat=w.maslikhat, number=9, started_on=dt.date(2028, 3, 20)
    )
    client.post(_u("faction_new", w.maslikhat.pk), {"convocation": next_conv.pk, "name": "F"})
    client.post(_u("report_edit", w.future_report.pk), {
        "date": w.future_report.date.isoformat(), "place": "X", "subject": "budget",
        "topic": "Y"})  # fmt: skip
    client.force_login(w.member_user)
    client.post(_u("faction_new", w.maslikhat.pk), {"convocation": next_conv.pk, "name": "F"})
    client.post(_u("report_edit", w.future_report.pk), {
        "date": w.future_report.date.isoformat(), "place": "X", "subject": "budget",
        "topic": "Y"})  # fmt: skip
    client.force_login(w.faction_secretary)
    client.post(_u("question_appeal", w.question.pk), {"applicant_name": "A"})
    w.overdue_report.refresh_from_db()
    assert w.overdue_report.status == ScheduledReport.Status.SCHEDULED
    assert w.indicator.notes.count() == 1
    assert ReportQuestion.objects.get(pk=w.question.pk).appeal_id is None
    assert not Faction.objects.filter(convocation=next_conv).exists()
    w.future_report.refresh_from_db()
    assert (w.future_report.place, w.future_report.topic) == ("Ауыл клубы", "Жолдар")


def test_matrix_covers_every_oversight_url(ow):
    """A new oversight page must be added to the matrix (or this test fails)."""
    w = fo.pages_world(ow)
    covered = {resolve(url.split("?")[0]).url_name for _label, url, _e in _matrix(w)}
    covered |= {resolve(url).url_name for _label, url, _d, _e in _post_matrix(w)}
    names = {
        name
        for name in get_resolver().namespace_dict["oversight"][1].reverse_dict
        if isinstance(name, str)
    }
    assert names - covered == set()
