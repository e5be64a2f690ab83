"""Staff pages of members: the list, a member's page and actions, admissions, statistics; and
one's own record (`me`)."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bastau.accounts.scoping import Scope
from bastau.core import audit
from bastau.core.dbrouter import replica_view
from bastau.core.forms import apply_errors
from bastau.core.history import history_rows
from bastau.core.pages import form_page
from bastau.core.permissions import requires, rule
from bastau.lib.dates import born_after_for_age_below
from bastau.structure import permissions as structure_perms
from bastau.structure.models import Branch, PrimaryOrganization

from .. import permissions, services, statistics
from ..forms.staff import (
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
from ..models import Admission, Member, PartyCard
from ..review import own_open_item


def narrowed_members(scope: Scope, branch_code: str = "", poo_code: str = ""):
    """The scope's members, optionally narrowed to one branch or POO the scope may see."""
    qs = permissions.members(scope)
    if poo_code:
        poo = structure_perms.poos(scope).filter(code=poo_code).first()
        if poo is None:
            raise Http404
        qs = qs.filter(poo=poo)
    elif branch_code:
        branch = structure_perms.branches(scope).filter(code=branch_code).first()
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
            if permissions.see_personal_data(scope):
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
@requires("members.view_members")
def member_list(request):
    form, qs = filter_members(request.scope, request.GET)
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


def _member_for(request, pk) -> Member:
    """The member, if in the user's scope (a member's scope is their own record), else 404."""
    scoped = permissions.members(request.scope).select_related("poo", "poo__branch")
    return get_object_or_404(scoped, pk=pk)


def _member_context(scope: Scope, member: Member, request) -> dict:
    own = request.user.member_id == member.pk
    show_personal = services.reveal_personal_data(scope, member, request)
    return {
        "member": member,
        "own": own,
        "show_personal": show_personal,
        "cards": member.cards.select_related("replaces"),
        "transfers": member.transfers.select_related("from_poo", "to_poo"),
        "history": history_rows(member.history.all()),
        "admission": Admission.objects.filter(member=member).first(),
        "awards": member.awards.select_related("branch", "meeting"),
        "own_review_item": own_open_item(request.user) if own else None,
    }


@require_GET
@login_required
def member_detail(request, pk):
    # Anyone signed in: staff see the members of their scope, a member only their own record.
    member = _member_for(request, pk)
    return render(request, "members/detail.html", _member_context(request.scope, member, request))


@require_GET
@login_required
def me(request):
    if not request.user.member_id:
        raise Http404
    member = _member_for(request, request.user.member_id)
    return render(request, "members/detail.html", _member_context(request.scope, member, request))


def member_page(rule_name: str):
    """A page about one member (`pk` in the URL) that needs a rule: the member is looked up in
    the user's scope first (404 outside it, whatever the role: a record out of scope is not
    there at all), then the rule decides (403). The view gets the member."""
    check = rule(rule_name)

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, pk, *args, **kwargs):
            member = _member_for(request, pk)
            if not check(request.scope):
                raise PermissionDenied
            return view(request, member, *args, **kwargs)

        wrapper.required_rule = rule_name
        return wrapper

    return decorator


def _member_page(request, member: Member, form, save, title: str, message: str):
    return form_page(
        request,
        form,
        save=save,
        done=member.get_absolute_url(),
        message=message,
        title=title,
        subtitle=f"{member.full_name} · {member.poo.name}",
        cancel=member.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
@member_page("members.edit_members")
def member_edit(request, member):
    form = MemberForm(request.POST or None, instance=member)

    def save(data):
        changes = {name: data[name] for name in form.changed_data}
        fresh = Member.objects.get(pk=member.pk)
        return services.update_member(request.scope, fresh, changes=changes, request=request)

    return _member_page(request, member, form, save, _("Edit member"), _("Saved."))


def _member_action(request, member, form_class, run, title, form_kwargs=None):
    form = form_class(request.POST or None, **(form_kwargs or {}))
    return _member_page(
        request, member, form, lambda data: run(request.scope, member, data), title, _("Done.")
    )


@require_http_methods(["GET", "POST"])
@member_page("members.edit_members")
def member_transfer(request, member):
    def run(scope, member, data):
        services.transfer_member(scope, member, request=request, **data)

    return _member_action(request, member, TransferForm, run, _("Transfer to another organization"))


@require_http_methods(["GET", "POST"])
@member_page("members.edit_members")
def member_status(request, member):
    def run(scope, member, data):
        services.change_status(scope, member, request=request, **data)

    return _member_action(request, member, StatusForm, run, _("Change membership status"))


@require_http_methods(["GET", "POST"])
@member_page("members.edit_members")
def card_issue(request, member):
    def run(scope, member, data):
        services.issue_card(scope, member, request=request, **data)

    initial = {"issued_on": timezone.localdate(), "series": "AKT"}
    return _member_action(
        request, member, CardForm, run, _("Issue a party card"), {"initial": initial}
    )


@require_http_methods(["GET", "POST"])
@member_page("members.edit_members")
def card_replace(request, member, card_pk):
    card = get_object_or_404(PartyCard, pk=card_pk, member=member)

    def run(scope, member, data):
        services.replace_card(scope, card, request=request, **data)

    return _member_action(
        request,
        member,
        ReplaceCardForm,
        run,
        _("Replace the party card"),
        {"initial": {"issued_on": timezone.localdate()}},
    )


# Admissions ----------------------------------------------------------------------------
@require_GET
@login_required
@requires("members.register_applications")
def admissions(request):
    stage = request.GET.get("stage", "open")
    qs = permissions.admissions(request.scope).select_related("poo", "poo__branch")
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
@requires("members.register_applications")
def admission_new(request):
    scope = request.scope
    form = ApplicationForm(
        request.POST or None,
        poos=structure_perms.poos(scope),
        initial={"applied_on": timezone.localdate()},
    )

    def save(data):
        data = dict(data)
        poo = data.pop("poo")
        return services.register_application(scope, poo=poo, data=data, request=request)

    return form_page(
        request,
        form,
        save=save,
        done=lambda admission: admission.get_absolute_url(),
        message=_("The application was registered."),
        title=_("New application"),
        cancel=reverse("members:admissions"),
    )


@require_http_methods(["GET", "POST"])
@login_required
@requires("members.register_applications")
def admission_detail(request, pk):
    scope = request.scope
    scoped = permissions.admissions(scope).select_related("poo", "member")
    admission = get_object_or_404(scoped, pk=pk)
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
                apply_errors(form, exc)
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
            "show_personal": permissions.see_personal_data(scope),
        },
    )


# Statistics ----------------------------------------------------------------------------
def _overview_for(request):
    scope = request.scope
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
    narrowed_members(scope, data.get("branch", ""), data.get("poo", ""))  # 404 if not theirs
    place = None
    if data.get("poo"):
        place = PrimaryOrganization.objects.filter(code=data["poo"]).first()
    elif data.get("branch"):
        place = Branch.objects.filter(code=data["branch"]).first()
    result = statistics.overview(
        scope,
        reference=reference,
        growth_from=growth_from,
        youth_age=data.get("youth_age"),
        branch=place if data.get("branch") and not data.get("poo") else None,
        poo=place if data.get("poo") else None,
    )
    return scope, form, result, place


def _branch_links(scope) -> str:
    """The links to each branch's overview, written here from plain values: 3,400 branches at
    national size, whose model instances and template loop cost more than the figures."""
    russian = get_language() == "ru"
    rows = (
        structure_perms.branches(scope)
        .exclude(kind=Branch.Kind.REGION)
        .values_list("code", "name", "name_ru")
    )
    return mark_safe(  # every code and name escaped here
        "".join(
            f' · <a href="?branch={escape(code)}">{escape(ru if russian and ru else name)}</a>'
            for code, name, ru in rows
        )
    )


@require_GET
@login_required
@requires("members.view_statistics")
@replica_view
def overview(request):
    scope, form, result, place = _overview_for(request)
    max_sector = max([n for _v, _l, n in result.sectors] + [1])
    max_band = max([max(m, f) for _l, m, f in result.pyramid] + [1])
    max_month = max([max(r["admissions"], r["exits"]) for r in result.months] + [1])
    regional = scope.is_regional_admin
    branches = _branch_links(scope) if regional else ""
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
@requires("members.view_statistics")
@replica_view
def overview_xlsx(request):
    from ..exports import overview_workbook_response

    scope, form, result, place = _overview_for(request)
    audit.record(
        request.user,
        "statistics.exported",
        request=request,
        branch=getattr(request.user, "branch", None),
    )
    return overview_workbook_response(result, place)
