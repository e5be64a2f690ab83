from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog

from bastau.api import views as api_views
from bastau.api.v1 import api as api_v1

urlpatterns = [
    path("", include("bastau.core.urls")),
    path("accounts/", include("bastau.accounts.urls")),
    path("structure/", include("bastau.structure.urls")),
    path("members/", include("bastau.members.urls")),
    path("primaries/", include("bastau.primaries.urls")),
    path("reception/", include("bastau.reception.urls")),
    path("oversight/", include("bastau.oversight.urls")),
    path("activity/", include("bastau.activity.urls")),
    path("people/", include("bastau.voice.people.urls")),
    path("surveys/", include("bastau.voice.surveys.urls")),
    path("agenda/", include("bastau.voice.agenda.urls")),
    path("outreach/", include("bastau.voice.outreach.urls")),
    path("reports/", include("bastau.reports.urls")),
    path("api/v1/", api_v1.urls),
    re_path(r"^api/v1/(?P<rest>[\s\S]*)\Z", api_views.not_found),
    path("api/", include("bastau.api.urls")),
    path("data/", include("bastau.api.opendata_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # Development only, and only the public part of the media: candidates' photos. Appeal
    # attachments and import files are never served from MEDIA_ROOT; views check access.
    from django.conf.urls.static import static

    urlpatterns += static(
        settings.MEDIA_URL + "candidates/", document_root=settings.MEDIA_ROOT / "candidates"
    )

# 400, 403 and 404 use Django's handlers with templates/400.html, 403.html and 404.html.
handler500 = "bastau.core.views.server_error"
