"""No cache decides what a reader sees (issue 15): a change made where no logic function
runs (the Django admin's bulk actions, a shell's ``QuerySet.update()``, a task) shows on the
next request, because every list, count and figure is read live."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coe_portal.roles import Role
from metrics import snapshots
from metrics.models import KpiSnapshot
from skilling.choices import EnrolmentStatus
from skilling.models import AdoptionRole, Enrolment, LearnerProfile, RoleSkill
from tests.factories import UseCaseFactory, UserFactory
from tests.skilling.factories import LearningResourceFactory, SkillFactory, path_for
from usecases.choices import Status
from usecases.models import UseCase

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _explore(client, user, **params) -> str:
    client.force_login(user)
    return client.get("/proposals/", params).content.decode()


def test_a_proposal_made_confidential_in_the_shell_leaves_explore_at_once(
    client, employee, colleague, outsider
):
    use_case = UseCaseFactory(owner=colleague, status=Status.SUBMITTED, title="Quiet merger plan")
    surfaces = ["/proposals/", "/api/v1/use-cases/", "/proposals/export.csv"]
    for url in surfaces:  # read once: whatever a cache would keep, it has now
        client.force_login(outsider)
        assert "Quiet merger plan" in _body(client.get(url))

    UseCase.objects.filter(pk=use_case.pk).update(confidential=True)

    client.force_login(outsider)
    for url in surfaces:
        assert "Quiet merger plan" not in _body(client.get(url)), url
    assert "Quiet merger plan" in _explore(client, colleague)  # the owner still sees it


def test_a_status_set_in_the_shell_shows_in_the_lists_and_the_home_counts(client, employee):
    use_case = UseCaseFactory(owner=employee, status=Status.DRAFT, title="Invoice triage")
    assert "Invoice triage" in _explore(client, employee, status=Status.DRAFT)
    client.get("/")

    UseCase.objects.filter(pk=use_case.pk).update(status=Status.SUBMITTED)

    assert "Invoice triage" not in _explore(client, employee, status=Status.DRAFT)
    assert "Invoice triage" in _explore(client, employee, status=Status.SUBMITTED)
    assert client.get("/").wsgi_request._intake_counts["drafts"] == 0


def test_a_completion_recorded_in_the_shell_shows_on_coverage_at_once(client, department, employee):
    skill = SkillFactory()
    role = AdoptionRole.objects.create(name="Builder", slug="builder", summary="Builds.")
    RoleSkill.objects.create(role=role, skill=skill, level=1)
    resource = LearningResourceFactory(skills=[skill])
    path_for(role, [resource])
    LearnerProfile.objects.create(user=employee, target_role=role)
    enrolment = Enrolment.objects.create(user=employee, resource=resource)
    champion = UserFactory(username="cham", department=department, roles=[Role.CHAMPION])
    client.force_login(champion)

    def completed() -> int:
        report = client.get("/api/v1/skills-coverage/").json()[0]
        return next(r for r in report["roles"] if r["role"] == "builder")["completed_path"]

    assert completed() == 0
    Enrolment.objects.filter(pk=enrolment.pk).update(
        status=EnrolmentStatus.COMPLETED, progress=100, completed_at=timezone.now()
    )
    assert completed() == 1


def _tile(body: str, kpi: str) -> str:
    """The figure a dashboard tile shows."""
    tile = body[body.index(f'data-kpi="{kpi}"') :]
    return tile[tile.index('class="figure">') + 15 : tile.index("</strong>")]


def test_a_snapshot_rewritten_in_the_shell_shows_on_the_dashboard_at_once(client, leader):
    snapshots.take_snapshots(timezone.localdate())
    client.force_login(leader)
    assert _tile(client.get("/metrics/").content.decode(), "new_proposals") == "0"
    KpiSnapshot.objects.filter(kpi="new_proposals", scope=0).update(value=4321)
    assert _tile(client.get("/metrics/").content.decode(), "new_proposals") == "4321"
