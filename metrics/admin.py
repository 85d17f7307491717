from django.contrib import admin

from metrics.models import KpiSnapshot, ReadinessAssessment, Report


@admin.register(ReadinessAssessment)
class ReadinessAssessmentAdmin(admin.ModelAdmin):
    list_display = ["department", "year", "quarter", "status", "overall", "submitted_at"]
    list_filter = ["status", "year", "quarter", "department"]
    list_select_related = ["department"]
    readonly_fields = ["dimension_scores", "overall", "submitted_by", "submitted_at"]


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(admin.ModelAdmin):
    list_display = ["date", "kpi", "department", "value"]
    list_filter = ["kpi", "department"]
    list_select_related = ["department"]
    date_hierarchy = "date"


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Schedules are under "Periodic tasks" (django-celery-beat): edit their crontab there."""

    list_display = ["kind", "period_start", "status", "attempts", "finished_at", "emailed_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["data", "error", "attempts", "started_at", "finished_at", "emailed_at"]
