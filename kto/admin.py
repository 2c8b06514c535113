from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from governance.platform.access import system_access, tenant_scope
from kto.gaps.models import GapDigestSchedule, GapThreshold
from kto.gaps.services import gap_threshold_delete, gap_threshold_set
from kto.models import Question, Survey, SurveyGroup, SurveyItem


class SurveyGroupInline(admin.TabularInline):
    model = SurveyGroup
    extra = 0


class SurveyItemInline(admin.TabularInline):
    model = SurveyItem
    extra = 0
    raw_id_fields = ["question"]


@admin.register(Survey)
class SurveyAdmin(SimpleHistoryAdmin):
    # Answers and invitations are deliberately not in the admin: operators need neither, and
    # the answers are anonymous to everyone.
    list_display = ["title", "organisation", "kind", "period_start", "period_end", "closes_on"]
    list_filter = ["kind", "organisation"]
    search_fields = ["title"]
    filter_horizontal = ["contracts", "services"]
    inlines = [SurveyGroupInline, SurveyItemInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "organisation", "dimension", "kind", "text_en"]
    list_filter = ["dimension", "kind", "organisation"]
    search_fields = ["code", "text_nl", "text_en"]


@admin.register(GapThreshold)
class GapThresholdAdmin(SimpleHistoryAdmin):
    """Operators' changes go through the same services as the settings page, so they obey the
    same rules and rerun the months already analysed."""

    list_display = ["organisation", "contract", "dimension", "target", "delta", "k"]
    list_filter = ["organisation", "dimension"]
    search_fields = ["contract__reference", "organisation__name"]
    autocomplete_fields = ["contract"]

    def get_readonly_fields(self, request, obj=None):
        # A row stays with its organisation; a new one is added for another.
        return ["organisation"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        access = system_access(obj.organisation)
        with tenant_scope(access):
            gap_threshold_set(
                access=access,
                threshold=obj,
                contract=obj.contract,
                dimension=obj.dimension,
                target=obj.target,
                delta=obj.delta,
                k=obj.k,
            )

    def delete_model(self, request, obj):
        access = system_access(obj.organisation)
        with tenant_scope(access):
            gap_threshold_delete(access=access, threshold=obj)

    def delete_queryset(self, request, queryset):
        for threshold in queryset.select_related("organisation"):
            self.delete_model(request, threshold)


@admin.register(GapDigestSchedule)
class GapDigestScheduleAdmin(SimpleHistoryAdmin):
    list_display = [
        "organisation",
        "frequency",
        "day_of_month",
        "weekday",
        "include_contract_managers",
        "include_business_owners",
        "include_suppliers",
    ]
    list_filter = ["frequency", "include_suppliers"]
    search_fields = ["organisation__name"]
