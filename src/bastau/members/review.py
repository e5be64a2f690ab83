"""The review of members (партия мүшелерін сараптау / сверка членов партии).

A district (or the region) opens a review with a deadline; opening takes the roll, one item per
current member of its POOs. Each POO leader answers for every member of their POO. An answer
that changes the member ends in the members app's own actions, never beside them:

- confirmed, other (with a reason): the member is not changed;
- contact lost: `services.change_status` to suspended;
- moved: `services.transfer_member` to the POO the leader picks;
- deceased: `services.change_status` to deceased;
- wishes to leave: `services.change_status` to left.

Those actions audit the change (with the review's id); the answer itself is audited too.
Closing a review records the figures after it; members left unanswered are counted, and
nothing is changed for them. Time is a parameter (`today`); only views and commands read the
clock.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext as _

from bastau.accounts.models import Role, User
from bastau.accounts.scoping import Scope
from bastau.core import audit
from bastau.core.sms import send_sms
from bastau.structure import permissions as structure_perms
from bastau.structure.models import Branch, PrimaryOrganization

from . import permissions as perms
from . import services
from .models import Member, Review, ReviewItem

log = logging.getLogger(__name__)

Answer = ReviewItem.Answer

#: The status each answer sets (through services.change_status); moved is a transfer.
STATUS_FOR = {
    Answer.CONTACT_LOST: Member.Status.SUSPENDED,
    Answer.DECEASED: Member.Status.DECEASED,
    Answer.WISHES_TO_LEAVE: Member.Status.LEFT,
}
#: Answers that change the member; once given they stand (undoing is a staff action).
CHANGING = (Answer.CONTACT_LOST, Answer.MOVED, Answer.DECEASED, Answer.WISHES_TO_LEAVE)
ROLL_BATCH = 5000
#: Days before the deadline from which every unfinished POO is late.
LAST_DAYS = 3


def _default_reason(answer: str) -> str:
    return {
        Answer.CONTACT_LOST: _("Review of members: contact lost"),
        Answer.MOVED: _("Review of members: moved"),
        Answer.DECEASED: _("Review of members: deceased"),
        Answer.WISHES_TO_LEAVE: _("Review of members: wishes to leave"),
    }.get(answer, "")


def _roll(branch: Branch):
    qs = Member.objects.exclude(status__in=Member.ENDED)
    if branch.kind != Branch.Kind.REGION:
        qs = qs.filter(poo__branch=branch)
    return qs


def status_counts(qs) -> dict[str, int]:
    counts = dict.fromkeys(Member.Status.values, 0)
    for row in qs.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def covering(review_branch: Branch):
    """Open reviews whose POOs overlap a review of `review_branch`."""
    qs = Review.objects.filter(state=Review.State.OPEN)
    if review_branch.kind == Branch.Kind.REGION:
        return qs
    return qs.filter(Q(branch=review_branch) | Q(branch__kind=Branch.Kind.REGION))


# Opening and closing ------------------------------------------------------------------------
def open_review(
    scope: Scope, *, branch: Branch, title: str, deadline: dt.date, today: dt.date, request=None
) -> Review:
    scope.require(perms.open_reviews(scope))
    if not structure_perms.branches(scope).filter(pk=branch.pk).exists():
        raise PermissionDenied
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the review a title.")})
    if deadline <= today:
        raise ValidationError({"deadline": _("The deadline must be after today.")})
    if deadline > today + dt.timedelta(days=366):
        raise ValidationError({"deadline": _("The deadline must be within a year.")})
    with transaction.atomic():
        if covering(branch).exists():
            raise ValidationError(
                {"branch": _("A review of these organizations is already running.")}
            )
        roll = _roll(branch)
        review = Review.objects.create(
            branch=branch,
            title=title,
            opened_on=today,
            deadline=deadline,
            opened_by=scope.user if scope.user.is_authenticated else None,
            figures_before=status_counts(roll),
        )
        batch = []
        for pk, poo_id, status in roll.order_by("pk").values_list("pk", "poo_id", "status"):
            batch.append(
                ReviewItem(review=review, member_id=pk, poo_id=poo_id, status_before=status)
            )
            if len(batch) >= ROLL_BATCH:
                ReviewItem.objects.bulk_create(batch)
                batch = []
        ReviewItem.objects.bulk_create(batch)
        audit.record(
            scope.user,
            "review.opened",
            review,
            branch=branch,
            request=request,
            summary=title,
            data={"deadline": deadline.isoformat(), "roll": sum(review.figures_before.values())},
        )
    return review


def figures_now(review: Review) -> dict[str, int]:
    """Counts by status today of the members on the roll."""
    return status_counts(Member.objects.filter(review_items__review=review))


def close_review(scope: Scope, review: Review, *, today: dt.date, request=None) -> Review:
    """Close a review. Members left unanswered are counted and not changed."""
    scope.require(perms.open_reviews(scope))
    if not structure_perms.branches(scope).filter(pk=review.branch_id).exists():
        raise PermissionDenied
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if not review.is_open:
            raise ValidationError(_("This review is already closed."))
        review.state = Review.State.CLOSED
        review.closed_on = today
        review.figures_after = figures_now(review)
        review.unanswered_at_close = review.items.filter(answer="").count()
        review.save()
        audit.record(
            scope.user,
            "review.closed",
            review,
            branch=review.branch,
            request=request,
            summary=review.title,
            data={"unanswered": review.unanswered_at_close},
        )
    return review


# Answers --------------------------------------------------------------------------------
def answer_item(
    scope: Scope,
    item: ReviewItem,
    *,
    answer: str,
    today: dt.date,
    reason: str = "",
    to_poo: PrimaryOrganization | None = None,
    request=None,
) -> ReviewItem:
    """The leader's answer for one member, ending in the members app's own action."""
    if answer not in Answer.values:
        raise ValidationError({"answer": _("Choose one of the answers.")})
    reason = (reason or "").strip()
    with transaction.atomic():
        item = (
            ReviewItem.objects.select_for_update()
            .select_related("review", "member", "poo")
            .get(pk=item.pk)
        )
        member = item.member
        if not item.review.is_open:
            raise ValidationError(_("This review is closed; answers are no longer taken."))
        if not perms.may_answer(scope, item):
            raise PermissionDenied
        if not member.is_member:
            raise ValidationError(_("This member's membership has already ended."))
        if item.answer in CHANGING:
            raise ValidationError(
                _("This member's answer has already changed their record; it stands.")
            )
        if answer == Answer.OTHER and not reason:
            raise ValidationError({"reason": _("Say what the other answer is.")})
        if answer == Answer.MOVED and to_poo is None:
            raise ValidationError({"to_poo": _("Choose the organization the member moved to.")})
        if answer != Answer.MOVED:
            to_poo = None
        action_reason = reason or _default_reason(answer)
        if answer == Answer.MOVED:
            services.transfer_member(
                scope,
                member,
                to_poo=to_poo,
                date=today,
                reason=action_reason,
                request=request,
                review_item=item,
            )
        elif answer in STATUS_FOR and member.status != STATUS_FOR[answer]:
            services.change_status(
                scope,
                member,
                status=STATUS_FOR[answer],
                date=today,
                reason=action_reason,
                request=request,
                review_item=item,
            )
        item.answer = answer
        item.reason = reason
        item.to_poo = to_poo
        item.answered_on = today
        item.answered_by = scope.user
        item.save()
        audit.record(
            scope.user,
            "review.answered",
            member,
            branch=item.poo.branch,
            request=request,
            summary=reason,
            data={"review": item.review_id, "answer": answer},
        )
    return item


# Members in their cabinet ------------------------------------------------------------------
def own_open_item(user) -> ReviewItem | None:
    """The member's item on a running review, if any."""
    if not getattr(user, "member_id", None):
        return None
    return (
        ReviewItem.objects.filter(member_id=user.member_id, review__state=Review.State.OPEN)
        .select_related("review")
        .first()
    )


def confirm_own_contacts(
    scope: Scope, item: ReviewItem, *, phone: str, email: str, address: str, today, request=None
) -> Member:
    """A member confirms (and may correct) their own contact details during a review."""
    if not scope.user.is_authenticated or scope.user.member_id != item.member_id:
        raise PermissionDenied
    with transaction.atomic():
        item = (
            ReviewItem.objects.select_for_update()
            .select_related("review", "member")
            .get(pk=item.pk)
        )
        if not item.review.is_open:
            raise ValidationError(_("This review is closed."))
        member = item.member
        member.phone = phone.strip()
        member.email = email.strip()
        member.address = address.strip()
        member._change_reason = "review: contacts confirmed by the member"
        member.full_clean()
        member.save()
        item.self_confirmed_on = today
        item.save(update_fields=["self_confirmed_on"])
        audit.record(
            scope.user,
            "member.contacts_confirmed",
            member,
            branch=member.poo.branch,
            request=request,
            data={"review": item.review_id},
        )
    return member


# Progress -------------------------------------------------------------------------------
@dataclass
class ProgressRow:
    key: int
    label: str
    total: int
    answered: int
    changed: int
    late: bool = False
    code: str = ""

    @property
    def percent(self) -> int:
        return 100 if not self.total else (100 * self.answered) // self.total


def expected_percent(review: Review, today: dt.date) -> int:
    """The share of the review's time gone by: where a POO on pace would be."""
    span = (review.deadline - review.opened_on).days or 1
    gone = (min(today, review.deadline) - review.opened_on).days
    return max(0, min(100, (100 * gone) // span))


def is_late(review: Review, total: int, answered: int, today: dt.date) -> bool:
    """Unfinished, and either behind the pace or in the last days before the deadline."""
    if not review.is_open or answered >= total:
        return False
    if (review.deadline - today).days <= LAST_DAYS:
        return True
    return answered * 100 < expected_percent(review, today) * total


def _rows(review, items, by: str, today) -> list[ProgressRow]:
    if by == "poo":
        keys = ("poo", "poo__name", "poo__code")
    else:
        keys = ("poo__branch", "poo__branch__name", "poo__branch__code")
    rows = (
        items.order_by()
        .values(*keys)
        .annotate(
            total=Count("pk"),
            answered=Count("pk", filter=~Q(answer="")),
            changed=Count("pk", filter=Q(answer__in=CHANGING)),
        )
        .order_by(keys[1])
    )
    return [
        ProgressRow(
            key=r[keys[0]],
            label=r[keys[1]],
            code=r[keys[2]],
            total=r["total"],
            answered=r["answered"],
            changed=r["changed"],
            late=is_late(review, r["total"], r["answered"], today),
        )
        for r in rows
    ]


def progress(scope: Scope, review: Review, today: dt.date, *, branch_code: str = ""):
    """Rows by district (a regional review) and by POO, for the scope's part of the review."""
    items = perms.review_items(scope, review)
    if branch_code:
        items = items.filter(poo__branch__code=branch_code)
    by_branch = _rows(review, items, "branch", today)
    by_poo = _rows(review, items, "poo", today)
    total = sum(r.total for r in by_branch)
    answered = sum(r.answered for r in by_branch)
    overall = ProgressRow(
        key=0,
        label="",
        total=total,
        answered=answered,
        changed=sum(r.changed for r in by_branch),
        late=is_late(review, total, answered, today),
    )
    return overall, by_branch, by_poo


# Reminders -------------------------------------------------------------------------------
@dataclass
class ReminderResult:
    reviews: int = 0
    poos: int = 0
    emails: int = 0
    sms: int = 0
    failures: int = 0
    recipients: set = field(default_factory=set)


def _notify(user: User, subject: str, body: str, result: ReminderResult) -> None:
    if not user.is_active or not (user.email or user.phone):
        return
    result.recipients.add(user.pk)
    if user.email:
        try:
            result.emails += mail.send_mail(
                subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]
            )
        except Exception:
            log.exception("review reminder email to user %s failed", user.pk)
            result.failures += 1
    if user.phone:
        try:
            result.sms += send_sms(user.phone, subject)
        except Exception:
            log.exception("review reminder SMS to user %s failed", user.pk)
            result.failures += 1


def late_poos(review: Review, today: dt.date) -> list[ProgressRow]:
    return [r for r in _rows(review, review.items.all(), "poo", today) if r.late]


def send_reminders(today: dt.date, *, review_id: int | None = None) -> ReminderResult:
    """Remind the leaders of late POOs of every running review (or of one), once a day."""
    result = ReminderResult()
    reviews = Review.objects.filter(state=Review.State.OPEN, opened_on__lte=today).exclude(
        last_reminded_on=today
    )
    if review_id is not None:
        reviews = reviews.filter(pk=review_id)
    with translation.override(settings.LANGUAGE_CODE):
        for review in reviews:
            late = late_poos(review, today)
            leaders = User.objects.filter(
                role=Role.POO_LEADER, poo_id__in=[r.key for r in late], is_active=True
            )
            by_poo = {r.key: r for r in late}
            for leader in leaders:
                row = by_poo[leader.poo_id]
                params = {
                    "title": review.title,
                    "deadline": review.deadline.isoformat(),
                    "left": row.total - row.answered,
                }
                subject = (
                    _("Review of members “%(title)s”: %(left)s members to answer by %(deadline)s")
                    % params
                )
                _notify(leader, subject, subject, result)
            result.poos += len(late)
            result.reviews += 1
            Review.objects.filter(pk=review.pk).update(last_reminded_on=today)
    return result


# The report ------------------------------------------------------------------------------
@dataclass
class Report:
    review: Review
    before: list  # (status label, count)
    after: list
    answers: list  # (answer label, count)
    unanswered: int
    moved: int
    changed: object  # queryset of changed items


def report(scope: Scope, review: Review) -> Report:
    """Figures before and after, answers, and the members whose record the review changed.
    The figures of the whole review; the changed members, those of the scope."""
    after = review.figures_after if not review.is_open else figures_now(review)
    labels = dict(Member.Status.choices)
    answer_counts = {
        r["answer"]: r["n"]
        for r in review.items.order_by().values("answer").annotate(n=Count("pk"))
    }
    changed = (
        perms.review_items(scope, review)
        .filter(answer__in=CHANGING)
        .select_related("member", "poo", "to_poo")
        .order_by("member__last_name", "member__first_name", "pk")
    )
    return Report(
        review=review,
        before=[(labels[s], review.figures_before.get(s, 0)) for s in Member.Status.values],
        after=[(labels[s], after.get(s, 0)) for s in Member.Status.values],
        answers=[(label, answer_counts.get(value, 0)) for value, label in Answer.choices],
        unanswered=answer_counts.get("", 0),
        moved=answer_counts.get(Answer.MOVED, 0),
        changed=changed,
    )
