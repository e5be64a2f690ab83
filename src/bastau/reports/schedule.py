"""Regular reports: the last finished month and quarter, sent by email to the chair (the
regional administrator) and the district secretaries, each about their own place.

`bastau reports_send` (a daily job of `bastau run_periodic`) finds the due reports and queues
one task per reader and report for the task worker; the task builds the report in the reader's
scope, attaches DOCX and PDF in Kazakh and Russian and records `report.sent` in the audit log.
A report already sent to a reader is not sent again, so the job may run every day (and catch
up after a day the machine was down).
"""

from __future__ import annotations

import datetime as dt
import io

from django.core import mail
from django_tasks import task

from bastau.reception.statistics import Period


def _month(start: dt.date) -> Period:
    nxt = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return Period(start, nxt - dt.timedelta(days=1))


def last_month(today: dt.date) -> tuple[Period, Period]:
    """(the last finished month, the month before): 5 Dec 2026 -> November, October."""
    first = today.replace(day=1)
    current = _month((first - dt.timedelta(days=1)).replace(day=1))
    previous = _month((current.start - dt.timedelta(days=1)).replace(day=1))
    return current, previous


def last_quarter(today: dt.date) -> tuple[Period, Period]:
    """(the last finished quarter, the quarter before): 5 Dec 2026 -> Jul-Sep, Apr-Jun."""
    q_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)

    def quarter_before(start: dt.date) -> Period:
        end = start - dt.timedelta(days=1)
        begin = dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
        return Period(begin, end)

    current = quarter_before(q_start)
    return current, quarter_before(current.start)


def due(today: dt.date) -> list[tuple[str, Period, Period]]:
    return [("monthly", *last_month(today)), ("quarterly", *last_quarter(today))]


def sent_key(kind: str, period: Period, user_id: int) -> str:
    return f"{kind} {period.start.isoformat()}..{period.end.isoformat()} user {user_id}"


def recipients():
    from bastau.accounts.models import Role, User

    return (
        User.objects.filter(is_active=True, role__in=[Role.REGIONAL_ADMIN, Role.DISTRICT_SECRETARY])
        .exclude(email="")
        .order_by("pk")
    )


def queue_due(today: dt.date) -> int:
    """Queue every due report not yet sent; returns how many were queued."""
    from bastau.core.models import AuditEvent

    queued = 0
    users = list(recipients())
    for kind, period, comparison in due(today):
        keys = {sent_key(kind, period, u.pk): u for u in users}
        done = set(
            AuditEvent.objects.filter(action="report.sent", summary__in=list(keys)).values_list(
                "summary", flat=True
            )
        )
        for key, user in keys.items():
            if key in done:
                continue
            send_report.enqueue(
                user.pk,
                kind,
                period.start.isoformat(),
                period.end.isoformat(),
                comparison.start.isoformat(),
                comparison.end.isoformat(),
                today.isoformat(),
            )
            queued += 1
    return queued


SUBJECT = {
    ("monthly", "kk"): "Филиалдың айлық есебі",
    ("monthly", "ru"): "Ежемесячный отчёт филиала",
    ("quarterly", "kk"): "Филиалдың тоқсандық есебі",
    ("quarterly", "ru"): "Ежеквартальный отчёт филиала",
}


@task()
def send_report(user_id, kind, start, end, compare_start, compare_end, today) -> bool:
    """Build one reader's report and email it with its DOCX and PDF in Kazakh and Russian."""
    from bastau.accounts.models import User
    from bastau.accounts.scoping import Scope
    from bastau.core import audit
    from bastau.core.models import AuditEvent
    from bastau.core.printing import CONTENT_TYPES

    from . import documents, figures, permissions, wording

    user = User.objects.get(pk=user_id)
    scope = Scope(user)
    period = Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    comparison = Period(dt.date.fromisoformat(compare_start), dt.date.fromisoformat(compare_end))
    key = sent_key(kind, period, user.pk)
    if not permissions.schedule_reports(scope) or not user.email:
        return False
    if AuditEvent.objects.filter(action="report.sent", summary=key).exists():
        return False
    place = figures.resolve_place(scope)
    report = figures.build(scope, place, period, comparison, as_of=dt.date.fromisoformat(today))
    title_kk = documents.heading(report, "kk")
    title_ru = documents.heading(report, "ru")
    body = "\n\n".join(
        [
            f"{title_kk[0]}\n{title_kk[1]}",
            "\n".join(wording.sentences("members", report.sections[0].facts, "kk")),
            f"{title_ru[0]}\n{title_ru[1]}",
            "\n".join(wording.sentences("members", report.sections[0].facts, "ru")),
        ]
    )
    message = mail.EmailMessage(
        f"{SUBJECT[(kind, 'kk')]} / {SUBJECT[(kind, 'ru')]}: "
        f"{period.start:%d.%m.%Y}–{period.end:%d.%m.%Y}",
        body,
        None,
        [user.email],
    )
    for lang in ("kk", "ru"):
        for fmt in ("docx", "pdf"):
            out = io.BytesIO()
            documents.WRITERS[fmt](report, lang, out)
            name = f"report-{period.start:%Y%m%d}-{period.end:%Y%m%d}-{lang}.{fmt}"
            message.attach(name, out.getvalue(), CONTENT_TYPES[fmt])
    message.send()
    audit.record(user, "report.sent", summary=key)
    return True
