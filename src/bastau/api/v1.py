"""/api/v1/: the versioned HTTP API. Every endpoint starts from the owning app's scoped
queryset and page rule (`members.permissions.members(scope)`, `"members.view_members"`), so the
API can never show what the pages would not; personal data goes through the same functions that
mask and audit it on the pages (`members.services.reveal_personal_data`,
`reception.services.log_personal_data_read`); deputies' contacts are not in the API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from ninja import Field, File, Form, NinjaAPI, Query, Router, Schema, Status, UploadedFile
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger

from bastau.activity import permissions as activity_perms
from bastau.lib.iin import mask
from bastau.members import imports as member_imports
from bastau.members import permissions as members_perms
from bastau.members import services as members_services
from bastau.members.views.io import ImportForm
from bastau.oversight import permissions as oversight_perms
from bastau.primaries import permissions as primaries_perms
from bastau.primaries import results as primaries_results
from bastau.primaries.models import Campaign, Candidate
from bastau.reception import permissions as reception_perms
from bastau.reception import services as reception_services
from bastau.structure import permissions as structure_perms
from bastau.voice.agenda import permissions as agenda_perms
from bastau.voice.agenda import services as agenda_services
from bastau.voice.agenda.models import ProgrammeItem
from bastau.voice.surveys import permissions as surveys_perms
from bastau.voice.surveys import rules as surveys_rules
from bastau.voice.surveys import services as surveys_services
from bastau.voice.surveys.models import Survey

from .auth import CallerThrottle, OptionalTokenAuth, Refused, TokenAuth, Unauthenticated
from .pagination import BadCursor, page
from .problems import problem

#: The vendored Swagger UI (static/vendor/swagger-ui-5.31.0/VENDORED.md): its files' hashes,
#: checked by the browser (`integrity`) and by tests/api/test_docs.py.
SWAGGER_INTEGRITY = {
    "js": "sha384-cxafBeQ+zYROeFafGFxtFbnp1ICqeS9mG7+f0WWSHzhnrUvwg9Za5CCw6wgrHA7K",
    "css": "sha384-Y4wHm3OJgj9RX1H1OE4qNjqIe2CyB8o8+zP9+jekiXhIom9yq2jo90sDomZUsE9+",
}


class VendoredSwagger(Swagger):
    """Swagger UI from the project's own static files, started by a static script."""

    def render_page(self, request, api, **kwargs):
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"swagger_settings": settings, "api": api, "integrity": SWAGGER_INTEGRITY}
        return render(request, "api/docs.html", context)


class BastauAPI(NinjaAPI):
    """Ninja's API, whose schema says that errors are `application/problem+json`."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(code)[0] in "45" and "application/json" in content:
                        response["content"] = {
                            "application/problem+json": content["application/json"]
                        }
        return schema


api = BastauAPI(
    title="Bastau API",
    version="1",
    description=(
        "The branch's system of record for other software. Send `Authorization: Bearer <token>` "
        "(make a token on /api/tokens/). Lists are cursor-paginated: pass `next_cursor` back "
        "as `cursor`. Errors are RFC 9457 problem details in the caller's language."
    ),
    urls_namespace="api-v1",
    docs=VendoredSwagger(),
    throttle=[CallerThrottle()],
)


# Problem details ---------------------------------------------------------------------------
@api.exception_handler(Unauthenticated)
def _unauthenticated(request, exc):
    return problem(request, 401, exc.detail, headers={"WWW-Authenticate": "Bearer"})


@api.exception_handler(AuthenticationError)
def _authentication(request, exc):
    detail = _("Send an API token in the Authorization header (Bearer).")
    return problem(request, 401, detail, headers={"WWW-Authenticate": "Bearer"})


@api.exception_handler(Refused)
def _refused(request, exc):
    return problem(request, 403, exc.detail)


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    return problem(request, 403, _("Your role may not do this."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(request, 404, _("There is no such record, or it is outside your scope."))


@api.exception_handler(BadCursor)
def _bad_cursor(request, exc):
    return problem(request, 400, _("The cursor is not valid; start from the first page."))


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    errors = [
        {"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", ""))}
        for e in exc.errors
    ]
    return problem(request, 422, _("Some fields are missing or not valid."), errors=errors)


@api.exception_handler(DjangoValidationError)
def _rejected(request, exc):
    if hasattr(exc, "message_dict"):
        errors = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    return problem(request, 422, _("Nothing was saved: correct the data."), errors=errors)


@api.exception_handler(Throttled)
def _throttled(request, exc):
    return problem(request, 429, _("Too many requests: wait a little and try again."))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem(request, exc.status_code)


# Shared shapes -----------------------------------------------------------------------------
class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    instance: str


ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}


class PageParams(Schema):
    cursor: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,40}$")
    limit: int = Field(50, ge=1, le=500)


def _page(qs, params: PageParams, serialize):
    return page(qs, params.cursor, params.limit, serialize)


def _date(value) -> str | None:
    return value.isoformat() if value else None


# Structure ---------------------------------------------------------------------------------
structure = Router(tags=["structure"], auth=TokenAuth("structure", "structure.view_structure"))


class BranchOut(Schema):
    id: int
    code: str
    kind: str
    name: str
    name_ru: str
    parent_id: int | None


class BranchPage(Schema):
    items: list[BranchOut]
    next_cursor: str | None


class PooOut(Schema):
    id: int
    code: str
    name: str
    branch_id: int
    status: str
    founded_on: str | None


class PooPage(Schema):
    items: list[PooOut]
    next_cursor: str | None


@structure.get("/branches", response={200: BranchPage, **ERRORS})
def branches(request, params: Query[PageParams]):
    """Branches in the caller's scope."""
    return _page(
        structure_perms.branches(request.scope),
        params,
        lambda b: {
            "id": b.pk,
            "code": b.code,
            "kind": b.kind,
            "name": b.name,
            "name_ru": b.name_ru,
            "parent_id": b.parent_id,
        },
    )


@structure.get("/poos", response={200: PooPage, **ERRORS})
def poos(request, params: Query[PageParams]):
    """Primary organizations in the caller's scope."""
    return _page(
        structure_perms.poos(request.scope),
        params,
        lambda p: {
            "id": p.pk,
            "code": p.code,
            "name": p.name,
            "branch_id": p.branch_id,
            "status": p.status,
            "founded_on": _date(p.founded_on),
        },
    )


# Members -----------------------------------------------------------------------------------
members = Router(tags=["members"], auth=TokenAuth("members", "members.view_members"))


class MemberOut(Schema):
    id: int
    last_name: str
    first_name: str
    patronymic: str
    sex: str
    birth_year: int
    poo_id: int
    status: str
    joined_on: str


class MemberPage(Schema):
    items: list[MemberOut]
    next_cursor: str | None


class MemberDetail(MemberOut):
    personal_data_shown: bool
    iin: str
    phone: str
    email: str
    address: str


def _member(m) -> dict:
    return {
        "id": m.pk,
        "last_name": m.last_name,
        "first_name": m.first_name,
        "patronymic": m.patronymic,
        "sex": m.sex,
        "birth_year": m.birth_date.year,
        "poo_id": m.poo_id,
        "status": m.status,
        "joined_on": m.joined_on.isoformat(),
    }


@members.get("/members", response={200: MemberPage, **ERRORS})
def member_list(request, params: Query[PageParams]):
    """Members in the caller's scope (no personal data in lists, as on the pages)."""
    return _page(members_perms.members(request.scope), params, _member)


@members.get("/members/{int:member_id}", response={200: MemberDetail, **ERRORS})
def member_detail(request, member_id: int):
    """One member; IIN, phone, email and address only for the roles that see them on the
    member's page, masked or empty otherwise, and each such read is in the audit log."""
    scoped = members_perms.members(request.scope).select_related("poo", "poo__branch")
    m = get_object_or_404(scoped, pk=member_id)
    shown = members_services.reveal_personal_data(request.scope, m, request)
    return {
        **_member(m),
        "personal_data_shown": shown,
        "iin": m.iin if shown else mask(m.iin),
        "phone": m.phone if shown else mask(m.phone) if m.phone else "",
        "email": m.email if shown else "",
        "address": m.address if shown else "",
    }


class AdmissionOut(Schema):
    id: int
    last_name: str
    first_name: str
    poo_id: int
    stage: str
    applied_on: str
    district_decision_date: str | None
    member_id: int | None


class AdmissionPage(Schema):
    items: list[AdmissionOut]
    next_cursor: str | None


@members.get("/admissions", response={200: AdmissionPage, **ERRORS})
def admission_list(request, params: Query[PageParams]):
    """Applications for membership in the caller's scope."""
    return _page(
        members_perms.admissions(request.scope),
        params,
        lambda a: {
            "id": a.pk,
            "last_name": a.last_name,
            "first_name": a.first_name,
            "poo_id": a.poo_id,
            "stage": a.stage,
            "applied_on": a.applied_on.isoformat(),
            "district_decision_date": _date(a.district_decision_date),
            "member_id": a.member_id,
        },
    )


class ImportJobOut(Schema):
    id: int
    kind: str
    status: str
    phase: str
    total_rows: int
    processed_rows: int
    error_count: int
    created_count: int


class ImportErrorOut(Schema):
    row: int | None
    column: str
    value: str
    message: str


class ImportErrorPage(Schema):
    items: list[ImportErrorOut]
    next_cursor: str | None


def _job(job) -> dict:
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "phase": job.phase,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "error_count": job.error_count,
        "created_count": job.created_count,
    }


@members.post(
    "/members/imports",
    response={201: ImportJobOut, **ERRORS},
    auth=TokenAuth("members", "members.import_members", write=True),
)
def import_start(request, kind: Form[Literal["members", "poos"]], file: File[UploadedFile]):
    """Import members (`kind=members`) or POOs (`kind=poos`) from a .csv or .xlsx file, as on
    the import page: the same checks, all rows or none; small files at once, large ones in the
    background (follow `GET /members/imports/{id}`). The per-row error report is
    `GET /members/imports/{id}/errors`."""
    form = ImportForm(data={"kind": kind}, files={"file": file})
    if not form.is_valid():
        raise DjangoValidationError(
            {field: list(messages) for field, messages in form.errors.items()}
        )
    job = member_imports.create_job(
        request.scope,
        kind=form.cleaned_data["kind"],
        upload=form.cleaned_data["file"],
        inspection=form.inspection,
    )
    job = member_imports.start_import(job)
    return Status(201, _job(job))


def _import_job(request, job_id: int):
    return get_object_or_404(member_imports.jobs_for(request.scope), pk=job_id)


@members.get(
    "/members/imports/{int:job_id}",
    response={200: ImportJobOut, **ERRORS},
    auth=TokenAuth("members", "members.import_members"),
)
def import_status(request, job_id: int):
    return _job(_import_job(request, job_id))


@members.get(
    "/members/imports/{int:job_id}/errors",
    response={200: ImportErrorPage, **ERRORS},
    auth=TokenAuth("members", "members.import_members"),
)
def import_errors(request, job_id: int, params: Query[PageParams]):
    """The import's problems, row by row, in the caller's language."""
    job = _import_job(request, job_id)
    return _page(
        job.errors.all(),
        params,
        lambda e: {"row": e.row, "column": e.column, "value": e.value, "message": e.message},
    )


# Reception ---------------------------------------------------------------------------------
reception = Router(tags=["reception"], auth=TokenAuth("reception", "reception.view_appeals"))


class AppealOut(Schema):
    id: int
    number: str
    receiving_branch_id: int
    channel: str
    kind: str
    topic_id: int
    status: str
    registered_on: str
    deadline: str
    resolved_on: str | None


class AppealPage(Schema):
    items: list[AppealOut]
    next_cursor: str | None


class AppealDetail(AppealOut):
    personal_data_shown: bool
    applicant_name: str
    text: str


def _appeal(a) -> dict:
    return {
        "id": a.pk,
        "number": a.number,
        "receiving_branch_id": a.receiving_branch_id,
        "channel": a.channel,
        "kind": a.kind,
        "topic_id": a.topic_id,
        "status": a.status,
        "registered_on": a.registered_on.isoformat(),
        "deadline": (a.extended_deadline or a.deadline).isoformat(),
        "resolved_on": _date(a.resolved_on),
    }


@reception.get("/appeals", response={200: AppealPage, **ERRORS})
def appeal_list(request, params: Query[PageParams]):
    """Appeals the caller handles or is assigned (no personal data in lists)."""
    return _page(reception_perms.appeals(request.scope), params, _appeal)


@reception.get("/appeals/{int:appeal_id}", response={200: AppealDetail, **ERRORS})
def appeal_detail(request, appeal_id: int):
    """One appeal; the applicant and the text only for its handlers and assignee, audited."""
    a = get_object_or_404(reception_perms.appeals(request.scope), pk=appeal_id)
    shown = reception_perms.can_see_personal_data(request.scope, a)
    if shown:
        reception_services.log_personal_data_read(request.user, a, request)
    return {
        **_appeal(a),
        "personal_data_shown": shown,
        "applicant_name": a.applicant_name if shown else "",
        "text": a.text if shown else "",
    }


class AppealIn(Schema):
    receiving_branch_id: int
    channel: str
    kind: str
    topic_id: int
    applicant_name: str
    applicant_iin: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""
    applicant_address: str = ""
    text: str
    language: str = "kk"
    eotinish_reference: str = ""
    registered_on: dt.date | None = None


@reception.post(
    "/appeals",
    response={201: AppealOut, **ERRORS},
    auth=TokenAuth("reception", "reception.handle_appeals", write=True),
)
def appeal_register(request, payload: AppealIn):
    """Register an appeal received through another channel (e-Otinish, a letter, a call):
    the same action as the registration page, with its checks and deadlines."""
    branch = get_object_or_404(
        reception_perms.reception_branches(request.scope), pk=payload.receiving_branch_id
    )
    data = payload.dict(exclude={"receiving_branch_id", "channel", "registered_on"})
    data["topic"] = data.pop("topic_id")
    appeal = reception_services.register_appeal(
        request.scope,
        data=data,
        receiving_branch=branch,
        channel=payload.channel,
        registered_on=payload.registered_on,
        request=request,
    )
    return Status(201, _appeal(appeal))


# Oversight ---------------------------------------------------------------------------------
oversight = Router(tags=["oversight"], auth=TokenAuth("oversight", "oversight.view_oversight"))


class DeputyOut(Schema):
    id: int
    maslikhat_id: int
    last_name: str
    first_name: str
    patronymic: str
    party: str
    elected_by: str
    district_number: int | None
    faction_id: int | None
    status: str


class DeputyPage(Schema):
    items: list[DeputyOut]
    next_cursor: str | None


@oversight.get("/deputies", response={200: DeputyPage, **ERRORS})
def deputy_list(request, params: Query[PageParams]):
    """Maslikhat deputies in the caller's scope (contacts are not in the API)."""
    return _page(
        oversight_perms.deputies(request.scope),
        params,
        lambda d: {
            "id": d.pk,
            "maslikhat_id": d.maslikhat_id,
            "last_name": d.last_name,
            "first_name": d.first_name,
            "patronymic": d.patronymic,
            "party": d.party,
            "elected_by": d.elected_by,
            "district_number": d.district_number,
            "faction_id": d.faction_id,
            "status": d.status,
        },
    )


class FactionOut(Schema):
    id: int
    maslikhat_id: int
    name: str
    leader_id: int | None
    formed_on: str | None


class FactionPage(Schema):
    items: list[FactionOut]
    next_cursor: str | None


@oversight.get("/factions", response={200: FactionPage, **ERRORS})
def faction_list(request, params: Query[PageParams]):
    return _page(
        oversight_perms.factions(request.scope),
        params,
        lambda f: {
            "id": f.pk,
            "maslikhat_id": f.maslikhat_id,
            "name": f.name,
            "leader_id": f.leader_id,
            "formed_on": _date(f.formed_on),
        },
    )


class ReportOut(Schema):
    id: int
    deputy_id: int
    date: str
    place: str
    topic: str
    status: str
    held_on: str | None
    attendance: int | None


class ReportPage(Schema):
    items: list[ReportOut]
    next_cursor: str | None


@oversight.get("/reports", response={200: ReportPage, **ERRORS})
def report_list(request, params: Query[PageParams]):
    """Deputies' scheduled reports to voters and their outcomes."""
    return _page(
        oversight_perms.reports(request.scope),
        params,
        lambda r: {
            "id": r.pk,
            "deputy_id": r.deputy_id,
            "date": r.date.isoformat(),
            "place": r.place,
            "topic": r.topic,
            "status": r.status,
            "held_on": _date(r.held_on),
            "attendance": r.attendance,
        },
    )


class IndicatorOut(Schema):
    id: int
    maslikhat_id: int
    year: int
    sector: str
    code: str
    name: str
    unit: str
    plan: str
    corrected_plan: str | None
    actual: str | None
    execution_percent: str | None
    lagging: bool


class IndicatorPage(Schema):
    items: list[IndicatorOut]
    next_cursor: str | None


def _decimal(value) -> str | None:
    return None if value is None else str(value)


def indicator_row(i) -> dict:
    return {
        "id": i.pk,
        "maslikhat_id": i.maslikhat_id,
        "year": i.year,
        "sector": i.sector,
        "code": i.code,
        "name": i.name,
        "unit": i.unit,
        "plan": str(i.plan),
        "corrected_plan": _decimal(i.corrected_plan),
        "actual": _decimal(i.actual),
        "execution_percent": _decimal(i.execution_percent),
        "lagging": i.lagging,
    }


@oversight.get("/budget-indicators", response={200: IndicatorPage, **ERRORS})
def indicator_list(
    request, params: Query[PageParams], year: Annotated[int | None, Field(ge=1900, le=2200)] = None
):
    """Budget indicators monitored by the faction, optionally of one year."""
    return _page(oversight_perms.indicators(request.scope, year=year), params, indicator_row)


# Primaries (public) ------------------------------------------------------------------------
primaries = Router(tags=["primaries"], auth=OptionalTokenAuth("primaries"))


class CampaignOut(Schema):
    id: int
    slug: str
    title: str
    kind: str
    status: str
    branch_id: int
    voting_starts: str | None
    voting_ends: str | None
    results_date: str | None


class CampaignPage(Schema):
    items: list[CampaignOut]
    next_cursor: str | None


def _campaign(c) -> dict:
    return {
        "id": c.pk,
        "slug": c.slug,
        "title": c.title,
        "kind": c.kind,
        "status": c.status,
        "branch_id": c.branch_id,
        "voting_starts": c.voting_starts.isoformat() if c.voting_starts else None,
        "voting_ends": c.voting_ends.isoformat() if c.voting_ends else None,
        "results_date": _date(c.results_date),
    }


def _visible_campaign(request, slug: str) -> Campaign:
    return get_object_or_404(primaries_perms.visible_campaigns(request.scope), slug=slug)


@primaries.get("/campaigns", response={200: CampaignPage, **ERRORS})
def campaign_list(request, params: Query[PageParams]):
    """Campaigns the caller may see: public ones once nomination opened."""
    return _page(primaries_perms.visible_campaigns(request.scope), params, _campaign)


class CandidateOut(Schema):
    id: int
    number: int
    contest_id: int
    name: str
    sex: str
    nomination: str
    status: str


class CandidatePage(Schema):
    items: list[CandidateOut]
    next_cursor: str | None


@primaries.get("/campaigns/{slug}/candidates", response={200: CandidatePage, **ERRORS})
def candidate_list(request, slug: str, params: Query[PageParams]):
    """The candidates everyone may see: registered ones, and nominees while candidacy is open."""
    from bastau.primaries.views.public import _public_statuses

    campaign = _visible_campaign(request, slug)
    qs = Candidate.objects.filter(campaign=campaign, status__in=_public_statuses(campaign))
    return _page(
        qs,
        params,
        lambda c: {
            "id": c.pk,
            "number": c.number,
            "contest_id": c.contest_id,
            "name": c.name,
            "sex": c.sex,
            "nomination": c.nomination,
            "status": c.status,
        },
    )


class ResultsOut(Schema):
    campaign: CampaignOut
    published: bool
    roll: int | None
    ballots: int | None
    voted: int | None
    tally: dict | None
    board_url: str | None


@primaries.get("/campaigns/{slug}/results", response={200: ResultsOut, **ERRORS})
def campaign_results(request, slug: str):
    """Turnout and the signed tally, once results are published; the board's stable URL once
    voting opened (the board record itself is `board_url`, as on the public pages)."""
    from django.urls import reverse

    from bastau.primaries.views.public import BOARD_STATUSES

    campaign = _visible_campaign(request, slug)
    published = campaign.status in primaries_results.PUBLISHED
    body = {
        "campaign": _campaign(campaign),
        "published": published,
        "roll": None,
        "ballots": None,
        "voted": None,
        "tally": None,
        "board_url": None,
    }
    if campaign.status in BOARD_STATUSES:
        body["board_url"] = request.build_absolute_uri(
            reverse("primaries:board_json", args=[campaign.slug])
        )
    if published:
        turnout = primaries_results.turnout(campaign)
        body.update(
            roll=turnout.roll, ballots=turnout.ballots, voted=turnout.voted, tally=campaign.tally
        )
    return body


# Activity ----------------------------------------------------------------------------------
activity = Router(tags=["activity"], auth=TokenAuth("activity", "activity.view_activity"))


class MeetingOut(Schema):
    id: int
    kind: str
    branch_id: int | None
    poo_id: int | None
    number: str
    date: str
    place: str


class MeetingPage(Schema):
    items: list[MeetingOut]
    next_cursor: str | None


@activity.get("/meetings", response={200: MeetingPage, **ERRORS})
def meeting_list(request, params: Query[PageParams]):
    """Meetings and their protocols' headers in the caller's scope."""
    return _page(
        activity_perms.meetings(request.scope),
        params,
        lambda m: {
            "id": m.pk,
            "kind": m.kind,
            "branch_id": m.branch_id,
            "poo_id": m.poo_id,
            "number": m.number,
            "date": m.date.isoformat(),
            "place": m.place,
        },
    )


class InstructionOut(Schema):
    id: int
    text: str
    issued_on: str
    status: str


class InstructionPage(Schema):
    items: list[InstructionOut]
    next_cursor: str | None


@activity.get(
    "/instructions",
    response={200: InstructionPage, **ERRORS},
    auth=TokenAuth("activity", "activity.view_instructions"),
)
def instruction_list(request, params: Query[PageParams]):
    """Instructions the caller issued, manages or executes."""
    return _page(
        activity_perms.instructions(request.scope),
        params,
        lambda i: {
            "id": i.pk,
            "text": i.text,
            "issued_on": i.issued_on.isoformat(),
            "status": i.status,
        },
    )


api.add_router("/structure", structure)
api.add_router("/", members)
api.add_router("/reception", reception)
api.add_router("/oversight", oversight)
api.add_router("/primaries", primaries)
api.add_router("/activity", activity)


# Surveys -----------------------------------------------------------------------------------
# The survey list and results read through the surveys app's own rules and scoped querysets
# (`voice.surveys.permissions`); results come from `services.results`, the function the pages
# draw, with the same district cut for a district secretary and the same suppression of groups
# under 5 for the public. Identified answers are not in the API.
surveys = Router(tags=["surveys"], auth=TokenAuth("surveys", "voice.surveys.view_rates"))


class SurveyOut(Schema):
    id: int
    title: str
    title_ru: str
    branch_id: int
    poo_id: int | None
    audience: str
    anonymous: bool
    status: str
    opens_on: str | None
    closes_on: str | None
    public_results: bool


class SurveyPage(Schema):
    items: list[SurveyOut]
    next_cursor: str | None


def _survey_row(s) -> dict:
    return {
        "id": s.pk,
        "title": s.title,
        "title_ru": s.title_ru,
        "branch_id": s.branch_id,
        "poo_id": s.poo_id,
        "audience": s.audience,
        "anonymous": s.anonymous,
        "status": s.status,
        "opens_on": _date(s.opens_on),
        "closes_on": _date(s.closes_on),
        "public_results": s.public_results,
    }


@surveys.get("/surveys", response={200: SurveyPage, **ERRORS})
def survey_list(request, params: Query[PageParams]):
    """Surveys in the caller's scope, as on the survey list page."""
    return _page(surveys_perms.surveys(request.scope), params, _survey_row)


class ColumnOut(Schema):
    key: str | None = Field(description="district id, age group or sex; null: not stated")
    label: str


class CountsOut(Schema):
    code: str
    label: str
    total: int | None = Field(description="null: fewer than 5 (public results only)")
    cells: list[int | None] = Field(description="one count per column; null: fewer than 5")


class QuestionResultOut(Schema):
    id: int
    position: int
    kind: str
    text: str
    text_ru: str
    answered: int | None = Field(description="null: fewer than 5 (public results only)")
    answered_cells: list[int | None]
    mean: str | None
    rows: list[CountsOut]


class SurveyResultsOut(Schema):
    survey: SurveyOut
    by: Literal["district", "age", "sex"]
    district_id: int | None = Field(description="the one district these results are cut to")
    columns: list[ColumnOut]
    respondents: CountsOut
    questions: list[QuestionResultOut]


class ResultsParams(Schema):
    by: Literal["district", "age", "sex"] = "district"


def _counts(row) -> dict:
    return {
        "code": row.code,
        "label": str(row.label),
        "total": row.shown_total,
        "cells": list(row.shown_cells),
    }


def _survey_results(survey, by: str, district_id: int | None, public: bool) -> dict:
    r = surveys_services.results(survey, by=by, district_id=district_id, public=public)
    questions = []
    for q in r.questions:
        hidden = public and q.answered < surveys_rules.PUBLIC_MIN_GROUP
        questions.append(
            {
                "id": q.question.pk,
                "position": q.question.position,
                "kind": q.question.kind,
                "text": q.question.text,
                "text_ru": q.question.text_ru,
                "answered": None if hidden else q.answered,
                "answered_cells": list(q.answered_cells),
                "mean": q.mean or None,
                "rows": [_counts(row) for row in q.rows],
            }
        )
    return {
        "survey": _survey_row(survey),
        "by": by,
        "district_id": district_id,
        "columns": [
            {"key": None if c.key is None else str(c.key), "label": str(c.label)} for c in r.columns
        ],
        "respondents": _counts(r.respondents),
        "questions": questions,
    }


@surveys.get(
    "/surveys/{int:survey_id}/results",
    response={200: SurveyResultsOut, **ERRORS},
    auth=TokenAuth("surveys", "voice.surveys.manage_surveys"),
)
def survey_results(request, survey_id: int, params: Query[ResultsParams]):
    """A survey's aggregated results by district, age group or sex, as on its results page: a
    district secretary sees a region-wide survey cut to their district. Counts only."""
    survey = get_object_or_404(
        surveys_perms.surveys(request.scope).select_related("branch"), pk=survey_id
    )
    district = surveys_perms.result_district(request.scope, survey)
    return _survey_results(survey, params.by, district, public=False)


@surveys.get(
    "/published/{token}/results",
    response={200: SurveyResultsOut, **ERRORS},
    auth=OptionalTokenAuth("surveys"),
)
def published_results(request, token: str, params: Query[ResultsParams]):
    """The results a branch chose to publish, by the survey's public link token, as on the
    public results page: aggregates only, every group under 5 shown as null."""
    survey = get_object_or_404(
        Survey.objects.exclude(status=Survey.Status.DRAFT).filter(public_results=True),
        public_token=token,
    )
    return _survey_results(survey, params.by, None, public=True)


api.add_router("/surveys", surveys)


# Programme ---------------------------------------------------------------------------------
# Programmes, their versions and commitments through the agenda app's rules and scoped
# querysets (`voice.agenda.permissions`); a commitment's state is the one the pages show
# (`services.with_state`: "overdue" once an open commitment is past its deadline). The public
# reads only published, adopted versions (`public_versions`), as on /agenda/p/.
programme = Router(tags=["programme"], auth=TokenAuth("programme", "voice.agenda.view_agenda"))


class YouthWingRef(Schema):
    id: int
    name: str
    name_ru: str


class CongressRef(Schema):
    id: int
    date: str


class ProgrammeOut(Schema):
    id: int
    branch_id: int
    title: str
    title_ru: str
    youth_wing: YouthWingRef | None = Field(
        description="set for a youth programme, which the wing's congress adopts"
    )
    survey_id: int | None = Field(description="the survey the programme draws on, if any")


class ProgrammePage(Schema):
    items: list[ProgrammeOut]
    next_cursor: str | None


class VersionOut(Schema):
    id: int
    programme_id: int
    number: int
    status: str
    note: str
    adopted_on: str | None
    published_at: str | None
    congress: CongressRef | None = Field(
        description="the youth wing's congress that adopted the version, if one did"
    )


class VersionPage(Schema):
    items: list[VersionOut]
    next_cursor: str | None


class VersionItemOut(Schema):
    key: int = Field(description="the commitment's id (`/programme/commitments`)")
    position: int
    title: str
    title_ru: str
    indicator: str
    target: str
    deadline: str
    responsible: str
    cost: str | None = Field(description="thousand tenge")
    district: str
    issues: list[str]


class VersionDetail(VersionOut):
    items: list[VersionItemOut]


class CommitmentOut(Schema):
    id: int
    programme_id: int
    position: int
    title: str
    title_ru: str
    indicator: str
    target: str
    deadline: str
    responsible: str
    cost: str | None
    district_id: int | None
    state: str = Field(description="planned, in_progress, done, cancelled or overdue")
    done_on: str | None
    issue_ids: list[int]


class CommitmentPage(Schema):
    items: list[CommitmentOut]
    next_cursor: str | None


class PublishedCommitmentOut(VersionItemOut):
    state: str | None = Field(description="planned, in_progress, done, cancelled or overdue")


class PublishedProgrammeOut(Schema):
    programme: ProgrammeOut
    version: VersionOut
    items: list[PublishedCommitmentOut]


def _programme_row(p) -> dict:
    wing = p.youth_wing
    return {
        "id": p.pk,
        "branch_id": p.branch_id,
        "title": p.title,
        "title_ru": p.title_ru,
        "youth_wing": {"id": wing.pk, "name": wing.name, "name_ru": wing.name_ru} if wing else None,
        "survey_id": p.survey_id,
    }


def _version_row(v) -> dict:
    return {
        "id": v.pk,
        "programme_id": v.programme_id,
        "number": v.number,
        "status": v.status,
        "note": v.note,
        "adopted_on": _date(v.adopted_on),
        "published_at": _date(v.published_at),
        "congress": {"id": v.congress.pk, "date": v.congress.date.isoformat()}
        if v.congress_id
        else None,
    }


def _snapshot_items(items) -> list[dict]:
    return [
        {name: row.get(name) for name in VersionItemOut.model_fields} | {"issues": row["issues"]}
        for row in items
    ]


@programme.get("/programmes", response={200: ProgrammePage, **ERRORS})
def programme_list(request, params: Query[PageParams]):
    """Programmes in the caller's scope: all for the regional administrator, a district
    secretary's own district's."""
    return _page(
        agenda_perms.programmes(request.scope).select_related("youth_wing"), params, _programme_row
    )


@programme.get("/versions", response={200: VersionPage, **ERRORS})
def version_list(request, params: Query[PageParams]):
    """Versions of the programmes in the caller's scope."""
    return _page(
        agenda_perms.versions(request.scope).select_related("congress"), params, _version_row
    )


@programme.get("/versions/{int:version_id}", response={200: VersionDetail, **ERRORS})
def version_detail(request, version_id: int):
    """One version with its frozen commitments, as the version page shows them."""
    version = get_object_or_404(
        agenda_perms.versions(request.scope).select_related("congress"), pk=version_id
    )
    return {**_version_row(version), "items": _snapshot_items(version.items)}


@programme.get("/commitments", response={200: CommitmentPage, **ERRORS})
def commitment_list(request, params: Query[PageParams]):
    """The commitments of the programmes in scope, each with its state today."""
    from django.utils import timezone

    today = timezone.localdate()
    qs = agenda_services.with_state(agenda_perms.items(request.scope), today)
    qs = qs.prefetch_related("issues")
    return _page(
        qs,
        params,
        lambda i: {
            "id": i.pk,
            "programme_id": i.programme_id,
            "position": i.position,
            "title": i.title,
            "title_ru": i.title_ru,
            "indicator": i.indicator,
            "target": i.target,
            "deadline": i.deadline.isoformat(),
            "responsible": i.responsible,
            "cost": _decimal(i.cost),
            "district_id": i.district_id,
            "state": i.state,
            "done_on": _date(i.done_on),
            "issue_ids": sorted(issue.pk for issue in i.issues.all()),
        },
    )


@programme.get(
    "/published/{int:programme_id}",
    response={200: PublishedProgrammeOut, **ERRORS},
    auth=OptionalTokenAuth("programme"),
)
def published_programme(request, programme_id: int):
    """A programme's latest published (adopted) version, with each commitment's state today,
    as on its public page."""
    from django.utils import timezone

    version = (
        agenda_perms.public_versions()
        .filter(programme_id=programme_id)
        .select_related("programme__youth_wing", "congress")
        .order_by("-number")
        .first()
    )
    if version is None:
        raise Http404
    keys = [row["key"] for row in version.items]
    states = dict(
        agenda_services.with_state(
            ProgrammeItem.objects.filter(pk__in=keys), timezone.localdate()
        ).values_list("pk", "state")
    )
    return {
        "programme": _programme_row(version.programme),
        "version": _version_row(version),
        "items": [
            row | {"state": states.get(row["key"])} for row in _snapshot_items(version.items)
        ],
    }


api.add_router("/programme", programme)
