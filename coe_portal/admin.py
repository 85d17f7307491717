from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from coe_portal import outbox
from coe_portal.models import AIPlatform, Department, OutboxMessage, PortalSettings, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "department", "is_active")
    list_filter = ("is_active", "groups", "department")
    list_select_related = ("department",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Organisation", {"fields": ("department", "job_title")}),
    )


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


@admin.register(PortalSettings)
class PortalSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "operating_model", "review_sla_days", "worker_seen_at")
    readonly_fields = ("worker_seen_at", "how_it_works_updated_at", "how_it_works_updated_by")

    def has_add_permission(self, request) -> bool:
        return not PortalSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AIPlatform)
class AIPlatformAdmin(admin.ModelAdmin):
    list_display = ("name", "vendor", "status", "max_data_sensitivity")
    list_filter = ("status", "max_data_sensitivity")
    search_fields = ("name", "vendor")


class OutboxStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("pending", "Waiting to be delivered"),
            ("failed", f"Gave up after {outbox.MAX_ATTEMPTS} attempts"),
            ("delivered", "Delivered"),
        ]

    def queryset(self, request, queryset):
        undelivered = queryset.filter(delivered_at__isnull=True)
        if self.value() == "pending":
            return undelivered.filter(attempts__lt=outbox.MAX_ATTEMPTS)
        if self.value() == "failed":
            return undelivered.filter(attempts__gte=outbox.MAX_ATTEMPTS)
        if self.value() == "delivered":
            return queryset.filter(delivered_at__isnull=False)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Side effects waiting or failed (coe_portal/outbox.py): read-only, with "try again" for
    those whose handler kept failing once the cause is fixed."""

    list_display = ("id", "handler", "created_at", "delivered_at", "attempts", "short_error")
    list_filter = (OutboxStateFilter,)
    search_fields = ("handler", "last_error")
    readonly_fields = ("handler", "kwargs", "created_at", "delivered_at", "attempts", "last_error")
    actions = ["try_again"]

    @admin.display(description="last error")
    def short_error(self, message: OutboxMessage) -> str:
        return message.last_error[:120]

    @admin.action(description="Try the selected undelivered messages again")
    def try_again(self, request, queryset):
        count = outbox.retry(queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} message(s) will be delivered again.", messages.SUCCESS)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
