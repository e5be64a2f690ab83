"""Actions and reads of the local issues register and the programme.

Each action checks the caller's `Scope` (permissions.py), validates (a `ValidationError` with
a translated message, nothing written), writes in a transaction and records an audit event.

Counts are made by the database: how many people raised an issue is the number of distinct
appeals its links reach (a set "topic T in district D" and single appeals, each appeal once)
plus its deputies' questions that did not become one of those appeals (a question turned into
an appeal is one person, counted once). A meeting decision and a survey topic link an issue to
where it was discussed; they are shown, not counted as people.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, Max, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext as _

from bastau.accounts.scoping import Scope
from bastau.activity import permissions as activity_permissions
from bastau.activity import services as activity_services
from bastau.activity.models import Decision, Meeting
from bastau.core import audit
from bastau.oversight import permissions as oversight_permissions
from bastau.oversight.models import ReportQuestion
from bastau.reception import permissions as reception_permissions
from bastau.reception.models import Appeal
from bastau.voice.people.models import YouthCongress, YouthWing
from bastau.voice.surveys import permissions as surveys_permissions
from bastau.voice.surveys.models import Survey, SurveyTopic

from . import logic
from .models import (
    Evidence,
    Issue,
    IssueEvent,
    IssueSource,
    Programme,
    ProgrammeItem,
    ProgrammeVersion,
)
from .permissions import adopt_at_congress as adopt_at_congress_rule
from .permissions import (
    congresses,
    districts,
    issues,
    items,
    programme_branches,
    versions,
    view_agenda,
    youth_wings,
)

K = IssueSource.Kind


def _require_issue(scope: Scope, issue: Issue) -> None:
    if not issues(scope).filter(pk=issue.pk).exists():
        raise PermissionDenied


def _require_open(issue: Issue) -> None:
    if issue.status != Issue.Status.OPEN:
        raise ValidationError(_("This issue was merged into another one."))


# The register -----------------------------------------------------------------------------
def create_issue(
    scope: Scope,
    *,
    title: str,
    title_ru: str = "",
    district=None,
    topic=None,
    description: str = "",
    request=None,
) -> Issue:
    if not view_agenda(scope):
        raise PermissionDenied
    if not title.strip():
        raise ValidationError({"title": _("Name the issue.")})
    if district is None and not scope.is_regional_admin:
        raise ValidationError({"district": _("Choose the district.")})
    if district is not None and not districts(scope).filter(pk=district.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        issue = Issue.objects.create(
            title=title.strip(),
            title_ru=title_ru.strip(),
            district=district,
            topic=topic,
            description=description.strip(),
            created_by=scope.user,
        )
        IssueEvent.objects.create(issue=issue, kind=IssueEvent.Kind.CREATED, by=scope.user)
        audit.record(scope.user, "issue.created", issue, branch=district, request=request)
    return issue


def _link(scope: Scope, issue: Issue, note: str, request, **fields) -> IssueSource:
    _require_issue(scope, issue)
    _require_open(issue)
    lookup = {k: v for k, v in fields.items() if k != "kind"}
    if issue.sources.filter(kind=fields["kind"], **lookup).exists():
        raise ValidationError(_("This source is already linked to the issue."))
    with transaction.atomic():
        source = IssueSource.objects.create(issue=issue, added_by=scope.user, **fields)
        IssueEvent.objects.create(
            issue=issue, kind=IssueEvent.Kind.LINKED, by=scope.user, note=note[:300]
        )
        Issue.objects.filter(pk=issue.pk).update(updated_at=timezone.now())
        audit.record(
            scope.user,
            "issue.linked",
            issue,
            branch=issue.district,
            request=request,
            data={"kind": fields["kind"]},
        )
    return source


def link_appeals(scope: Scope, issue: Issue, *, topic, district, request=None) -> IssueSource:
    """Link the set "appeals of `topic` from `district`" (whatever their number, now and
    later)."""
    if topic is None or district is None:
        raise ValidationError(_("Choose the topic and the district of the appeals."))
    if not districts(scope).filter(pk=district.pk).exists():
        raise PermissionDenied
    return _link(
        scope,
        issue,
        f"{topic} / {district}",
        request,
        kind=K.APPEALS,
        topic=topic,
        district=district,
    )


def link_appeal(scope: Scope, issue: Issue, *, number: str, request=None) -> IssueSource:
    appeal = (
        reception_permissions.appeals(scope, include_assigned=False)
        .filter(number=number.strip())
        .first()
    )
    if appeal is None:
        raise ValidationError({"number": _("No appeal with this number in your branch.")})
    return _link(scope, issue, appeal.number, request, kind=K.APPEAL, appeal=appeal)


def link_question(scope: Scope, issue: Issue, *, question: ReportQuestion, request=None):
    if not oversight_permissions.questions(scope).filter(pk=question.pk).exists():
        raise ValidationError({"question": _("This question is not among your deputies'.")})
    return _link(scope, issue, question.text[:120], request, kind=K.QUESTION, question=question)


def link_decision(scope: Scope, issue: Issue, *, decision: Decision, request=None):
    meetings = activity_permissions.meetings(scope).values("pk")
    if not Decision.objects.filter(pk=decision.pk, agenda_item__meeting__in=meetings).exists():
        raise ValidationError({"decision": _("This decision is not among your meetings'.")})
    return _link(scope, issue, decision.text[:120], request, kind=K.DECISION, decision=decision)


def link_survey_topic(scope: Scope, issue: Issue, *, topic: SurveyTopic, request=None):
    """Link the answers staff tagged with a survey topic; for an issue of a district, the
    answers of that district's respondents are the ones counted."""
    if not surveys_permissions.can_see_results(scope, topic.survey):
        raise ValidationError({"choice": _("This survey topic is not among your surveys'.")})
    return _link(
        scope, issue, topic.name, request,
        kind=K.SURVEY_TOPIC, survey_topic=topic, district=issue.district,
    )  # fmt: skip


def unlink(scope: Scope, source: IssueSource, *, request=None) -> None:
    issue = source.issue
    _require_issue(scope, issue)
    _require_open(issue)
    with transaction.atomic():
        IssueEvent.objects.create(
            issue=issue,
            kind=IssueEvent.Kind.UNLINKED,
            by=scope.user,
            note=source.get_kind_display(),
        )
        source.delete()
        audit.record(scope.user, "issue.unlinked", issue, branch=issue.district, request=request)


def merge_issues(scope: Scope, duplicate: Issue, into: Issue, *, request=None) -> Issue:
    """Move the duplicate's links (and the commitments answering it) to `into`; the
    duplicate stays, marked merged and pointing to `into`, with its history."""
    _require_issue(scope, duplicate)
    _require_issue(scope, into)
    if duplicate.pk == into.pk:
        raise ValidationError({"into": _("An issue cannot be merged into itself.")})
    _require_open(duplicate)
    if into.status != Issue.Status.OPEN:
        raise ValidationError({"into": _("Choose an issue that is not merged itself.")})
    with transaction.atomic():
        theirs = IssueSource.objects.filter(issue=into)
        same = Q(kind=K.APPEALS) & Exists(
            theirs.filter(kind=K.APPEALS, topic=OuterRef("topic"), district=OuterRef("district"))
        )
        for kind, field in (
            (K.APPEAL, "appeal"),
            (K.QUESTION, "question"),
            (K.DECISION, "decision"),
        ):
            same |= Q(kind=kind) & Exists(theirs.filter(kind=kind, **{field: OuterRef(field)}))
        moved = duplicate.sources.exclude(same).update(issue=into)
        duplicate.sources.all().delete()  # what remains is already linked to `into`
        through = ProgrammeItem.issues.through
        answering = through.objects.filter(issue=duplicate).values_list(
            "programmeitem_id", flat=True
        )
        already = set(through.objects.filter(issue=into).values_list("programmeitem_id", flat=True))
        through.objects.bulk_create(
            through(programmeitem_id=pk, issue_id=into.pk) for pk in answering if pk not in already
        )
        through.objects.filter(issue=duplicate).delete()
        Issue.objects.filter(pk=duplicate.pk).update(
            status=Issue.Status.MERGED, merged_into=into, updated_at=timezone.now()
        )
        Issue.objects.filter(pk=into.pk).update(updated_at=timezone.now())
        IssueEvent.objects.bulk_create(
            [
                IssueEvent(
                    issue=duplicate, kind=IssueEvent.Kind.MERGED_INTO, other=into, by=scope.user
                ),
                IssueEvent(
                    issue=into,
                    kind=IssueEvent.Kind.MERGED_FROM,
                    other=duplicate,
                    by=scope.user,
                    note=str(duplicate.title)[:300],
                ),
            ]
        )
        audit.record(
            scope.user,
            "issue.merged",
            duplicate,
            branch=duplicate.district,
            request=request,
            data={"into": into.pk, "links_moved": moved},
        )
    duplicate.refresh_from_db()
    return duplicate


# Counting ---------------------------------------------------------------------------------
def _set_q(pairs) -> Q:
    q = Q(pk__in=[])
    for topic_id, district_id in pairs:
        q |= Q(topic_id=topic_id, district_id=district_id)
    return q


def issue_appeals(issue: Issue) -> QuerySet:
    """The distinct appeals an issue's links reach (a query, not loaded)."""
    sources = IssueSource.objects.filter(issue=issue)
    pairs = list(sources.filter(kind=K.APPEALS).values_list("topic_id", "district_id"))
    single = sources.filter(kind=K.APPEAL).values("appeal_id")
    return Appeal.objects.filter(_set_q(pairs) | Q(pk__in=single))


def _questions_alone(sources: QuerySet) -> QuerySet:
    """Question links whose question did not become an appeal the same issue reaches."""
    same_issue = IssueSource.objects.filter(issue=OuterRef("issue"))
    by_set = same_issue.filter(
        kind=K.APPEALS,
        topic=OuterRef("question__appeal__topic"),
        district=OuterRef("question__appeal__district"),
    )
    by_appeal = same_issue.filter(kind=K.APPEAL, appeal=OuterRef("question__appeal"))
    return sources.filter(kind=K.QUESTION).exclude(
        Q(question__appeal__isnull=False) & (Exists(by_set) | Exists(by_appeal))
    )


def people_counts(issue_ids) -> dict[int, int]:
    """How many people raised each issue: one grouped query per kind of link."""
    issue_ids = list(issue_ids)
    counts = dict.fromkeys(issue_ids, 0)
    if not issue_ids:
        return counts
    sources = IssueSource.objects.filter(issue_id__in=issue_ids)
    links = list(sources.filter(kind=K.APPEALS).values_list("issue_id", "topic_id", "district_id"))
    if links:
        per_set = {
            (row["topic_id"], row["district_id"]): row["n"]
            for row in Appeal.objects.filter(_set_q({(t, d) for _i, t, d in links}))
            .values("topic_id", "district_id")
            .annotate(n=Count("pk"))
        }
        for issue_id, topic_id, district_id in links:
            counts[issue_id] += per_set.get((topic_id, district_id), 0)
    in_a_set = IssueSource.objects.filter(
        issue=OuterRef("issue"),
        kind=K.APPEALS,
        topic=OuterRef("appeal__topic"),
        district=OuterRef("appeal__district"),
    )
    for row in (
        sources.filter(kind=K.APPEAL)
        .exclude(Exists(in_a_set))
        .values("issue_id")
        .annotate(n=Count("pk"))
    ):
        counts[row["issue_id"]] += row["n"]
    for row in _questions_alone(sources).values("issue_id").annotate(n=Count("pk")):
        counts[row["issue_id"]] += row["n"]
    for issue_id, n in survey_counts(sources).items():
        counts[issue_id] += n
    return counts


def survey_counts(sources: QuerySet) -> dict[int, int]:
    """Answers tagged with each linked survey topic (of the link's district's respondents
    when it has one), summed per issue: one grouped query over the tags."""
    links = list(
        sources.filter(kind=K.SURVEY_TOPIC).values_list(
            "issue_id", "survey_topic_id", "district_id"
        )
    )
    if not links:
        return {}
    through = SurveyTopic.answers.through
    q = Q(pk__in=[])
    for _issue, topic_id, district_id in links:
        cond = Q(surveytopic_id=topic_id)
        if district_id is not None:
            cond &= Q(answer__response__district_id=district_id)
        q |= cond
    rows = {
        (r["surveytopic_id"], r["answer__response__district_id"]): r["n"]
        for r in through.objects.filter(q)
        .values("surveytopic_id", "answer__response__district_id")
        .annotate(n=Count("pk"))
    }
    out: dict[int, int] = {}
    for issue_id, topic_id, district_id in links:
        n = sum(
            v for (t, d), v in rows.items()
            if t == topic_id and (district_id is None or d == district_id)
        )  # fmt: skip
        out[issue_id] = out.get(issue_id, 0) + n
    return out


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def issue_trend(issue: Issue, today: dt.date, *, quarters: int = 8) -> logic.Trend:
    """People raising the issue per quarter over the last `quarters` quarters (the current
    one included), counted by the database."""
    end = _quarter_start(today)
    start = end
    for _n in range(quarters - 1):
        start = _quarter_start(start - dt.timedelta(days=1))
    counts: dict[str, int] = {}
    appeals = issue_appeals(issue)
    rows = (
        appeals.filter(registered_on__gte=start, registered_on__lte=today)
        .annotate(q=TruncQuarter("registered_on"))
        .values("q")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        label = logic.quarter_label(row["q"])
        counts[label] = counts.get(label, 0) + row["n"]
    questions = _questions_alone(IssueSource.objects.filter(issue=issue)).filter(
        question__report__date__gte=start, question__report__date__lte=today
    )
    for row in (
        questions.annotate(q=TruncQuarter("question__report__date"))
        .values("q")
        .annotate(n=Count("pk"))
    ):
        label = logic.quarter_label(row["q"])
        counts[label] = counts.get(label, 0) + row["n"]
    return logic.trend(counts, logic.quarters(start, today))


# Programmes -------------------------------------------------------------------------------
def _require_programme(scope: Scope, programme: Programme) -> None:
    if not programme_branches(scope).filter(pk=programme.branch_id).exists():
        raise PermissionDenied


def create_programme(
    scope: Scope,
    *,
    branch,
    title: str,
    title_ru: str = "",
    youth_wing: YouthWing | None = None,
    survey: Survey | None = None,
    request=None,
):
    """A draft programme; with `youth_wing`, the youth programme of that wing (of the same
    branch), which its congress adopts; `survey` names the survey it draws on."""
    if branch is None or not programme_branches(scope).filter(pk=branch.pk).exists():
        raise PermissionDenied
    errors = {}
    if not title.strip():
        errors["title"] = _("Name the programme.")
    if youth_wing is not None and (
        youth_wing.branch_id != branch.pk
        or not youth_wings(scope).filter(pk=youth_wing.pk).exists()
    ):
        errors["youth_wing"] = _("A youth programme belongs to the branch of its youth wing.")
    if survey is not None and not surveys_permissions.can_see_results(scope, survey):
        errors["survey"] = _("Choose a survey whose results you see.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        programme = Programme.objects.create(
            branch=branch,
            title=title.strip(),
            title_ru=title_ru.strip(),
            youth_wing=youth_wing,
            survey=survey,
            created_by=scope.user,
        )
        audit.record(scope.user, "programme.created", programme, branch=branch, request=request)
    return programme


ITEM_EDITABLE = (
    "title",
    "title_ru",
    "indicator",
    "target",
    "deadline",
    "responsible",
    "cost",
    "district",
)


def _check_item(scope: Scope, data: dict, issue_list) -> None:
    errors = {}
    for name in ("title", "indicator", "target", "responsible"):
        if not str(data.get(name) or "").strip():
            errors[name] = _("This field is required.")
    if data.get("deadline") is None:
        errors["deadline"] = _("Set the deadline of the commitment.")
    cost = data.get("cost")
    if cost is not None and Decimal(cost) < 0:
        errors["cost"] = _("A cost cannot be negative.")
    if not issue_list:
        errors["issues"] = _("A commitment answers at least one issue of the register.")
    elif issues(scope).filter(pk__in=[i.pk for i in issue_list]).count() != len(set(issue_list)):
        errors["issues"] = _("Choose issues of your register.")
    if errors:
        raise ValidationError(errors)


def add_item(scope: Scope, programme: Programme, *, issues_answered, request=None, **data):
    _require_programme(scope, programme)
    issue_list = list(issues_answered)
    _check_item(scope, data, issue_list)
    with transaction.atomic():
        Programme.objects.select_for_update().filter(pk=programme.pk).first()
        last = programme.items.aggregate(m=Max("position"))["m"] or 0
        item = ProgrammeItem.objects.create(
            programme=programme,
            position=last + 1,
            **{
                k: (v.strip() if isinstance(v, str) else v)
                for k, v in data.items()
                if k in ITEM_EDITABLE
            },
        )
        item.issues.set(issue_list)
        audit.record(
            scope.user, "programme.item_added", item, branch=programme.branch, request=request
        )
    return item


def update_item(scope: Scope, item: ProgrammeItem, *, issues_answered, request=None, **data):
    _require_programme(scope, item.programme)
    issue_list = list(issues_answered)
    _check_item(scope, data, issue_list)
    with transaction.atomic():
        for k, v in data.items():
            if k in ITEM_EDITABLE:
                setattr(item, k, v.strip() if isinstance(v, str) else v)
        item.save()
        item.issues.set(issue_list)
        audit.record(
            scope.user,
            "programme.item_changed",
            item,
            branch=item.programme.branch,
            request=request,
        )
    return item


def snapshot(programme: Programme) -> list[dict]:
    rows = (
        programme.items.select_related("district").prefetch_related("issues").order_by("position")
    )
    return [
        {
            "key": item.pk,
            "position": item.position,
            "title": item.title,
            "title_ru": item.title_ru,
            "indicator": item.indicator,
            "target": item.target,
            "deadline": item.deadline.isoformat(),
            "responsible": item.responsible,
            "cost": None if item.cost is None else str(item.cost),
            "district": item.district.name if item.district_id else "",
            "issues": sorted(i.title for i in item.issues.all()),
        }
        for item in rows
    ]


def create_version(scope: Scope, programme: Programme, *, note: str = "", request=None):
    _require_programme(scope, programme)
    items_now = snapshot(programme)
    if not items_now:
        raise ValidationError(_("Add commitments before saving a version."))
    with transaction.atomic():
        Programme.objects.select_for_update().filter(pk=programme.pk).first()
        last = programme.versions.aggregate(m=Max("number"))["m"] or 0
        version = ProgrammeVersion.objects.create(
            programme=programme,
            number=last + 1,
            items=items_now,
            note=note.strip()[:300],
            created_by=scope.user,
        )
        audit.record(
            scope.user, "programme.version", version, branch=programme.branch, request=request
        )
    return version


def version_diff(old: ProgrammeVersion | None, new: ProgrammeVersion) -> logic.Diff:
    return logic.diff_items(old.items if old else [], new.items)


def previous_version(version: ProgrammeVersion) -> ProgrammeVersion | None:
    return (
        ProgrammeVersion.objects.filter(
            programme_id=version.programme_id, number__lt=version.number
        )
        .order_by("-number")
        .first()
    )


def meetings_for(scope: Scope, programme: Programme) -> QuerySet:
    """Meetings of the programme's branch (not a POO's) where a version may be discussed."""
    return (
        activity_permissions.meetings(scope)
        .filter(branch_id=programme.branch_id)
        .exclude(kind=Meeting.Kind.POO_MEETING)
        .order_by("-date", "-id")
    )


def submit_version(scope: Scope, version: ProgrammeVersion, *, meeting: Meeting, request=None):
    """Put the version on the meeting's agenda (a new agenda item, through activity)."""
    _require_programme(scope, version.programme)
    if version.programme.youth_wing_id:
        raise ValidationError(
            _("A youth programme is adopted by its wing's congress, not at a meeting.")
        )
    if version.status != ProgrammeVersion.Status.DRAFT:
        raise ValidationError(_("Only a draft version can be put on a meeting's agenda."))
    if not meetings_for(scope, version.programme).filter(pk=meeting.pk).exists():
        raise ValidationError({"meeting": _("Choose a meeting of the programme's branch.")})
    with transaction.atomic():
        item = activity_services.add_agenda_item(
            scope,
            meeting,
            title=_("The draft programme «%(title)s», version %(number)s")
            % {"title": version.programme.title, "number": version.number},
            request=request,
        )
        version.status = ProgrammeVersion.Status.SUBMITTED
        version.agenda_item = item
        version.save(update_fields=["status", "agenda_item"])
        audit.record(
            scope.user, "programme.submitted", version, branch=meeting.branch, request=request
        )
    return version


def approve_at_meeting(scope: Scope, version: ProgrammeVersion, *, text: str, request=None):
    """Record the meeting's decision on the version's agenda item (activity's own action);
    recording it adopts the version (`adopt_on_decision`)."""
    _require_programme(scope, version.programme)
    if version.status != ProgrammeVersion.Status.SUBMITTED or version.agenda_item_id is None:
        raise ValidationError(_("Put the version on a meeting's agenda first."))
    activity_services.record_decision(scope, version.agenda_item, text=text, request=request)
    version.refresh_from_db()
    return version


def adopt_on_decision(decision: Decision) -> list[ProgrammeVersion]:
    """Called when a decision is recorded: the versions on its agenda item are adopted as of
    the meeting's date; the version adopted before them is superseded."""
    versions = list(
        ProgrammeVersion.objects.select_related("programme", "programme__branch").filter(
            agenda_item_id=decision.agenda_item_id, status=ProgrammeVersion.Status.SUBMITTED
        )
    )
    for version in versions:
        meeting = decision.agenda_item.meeting
        ProgrammeVersion.objects.filter(
            programme_id=version.programme_id, status=ProgrammeVersion.Status.ADOPTED
        ).update(status=ProgrammeVersion.Status.SUPERSEDED)
        version.status = ProgrammeVersion.Status.ADOPTED
        version.decision = decision
        version.adopted_on = meeting.date
        version.save(update_fields=["status", "decision", "adopted_on"])
        audit.record(
            None,
            "programme.adopted",
            version,
            branch=version.programme.branch,
            data={"decision": decision.pk, "meeting": meeting.pk},
        )
    return versions


def submit_to_congress(
    scope: Scope, version: ProgrammeVersion, *, on: dt.date, today: dt.date, request=None
):
    """Submit a draft version of a youth programme to its wing's congress as of `on`."""
    _require_programme(scope, version.programme)
    if not version.programme.youth_wing_id:
        raise ValidationError(_("Only a youth programme is submitted to a congress."))
    if version.status != ProgrammeVersion.Status.DRAFT:
        raise ValidationError(_("Only a draft version can be submitted."))
    if on is None or on > today:
        raise ValidationError({"submitted_on": _("The date cannot be in the future.")})
    with transaction.atomic():
        updated = ProgrammeVersion.objects.filter(
            pk=version.pk, status=ProgrammeVersion.Status.DRAFT
        ).update(status=ProgrammeVersion.Status.SUBMITTED, submitted_on=on)
        if not updated:
            raise ValidationError(_("Only a draft version can be submitted."))
        audit.record(
            scope.user,
            "programme.submitted",
            version,
            branch=version.programme.branch,
            request=request,
            data={"to": "congress", "on": on.isoformat()},
        )
    version.refresh_from_db()
    return version


def congress_versions(scope: Scope, congress: YouthCongress) -> QuerySet:
    """The submitted versions of the youth programmes of the congress's wing."""
    return (
        versions(scope)
        .filter(programme__youth_wing_id=congress.wing_id, status=ProgrammeVersion.Status.SUBMITTED)
        .order_by("programme__title", "-number")
    )


def adopt_at_congress(
    scope: Scope,
    version: ProgrammeVersion,
    *,
    congress: YouthCongress,
    today: dt.date,
    request=None,
) -> ProgrammeVersion:
    """The congress of the youth wing adopts the submitted version of the wing's youth
    programme, as of the congress's date; the version adopted before it is superseded. The
    rules of a meeting's adoption hold: only a submitted version, only once, and not before it
    was submitted; the congress is one of the programme's own wing, already held."""
    if not adopt_at_congress_rule(scope):
        raise PermissionDenied
    _require_programme(scope, version.programme)
    if not congresses(scope).filter(pk=congress.pk).exists():
        raise PermissionDenied
    programme = version.programme
    if not programme.youth_wing_id:
        raise ValidationError(_("Only a youth programme is adopted at a congress."))
    _check_congress_adoption(version, congress, today)
    with transaction.atomic():
        locked = ProgrammeVersion.objects.select_for_update().get(pk=version.pk)
        _check_congress_adoption(locked, congress, today)
        ProgrammeVersion.objects.filter(
            programme_id=programme.pk, status=ProgrammeVersion.Status.ADOPTED
        ).update(status=ProgrammeVersion.Status.SUPERSEDED)
        locked.status = ProgrammeVersion.Status.ADOPTED
        locked.congress = congress
        locked.adopted_on = congress.date
        locked.save(update_fields=["status", "congress", "adopted_on"])
        audit.record(
            scope.user,
            "programme.adopted",
            locked,
            branch=programme.branch,
            request=request,
            data={"congress": congress.pk},
        )
    version.refresh_from_db()
    return version


def _check_congress_adoption(version: ProgrammeVersion, congress: YouthCongress, today) -> None:
    if version.status in (ProgrammeVersion.Status.ADOPTED, ProgrammeVersion.Status.SUPERSEDED):
        raise ValidationError({"version": _("This version is already adopted.")})
    if version.status != ProgrammeVersion.Status.SUBMITTED or version.agenda_item_id:
        raise ValidationError(
            {"version": _("Only a version submitted to the congress can be adopted there.")}
        )
    if congress.wing_id != version.programme.youth_wing_id:
        raise ValidationError({"congress": _("Choose a congress of the programme's youth wing.")})
    if congress.date > today:
        raise ValidationError({"congress": _("This congress has not been held yet.")})
    if version.submitted_on is not None and congress.date < version.submitted_on:
        raise ValidationError(
            {"congress": _("The congress was held before the version was submitted to it.")}
        )
    if ProgrammeVersion.objects.filter(
        programme_id=version.programme_id, congress=congress
    ).exists():
        raise ValidationError(
            {"congress": _("This congress has already adopted a version of this programme.")}
        )


def publish_version(scope: Scope, version: ProgrammeVersion, *, now=None, request=None):
    _require_programme(scope, version.programme)
    if version.status != ProgrammeVersion.Status.ADOPTED:
        raise ValidationError(_("Only an adopted version can be published."))
    version.published_at = now or timezone.now()
    version.save(update_fields=["published_at"])
    audit.record(
        scope.user, "programme.published", version, branch=version.programme.branch, request=request
    )
    return version


def adopted_version(programme: Programme) -> ProgrammeVersion | None:
    return programme.versions.filter(status=ProgrammeVersion.Status.ADOPTED).first()


# Tracking commitments ----------------------------------------------------------------------
def with_state(qs: QuerySet, today: dt.date) -> QuerySet:
    """Annotate `state`: the stored status, or "overdue" for an open commitment past its
    deadline (activity's `with_state` rule for instructions)."""
    return qs.annotate(
        state=Case(
            When(Q(status__in=logic.OPEN) & Q(deadline__lt=today), then=Value(logic.OVERDUE)),
            default="status",
            output_field=CharField(),
        )
    )


def state_counts(qs: QuerySet, today: dt.date) -> dict[str, int]:
    return {
        row["state"]: row["n"]
        for row in with_state(qs, today).order_by().values("state").annotate(n=Count("pk"))
    }


def overdue_counts(programme_ids, today: dt.date) -> dict[int, int]:
    """Overdue commitments of each programme's adopted version (a draft's are not yet
    promised): one query for the versions, one grouped count."""
    keys: list[int] = []
    for items_now in ProgrammeVersion.objects.filter(
        programme_id__in=list(programme_ids), status=ProgrammeVersion.Status.ADOPTED
    ).values_list("items", flat=True):
        keys += [row["key"] for row in items_now]
    if not keys:
        return {}
    overdue = Q(status__in=logic.OPEN) & Q(deadline__lt=today)
    return dict(
        ProgrammeItem.objects.filter(overdue, pk__in=keys)
        .order_by()
        .values("programme_id")
        .annotate(n=Count("pk"))
        .values_list("programme_id", "n")
    )


def _require_adopted(item: ProgrammeItem) -> None:
    version = adopted_version(item.programme)
    if version is None or item.pk not in {row["key"] for row in version.items}:
        raise ValidationError(_("Only a commitment of an adopted version is tracked."))


def track_item(
    scope: Scope,
    item: ProgrammeItem,
    *,
    status: str,
    today: dt.date,
    done_on=None,
    budget_indicators=(),
    deputy_reports=(),
    request=None,
) -> ProgrammeItem:
    if not items(scope).filter(pk=item.pk).exists():
        raise PermissionDenied
    _require_adopted(item)
    if status not in (logic.PLANNED, logic.IN_PROGRESS, logic.DONE, logic.CANCELLED):
        raise ValidationError({"status": _("Choose a status.")})
    if status == logic.DONE:
        done_on = done_on or today
        if done_on > today:
            raise ValidationError({"done_on": _("The date cannot be in the future.")})
    else:
        done_on = None
    indicators = list(budget_indicators)
    reports = list(deputy_reports)
    if oversight_permissions.indicators(scope).filter(
        pk__in=[i.pk for i in indicators]
    ).count() != len(indicators):
        raise ValidationError(
            {"budget_indicators": _("Choose budget indicators of your maslikhat.")}
        )
    if oversight_permissions.reports(scope).filter(pk__in=[r.pk for r in reports]).count() != len(
        reports
    ):
        raise ValidationError({"deputy_reports": _("Choose reports of your deputies.")})
    with transaction.atomic():
        item.status, item.done_on = status, done_on
        item.save(update_fields=["status", "done_on"])
        item.budget_indicators.set(indicators)
        item.deputy_reports.set(reports)
        audit.record(
            scope.user,
            "programme.tracked",
            item,
            branch=item.programme.branch,
            request=request,
            data={"status": status},
        )
    return item


def add_evidence(
    scope: Scope,
    item: ProgrammeItem,
    *,
    text: str,
    url: str = "",
    date: dt.date,
    today: dt.date,
    request=None,
) -> Evidence:
    if not items(scope).filter(pk=item.pk).exists():
        raise PermissionDenied
    _require_adopted(item)
    if not text.strip():
        raise ValidationError({"text": _("Describe the evidence.")})
    if date > today:
        raise ValidationError({"date": _("The date cannot be in the future.")})
    evidence = Evidence.objects.create(
        item=item, text=text.strip(), url=url.strip(), date=date, added_by=scope.user
    )
    audit.record(
        scope.user, "programme.evidence", item, branch=item.programme.branch, request=request
    )
    return evidence
