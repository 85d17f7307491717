from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from coe_portal.models import AIPlatform, Department, PortalSettings, User


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
