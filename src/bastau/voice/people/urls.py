"""Supporters and volunteers, their consents, and the youth wing «Jas Otan»."""

from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.supporters, name="supporters"),
    path("new/", views.supporter_new, name="supporter_new"),
    path("<int:pk>/", views.supporter, name="supporter"),
    path("<int:pk>/withdraw/", views.supporter_withdraw, name="supporter_withdraw"),
    path("counts/", views.counts, name="counts"),
    path("withdraw/", views.withdraw, name="withdraw"),
    path("youth/", views.youth, name="youth"),
    path("youth/new/", views.wing_new, name="wing_new"),
    path("youth/<int:pk>/", views.wing, name="wing"),
    path("youth/<int:pk>/congresses/new/", views.congress_new, name="congress_new"),
    path("youth/members/", views.youth_members, name="youth_members"),
    path("youth/members/new/", views.youth_member_new, name="youth_member_new"),
    path("youth/members/<int:pk>/remove/", views.youth_member_remove, name="youth_member_remove"),
]
