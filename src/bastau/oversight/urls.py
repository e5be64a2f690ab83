from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("", views.index, name="index"),
    path("statistics/", views.register_statistics, name="statistics"),
    path("maslikhats/new/", views.maslikhat_new, name="maslikhat_new"),
    path("maslikhats/<int:pk>/edit/", views.maslikhat_edit, name="maslikhat_edit"),
    path("maslikhats/<int:pk>/convocations/new/", views.convocation_new, name="convocation_new"),
    path("maslikhats/<int:pk>/factions/new/", views.faction_new, name="faction_new"),
    path("maslikhats/<int:pk>/threshold/", views.threshold, name="threshold"),
    path("deputies/", views.deputies, name="deputies"),
    path("deputies/new/", views.deputy_new, name="deputy_new"),
    path("deputies/<int:pk>/", views.deputy, name="deputy"),
    path("deputies/<int:pk>/edit/", views.deputy_edit, name="deputy_edit"),
    path("factions/<int:pk>/", views.faction, name="faction"),
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/new/", views.schedule_new, name="schedule_new"),
    path("schedules/<int:pk>/", views.schedule, name="schedule"),
    path(
        "schedules/<int:pk>/schedule-<str:lang>.<str:fmt>",
        views.schedule_document,
        name="schedule_document",
    ),
    path("schedules/<int:pk>/reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("questions/<int:pk>/appeal/", views.question_appeal, name="question_appeal"),
    path("budget/", views.budget, name="budget"),
    path("budget/export.xlsx", views.budget_xlsx, name="budget_xlsx"),
    path("budget/indicators/", views.indicators, name="indicators"),
    path("budget/indicators.xlsx", views.indicators_xlsx, name="indicators_xlsx"),
    path("budget/indicators/<int:pk>/", views.indicator, name="indicator"),
    path("budget/imports/", views.budget_imports, name="budget_imports"),
    path("budget/imports/<int:pk>/", views.budget_import_detail, name="budget_import"),
    path(
        "budget/imports/<int:pk>/errors.xlsx",
        views.budget_import_errors,
        name="budget_import_errors",
    ),
]
