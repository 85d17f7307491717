"""Who may open each page and API endpoint: anonymous, employee, champion (own and other
department), reviewer, leadership, CoE admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.skilling.factories import (
    AdoptionRoleFactory,
    EnrolmentFactory,
    EventFactory,
    LearningResourceFactory,
    path_for,
)

pytestmark = pytest.mark.django_db

EVERYONE = {"employee": 200, "champion": 200, "reviewer": 200, "leader": 200, "coe_admin": 200}
ADMINS = {"employee": 403, "champion": 403, "reviewer": 403, "leader": 403, "coe_admin": 200}
COVERAGE = {"employee": 403, "champion": 200, "reviewer": 200, "leader": 200, "coe_admin": 200}


@pytest.fixture
def objects(department, other_department):
    role = AdoptionRoleFactory(slug="perm-role")
    resource = LearningResourceFactory()
    path_for(role, [resource])
    event = EventFactory()
    return {"role": role.slug, "resource": resource.pk, "event": event.pk}


PAGES = [
    ("skilling:catalog", None, EVERYONE),
    ("skilling:resource_detail", "resource", EVERYONE),
    ("skilling:my_learning", None, EVERYONE),
    ("skilling:my_roles", None, EVERYONE),
    ("skilling:role_list", None, EVERYONE),
    ("skilling:role_path", "role", EVERYONE),
    ("skilling:skill_list", None, EVERYONE),
    ("skilling:event_list", None, EVERYONE),
    ("skilling:event_detail", "event", EVERYONE),
    ("skilling:coverage", None, COVERAGE),
    ("skilling:coverage_csv", None, COVERAGE),
    ("skilling:manage", None, ADMINS),
    ("skilling:manage_resources", None, ADMINS),
    ("skilling:resource_create", None, ADMINS),
    ("skilling:resource_edit", "resource", ADMINS),
    ("skilling:resource_import", None, ADMINS),
    ("skilling:resource_import_template", None, ADMINS),
    ("skilling:manage_skills", None, ADMINS),
    ("skilling:skill_create", None, ADMINS),
    ("skilling:manage_roles", None, ADMINS),
    ("skilling:role_create", None, ADMINS),
    ("skilling:role_edit", "role", ADMINS),
    ("skilling:path_edit", "role", ADMINS),
    ("skilling:manage_events", None, ADMINS),
    ("skilling:event_create", None, ADMINS),
    ("skilling:event_edit", "event", ADMINS),
    ("skilling:event_roster", "event", ADMINS),
]

CASES = [
    (name, arg, who, status) for name, arg, expected in PAGES for who, status in expected.items()
]


def url_for(name, arg, objects):
    return reverse(name, args=[objects[arg]]) if arg else reverse(name)


@pytest.mark.parametrize(("name", "arg", "who", "status"), CASES)
def test_page_access_per_role(client, request, objects, name, arg, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url_for(name, arg, objects)).status_code == status


@pytest.mark.parametrize(("name", "arg"), [(name, arg) for name, arg, _ in PAGES])
def test_anonymous_is_sent_to_login(client, objects, name, arg):
    url = url_for(name, arg, objects)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


POSTS = [
    ("skilling:resource_enrol", "resource"),
    ("skilling:resource_progress", "resource"),
    ("skilling:resource_complete", "resource"),
    ("skilling:resource_leave", "resource"),
    ("skilling:role_target", "role"),
    ("skilling:event_register", "event"),
    ("skilling:event_cancel", "event"),
]


@pytest.mark.parametrize(("name", "arg"), POSTS)
def test_anonymous_cannot_post(client, objects, name, arg):
    response = client.post(url_for(name, arg, objects))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "arg"), POSTS)
def test_state_changes_refuse_get(client, employee, objects, name, arg):
    client.force_login(employee)
    assert client.get(url_for(name, arg, objects)).status_code == 405


def test_champion_sees_only_their_own_department(client, champion, other_department):
    client.force_login(champion)
    own = client.get(reverse("skilling:coverage"))
    assert own.status_code == 200
    assert own.context["report"].name == "Finance"
    assert own.context["departments"] == [champion.department]

    other = client.get(reverse("skilling:coverage"), {"department": other_department.code})
    assert other.status_code == 403
    csv = client.get(reverse("skilling:coverage_csv"), {"department": other_department.code})
    assert csv.status_code == 403


def test_champion_of_another_department_cannot_see_ours(client, department, other_department):
    from coe_portal.roles import Role
    from tests.factories import UserFactory

    marketing_champion = UserFactory(department=other_department, roles=[Role.CHAMPION])
    client.force_login(marketing_champion)
    response = client.get(reverse("skilling:coverage"), {"department": department.code})
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["leader", "reviewer", "coe_admin"])
def test_leadership_and_coe_see_every_department(
    client, request, department, other_department, who
):
    client.force_login(request.getfixturevalue(who))
    for code in ["all", department.code, other_department.code]:
        assert client.get(reverse("skilling:coverage"), {"department": code}).status_code == 200


def test_retired_resources_are_hidden_except_from_admins_and_their_learners(
    client, employee, colleague, coe_admin
):
    retired = LearningResourceFactory(status="retired")
    EnrolmentFactory(user=colleague, resource=retired)
    url = reverse("skilling:resource_detail", args=[retired.pk])

    client.force_login(employee)
    assert client.get(url).status_code == 404
    client.force_login(colleague)
    assert client.get(url).status_code == 200
    client.force_login(coe_admin)
    assert client.get(url).status_code == 200


# --- API ---------------------------------------------------------------------------------

API_READ = [
    "/api/v1/skills/",
    "/api/v1/adoption-roles/",
    "/api/v1/learning-resources/",
    "/api/v1/learning-paths/",
    "/api/v1/learning-events/",
    "/api/v1/enrolments/",
    "/api/v1/learner-profiles/me/",
]


@pytest.mark.parametrize("url", [*API_READ, "/api/v1/skills-coverage/"])
def test_api_needs_login(client, url):
    assert client.get(url).status_code in (401, 403)


@pytest.mark.parametrize("url", API_READ)
@pytest.mark.parametrize("who", list(EVERYONE))
def test_api_catalogs_are_readable_by_everyone(client, request, objects, url, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 200


CATALOG_WRITES = [
    ("/api/v1/skills/", {"name": "Agents", "slug": "agents", "category": "building"}),
    ("/api/v1/adoption-roles/", {"name": "AI tester", "slug": "ai-tester", "summary": "Tests.",
                                 "responsibilities": "Tests", "skills": []}),
    ("/api/v1/learning-resources/", {"title": "New", "kind": "video", "provider": "external",
                                     "url": "https://v.example.com/1", "level": 1,
                                     "duration_minutes": 5, "skills": ["prompting"]}),
    ("/api/v1/learning-events/", {"title": "Office hours", "kind": "office_hours",
                                  "starts_at": "2099-01-01T10:00:00Z",
                                  "ends_at": "2099-01-01T11:00:00Z", "location": "Room 1",
                                  "capacity": 5}),
]  # fmt: skip


@pytest.mark.parametrize(("url", "payload"), CATALOG_WRITES)
@pytest.mark.parametrize(
    ("who", "status"), [*((w, 403) for w in EVERYONE if w != "coe_admin"), ("coe_admin", 201)]
)
def test_api_only_admins_write_catalogs(client, request, url, payload, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.post(url, payload, content_type="application/json")
    assert response.status_code == status, response.content


@pytest.mark.parametrize(("who", "status"), COVERAGE.items())
def test_api_coverage_per_role(client, request, department, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/api/v1/skills-coverage/").status_code == status
    assert client.get(f"/api/v1/skills-coverage/{department.code}/").status_code == status


def test_api_champion_gets_own_department_and_total_only(client, champion, other_department):
    client.force_login(champion)
    body = client.get("/api/v1/skills-coverage/").json()
    assert [d["department"] for d in body] == ["finance", None]
    assert client.get(f"/api/v1/skills-coverage/{other_department.code}/").status_code == 403


def test_api_enrolments_are_private(client, employee, colleague, coe_admin):
    mine = EnrolmentFactory(user=employee)
    theirs = EnrolmentFactory(user=colleague)

    client.force_login(employee)
    ids = [e["id"] for e in client.get("/api/v1/enrolments/").json()["results"]]
    assert ids == [mine.pk]
    assert client.get(f"/api/v1/enrolments/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/enrolments/{theirs.pk}/complete/").status_code == 404

    client.force_login(coe_admin)
    assert client.get(f"/api/v1/enrolments/{theirs.pk}/").status_code == 200
    # Admins read everyone's learning but change only their own.
    assert client.post(f"/api/v1/enrolments/{theirs.pk}/complete/").status_code == 403
