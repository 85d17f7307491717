"""Governance in the Django admin: policy rows editable; reviews and their trail read-only,
since decisions change only through reviews.py."""

from django.contrib import admin

from governance.models import (
    Answer,
    Condition,
    Criterion,
    GovernanceSettings,
    RegisterEntry,
    Review,
    RiskAssessment,
    TierPolicy,
)
from usecases.counts import proposals_changed


class ShownOnSharedPagesAdmin(admin.ModelAdmin):
    """Rows of a proposal that the register, the queue and its page show: a change here
    bumps their topics, as the logic functions do, so the pages' shared parts
    (coe_portal.pagecache) show it at once."""

    def save_model(self, request, obj, form, change):
        proposals_changed(obj.use_case_id)
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        proposals_changed(obj.use_case_id)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        proposals_changed(*queryset.values_list("use_case_id", flat=True).distinct())
        super().delete_queryset(request, queryset)


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("code", "area", "text", "nist_ai_rmf", "eu_ai_act", "iso_42001", "active")
    list_filter = ("area", "active")
    search_fields = ("code", "text")


@admin.register(TierPolicy)
class TierPolicyAdmin(admin.ModelAdmin):
    list_display = ("tier", "required_areas", "rereview_after_days")


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    can_delete = False
    readonly_fields = ("criterion_code", "criterion_text", "clauses", "result", "note", "evidence")
    fields = readonly_fields


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = (
        "use_case",
        "area",
        "round",
        "kind",
        "reviewer_kind",
        "status",
        "outcome",
        "due_on",
    )
    list_filter = ("status", "area", "kind", "reviewer_kind")
    list_select_related = ("use_case",)
    search_fields = ("use_case__title",)
    inlines = [AnswerInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(admin.ModelAdmin):
    list_display = ("use_case", "suggested_tier", "tier", "overridden_by")
    list_filter = ("tier",)
    list_select_related = ("use_case", "overridden_by")

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Condition)
class ConditionAdmin(ShownOnSharedPagesAdmin):
    list_display = ("text", "use_case", "owner", "due_on", "status")
    list_filter = ("status",)
    list_select_related = ("use_case", "owner")


@admin.register(RegisterEntry)
class RegisterEntryAdmin(ShownOnSharedPagesAdmin):
    list_display = ("use_case", "next_review_on", "rereview_open", "last_reviewed_on")
    list_filter = ("rereview_open",)
    list_select_related = ("use_case",)


admin.site.register(GovernanceSettings)
