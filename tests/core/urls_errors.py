"""The project's URLs plus views that fail, for the error page tests."""

from django.db import DatabaseError
from django.urls import path

from bastau.urls import handler500
from bastau.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("a bug in a view")


def database_down(request):
    raise DatabaseError("could not connect to server")


def failing_context_processor(request):
    raise RuntimeError("this context processor needs the database, which is down")


urlpatterns = [
    *project_urlpatterns,
    path("test-boom/", boom),
    path("test-database-down/", database_down),
]

__all__ = ["handler500", "urlpatterns"]
