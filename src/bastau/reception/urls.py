"""Public reception URLs: the staff pages under staff/ (names "staff_*", views/staff.py), then
the citizens' pages at the root of /reception/ (views/public.py, no account needed)."""

from django.urls import path

from .views import public, topics
from .views import staff as v

app_name = "reception"
urlpatterns = [
    path("staff/", v.dashboard, name="staff_dashboard"),
    path("staff/figures.xlsx", v.dashboard_xlsx, name="staff_dashboard_xlsx"),
    path("staff/pick/branch/", v.pick_branch, name="staff_pick_branch"),
    path("staff/appeals/", v.appeal_list, name="staff_appeals"),
    path("staff/appeals.xlsx", v.appeals_xlsx, name="staff_appeals_xlsx"),
    path("staff/appeals/overdue/", v.overdue_list, name="staff_overdue"),
    path("staff/appeals/due-soon/", v.due_soon_list, name="staff_due_soon"),
    path("staff/appeals/new/", v.appeal_new, name="staff_appeal_new"),
    path("staff/appeals/<int:pk>/", v.appeal_detail, name="staff_appeal"),
    path("staff/files/<int:pk>/", v.attachment_download, name="staff_attachment"),
    path("staff/officials/", v.official_list, name="staff_officials"),
    path("staff/officials/new/", v.official_new, name="staff_official_new"),
    path("staff/officials/<int:pk>/", v.official_edit, name="staff_official_edit"),
    path("staff/schedules/", v.schedule_list, name="staff_schedules"),
    path("staff/schedules/new/", v.schedule_new, name="staff_schedule_new"),
    path("staff/schedules/<int:pk>/", v.schedule_edit, name="staff_schedule_edit"),
    path("staff/sessions/", v.session_list, name="staff_sessions"),
    path("staff/sessions/new/", v.session_new, name="staff_session_new"),
    path("staff/sessions/<int:pk>/", v.session_detail, name="staff_session"),
    path("staff/sessions/<int:pk>/edit/", v.session_edit, name="staff_session_edit"),
    path("staff/bookings/", v.booking_day, name="staff_bookings"),
    path("staff/bookings/new/", v.booking_new, name="staff_booking_new"),
    path("staff/bookings/<int:pk>/", v.booking_action, name="staff_booking_action"),
    path("staff/calendar/", v.calendar_page, name="staff_calendar"),
    path("staff/calendar/remove/", v.calendar_remove, name="staff_calendar_remove"),
    # The citizens' pages.
    path("public/", public.public_home, name="public"),
    path("appeal/", public.submit, name="submit"),
    path("appeal/sent/", public.submitted, name="submitted"),
    path("status/", public.status, name="status"),
    path("schedule/", public.schedule, name="schedule"),
    path("schedule/<int:pk>/book/", public.book, name="book"),
    path("booking/done/", public.booked, name="booked"),
    path("booking/cancel/", public.cancel_booking, name="cancel_booking"),
]

urlpatterns += [
    path("staff/topics/", topics.topic_list, name="staff_topics"),
    path("staff/topics/new/", topics.topic_edit, name="staff_topic_new"),
    path("staff/topics/<int:pk>/", topics.topic_edit, name="staff_topic_edit"),
    path("staff/topics/<int:pk>/remove/", topics.topic_remove, name="staff_topic_remove"),
]
