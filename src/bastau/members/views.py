from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bastau.accounts.scoping import Scope, scope_for
from bastau.core import audit
from bastau.core.history import history_rows
from bastau.lib.dates import born_after_for_age_below
from bastau.structure.models import Branch, PrimaryOrganization
from bastau.structure.views import _apply_errors

from . import services, statistics
from .forms import (
    ApplicationForm,
    ApprovalForm,
    CardForm,
    MemberFilterForm,
    MemberForm,
    OverviewForm,
    PooDecisionForm,
    RejectForm,
    ReplaceCardForm,
    StatusForm,
    TransferForm,
)
from .models import Admission, Member, PartyCard


def narrowed_members(scope: Scope, branch_code: str = "", poo_code: str = ""):
    """The scope's members, optionally narrowed to one branch or POO the scope may see."""
    qs = scope.members()
    if poo_code:
        poo = scope.poos().filter(code=poo_code).first()
        if poo is None:
            raise Http404
        qs = qs.filter(poo=poo)
    elif branch_code:
        branch = scope.branches().filter(code=branch_code).first()
        if branch is None:
            raise Http404
        if branch.kind != Branch.Kind.REGION:
            qs = qs.filter(poo__branch=branch)
    return qs


def filter_members(scope: Scope, data) -> tuple[MemberFilterForm, object]:
    form = MemberFilterForm(data or None)
    form.is_valid()
    f = form.cleaned_data if form.is_bound else {}
    qs = narrowed_members(scope, f.get("branch", ""), f.get("poo", ""))
    status = f.get("status", "")
    if status == "":
        qs = qs.exclude(status__in=Member.ENDED)
    elif status != "all":
        qs = qs.filter(status=status)
    if f.get("sex"):
        qs = qs.filter(sex=f["sex"])
    if f.get("sector"):
        qs = qs.filter(sector=f["sector"])
    if f.get("youth"):
        cutoff = born_after_for_age_below(settings.YOUTH_AGE_LIMIT, timezone.localdate())
        qs = qs.filter(birth_date__gt=cutoff)
    if f.get("veterans"):
        qs = qs.filter(is_veteran=True)
    query = (f.get("q") or "").strip()
    if query:
        if query.isdigit():
            # Searching by IIN is allowed only to those who may see IINs.
            if scope.can_see_personal_data:
                qs = qs.filter(iin__startswith=query)
            else:
                qs = qs.none()
        else:
            for word in query.split()[:3]:
                qs = qs.filter(
                    Q(last_name__istartswith=word)
                    | Q(first_name__istartswith=word)
                    | Q(patronymic__istartswith=word)
                )
    return form, qs


class CappedPaginator(Paginator):
    """A paginator that counts at most `cap` + 1 rows.

    At national size the region's current members are ~920,000: an exact `COUNT(*)` read them
    all on every page. This one counts through a LIMITed subquery (`SELECT COUNT(*) FROM
    (SELECT ... LIMIT cap + 1)`), so a count costs at most `cap` + 1 rows whatever the table's
    size. Beyond the cap the page says "more than 10,000" and the pages stop at the cap
    (200 pages of 50); below it everything is exact, as before.
    """

    cap = 10_000

    @cached_property
    def count(self) -> int:
        qs = self.object_list.select_related(None).order_by().values("pk")
        return qs[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        if self.capped:
            return -(-self.cap // self.per_page)
        return super().num_pages


@require_GET
@login_required
def member_list(request):
    scope = scope_for(request.user)
    scope.require(scope.is_staff_role)
    form, qs = filter_members(scope, request.GET)
    qs = qs.select_related("poo", "poo__branch")
    paginator = CappedPaginator(qs.order_by("last_name", "first_name", "id"), 50)
    if _name_search(form) and not paginator.capped:
        # A name search finds its few thousand rows through the UPPER(...) prefix indexes
        # (members migration 0005); sorting them is cheap. Left to itself PostgreSQL would walk
        # the whole name index in order and test every row, hoping to meet 50 matches early
        # (300 ms for "Ахмет", whose rows are all far down that index). The same order, by
        # expressions the name index does not serve:
        paginator.object_list = qs.order_by(
            Concat(Value(""), "last_name"), Concat(Value(""), "first_name"), "id"
        )
    page = paginator.get_page(request.GET.get("page"))
    template = "members/_rows.html" if request.htmx else "members/list.html"
    return render(request, template, {"form": form, "page": page})


def _name_search(form) -> bool:
    query = (form.cleaned_data.get("q") or "").strip() if form.is_bound else ""
    return bool(query) and not query.isdigit()


def _member_for(request, pk) -> tuple[Scope, Member]:
    scope = scope_for(request.user)
    member = get_object_or_404(scope.members().select_related("poo", "poo__branch"), pk=pk)
    return scope, member


def _member_context(scope: Scope, member: Member, request) -> dict:
    own = request.user.member_id == member.pk
    show_personal = own or scope.can_see_personal_data
    if show_personal and not own:
        audit.record(
            request.user,
            "member.personal_data_viewed",
            member,
            branch=member.poo.branch,
            request=request,
        )
    return {
        "member": member,
        "own": own,
        "show_personal": show_personal,
        "cards": member.cards.select_related("replaces"),
        "transfers": member.transfers.select_related("from_poo", "to_poo"),
        "history": history_rows(member.history.all()),
        "admission": Admission.objects.filter(member=member).first(),
        "awards": member.awards.select_related("branch", "meeting"),
    }


@require_GET
@login_required
def member_detail(request, pk):
    scope, member = _member_for(request, pk)
    if not scope.is_staff_role and request.user.member_id != member.pk:
        raise PermissionDenied
    return render(request, "members/detail.html", _member_context(scope, member, request))


@require_GET
@login_required
def me(request):
    if not request.user.member_id:
        raise Http404
    scope, member = _member_for(request, request.user.member_id)
    return render(request, "members/detail.html", _member_context(scope, member, request))


@require_http_methods(["GET", "POST"])
@login_required
def member_edit(request, pk):
    scope, member = _member_for(request, pk)
    scope.require(scope.can_edit_members)
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.update_member(
                scope, Member.objects.get(pk=member.pk), changes=changes, request=request
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(member)
    return render(
        request, "members/form.html", {"form": form, "member": member, "title": _("Edit member")}
    )


def _member_action(request, pk, form_class, run, title, form_kwargs=None):
    scope, member = _member_for(request, pk)
    scope.require(scope.can_edit_members)
    form = form_class(request.POST or None, **(form_kwargs or {}))
    if request.method == "POST" and form.is_valid():
        try:
            run(scope, member, form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Done."))
            return redirect(member)
    return render(request, "members/form.html", {"form": form, "member": member, "title": title})


@require_http_methods(["GET", "POST"])
@login_required
def member_transfer(request, pk):
    def run(scope, member, data):
        services.transfer_member(scope, member, request=request, **data)

    return _member_action(request, pk, TransferForm, run, _("Transfer to another organization"))


@require_http_methods(["GET", "POST"])
@login_required
def member_status(request, pk):
    def run(scope, member, data):
        services.change_status(scope, member, request=request, **data)

    return _member_action(request, pk, StatusForm, run, _("Change membership status"))


@require_http_methods(["GET", "POST"])
@login_required
def card_issue(request, pk):
    def run(scope, member, data):
        services.issue_card(scope, member, request=request, **data)

    initial = {"issued_on": timezone.localdate(), "series": "AKT"}
    return _member_action(request, pk, CardForm, run, _("Issue a party card"), {"initial": initial})


@require_http_methods(["GET", "POST"])
@login_required
def card_replace(request, pk, card_pk):
    scope, member = _member_for(request, pk)
    card = get_object_or_404(PartyCard, pk=card_pk, member=member)

    def run(scope, member, data):
        services.replace_card(scope, card, request=request, **data)

    return _member_action(
        request,
        pk,
        ReplaceCardForm,
        run,
        _("Replace the party card"),
        {"initial": {"issued_on": timezone.localdate()}},
    )


# Admissions ----------------------------------------------------------------------------
@require_GET
@login_required
def admissions(request):
    scope = scope_for(request.user)
    scope.require(scope.can_register_applications)
    stage = request.GET.get("stage", "open")
    qs = scope.admissions().select_related("poo", "poo__branch")
    if stage == "open":
        qs = qs.filter(
            stage__in=[
                Admission.Stage.APPLIED,
                Admission.Stage.POO_APPROVED,
                Admission.Stage.ADMITTED,
            ]
        )
    elif stage in Admission.Stage.values:
        qs = qs.filter(stage=stage)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "members/admissions.html",
        {"page": page, "stage": stage, "stages": Admission.Stage.choices},
    )


@require_http_methods(["GET", "POST"])
@login_required
def admission_new(request):
    scope = scope_for(request.user)
    scope.require(scope.can_register_applications)
    form = ApplicationForm(
        request.POST or None, poos=scope.poos(), initial={"applied_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        poo = data.pop("poo")
        try:
            admission = services.register_application(scope, poo=poo, data=data, request=request)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The application was registered."))
            return redirect(admission)
    return render(request, "members/form.html", {"form": form, "title": _("New application")})


@require_http_methods(["GET", "POST"])
@login_required
def admission_detail(request, pk):
    scope = scope_for(request.user)
    scope.require(scope.can_register_applications)
    admission = get_object_or_404(scope.admissions().select_related("poo", "member"), pk=pk)
    today = timezone.localdate()
    forms_by_step = {
        "poo_decision": PooDecisionForm(initial={"meeting_date": today}),
        "approve": ApprovalForm(initial={"decision_date": today}),
        "card": CardForm(initial={"issued_on": today, "series": "AKT"}),
        "reject": RejectForm(),
    }
    if request.method == "POST":
        step = request.POST.get("step")
        if step not in forms_by_step:
            raise Http404
        form = type(forms_by_step[step])(request.POST)
        forms_by_step[step] = form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if step == "poo_decision":
                    services.record_poo_decision(scope, admission, request=request, **data)
                elif step == "approve":
                    services.approve_admission(scope, admission, request=request, **data)
                elif step == "card":
                    if admission.member is None:
                        raise ValidationError(_("The applicant is not a member yet."))
                    services.issue_card(scope, admission.member, request=request, **data)
                else:
                    services.reject_admission(scope, admission, request=request, **data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Done."))
                return redirect(admission)
    steps = [
        Admission.Stage.APPLIED,
        Admission.Stage.POO_APPROVED,
        Admission.Stage.ADMITTED,
        Admission.Stage.CARD_ISSUED,
    ]
    reached = steps.index(admission.stage) if admission.stage in steps else -1
    return render(
        request,
        "members/admission.html",
        {
            "admission": admission,
            "forms": forms_by_step,
            "steps": [(s.label, i < reached, i == reached) for i, s in enumerate(steps)],
            "show_personal": scope.can_see_personal_data,
        },
    )


# Statistics ----------------------------------------------------------------------------
def _overview_for(request):
    scope = scope_for(request.user)
    scope.require(scope.can_view_statistics)
    today = timezone.localdate()
    # The form always shows the figures' actual parameters, defaults included.
    params = request.GET.copy()
    form = OverviewForm(params)
    form.is_valid()
    data = form.cleaned_data
    reference = data.get("reference") or today
    growth_from = data.get("growth_from") or reference.replace(month=1, day=1)
    youth_age = data.get("youth_age") or settings.YOUTH_AGE_LIMIT
    for name, value in (
        ("reference", reference),
        ("growth_from", growth_from),
        ("youth_age", youth_age),
    ):
        if not params.get(name):
            params[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    form = OverviewForm(params)
    form.is_valid()
    base = narrowed_members(scope, data.get("branch", ""), data.get("poo", ""))
    result = statistics.overview(
        scope,
        reference=reference,
        growth_from=growth_from,
        youth_age=data.get("youth_age"),
        base_qs=base,
    )
    place = None
    if data.get("poo"):
        place = PrimaryOrganization.objects.filter(code=data["poo"]).first()
    elif data.get("branch"):
        place = Branch.objects.filter(code=data["branch"]).first()
    return scope, form, result, place


@require_GET
@login_required
def overview(request):
    scope, form, result, place = _overview_for(request)
    max_sector = max([n for _v, _l, n in result.sectors] + [1])
    max_band = max([max(m, f) for _l, m, f in result.pyramid] + [1])
    max_month = max([max(r["admissions"], r["exits"]) for r in result.months] + [1])
    branches = scope.branches().exclude(kind=Branch.Kind.REGION) if scope.is_regional_admin else []
    return render(
        request,
        "members/overview.html",
        {
            "form": form,
            "o": result,
            "place": place,
            "max_sector": max_sector,
            "max_band": max_band,
            "max_month": max_month,
            "branches": branches,
        },
    )


@require_GET
@login_required
def overview_xlsx(request):
    from .exports import overview_workbook_response

    scope, form, result, place = _overview_for(request)
    audit.record(
        request.user,
        "statistics.exported",
        request=request,
        branch=getattr(request.user, "branch", None),
    )
    return overview_workbook_response(result, place)
