from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Admission, Member, PartyCard, Transfer


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ("last_name", "first_name", "poo", "status", "joined_on")
    list_filter = ("status", "sex", "sector")
    search_fields = ("last_name", "first_name", "iin")
    raw_id_fields = ("poo",)
    show_full_result_count = False


@admin.register(Admission)
class AdmissionAdmin(SimpleHistoryAdmin):
    list_display = ("last_name", "first_name", "poo", "stage", "applied_on")
    list_filter = ("stage",)
    raw_id_fields = ("poo", "member")


@admin.register(PartyCard)
class PartyCardAdmin(SimpleHistoryAdmin):
    list_display = ("series", "number", "member", "status", "issued_on")
    list_filter = ("status", "series")
    raw_id_fields = ("member", "replaces")


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = ("member", "from_poo", "to_poo", "date")
    raw_id_fields = ("member", "from_poo", "to_poo")
