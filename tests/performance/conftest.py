"""The people who ask the pinned pages, one per role."""

from __future__ import annotations

import pytest

from coe_portal.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def people(department, employee):
    return {
        "employee": employee,
        "champion": UserFactory(
            username="perf-champion", department=department, roles=[Role.CHAMPION]
        ),
        "reviewer": UserFactory(username="perf-reviewer", roles=[Role.COE_REVIEWER]),
        "coe_admin": UserFactory(username="perf-admin", roles=[Role.COE_ADMIN]),
        "leader": UserFactory(username="perf-leader", roles=[Role.LEADERSHIP]),
    }
