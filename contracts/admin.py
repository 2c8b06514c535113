from django.contrib import admin

from contracts.models import Contract


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "organisation", "supplier"]
    list_filter = ["organisation", "supplier"]
    search_fields = ["reference", "title"]
