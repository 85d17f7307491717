"""Cached pages show changes made through the logic functions at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coe_portal.roles import Role
from skilling import coverage, enrolments
from skilling.models import AdoptionRole, RoleSkill
from tests.factories import UserFactory
from tests.skilling.factories import LearningResourceFactory, SkillFactory, path_for

pytestmark = pytest.mark.django_db


def test_a_completion_shows_on_the_cached_coverage_at_once(
    client, department, employee, django_capture_on_commit_callbacks
):
    skill = SkillFactory()
    role = AdoptionRole.objects.create(name="Builder", slug="builder", summary="Builds.")
    RoleSkill.objects.create(role=role, skill=skill, level=1)
    resource = LearningResourceFactory(skills=[skill])
    path_for(role, [resource])
    enrolments.set_roles(actor=employee, current_role=None, target_role=role)
    champion = UserFactory(username="cham", department=department, roles=[Role.CHAMPION])

    (before,), _ = coverage.cached_department_coverage([department])
    assert next(r for r in before.roles if r.role == role).completed_path == 0
    with django_capture_on_commit_callbacks(execute=True):
        enrolments.complete(resource, actor=employee)
    (after,), _ = coverage.cached_department_coverage([department])
    assert next(r for r in after.roles if r.role == role).completed_path == 1
    client.force_login(champion)
    assert client.get("/learning/coverage/").status_code == 200


def test_other_departments_keep_their_cached_coverage(department, other_department, outsider):
    coverage.cached_department_coverage([other_department])
    coverage.cached_department_coverage([department])
    coverage.forget(department.pk)

    with CaptureQueriesContext(connection) as kept:
        coverage.cached_department_coverage([other_department])
    with CaptureQueriesContext(connection) as worked_out:
        coverage.cached_department_coverage([department])
    assert not kept.captured_queries
    assert worked_out.captured_queries

    coverage.forget()  # a path changed: every department's figures
    with CaptureQueriesContext(connection) as again:
        coverage.cached_department_coverage([other_department])
    assert again.captured_queries


def test_dashboard_works_out_the_per_department_parts_only_when_not_cached(
    client, leader, department
):
    from django.utils import timezone

    from metrics import snapshots
    from tests.factories import ReadinessAssessmentFactory

    ReadinessAssessmentFactory(department=department, year=2026, quarter=1)
    snapshots.take_snapshots(timezone.localdate())
    client.force_login(leader)

    def readiness_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/metrics/").content.decode()
        assert 'class="table heatmap"' in body and "chart-comparison" in body
        return sum("metrics_readinessassessment" in q["sql"] for q in queries)

    assert readiness_queries() > 0  # worked out and rendered into the cache
    assert readiness_queries() == 0  # shown from the cache, nothing worked out
