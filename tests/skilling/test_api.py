"""The REST API does what the pages do, through the same logic."""

from __future__ import annotations

import pytest

from skilling import events
from skilling.choices import RegistrationStatus
from skilling.models import AdoptionRole, Enrolment, EventRegistration, LearningPath
from tests.skilling.factories import (
    AdoptionRoleFactory,
    EventFactory,
    LearningResourceFactory,
    RoleSkillFactory,
    SkillFactory,
    profile,
)

pytestmark = pytest.mark.django_db


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_enrol_progress_complete_and_leave(client, employee):
    resource = LearningResourceFactory()
    other = LearningResourceFactory()
    client.force_login(employee)

    enrolment = post(client, "/api/v1/enrolments/", {"resource": resource.pk}).json()
    assert enrolment["status"] == "enrolled"
    again = post(client, "/api/v1/enrolments/", {"resource": resource.pk}).json()
    assert again["id"] == enrolment["id"]

    progressed = post(client, f"/api/v1/enrolments/{enrolment['id']}/progress/", {"progress": 30})
    assert (progressed.json()["status"], progressed.json()["progress"]) == ("in_progress", 30)
    assert (
        post(
            client, f"/api/v1/enrolments/{enrolment['id']}/progress/", {"progress": 300}
        ).status_code
        == 400
    )

    done = post(
        client,
        f"/api/v1/enrolments/{enrolment['id']}/complete/",
        {"evidence_url": "https://badges.example.com/9"},
    ).json()
    assert done["status"] == "completed" and done["evidence_url"] == "https://badges.example.com/9"
    refused = client.delete(f"/api/v1/enrolments/{enrolment['id']}/")
    assert refused.status_code == 400
    assert "stays on your record" in refused.json()["detail"]

    open_one = post(client, "/api/v1/enrolments/", {"resource": other.pk}).json()
    assert client.delete(f"/api/v1/enrolments/{open_one['id']}/").status_code == 204
    assert list(Enrolment.objects.values_list("resource_id", flat=True)) == [resource.pk]


def test_cannot_enrol_in_a_retired_resource(client, employee):
    retired = LearningResourceFactory(status="retired")
    client.force_login(employee)
    response = post(client, "/api/v1/enrolments/", {"resource": retired.pk})
    assert response.status_code == 400


def test_catalog_filters_are_the_pages_filters(client, employee):
    skill = SkillFactory(slug="api-skill")
    LearningResourceFactory(title="Match", skills=[skill], kind="video")
    LearningResourceFactory(title="Other kind", skills=[skill], kind="lab")
    client.force_login(employee)
    body = client.get("/api/v1/learning-resources/", {"skill": "api-skill", "kind": "video"}).json()
    assert [r["title"] for r in body["results"]] == ["Match"]
    assert client.get("/api/v1/learning-resources/", {"level": "9"}).status_code == 400


def test_roles_and_profile_and_recommendations(client, employee):
    skill = SkillFactory(slug="api-gap")
    role = AdoptionRoleFactory(slug="api-role")
    RoleSkillFactory(role=role, skill=skill, level=1)
    resource = LearningResourceFactory(skills=[skill])
    client.force_login(employee)

    assert client.get("/api/v1/learning-recommendations/").status_code == 404
    saved = client.put(
        "/api/v1/learner-profiles/me/", {"target_role": "api-role"}, content_type="application/json"
    )
    assert saved.json()["target_role"] == "api-role"
    same = client.put(
        "/api/v1/learner-profiles/me/",
        {"current_role": "api-role", "target_role": "api-role"},
        content_type="application/json",
    )
    assert same.status_code == 400

    rec = client.get("/api/v1/learning-recommendations/").json()
    assert rec["role"] == "api-role"
    assert rec["gaps"][0]["skill"] == "api-gap"
    assert [r["id"] for r in rec["gaps"][0]["resources"]] == [resource.pk]

    role_body = client.get("/api/v1/adoption-roles/api-role/").json()
    assert role_body["skills"] == [{"skill": "api-gap", "level": 1}]
    assert role_body["path_url"] == "/learning/roles/api-role/"


def test_admin_writes_a_role_with_skills_and_its_path(client, coe_admin):
    skill = SkillFactory(slug="api-s")
    first, second = LearningResourceFactory(), LearningResourceFactory()
    client.force_login(coe_admin)

    created = post(
        client,
        "/api/v1/adoption-roles/",
        {"name": "Agent builder", "slug": "agent-builder", "summary": "Builds agents.",
         "responsibilities": "Builds", "skills": [{"skill": "api-s", "level": 3}]},
    )  # fmt: skip
    assert created.status_code == 201
    role = AdoptionRole.objects.get(slug="agent-builder")
    assert list(role.requirements.values_list("skill__slug", "level")) == [(skill.slug, 3)]

    path = client.put(
        "/api/v1/learning-paths/agent-builder/",
        {"summary": "Two steps", "steps": [{"resource": second.pk}, {"resource": first.pk}]},
        content_type="application/json",
    )
    assert path.status_code == 200, path.content
    steps = LearningPath.objects.get(role=role).steps.order_by("position")
    assert [(s.position, s.resource_id) for s in steps] == [(1, second.pk), (2, first.pk)]


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/adoption-roles/half/", {"skills": [{"level": 1}]}),
        ("/api/v1/adoption-roles/half/", {"skills": [{"skill": "half-s"}]}),
        ("/api/v1/learning-paths/half/", {"steps": [{"note": "No resource"}]}),
    ],
)
def test_a_patch_with_half_a_requirement_or_step_is_refused_not_a_crash(
    client, coe_admin, url, body
):
    """A PATCH makes a nested item's fields optional; found by the API fuzz as a 500."""
    role = AdoptionRoleFactory(slug="half")
    LearningPath.objects.get_or_create(role=role)
    SkillFactory(slug="half-s")
    client.force_login(coe_admin)

    response = client.patch(url, body, content_type="application/json")

    assert response.status_code == 400, response.content


def test_a_slug_with_a_nul_character_is_a_400_not_a_crash(client, coe_admin, employee):
    """Found by the API fuzz on PostgreSQL, which cannot compare text holding NUL."""
    client.force_login(coe_admin)
    response = client.post(
        "/api/v1/learning-resources/",
        {"title": "Nul", "url": "https://example.com/", "skills": ["a\x00b"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "NUL character" in response.json()["detail"]  # coe_portal.request_guard
    client.force_login(employee)
    response = client.patch(
        "/api/v1/learner-profiles/me/", {"target_role": "\x00"}, content_type="application/json"
    )
    assert response.status_code == 400, response.content


def test_register_and_cancel_through_the_api(client, employee, colleague):
    event = EventFactory(capacity=1, online_url="https://meet.example.com/x")
    events.register_for_event(event.pk, actor=colleague)
    client.force_login(employee)

    listed = client.get("/api/v1/learning-events/").json()["results"][0]
    assert (listed["seats_taken"], listed["my_status"], listed["online_url"]) == (1, None, "")

    waiting = post(client, f"/api/v1/learning-events/{event.pk}/register/").json()
    assert (waiting["status"], waiting["waiting_list_position"]) == ("waitlisted", 1)

    client.force_login(colleague)
    post(client, f"/api/v1/learning-events/{event.pk}/cancel/")
    assert EventRegistration.objects.get(user=employee).status == RegistrationStatus.CONFIRMED

    client.force_login(employee)
    mine = client.get(f"/api/v1/learning-events/{event.pk}/").json()
    assert (mine["my_status"], mine["online_url"]) == ("confirmed", "https://meet.example.com/x")


def test_api_admin_cannot_shrink_an_event_below_its_seats(client, coe_admin, employee, colleague):
    event = EventFactory(capacity=2)
    for person in (employee, colleague):
        events.register_for_event(event.pk, actor=person)
    client.force_login(coe_admin)
    response = client.patch(
        f"/api/v1/learning-events/{event.pk}/", {"capacity": 1}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "2 people already hold a seat" in response.json()["detail"]


def test_coverage_api_figures(client, leader, department):
    role = AdoptionRoleFactory(slug="api-cov")
    from tests.factories import UserFactory

    profile(UserFactory(department=department), current=role)
    client.force_login(leader)
    body = client.get(f"/api/v1/skills-coverage/{department.code}/").json()
    row = next(r for r in body["roles"] if r["role"] == "api-cov")
    assert (body["department"], body["people"], row["holding"]) == ("finance", 1, 1)


def test_schema_documents_the_skilling_endpoints(client, employee):
    client.force_login(employee)
    schema = client.get("/api/v1/schema/").content.decode()
    for path in ["/api/v1/enrolments/{id}/complete/", "/api/v1/learning-events/{id}/register/",
                 "/api/v1/skills-coverage/{department}/"]:  # fmt: skip
        assert path in schema


def test_options_on_the_own_profile_describes_it(client, employee):
    # DRF's OPTIONS looks the object up; /me/ has no pk and answered 500 (schemathesis)
    client.force_login(employee)

    response = client.options("/api/v1/learner-profiles/me/")

    assert response.status_code == 200
    assert "PUT" in response.json()["actions"]


def test_a_profile_never_set_has_no_update_time_and_the_schema_says_so(client, employee):
    client.force_login(employee)

    profile = client.get("/api/v1/learner-profiles/me/").json()
    schema = client.get("/api/v1/schema/?format=json").json()

    assert profile["updated_at"] is None
    assert schema["components"]["schemas"]["LearnerProfile"]["properties"]["updated_at"]["nullable"]
