from django.contrib import admin
from django.db import models

from skilling import events
from skilling.forms import EventForm
from skilling.models import (
    AdoptionRole,
    Enrolment,
    Event,
    EventRegistration,
    LearnerProfile,
    LearningPath,
    LearningResource,
    PathStep,
    ResourceImport,
    RoleSkill,
    Skill,
)

# Links typed without a scheme are https, as in the portal's own forms.
HTTPS_LINKS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "category")
    list_filter = ("category",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}


class RoleSkillInline(admin.TabularInline):
    model = RoleSkill
    extra = 1
    autocomplete_fields = ("skill",)


@admin.register(AdoptionRole)
class AdoptionRoleAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    search_fields = ("name", "slug", "summary")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [RoleSkillInline]


@admin.register(RoleSkill)
class RoleSkillAdmin(admin.ModelAdmin):
    list_display = ("role", "skill", "level")
    list_filter = ("level", "role")
    list_select_related = ("role", "skill")


@admin.register(LearningResource)
class LearningResourceAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = ("title", "kind", "level", "duration_minutes", "provider", "language", "status")
    list_filter = ("status", "kind", "level", "provider", "language", "skills")
    search_fields = ("title", "description", "provider_name", "url")
    filter_horizontal = ("skills",)
    actions = ["retire"]

    @admin.action(description="Retire the selected resources")
    def retire(self, request, queryset):
        updated = queryset.update(status="retired")
        self.message_user(request, f"{updated} resource(s) retired.")


class PathStepInline(admin.TabularInline):
    model = PathStep
    extra = 1
    autocomplete_fields = ("resource",)
    ordering = ("position",)


@admin.register(LearningPath)
class LearningPathAdmin(admin.ModelAdmin):
    list_display = ("role", "updated_at")
    list_select_related = ("role",)
    inlines = [PathStepInline]


@admin.register(PathStep)
class PathStepAdmin(admin.ModelAdmin):
    list_display = ("path", "position", "resource")
    list_select_related = ("path__role", "resource")
    list_filter = ("path",)


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = ("user", "resource", "status", "progress", "completed_at")
    list_filter = ("status",)
    list_select_related = ("user", "resource")
    search_fields = ("user__username", "user__last_name", "resource__title")
    raw_id_fields = ("user", "resource")


@admin.register(LearnerProfile)
class LearnerProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "current_role", "target_role", "updated_at")
    list_filter = ("current_role", "target_role")
    list_select_related = ("user", "current_role", "target_role")
    search_fields = ("user__username", "user__last_name")
    raw_id_fields = ("user",)


class EventRegistrationInline(admin.TabularInline):
    model = EventRegistration
    extra = 0
    raw_id_fields = ("user",)
    # Seats change through the portal's pages so the waiting list moves up correctly.
    readonly_fields = (
        "user", "status", "registered_at", "confirmed_at", "cancelled_at", "reminded_at",
    )  # fmt: skip
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class EventAdminForm(EventForm):
    """The portal's event form with the admin's own date and time widgets."""

    class Meta(EventForm.Meta):
        widgets = {}


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = ("title", "kind", "starts_at", "capacity", "status")
    list_filter = ("status", "kind")
    search_fields = ("title", "description", "location")
    date_hierarchy = "starts_at"
    # The portal's rules and save: capacity never below the seats taken, and a larger
    # capacity moves people up from the waiting list, as on the portal's event page.
    form = EventAdminForm
    raw_id_fields = ("resource",)
    inlines = [EventRegistrationInline]

    def save_model(self, request, obj, form, change):
        events.save_event(obj, actor=request.user)


@admin.register(EventRegistration)
class EventRegistrationAdmin(admin.ModelAdmin):
    """Read-only: seats change through register/cancel so the waiting list stays right."""

    list_display = ("event", "user", "status", "registered_at", "reminded_at")
    list_filter = ("status",)
    list_select_related = ("event", "user")
    search_fields = ("event__title", "user__username", "user__last_name")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ResourceImport)
class ResourceImportAdmin(admin.ModelAdmin):
    list_display = ("filename", "uploaded_by", "status", "row_count", "created_at", "imported_at")
    list_filter = ("status",)
    readonly_fields = ("created_at", "imported_at")
    raw_id_fields = ("uploaded_by",)
