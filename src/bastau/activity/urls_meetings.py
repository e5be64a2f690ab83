"""Meetings, instructions under execution control and social projects."""

urlpatterns: list = []
