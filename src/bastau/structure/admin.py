from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Branch, PrimaryOrganization, StructureEvent


@admin.register(Branch)
class BranchAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "code", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "name_ru", "code")


@admin.register(PrimaryOrganization)
class PrimaryOrganizationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "branch", "workplace_kind", "status")
    list_filter = ("status", "workplace_kind", "branch")
    search_fields = ("name", "code")
    raw_id_fields = ("leader", "merged_into")


@admin.register(StructureEvent)
class StructureEventAdmin(admin.ModelAdmin):
    list_display = ("poo", "kind", "date", "from_branch", "to_branch")
    list_filter = ("kind",)
    raw_id_fields = ("poo", "merged_into")
