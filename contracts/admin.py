from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from contracts.models import (
    Contract,
    Expectation,
    InformationDelivery,
    InformationNeed,
    Measurement,
    Service,
    ServiceHours,
    ServiceLevel,
    ServiceLevelDimension,
    SLAReport,
)


class ExpectationInline(admin.TabularInline):
    model = Expectation
    extra = 0


class InformationNeedInline(admin.TabularInline):
    model = InformationNeed
    extra = 0


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "title", "organisation", "supplier", "status", "end_date"]
    list_filter = ["organisation", "supplier", "status", "renewal"]
    search_fields = ["reference", "title"]
    inlines = [ExpectationInline, InformationNeedInline]


class ServiceHoursInline(admin.TabularInline):
    model = ServiceHours
    extra = 0


@admin.register(Service)
class ServiceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "contract", "criticality", "open_on_holidays"]
    list_filter = ["organisation", "criticality"]
    inlines = [ServiceHoursInline]


class DimensionInline(admin.TabularInline):
    model = ServiceLevelDimension
    extra = 0


@admin.register(ServiceLevel)
class ServiceLevelAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "contract", "target", "direction", "valid_from", "valid_to"]
    list_filter = ["organisation", "metric_kind", "period"]
    search_fields = ["code", "name"]
    inlines = [DimensionInline]


class MeasurementInline(admin.TabularInline):
    model = Measurement
    extra = 0
    fields = ["service_level", "value", "state", "dispute_reason"]
    readonly_fields = fields
    can_delete = False


@admin.register(SLAReport)
class SLAReportAdmin(SimpleHistoryAdmin):
    list_display = ["contract", "period_start", "version", "status", "is_current", "is_late"]
    list_filter = ["organisation", "status", "is_late"]
    readonly_fields = ["checksum", "source_name", "submitted_by", "submitted_at"]
    exclude = ["source_file"]
    inlines = [MeasurementInline]


@admin.register(InformationDelivery)
class InformationDeliveryAdmin(SimpleHistoryAdmin):
    list_display = ["need", "period_start", "due_date", "delivered_on"]
    list_filter = ["organisation"]
