"""The REST API's router: /api/v1/. Each app registers its viewsets from its own api.py."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

# usecases
from usecases.api import UseCaseViewSet  # noqa: E402

router.register("use-cases", UseCaseViewSet, basename="use-case")
# governance
from governance import api as governance_api  # noqa: E402

router.register("governance/queue", governance_api.QueueViewSet, basename="governance-queue")
router.register("governance/reviews", governance_api.ReviewViewSet, basename="governance-review")
router.register("governance/risk", governance_api.RiskViewSet, basename="governance-risk")
router.register(
    "governance/conditions", governance_api.ConditionViewSet, basename="governance-condition"
)
router.register(
    "governance/register", governance_api.RegisterViewSet, basename="governance-register"
)
router.register(
    "governance/platforms", governance_api.PlatformViewSet, basename="governance-platform"
)
# metrics
from metrics.api import KpiSnapshotViewSet, ReadinessAssessmentViewSet, ReportViewSet  # noqa: E402

router.register("kpi-snapshots", KpiSnapshotViewSet, basename="kpi-snapshot")
router.register(
    "readiness-assessments", ReadinessAssessmentViewSet, basename="readiness-assessment"
)
router.register("reports", ReportViewSet, basename="report")
# skilling
from skilling import api as skilling_api  # noqa: E402

router.register("skills", skilling_api.SkillViewSet, basename="skill")
router.register("adoption-roles", skilling_api.AdoptionRoleViewSet, basename="adoption-role")
router.register(
    "learning-resources", skilling_api.LearningResourceViewSet, basename="learning-resource"
)
router.register("learning-paths", skilling_api.LearningPathViewSet, basename="learning-path")
router.register("enrolments", skilling_api.EnrolmentViewSet, basename="enrolment")
router.register("learner-profiles", skilling_api.LearnerProfileViewSet, basename="learner-profile")
router.register(
    "learning-recommendations",
    skilling_api.RecommendationViewSet,
    basename="learning-recommendation",
)
router.register("learning-events", skilling_api.EventViewSet, basename="learning-event")
router.register("skills-coverage", skilling_api.CoverageViewSet, basename="skills-coverage")
