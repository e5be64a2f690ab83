"""The public reception's staff pages (/reception/staff/...).

Who may do what (the rules are in `reception.permissions`; each view names its rule with
`@requires`, and the actions in `services/` check it again):
- handlers (`permissions.handle_appeals`): the regional administrator (every branch, with a
  branch filter), and the district secretary and reception officers of a branch (that
  branch). They see the dashboard, the appeal lists, register appeals, run the workflow,
  and manage officials, schedules, sessions and bookings of their branches;
- the head (`permissions.extend_appeals`: regional administrator, district secretary) extends;
- anyone an appeal is assigned to (a deputy with an account, say) sees the list of their
  appeals and works on them, and nothing else here;
- the working-day calendar is region-wide: handlers see it, the regional administrator
  changes it.
An appeal, official, session or booking outside the user's branches is a 404; a page the
role may not use at all is a 403. Personal data of applicants is shown only where
`permissions.can_see_personal_data` allows and every showing is logged through
`services.log_personal_data_read`; the lists and exports carry no personal data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bastau.accounts.models import Role, User
from bastau.accounts.scoping import Scope
from bastau.core import audit
from bastau.core.dbrouter import replica_view
from bastau.core.forms import apply_errors
from bastau.core.pages import form_page
from bastau.core.permissions import requires
from bastau.core.widgets import SearchChoiceField
from bastau.lib import workdays
from bastau.structure.models import Branch
from bastau.structure.search import find_branches

from .. import permissions, services, statistics
from ..forms.staff import (
    AppealFilterForm,
    AppealRegisterForm,
    AssignForm,
    AttachForm,
    BookingActionForm,
    BookingDayForm,
    BookingForm,
    CalendarOverrideForm,
    CommentForm,
    DashboardForm,
    ExtendForm,
    ForwardForm,
    NotifiedForm,
    OfficialForm,
    ResolveForm,
    ScheduleForm,
    SessionEditForm,
    SessionForm,
    StartForm,
)
from ..models import (
    Appeal,
    AppealEvent,
    Attachment,
    Booking,
    CalendarOverride,
    Official,
    ReceptionSchedule,
    ReceptionSession,
)

PAGE_SIZE = 50
#: The section navigation shown above every staff page's form (core.pages.form_page).
NAV = "reception/staff/_nav.html"
#: "Due soon": due from today up to this many working days ahead (as services.due_soon).
DUE_SOON_WORKING_DAYS = 3
#: Sessions offered when registering an appeal: those of the last so many days.
RECENT_SESSION_DAYS = 60

#: CSS badge classes of bastau.css for each appeal status.
STATUS_BADGES = {
    Appeal.Status.REGISTERED: "pending",
    Appeal.Status.ASSIGNED: "pending",
    Appeal.Status.IN_PROGRESS: "running",
    Appeal.Status.RESOLVED_POSITIVE: "done",
    Appeal.Status.EXPLAINED: "done",
    Appeal.Status.REFUSED: "closed",
    Appeal.Status.FORWARDED: "merged",
}


# Access (the rules are in reception.permissions) ------------------------------------------
def _branch_choices(scope: Scope):
    """The branch filter of the regional administrator (others have one branch)."""
    if not scope.is_regional_admin:
        return None
    return permissions.reception_branches(scope).order_by("kind", "name")


# Display helpers ---------------------------------------------------------------------------
def signed(value, places: int = 1) -> str:
    """+18.0 / −3.5 / 0.0 in the user's number format; "—" for no value."""
    if value is None:
        return "—"
    text = number_format(abs(value), decimal_pos=places)
    if value > 0:
        return "+" + text
    if value < 0:
        return "\u2212" + text
    return text


def times(value: Decimal | None) -> str:
    """×3.0, or "—" when there is nothing to compare with."""
    if value is None:
        return "—"
    return "×" + number_format(value, decimal_pos=1)


@dataclass(frozen=True)
class DeadlineState:
    """Where an appeal stands against its deadline in force, in working days."""

    kind: str  # overdue | today | soon | running | closed | closed_late
    due_on: dt.date
    working_days: int
    label: str

    @property
    def badge(self) -> str:
        return {
            "overdue": "rejected",
            "today": "pending",
            "soon": "pending",
            "closed_late": "suspended",
        }.get(self.kind, "")


def deadline_state(appeal: Appeal, today: dt.date, cal, soon_until: dt.date) -> DeadlineState:
    due = appeal.due_on
    if not appeal.is_open:
        finished = appeal.resolved_on or appeal.forwarded_on
        late = (appeal.status in Appeal.DECIDED and finished and finished > due) or (
            appeal.status == Appeal.Status.FORWARDED and appeal.forwarded_late
        )
        if late:
            return DeadlineState("closed_late", due, 0, _("Closed after the deadline"))
        return DeadlineState("closed", due, 0, _("Closed in time"))
    if due < today:
        n = cal.working_days_between(due, today)
        if n == 0:
            label = _("Overdue since %(date)s") % {"date": due.strftime("%d.%m.%Y")}
        else:
            label = ngettext(
                "Overdue by %(n)s working day",
                "Overdue by %(n)s working days",
                n,
            ) % {"n": n}
        return DeadlineState("overdue", due, n, label)
    if due == today:
        return DeadlineState("today", due, 0, _("Due today"))
    n = cal.working_days_between(today, due)
    label = ngettext("%(n)s working day left", "%(n)s working days left", n) % {"n": n}
    return DeadlineState("soon" if due <= soon_until else "running", due, n, label)


def _calendar_context(today: dt.date):
    cal = services.work_calendar()
    return cal, cal.add_working_days(today, DUE_SOON_WORKING_DAYS)


# Dashboard ---------------------------------------------------------------------------------
@dataclass
class Dashboard:
    form: DashboardForm
    branch: Branch | None
    period: statistics.Period
    as_of: dt.date
    summary: statistics.Summary
    two_months: statistics.Comparison
    year: statistics.Comparison
    whole_year: bool


def _dashboard(request) -> tuple[Scope, Dashboard]:
    scope = request.scope
    today = timezone.localdate()
    # The branch filter picks among the user's branches (the regional administrator's): the
    # form reads only the one chosen, never the list (3,400 branches at national size).
    form = DashboardForm(request.GET or None, branches=_branch_choices(scope))
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("start") or data.get("end"):
        end = data.get("end") or today
        start = data.get("start") or dt.date(end.year, 1, 1)
    else:  # the year reported on: this year so far; in January, all of last year
        reported, _before = statistics.reporting_year(today)
        start, end = reported.start, reported.end
    if start > end:
        start = dt.date(end.year, 1, 1)
    branch = data.get("branch")
    whole_year = bool(data.get("whole_year"))
    if not form.errors:
        # The form shows the figures' actual period, defaults included, and the branch found
        # (by its code, or by the name typed) under its name in the reader's language: the
        # values it is drawn with, its checks done (no second form, no second lookup).
        params = request.GET.copy()
        params["start"], params["end"] = start.isoformat(), end.isoformat()
        if "branch" in form.fields:
            params["branch"] = branch.code if branch else ""
            params["branch_q"] = branch.display_name if branch else ""
        form.data, form.is_bound = params, True  # its errors (none) are kept
    # Every figure is as of the period's end (today by default); a summary asked for twice
    # (this year is both the default period and the year comparison) is computed once. The
    # comparisons show no breakdown by topic, district or branch: theirs are not counted.
    period = statistics.Period(start, end)
    computed: dict[statistics.Period, statistics.Summary] = {
        period: statistics.summary(scope, period, branch=branch, as_of=end)
    }

    def summary(period: statistics.Period) -> statistics.Summary:
        if period not in computed:
            computed[period] = statistics.summary(
                scope, period, branch=branch, as_of=end, breakdowns=False
            )
        return computed[period]

    two_current, two_previous = statistics.last_two_months(end)
    year_current, year_previous = statistics.this_year(end, whole_previous_year=whole_year)
    board = Dashboard(
        form=form,
        branch=branch,
        period=period,
        as_of=end,
        summary=computed[period],
        two_months=statistics.Comparison(summary(two_current), summary(two_previous)),
        year=statistics.Comparison(summary(year_current), summary(year_previous)),
        whole_year=whole_year,
    )
    return scope, board


def comparison_rows(c: statistics.Comparison) -> list[dict]:
    """The rows of a comparison table: label, before, after, change as shown."""
    visits_ratio = statistics.ratio(c.current.reception_visits, c.previous.reception_visits)
    rows = [
        {
            "key": "registered",
            "label": _("Appeals registered"),
            "before": c.previous.registered,
            "after": c.current.registered,
            "change": times(c.registered_ratio),
            "extra": _percent_change(c.registered),
        },
        {
            "key": "visits",
            "label": _("Appeals received at receptions"),
            "before": c.previous.reception_visits,
            "after": c.current.reception_visits,
            "change": times(visits_ratio),
            "extra": _percent_change(c.reception_visits),
        },
        {
            "key": "sessions",
            "label": _("Receptions held"),
            "before": c.previous.reception_sessions,
            "after": c.current.reception_sessions,
            "change": times(c.sessions_ratio),
            "extra": _percent_change(c.reception_sessions),
        },
        {
            "key": "positive",
            "label": _("Resolved positively (share of decided)"),
            "before": f"{number_format(c.previous.positive_share, 1)}%",
            "after": f"{number_format(c.current.positive_share, 1)}%",
            "change": _("%(points)s points") % {"points": signed(c.positive_share_points)},
            "extra": "",
        },
        {
            "key": "overdue",
            "label": _("Overdue (share of registered)"),
            "before": f"{number_format(c.previous.overdue_share, 1)}%",
            "after": f"{number_format(c.current.overdue_share, 1)}%",
            "change": _("%(points)s points") % {"points": signed(c.overdue_share_points)},
            "extra": "",
        },
        {
            "key": "days",
            "label": _("Average days to resolve"),
            "before": _days(c.previous.average_days),
            "after": _days(c.current.average_days),
            "change": signed(c.average_days_change),
            "extra": "",
        },
    ]
    return rows


def _days(value) -> str:
    return "—" if value is None else number_format(value, decimal_pos=1)


def _percent_change(growth) -> str:
    return "" if growth.percent is None else f"{signed(growth.percent)}%"


# A chart shows at most this many bars. At national size "by district" and "by receiving branch"
# have thousands (3,400 branches: a 2 MB page that took seconds to render); the rest are summed
# in one line under the chart, and the XLSX download has every row.
CHART_BARS = 20


def _bars(buckets) -> tuple[list, int, int, int]:
    """(the bars shown, the largest count, how many more buckets, their appeals)."""
    shown, rest = buckets[:CHART_BARS], buckets[CHART_BARS:]
    return (
        shown,
        max([b.count for b in shown] + [1]),
        len(rest),
        sum(b.count for b in rest),
    )


@require_GET
@requires("reception.view_statistics")
@replica_view
def dashboard(request):
    scope, board = _dashboard(request)
    s = board.summary
    today = timezone.localdate()
    outcomes = [
        statistics.Bucket("positive", _("Resolved positively"), s.positive),
        statistics.Bucket("explained", _("Explained"), s.explained),
        statistics.Bucket("refused", _("Refused"), s.refused),
        statistics.Bucket("forwarded", _("Forwarded"), s.forwarded),
        statistics.Bucket("open", _("Still open"), s.open),
    ]
    charts = [
        ("outcome", _("Outcome"), *_bars(outcomes)),
        ("topic", _("By topic"), *_bars(s.by_topic)),
        ("channel", _("By channel"), *_bars(s.by_channel)),
        ("kind", _("By type"), *_bars(s.by_kind)),
        ("district", _("By the applicant's district"), *_bars(s.by_district)),
    ]
    if scope.is_regional_admin and board.branch is None:
        charts.append(("branch", _("By receiving branch"), *_bars(s.by_branch)))
    presets = _presets(today, board.branch)
    overdue, due_soon = statistics.open_deadlines(
        scope, today, services.due_soon_until(today, DUE_SOON_WORKING_DAYS)
    )
    list_query = {"registered_from": board.period.start, "registered_to": board.period.end}
    if board.branch is not None:
        list_query["branch"] = board.branch.pk
    return render(
        request,
        "reception/staff/dashboard.html",
        {
            "section": "dashboard",
            "b": board,
            "s": s,
            "charts": charts,
            "two_rows": comparison_rows(board.two_months),
            "year_rows": comparison_rows(board.year),
            "year_points": signed(board.year.positive_share_points),
            "presets": presets,
            "list_query": _urlencode(list_query),
            "branch_matches": _branch_matches(board.form, request.GET),
            "overdue_count": overdue,
            "due_soon_count": due_soon,
        },
    )


def _branch_matches(form, current) -> list[tuple[str, str]]:
    """(name, link) of the branches a name typed in the branch filter matches, when it matches
    several (without the script the picker's list does not open: the page offers them)."""
    field = form.fields.get("branch")
    if field is None or not field.matches:
        return []
    keep = {k: current[k] for k in ("start", "end", "whole_year") if current.get(k)}
    return [
        (label, "?" + _urlencode(dict(keep, branch=code, branch_q=label)))
        for code, label in field.matches
    ]


def _urlencode(params: dict) -> str:
    return urlencode(
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in params.items()}
    )


def _presets(today: dt.date, branch: Branch | None) -> list[tuple[str, str]]:
    """Quick period links, keeping the branch filter."""
    keep = {}
    if branch is not None:
        keep["branch"] = branch.code
    two_months, _previous = statistics.last_two_months(today)
    ranges = [
        (_("This year"), dt.date(today.year, 1, 1), today),
        (_("Last two months"), two_months.start, today),
        (_("Last 30 days"), today - dt.timedelta(days=29), today),
        (_("Last year"), dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)),
    ]
    return [(label, "?" + _urlencode(dict(keep, start=a, end=b))) for label, a, b in ranges]


@require_GET
@requires("reception.view_statistics")
@replica_view
def pick_branch(request):
    """The dashboard's branch filter search (core.widgets.FilterAutocomplete): up to 20 of the
    regional administrator's branches whose code or name matches what is typed (others have
    no filter: 403). Names of branches are not personal data: searches are not audited."""
    branches = _branch_choices(request.scope)
    if branches is None:
        raise PermissionDenied
    query = request.GET.get("q") or request.GET.get("branch_q") or ""
    short = len(query.strip()) < 2
    options = []
    if not short:
        exact, others = find_branches(branches, query[:100])
        options = (exact + others)[: SearchChoiceField.SHOWN]
    return render(request, "core/autocomplete_results.html", {"options": options, "short": short})


@require_GET
@requires("reception.view_statistics")
@replica_view
def dashboard_xlsx(request):
    from ..exports import dashboard_workbook_response

    scope, board = _dashboard(request)
    audit.record(
        request.user,
        "reception.statistics_exported",
        branch=board.branch,
        request=request,
        summary=f"{board.period.start} - {board.period.end}",
        data={"branch": board.branch.code if board.branch else ""},
    )
    return dashboard_workbook_response(
        board, comparison_rows(board.two_months), comparison_rows(board.year)
    )


# Appeal lists ------------------------------------------------------------------------------
def filter_appeals(scope: Scope, params, today: dt.date, soon_until: dt.date):
    """The filtered appeals of the scope (a queryset, never evaluated here) and the form."""
    branches = _branch_choices(scope)
    form = AppealFilterForm(params or None, branches=branches)
    data = form.cleaned_data if form.is_valid() else {}
    qs = services.search_appeals(
        scope,
        status=data.get("status") or None,
        branch=data.get("branch"),
        topic=data.get("topic"),
        assignee=scope.user if data.get("mine") else None,
        registered_from=data.get("registered_from"),
        registered_to=data.get("registered_to"),
    )
    if data.get("channel"):
        qs = qs.filter(channel=data["channel"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("district"):
        qs = qs.filter(district=data["district"])
    deadline = Q()
    if data.get("overdue"):
        deadline |= Q(status__in=Appeal.OPEN, due_on__lt=today)
    if data.get("due_soon"):
        deadline |= Q(status__in=Appeal.OPEN, due_on__gte=today, due_on__lte=soon_until)
    if deadline:
        qs = qs.filter(deadline).order_by("due_on", "pk")
    query = " ".join((data.get("q") or "").split())
    searched_names = False
    if query:
        # A registration number for everyone; the applicant's name only among the appeals
        # whose personal data the user may see.
        condition = Q(number__icontains=query)
        if len(query) >= 2:
            condition |= Q(applicant_name__icontains=query) & permissions.personal_data_condition(
                scope
            )
            searched_names = True
        qs = qs.filter(condition)
    qs = qs.select_related("topic", "receiving_branch", "assignee", "district")
    return form, qs, searched_names


def _rows(page, today, cal, soon_until):
    """(appeal, deadline state, status badge) for each appeal of the page."""
    return [
        (appeal, deadline_state(appeal, today, cal, soon_until), STATUS_BADGES.get(appeal.status))
        for appeal in page
    ]


def _list_page(request, scope, qs, *, title, section, form=None, note="", searched=False):
    today = timezone.localdate()
    cal, soon_until = _calendar_context(today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _rows(page, today, cal, soon_until)
    if searched and page.object_list:
        # The search by name read personal data: one audit record per search (the query
        # itself is not kept; the numbers found identify the appeals).
        audit.record(
            request.user,
            "appeal.personal_data_search",
            request=request,
            summary=_("Search by applicant's name"),
            data={"found": page.paginator.count, "shown": [row[0].number for row in rows]},
        )
    template = (
        "reception/staff/_appeal_rows.html" if request.htmx else "reception/staff/appeals.html"
    )
    return render(
        request,
        template,
        {
            "section": section,
            "title": title,
            "note": note,
            "form": form,
            "page": page,
            "rows": rows,
            "today": today,
        },
    )


@require_GET
@requires("reception.view_appeals")
def appeal_list(request):
    scope = request.scope
    today = timezone.localdate()
    _cal, soon_until = _calendar_context(today)
    form, qs, searched = filter_appeals(scope, request.GET, today, soon_until)
    return _list_page(
        request, scope, qs, title=_("Appeals"), section="appeals", form=form, searched=searched
    )


@require_GET
@requires("reception.view_appeals")
def overdue_list(request):
    scope = request.scope
    qs = services.overdue(scope).select_related("district")
    return _list_page(
        request,
        scope,
        qs,
        title=_("Overdue appeals"),
        section="overdue",
        note=_("Open appeals whose deadline in force has passed, the oldest deadline first."),
    )


@require_GET
@requires("reception.view_appeals")
def due_soon_list(request):
    scope = request.scope
    qs = services.due_soon(scope, days=DUE_SOON_WORKING_DAYS).select_related("district")
    note = ngettext(
        "Open appeals due from today up to %(n)s working day ahead.",
        "Open appeals due from today up to %(n)s working days ahead.",
        DUE_SOON_WORKING_DAYS,
    ) % {"n": DUE_SOON_WORKING_DAYS}
    return _list_page(
        request, scope, qs, title=_("Appeals due soon"), section="due_soon", note=note
    )


@require_GET
@requires("reception.view_appeals")
@replica_view
def appeals_xlsx(request):
    from ..exports import appeals_workbook_response

    scope = request.scope
    today = timezone.localdate()
    cal, soon_until = _calendar_context(today)
    form, qs, searched = filter_appeals(scope, request.GET, today, soon_until)
    qs = qs.select_related("responsible_official")
    count = qs.count()
    audit.record(
        request.user,
        "reception.appeals_exported",
        request=request,
        branch=getattr(request.user, "branch", None),
        summary=str(count),
        data={
            "count": count,
            "filters": {
                k: str(v)
                for k, v in (form.cleaned_data if form.is_bound and form.is_valid() else {}).items()
                if v not in (None, "", False) and k != "q"
            },
            "searched": bool(searched),
        },
    )
    return appeals_workbook_response(qs, lambda a: deadline_state(a, today, cal, soon_until), today)


# Registration ------------------------------------------------------------------------------
def _recent_sessions(scope: Scope, today: dt.date):
    return (
        ReceptionSession.objects.filter(
            branch__in=permissions.reception_branches(scope),
            date__gte=today - dt.timedelta(days=RECENT_SESSION_DAYS),
        )
        .select_related("official")
        .order_by("-date", "-id")
    )


@require_http_methods(["GET", "POST"])
@requires("reception.handle_appeals")
def appeal_new(request):
    scope = request.scope
    today = timezone.localdate()
    branches = permissions.reception_branches(scope).order_by("kind", "name")
    sessions = _recent_sessions(scope, today)
    initial = {
        "registered_on": today,
        "language": (get_language() or "kk")[:2],
        "receiving_branch": request.user.branch_id,
        "channel": Appeal.Channel.RECEPTION,
    }
    session_pk = request.GET.get("session")
    if session_pk and session_pk.isdigit():
        session = sessions.filter(pk=session_pk).first()
        if session is not None:
            initial.update(
                session=session.pk, registered_on=session.date, receiving_branch=session.branch_id
            )
    form = AppealRegisterForm(
        request.POST or None,
        request.FILES or None,
        branches=branches,
        sessions=sessions,
        initial=initial,
    )

    def save(data):
        data = dict(data)
        data.pop("attachments")
        return services.register_appeal(
            scope,
            receiving_branch=data.pop("receiving_branch"),
            channel=data.pop("channel"),
            registered_on=data.pop("registered_on"),
            session=data.pop("session"),
            comment=data.pop("comment"),
            data=data,
            files=request.FILES.getlist("attachments"),
            request=request,
        )

    def done(appeal):
        messages.success(
            request,
            _("The appeal %(number)s was registered; it is due on %(date)s.")
            % {"number": appeal.number, "date": appeal.due_on.strftime("%d.%m.%Y")},
        )
        return reverse("reception:staff_appeal", args=[appeal.pk])

    return form_page(
        request,
        form,
        save=save,
        done=done,
        title=_("Register an appeal"),
        cancel=reverse("reception:staff_appeals"),
        submit=_("Register"),
        nav=NAV,
        context={"section": "appeal_new"},
    )


# The appeal page ---------------------------------------------------------------------------
def _assignable_users(appeal: Appeal):
    """People an appeal can be given to: the receiving branch's secretary and reception
    officers, the regional administrators, people recorded as officials of the branch (a
    deputy with an account), and whoever has it now."""
    branch_ids = [appeal.receiving_branch_id]
    if appeal.receiving_branch.parent_id:
        branch_ids.append(appeal.receiving_branch.parent_id)
    official_members = Official.objects.filter(
        branch_id__in=branch_ids, active=True, member__isnull=False
    ).values("member_id")
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role=Role.REGIONAL_ADMIN)
            | Q(
                role__in=(Role.DISTRICT_SECRETARY, Role.RECEPTION_OFFICER),
                branch_id=appeal.receiving_branch_id,
            )
            | Q(member_id__in=official_members)
            | Q(pk=appeal.assignee_id or 0)
        )
        .order_by("last_name", "first_name", "username")
    )


def _assignable_officials(appeal: Appeal):
    branch_ids = [appeal.receiving_branch_id]
    if appeal.receiving_branch.parent_id:
        branch_ids.append(appeal.receiving_branch.parent_id)
    return Official.objects.filter(
        Q(branch_id__in=branch_ids, active=True) | Q(pk=appeal.responsible_official_id or 0)
    ).order_by("name", "id")


ACTIONS = ("assign", "start", "extend", "notified", "forward", "resolve", "comment", "attach")


@dataclass(frozen=True)
class Permissions:
    handles: bool
    assignee: bool
    extend: bool

    def role_allows(self, action: str) -> bool:
        """Whether the user's relation to the appeal allows the action at all (its status
        aside)."""
        if action in ("assign", "forward"):
            return self.handles
        if action == "extend":
            return self.extend
        return action in ACTIONS and (self.handles or self.assignee)

    def allowed(self, appeal: Appeal) -> set[str]:
        """The actions offered now: allowed to the user and possible in the appeal's status."""
        acts = set()
        works = self.handles or self.assignee
        if appeal.is_open:
            if self.handles:
                acts |= {"assign", "forward"}
            if self.extend:
                acts.add("extend")
            if works and appeal.status == Appeal.Status.ASSIGNED:
                acts.add("start")
            if works and appeal.status in (Appeal.Status.ASSIGNED, Appeal.Status.IN_PROGRESS):
                acts.add("resolve")
        if works:
            acts |= {"comment", "attach"}
            if appeal.extended_deadline is not None and appeal.extension_notified_at is None:
                acts.add("notified")
        return acts


def _action_forms(
    appeal: Appeal, allowed: set[str], today: dt.date, data=None, files=None, bound=""
):
    """One form per action the user may take; `bound` names the one that was posted."""

    def make(name, cls, **kwargs):
        # Several forms share field names (comment, on): unique ids keep each label tied to
        # its own input, for screen readers and for clicking a label.
        kwargs.setdefault("auto_id", f"id_{name}_%s")
        if name == bound:
            return cls(data, files, **kwargs) if files is not None else cls(data, **kwargs)
        return cls(**kwargs)

    forms = {}
    if "assign" in allowed:
        forms["assign"] = make(
            "assign",
            AssignForm,
            users=_assignable_users(appeal),
            officials=_assignable_officials(appeal),
            initial={
                "assignee": appeal.assignee_id,
                "official": appeal.responsible_official_id,
                "body": appeal.responsible_body,
            },
        )
    if "start" in allowed:
        forms["start"] = make("start", StartForm)
    if "extend" in allowed:
        forms["extend"] = make("extend", ExtendForm, initial={"decided_on": today})
    if "notified" in allowed:
        forms["notified"] = make("notified", NotifiedForm)
    if "forward" in allowed:
        forms["forward"] = make("forward", ForwardForm, initial={"on": today})
    if "resolve" in allowed:
        forms["resolve"] = make("resolve", ResolveForm, initial={"on": today})
    if "comment" in allowed:
        forms["comment"] = make("comment", CommentForm)
    if "attach" in allowed:
        forms["attach"] = make("attach", AttachForm)
    return forms


def _run_action(scope: Scope, appeal: Appeal, action: str, form, request) -> str:
    """Call the action's service; returns the success message."""
    data = form.cleaned_data
    if action == "assign":
        services.assign(scope, appeal, request=request, **data)
        return _("The appeal was assigned.")
    if action == "start":
        services.start(scope, appeal, comment=data["comment"], request=request)
        return _("Work on the appeal has started.")
    if action == "extend":
        appeal = services.extend(scope, appeal, request=request, **data)
        if appeal.extension_notified_at:
            return _("The deadline was extended to %(date)s; the applicant has been told.") % {
                "date": appeal.due_on.strftime("%d.%m.%Y")
            }
        return _(
            "The deadline was extended to %(date)s. Tell the applicant by %(notice)s and "
            "record it here."
        ) % {
            "date": appeal.due_on.strftime("%d.%m.%Y"),
            "notice": appeal.extension_notice_by.strftime("%d.%m.%Y"),
        }
    if action == "notified":
        services.mark_extension_notified(scope, appeal, how=data["how"], request=request)
        return _("Recorded.")
    if action == "forward":
        services.forward(scope, appeal, request=request, **data)
        return _("The appeal was forwarded.")
    if action == "resolve":
        services.resolve(scope, appeal, request=request, **data)
        return _("The appeal was closed.")
    if action == "comment":
        services.add_comment(scope, appeal, text=data["text"], request=request)
        return _("The comment was added.")
    services.add_attachment(scope, appeal, data["attachments"], request=request)
    return _("The file was attached.")


@dataclass(frozen=True)
class TimelineRow:
    event: AppealEvent
    detail: str


def _timeline(appeal: Appeal, attachments) -> list[TimelineRow]:
    events = list(appeal.events.select_related("by"))
    user_ids = {e.data.get("assignee") for e in events if e.kind == AppealEvent.Kind.ASSIGNED}
    official_ids = {e.data.get("official") for e in events if e.kind == AppealEvent.Kind.ASSIGNED}
    users = (
        {u.pk: str(u) for u in User.objects.filter(pk__in=[i for i in user_ids if i])}
        if any(user_ids)
        else {}
    )
    officials = (
        {o.pk: o.name for o in Official.objects.filter(pk__in=[i for i in official_ids if i])}
        if any(official_ids)
        else {}
    )
    files = {a.pk: a.original_name for a in attachments}
    channels = dict(Appeal.Channel.choices)
    rows = []
    for e in events:
        d = e.data or {}
        parts: list[str] = []
        if e.kind == AppealEvent.Kind.REGISTERED and d.get("channel"):
            parts.append(str(channels.get(d["channel"], d["channel"])))
        elif e.kind == AppealEvent.Kind.ASSIGNED:
            parts += [
                users.get(d.get("assignee"), ""),
                officials.get(d.get("official"), ""),
                d.get("body", ""),
            ]
        elif e.kind == AppealEvent.Kind.EXTENDED:
            parts.append(
                _("deadline %(old)s → %(new)s; tell the applicant by %(notice)s")
                % {
                    "old": _iso_to_display(d.get("from")),
                    "new": _iso_to_display(d.get("to")),
                    "notice": _iso_to_display(d.get("notice_by")),
                }
            )
        elif e.kind == AppealEvent.Kind.FORWARDED:
            parts.append(_("to %(body)s") % {"body": d.get("to", "")})
            if d.get("late"):
                parts.append(_("after the 3-day limit"))
        elif e.kind == AppealEvent.Kind.RESOLVED and d.get("late"):
            parts.append(_("after the deadline"))
        elif e.kind == AppealEvent.Kind.NOTIFIED:
            parts.append(", ".join(d.get("channels", [])))
        elif e.kind == AppealEvent.Kind.ATTACHMENT:
            parts.append(files.get(d.get("attachment"), ""))
        elif e.kind == AppealEvent.Kind.DEADLINE_RECOMPUTED:
            parts.append(
                _("calendar change on %(day)s: due %(old)s → %(new)s")
                % {
                    "day": _iso_to_display(d.get("calendar_day")),
                    "old": _iso_to_display((d.get("old") or {}).get("deadline")),
                    "new": _iso_to_display((d.get("new") or {}).get("deadline")),
                }
            )
        rows.append(TimelineRow(e, "; ".join(p for p in parts if p)))
    return rows


def _iso_to_display(value) -> str:
    try:
        return dt.date.fromisoformat(value).strftime("%d.%m.%Y")
    except (TypeError, ValueError):
        return value or ""


@require_http_methods(["GET", "POST"])
@requires("reception.view_appeals")
def appeal_detail(request, pk):
    scope = request.scope
    appeal = get_object_or_404(
        permissions.appeals(scope).select_related(
            "topic",
            "receiving_branch",
            "assignee",
            "district",
            "responsible_official",
            "session",
            "session__official",
            "registered_by",
        ),
        pk=pk,
    )
    today = timezone.localdate()
    perms = Permissions(
        handles=permissions.handles_appeal(scope, appeal),
        assignee=permissions.is_appeal_assignee(scope, appeal),
        extend=permissions.extend_appeals(scope) and permissions.handles_appeal(scope, appeal),
    )
    allowed = perms.allowed(appeal)
    posted = ""
    if request.method == "POST":
        posted = request.POST.get("action", "")
        if not perms.role_allows(posted):
            raise PermissionDenied
        if posted not in allowed:
            # Someone else moved the appeal on since the page was loaded.
            messages.error(
                request,
                _("This step is not possible now: the appeal is %(status)s.")
                % {"status": str(appeal.get_status_display()).lower()},
            )
            return redirect("reception:staff_appeal", appeal.pk)
        files = request.FILES if posted == "attach" else None
        forms = _action_forms(appeal, allowed, today, request.POST, files, bound=posted)
        form = forms[posted]
        if form.is_valid():
            try:
                message = _run_action(scope, appeal, posted, form, request)
            except ValidationError as exc:
                apply_errors(form, exc)
                appeal.refresh_from_db()
            else:
                messages.success(request, message)
                return redirect("reception:staff_appeal", appeal.pk)
    else:
        forms = _action_forms(appeal, allowed, today)

    show_personal = permissions.can_see_personal_data(scope, appeal)
    if show_personal:
        services.log_personal_data_read(request.user, appeal, request)
    cal = services.work_calendar()
    soon_until = cal.add_working_days(today, DUE_SOON_WORKING_DAYS)
    attachments = list(appeal.attachments.all()) if show_personal else []
    return render(
        request,
        "reception/staff/appeal.html",
        {
            "section": "appeals",
            "appeal": appeal,
            "show_personal": show_personal,
            "state": deadline_state(appeal, today, cal, soon_until),
            "extension_limit": services.extension_limit(appeal, cal),
            "notice_if_today": workdays.extension_notice_deadline(cal, today),
            "forward_late": appeal.is_open and today > appeal.forward_by,
            "timeline": _timeline(appeal, attachments),
            "attachments": attachments,
            "attachment_count": len(attachments) if show_personal else appeal.attachments.count(),
            "forms": forms,
            "posted": posted,
            "badge": STATUS_BADGES.get(appeal.status, ""),
            "perms": perms,
            "today": today,
        },
    )


@require_GET
@requires("reception.view_appeals")
def attachment_download(request, pk):
    """Stream an appeal's file to someone who may see the appeal's personal data; the read
    is logged. Never a MEDIA URL: the storage has none."""
    attachment = get_object_or_404(
        Attachment.objects.select_related("appeal", "appeal__receiving_branch").filter(
            appeal__in=permissions.appeals(request.scope)
        ),
        pk=pk,
    )
    handle, content_type, name = services.open_attachment(request.user, attachment, request)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# Officials ---------------------------------------------------------------------------------
@require_GET
@requires("reception.handle_appeals")
def official_list(request):
    scope = request.scope
    show = request.GET.get("show", "active")
    qs = permissions.officials(scope).select_related("branch").prefetch_related("schedules")
    if show != "all":
        qs = qs.filter(active=True)
    page = Paginator(qs.order_by("name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reception/staff/officials.html",
        {"section": "officials", "page": page, "show": show},
    )


def _official_form_page(request, scope, official, title):
    branches = permissions.reception_branches(scope).order_by("kind", "name")
    initial = {} if official.pk else {"branch": request.user.branch_id, "active": True}
    form = OfficialForm(request.POST or None, instance=official, branches=branches, initial=initial)
    return form_page(
        request,
        form,
        save=lambda data: services.save_official(scope, form.save(commit=False), request=request),
        done=reverse("reception:staff_officials"),
        message=_("Saved."),
        title=title,
        cancel=reverse("reception:staff_officials"),
        nav=NAV,
        context={"section": "officials"},
    )


@require_http_methods(["GET", "POST"])
@requires("reception.handle_appeals")
def official_new(request):
    scope = request.scope
    return _official_form_page(request, scope, Official(), _("New official"))


@require_http_methods(["GET", "POST"])
@requires("reception.handle_appeals")
def official_edit(request, pk):
    scope = request.scope
    official = get_object_or_404(permissions.officials(scope), pk=pk)
    return _official_form_page(request, scope, official, _("Edit official"))


# Schedules ---------------------------------------------------------------------------------
@require_GET
@requires("reception.handle_appeals")
def schedule_list(request):
    scope = request.scope
    qs = permissions.schedules(scope).select_related("official", "branch")
    if request.GET.get("show") != "all":
        qs = qs.filter(active=True)
    qs = qs.order_by("official__name", "weekday", "date", "start_time", "id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    upcoming = services.reception_days(
        today,
        today + dt.timedelta(days=13),
        branch=None if scope.is_regional_admin else request.user.branch,
    )
    return render(
        request,
        "reception/staff/schedules.html",
        {
            "section": "schedules",
            "page": page,
            "show": request.GET.get("show", "active"),
            "upcoming": upcoming[:60],
        },
    )


def _schedule_form_page(request, scope, obj, title):
    branches = permissions.reception_branches(scope).order_by("kind", "name")
    officials = permissions.officials(scope).filter(Q(active=True) | Q(pk=obj.official_id or 0))
    initial = {}
    if not obj.pk:
        initial = {"branch": request.user.branch_id, "active": True, "slot_minutes": 15}
        official_pk = request.GET.get("official", "")
        if official_pk.isdigit():
            initial["official"] = int(official_pk)
    form = ScheduleForm(
        request.POST or None,
        instance=obj,
        branches=branches,
        officials=officials.order_by("name"),
        initial=initial,
    )
    return form_page(
        request,
        form,
        save=lambda data: services.save_schedule(scope, form.save(commit=False), request=request),
        done=reverse("reception:staff_schedules"),
        message=_("Saved."),
        title=title,
        cancel=reverse("reception:staff_schedules"),
        nav=NAV,
        context={"section": "schedules"},
    )


@require_http_methods(["GET", "POST"])
@requires("reception.handle_appeals")
def schedule_new(request):
    scope = request.scope
    return _schedule_form_page(request, scope, ReceptionSchedule(), _("New reception schedule"))


@require_http_methods(["GET", "POST"])
@requires("reception.handle_appeals")
def schedule_edit(request, pk):
    scope = request.scope
    obj = get_object_or_404(permissions.schedules(scope), pk=pk)
    return _schedule_form_page(request, scope, obj, _("Edit reception schedule"))


# Sessions ----------------------------------------------------------------------------------
@require_GET
@requires("reception.handle_appeals")
def session_list(request):
    scope = request.scope
    qs = (
        permissions.sessions(scope)
        .select_related("official", "branch")
        .annotate(appeal_count=Count("appeals"))
        .order_by("-date", "-id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reception/staff/sessions.html", {"section": "sessions", "page": page})


@require_http_methods(["GET", "POST"])
@requires("reception.handle_appeals")
def session_new(request):
    scope = request.scope
    today = timezone.localdate()
    officials = permissions.officials(scope).filter(active=True).order_by("name")
    schedules = permissions.schedules(scope).filter(active=True).select_related("official")
    initial = {"date": today}
    schedule_pk = request.GET.get("schedule", "")
    if schedule_pk.isdigit():
        chosen = schedules.filter(pk=schedule_pk).first()
        if chosen is not None:
            initial.update(schedule=chosen.pk, official=chosen.official_id, branch=chosen.branch_id)
    if request.GET.get("date"):
        with contextlib.suppress(ValueError):
            initial["date"] = dt.date.fromisoformat(request.GET["date"])
    form = SessionForm(
        request.POST or None,
        branches=permissions.reception_branches(scope).order_by("kind", "name"),
        officials=officials,
        schedules=schedules,
        initial=initial,
    )
    return form_page(
        request,
        form,
        save=lambda data: services.open_session(
            scope,
            official=data["official"],
            date=data["date"],
            place=data["place"],
            branch=data["branch"],
            schedule=data["schedule"],
            notes=data["notes"],
            request=request,
        ),
        done=lambda session: reverse("reception:staff_session", args=[session.pk]),
        message=_("The reception session was recorded."),
        title=_("Record a reception session"),
        cancel=reverse("reception:staff_sessions"),
        nav=NAV,
        context={"section": "sessions"},
    )


@require_GET
@requires("reception.handle_appeals")
def session_detail(request, pk):
    scope = request.scope
    session = get_object_or_404(
        permissions.sessions(scope).select_related("official", "branch", "schedule"), pk=pk
    )
    today = timezone.localdate()
    cal, soon_until = _calendar_context(today)
    appeals = (
        permissions.appeals(scope)
        .filter(session=session)
        .select_related("topic", "receiving_branch", "assignee", "district")
        .order_by("registered_at", "pk")
    )
    page = Paginator(appeals, PAGE_SIZE).get_page(request.GET.get("page"))
    bookings = Booking.objects.filter(
        Q(session=session) | Q(official_id=session.official_id, date=session.date)
    ).select_related("topic")
    return render(
        request,
        "reception/staff/session.html",
        {
            "section": "sessions",
            "session": session,
            "page": page,
            "rows": _rows(page, today, cal, soon_until),
            "bookings": bookings,
        },
    )


@require_http_methods(["GET", "POST"])
@requires("reception.handle_appeals")
def session_edit(request, pk):
    scope = request.scope
    session = get_object_or_404(
        permissions.sessions(scope).select_related("official", "branch"), pk=pk
    )
    form = SessionEditForm(
        request.POST or None, initial={"place": session.place, "notes": session.notes}
    )
    return form_page(
        request,
        form,
        save=lambda data: services.update_session(scope, session, request=request, **data),
        done=reverse("reception:staff_session", args=[session.pk]),
        message=_("Saved."),
        title=_("Edit reception session"),
        subtitle=str(session),
        cancel=reverse("reception:staff_session", args=[session.pk]),
        nav=NAV,
        context={"section": "sessions"},
    )


# Bookings ----------------------------------------------------------------------------------
@dataclass
class DayReception:
    occurrence: services.Occurrence
    bookings: list
    free: list


@require_GET
@requires("reception.handle_appeals")
def booking_day(request):
    scope = request.scope
    today = timezone.localdate()
    form = BookingDayForm(request.GET or None, initial={"day": today})
    data = form.cleaned_data if form.is_valid() else {}
    day = data.get("day") or today
    branch = None if scope.is_regional_admin else request.user.branch
    occurrences = services.reception_days(day, day, branch=branch)
    bookings = list(
        permissions.bookings(scope)
        .filter(date=day)
        .select_related("official", "schedule", "topic", "session", "booked_by")
        .order_by("time", "id")
    )
    taken: dict[int, set] = {}
    for b in bookings:
        if b.status != Booking.Status.CANCELLED:
            taken.setdefault(b.official_id, set()).add(b.time)
    now = timezone.localtime()
    receptions = []
    shown = set()
    for occurrence in occurrences:
        sch = occurrence.schedule
        mine = [b for b in bookings if b.schedule_id == sch.pk]
        shown.update(b.pk for b in mine)
        free = [
            t
            for t in sch.slot_times()
            if t not in taken.get(sch.official_id, set())
            and not (day == now.date() and t <= now.time())
        ]
        receptions.append(DayReception(occurrence, mine, free if day >= today else []))
    others = [b for b in bookings if b.pk not in shown]
    if data.get("status"):
        for reception in receptions:
            reception.bookings = [b for b in reception.bookings if b.status == data["status"]]
        others = [b for b in others if b.status == data["status"]]
    sessions = list(
        permissions.sessions(scope)
        .filter(date=day)
        .select_related("official")
        .order_by("official__name")
    )
    return render(
        request,
        "reception/staff/bookings.html",
        {
            "section": "bookings",
            "form": form,
            "day": day,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "receptions": receptions,
            "others": others,
            "sessions": sessions,
            "action_form": BookingActionForm(sessions=permissions.sessions(scope).none()),
        },
    )


@require_http_methods(["GET", "POST"])
@requires("reception.handle_appeals")
def booking_new(request):
    scope = request.scope
    today = timezone.localdate()
    schedules = (
        permissions.schedules(scope)
        .filter(active=True, official__active=True)
        .select_related("official")
        .order_by("official__name", "weekday", "date")
    )
    initial = {"day": today}
    for name in ("schedule", "day", "time"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    form = BookingForm(request.POST or None, schedules=schedules, initial=initial)

    def done(booking):
        messages.success(
            request,
            _("Booked: %(official)s, %(day)s at %(time)s. Booking code %(code)s.")
            % {
                "official": booking.official.name,
                "day": booking.date.strftime("%d.%m.%Y"),
                "time": booking.time.strftime("%H:%M"),
                "code": booking.code,
            },
        )
        return reverse("reception:staff_bookings") + f"?day={booking.date.isoformat()}"

    return form_page(
        request,
        form,
        save=lambda data: services.book_reception(
            schedule=data["schedule"],
            day=data["day"],
            time=data["time"],
            applicant_name=data["applicant_name"],
            applicant_phone=data["applicant_phone"],
            topic=data["topic"],
            scope=scope,
            request=request,
        ),
        done=done,
        title=_("Book a reception visit"),
        cancel=reverse("reception:staff_bookings"),
        submit=_("Book"),
        nav=NAV,
        context={"section": "bookings"},
    )


@require_POST
@requires("reception.handle_appeals")
def booking_action(request, pk):
    scope = request.scope
    booking = get_object_or_404(
        permissions.bookings(scope).select_related("schedule__branch"), pk=pk
    )
    form = BookingActionForm(
        request.POST, sessions=permissions.sessions(scope).filter(official_id=booking.official_id)
    )
    back = reverse("reception:staff_bookings") + f"?day={booking.date.isoformat()}"
    if not form.is_valid():
        messages.error(request, _("Choose what happened to the booking."))
        return redirect(back)
    action = form.cleaned_data["action"]
    try:
        if action == "cancel":
            services.cancel_booking(booking, scope=scope, request=request)
        else:
            services.record_attendance(
                scope,
                booking,
                attended=action == "attended",
                session=form.cleaned_data["session"],
                request=request,
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect(back)


# Calendar ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    working: bool
    weekend: bool
    name: str
    override: CalendarOverride | None


def _holiday_language() -> str:
    """The `holidays` package names Kazakhstan's holidays in Kazakh and English only."""
    return "en_US" if (get_language() or "kk").startswith("en") else "kk"


def calendar_days(
    year: int, overrides: dict[dt.date, CalendarOverride]
) -> tuple[list[CalendarDay], int]:
    """The days of `year` that differ from a plain Monday-to-Friday week (holidays, also on a
    weekend; weekdays off; weekend days worked; every override), and the year's number of
    working days."""
    cal = services.work_calendar()
    language = _holiday_language()
    days = []
    working_count = 0
    day = dt.date(year, 1, 1)
    while day.year == year:
        working = cal.is_working_day(day)
        working_count += working
        weekend = day.weekday() >= 5
        name = cal.holiday_name(day, language) or ""
        if working == weekend or name or day in overrides:
            days.append(CalendarDay(day, working, weekend, name, overrides.get(day)))
        day += dt.timedelta(days=1)
    return days, working_count


@require_http_methods(["GET", "POST"])
@requires("reception.handle_appeals")
def calendar_page(request):
    scope = request.scope
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    form = CalendarOverrideForm(request.POST or None)
    if request.method == "POST":
        if not permissions.manage_catalogue(scope):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.set_calendar_override(
                    scope,
                    day=data["day"],
                    is_working_day=data["is_working_day"],
                    note=data["note"],
                    request=request,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Saved. Open appeals whose deadlines depend on that day were recomputed."),
                )
                return redirect(reverse("reception:staff_calendar") + f"?year={data['day'].year}")
    overrides = {
        o.date: o
        for o in CalendarOverride.objects.filter(date__year=year).select_related("created_by")
    }
    days, working_count = calendar_days(year, overrides)
    return render(
        request,
        "reception/staff/calendar.html",
        {
            "section": "calendar",
            "form": form,
            "year": year,
            "days": days,
            "overrides": sorted(overrides.values(), key=lambda o: o.date),
            "working_count": working_count,
            "package_version": workdays.package_version(),
            "may_edit": permissions.manage_catalogue(scope),
        },
    )


@require_POST
@requires("reception.manage_catalogue")
def calendar_remove(request):
    scope = request.scope
    try:
        day = dt.date.fromisoformat(request.POST.get("day", ""))
    except ValueError as exc:
        raise Http404 from exc
    changed = services.remove_calendar_override(scope, day, request=request)
    messages.success(
        request,
        ngettext(
            "The override was removed; %(n)s appeal's deadline was recomputed.",
            "The override was removed; %(n)s appeals' deadlines were recomputed.",
            changed,
        )
        % {"n": changed},
    )
    return redirect(reverse("reception:staff_calendar") + f"?year={day.year}")
