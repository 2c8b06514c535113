from django.contrib import admin

from audits.models import Audit, AuditProgramme, CorrectiveAction, Finding


@admin.register(AuditProgramme)
class AuditProgrammeAdmin(admin.ModelAdmin):
    list_display = ["contract", "year", "recurrence", "organisation"]
    list_filter = ["organisation", "year"]


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    list_display = ["title", "contract", "audit_type", "status", "planned_date", "organisation"]
    list_filter = ["organisation", "status", "audit_type"]
    search_fields = ["title"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["title", "audit", "grade", "status", "client_priority", "organisation"]
    list_filter = ["organisation", "grade", "status"]
    search_fields = ["title"]


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(admin.ModelAdmin):
    list_display = ["description", "finding", "owner_side", "due_date", "status", "organisation"]
    list_filter = ["organisation", "owner_side", "status"]
