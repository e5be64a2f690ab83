from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_page, name="report"),
    path("report-<str:lang>.<str:fmt>", views.report_file, name="file"),
]
