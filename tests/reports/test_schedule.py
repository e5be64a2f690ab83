"""Monthly and quarterly reports by email: which periods are due, who gets them, each once."""

import datetime as dt
import io

import pytest
from django.core import mail
from docx import Document

from bastau.core.models import AuditEvent
from bastau.reports import schedule


@pytest.mark.parametrize(
    "today, month, quarter",
    [
        (dt.date(2026, 12, 5), ("2026-11-01", "2026-11-30"), ("2026-07-01", "2026-09-30")),
        (dt.date(2027, 1, 1), ("2026-12-01", "2026-12-31"), ("2026-10-01", "2026-12-31")),
        (dt.date(2028, 3, 31), ("2028-02-01", "2028-02-29"), ("2027-10-01", "2027-12-31")),
    ],
)
def test_the_due_periods(today, month, quarter):
    (k1, m, m0), (k2, q, q0) = schedule.due(today)
    assert (k1, m.start.isoformat(), m.end.isoformat()) == ("monthly", *month)
    assert (k2, q.start.isoformat(), q.end.isoformat()) == ("quarterly", *quarter)
    assert m0.end == m.start - dt.timedelta(days=1) and m0.start.day == 1
    assert q0.end == q.start - dt.timedelta(days=1)


def test_the_chair_and_secretaries_get_each_report_once(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for user in (world.admin, world.secretary, world.other_secretary, world.leader):
        user.email = f"{user.username}@example.kz"
        user.save()
    mail.outbox.clear()
    queued = schedule.queue_due(dt.date(2026, 12, 5))
    assert queued == 6  # 3 readers x (month + quarter); the POO leader gets none
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [f"{u.username}@example.kz" for u in (world.admin, world.secretary, world.other_secretary)]
        * 2
    )
    sent = mail.outbox[0]
    assert "01.11.2026–30.11.2026" in sent.subject or "01.07.2026–30.09.2026" in sent.subject
    names = [a[0] for a in sent.attachments]
    assert {n.rsplit(".", 1)[1] for n in names} == {"docx", "pdf"} and len(names) == 4
    # The secretary's report is about their district: 3 members, not the region's 4.
    to_secretary = next(
        m for m in mail.outbox if m.to == [world.secretary.email] and "11.2026" in m.subject
    )
    docx = next(a for a in to_secretary.attachments if a[0].endswith("-ru.docx"))
    text = "\n".join(p.text for p in Document(io.BytesIO(docx[1])).paragraphs)
    assert "Mugalzhar" in text and "состоят 3 члена партии" in text
    assert AuditEvent.objects.filter(action="report.sent").count() == 6
    # The next day nothing is sent again.
    mail.outbox.clear()
    assert schedule.queue_due(dt.date(2026, 12, 6)) == 0
    assert mail.outbox == []
