"""The downloadable documents of a campaign (views_documents.py)."""

from django.urls import path, re_path

from . import views_documents as views

urlpatterns = [
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/protocol-(?P<lang>kk|ru)\.(?P<fmt>pdf|docx)$",
        views.protocol,
        name="protocol",
    ),
    path("<slug:slug>/results.xlsx", views.results_xlsx, name="results_xlsx"),
]
