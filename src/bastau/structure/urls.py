from django.urls import path

from .views import staff as views

app_name = "structure"
urlpatterns = [
    path("", views.branches, name="branches"),
    path("branch/<slug:code>/", views.branch, name="branch"),
    path("poo/new/", views.poo_create, name="poo_create"),
    path("poo/<slug:code>/", views.poo, name="poo"),
    path("poo/<slug:code>/edit/", views.poo_edit, name="poo_edit"),
    path("poo/<slug:code>/move/", views.poo_move, name="poo_move"),
    path("poo/<slug:code>/merge/", views.poo_merge, name="poo_merge"),
    path("poo/<slug:code>/close/", views.poo_close, name="poo_close"),
]
