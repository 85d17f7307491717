"""The admin shows proposals and their records; status changes go through the pages or API
(``lifecycle.change_status``), and decisions through the reviews, so the status and the
event log are read-only here."""

from __future__ import annotations

from django.contrib import admin

from usecases.models import (
    Attachment,
    Comment,
    ImportMapping,
    Notification,
    UseCase,
    UseCaseEvent,
)


class EventInline(admin.TabularInline):
    model = UseCaseEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "from_status", "to_status", "actor", "note", "note_audience")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UseCase)
class UseCaseAdmin(admin.ModelAdmin):
    list_display = ("title", "department", "owner", "status", "quadrant", "endorsement_count")
    list_filter = ("status", "category", "quadrant", "confidential", "department")
    list_select_related = ("department", "owner")
    search_fields = ("title", "source_ref")
    readonly_fields = (
        "status", "duplicate_of", "version", "value_score", "feasibility_score", "quadrant",
        "endorsement_count", "comment_count", "submitted_at", "decided_at", "status_changed_at",
    )  # fmt: skip
    raw_id_fields = ("owner",)
    inlines = [EventInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("use_case", "author", "created_at")
    raw_id_fields = ("use_case", "author")


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "use_case", "content_type", "size", "created_at")
    raw_id_fields = ("use_case", "uploaded_by")
    readonly_fields = ("file", "content_type", "size")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "message", "created_at", "read_at", "emailed_at")
    raw_id_fields = ("recipient", "use_case", "event")


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ("name", "created_by", "created_at")
