"""The REST API's router: /api/v1/. Each app registers its viewsets from its own api.py."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

# usecases
from usecases.api import UseCaseViewSet  # noqa: E402

router.register("use-cases", UseCaseViewSet, basename="use-case")
