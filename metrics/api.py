"""REST API for metrics: KPI snapshot series, readiness assessments, reports.

Same permissions as the pages: leadership and CoE staff see everything; a champion sees
their department's snapshots (and the organisation-wide ones it is compared with) and its
assessments; an employee sees their department's submitted assessments; reports are for
leadership and CoE staff.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from coe_portal.roles import HasRole, Role, sees_everything
from metrics.kpis import REGISTRY
from metrics.models import KpiSnapshot, ReadinessAssessment, Report


class KpiSnapshotFilter(django_filters.FilterSet):
    kpi = django_filters.MultipleChoiceFilter(choices=[(slug, slug) for slug in REGISTRY])
    department = django_filters.CharFilter(
        method="filter_department",
        help_text="A department code, or 'organisation' for the organisation-wide series.",
    )
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = KpiSnapshot
        fields = ["kpi", "department", "date_after", "date_before"]

    def filter_department(self, queryset, name, value):
        if value == "organisation":
            return queryset.filter(scope=0)
        return queryset.filter(department__code=value)


class KpiSnapshotSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = KpiSnapshot
        fields = ["date", "kpi", "department", "value"]


class KpiSnapshotViewSet(viewsets.ReadOnlyModelViewSet):
    """KPI snapshot series: filter by kpi (repeatable), department code and date range."""

    serializer_class = KpiSnapshotSerializer
    filterset_class = KpiSnapshotFilter
    permission_classes = [IsAuthenticated, HasRole]
    required_roles = (Role.LEADERSHIP, Role.COE_REVIEWER, Role.COE_ADMIN, Role.CHAMPION)

    def get_queryset(self):
        user = self.request.user
        qs = KpiSnapshot.objects.select_related("department").order_by("date", "kpi", "scope")
        if sees_everything(user):
            return qs
        # A champion: their department's series and the organisation's it is compared with.
        return qs.filter(Q(scope=0) | Q(scope=getattr(user, "department_id", None) or -1))


class ReadinessAssessmentSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    period = serializers.CharField(source="period_label", read_only=True)

    class Meta:
        model = ReadinessAssessment
        fields = [
            "id", "department", "year", "quarter", "period", "status", "overall",
            "dimension_scores", "answers", "submitted_at",
        ]  # fmt: skip


class ReadinessAssessmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Readiness assessments the caller may see (see metrics.models.AssessmentQuerySet)."""

    serializer_class = ReadinessAssessmentSerializer
    filterset_fields = ["year", "quarter", "status"]

    def get_queryset(self):
        return (
            ReadinessAssessment.objects.visible_to(self.request.user)
            .select_related("department")
            .order_by("-year", "-quarter", "department__name")
        )


class ReportSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period_label", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Report
        fields = [
            "id", "kind", "period", "period_start", "period_end", "status", "progress",
            "error", "attempts", "finished_at", "url", "data",
        ]  # fmt: skip


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Generated reports, for leadership and CoE staff."""

    serializer_class = ReportSerializer
    filterset_fields = ["kind", "status"]
    permission_classes = [IsAuthenticated, HasRole]
    required_roles = (Role.LEADERSHIP, Role.COE_REVIEWER, Role.COE_ADMIN)

    def get_queryset(self):
        return Report.objects.visible_to(self.request.user).order_by("-period_start", "kind")
