"""Pages of the review of members: the list, opening one, its progress, a POO's roll on a phone,
one answer, closing, reminders, the report; and a member confirming their own contacts."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bastau.core import audit
from bastau.core.pages import form_page
from bastau.core.permissions import allowed, requires
from bastau.structure import permissions as structure_perms

from .. import permissions, review
from ..forms.review import AnswerForm, OwnContactsForm, ReviewOpenForm
from ..models import Review, ReviewItem

ROLL_PAGE = 25


def _review_for(request, pk) -> Review:
    return get_object_or_404(permissions.reviews(request.scope).select_related("branch"), pk=pk)


def _manages(request, rev: Review) -> bool:
    """Opens and closes this review: its branch is the user's own (or the region's admin)."""
    return (
        allowed(request, "members.open_reviews")
        and structure_perms.branches(request.scope).filter(pk=rev.branch_id).exists()
    )


@require_GET
@login_required
@requires("members.view_reviews")
def review_list(request):
    qs = permissions.reviews(request.scope).select_related("branch")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "members/reviews.html", {"page": page})


@require_http_methods(["GET", "POST"])
@login_required
@requires("members.open_reviews")
def review_new(request):
    scope = request.scope
    today = timezone.localdate()
    form = ReviewOpenForm(request.POST or None, branches=structure_perms.branches(scope))

    def save(data):
        return review.open_review(scope, today=today, request=request, **data)

    return form_page(
        request,
        form,
        save=save,
        done=lambda rev: rev.get_absolute_url(),
        message=_("The review is open."),
        title=_("Open a review of members"),
        subtitle=_(
            "Every current member of the branch's organizations goes on the roll; each "
            "organization's leader answers for their members by the deadline."
        ),
        submit=_("Open the review"),
        cancel=reverse("members:reviews"),
    )


@require_GET
@login_required
@requires("members.view_reviews")
def review_detail(request, pk):
    rev = _review_for(request, pk)
    today = timezone.localdate()
    branch_code = request.GET.get("branch", "")[:40]
    overall, by_branch, by_poo = review.progress(request.scope, rev, today, branch_code=branch_code)
    return render(
        request,
        "members/review.html",
        {
            "review": rev,
            "overall": overall,
            "by_branch": by_branch,
            "by_poo": by_poo,
            "expected": review.expected_percent(rev, today),
            "days_left": (rev.deadline - today).days,
            "manages": _manages(request, rev),
            "branch_code": branch_code,
        },
    )


def _roll_poo(request, rev: Review, code: str):
    poo = structure_perms.poos(request.scope).filter(code=code).select_related("branch").first()
    if poo is None or not allowed(request, "members.answer_reviews"):
        raise Http404
    return poo


@require_GET
@login_required
@requires("members.answer_reviews")
def review_roll(request, pk, code):
    """A POO's roll on a phone: 25 members a page, a name search, unanswered first if asked."""
    rev = _review_for(request, pk)
    poo = _roll_poo(request, rev, code)
    items = ReviewItem.objects.filter(review=rev, poo=poo)
    query = request.GET.get("q", "").strip()[:100]
    todo = request.GET.get("todo") == "1"
    counts = items.order_by().aggregate(
        total=Count("pk"), answered=Count("pk", filter=~Q(answer=""))
    )
    total, answered = counts["total"], counts["answered"]
    shown = items.select_related("member", "to_poo")
    if todo:
        shown = shown.filter(answer="")
    for word in query.split()[:3]:
        shown = shown.filter(
            Q(member__last_name__istartswith=word)
            | Q(member__first_name__istartswith=word)
            | Q(member__patronymic__istartswith=word)
        )
    shown = shown.order_by("member__last_name", "member__first_name", "pk")
    paginator = Paginator(shown, ROLL_PAGE)
    if not query:
        # The counts above already say how many rows the list has: no second COUNT.
        paginator.count = (total - answered) if todo else total
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "members/review_roll.html",
        {
            "review": rev,
            "poo": poo,
            "page": page,
            "q": query,
            "todo": todo,
            "total": total,
            "answered": answered,
            "percent": (100 * answered // total) if total else 100,
            "back": request.get_full_path(),
            "changing": review.CHANGING,
        },
    )


def _safe_back(request, rev, item) -> str:
    roll = reverse("members:review_roll", args=[rev.pk, item.poo.code])
    back = request.POST.get("back") or request.GET.get("back") or ""
    return back if back.startswith(roll) else roll


@require_http_methods(["GET", "POST"])
@login_required
@requires("members.answer_reviews")
def review_answer(request, pk, item_pk):
    rev = _review_for(request, pk)
    item = get_object_or_404(
        permissions.review_items(request.scope, rev).select_related("member", "poo"), pk=item_pk
    )
    back = _safe_back(request, rev, item)
    form = AnswerForm(request.POST or None, exclude_poo=item.poo)

    def save(data):
        return review.answer_item(
            request.scope,
            item,
            answer=data["answer"],
            reason=data.get("reason", ""),
            to_poo=data.get("to_poo"),
            today=timezone.localdate(),
            request=request,
        )

    form.fields["back"] = forms.CharField(required=False, widget=forms.HiddenInput, initial=back)
    return form_page(
        request,
        form,
        save=save,
        done=back,
        message=_("Answer saved: %(name)s.") % {"name": item.member.full_name},
        title=_("Answer for a member"),
        subtitle=f"{item.member.full_name} · {item.poo.name}",
        submit=_("Save the answer"),
        cancel=back,
        back=(back, _("Back to the list")),
    )


class _CloseForm(forms.Form):
    pass


@require_http_methods(["GET", "POST"])
@login_required
@requires("members.open_reviews")
def review_close(request, pk):
    rev = _review_for(request, pk)
    if not _manages(request, rev):
        raise Http404
    unanswered = rev.items.filter(answer="").count()
    notice = ""
    if unanswered:
        notice = _(
            "%(n)s members are still unanswered. Closing keeps them as they are: nothing is "
            "changed for them, and the report says they were not reviewed."
        ) % {"n": unanswered}

    def save(data):
        return review.close_review(request.scope, rev, today=timezone.localdate(), request=request)

    return form_page(
        request,
        _CloseForm(request.POST if request.method == "POST" else None),
        save=save,
        done=reverse("members:review_report", args=[rev.pk]),
        message=_("The review is closed."),
        title=_("Close the review"),
        subtitle=rev.title,
        notice=notice,
        submit=_("Close the review"),
        cancel=rev.get_absolute_url(),
    )


@require_POST
@login_required
@requires("members.open_reviews")
def review_remind(request, pk):
    """Queue reminders to the leaders of late POOs (the task worker sends them)."""
    from ..tasks import send_review_reminders

    rev = _review_for(request, pk)
    if not _manages(request, rev) or not rev.is_open:
        raise Http404
    send_review_reminders.enqueue(timezone.localdate().isoformat(), rev.pk)
    audit.record(request.user, "review.reminders_queued", rev, branch=rev.branch, request=request)
    messages.success(request, _("Reminders to the late leaders are on their way."))
    return redirect(rev)


def _report_for(request, pk):
    rev = _review_for(request, pk)
    return rev, review.report(request.scope, rev)


@require_GET
@login_required
@requires("members.view_reviews")
def review_report(request, pk):
    rev, rep = _report_for(request, pk)
    page = Paginator(rep.changed, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "members/review_report.html",
        {"review": rev, "r": rep, "page": page, "rows": zip(rep.before, rep.after, strict=True)},
    )


@require_GET
@login_required
@requires("members.view_reviews")
def review_report_xlsx(request, pk):
    from ..exports import review_workbook_response

    rev, rep = _report_for(request, pk)
    audit.record(request.user, "review.report_exported", rev, branch=rev.branch, request=request)
    return review_workbook_response(rep)


@require_GET
@login_required
@requires("members.view_reviews")
def review_report_docx(request, pk, lang):
    import io

    from django.http import FileResponse

    from ..documents import CONTENT_TYPES, LANGUAGES, write_review_docx

    if lang not in LANGUAGES:
        raise Http404
    rev, rep = _report_for(request, pk)
    handle = io.BytesIO()
    write_review_docx(rep, lang, handle)
    handle.seek(0)
    audit.record(request.user, "review.report_exported", rev, branch=rev.branch, request=request)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"bastau-review-{rev.pk}-{lang}.docx",
        content_type=CONTENT_TYPES["docx"],
    )


# A member in their cabinet ------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@login_required
def own_contacts(request):
    item = review.own_open_item(request.user)
    if item is None:
        raise Http404
    member = item.member
    form = OwnContactsForm(
        request.POST or None,
        initial={"phone": member.phone, "email": member.email, "address": member.address},
    )

    def save(data):
        return review.confirm_own_contacts(
            request.scope, item, today=timezone.localdate(), request=request, **data
        )

    return form_page(
        request,
        form,
        save=save,
        done=reverse("members:me"),
        message=_("Thank you: your contact details are confirmed."),
        title=_("Confirm your contact details"),
        subtitle=item.review.title,
        submit=_("Confirm"),
        cancel=reverse("members:me"),
    )
