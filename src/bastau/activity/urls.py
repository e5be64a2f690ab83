"""Branch activity pages. Meetings, instructions and projects live in urls_meetings; contests,
awards and commissions in urls_recognition; both share the `activity` namespace."""

from . import urls_meetings, urls_recognition

app_name = "activity"

urlpatterns = [*urls_meetings.urlpatterns, *urls_recognition.urlpatterns]
