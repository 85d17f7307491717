"""Governance in the Django admin: policy rows editable; reviews, risk assessments and their
trail read-only, since decisions change only through reviews.py. Nor can they be added or
deleted here: deleting an open review, or the assessment that holds a prohibited tier, would
let the other reviews decide without it."""

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
        "opened_at",
    )
    list_filter = ("status", "area", "kind", "reviewer_kind")
    list_select_related = ("use_case",)
    search_fields = ("use_case__title",)
    inlines = [AnswerInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(admin.ModelAdmin):
    list_display = ("use_case", "suggested_tier", "tier", "overridden_by")
    list_filter = ("tier",)
    list_select_related = ("use_case", "overridden_by")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    """The text, owner and due date are editable; whether it is met or waived, by whom and
    why, only through reviews.mark_condition_met and reviews.waive_condition, which write
    the proposal's history (a status set here would open the pilot gate silently)."""

    list_display = ("text", "use_case", "owner", "due_on", "status")
    list_filter = ("status",)
    list_select_related = ("use_case", "owner")
    readonly_fields = (
        "status", "met_at", "met_by", "waived_at", "waived_by", "waiver_reason",
    )  # fmt: skip


@admin.register(RegisterEntry)
class RegisterEntryAdmin(admin.ModelAdmin):
    list_display = ("use_case", "next_review_on", "rereview_open", "last_reviewed_on")
    list_filter = ("rereview_open",)
    list_select_related = ("use_case",)


admin.site.register(GovernanceSettings)
