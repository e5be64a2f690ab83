"""Django admin for the primaries. The record of the vote (who voted, ballots, checkpoints,
pending ballots) is read-only here and never editable: it changes only through the actions
in services.py, and the board's signatures would expose any edit anyway."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    Ballot,
    Campaign,
    Candidate,
    Checkpoint,
    CommissionMember,
    Contest,
    ListResult,
    PaperBatch,
    Participation,
    PendingBallot,
    VoterRollEntry,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable by the administrators; no add, change or delete, whatever the permissions."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


class ContestInline(admin.TabularInline):
    model = Contest
    extra = 0
    raw_id_fields = ("branch",)

    # Once voting opens the roll is frozen per list: the lists must not move under it.
    def has_add_permission(self, request, obj=None):
        return obj is None or not services.rules_locked(obj)

    def has_change_permission(self, request, obj=None):
        return obj is None or not services.rules_locked(obj)

    def has_delete_permission(self, request, obj=None):
        return obj is None or not services.rules_locked(obj)


class CommissionInline(admin.TabularInline):
    model = CommissionMember
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ("title", "slug", "kind", "branch", "status", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("title", "slug")
    raw_id_fields = ("branch", "created_by")
    readonly_fields = ("status", "public_key", "roll_frozen_at", "tally", "created_at")
    inlines = [ContestInline, CommissionInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("branch")
            if services.rules_locked(obj):
                fields += sorted(services.RULE_FIELDS)
        return fields


@admin.register(Candidate)
class CandidateAdmin(SimpleHistoryAdmin):
    list_display = ("number", "name", "campaign", "contest", "nomination", "status")
    list_filter = ("status", "nomination", "sex")
    search_fields = ("name",)
    raw_id_fields = ("campaign", "contest", "member", "nominating_poo")
    list_select_related = ("campaign", "contest")
    # The snapshot the quotas are judged on, the list and the status (an audited action)
    # are not edited by hand.
    readonly_fields = (
        "campaign",
        "contest",
        "member",
        "number",
        "name",
        "sex",
        "birth_date",
        "has_disability",
        "nominated_on",
        "status",
        "status_reason",
    )
    show_full_result_count = False


@admin.register(PaperBatch)
class PaperBatchAdmin(ReadOnlyAdmin):
    list_display = ("pk", "campaign", "poo", "status", "created_at")
    list_filter = ("status",)
    list_select_related = ("campaign", "poo")


@admin.register(ListResult)
class ListResultAdmin(ReadOnlyAdmin):
    list_display = ("contest", "built_at", "built_by")
    list_select_related = ("contest",)


@admin.register(VoterRollEntry)
class VoterRollEntryAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "contest", "member")
    list_select_related = ("campaign", "contest", "member")
    show_full_result_count = False


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "member", "channel", "voted_on")
    list_filter = ("channel",)
    list_select_related = ("campaign", "member")
    show_full_result_count = False


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "seq", "batch_size", "total", "sealed_at")
    list_select_related = ("campaign",)


@admin.register(PendingBallot)
class PendingBallotAdmin(ReadOnlyAdmin):
    list_display = ("tracker", "campaign", "contest")
    list_select_related = ("campaign", "contest")
    show_full_result_count = False


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    list_display = ("tracker", "campaign", "contest", "checkpoint")
    list_select_related = ("campaign", "contest", "checkpoint")
    search_fields = ("tracker",)
    show_full_result_count = False
