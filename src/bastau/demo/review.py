"""Demo step: the reviews of members in the Mugalzhar district.

- A finished review of last year (1 February to 30 November, closed on 4 December). Its
  answers are read from the members step's own data: the Mugalzhar members who left, died or
  moved in that window are that review's answers (their status changes and transfers are
  already there), the expelled ones an "other" answer; the rest are confirmed, except a few
  left unanswered, so the report shows that a review closed with unanswered members changed
  nothing for them.
- A review running today: opened 12 days ago with a deadline 16 days ahead. Its roll is the
  district's current members who had joined by the opening; about half of the POOs are done,
  some are part way, some have not started (so the progress page shows late POOs), and the
  demo leader's POO has 40 members confirmed, so `leader` has the rest to work through. Every
  seeded answer of the running review is "confirmed", so the demo's member figures (34,000,
  the POO's 118 -> 124...) are exactly those of the members step.

Nothing here writes a member, a transfer or an audit event: the seeded answers only record
what the members step's data already says.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from bastau.members.models import Member, Review, ReviewItem, Transfer
from bastau.members.statistics import members_at

from . import DemoContext, Step
from .structure import DEMO_DISTRICT, GROWTH_POO_CODE, demo_branches
from .util import raw_delete

Answer = ReviewItem.Answer

FINISHED_TITLE = "Партия мүшелерін сараптау {year}"
RUNNING_TITLE = "Партия мүшелерін сараптау {year} (күзгі)"
RUNNING_OPENED_DAYS_AGO = 12
RUNNING_DEADLINE_DAYS_AHEAD = 16
#: The demo leader's POO: members already confirmed in the running review.
LEADER_CONFIRMED = 40
#: Of the finished review's roll, left unanswered when it closed (one in this many).
UNANSWERED_EVERY = 150


def _finished_dates(today: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    year = today.year - 1
    return dt.date(year, 2, 1), dt.date(year, 11, 30), dt.date(year, 12, 4)


def _roll_poo(member: Member, transfers: dict, day: dt.date) -> int:
    """The member's POO on `day`: the POO they left in their first transfer after it."""
    for date, from_poo, _to in transfers.get(member.pk, ()):
        if date > day:
            return from_poo
    return member.poo_id


def _transfers(district_poos: set[int]) -> dict[int, list]:
    by_member: dict[int, list] = {}
    qs = Transfer.objects.filter(from_poo_id__in=district_poos) | Transfer.objects.filter(
        to_poo_id__in=district_poos
    )
    for member_id, date, from_poo, to_poo in qs.order_by("date", "pk").values_list(
        "member_id", "date", "from_poo_id", "to_poo_id"
    ):
        by_member.setdefault(member_id, []).append((date, from_poo, to_poo))
    return by_member


def _seed_finished(ctx: DemoContext, district, district_poos: set[int], transfers) -> Review:
    opened, deadline, closed = _finished_dates(ctx.today)
    rng = ctx.rng("review-finished")
    candidates = members_at(Member.objects.all(), opened).order_by("pk")
    items = []
    after = Counter()
    for m in candidates.only("pk", "poo_id", "status", "left_on", "status_changed_on"):
        poo_id = _roll_poo(m, transfers, opened)
        if poo_id not in district_poos:
            continue
        ended_in_window = m.left_on is not None and opened < m.left_on <= closed
        status_before = Member.Status.ACTIVE if m.status in Member.ENDED else m.status
        if status_before == Member.Status.SUSPENDED and (m.status_changed_on or opened) > opened:
            status_before = Member.Status.ACTIVE
        item = ReviewItem(member_id=m.pk, poo_id=poo_id, status_before=status_before)
        moves = [t for t in transfers.get(m.pk, ()) if opened < t[0] <= closed]
        if ended_in_window:
            item.answer = {
                Member.Status.LEFT: Answer.WISHES_TO_LEAVE,
                Member.Status.DECEASED: Answer.DECEASED,
            }.get(m.status, Answer.OTHER)
            if item.answer == Answer.OTHER:
                item.reason = "Партиядан шығарылды (бюро шешімі)"
            item.answered_on = m.left_on
        elif moves and moves[0][1] == poo_id:
            item.answer = Answer.MOVED
            item.to_poo_id = moves[0][2]
            item.answered_on = moves[0][0]
        elif rng.randrange(UNANSWERED_EVERY) == 0:
            pass  # not answered by the close
        else:
            item.answer = Answer.CONFIRMED
            item.answered_on = opened + dt.timedelta(days=rng.randrange((deadline - opened).days))
        after[m.status if ended_in_window else status_before] += 1
        items.append(item)
    before = Counter(i.status_before for i in items)
    review = Review.objects.create(
        branch=district,
        title=FINISHED_TITLE.format(year=opened.year),
        opened_on=opened,
        deadline=deadline,
        state=Review.State.CLOSED,
        closed_on=closed,
        figures_before={s: before.get(s, 0) for s in Member.Status.values},
        figures_after={s: after.get(s, 0) for s in Member.Status.values},
        unanswered_at_close=sum(1 for i in items if not i.answer),
    )
    for i in items:
        i.review = review
    ReviewItem.objects.bulk_create(items, batch_size=2000)
    return review


def _seed_running(ctx: DemoContext, district, leader_poo_id: int) -> Review:
    today = ctx.today
    opened = today - dt.timedelta(days=RUNNING_OPENED_DAYS_AGO)
    rng = ctx.rng("review-running")
    roll = (
        Member.objects.filter(poo__branch=district, joined_on__lte=opened)
        .exclude(status__in=Member.ENDED)
        .order_by("poo_id", "last_name", "first_name", "pk")
        .values_list("pk", "poo_id", "status")
    )
    by_poo: dict[int, list] = {}
    for pk, poo_id, status in roll:
        by_poo.setdefault(poo_id, []).append((pk, status))
    review = Review.objects.create(
        branch=district,
        title=RUNNING_TITLE.format(year=today.year),
        opened_on=opened,
        deadline=today + dt.timedelta(days=RUNNING_DEADLINE_DAYS_AHEAD),
        figures_before=dict.fromkeys(Member.Status.values, 0),
    )
    items = []
    before = Counter()
    for poo_id in sorted(by_poo):
        rows = by_poo[poo_id]
        if poo_id == leader_poo_id:
            done = min(LEADER_CONFIRMED, len(rows))
        else:
            pace = rng.random()  # half done, a quarter part way, a quarter not started
            done = (
                len(rows)
                if pace < 0.5
                else int(len(rows) * rng.uniform(0.3, 0.9))
                if pace < 0.75
                else 0
            )
        for n, (pk, status) in enumerate(rows):
            before[status] += 1
            answered = n < done
            items.append(
                ReviewItem(
                    review=review,
                    member_id=pk,
                    poo_id=poo_id,
                    status_before=status,
                    answer=Answer.CONFIRMED if answered else "",
                    answered_on=(
                        opened + dt.timedelta(days=rng.randrange(RUNNING_OPENED_DAYS_AGO + 1))
                        if answered
                        else None
                    ),
                )
            )
    ReviewItem.objects.bulk_create(items, batch_size=2000)
    review.figures_before = {s: before.get(s, 0) for s in Member.Status.values}
    review.save(update_fields=["figures_before"])
    return review


def seed(ctx: DemoContext) -> None:
    district = ctx.branch(DEMO_DISTRICT)
    district_poos = set(district.poos.values_list("pk", flat=True))
    transfers = _transfers(district_poos)
    finished = _seed_finished(ctx, district, district_poos, transfers)
    running = _seed_running(ctx, district, ctx.poo(GROWTH_POO_CODE).pk)
    ctx.log(
        f"  reviews: {finished.title} ({finished.items.count():,} members), "
        f"{running.title} ({running.items.count():,} members, running)"
    )


def _reviews():
    return Review.objects.filter(branch__in=demo_branches())


def is_done(ctx: DemoContext) -> bool:
    return _reviews().exists()


def reset(ctx: DemoContext) -> None:
    ids = list(_reviews().values_list("pk", flat=True))
    raw_delete(ReviewItem.objects.filter(review_id__in=ids))
    raw_delete(Review.objects.filter(pk__in=ids))


def summary(ctx: DemoContext) -> list[str]:
    lines = []
    for review in _reviews().order_by("opened_on"):
        answered = review.items.exclude(answer="").count()
        lines.append(
            f"Review «{review.title}» ({review.get_state_display()}): "
            f"{answered:,} of {review.items.count():,} members answered"
        )
    return lines


STEP = Step(name="reviews", seed=seed, is_done=is_done, reset=reset, summary=summary)
