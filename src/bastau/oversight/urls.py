from django.urls import path

from .views import budget, register, reports

app_name = "oversight"

urlpatterns = [
    # The register
    path("", register.index, name="index"),
    path("statistics/", register.register_statistics, name="statistics"),
    path("maslikhats/new/", register.maslikhat_new, name="maslikhat_new"),
    path("maslikhats/<int:pk>/edit/", register.maslikhat_edit, name="maslikhat_edit"),
    path("maslikhats/<int:pk>/convocations/new/", register.convocation_new, name="convocation_new"),
    path("maslikhats/<int:pk>/factions/new/", register.faction_new, name="faction_new"),
    path("maslikhats/<int:pk>/threshold/", budget.threshold, name="threshold"),
    path("deputies/", register.deputies, name="deputies"),
    path("deputies/new/", register.deputy_new, name="deputy_new"),
    path("deputies/<int:pk>/", register.deputy, name="deputy"),
    path("deputies/<int:pk>/edit/", register.deputy_edit, name="deputy_edit"),
    path("factions/<int:pk>/", register.faction, name="faction"),
    # Reports to voters
    path("schedules/", reports.schedules, name="schedules"),
    path("schedules/new/", reports.schedule_new, name="schedule_new"),
    path("schedules/<int:pk>/", reports.schedule, name="schedule"),
    path(
        "schedules/<int:pk>/schedule-<str:lang>.<str:fmt>",
        reports.schedule_document,
        name="schedule_document",
    ),
    path("schedules/<int:pk>/reports/new/", reports.report_new, name="report_new"),
    path("reports/<int:pk>/", reports.report, name="report"),
    path("reports/<int:pk>/edit/", reports.report_edit, name="report_edit"),
    path("questions/<int:pk>/appeal/", reports.question_appeal, name="question_appeal"),
    # The budget monitor
    path("budget/", budget.budget, name="budget"),
    path("budget/export.xlsx", budget.budget_xlsx, name="budget_xlsx"),
    path("budget/indicators/", budget.indicators, name="indicators"),
    path("budget/indicators.xlsx", budget.indicators_xlsx, name="indicators_xlsx"),
    path("budget/indicators/<int:pk>/", budget.indicator, name="indicator"),
    path("budget/imports/", budget.budget_imports, name="budget_imports"),
    path("budget/imports/<int:pk>/", budget.budget_import_detail, name="budget_import"),
    path(
        "budget/imports/<int:pk>/errors.xlsx",
        budget.budget_import_errors,
        name="budget_import_errors",
    ),
]
