from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from coe_portal import outbox, tokens
from coe_portal.forms import PortalAdminAuthenticationForm
from coe_portal.models import (
    AIPlatform,
    ApiToken,
    Department,
    OutboxMessage,
    PortalSettings,
    SsoIdentity,
    User,
)

# The admin's login says so when the login throttle refuses an attempt, as the portal's does.
# Its failed attempts (axes' "Access attempts", registered on this same admin site) are listed
# under Axes; deleting one lets that username, or address, try again at once.
admin.site.login_form = PortalAdminAuthenticationForm


class SsoIdentityInline(admin.TabularInline):
    """The person's identities at single sign-on providers. Sign-in never links a privileged
    account by e-mail address (coe_portal/sso.py): an admin adds its issuer and subject
    here, from the provider's record of the person, and deletes a link to end it."""

    model = SsoIdentity
    extra = 0
    fields = ("issuer", "subject", "created_at", "last_used_at")
    readonly_fields = ("created_at", "last_used_at")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The issuer is nearly always the configured one, and must match it exactly.
        if db_field.name == "issuer":
            kwargs.setdefault("initial", settings.OIDC_ISSUER)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "department", "is_active")
    list_filter = ("is_active", "groups", "department")
    list_select_related = ("department",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Organisation", {"fields": ("department", "job_title")}),
    )
    inlines = [SsoIdentityInline]


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """People's API tokens, to list and revoke (delete). No key can be made or read here:
    the database holds only digests, and a token is made by its owner on their page."""

    list_display = ("name", "user", "key_starts", "created", "expiry")
    list_select_related = ("user",)
    search_fields = ("name", "token_key", "user__username", "user__email")
    fields = ("name", "user", "key_starts", "created", "expiry")
    readonly_fields = fields
    ordering = ("-created",)

    @admin.display(description="key starts", ordering="token_key")
    def key_starts(self, token: ApiToken) -> str:
        return f"{token.token_key}…"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj: ApiToken) -> None:
        tokens.revoke_api_token(obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for token in queryset:
            tokens.revoke_api_token(token, actor=request.user)
