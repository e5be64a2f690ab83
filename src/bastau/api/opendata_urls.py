from django.urls import path

from . import opendata_views as views

app_name = "opendata"

urlpatterns = [
    path("", views.data_page, name="page"),
    path("catalog.json", views.catalog, name="catalog"),
    path("<slug:slug>.csv", views.dataset_csv, name="csv"),
    path("<slug:slug>.json", views.dataset_json, name="json"),
]
