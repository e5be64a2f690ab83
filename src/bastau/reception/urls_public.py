"""The citizens' pages of the public reception (views_public.py), no account needed.

Included at the root of /reception/ by urls.py (app namespace "reception"); the staff pages
live under staff/.
"""

from django.urls import path

from . import views_public as views

urlpatterns = [
    path("public/", views.public_home, name="public"),
    path("appeal/", views.submit, name="submit"),
    path("appeal/sent/", views.submitted, name="submitted"),
    path("status/", views.status, name="status"),
    path("schedule/", views.schedule, name="schedule"),
    path("schedule/<int:pk>/book/", views.book, name="book"),
    path("booking/done/", views.booked, name="booked"),
    path("booking/cancel/", views.cancel_booking, name="cancel_booking"),
]
