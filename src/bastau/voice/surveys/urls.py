"""Survey URLs: the staff's pages, a member's (mine/, <pk>/answer/), and the public link's
(p/<token>/...)."""

from django.urls import path

from .views import answer, public, staff

app_name = "surveys"

urlpatterns = [
    path("", staff.survey_list, name="list"),
    path("new/", staff.survey_new, name="new"),
    path("<int:pk>/", staff.survey_detail, name="survey"),
    path("<int:pk>/edit/", staff.survey_edit, name="edit"),
    path("<int:pk>/questions/new/", staff.question_new, name="question_new"),
    path("questions/<int:pk>/delete/", staff.question_delete, name="question_delete"),
    path("<int:pk>/invitees/", staff.invitees, name="invitees"),
    path("<int:pk>/preview/", staff.preview, name="preview"),
    path("<int:pk>/status/", staff.survey_status, name="status"),
    path("<int:pk>/send/", staff.survey_send, name="send"),
    path("<int:pk>/rates/", staff.rates, name="rates"),
    path("<int:pk>/results/", staff.results, name="results"),
    path("<int:pk>/topics/", staff.topics, name="topics"),
    path("<int:pk>/responses/", staff.responses, name="responses"),
    path("<int:pk>/export.<str:fmt>", staff.export, name="export"),
    path("<int:pk>/flyer.pdf", staff.flyer, name="flyer"),
    path("mine/", answer.mine, name="mine"),
    path("<int:pk>/answer/", answer.answer, name="answer"),
    path("p/<str:token>/", public.public_answer, name="public"),
    path("p/<str:token>/done/", public.public_done, name="public_done"),
    path("p/<str:token>/results/", public.public_results, name="public_results"),
    path("p/<str:token>/qr.svg", public.qr, name="qr"),
]
