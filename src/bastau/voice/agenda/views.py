"""Pages of the local issues register and the programme (/agenda/...).

- staff pages name `voice.agenda.view_agenda` (regional administrator; district secretary:
  their district's issues and programme); an object outside the scoped querysets is a 404;
- the public pages (`public_*`) show a published version only, with its commitments' status.
Lists filter and paginate in the database; counts come from grouped queries (services).
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bastau.activity import permissions as activity_permissions
from bastau.activity.models import Decision
from bastau.core.forms import apply_errors
from bastau.core.pages import form_page
from bastau.core.permissions import requires
from bastau.oversight import permissions as oversight_permissions
from bastau.reception import permissions as reception_permissions
from bastau.reception.models import Appeal, Topic
from bastau.voice.surveys import permissions as surveys_permissions
from bastau.voice.surveys.models import Survey, SurveyTopic

from . import documents, forms, logic, permissions, services
from .models import Issue, IssueSource, ProgrammeItem, ProgrammeVersion

PAGE_SIZE = 50
NAV = "agenda/_nav.html"
STATE_BADGES = {
    logic.PLANNED: "pending",
    logic.IN_PROGRESS: "running",
    logic.DONE: "done",
    logic.OVERDUE: "rejected",
    logic.CANCELLED: "closed",
}
STATE_LABELS = dict(ProgrammeItem.Status.choices)
#: The states counted (and filtered by) on a programme's page.
TRACKED_STATES = (logic.PLANNED, logic.IN_PROGRESS, logic.DONE, logic.OVERDUE)
#: Recent records offered in a select (a district has a few hundred at most in a term).
CHOICES_LIMIT = 300


def _topics():
    return Topic.objects.order_by("order", "name")


# The register ------------------------------------------------------------------------------
@require_GET
@requires("voice.agenda.view_agenda")
def issues(request):
    scope = request.scope
    form = forms.IssueFilterForm(
        request.GET or None, districts=permissions.districts(scope), topics=_topics()
    )
    qs = permissions.issues(scope).select_related("district", "topic")
    merged = False
    if form.is_valid():
        data = form.cleaned_data
        if data["district"]:
            qs = qs.filter(district=data["district"])
        if data["topic"]:
            qs = qs.filter(topic=data["topic"])
        if data["q"]:
            qs = qs.filter(Q(title__icontains=data["q"]) | Q(title_ru__icontains=data["q"]))
        merged = data["merged"]
    if not merged:
        qs = qs.filter(status=Issue.Status.OPEN)
    page = Paginator(qs.order_by("-updated_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = services.people_counts(i.pk for i in page)
    rows = [(i, counts.get(i.pk, 0)) for i in page]
    return render(
        request,
        "agenda/issues.html",
        {"form": form, "page": page, "rows": rows, "section": "issues"},
    )


@require_http_methods(["GET", "POST"])
@requires("voice.agenda.view_agenda")
def issue_new(request):
    scope = request.scope
    form = forms.IssueForm(
        request.POST or None, districts=permissions.districts(scope), topics=_topics()
    )
    return form_page(
        request,
        form,
        save=lambda data: services.create_issue(scope, request=request, **data),
        done=lambda issue: reverse("agenda:issue", args=[issue.pk]),
        message=_("The issue is registered."),
        title=_("Register an issue"),
        cancel=reverse("agenda:issues"),
        nav=NAV,
        context={"section": "issues"},
    )


def _issue(scope, pk) -> Issue:
    return get_object_or_404(permissions.issues(scope).select_related("district", "topic"), pk=pk)


@require_GET
@requires("voice.agenda.view_agenda")
def issue(request, pk):
    scope = request.scope
    obj = _issue(scope, pk)
    if obj.status == Issue.Status.MERGED and obj.merged_into_id:
        messages.info(
            request,
            _("Issue no. %(old)s was merged into this one; its history is kept there.")
            % {"old": obj.pk},
        )
        return redirect(reverse("agenda:issue", args=[obj.merged_into_id]))
    today = timezone.localdate()
    sources = list(
        obj.sources.select_related(
            "topic",
            "district",
            "appeal",
            "appeal__topic",
            "question__report__deputy",
            "decision__agenda_item__meeting",
            "survey_topic__survey",
        )
    )
    set_counts = {}
    pairs = [(s.topic_id, s.district_id) for s in sources if s.kind == IssueSource.Kind.APPEALS]
    if pairs:
        set_counts = {
            (r["topic_id"], r["district_id"]): r["n"]
            for r in Appeal.objects.filter(services._set_q(pairs))
            .values("topic_id", "district_id")
            .annotate(n=Count("pk"))
        }
    appeal_ids = [s.appeal_id for s in sources if s.appeal_id]
    openable_appeals = (
        set(
            reception_permissions.appeals(scope)
            .filter(pk__in=appeal_ids)
            .values_list("pk", flat=True)
        )
        if reception_permissions.view_appeals(scope)
        else set()
    )
    report_ids = [s.question.report_id for s in sources if s.question_id]
    openable_reports = (
        set(
            oversight_permissions.reports(scope)
            .filter(pk__in=report_ids)
            .values_list("pk", flat=True)
        )
        if report_ids and oversight_permissions.view_oversight(scope)
        else set()
    )
    meeting_ids = [s.decision.agenda_item.meeting_id for s in sources if s.decision_id]
    openable_meetings = (
        set(
            activity_permissions.meetings(scope)
            .filter(pk__in=meeting_ids)
            .values_list("pk", flat=True)
        )
        if meeting_ids and activity_permissions.view_activity(scope)
        else set()
    )
    rows = []
    for s in sources:
        count = None
        if s.kind == IssueSource.Kind.APPEALS:
            count = set_counts.get((s.topic_id, s.district_id))
        elif s.kind == IssueSource.Kind.SURVEY_TOPIC:
            count = services.survey_counts(IssueSource.objects.filter(pk=s.pk)).get(obj.pk, 0)
        rows.append(
            {
                "source": s,
                "count": count,
                "appeal_ok": s.appeal_id in openable_appeals,
                "report_ok": s.question_id is not None and s.question.report_id in openable_reports,
                "meeting_ok": s.decision_id is not None
                and s.decision.agenda_item.meeting_id in openable_meetings,
            }
        )
    trend = services.issue_trend(obj, today)
    return render(
        request,
        "agenda/issue.html",
        {
            "issue": obj,
            "rows": rows,
            "people": services.people_counts([obj.pk])[obj.pk],
            "trend": trend,
            "events": obj.events.select_related("by", "other")[:50],
            "items": permissions.items(scope).filter(issues=obj).select_related("programme")[:50],
            "duplicates": obj.duplicates.all()[:50],
            "section": "issues",
        },
    )


LINK_KINDS = ("appeals", "appeal", "question", "decision", "survey")


@require_http_methods(["GET", "POST"])
@requires("voice.agenda.view_agenda")
def issue_link(request, pk, kind):
    scope = request.scope
    obj = _issue(scope, pk)
    if kind not in LINK_KINDS:
        raise Http404
    data = request.POST or None
    if kind == "appeals":
        form = forms.AppealSetForm(
            data,
            districts=permissions.districts(scope),
            topics=_topics(),
            initial={"topic": obj.topic_id, "district": obj.district_id},
        )

        def save(d):
            return services.link_appeals(
                scope, obj, topic=d["topic"], district=d["district"], request=request
            )
    elif kind == "appeal":
        form = forms.AppealForm(data)

        def save(d):
            return services.link_appeal(scope, obj, number=d["number"], request=request)
    elif kind == "question":
        questions = oversight_permissions.questions(scope).order_by("-report__date", "-id")
        form = forms.IdChoiceForm(
            data,
            label=_("Deputy's question"),
            choices=[
                (q.pk, f"{q.report.date:%d.%m.%Y} — {q.text[:120]}")
                for q in questions[:CHOICES_LIMIT]
            ],
        )

        def save(d):
            question = oversight_permissions.questions(scope).filter(pk=d["choice"]).first()
            if question is None:
                raise ValidationError({"choice": _("Choose a question.")})
            return services.link_question(scope, obj, question=question, request=request)
    elif kind == "survey":
        topics = (
            SurveyTopic.objects.filter(survey__in=surveys_permissions.surveys(scope).values("pk"))
            .select_related("survey")
            .order_by("-survey_id", "name")
        )
        form = forms.IdChoiceForm(
            data,
            label=_("Survey topic"),
            choices=[(t.pk, f"{t.survey} — {t.display_name}") for t in topics[:CHOICES_LIMIT]],
        )

        def save(d):
            topic = SurveyTopic.objects.select_related("survey").filter(pk=d["choice"]).first()
            if topic is None:
                raise ValidationError({"choice": _("Choose a survey topic.")})
            return services.link_survey_topic(scope, obj, topic=topic, request=request)
    else:
        decisions = (
            Decision.objects.filter(
                agenda_item__meeting__in=activity_permissions.meetings(scope).values("pk")
            )
            .select_related("agenda_item__meeting")
            .order_by("-agenda_item__meeting__date", "-id")
        )
        form = forms.IdChoiceForm(
            data,
            label=_("Meeting decision"),
            choices=[
                (d.pk, f"{d.agenda_item.meeting.date:%d.%m.%Y} — {d.text[:120]}")
                for d in decisions[:CHOICES_LIMIT]
            ],
        )

        def save(d):
            decision = Decision.objects.filter(pk=d["choice"]).first()
            if decision is None:
                raise ValidationError({"choice": _("Choose a decision.")})
            return services.link_decision(scope, obj, decision=decision, request=request)

    back = reverse("agenda:issue", args=[obj.pk])
    return form_page(
        request,
        form,
        save=save,
        done=back,
        message=_("The source is linked."),
        title=_("Link a source"),
        subtitle=str(obj),
        cancel=back,
        nav=NAV,
        context={"section": "issues"},
    )


@require_POST
@requires("voice.agenda.view_agenda")
def issue_unlink(request, pk, source):
    scope = request.scope
    obj = _issue(scope, pk)
    src = get_object_or_404(obj.sources, pk=source)
    try:
        services.unlink(scope, src, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The link is removed."))
    return redirect(reverse("agenda:issue", args=[obj.pk]))


@require_http_methods(["GET", "POST"])
@requires("voice.agenda.view_agenda")
def issue_merge(request, pk):
    scope = request.scope
    obj = _issue(scope, pk)
    form = forms.MergeForm(request.POST or None)

    def save(data):
        into = permissions.issues(scope).filter(pk=data["into"]).first()
        if into is None:
            raise ValidationError({"into": _("No issue with this number in your register.")})
        services.merge_issues(scope, obj, into, request=request)
        return into

    back = reverse("agenda:issue", args=[obj.pk])
    return form_page(
        request,
        form,
        save=save,
        done=lambda into: reverse("agenda:issue", args=[into.pk]),
        message=_("The duplicate is merged."),
        title=_("Merge a duplicate"),
        subtitle=str(obj),
        cancel=back,
        nav=NAV,
        context={"section": "issues"},
    )


# Programmes --------------------------------------------------------------------------------
@require_GET
@requires("voice.agenda.view_agenda")
def programmes(request):
    scope = request.scope
    page = Paginator(
        permissions.programmes(scope).order_by("-created_at", "-id"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    overdue = services.overdue_counts([p.pk for p in page], timezone.localdate())
    rows = [(p, overdue.get(p.pk, 0)) for p in page]
    return render(
        request,
        "agenda/programmes.html",
        {"page": page, "rows": rows, "section": "programmes"},
    )


@require_http_methods(["GET", "POST"])
@requires("voice.agenda.manage_programmes")
def programme_new(request):
    scope = request.scope
    branches = permissions.programme_branches(scope)
    only = list(branches[:2])
    surveys = (
        surveys_permissions.surveys(scope).order_by("-opens_on", "-id")
        if surveys_permissions.manage_surveys(scope)
        else Survey.objects.none()
    )
    form = forms.ProgrammeForm(
        request.POST or None,
        branches=branches,
        wings=permissions.youth_wings(scope),
        surveys=surveys,
        initial={"branch": only[0].pk} if len(only) == 1 else None,
    )
    return form_page(
        request,
        form,
        save=lambda data: services.create_programme(scope, request=request, **data),
        done=lambda p: reverse("agenda:programme", args=[p.pk]),
        message=_("The draft programme is created."),
        title=_("New programme"),
        cancel=reverse("agenda:programmes"),
        nav=NAV,
        context={"section": "programmes"},
    )


def _programme(scope, pk):
    return get_object_or_404(
        permissions.programmes(scope).select_related("youth_wing", "survey"), pk=pk
    )


@require_GET
@requires("voice.agenda.view_agenda")
def programme(request, pk):
    scope = request.scope
    obj = _programme(scope, pk)
    today = timezone.localdate()
    adopted = services.adopted_version(obj)
    adopted_keys = {row["key"] for row in adopted.items} if adopted else set()
    qs = services.with_state(obj.items.select_related("district"), today).order_by("position")
    state = request.GET.get("state", "")
    if state in TRACKED_STATES and adopted is not None:
        # As the instructions' list by state: the adopted commitments in that state.
        qs = qs.filter(pk__in=adopted_keys, state=state)
    else:
        state = ""
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "item": item,
            "state": item.state,
            "label": STATE_LABELS.get(item.state, item.state),
            "badge": STATE_BADGES.get(item.state, ""),
            "adopted": item.pk in adopted_keys,
        }
        for item in page
    ]
    counts = services.state_counts(obj.items.filter(pk__in=adopted_keys), today)
    return render(
        request,
        "agenda/programme.html",
        {
            "programme": obj,
            "page": page,
            "rows": rows,
            "adopted": adopted,
            "versions": obj.versions.select_related("agenda_item__meeting")[:50],
            "counts": [
                (STATE_LABELS[s], counts.get(s, 0), STATE_BADGES[s], s) for s in TRACKED_STATES
            ],
            "state": state,
            "state_label": STATE_LABELS.get(state, ""),
            "version_form": forms.VersionForm(),
            "survey_ok": obj.survey_id is not None
            and surveys_permissions.can_see_results(scope, obj.survey),
            "section": "programmes",
        },
    )


def _item_form(request, scope, initial=None):
    return forms.ItemForm(
        request.POST or None, districts=permissions.districts(scope), initial=initial
    )


def _item_save(scope, request, data, item=None, programme=None):
    numbers = data.pop("issue_numbers")
    found = list(permissions.issues(scope).filter(pk__in=numbers, status=Issue.Status.OPEN))
    if len(found) != len(numbers):
        raise ValidationError({"issue_numbers": _("Choose open issues of your register.")})
    if item is None:
        return services.add_item(scope, programme, issues_answered=found, request=request, **data)
    return services.update_item(scope, item, issues_answered=found, request=request, **data)


@require_http_methods(["GET", "POST"])
@requires("voice.agenda.manage_programmes")
def item_new(request, pk):
    scope = request.scope
    obj = _programme(scope, pk)
    initial = {}
    if request.GET.get("issue", "").isdigit():
        issue = permissions.issues(scope).filter(pk=request.GET["issue"]).first()
        if issue is not None:
            initial = {"issue_numbers": str(issue.pk), "district": issue.district_id}
    form = _item_form(request, scope, initial)
    back = reverse("agenda:programme", args=[obj.pk])
    return form_page(
        request,
        form,
        save=lambda data: _item_save(scope, request, dict(data), programme=obj),
        done=back,
        message=_("The commitment is added to the draft."),
        title=_("Add a commitment"),
        subtitle=str(obj),
        cancel=back,
        nav=NAV,
        context={"section": "programmes"},
    )


def _item(scope, pk) -> ProgrammeItem:
    return get_object_or_404(
        permissions.items(scope).select_related("programme", "programme__branch"), pk=pk
    )


@require_http_methods(["GET", "POST"])
@requires("voice.agenda.manage_programmes")
def item_edit(request, pk):
    scope = request.scope
    item = _item(scope, pk)
    initial = {
        "title": item.title,
        "title_ru": item.title_ru,
        "indicator": item.indicator,
        "target": item.target,
        "deadline": item.deadline,
        "responsible": item.responsible,
        "cost": item.cost,
        "district": item.district_id,
        "issue_numbers": ", ".join(str(i.pk) for i in item.issues.order_by("pk")),
    }
    form = _item_form(request, scope, initial)
    back = reverse("agenda:item", args=[item.pk])
    return form_page(
        request,
        form,
        save=lambda data: _item_save(scope, request, dict(data), item=item),
        done=back,
        message=_("The commitment is changed in the draft."),
        title=_("Change a commitment"),
        subtitle=str(item),
        cancel=back,
        nav=NAV,
        context={"section": "programmes"},
    )


@require_http_methods(["GET", "POST"])
@requires("voice.agenda.view_agenda")
def item(request, pk):
    """A commitment: its fields, and once adopted its tracking (status, links, evidence)."""
    scope = request.scope
    obj = _item(scope, pk)
    today = timezone.localdate()
    indicators = [
        (i.pk, f"{i.year} {i.code} {i.name}")
        for i in oversight_permissions.indicators(scope).order_by("-year", "code")[:CHOICES_LIMIT]
    ]
    reports = [
        (r.pk, f"{r.date:%d.%m.%Y} {r.deputy} — {r.topic[:80]}")
        for r in oversight_permissions.reports(scope).order_by("-date", "-id")[:CHOICES_LIMIT]
    ]
    action = request.POST.get("action") if request.method == "POST" else None
    track = forms.TrackForm(
        request.POST if action == "track" else None,
        indicators=indicators,
        reports=reports,
        initial={
            "status": obj.status,
            "done_on": obj.done_on,
            "budget_indicators": list(obj.budget_indicators.values_list("pk", flat=True)),
            "deputy_reports": list(obj.deputy_reports.values_list("pk", flat=True)),
        },
    )
    evidence = forms.EvidenceForm(
        request.POST if action == "evidence" else None, initial={"date": today}
    )
    if action == "track" and track.is_valid():
        d = track.cleaned_data
        try:
            services.track_item(
                scope,
                obj,
                status=d["status"],
                done_on=d["done_on"],
                today=today,
                budget_indicators=oversight_permissions.indicators(scope).filter(
                    pk__in=d["budget_indicators"]
                ),
                deputy_reports=oversight_permissions.reports(scope).filter(
                    pk__in=d["deputy_reports"]
                ),
                request=request,
            )
        except ValidationError as exc:
            apply_errors(track, exc)
        else:
            messages.success(request, _("The commitment's status is saved."))
            return redirect(reverse("agenda:item", args=[obj.pk]))
    elif action == "evidence" and evidence.is_valid():
        d = evidence.cleaned_data
        try:
            services.add_evidence(scope, obj, today=today, request=request, **d)
        except ValidationError as exc:
            apply_errors(evidence, exc)
        else:
            messages.success(request, _("The evidence is added."))
            return redirect(reverse("agenda:item", args=[obj.pk]))
    elif action not in (None, "track", "evidence"):
        raise Http404
    state = obj.state(today)
    adopted = services.adopted_version(obj.programme)
    may_oversee = oversight_permissions.view_oversight(scope)
    open_indicators = (
        set(
            oversight_permissions.indicators(scope)
            .filter(pk__in=obj.budget_indicators.values("pk"))
            .values_list("pk", flat=True)
        )
        if may_oversee
        else set()
    )
    open_reports = (
        set(
            oversight_permissions.reports(scope)
            .filter(pk__in=obj.deputy_reports.values("pk"))
            .values_list("pk", flat=True)
        )
        if may_oversee
        else set()
    )
    return render(
        request,
        "agenda/item.html",
        {
            "item": obj,
            "state": state,
            "state_label": STATE_LABELS.get(state, state),
            "badge": STATE_BADGES.get(state, ""),
            "tracked": adopted is not None and obj.pk in {r["key"] for r in adopted.items},
            "issues": obj.issues.all(),
            "indicators": [(i, i.pk in open_indicators) for i in obj.budget_indicators.all()],
            "reports": [
                (r, r.pk in open_reports) for r in obj.deputy_reports.select_related("deputy")
            ],
            "evidence_rows": obj.evidence.all()[:50],
            "track_form": track,
            "evidence_form": evidence,
            "section": "programmes",
        },
    )


@require_POST
@requires("voice.agenda.manage_programmes")
def version_new(request, pk):
    scope = request.scope
    obj = _programme(scope, pk)
    form = forms.VersionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        version = services.create_version(scope, obj, note=note, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("agenda:programme", args=[obj.pk]))
    messages.success(request, _("Version %(number)s is saved.") % {"number": version.number})
    return redirect(reverse("agenda:version", args=[version.pk]))


def _version(scope, pk) -> ProgrammeVersion:
    return get_object_or_404(
        permissions.versions(scope).select_related(
            "agenda_item__meeting", "decision", "congress", "programme__youth_wing"
        ),
        pk=pk,
    )


@require_GET
@requires("voice.agenda.view_agenda")
def version(request, pk):
    scope = request.scope
    obj = _version(scope, pk)
    meeting_id = obj.agenda_item.meeting_id if obj.agenda_item_id else None
    return render(
        request,
        "agenda/version.html",
        {
            "version": obj,
            "previous": services.previous_version(obj),
            "meeting_ok": meeting_id is not None
            and activity_permissions.can_view_meeting(scope, meeting_id),
            "section": "programmes",
        },
    )


FIELD_LABELS = {
    "title": _("Commitment (Kazakh)"),
    "title_ru": _("Commitment (Russian)"),
    "indicator": _("Indicator"),
    "target": _("Target"),
    "deadline": _("Deadline"),
    "responsible": _("Responsible person or unit"),
    "cost": _("Cost, thousand tenge"),
    "district": _("District"),
    "issues": _("Issues it answers"),
}


def _shown(value) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value) or "—"
    return "—" if value in (None, "") else str(value)


@require_GET
@requires("voice.agenda.view_agenda")
def version_diff(request, pk):
    scope = request.scope
    obj = _version(scope, pk)
    against = services.previous_version(obj)
    other = request.GET.get("against", "")
    if other.isdigit():
        against = get_object_or_404(
            ProgrammeVersion.objects.filter(programme_id=obj.programme_id), pk=other
        )
    diff = services.version_diff(against, obj)
    changed = [
        {
            "title": c.title,
            "fields": [(FIELD_LABELS[f.field], _shown(f.old), _shown(f.new)) for f in c.changes],
        }
        for c in diff.changed
    ]
    return render(
        request,
        "agenda/diff.html",
        {
            "version": obj,
            "against": against,
            "diff": diff,
            "changed": changed,
            "others": obj.programme.versions.exclude(pk=obj.pk),
            "section": "programmes",
        },
    )


@require_http_methods(["GET", "POST"])
@requires("voice.agenda.manage_programmes")
def version_submit(request, pk):
    scope = request.scope
    obj = _version(scope, pk)
    back = reverse("agenda:version", args=[obj.pk])
    if obj.programme.youth_wing_id:
        today = timezone.localdate()
        return form_page(
            request,
            forms.CongressSubmitForm(request.POST or None, initial={"submitted_on": today}),
            save=lambda d: services.submit_to_congress(
                scope, obj, on=d["submitted_on"], today=today, request=request
            ),
            done=back,
            message=_("The version is submitted to the youth wing's congress."),
            title=_("Submit to the youth wing's congress"),
            subtitle=str(obj),
            cancel=back,
            nav=NAV,
            context={"section": "programmes"},
        )
    form = forms.SubmitForm(
        request.POST or None, meetings=services.meetings_for(scope, obj.programme)
    )
    return form_page(
        request,
        form,
        save=lambda d: services.submit_version(scope, obj, meeting=d["meeting"], request=request),
        done=back,
        message=_("The version is on the meeting's agenda."),
        title=_("Put on a meeting's agenda"),
        subtitle=str(obj),
        cancel=back,
        nav=NAV,
        context={"section": "programmes"},
    )


@require_http_methods(["GET", "POST"])
@requires("voice.agenda.manage_programmes")
def version_approve(request, pk):
    scope = request.scope
    obj = _version(scope, pk)
    form = forms.ApproveForm(
        request.POST or None,
        initial={"text": _("To adopt the draft programme, version %(n)s.") % {"n": obj.number}},
    )
    back = reverse("agenda:version", args=[obj.pk])
    return form_page(
        request,
        form,
        save=lambda d: services.approve_at_meeting(scope, obj, text=d["text"], request=request),
        done=back,
        message=_("The meeting's decision is recorded: the version is adopted."),
        title=_("Record the meeting's decision"),
        subtitle=str(obj),
        cancel=back,
        nav=NAV,
        context={"section": "programmes"},
    )


@require_http_methods(["GET", "POST"])
@requires("voice.agenda.adopt_at_congress")
def congress_adopt(request, pk):
    """The youth wing's congress adopts a submitted version of the wing's youth programme."""
    scope = request.scope
    congress = get_object_or_404(permissions.congresses(scope), pk=pk)
    offered = list(services.congress_versions(scope, congress)[:CHOICES_LIMIT])
    form = forms.CongressAdoptForm(request.POST or None, versions=offered)
    back = reverse("people:wing", args=[congress.wing_id])

    def save(data):
        version = next(v for v in offered if v.pk == data["version"])
        return services.adopt_at_congress(
            scope, version, congress=congress, today=timezone.localdate(), request=request
        )

    return form_page(
        request,
        form,
        save=save,
        done=lambda v: reverse("agenda:version", args=[v.pk]),
        message=_("The congress adopted the youth programme."),
        title=_("Adopt the youth programme at the congress"),
        subtitle=str(congress),
        cancel=back,
        nav=NAV,
        context={"section": "programmes"},
    )


@require_POST
@requires("voice.agenda.manage_programmes")
def version_publish(request, pk):
    scope = request.scope
    obj = _version(scope, pk)
    try:
        services.publish_version(scope, obj, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The programme is published."))
    return redirect(reverse("agenda:version", args=[obj.pk]))


def _document(obj, lang, fmt):
    if lang not in documents.LANGUAGES or fmt not in documents.FORMATS:
        raise Http404
    handle = io.BytesIO()
    documents.write_programme(obj, lang, fmt, handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"programme-{obj.programme_id}-v{obj.number}-{lang}.{fmt}",
        content_type=documents.CONTENT_TYPES[fmt],
    )


@require_GET
@requires("voice.agenda.view_agenda")
def version_document(request, pk, lang, fmt):
    return _document(_version(request.scope, pk), lang, fmt)


# Public ------------------------------------------------------------------------------------
def _public_version(pk) -> ProgrammeVersion:
    version = (
        permissions.public_versions()
        .filter(programme_id=pk)
        .select_related("agenda_item__meeting")
        .order_by("-number")
        .first()
    )
    if version is None:
        raise Http404
    return version


@require_GET
def public_programmes(request):
    latest = permissions.public_versions().order_by("programme_id", "-number")
    page = Paginator(latest, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "agenda/public_list.html", {"page": page})


@require_GET
def public_programme(request, pk):
    version = _public_version(pk)
    today = timezone.localdate()
    keys = [row["key"] for row in version.items]
    states = {
        i.pk: i.state for i in services.with_state(ProgrammeItem.objects.filter(pk__in=keys), today)
    }
    rows = []
    for row in version.items:
        state = states.get(row["key"])
        rows.append(
            {
                **row,
                "state_label": STATE_LABELS.get(state, ""),
                "badge": STATE_BADGES.get(state, ""),
            }
        )
    counts = services.state_counts(ProgrammeItem.objects.filter(pk__in=keys), today)
    return render(
        request,
        "agenda/public_programme.html",
        {
            "version": version,
            "rows": rows,
            "counts": [
                (STATE_LABELS[s], counts.get(s, 0), STATE_BADGES[s])
                for s in (logic.PLANNED, logic.IN_PROGRESS, logic.DONE, logic.OVERDUE)
            ],
        },
    )


@require_GET
def public_document(request, pk, lang, fmt):
    return _document(_public_version(pk), lang, fmt)
