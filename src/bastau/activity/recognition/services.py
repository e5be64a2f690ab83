"""Contests, awards and commissions: actions and scoped reads.

Each action checks permission for the caller's `Scope`, validates (raising `ValidationError`
with translated messages, or `PermissionDenied`) before it writes anything, writes inside a
transaction and records an audit event.

Who may do what:
- contests are region-wide events. Every signed-in user sees them. The regional
  administrator creates them (with criteria and jurors), seats and removes jurors, opens the
  district stage and closes both stages, and awards the winners;
- entries: a POO leader enters their own POO, a district secretary the POOs of their
  district, the administrator any POO; only while the contest accepts entries (status
  "open" and not after `entries_until`); one entry per POO;
- scoring: a juror scores only during their stage: a district juror the entries of their
  district, a regional juror the entries advanced to the regional stage; 0..max points;
- results: a stage's ranking is published to every signed-in user once the stage is closed.
  While it runs, the administrator sees all of it, a district secretary and a district juror
  their own district's part (district stage), a regional juror the finalists (regional
  stage);
- awards: the administrator gives them to any member or POO; a district secretary to the
  members and POOs of their district (in the name of their branch). The administrator sees
  all awards, a secretary those of their district's members and POOs, a POO leader those of
  their POO and its members, a member their own;
- commissions: the administrator (any branch) and a district secretary (their own branch's)
  create them, seat and unseat their members and record sessions with decisions. Nobody
  else sees them.
- editors: whoever may give an award (`permissions.change_award`) corrects or deletes it;
  whoever manages a commission corrects or deletes it, its seats and its sessions. A
  commission that has held a session is not deleted (its term is ended instead); a member who
  leaves has their seat ended, not deleted. Every change keeps its old and new values in the
  object's simple_history records (`_by` names the user) and records an audit event naming
  the fields changed.

Ranking arithmetic lives in `bastau.lib.contest_ranking` (pure, exact, with the tie-break
documented there).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from bastau.accounts.scoping import Scope
from bastau.core import audit
from bastau.lib import contest_ranking as cr
from bastau.members import permissions as members_permissions
from bastau.structure import permissions as structure_permissions
from bastau.structure.models import Branch, PrimaryOrganization

from .. import permissions
from ..models import (
    Award,
    Commission,
    CommissionDecision,
    CommissionMembership,
    CommissionSession,
    Contest,
    ContestCriterion,
    ContestEntry,
    Juror,
    Score,
)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


#: The longest reason simple_history keeps with a change.
REASON_LENGTH = 100


def _by(obj, scope: Scope, reason: str = ""):
    """Name who makes the next save or delete of `obj` (and why) in its history record, also
    outside a request (commands, tests)."""
    obj._history_user = scope.user if scope.user.is_authenticated else None
    if reason.strip():
        obj._change_reason = reason.strip()[:REASON_LENGTH]
    return obj


def _assign(obj, **values) -> list[str]:
    """Set the fields that differ; the names of those changed (for the audit event)."""
    changed = []
    for name, value in values.items():
        field = obj._meta.get_field(name)
        if getattr(obj, field.attname) != (value.pk if hasattr(value, "pk") else value):
            setattr(obj, name, value)
            changed.append(name)
    return changed


# Contests: reads -----------------------------------------------------------------------------
def accepts_entries(contest: Contest, today: dt.date | None = None) -> bool:
    return contest.status == Contest.Status.OPEN and (
        contest.entries_until is None or _today(today) <= contest.entries_until
    )


def sheet_entries(seat: Juror) -> QuerySet:
    """The entries a juror scores at their stage."""
    qs = seat.contest.entries.select_related("poo", "poo__branch").order_by("poo__name", "pk")
    if seat.stage == Contest.Stage.DISTRICT:
        return qs.filter(poo__branch_id=seat.district_id)
    return qs.filter(advanced=True)


def stage_closed(contest: Contest, stage: str) -> bool:
    if stage == Contest.Stage.DISTRICT:
        return contest.status in (Contest.Status.REGIONAL, Contest.Status.FINISHED)
    return contest.status == Contest.Status.FINISHED


ALL = "all"


def ranking_reach(scope: Scope, contest: Contest, stage: str):
    """What of a stage's ranking the scope may see: `ALL`, a district id, or None."""
    if not scope.user.is_authenticated:
        return None
    if stage_closed(contest, stage) or scope.is_regional_admin:
        return ALL
    if contest.status != stage:
        return None
    seat = contest.jurors.filter(user=scope.user, stage=stage).first()
    if stage == Contest.Stage.REGIONAL:
        return ALL if seat else None
    if seat is not None:
        return seat.district_id
    if permissions.is_district_secretary(scope):
        return scope.user.branch_id
    return None


@dataclass
class RankRow:
    entry: ContestEntry
    place: int
    score: Decimal
    tied: bool
    marks: int


@dataclass
class RankGroup:
    district: Branch | None  # None at the regional stage
    rows: list[RankRow]


def _stage_entries(contest: Contest, stage: str) -> QuerySet:
    qs = contest.entries.all()
    if stage == Contest.Stage.REGIONAL:
        qs = qs.filter(advanced=True)
    return qs


def _standings(contest: Contest, stage: str, entries_qs: QuerySet):
    """Three queries: criteria, entries, marks."""
    criteria = [
        cr.Criterion(c.pk, c.weight, c.max_points, c.position) for c in contest.criteria.all()
    ]
    objs = {e.pk: e for e in entries_qs.select_related("poo", "poo__branch")}
    marks = [
        cr.Mark(e, c, p)
        for e, c, p in Score.objects.filter(
            stage=stage, entry__in=entries_qs.values("pk")
        ).values_list("entry_id", "criterion_id", "points")
    ]
    items = [cr.Entry(e.pk, e.poo.branch_id, e.submitted_on, e.pk) for e in objs.values()]
    return criteria, objs, items, marks


def _row(s: cr.Standing, objs) -> RankRow:
    return RankRow(objs[s.entry.key], s.place, s.score_decimal, s.tied, s.marks)


def stage_ranking(contest: Contest, stage: str, *, district_id=None) -> list[RankGroup]:
    """The ranking of a stage computed from the scores (three queries, not per entry).

    District stage: one group per district (by name), optionally one district only.
    Regional stage: one group of the advanced entries."""
    qs = _stage_entries(contest, stage)
    if district_id is not None:
        qs = qs.filter(poo__branch_id=district_id)
    criteria, objs, items, marks = _standings(contest, stage, qs)
    if stage == Contest.Stage.REGIONAL:
        return [RankGroup(None, [_row(s, objs) for s in cr.rank(items, criteria, marks)])]
    groups = cr.rank_groups(items, criteria, marks)
    result = []
    for standings in groups.values():
        district = objs[standings[0].entry.key].poo.branch
        result.append(RankGroup(district, [_row(s, objs) for s in standings]))
    result.sort(key=lambda g: (g.district.name, g.district.pk))
    return result


def visible_ranking(scope: Scope, contest: Contest, stage: str) -> list[RankGroup] | None:
    reach = ranking_reach(scope, contest, stage)
    if reach is None:
        return None
    if stage == Contest.Stage.REGIONAL and contest.status in (
        Contest.Status.OPEN,
        Contest.Status.DISTRICT,
    ):
        return []
    return stage_ranking(contest, stage, district_id=None if reach == ALL else reach)


# Contests: actions ---------------------------------------------------------------------------
def _clean_criteria(criteria) -> list[dict]:
    cleaned = []
    for i, c in enumerate(criteria, start=1):
        name = (c.get("name") or "").strip()
        weight = c.get("weight")
        max_points = c.get("max_points", 10)
        if not name:
            raise ValidationError({"criteria": _("Each criterion needs a name.")})
        try:
            weight = Decimal(str(weight))
        except Exception as exc:
            raise ValidationError(
                {"criteria": _("The weight of «%(name)s» is not a number.") % {"name": name}}
            ) from exc
        if not weight.is_finite() or weight <= 0 or weight >= 1000:
            raise ValidationError(
                {
                    "criteria": _("The weight of «%(name)s» must be above 0 and below 1000.")
                    % {"name": name}
                }
            )
        if weight != weight.quantize(Decimal("0.01")):
            raise ValidationError(
                {
                    "criteria": _("The weight of «%(name)s» has more than two decimals.")
                    % {"name": name}
                }
            )
        if not isinstance(max_points, int) or not 0 < max_points <= 1000:
            raise ValidationError(
                {
                    "criteria": _("The maximum points of «%(name)s» must be from 1 to 1000.")
                    % {"name": name}
                }
            )
        cleaned.append({"position": i, "name": name, "weight": weight, "max_points": max_points})
    if not cleaned:
        raise ValidationError({"criteria": _("A contest needs at least one criterion.")})
    return cleaned


def _check_juror(contest: Contest | None, *, user, stage: str, district) -> None:
    if stage not in Contest.Stage.values:
        raise ValidationError({"stage": _("Unknown stage.")})
    if user is None or not user.is_active:
        raise ValidationError({"user": _("Choose an active user as the juror.")})
    if stage == Contest.Stage.DISTRICT:
        if district is None or district.kind == Branch.Kind.REGION:
            raise ValidationError(
                {"district": _("A district juror needs the district whose entries they score.")}
            )
    elif district is not None:
        raise ValidationError({"district": _("A regional juror scores no single district.")})
    if contest is not None and contest.jurors.filter(user=user, stage=stage).exists():
        raise ValidationError({"user": _("This person already sits on this stage's jury.")})


def create_contest(
    scope: Scope,
    *,
    branch: Branch,
    name: str,
    year: int,
    criteria,
    rules: str = "",
    entries_until: dt.date | None = None,
    advance_per_district: int = 1,
    winners_count: int = 3,
    jurors=(),
    request=None,
) -> Contest:
    """Create a contest with its criteria (`{"name", "weight", "max_points"}` each, in order)
    and optionally jurors (`{"user", "stage", "district"}` each)."""
    scope.require(permissions.manage_contests(scope))
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = _("Name the contest.")
    elif Contest.objects.filter(branch=branch, name=name, year=year).exists():
        errors["name"] = _("This branch already holds a contest with this name this year.")
    if not 2000 <= (year or 0) <= 2100:
        errors["year"] = _("Enter a year between 2000 and 2100.")
    if not advance_per_district or advance_per_district < 1:
        errors["advance_per_district"] = _("At least one entry per district must advance.")
    if not winners_count or winners_count < 1:
        errors["winners_count"] = _("A contest has at least one winner.")
    if errors:
        raise ValidationError(errors)
    cleaned = _clean_criteria(criteria)
    jurors = list(jurors)
    seen = set()
    for j in jurors:
        _check_juror(None, user=j.get("user"), stage=j.get("stage"), district=j.get("district"))
        if (j["user"].pk, j["stage"]) in seen:
            raise ValidationError({"jurors": _("A person sits on a stage's jury only once.")})
        seen.add((j["user"].pk, j["stage"]))
    with transaction.atomic():
        contest = Contest.objects.create(
            branch=branch,
            name=name,
            year=year,
            rules=rules.strip(),
            entries_until=entries_until,
            advance_per_district=advance_per_district,
            winners_count=winners_count,
            created_by=scope.user,
        )
        ContestCriterion.objects.bulk_create(
            ContestCriterion(contest=contest, **c) for c in cleaned
        )
        Juror.objects.bulk_create(
            Juror(contest=contest, user=j["user"], stage=j["stage"], district=j.get("district"))
            for j in jurors
        )
        audit.record(
            scope.user,
            "contest.created",
            contest,
            branch=branch,
            request=request,
            summary=str(contest),
            data={"criteria": len(cleaned), "jurors": len(jurors)},
        )
    return contest


def add_juror(
    scope: Scope, contest: Contest, *, user, stage: str, district=None, request=None
) -> Juror:
    scope.require(permissions.manage_contests(scope))
    if contest.status == Contest.Status.FINISHED or stage_closed(contest, stage):
        raise ValidationError(_("This stage is over: its jury can no longer change."))
    _check_juror(contest, user=user, stage=stage, district=district)
    with transaction.atomic():
        seat = Juror.objects.create(contest=contest, user=user, stage=stage, district=district)
        audit.record(
            scope.user,
            "contest.juror_added",
            seat,
            branch=contest.branch,
            request=request,
            data={"user": user.pk, "stage": stage, "district": district.pk if district else None},
        )
    return seat


def remove_juror(scope: Scope, seat: Juror, *, request=None) -> None:
    """Only a juror who has not scored yet can be removed (scores are never dropped)."""
    scope.require(permissions.manage_contests(scope))
    if seat.scores.exists():
        raise ValidationError(_("This juror has already scored entries and stays on record."))
    contest = seat.contest
    with transaction.atomic():
        audit.record(
            scope.user,
            "contest.juror_removed",
            seat,
            branch=contest.branch,
            request=request,
            data={"user": seat.user_id, "stage": seat.stage},
        )
        seat.delete()


def submit_entry(
    scope: Scope,
    contest: Contest,
    *,
    poo: PrimaryOrganization,
    description: str = "",
    today: dt.date | None = None,
    request=None,
) -> ContestEntry:
    today = _today(today)
    if (
        not permissions.submit_entries(scope)
        or not structure_permissions.poos(scope).filter(pk=poo.pk).exists()
    ):
        raise PermissionDenied
    if not accepts_entries(contest, today):
        raise ValidationError(_("This contest no longer accepts entries."))
    if poo.status != PrimaryOrganization.Status.ACTIVE:
        raise ValidationError({"poo": _("Only an active primary organization can enter.")})
    if contest.entries.filter(poo=poo).exists():
        raise ValidationError({"poo": _("This primary organization has already entered.")})
    with transaction.atomic():
        _lock(contest, Contest.Status.OPEN)
        entry = ContestEntry.objects.create(
            contest=contest,
            poo=poo,
            submitted_on=today,
            description=description.strip(),
            submitted_by=scope.user,
        )
        audit.record(
            scope.user,
            "contest.entry_submitted",
            entry,
            branch=poo.branch,
            request=request,
            summary=f"{contest} — {poo.name}",
        )
    return entry


def _lock(contest: Contest, status: str) -> None:
    """Inside a transaction: lock the contest row and make sure it is still at `status`
    (a stage closed by someone else meanwhile stops the write)."""
    current = (
        Contest.objects.select_for_update().filter(pk=contest.pk).values_list("status", flat=True)
    )
    if list(current) != [status]:
        raise ValidationError(_("The contest has moved on meanwhile; reload the page."))


def open_district_stage(scope: Scope, contest: Contest, *, request=None) -> Contest:
    scope.require(permissions.manage_contests(scope))
    if contest.status != Contest.Status.OPEN:
        raise ValidationError(_("The district stage can only follow the entry period."))
    if not contest.entries.exists():
        raise ValidationError(_("No primary organization has entered the contest."))
    with transaction.atomic():
        _lock(contest, Contest.Status.OPEN)
        contest.status = Contest.Status.DISTRICT
        contest.save(update_fields=["status"])
        audit.record(
            scope.user, "contest.district_opened", contest, branch=contest.branch, request=request
        )
    return contest


def record_scores(scope: Scope, contest: Contest, *, points: dict, request=None) -> int:
    """Save the caller's points, `{(entry_id, criterion_id): points or None}` (None or ""
    leaves that mark as it is). All or nothing: one bad value changes nothing. Returns how
    many marks were written."""
    seat = permissions.juror_seat(scope, contest)
    if seat is None:
        raise PermissionDenied
    allowed = dict(sheet_entries(seat).values_list("pk", "poo__name"))
    criteria = {c.pk: c for c in contest.criteria.all()}
    errors = []
    rows = []
    for (entry_id, criterion_id), value in points.items():
        if entry_id not in allowed:
            raise PermissionDenied
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise ValidationError(_("Unknown criterion."))
        if value is None or value == "":
            continue
        try:
            value = cr.check_points(value, criterion.max_points)
        except cr.PointsError:
            errors.append(
                _("%(poo)s, «%(criterion)s»: give 0 to %(max)s points (two decimals at most).")
                % {
                    "poo": allowed[entry_id],
                    "criterion": criterion.name,
                    "max": criterion.max_points,
                }
            )
            continue
        rows.append(
            Score(
                entry_id=entry_id,
                criterion=criterion,
                juror=seat,
                stage=seat.stage,
                points=value,
            )
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock(contest, seat.stage)
        Score.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["entry", "criterion", "juror", "stage"],
            update_fields=["points"],
        )
        audit.record(
            scope.user,
            "contest.scored",
            seat,
            branch=contest.branch,
            request=request,
            data={"stage": seat.stage, "marks": len(rows)},
        )
    return len(rows)


def score_entry(
    scope: Scope, entry: ContestEntry, criterion: ContestCriterion, points, *, request=None
) -> None:
    """One mark (a convenience over `record_scores`)."""
    if criterion.contest_id != entry.contest_id:
        raise ValidationError(_("Unknown criterion."))
    record_scores(scope, entry.contest, points={(entry.pk, criterion.pk): points}, request=request)


def close_district_stage(scope: Scope, contest: Contest, *, request=None) -> list[RankGroup]:
    """Write each entry's district place and advance the best `advance_per_district` of each
    district; the regional stage opens."""
    scope.require(permissions.manage_contests(scope))
    if contest.status != Contest.Status.DISTRICT:
        raise ValidationError(_("The district stage is not running."))
    with transaction.atomic():
        _lock(contest, Contest.Status.DISTRICT)
        groups = stage_ranking(contest, Contest.Stage.DISTRICT)
        changed = []
        for group in groups:
            for row in group.rows:
                row.entry.district_place = row.place
                row.entry.advanced = row.place <= contest.advance_per_district
                changed.append(row.entry)
        ContestEntry.objects.bulk_update(changed, ["district_place", "advanced"])
        contest.status = Contest.Status.REGIONAL
        contest.save(update_fields=["status"])
        audit.record(
            scope.user,
            "contest.district_closed",
            contest,
            branch=contest.branch,
            request=request,
            data={"advanced": [e.pk for e in changed if e.advanced]},
        )
    return groups


def close_regional_stage(scope: Scope, contest: Contest, *, request=None) -> list[RankRow]:
    """Write the regional places; the first `winners_count` are the winners."""
    scope.require(permissions.manage_contests(scope))
    if contest.status != Contest.Status.REGIONAL:
        raise ValidationError(_("The regional stage is not running."))
    with transaction.atomic():
        _lock(contest, Contest.Status.REGIONAL)
        [group] = stage_ranking(contest, Contest.Stage.REGIONAL)
        for row in group.rows:
            row.entry.regional_place = row.place
            row.entry.is_winner = row.place <= contest.winners_count
        ContestEntry.objects.bulk_update(
            [r.entry for r in group.rows], ["regional_place", "is_winner"]
        )
        contest.status = Contest.Status.FINISHED
        contest.save(update_fields=["status"])
        audit.record(
            scope.user,
            "contest.finished",
            contest,
            branch=contest.branch,
            request=request,
            data={"winners": [r.entry.pk for r in group.rows if r.entry.is_winner]},
        )
    return group.rows


# Awards --------------------------------------------------------------------------------------
RECIPIENT_MEMBER = "member"
RECIPIENT_POO = "poo"


def filter_awards(
    qs: QuerySet,
    *,
    kind: str = "",
    year: int | None = None,
    district=None,
    recipient: str = "",
    veterans: bool = False,
) -> QuerySet:
    """Filters of the awards list: kind, year, the recipient's district, recipient type
    (members or POOs) and veterans only."""
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(awarded_on__year=year)
    if district is not None:
        qs = qs.filter(Q(member__poo__branch=district) | Q(poo__branch=district))
    if recipient == RECIPIENT_MEMBER:
        qs = qs.filter(member__isnull=False)
    elif recipient == RECIPIENT_POO:
        qs = qs.filter(poo__isnull=False)
    if veterans:
        qs = qs.filter(member__is_veteran=True)
    return qs


def give_award(
    scope: Scope,
    *,
    kind: str,
    awarded_on: dt.date,
    member=None,
    poo=None,
    branch: Branch | None = None,
    title: str = "",
    occasion: str = "",
    meeting=None,
    contest_entry: ContestEntry | None = None,
    number: str = "",
    today: dt.date | None = None,
    request=None,
) -> Award:
    if not permissions.give_awards(scope):
        raise PermissionDenied
    if (member is None) == (poo is None):
        raise ValidationError(_("An award goes to one member or to one primary organization."))
    if member is not None and not members_permissions.members(scope).filter(pk=member.pk).exists():
        raise PermissionDenied
    if poo is not None and not structure_permissions.poos(scope).filter(pk=poo.pk).exists():
        raise PermissionDenied
    home = member.poo if member is not None else poo
    if branch is None:
        branch = scope.user.branch if scope.user.branch_id else home.branch
    if not permissions.award_branches(scope, home).filter(pk=branch.pk).exists():
        raise PermissionDenied
    _check_award(
        scope,
        home,
        kind=kind,
        awarded_on=awarded_on,
        title=title,
        meeting=meeting,
        contest_entry=contest_entry,
        today=today,
    )
    with transaction.atomic():
        award = Award(
            branch=branch,
            kind=kind,
            title=title.strip(),
            member=member,
            poo=poo,
            awarded_on=awarded_on,
            occasion=occasion.strip(),
            meeting=meeting,
            contest_entry=contest_entry,
            number=number.strip(),
            created_by=scope.user,
        )
        _by(award, scope).save()
        audit.record(
            scope.user,
            "award.given",
            award,
            branch=branch,
            request=request,
            summary=str(award),
            data={"member": member.pk if member else None, "poo": poo.pk if poo else None},
        )
    return award


def _check_award(
    scope: Scope, home, *, kind, awarded_on, title, meeting, contest_entry, today
) -> None:
    """The award's own fields, for giving and for changing one."""
    errors = {}
    if kind not in Award.Kind.values:
        errors["kind"] = _("Unknown award.")
    if awarded_on is None or awarded_on > _today(today):
        errors["awarded_on"] = _("An award is recorded once it has been given.")
    if kind == Award.Kind.OTHER and not title.strip():
        errors["title"] = _("Name the award.")
    if meeting is not None and not permissions.meetings(scope).filter(pk=meeting.pk).exists():
        errors["meeting"] = _("Choose a meeting of your branch.")
    if contest_entry is not None and contest_entry.poo_id != home.pk:
        errors["contest_entry"] = _("The contest entry belongs to another organization.")
    if errors:
        raise ValidationError(errors)


def change_award(
    scope: Scope,
    award: Award,
    *,
    kind: str,
    awarded_on: dt.date,
    branch: Branch,
    title: str = "",
    occasion: str = "",
    meeting=None,
    contest_entry: ContestEntry | None = None,
    number: str = "",
    today: dt.date | None = None,
    request=None,
) -> Award:
    """Correct an award's details. The recipient stays: an award given to the wrong person is
    deleted and given again. The old and new values are kept in the award's history."""
    if not permissions.awards(scope).filter(pk=award.pk).exists():
        raise PermissionDenied
    if not permissions.change_award(scope, award):
        raise PermissionDenied
    home = award.member.poo if award.member_id else award.poo
    if not permissions.award_branches(scope, home).filter(pk=branch.pk).exists():
        raise PermissionDenied
    _check_award(
        scope,
        home,
        kind=kind,
        awarded_on=awarded_on,
        title=title,
        meeting=meeting,
        contest_entry=contest_entry,
        today=today,
    )
    with transaction.atomic():
        changed = _assign(
            award,
            kind=kind,
            awarded_on=awarded_on,
            branch=branch,
            title=title.strip(),
            occasion=occasion.strip(),
            meeting=meeting,
            contest_entry=contest_entry,
            number=number.strip(),
        )
        if changed:
            _by(award, scope).save()
            audit.record(
                scope.user,
                "award.changed",
                award,
                branch=award.branch,
                request=request,
                summary=str(award),
                data={"fields": changed},
            )
    return award


def delete_award(scope: Scope, award: Award, *, reason: str = "", request=None) -> None:
    """Delete an award recorded by mistake. Nothing else points at an award; its history
    (with the last values) stays and is shown on the deleted awards page."""
    if not permissions.awards(scope).filter(pk=award.pk).exists():
        raise PermissionDenied
    if not permissions.change_award(scope, award):
        raise PermissionDenied
    with transaction.atomic():
        audit.record(
            scope.user,
            "award.deleted",
            award,
            branch=award.branch,
            request=request,
            summary=reason.strip() or str(award),
            data={
                "member": award.member_id,
                "poo": award.poo_id,
                "kind": award.kind,
                "awarded_on": award.awarded_on.isoformat(),
            },
        )
        _by(award, scope, reason).delete()


def award_winners(
    scope: Scope,
    contest: Contest,
    *,
    kind: str,
    awarded_on: dt.date,
    occasion: str = "",
    title: str = "",
    meeting=None,
    today: dt.date | None = None,
    request=None,
) -> list[Award]:
    """Give every winning POO an award of `kind` for its entry, in the organizer's name.
    A winner that already holds an award of this kind for the entry is skipped."""
    scope.require(permissions.manage_contests(scope))
    if contest.status != Contest.Status.FINISHED:
        raise ValidationError(_("The winners are known once the contest is finished."))
    winners = list(
        contest.entries.filter(is_winner=True)
        .exclude(awards__kind=kind)
        .select_related("poo", "poo__branch")
        .order_by("regional_place")
    )
    given = []
    with transaction.atomic():
        for entry in winners:
            place = entry.regional_place
            given.append(
                give_award(
                    scope,
                    kind=kind,
                    awarded_on=awarded_on,
                    poo=entry.poo,
                    branch=contest.branch,
                    title=title,
                    occasion=occasion
                    or _("%(contest)s: place %(place)s") % {"contest": contest, "place": place},
                    meeting=meeting,
                    contest_entry=entry,
                    today=today,
                    request=request,
                )
            )
    return given


# Commissions ---------------------------------------------------------------------------------
def current_q(on: dt.date) -> Q:
    """A seat held on `on` (`until` is the last day held)."""
    return Q(since__lte=on) & (Q(until__isnull=True) | Q(until__gte=on))


def current_seats(commission: Commission, on: dt.date | None = None) -> QuerySet:
    """The members sitting on `on` (today by default), chair first."""
    order = ["chair", "deputy", "secretary", "member"]
    rank = Case(
        *(When(role=r, then=Value(i)) for i, r in enumerate(order)), output_field=IntegerField()
    )
    return (
        commission.memberships.filter(current_q(_today(on)))
        .select_related("member")
        .annotate(role_rank=rank)
        .order_by("role_rank", "since", "pk")
    )


def past_seats(commission: Commission, on: dt.date | None = None) -> QuerySet:
    return (
        commission.memberships.filter(until__lt=_today(on))
        .select_related("member")
        .order_by("-until", "pk")
    )


def with_current_counts(qs: QuerySet, on: dt.date | None = None) -> QuerySet:
    """Annotate `seats` (sitting today) and prefetch `chairs` (the sitting chair): two
    queries for any number of commissions."""
    on = _today(on)
    held = Q(memberships__since__lte=on) & (
        Q(memberships__until__isnull=True) | Q(memberships__until__gte=on)
    )
    return qs.annotate(seats=Count("memberships", filter=held)).prefetch_related(
        Prefetch(
            "memberships",
            queryset=CommissionMembership.objects.filter(
                current_q(on), role=CommissionMembership.Role.CHAIR
            ).select_related("member"),
            to_attr="chairs",
        )
    )


def create_commission(
    scope: Scope,
    *,
    branch: Branch,
    kind: str,
    name: str,
    term_start: dt.date,
    term_end: dt.date | None = None,
    description: str = "",
    request=None,
) -> Commission:
    if not permissions.commission_branches(scope).filter(pk=branch.pk).exists():
        raise PermissionDenied
    name = name.strip()
    errors = {}
    if kind not in Commission.Kind.values:
        errors["kind"] = _("Unknown kind of commission.")
    if not name:
        errors["name"] = _("Name the commission.")
    elif Commission.objects.filter(branch=branch, name=name, term_start=term_start).exists():
        errors["name"] = _("This commission is already registered for this term.")
    if term_start is None:
        errors["term_start"] = _("Enter the start of the term.")
    elif term_end is not None and term_end < term_start:
        errors["term_end"] = _("The term cannot end before it starts.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        commission = Commission(
            branch=branch,
            kind=kind,
            name=name,
            term_start=term_start,
            term_end=term_end,
            description=description.strip(),
        )
        _by(commission, scope).save()
        audit.record(
            scope.user,
            "commission.created",
            commission,
            branch=branch,
            request=request,
            summary=name,
        )
    return commission


def add_seat(
    scope: Scope,
    commission: Commission,
    *,
    since: dt.date,
    member=None,
    name: str = "",
    position: str = "",
    role: str = CommissionMembership.Role.MEMBER,
    request=None,
) -> CommissionMembership:
    """Seat a party member (in the caller's scope) or an outside person by name."""
    permissions.require_commission(scope, commission)
    name = name.strip()
    errors = {}
    if member is not None and not members_permissions.members(scope).filter(pk=member.pk).exists():
        raise PermissionDenied
    if member is None and not name:
        errors["name"] = _("Choose a party member or write the person's name.")
    if member is not None and name:
        errors["name"] = _("Choose a party member or write a name, not both.")
    if member is not None and not member.is_member:
        errors["member"] = _("This person is no longer a party member.")
    if role not in CommissionMembership.Role.values:
        errors["role"] = _("Unknown role.")
    if since is None or since < commission.term_start:
        errors["since"] = _("A seat cannot start before the commission's term.")
    elif commission.term_end is not None and since > commission.term_end:
        errors["since"] = _("The commission's term is over by this date.")
    if not errors:
        open_seats = commission.memberships.filter(Q(until__isnull=True) | Q(until__gte=since))
        if member is not None and open_seats.filter(member=member).exists():
            errors["member"] = _("This member already sits on the commission.")
        if (
            role == CommissionMembership.Role.CHAIR
            and open_seats.filter(role=CommissionMembership.Role.CHAIR).exists()
        ):
            errors["role"] = _("The commission has a sitting chair: end that seat first.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        seat = CommissionMembership(
            commission=commission,
            member=member,
            name=name,
            position=position.strip(),
            role=role,
            since=since,
        )
        _by(seat, scope).save()
        audit.record(
            scope.user,
            "commission.seat_added",
            seat,
            branch=commission.branch,
            request=request,
            summary=f"{commission}: {seat.get_role_display()}",
        )
    return seat


def end_seat(
    scope: Scope, seat: CommissionMembership, *, until: dt.date, request=None
) -> CommissionMembership:
    """`until` is the last day the seat was held."""
    commission = seat.commission
    permissions.require_commission(scope, commission)
    if seat.until is not None:
        raise ValidationError(_("This seat has already ended."))
    if until is None or until < seat.since:
        raise ValidationError({"until": _("A seat cannot end before it started.")})
    with transaction.atomic():
        seat.until = until
        _by(seat, scope).save(update_fields=["until"])
        audit.record(
            scope.user,
            "commission.seat_ended",
            seat,
            branch=commission.branch,
            request=request,
            data={"until": until.isoformat()},
        )
    return seat


def record_session(
    scope: Scope,
    commission: Commission,
    *,
    date: dt.date,
    decisions,
    number: str = "",
    place: str = "",
    agenda: str = "",
    present: int | None = None,
    request=None,
) -> CommissionSession:
    """A session and its decisions, numbered 1, 2, ... in the order given. Each decision is
    a text or a `(text, member)` pair for a decision concerning a party member."""
    permissions.require_commission(scope, commission)
    items = []
    for d in decisions:
        text, member = (d, None) if isinstance(d, str) else d
        if text.strip():
            items.append((text.strip(), member))
    errors = {}
    if date is None or date < commission.term_start:
        errors["date"] = _("The commission's term had not started by this date.")
    elif commission.term_end is not None and date > commission.term_end:
        errors["date"] = _("The commission's term is over by this date.")
    if present is not None and present < 0:
        errors["present"] = _("The number present cannot be negative.")
    if not items:
        errors["decisions"] = _("Record at least one decision.")
    if errors:
        raise ValidationError(errors)
    for _text, member in items:
        if (
            member is not None
            and not members_permissions.members(scope).filter(pk=member.pk).exists()
        ):
            raise PermissionDenied
    with transaction.atomic():
        session = CommissionSession(
            commission=commission,
            number=number.strip(),
            date=date,
            place=place.strip(),
            agenda=agenda.strip(),
            present=present,
            created_by=scope.user,
        )
        _by(session, scope).save()
        for i, (text, member) in enumerate(items, start=1):
            decision = CommissionDecision(session=session, position=i, text=text, member=member)
            _by(decision, scope).save()
        audit.record(
            scope.user,
            "commission.session",
            session,
            branch=commission.branch,
            request=request,
            data={"decisions": len(items)},
        )
    return session


def _term_errors(commission: Commission, term_start, term_end) -> dict:
    """A term that would leave a seat or a session outside it is refused."""
    errors = {}
    if term_start is None:
        errors["term_start"] = _("Enter the start of the term.")
        return errors
    if term_end is not None and term_end < term_start:
        errors["term_end"] = _("The term cannot end before it starts.")
        return errors
    if commission.pk is None:
        return errors
    if commission.memberships.filter(since__lt=term_start).exists():
        errors["term_start"] = _("A member's seat starts before this date: change that seat first.")
    elif commission.sessions.filter(date__lt=term_start).exists():
        errors["term_start"] = _("A session was held before this date.")
    if term_end is not None:
        if commission.sessions.filter(date__gt=term_end).exists():
            errors["term_end"] = _("A session was held after this date.")
        elif commission.memberships.filter(since__gt=term_end).exists():
            errors["term_end"] = _(
                "A member's seat starts after this date: change that seat first."
            )
    return errors


def change_commission(
    scope: Scope,
    commission: Commission,
    *,
    kind: str,
    name: str,
    term_start: dt.date,
    term_end: dt.date | None = None,
    description: str = "",
    request=None,
) -> Commission:
    """Correct a commission's kind, name, term or remit; ending the term (`term_end`) is how a
    commission is dissolved. Its branch stays."""
    permissions.require_commission(scope, commission)
    name = name.strip()
    errors = {}
    if kind not in Commission.Kind.values:
        errors["kind"] = _("Unknown kind of commission.")
    if not name:
        errors["name"] = _("Name the commission.")
    elif (
        Commission.objects.filter(branch=commission.branch, name=name, term_start=term_start)
        .exclude(pk=commission.pk)
        .exists()
    ):
        errors["name"] = _("This commission is already registered for this term.")
    errors = _term_errors(commission, term_start, term_end) | errors
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        changed = _assign(
            commission,
            kind=kind,
            name=name,
            term_start=term_start,
            term_end=term_end,
            description=description.strip(),
        )
        if changed:
            _by(commission, scope).save()
            audit.record(
                scope.user,
                "commission.changed",
                commission,
                branch=commission.branch,
                request=request,
                summary=name,
                data={"fields": changed},
            )
    return commission


def held_sessions_message() -> str:
    """Why a commission that has held a session is not deleted (the page says it too)."""
    return _(
        "The commission has recorded sessions, so it cannot be deleted: its decisions stay on "
        "record. To dissolve it, set the end of its term."
    )


def delete_commission(scope: Scope, commission: Commission, *, reason: str = "", request=None):
    """Delete a commission registered by mistake, with its seats. One that has held a session
    is refused: its decisions are records of the party; end its term instead."""
    permissions.require_commission(scope, commission)
    with transaction.atomic():
        Commission.objects.select_for_update().filter(pk=commission.pk).first()
        if commission.sessions.exists():
            raise ValidationError(held_sessions_message())
        seats = list(commission.memberships.all())
        audit.record(
            scope.user,
            "commission.deleted",
            commission,
            branch=commission.branch,
            request=request,
            summary=reason.strip() or commission.name,
            data={"seats": len(seats)},
        )
        for seat in seats:
            _by(seat, scope, reason).delete()
        _by(commission, scope, reason).delete()


def _seat_errors(seat: CommissionMembership, *, role, since, until) -> dict:
    commission = seat.commission
    errors = {}
    if role not in CommissionMembership.Role.values:
        errors["role"] = _("Unknown role.")
    if since is None or since < commission.term_start:
        errors["since"] = _("A seat cannot start before the commission's term.")
    elif commission.term_end is not None and since > commission.term_end:
        errors["since"] = _("The commission's term is over by this date.")
    elif until is not None and until < since:
        errors["until"] = _("A seat cannot end before it started.")
    if errors:
        return errors
    # Other seats whose time overlaps this one's.
    overlapping = commission.memberships.exclude(pk=seat.pk).filter(
        Q(until__isnull=True) | Q(until__gte=since)
    )
    if until is not None:
        overlapping = overlapping.filter(since__lte=until)
    if seat.member_id and overlapping.filter(member_id=seat.member_id).exists():
        errors["since"] = _("This member already sits on the commission.")
    if role == CommissionMembership.Role.CHAIR and (
        overlapping.filter(role=CommissionMembership.Role.CHAIR).exists()
    ):
        errors["role"] = _("The commission has a sitting chair: end that seat first.")
    return errors


def change_seat(
    scope: Scope,
    seat: CommissionMembership,
    *,
    role: str,
    since: dt.date,
    until: dt.date | None = None,
    position: str = "",
    name: str | None = None,
    request=None,
) -> CommissionMembership:
    """Correct a seat: role, position, dates (and the name of an outside person). The person
    stays: seating someone else is a new seat."""
    permissions.require_commission(scope, seat.commission)
    errors = _seat_errors(seat, role=role, since=since, until=until)
    values = {"role": role, "since": since, "until": until, "position": position.strip()}
    if not seat.member_id and name is not None:
        if not name.strip():
            errors["name"] = _("Write the person's name.")
        values["name"] = name.strip()
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        changed = _assign(seat, **values)
        if changed:
            _by(seat, scope).save()
            audit.record(
                scope.user,
                "commission.seat_changed",
                seat,
                branch=seat.commission.branch,
                request=request,
                summary=f"{seat.commission}: {seat.get_role_display()}",
                data={"fields": changed},
            )
    return seat


def delete_seat(scope: Scope, seat: CommissionMembership, *, reason: str = "", request=None):
    """Delete a seat recorded by mistake. A member who leaves the commission is not deleted:
    their seat is ended (`end_seat`) and they stay among the former members."""
    commission = seat.commission
    permissions.require_commission(scope, commission)
    with transaction.atomic():
        audit.record(
            scope.user,
            "commission.seat_deleted",
            seat,
            branch=commission.branch,
            request=request,
            summary=reason.strip() or f"{commission}: {seat.get_role_display()}",
            data={"member": seat.member_id},
        )
        _by(seat, scope, reason).delete()


def change_session(
    scope: Scope,
    session: CommissionSession,
    *,
    date: dt.date,
    decisions,
    number: str = "",
    place: str = "",
    agenda: str = "",
    present: int | None = None,
    request=None,
) -> CommissionSession:
    """Correct a session and its decisions. Decision n keeps its record (and the member it
    concerns) when its text changes; lines added are new decisions, lines removed from the
    end delete those decisions."""
    commission = session.commission
    permissions.require_commission(scope, commission)
    texts = [d.strip() for d in decisions if d.strip()]
    errors = {}
    if date is None or date < commission.term_start:
        errors["date"] = _("The commission's term had not started by this date.")
    elif commission.term_end is not None and date > commission.term_end:
        errors["date"] = _("The commission's term is over by this date.")
    if present is not None and present < 0:
        errors["present"] = _("The number present cannot be negative.")
    if not texts:
        errors["decisions"] = _("Record at least one decision.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        changed = _assign(
            session,
            date=date,
            number=number.strip(),
            place=place.strip(),
            agenda=agenda.strip(),
            present=present,
        )
        if changed:
            _by(session, scope).save()
        existing = {d.position: d for d in session.decisions.all()}
        for position, text in enumerate(texts, start=1):
            decision = existing.pop(position, None)
            if decision is None:
                decision = CommissionDecision(session=session, position=position, text=text)
                _by(decision, scope).save()
                changed.append(f"decision {position}")
            elif decision.text != text:
                decision.text = text
                _by(decision, scope).save()
                changed.append(f"decision {position}")
        for position, decision in sorted(existing.items()):
            _by(decision, scope).delete()
            changed.append(f"decision {position}")
        if changed:
            audit.record(
                scope.user,
                "commission.session_changed",
                session,
                branch=commission.branch,
                request=request,
                data={"fields": changed},
            )
    return session


def delete_session(scope: Scope, session: CommissionSession, *, reason: str = "", request=None):
    """Delete a session recorded by mistake, with its decisions (their history stays)."""
    commission = session.commission
    permissions.require_commission(scope, commission)
    with transaction.atomic():
        decisions = list(session.decisions.all())
        audit.record(
            scope.user,
            "commission.session_deleted",
            session,
            branch=commission.branch,
            request=request,
            summary=reason.strip() or str(session),
            data={"decisions": len(decisions)},
        )
        for decision in decisions:
            _by(decision, scope, reason).delete()
        _by(session, scope, reason).delete()


def replace_criteria(scope: Scope, contest: Contest, *, criteria, request=None) -> Contest:
    """Change a contest's criteria, only before the first score: a mark given against a
    criterion fixes it (changing a weight afterwards would change places already earned)."""
    scope.require(permissions.manage_contests(scope))
    cleaned = _clean_criteria(criteria)
    with transaction.atomic():
        Contest.objects.select_for_update().filter(pk=contest.pk).first()
        if Score.objects.filter(entry__contest=contest).exists():
            raise ValidationError(
                {
                    "criteria": _(
                        "The criteria can no longer change: jurors have already recorded "
                        "scores against them."
                    )
                }
            )
        contest.criteria.all().delete()
        ContestCriterion.objects.bulk_create(
            ContestCriterion(contest=contest, **c) for c in cleaned
        )
        audit.record(
            scope.user,
            "contest.criteria_changed",
            contest,
            branch=contest.branch,
            request=request,
            data={"criteria": [c["name"] for c in cleaned]},
        )
    return contest
