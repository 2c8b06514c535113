from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from governance.accounts.models import ApiToken
from governance.accounts.tokens import token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Operators see and revoke tokens; nobody makes or edits one here (the secret is never
    stored, so there is nothing to show)."""

    list_display = ["name", "user", "key", "organisation", "supplier", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "key", "user__username", "user__email"]
    readonly_fields = [field.name for field in ApiToken._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(token=token, reason="revoked by an operator")
