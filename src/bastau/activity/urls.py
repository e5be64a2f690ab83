"""Branch activity pages: meetings, instructions under execution control and social projects
here; contests, awards and commissions from `recognition/urls.py`, in the same `activity`
namespace."""

from django.urls import path

from .recognition import urls as recognition_urls
from .views import meetings as views

app_name = "activity"

urlpatterns = [
    path("", views.index, name="index"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path(
        "meetings/<int:pk>/participants/",
        views.meeting_participants,
        name="meeting_participants",
    ),
    path("meetings/<int:pk>/agenda/new/", views.agenda_item_new, name="agenda_item_new"),
    path(
        "meetings/<int:pk>/attachments/new/",
        views.meeting_attachment_new,
        name="meeting_attachment_new",
    ),
    path(
        "meetings/<int:pk>/minutes-<str:lang>.<str:fmt>",
        views.meeting_minutes,
        name="meeting_minutes",
    ),
    path("agenda/<int:pk>/decisions/new/", views.decision_new, name="decision_new"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
    path("instructions/", views.instructions, name="instructions"),
    path("instructions/new/", views.instruction_new, name="instruction_new"),
    path("instructions/<int:pk>/", views.instruction, name="instruction"),
    path("pick/user/", views.pick_user, name="pick_user"),
    path("board/", views.board, name="board"),
    path("projects/", views.projects, name="projects"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/figures/", views.project_figures, name="project_figures"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("projects/<int:pk>/events/new/", views.project_event_new, name="project_event_new"),
    path("projects/<int:pk>/end/", views.project_end, name="project_end"),
    *recognition_urls.urlpatterns,
]
