from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from complaints.models import Category, Complaint, ComplaintSettings, ImprovementProposal


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "organisation", "status", "received_at"]
    list_filter = ["organisation", "status"]
    search_fields = ["reference"]
    # Contact details and the tracking token stay out of the operator's lists.
    exclude = ["token"]


@admin.register(Category)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = ["name_nl", "name_en", "organisation", "active"]
    list_filter = ["organisation"]


admin.site.register(ComplaintSettings, SimpleHistoryAdmin)
admin.site.register(ImprovementProposal, SimpleHistoryAdmin)
