from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from audits.models import Audit, AuditProgramme, CorrectiveAction, Finding


@admin.register(AuditProgramme)
class AuditProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["contract", "year", "recurrence", "organisation"]
    list_filter = ["organisation", "year"]


@admin.register(Audit)
class AuditAdmin(SimpleHistoryAdmin):
    list_display = ["title", "contract", "audit_type", "status", "planned_date", "organisation"]
    list_filter = ["organisation", "status", "audit_type"]
    search_fields = ["title"]


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "audit", "grade", "status", "client_priority", "organisation"]
    list_filter = ["organisation", "grade", "status"]
    search_fields = ["title"]


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(SimpleHistoryAdmin):
    list_display = ["description", "finding", "owner_side", "due_date", "status", "organisation"]
    list_filter = ["organisation", "owner_side", "status"]
