"""Read-only admin of the oversight register. Every write goes through `services.py` (seat
checks, lagging flags, audit) from the oversight pages; the admin only lets the regional
administrator look records up. Deputies' contacts are not listed here."""

from django.contrib import admin

from .models import BudgetImport, Convocation, Faction, Maslikhat


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Maslikhat)
class MaslikhatAdmin(ReadOnlyAdmin):
    list_display = ("name", "name_ru", "level", "branch", "seats_total", "budget_threshold")
    list_filter = ("level",)
    search_fields = ("name", "name_ru")


@admin.register(Convocation)
class ConvocationAdmin(ReadOnlyAdmin):
    list_display = ("maslikhat", "number", "started_on", "ended_on")
    list_select_related = ("maslikhat",)


@admin.register(Faction)
class FactionAdmin(ReadOnlyAdmin):
    list_display = ("name", "maslikhat", "convocation", "leader", "formed_on")
    list_select_related = ("maslikhat", "convocation", "leader")


@admin.register(BudgetImport)
class BudgetImportAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "maslikhat", "status", "total_rows", "error_count",
                    "created_by", "created_at")  # fmt: skip
    list_filter = ("status",)
    list_select_related = ("maslikhat", "created_by")
