"""Contests, awards and commissions."""

urlpatterns: list = []
