"""Information work: outreach campaigns, their plan, materials and events."""

from django.urls import path

from . import views

app_name = "outreach"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.campaign_new, name="campaign_new"),
    path("<int:pk>/", views.campaign, name="campaign"),
    path("<int:pk>/plan/", views.plan_new, name="plan_new"),
    path("<int:pk>/materials/new/", views.material_new, name="material_new"),
    path("<int:pk>/events/new/", views.event_new, name="event_new"),
    path("<int:pk>/instructions/", views.instruction_link, name="instruction_link"),
    path("events/<int:pk>/", views.event, name="event"),
    path("events/<int:pk>/reach/", views.event_reach, name="event_reach"),
    path("events/<int:pk>/invite/", views.event_invite, name="event_invite"),
    path("materials/<int:pk>/", views.material, name="material"),
]
