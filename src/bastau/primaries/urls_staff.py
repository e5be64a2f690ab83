"""The organisers' and election commission's pages, all under /primaries/manage/."""

from django.urls import path

from . import views_staff as v

urlpatterns = [
    path("manage/", v.campaign_list, name="manage"),
    path("manage/new/", v.campaign_create, name="manage_new"),
    path("manage/<slug:slug>/", v.campaign_manage, name="manage_campaign"),
    path("manage/<slug:slug>/edit/", v.campaign_edit, name="manage_edit"),
    path("manage/<slug:slug>/advance/", v.campaign_advance, name="manage_advance"),
    path("manage/<slug:slug>/lists/", v.contest_list, name="manage_lists"),
    path("manage/<slug:slug>/lists/<slug:code>/", v.contest_edit, name="manage_list_edit"),
    path("manage/<slug:slug>/commission/", v.commission, name="manage_commission"),
    path(
        "manage/<slug:slug>/commission/<int:pk>/remove/",
        v.commission_remove,
        name="manage_commission_remove",
    ),
    path("manage/<slug:slug>/candidates/", v.candidate_list, name="manage_candidates"),
    path("manage/<slug:slug>/candidates/new/", v.nominate, name="manage_nominate"),
    path(
        "manage/<slug:slug>/candidates/<int:number>/",
        v.candidate_detail,
        name="manage_candidate",
    ),
    path(
        "manage/<slug:slug>/candidates/<int:number>/edit/",
        v.candidate_edit,
        name="manage_candidate_edit",
    ),
    path("manage/<slug:slug>/roll.csv", v.roll_csv, name="manage_roll_csv"),
    path("manage/<slug:slug>/paper/", v.paper, name="manage_paper"),
]
