"""The local issues register and the programme (/agenda/); the public pages under /agenda/p/."""

from django.urls import path

from . import views

app_name = "agenda"

urlpatterns = [
    path("", views.issues, name="issues"),
    path("issues/new/", views.issue_new, name="issue_new"),
    path("issues/<int:pk>/", views.issue, name="issue"),
    path("issues/<int:pk>/link/<str:kind>/", views.issue_link, name="issue_link"),
    path("issues/<int:pk>/unlink/<int:source>/", views.issue_unlink, name="issue_unlink"),
    path("issues/<int:pk>/merge/", views.issue_merge, name="issue_merge"),
    path("programmes/", views.programmes, name="programmes"),
    path("programmes/new/", views.programme_new, name="programme_new"),
    path("programmes/<int:pk>/", views.programme, name="programme"),
    path("programmes/<int:pk>/items/new/", views.item_new, name="item_new"),
    path("programmes/<int:pk>/versions/new/", views.version_new, name="version_new"),
    path("commitments/<int:pk>/", views.item, name="item"),
    path("commitments/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("versions/<int:pk>/", views.version, name="version"),
    path("versions/<int:pk>/diff/", views.version_diff, name="version_diff"),
    path("versions/<int:pk>/submit/", views.version_submit, name="version_submit"),
    path("versions/<int:pk>/approve/", views.version_approve, name="version_approve"),
    path("congresses/<int:pk>/adopt/", views.congress_adopt, name="congress_adopt"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version_publish"),
    path(
        "versions/<int:pk>/programme-<str:lang>.<str:fmt>",
        views.version_document,
        name="version_document",
    ),
    path("p/", views.public_programmes, name="public_programmes"),
    path("p/<int:pk>/", views.public_programme, name="public_programme"),
    path(
        "p/<int:pk>/programme-<str:lang>.<str:fmt>", views.public_document, name="public_document"
    ),
]
