from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from meetings.models import SIP, ActionItem, AgendaItem, Meeting, MeetingSeries


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(SimpleHistoryAdmin):
    list_display = ["title", "organisation", "contract", "tier", "cadence_months"]
    list_filter = ["tier"]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["series", "starts_at", "status"]
    list_filter = ["status"]


@admin.register(AgendaItem)
class AgendaItemAdmin(SimpleHistoryAdmin):
    list_display = ["title", "meeting", "source", "outcome", "resolved", "streak"]
    list_filter = ["source", "outcome"]


@admin.register(ActionItem)
class ActionItemAdmin(SimpleHistoryAdmin):
    list_display = ["title", "series", "owner_side", "due_date", "status"]
    list_filter = ["status", "owner_side"]


@admin.register(SIP)
class SIPAdmin(admin.ModelAdmin):
    list_display = ["title", "contract", "status"]
    list_filter = ["status"]
