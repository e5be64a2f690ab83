"""The review of members: opening, answers through the members' own actions, scope, closing,
progress, reminders, the report, a member confirming their contacts, bad input in kk and ru."""

import datetime as dt
from urllib.parse import unquote

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.core import sms
from bastau.core.models import AuditEvent
from bastau.members import review
from bastau.members.models import Member, PartyCard, Review, ReviewItem, Transfer

from .. import factories as f

Answer = ReviewItem.Answer


def _open(world, by=None, branch=None, days=20, today=None):
    today = today or timezone.localdate()
    return review.open_review(
        Scope(by or world.secretary),
        branch=branch or world.district,
        title="Review 2026",
        deadline=today + dt.timedelta(days=days),
        today=today,
    )


def _item(rev, member) -> ReviewItem:
    return ReviewItem.objects.get(review=rev, member=member)


def _answer(world, rev, member, answer, user=None, **kw):
    return review.answer_item(
        Scope(user or world.leader),
        _item(rev, member),
        answer=answer,
        today=timezone.localdate(),
        **kw,
    )


# Opening ----------------------------------------------------------------------------------
def test_opening_takes_the_roll_of_the_districts_current_members(world):
    gone = f.member(world.poo, status=Member.Status.LEFT, left_on=dt.date(2020, 1, 1))
    suspended = f.member(world.poo2, status=Member.Status.SUSPENDED)
    rev = _open(world)
    on_roll = set(rev.items.values_list("member_id", flat=True))
    assert on_roll == {m.pk for m in world.members} | {suspended.pk}
    assert gone.pk not in on_roll and world.other_member.pk not in on_roll
    assert rev.figures_before["active"] == 3 and rev.figures_before["suspended"] == 1
    assert AuditEvent.objects.filter(action="review.opened", object_id=str(rev.pk)).exists()


def test_the_region_reviews_every_district(world):
    rev = _open(world, by=world.admin, branch=world.region)
    assert rev.items.count() == 4


def test_a_secretary_cannot_open_a_review_of_another_district(world):
    with pytest.raises(PermissionDenied):
        _open(world, branch=world.other_district)
    with pytest.raises(PermissionDenied):
        _open(world, by=world.leader)
    assert not Review.objects.exists()


def test_a_deadline_must_be_ahead_and_reviews_must_not_overlap(world):
    with pytest.raises(ValidationError) as exc:
        _open(world, days=0)
    assert "deadline" in exc.value.message_dict
    _open(world)
    with pytest.raises(ValidationError) as exc:
        _open(world, by=world.admin, branch=world.region)
    assert "branch" in exc.value.message_dict
    assert Review.objects.count() == 1


# Answers ----------------------------------------------------------------------------------
def test_confirmed_changes_nothing_but_is_recorded_and_audited(world):
    rev = _open(world)
    m = world.members[1]
    before = Member.objects.get(pk=m.pk)
    item = _answer(world, rev, m, Answer.CONFIRMED)
    assert item.answer == "confirmed" and item.answered_by == world.leader
    after = Member.objects.get(pk=m.pk)
    assert (after.status, after.poo_id) == (before.status, before.poo_id)
    assert AuditEvent.objects.filter(action="review.answered", object_id=str(m.pk)).exists()
    assert not AuditEvent.objects.filter(action="member.status").exists()


@pytest.mark.parametrize(
    "answer,status",
    [
        (Answer.DECEASED, Member.Status.DECEASED),
        (Answer.WISHES_TO_LEAVE, Member.Status.LEFT),
        (Answer.CONTACT_LOST, Member.Status.SUSPENDED),
    ],
)
def test_status_answers_end_in_the_status_change_action(world, answer, status):
    rev = _open(world)
    m = world.members[1]
    PartyCard.objects.create(member=m, series="AKT", number=1, issued_on=dt.date(2016, 1, 1))
    _answer(world, rev, m, answer)
    m.refresh_from_db()
    today = timezone.localdate()
    assert m.status == status and m.status_changed_on == today and m.status_reason
    assert (m.left_on == today) == (status in Member.ENDED)
    card = m.cards.get()
    assert (card.status == PartyCard.Status.REVOKED) == (status in Member.ENDED)
    event = AuditEvent.objects.get(action="member.status", object_id=str(m.pk))
    assert event.data["review"] == rev.pk and event.actor == world.leader
    assert m.history.first().status == status  # the field diff is kept too


def test_moved_ends_in_a_transfer_to_the_poo_the_leader_picks(world):
    rev = _open(world)
    m = world.members[1]
    _answer(world, rev, m, Answer.MOVED, to_poo=world.other_poo)
    m.refresh_from_db()
    assert m.poo == world.other_poo
    transfer = Transfer.objects.get(member=m)
    assert (transfer.from_poo, transfer.to_poo) == (world.poo, world.other_poo)
    event = AuditEvent.objects.get(action="member.transferred")
    assert event.data["review"] == rev.pk


def test_bad_answers_change_nothing(world):
    rev = _open(world)
    m = world.members[1]
    with pytest.raises(ValidationError) as exc:
        _answer(world, rev, m, Answer.OTHER, reason="  ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _answer(world, rev, m, Answer.MOVED)
    assert "to_poo" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _answer(world, rev, m, Answer.MOVED, to_poo=world.poo)  # the same POO
    with pytest.raises(ValidationError):
        _answer(world, rev, m, "vanished")
    assert _item(rev, m).answer == ""
    assert not Transfer.objects.exists()
    assert Member.objects.get(pk=m.pk).status == Member.Status.ACTIVE


def test_an_answer_that_changed_the_record_stands(world):
    rev = _open(world)
    m = world.members[1]
    _answer(world, rev, m, Answer.CONFIRMED)
    _answer(world, rev, m, Answer.WISHES_TO_LEAVE)  # a mistaken "confirmed" can be corrected
    with pytest.raises(ValidationError):
        _answer(world, rev, m, Answer.CONFIRMED)
    assert _item(rev, m).answer == Answer.WISHES_TO_LEAVE


def test_answers_outside_the_leaders_poo_are_refused(world):
    rev = _open(world)
    outsider = world.members[2]  # in poo2, not the leader's
    with pytest.raises(PermissionDenied):
        _answer(world, rev, outsider, Answer.DECEASED)
    with pytest.raises(PermissionDenied):
        _answer(world, rev, world.members[1], Answer.CONFIRMED, user=world.member_user)
    assert Member.objects.get(pk=outsider.pk).status == Member.Status.ACTIVE
    assert _item(rev, outsider).answer == ""


def test_a_leader_cannot_use_a_review_item_to_change_another_member(world):
    """The actions' review permission holds only for the item's own member."""
    from bastau.members import services

    rev = _open(world)
    item = _item(rev, world.members[1])
    with pytest.raises(PermissionDenied):
        services.change_status(
            Scope(world.leader),
            world.members[0],
            status=Member.Status.LEFT,
            date=timezone.localdate(),
            reason="x",
            review_item=item,
        )
    with pytest.raises(PermissionDenied):  # and without a review, a leader edits no one
        services.change_status(
            Scope(world.leader),
            world.members[1],
            status=Member.Status.LEFT,
            date=timezone.localdate(),
            reason="x",
        )


# Closing and the report -------------------------------------------------------------------
def test_closing_with_unanswered_members_says_so_and_changes_nothing_for_them(world, client):
    rev = _open(world)
    _answer(world, rev, world.members[1], Answer.DECEASED)
    _answer(world, rev, world.members[0], Answer.CONFIRMED)
    unanswered = world.members[2]
    before = Member.objects.filter(pk=unanswered.pk).values().get()
    today = timezone.localdate()
    closed = review.close_review(Scope(world.secretary), rev, today=today)
    assert closed.state == Review.State.CLOSED and closed.unanswered_at_close == 1
    assert Member.objects.filter(pk=unanswered.pk).values().get() == before
    assert closed.figures_before["active"] == 3
    assert closed.figures_after["active"] == 2 and closed.figures_after["deceased"] == 1
    with pytest.raises(ValidationError):
        _answer(world, rev, unanswered, Answer.CONFIRMED, user=world.secretary)
    with pytest.raises(ValidationError):
        review.close_review(Scope(world.secretary), rev, today=today)

    client.force_login(world.secretary)
    page = client.get(reverse("members:review_report", args=[rev.pk])).content.decode()
    assert "1 member was not reviewed" in page
    assert world.members[1].full_name in page and unanswered.full_name not in page


def test_the_report_in_kazakh_and_russian(world, client):
    rev = _open(world)
    _answer(world, rev, world.members[1], Answer.WISHES_TO_LEAVE)
    review.close_review(Scope(world.secretary), rev, today=timezone.localdate())
    client.force_login(world.secretary)
    url = reverse("members:review_report", args=[rev.pk])
    kk = client.get(url, HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    ru = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Партиядан шығуды қалайды" in kk and "Желает выйти из партии" in ru
    assert "Before" not in kk and "Before" not in ru
    response = client.get(reverse("members:review_report_xlsx", args=[rev.pk]))
    assert response.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(b"".join(response.streaming_content)))
    changed = list(wb.worksheets[1].iter_rows(values_only=True))
    assert [row[0] for row in changed[1:]] == [world.members[1].full_name]


# Progress and reminders -------------------------------------------------------------------
def test_progress_by_poo_against_the_deadline(world):
    opened = timezone.localdate() - dt.timedelta(days=10)
    rev = _open(world, days=20, today=opened)  # halfway through today
    _answer(world, rev, world.members[0], Answer.CONFIRMED)
    _answer(world, rev, world.members[1], Answer.CONFIRMED)
    today = timezone.localdate()
    overall, by_branch, by_poo = review.progress(Scope(world.secretary), rev, today)
    assert review.expected_percent(rev, today) == 50
    rows = {r.key: (r.answered, r.total, r.late) for r in by_poo}
    assert rows == {world.poo.pk: (2, 2, False), world.poo2.pk: (0, 1, True)}
    assert (overall.answered, overall.total) == (2, 3)
    assert [(r.key, r.answered) for r in by_branch] == [(world.district.pk, 2)]
    # The leader's scope sees only their POO.
    _o, _b, leader_rows = review.progress(Scope(world.leader), rev, today)
    assert [r.key for r in leader_rows] == [world.poo.pk]


def test_reminders_go_to_late_leaders_once_a_day(world):
    late_leader = f.user(
        Role.POO_LEADER, poo=world.poo2, email="l2@example.com", phone="+77011112233"
    )
    world.leader.email = "l1@example.com"
    world.leader.save()
    opened = timezone.localdate() - dt.timedelta(days=10)
    rev = _open(world, days=20, today=opened)
    _answer(world, rev, world.members[0], Answer.CONFIRMED)
    _answer(world, rev, world.members[1], Answer.CONFIRMED)
    today = timezone.localdate()
    result = review.send_reminders(today)
    assert result.recipients == {late_leader.pk}
    assert [m.to for m in mail.outbox] == [["l2@example.com"]]
    assert len(sms.outbox) == 1 and "Review 2026" in mail.outbox[0].subject
    again = review.send_reminders(today)
    assert again.recipients == set() and len(mail.outbox) == 1
    rev.refresh_from_db()
    assert rev.last_reminded_on == today


def test_the_remind_button_queues_the_task(world, client):
    late_leader = f.user(Role.POO_LEADER, poo=world.poo2, email="l2@example.com")
    world.leader.email = world.leader.phone = ""
    world.leader.save()
    rev = _open(world, days=2)  # the last days: every unfinished POO is late
    client.force_login(world.secretary)
    response = client.post(reverse("members:review_remind", args=[rev.pk]))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[late_leader.email]]
    client.force_login(world.leader)
    assert client.post(reverse("members:review_remind", args=[rev.pk])).status_code == 403


# Pages ------------------------------------------------------------------------------------
def test_the_leaders_roll_pages_searches_and_answers(world, client):
    for n in range(30):
        f.member(world.poo, last_name=f"Ахмет{n:02d}")
    rev = _open(world)
    client.force_login(world.leader)
    url = reverse("members:review_roll", args=[rev.pk, world.poo.code])
    page = client.get(url).context["page"]
    assert page.paginator.count == 32 and len(page.object_list) == 25
    found = client.get(url, {"q": "Ахмет05"}).context["page"]
    assert [i.member.last_name for i in found] == ["Ахмет05"]
    target = found[0]
    answer_url = reverse("members:review_answer", args=[rev.pk, target.pk])
    response = client.post(answer_url, {"answer": "confirmed", "back": url + "?q=Ахмет05"})
    assert response.status_code == 302
    assert unquote(response["Location"]) == url + "?q=Ахмет05"
    assert ReviewItem.objects.get(pk=target.pk).answer == "confirmed"
    todo = client.get(url, {"todo": "1"}).context["page"]
    assert todo.paginator.count == 31
    # An off-site "back" is ignored.
    other = todo[0]
    response = client.post(
        reverse("members:review_answer", args=[rev.pk, other.pk]),
        {"answer": "confirmed", "back": "https://evil.example/"},
    )
    assert response["Location"] == url


def test_pages_outside_the_leaders_poo_are_not_there(world, client):
    rev = _open(world)
    client.force_login(world.leader)
    outsider = _item(rev, world.members[2])
    assert (
        client.get(reverse("members:review_roll", args=[rev.pk, world.poo2.code])).status_code
        == 404
    )
    url = reverse("members:review_answer", args=[rev.pk, outsider.pk])
    assert client.post(url, {"answer": "deceased"}).status_code == 404
    assert _item(rev, world.members[2]).answer == ""


@pytest.mark.parametrize(
    "lang,expected",
    [("kk", "Басқа жауаптың не екенін жазыңыз."), ("ru", "Укажите, какой другой ответ.")],
)
def test_bad_input_is_explained_in_the_users_language(world, client, lang, expected):
    rev = _open(world)
    item = _item(rev, world.members[1])
    client.force_login(world.leader)
    url = reverse("members:review_answer", args=[rev.pk, item.pk])
    response = client.post(url, {"answer": "other", "reason": ""}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert _item(rev, world.members[1]).answer == ""


@pytest.mark.parametrize(
    "lang,expected",
    [
        ("kk", "Мерзім бүгіннен кейін болуы керек."),
        ("ru", "Срок должен быть позже сегодняшнего дня."),
    ],
)
def test_a_past_deadline_is_refused_in_kk_and_ru(world, client, lang, expected):
    client.force_login(world.secretary)
    response = client.post(
        reverse("members:review_new"),
        {"branch": world.district.pk, "title": "R", "deadline": "2000-01-01"},
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert response.status_code == 200 and expected in response.content.decode()
    assert not Review.objects.exists()


def test_a_secretary_opens_and_closes_a_review_on_pages(world, client):
    client.force_login(world.secretary)
    deadline = timezone.localdate() + dt.timedelta(days=14)
    response = client.post(
        reverse("members:review_new"),
        {"branch": world.district.pk, "title": "Spring review", "deadline": deadline.isoformat()},
    )
    rev = Review.objects.get()
    assert response["Location"] == rev.get_absolute_url()
    page = client.get(rev.get_absolute_url()).content.decode()
    assert "0 / 3" in page
    close = reverse("members:review_close", args=[rev.pk])
    assert "3 members are still unanswered" in client.get(close).content.decode()
    client.post(close, {})
    rev.refresh_from_db()
    assert rev.state == Review.State.CLOSED and rev.unanswered_at_close == 3
    # The other district's secretary sees neither the review nor its pages.
    client.force_login(world.other_secretary)
    assert client.get(rev.get_absolute_url()).status_code == 404


def test_a_member_confirms_their_contacts_in_the_cabinet(world, client):
    client.force_login(world.member_user)
    url = reverse("members:review_own_contacts")
    assert client.get(url).status_code == 404  # no review running
    rev = _open(world)
    assert "own-review" in client.get(reverse("members:me")).content.decode()
    response = client.post(
        url, {"phone": "+77015550000", "email": "a@b.kz", "address": "Қандыағаш"}
    )
    assert response.status_code == 302
    m = Member.objects.get(pk=world.member.pk)
    assert (m.phone, m.email, m.address) == ("+77015550000", "a@b.kz", "Қандыағаш")
    assert _item(rev, m).self_confirmed_on == timezone.localdate()
    assert AuditEvent.objects.filter(action="member.contacts_confirmed").count() == 1
    with translation.override("ru"):
        bad = client.post(url, {"email": "not-an-email"}, HTTP_ACCEPT_LANGUAGE="ru")
    assert "Введите корректный адрес электронной почты" in bad.content.decode()


def test_the_roll_page_costs_the_same_queries_for_5_or_60_members(
    world, client, django_assert_max_num_queries
):
    """The leader's page reads one page of items with their members: no query per row."""
    rev = _open(world)
    client.force_login(world.leader)
    url = reverse("members:review_roll", args=[rev.pk, world.poo.code])
    client.get(url)  # warm the session
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    review.close_review(Scope(world.secretary), rev, today=timezone.localdate())
    for _ in range(60):
        f.member(world.poo)
    rev = _open(world)
    url = reverse("members:review_roll", args=[rev.pk, world.poo.code])
    with django_assert_max_num_queries(12) as large:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 25
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_member_who_left_meanwhile_cannot_be_answered_for(world):
    from bastau.members import services

    rev = _open(world)
    m = world.members[1]
    services.change_status(
        Scope(world.secretary), m, status=Member.Status.LEFT, date=timezone.localdate(), reason="x"
    )
    with pytest.raises(ValidationError):
        _answer(world, rev, m, Answer.CONFIRMED)
    assert _item(rev, m).answer == ""


def test_the_report_as_docx_in_kazakh_and_russian(world, client):
    from io import BytesIO

    from docx import Document

    rev = _open(world)
    _answer(world, rev, world.members[1], Answer.DECEASED)
    review.close_review(Scope(world.secretary), rev, today=timezone.localdate())
    client.force_login(world.secretary)
    texts, active_rows = {}, {}
    for lang in ("kk", "ru"):
        response = client.get(reverse("members:review_report_docx", args=[rev.pk, lang]))
        assert response.status_code == 200
        doc = Document(BytesIO(b"".join(response.streaming_content)))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        texts[lang] = "\n".join([p.text for p in doc.paragraphs] + cells)
        rows = [[c.text for c in row.cells] for row in doc.tables[0].rows]
        active_rows[lang] = rows[1]  # the first status: active
        assert world.members[1].full_name in texts[lang]
        assert "Before" not in texts[lang] and "Deceased" not in texts[lang]
    assert "Мүшелерді сараптау есебі" in texts["kk"] and "Қайтыс болды" in texts["kk"]
    assert "Отчёт о сверке членов партии" in texts["ru"] and "Умер" in texts["ru"]
    # Status, before, after: the active members went from 3 to 2.
    assert active_rows == {"kk": ["Белсенді", "3", "2"], "ru": ["Действует", "3", "2"]}
    missing = client.get(reverse("members:review_report_docx", args=[rev.pk, "en"]))
    assert missing.status_code == 404
