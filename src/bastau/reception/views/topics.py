"""The appeal topics editor (the regional administrator): list, add, edit, retire."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bastau.core.pages import form_page
from bastau.core.permissions import requires

from ..forms.topics import TopicForm
from ..models import Topic
from ..services import topics as services


@require_GET
@requires("reception.manage_catalogue")
def topic_list(request):
    rows = Topic.objects.annotate(appeal_count=Count("appeals")).order_by(
        "-active", "order", "name"
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "reception/staff/topics.html", {"page": page, "section": "topics"})


@require_http_methods(["GET", "POST"])
@requires("reception.manage_catalogue")
def topic_edit(request, pk=None):
    scope = request.scope
    topic = get_object_or_404(Topic, pk=pk) if pk is not None else None
    initial = {name: getattr(topic, name) for name in services.FIELDS} if topic else None
    back = reverse("reception:staff_topics")
    return form_page(
        request,
        TopicForm(request.POST or None, initial=initial),
        save=lambda data: services.save_topic(scope, topic, data, request=request),
        done=back,
        title=_("Edit topic") if topic else _("New topic"),
        subtitle=topic.display_name if topic else "",
        cancel=back,
        message=_("The topic is saved."),
        nav="reception/staff/_nav.html",
        context={"section": "topics"},
    )


@require_POST
@requires("reception.manage_catalogue")
def topic_remove(request, pk):
    topic = get_object_or_404(Topic, pk=pk)
    if services.remove_topic(request.scope, topic, request=request):
        messages.success(request, _("The topic is deleted."))
    else:
        messages.success(
            request,
            _("The topic is in use, so it is retired: no longer offered, kept on its appeals."),
        )
    return redirect("reception:staff_topics")
