"""Admin for the reception's catalogues only. Appeals are not here: their personal data is
shown by the reception pages, which check access and log every read. Calendar overrides are
not here either: `services.set_calendar_override` also recomputes the deadlines they move."""

from django.contrib import admin

from .models import Official, ReceptionSchedule, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "name_ru", "code", "order", "active")
    list_filter = ("active",)
    search_fields = ("name", "name_ru", "name_en", "code")


@admin.register(Official)
class OfficialAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "organisation", "kind", "branch", "active")
    list_filter = ("kind", "active", "branch")
    search_fields = ("name", "position", "organisation")
    raw_id_fields = ("member",)


@admin.register(ReceptionSchedule)
class ReceptionScheduleAdmin(admin.ModelAdmin):
    list_display = ("official", "weekday", "date", "start_time", "end_time", "place", "active")
    list_filter = ("active", "branch", "weekday")
    raw_id_fields = ("official",)
