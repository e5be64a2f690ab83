"""The daily digest to the responsible people, and its management command."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from bastau.accounts.scoping import Scope
from bastau.core import sms
from bastau.reception import services
from bastau.reception.models import Appeal

from ..factories.reception import APPLICANT_NAME, D, register

pytestmark = pytest.mark.django_db
TODAY = D(2026, 4, 2)


@pytest.fixture
def appeals(rw):
    rw.secretary.email = "secretary@example.kz"
    rw.secretary.save()
    late = register(rw, registered_on=D(2026, 3, 5))  # due 1 April: overdue on 2 April
    soon = register(rw, registered_on=D(2026, 3, 10))  # due 3 April
    unassigned = register(rw, registered_on=D(2026, 3, 11))  # due 6 April
    later = register(rw, registered_on=D(2026, 3, 30))  # due 21 April: not yet
    done = register(rw, registered_on=D(2026, 3, 5))
    for appeal in (late, soon, later, done):
        services.assign(Scope(rw.secretary), appeal, assignee=rw.officer)
    services.resolve(
        Scope(rw.officer), done, outcome="explained", response_text="x", on=D(2026, 3, 6)
    )
    register(rw, rw.admin, branch=rw.other_district, registered_on=D(2026, 3, 5))  # no one
    sms.outbox.clear()
    mail.outbox.clear()
    return rw, late, soon, unassigned


def test_digest_one_message_per_person(appeals, django_assert_max_num_queries):
    rw, late, soon, unassigned = appeals
    with django_assert_max_num_queries(3):
        result = services.daily_digest(TODAY)
    assert result.appeals == 4  # three in Mugalzhar, one in Khromtau
    # The officer: their two plus the unassigned one of their branch; the secretary: the
    # unassigned one. Khromtau's only handler has no email or phone.
    assert result.per_user[rw.officer.pk] == (1, 2)
    assert result.per_user[rw.secretary.pk] == (0, 1)
    assert result.per_user[rw.other_secretary.pk] == (1, 0)
    assert result.recipients == 2
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {"officer@example.kz", "secretary@example.kz"}
    officer_mail = by_to["officer@example.kz"].body
    assert officer_mail.index(late.number) < officer_mail.index("Due soon")
    assert soon.number in officer_mail and unassigned.number in officer_mail
    assert "01.04.2026" in officer_mail
    assert APPLICANT_NAME not in officer_mail
    assert by_to["officer@example.kz"].subject == "Appeals: 1 overdue, 2 due soon"
    assert [m.to for m in sms.outbox] == ["+77010000001"]
    assert late.number in sms.outbox[0].text
    assert (result.emails, result.sms, result.failures) == (2, 1, 0)


def test_digest_with_nothing_due(rw):
    result = services.daily_digest(TODAY)
    assert result.recipients == 0 and not mail.outbox and not sms.outbox


def test_digest_skips_closed_appeals(appeals):
    rw, late, soon, unassigned = appeals
    for appeal in (late, soon, unassigned):
        services.forward(
            Scope(rw.officer), appeal, to="Akimat", on=D(2026, 3, 31), late_reason="Unclear"
        )
    mail.outbox.clear()
    result = services.daily_digest(TODAY)
    assert set(result.per_user) == {rw.other_secretary.pk, rw.other_officer.pk}
    assert not mail.outbox


def test_command(appeals, capsys):
    call_command("reception_digest", "--date", "2026-04-02")
    out = capsys.readouterr().out
    assert "4 appeals overdue or due soon; 2 recipients; 2 emails, 1 SMS sent" in out
    with pytest.raises(CommandError):
        call_command("reception_digest", "--date", "02.04.2026")


def test_command_reports_failures(appeals, settings):
    settings.EMAIL_BACKEND = "tests.reception.test_digest.FailingMail"
    with pytest.raises(CommandError):
        call_command("reception_digest", "--date", "2026-04-02")
    assert Appeal.objects.count() == 6


class FailingMail:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP down")


def test_unassigned_appeal_of_a_branch_without_handlers_goes_to_the_regional_admin(rw):
    rw.admin.email = "admin@example.kz"
    rw.admin.save()
    register(rw, rw.admin, branch=rw.region, registered_on=D(2026, 3, 5))
    mail.outbox.clear()
    result = services.daily_digest(TODAY)
    assert result.per_user == {rw.admin.pk: (1, 0)}
    assert [m.to for m in mail.outbox] == [["admin@example.kz"]]
