from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.platform.models import (
    Invitation,
    Membership,
    Organisation,
    OutboxMessage,
    Supplier,
    SupplierMembership,
    TaskRun,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "default_language", "mfa_required"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


class SupplierMembershipInline(admin.TabularInline):
    model = SupplierMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [SupplierMembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are made on the members' pages; here they can be read and withdrawn."""

    list_display = ["email", "organisation", "supplier", "role", "expires_at", "accepted_at"]
    list_filter = ["organisation", "supplier"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in Invitation._meta.fields if f.name != "revoked_at"]

    def has_add_permission(self, request):
        return False


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "status", "started_at", "finished_at"]
    list_filter = ["status", "name", "organisation"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in TaskRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "organisation"]
    search_fields = ["subject"]
    readonly_fields = ["uuid", "created_at", "sent_at", "claimed_at", "attempts", "last_error"]
    actions = ["requeue"]

    @admin.action(description=_("Requeue for sending"))
    def requeue(self, request, queryset):
        queryset.exclude(status=OutboxMessage.Status.SENT).update(
            status=OutboxMessage.Status.PENDING, next_attempt_at=timezone.now()
        )
