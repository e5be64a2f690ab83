"""Contests, awards and commissions (included into the `activity` namespace)."""

from django.urls import path

from . import views as v

urlpatterns = [
    # Contests
    path("contests/", v.contests, name="contests"),
    path("contests/new/", v.contest_new, name="contest_new"),
    path("contests/<int:pk>/", v.contest, name="contest"),
    path("contests/<int:pk>/enter/", v.contest_enter, name="contest_enter"),
    path("contests/<int:pk>/jury/", v.contest_jury, name="contest_jury"),
    path("contests/<int:pk>/criteria/", v.contest_criteria, name="contest_criteria"),
    path("contests/<int:pk>/stage/", v.contest_stage, name="contest_stage"),
    path("contests/<int:pk>/score/", v.contest_score, name="contest_score"),
    path("contests/<int:pk>/results/", v.contest_results, name="contest_results"),
    path("contests/<int:pk>/results.xlsx", v.contest_results_xlsx, name="contest_results_xlsx"),
    path("contests/<int:pk>/award-winners/", v.contest_award_winners, name="contest_award_winners"),
    # Awards
    path("awards/", v.awards, name="awards"),
    path("awards/new/", v.award_new, name="award_new"),
    path("awards.xlsx", v.awards_xlsx, name="awards_xlsx"),
    path("awards/deleted/", v.awards_deleted, name="awards_deleted"),
    path("awards/<int:pk>/", v.award, name="award"),
    path("awards/<int:pk>/edit/", v.award_edit, name="award_edit"),
    path("awards/<int:pk>/delete/", v.award_delete, name="award_delete"),
    # Commissions
    path("commissions/", v.commissions, name="commissions"),
    path("commissions/new/", v.commission_new, name="commission_new"),
    path("commissions/deleted/", v.commissions_deleted, name="commissions_deleted"),
    path("commissions/<int:pk>/", v.commission, name="commission"),
    path("commissions/<int:pk>/edit/", v.commission_edit, name="commission_edit"),
    path("commissions/<int:pk>/delete/", v.commission_delete, name="commission_delete"),
    path("commissions/<int:pk>/seats/new/", v.commission_seat_new, name="commission_seat_new"),
    path("commissions/seats/<int:pk>/end/", v.commission_seat_end, name="commission_seat_end"),
    path("commissions/seats/<int:pk>/edit/", v.commission_seat_edit, name="commission_seat_edit"),
    path(
        "commissions/seats/<int:pk>/delete/",
        v.commission_seat_delete,
        name="commission_seat_delete",
    ),
    path(
        "commissions/<int:pk>/sessions/new/",
        v.commission_session_new,
        name="commission_session_new",
    ),
    path(
        "commissions/sessions/<int:pk>/edit/",
        v.commission_session_edit,
        name="commission_session_edit",
    ),
    path(
        "commissions/sessions/<int:pk>/delete/",
        v.commission_session_delete,
        name="commission_session_delete",
    ),
]
