"""The REST API's router: /api/v1/. Each app registers its viewsets from its own api.py."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

# metrics
from metrics.api import KpiSnapshotViewSet, ReadinessAssessmentViewSet, ReportViewSet  # noqa: E402

router.register("kpi-snapshots", KpiSnapshotViewSet, basename="kpi-snapshot")
router.register(
    "readiness-assessments", ReadinessAssessmentViewSet, basename="readiness-assessment"
)
router.register("reports", ReportViewSet, basename="report")
