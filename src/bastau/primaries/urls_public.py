"""The members' and the public's pages of the primaries (views_public.py)."""

from django.urls import path

from . import views_public as views

urlpatterns = [
    path("", views.campaigns, name="campaigns"),
    path("<slug:slug>/", views.campaign_detail, name="campaign"),
    path("<slug:slug>/candidates/<int:number>/", views.candidate_detail, name="candidate"),
    path("<slug:slug>/nominate/", views.nominate_self, name="nominate_self"),
    path("<slug:slug>/withdraw/", views.withdraw, name="withdraw"),
    path("<slug:slug>/vote/", views.vote, name="vote"),
    path("<slug:slug>/vote/receipt/", views.receipt, name="receipt"),
    path("<slug:slug>/board/", views.board_page, name="board"),
    path("<slug:slug>/board.json", views.board_json, name="board_json"),
    path("<slug:slug>/results/", views.results_page, name="results"),
]
