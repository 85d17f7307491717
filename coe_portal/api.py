"""The REST API's router: /api/v1/. Each app registers its viewsets from its own api.py."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

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
