from django.contrib import admin

from kto.models import Question, Survey, SurveyGroup, SurveyItem


class SurveyGroupInline(admin.TabularInline):
    model = SurveyGroup
    extra = 0


class SurveyItemInline(admin.TabularInline):
    model = SurveyItem
    extra = 0
    raw_id_fields = ["question"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
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
