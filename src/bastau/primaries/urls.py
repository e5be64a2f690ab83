"""Primaries URLs: organisers and commission (urls_staff), members and the public
(urls_public), and the downloadable documents (urls_documents)."""

from django.urls import include, path

app_name = "primaries"
urlpatterns = [
    # Staff pages first: their fixed "manage/" prefix must win over the public "<slug>/"
    # (so "manage" is a reserved campaign slug).
    path("", include("bastau.primaries.urls_staff")),
    path("", include("bastau.primaries.urls_public")),
    path("", include("bastau.primaries.urls_documents")),
]
