"""The pages: what they show, what their forms do, htmx partials and query counts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from skilling import events
from skilling.choices import EnrolmentStatus, RegistrationStatus
from skilling.models import (
    AdoptionRole,
    Enrolment,
    Event,
    EventRegistration,
    LearnerProfile,
    LearningResource,
    PathStep,
    Skill,
)
from tests.factories import UserFactory
from tests.skilling.factories import (
    AdoptionRoleFactory,
    EventFactory,
    LearningResourceFactory,
    RoleSkillFactory,
    SkillFactory,
    completed,
    path_for,
    profile,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def catalog_data():
    rag = SkillFactory(name="Retrieval", slug="retrieval")
    sec = SkillFactory(name="Security", slug="security")
    role = AdoptionRoleFactory(slug="builder", name="Builder")
    RoleSkillFactory(role=role, skill=rag, level=2)
    rag_lab = LearningResourceFactory(
        title="RAG lab", kind="lab", skills=[rag], level=2, duration_minutes=480
    )
    sec_video = LearningResourceFactory(
        title="Injection explained", kind="video", skills=[sec], duration_minutes=20
    )
    retired = LearningResourceFactory(title="Old RAG course", skills=[rag], status="retired")
    other = LearningResourceFactory(
        title="Security workshop", kind="workshop", skills=[sec], level=3, duration_minutes=180
    )
    path_for(role, [sec_video])  # on the role's path though it covers another skill
    return {"rag_lab": rag_lab, "sec_video": sec_video, "retired": retired, "other": other}


def titles(response):
    return [resource.title for resource in response.context["page"]]


# --- catalog -----------------------------------------------------------------------------

FILTERS = [
    ({}, None),  # everything active
    ({"skill": "retrieval"}, ["RAG lab"]),
    ({"role": "builder"}, ["Injection explained", "RAG lab"]),
    ({"kind": "video"}, ["Injection explained"]),
    ({"level": "3"}, ["Security workshop"]),
    ({"duration": "short"}, ["Injection explained"]),
    ({"duration": "hours"}, ["Security workshop"]),
    ({"duration": "days"}, ["RAG lab"]),
    ({"q": "injection"}, ["Injection explained"]),
    ({"skill": "security", "kind": "workshop"}, ["Security workshop"]),
]


@pytest.mark.parametrize(("params", "expected"), FILTERS)
def test_catalog_filters(client, employee, catalog_data, params, expected):
    client.force_login(employee)
    response = client.get(reverse("skilling:catalog"), params)
    found = titles(response)
    if expected is None:
        assert "Old RAG course" not in found
        assert {"RAG lab", "Injection explained", "Security workshop"} <= set(found)
    else:
        assert found == expected


def test_catalog_htmx_request_gets_only_the_results(client, employee, catalog_data):
    client.force_login(employee)
    response = client.get(reverse("skilling:catalog"), {"skill": "retrieval"}, **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert "RAG lab" in body
    assert response["Vary"].count("HX-Request") == 1


def test_catalog_history_restore_gets_the_whole_page(client, employee, catalog_data):
    client.force_login(employee)
    response = client.get(
        reverse("skilling:catalog"), **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_catalog_links_keep_the_filters_when_paging(client, employee):
    skill = SkillFactory(slug="paged")
    for i in range(25):
        LearningResourceFactory(title=f"Paged {i:02}", skills=[skill])
    client.force_login(employee)
    body = client.get(reverse("skilling:catalog"), {"skill": "paged"}).content.decode()
    assert 'href="?skill=paged&amp;page=2"' in body
    assert 'hx-get="?skill=paged&amp;page=2"' in body


def test_enrol_from_the_catalog_with_htmx_swaps_the_row(client, employee, catalog_data):
    client.force_login(employee)
    resource = catalog_data["rag_lab"]
    response = client.post(reverse("skilling:resource_enrol", args=[resource.pk]), **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith(
        f'<div class="resource-action" id="resource-{resource.pk}-status"'
    )
    assert "Added to My learning" in body
    assert Enrolment.objects.filter(user=employee, resource=resource).exists()


def test_enrol_without_javascript_redirects_back_with_a_message(client, employee, catalog_data):
    client.force_login(employee)
    resource = catalog_data["rag_lab"]
    response = client.post(
        reverse("skilling:resource_enrol", args=[resource.pk]),
        {"next": "/learning/?skill=retrieval"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/learning/?skill=retrieval"
    assert "You are enrolled" in response.content.decode()


def test_enrol_ignores_a_next_address_on_another_site(client, employee, catalog_data):
    client.force_login(employee)
    resource = catalog_data["rag_lab"]
    response = client.post(
        reverse("skilling:resource_enrol", args=[resource.pk]),
        {"next": "https://evil.example.com/"},
    )
    assert response["Location"] == resource.get_absolute_url()


def test_progress_and_completion_from_the_resource_page(client, employee, catalog_data):
    client.force_login(employee)
    resource = catalog_data["rag_lab"]
    client.post(reverse("skilling:resource_enrol", args=[resource.pk]))
    client.post(reverse("skilling:resource_progress", args=[resource.pk]), {"progress": "40"})
    assert Enrolment.objects.get(user=employee).progress == 40

    bad = client.post(
        reverse("skilling:resource_complete", args=[resource.pk]),
        {"evidence_url": "not a url"},
        follow=True,
    )
    assert "Evidence link: Enter a valid URL." in bad.content.decode()
    assert Enrolment.objects.get(user=employee).status == EnrolmentStatus.IN_PROGRESS

    client.post(
        reverse("skilling:resource_complete", args=[resource.pk]),
        {"evidence_url": "badges.example.com/42"},
    )
    enrolment = Enrolment.objects.get(user=employee)
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert enrolment.evidence_url == "https://badges.example.com/42"


def test_retired_resource_cannot_be_enrolled_in(client, coe_admin, catalog_data):
    client.force_login(coe_admin)
    response = client.post(
        reverse("skilling:resource_enrol", args=[catalog_data["retired"].pk]), follow=True
    )
    assert "retired" in response.content.decode()
    assert not Enrolment.objects.exists()


# --- my learning and roles ---------------------------------------------------------------


def test_my_learning_shows_path_progress_recommendations_and_events(client, employee, catalog_data):
    role = AdoptionRole.objects.get(slug="builder")
    profile(employee, target=role)
    completed(employee, catalog_data["sec_video"])  # the path's only step
    waiting_event = EventFactory(title="Full workshop", capacity=1)
    events.register_for_event(waiting_event.pk, actor=UserFactory())
    events.register_for_event(waiting_event.pk, actor=employee)
    client.force_login(employee)

    body = client.get(reverse("skilling:my_learning")).content.decode()

    assert "1 of 1 step · 100 %" in body
    assert "Retrieval" in body and "RAG lab" in body  # the gap and its resource
    assert "Full workshop" in body and "Waiting list · number 1" in body


def test_my_learning_asks_for_a_target_role_first(client, employee):
    client.force_login(employee)
    assert "Choose a target role" in client.get(reverse("skilling:my_learning")).content.decode()


def test_my_roles_form_saves_and_validates(client, employee):
    a, b = AdoptionRoleFactory(), AdoptionRoleFactory()
    client.force_login(employee)

    same = client.post(reverse("skilling:my_roles"), {"current_role": a.pk, "target_role": a.pk})
    assert "the role you already hold" in same.content.decode()
    assert not LearnerProfile.objects.filter(user=employee).exists()

    client.post(reverse("skilling:my_roles"), {"current_role": a.pk, "target_role": b.pk})
    saved = LearnerProfile.objects.get(user=employee)
    assert (saved.current_role, saved.target_role) == (a, b)


def test_role_page_shows_path_steps_and_progress(client, employee, catalog_data):
    completed(employee, catalog_data["sec_video"])
    client.force_login(employee)
    response = client.get(reverse("skilling:role_path", args=["builder"]))
    body = response.content.decode()
    assert "Injection explained" in body
    assert "1 of 1 step · 100 %" in body
    assert response.context["requirements"][0][1] == 0  # Retrieval not held yet


def test_make_this_my_target_role(client, employee, catalog_data):
    client.force_login(employee)
    client.post(reverse("skilling:role_target", args=["builder"]))
    assert LearnerProfile.objects.get(user=employee).target_role.slug == "builder"


def test_unknown_role_is_404(client, employee):
    client.force_login(employee)
    assert client.get(reverse("skilling:role_path", args=["no-such-role"])).status_code == 404


# --- events ------------------------------------------------------------------------------


def test_register_for_a_full_event_puts_you_on_the_waiting_list(client, employee, colleague):
    event = EventFactory(capacity=1)
    events.register_for_event(event.pk, actor=colleague)
    client.force_login(employee)

    page = client.get(reverse("skilling:event_detail", args=[event.pk])).content.decode()
    assert "Join the waiting list" in page
    response = client.post(reverse("skilling:event_register", args=[event.pk]), follow=True)
    assert "you are number 1 on the waiting list" in response.content.decode()
    assert EventRegistration.objects.get(user=employee).status == RegistrationStatus.WAITLISTED

    client.post(reverse("skilling:event_cancel", args=[event.pk]))
    assert EventRegistration.objects.get(user=employee).status == RegistrationStatus.CANCELLED


def test_online_link_only_for_people_with_a_seat(client, employee, colleague):
    event = EventFactory(capacity=1, online_url="https://meet.example.com/secret")
    events.register_for_event(event.pk, actor=colleague)
    url = reverse("skilling:event_detail", args=[event.pk])

    client.force_login(employee)
    assert "meet.example.com/secret" not in client.get(url).content.decode()
    client.force_login(colleague)
    assert "meet.example.com/secret" in client.get(url).content.decode()


def test_event_list_upcoming_and_past(client, employee):
    EventFactory(title="Next week")
    past = timezone.now() - timedelta(days=3)
    EventFactory(title="Last week", starts_at=past, ends_at=past + timedelta(hours=1))
    client.force_login(employee)

    upcoming = client.get(reverse("skilling:event_list")).content.decode()
    assert "Next week" in upcoming and "Last week" not in upcoming
    history = client.get(reverse("skilling:event_list"), {"when": "past"}).content.decode()
    assert "Last week" in history and "Next week" not in history


# --- coverage ----------------------------------------------------------------------------


@pytest.fixture
def coverage_data(department):
    role = AdoptionRoleFactory(slug="cov-role", name="Coverage role", position=0)
    skill = SkillFactory(name="Coverage skill")
    RoleSkillFactory(role=role, skill=skill, level=2)
    path_for(role, [LearningResourceFactory(skills=[skill], level=2)])
    for _ in range(3):
        profile(UserFactory(department=department), current=role)
    return role


def test_coverage_page_has_table_chart_and_gaps(client, champion, coverage_data):
    client.force_login(champion)
    body = client.get(reverse("skilling:coverage")).content.decode()
    assert "<svg" in body and "bar-holding" in body
    assert "Coverage role" in body
    assert "Coverage skill" in body  # 3 of 3 below the level needed


def test_coverage_htmx_swaps_the_report(client, leader, department, coverage_data):
    client.force_login(leader)
    response = client.get(reverse("skilling:coverage"), {"department": department.code}, **HTMX)
    assert response.content.decode().lstrip().startswith('<div id="report"')


def test_coverage_csv_downloads(client, leader, department, other_department, coverage_data):
    client.force_login(leader)
    response = client.get(reverse("skilling:coverage_csv"), {"department": "all"})
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="coverage-roles-all-departments.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    finance = next(r for r in rows if r["department"] == "Finance" and r["role"] == "Coverage role")
    assert (finance["holding"], finance["path_completion_percent"]) == ("3", "0")
    assert {r["department"] for r in rows} == {"Finance", "Marketing", "All departments"}

    skills = client.get(
        reverse("skilling:coverage_csv"), {"department": department.code, "table": "skills"}
    )
    rows = list(csv.DictReader(io.StringIO(skills.content.decode("utf-8-sig"))))
    assert rows == [
        {"department": "Finance", "skill": "Coverage skill", "category": "Building with AI",
         "needed_by": "3", "below_level": "3", "gap_percent": "100"}
    ]  # fmt: skip


def test_coverage_of_every_department_is_paged_25_at_a_time(client, leader):
    from tests.factories import DepartmentFactory

    names = sorted(DepartmentFactory(name=f"Paged department {i:02}").name for i in range(30))
    client.force_login(leader)
    # The department picker above lists them all; the table comes after its heading.
    first, second = (
        client.get(reverse("skilling:coverage"), params)
        .content.decode()
        .split("By department</h3>")[1]
        for params in ({}, {"page": 2})
    )
    assert names[0] in first and names[-1] not in first
    assert names[-1] in second and names[0] not in second
    assert "Page 1 of 2" in first and "?page=2" in first


def test_csv_cells_cannot_start_formulas(client, leader, department):
    AdoptionRoleFactory(name="=HYPERLINK(1)", slug="formula")
    client.force_login(leader)
    text = client.get(
        reverse("skilling:coverage_csv"), {"department": department.code}
    ).content.decode()
    assert "'=HYPERLINK(1)" in text


def test_champion_without_department_gets_a_clear_page(client):
    from coe_portal.roles import Role

    nomad = UserFactory(department=None, roles=[Role.CHAMPION])
    client.force_login(nomad)
    assert "No department set" in client.get(reverse("skilling:coverage")).content.decode()


# --- catalog admin -----------------------------------------------------------------------


def test_admin_creates_and_retires_a_resource(client, coe_admin):
    skill = SkillFactory()
    client.force_login(coe_admin)
    data = {
        "title": "New lab", "description": "", "kind": "lab", "provider": "internal",
        "provider_name": "CoE", "url": "https://learn.example.com/new-lab", "level": 2,
        "duration_minutes": 120, "language": "en", "skills": [skill.pk], "status": "active",
    }  # fmt: skip
    assert client.post(reverse("skilling:resource_create"), data).status_code == 302
    resource = LearningResource.objects.get(title="New lab")

    client.post(
        reverse("skilling:resource_edit", args=[resource.pk]), {**data, "status": "retired"}
    )
    resource.refresh_from_db()
    assert resource.status == "retired"


def test_resource_form_needs_a_skill_and_a_unique_link(client, coe_admin):
    LearningResourceFactory(url="https://learn.example.com/taken")
    client.force_login(coe_admin)
    response = client.post(
        reverse("skilling:resource_create"),
        {"title": "X", "kind": "lab", "provider": "internal", "url": "https://learn.example.com/taken",
         "level": 1, "duration_minutes": 10, "language": "en", "status": "active"},
    )  # fmt: skip
    body = response.content.decode()
    assert "Pick at least one skill" in body
    assert "Another resource already has this link." in body


def test_admin_creates_a_skill_with_a_slug_from_its_name(client, coe_admin):
    client.force_login(coe_admin)
    client.post(reverse("skilling:skill_create"), {"name": "Agent design", "category": "building"})
    assert Skill.objects.filter(slug="agent-design").exists()


def test_admin_edits_a_role_and_its_skills(client, coe_admin):
    a, b = SkillFactory(), SkillFactory()
    client.force_login(coe_admin)
    data = {
        "name": "AI tester", "slug": "", "summary": "Tests AI.", "responsibilities": "Tests",
        "position": 5,
        "skills-TOTAL_FORMS": 3, "skills-INITIAL_FORMS": 0,
        "skills-0-skill": a.pk, "skills-0-level": 2,
        "skills-1-skill": b.pk, "skills-1-level": 3,
        "skills-2-skill": "", "skills-2-level": 1,
    }  # fmt: skip
    assert client.post(reverse("skilling:role_create"), data).status_code == 302
    role = AdoptionRole.objects.get(slug="ai-tester")
    assert sorted(role.requirements.values_list("level", flat=True)) == [2, 3]
    assert hasattr(role, "path")

    twice = {**data, "skills-1-skill": a.pk}
    response = client.post(reverse("skilling:role_edit", args=[role.slug]), twice)
    assert "Please correct the duplicate data for skill." in response.content.decode()


def test_admin_builds_a_path(client, coe_admin):
    role = AdoptionRoleFactory()
    first, second = LearningResourceFactory(title="First"), LearningResourceFactory(title="Second")
    path_url = reverse("skilling:path_edit", args=[role.slug])
    client.force_login(coe_admin)

    for resource in (first, second):
        client.post(path_url, {"action": "add", "resource": resource.pk, "note": ""})
    again = client.post(path_url, {"action": "add", "resource": first.pk})
    assert again.status_code == 200  # first is no longer offered
    steps = list(PathStep.objects.filter(path__role=role).order_by("position"))
    assert [(s.position, s.resource.title) for s in steps] == [(1, "First"), (2, "Second")]

    client.post(reverse("skilling:path_step_move", args=[steps[1].pk]), {"direction": "up"})
    order = PathStep.objects.filter(path__role=role).order_by("position")
    assert [s.resource.title for s in order] == ["Second", "First"]

    client.post(reverse("skilling:path_step_remove", args=[steps[1].pk]))
    assert [(s.position, s.resource.title) for s in PathStep.objects.filter(path__role=role)] == [
        (1, "First")
    ]


def test_admin_creates_an_event_and_cannot_shrink_it_below_its_seats(
    client, coe_admin, employee, colleague
):
    client.force_login(coe_admin)
    starts = timezone.localtime() + timedelta(days=5)
    data = {
        "title": "Office hours", "kind": "office_hours", "description": "",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "location": "", "online_url": "https://meet.example.com/x", "capacity": 2,
        "resource": "", "status": "scheduled",
    }  # fmt: skip
    assert client.post(reverse("skilling:event_create"), data).status_code == 302
    event = Event.objects.get(title="Office hours")
    assert event.created_by == coe_admin
    for person in (employee, colleague):
        events.register_for_event(event.pk, actor=person)

    response = client.post(reverse("skilling:event_edit", args=[event.pk]), {**data, "capacity": 1})
    assert "2 people already hold a seat" in response.content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"location": "", "online_url": ""}, "Give a place, an online link, or both."),
        ({"ends_at": "2000-01-01T10:00"}, "The event must end after it starts."),
        ({"starts_at": "2000-01-01T09:00"}, "Pick a time in the future."),
    ],
)
def test_event_form_validation(client, coe_admin, change, message):
    client.force_login(coe_admin)
    starts = timezone.localtime() + timedelta(days=5)
    data = {
        "title": "E", "kind": "workshop", "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "location": "Room", "capacity": 3, "status": "scheduled", **change,
    }  # fmt: skip
    response = client.post(reverse("skilling:event_create"), data)
    assert message in response.content.decode()
    assert not Event.objects.exists()


# --- query counts ------------------------------------------------------------------------


def make_rows(n, department):
    skill = SkillFactory()
    role = AdoptionRoleFactory()
    RoleSkillFactory(role=role, skill=skill, level=2)
    resources = [LearningResourceFactory(skills=[skill, SkillFactory()]) for _ in range(n)]
    path_for(role, resources[:3])
    for i in range(n):
        user = UserFactory(department=department)
        profile(user, current=role)
        completed(user, resources[i])
        event = EventFactory(capacity=1)
        events.register_for_event(event.pk, actor=user)
    return role, resources


@pytest.mark.parametrize("n", [3, 12])
@pytest.mark.parametrize(
    ("who", "url", "bound"),
    [
        ("employee", "skilling:catalog", 10),
        ("employee", "skilling:my_learning", 17),
        ("employee", "skilling:event_list", 6),
        ("employee", "skilling:role_list", 9),
        ("champion", "skilling:coverage", 12),
        ("leader", "skilling:coverage", 12),
        ("coe_admin", "skilling:manage_resources", 8),
    ],
)
def test_list_pages_run_a_bounded_number_of_queries(
    client, request, department, django_assert_max_num_queries, who, url, bound, n
):
    user = request.getfixturevalue(who)
    role, resources = make_rows(n, department)
    # The target role has a skill held below its level: recommendations have work to do.
    profile(user, current=AdoptionRoleFactory(), target=role)
    for resource in resources:
        completed(user, resource)
    client.force_login(user)
    with django_assert_max_num_queries(bound):
        assert client.get(reverse(url)).status_code == 200


def test_catalog_filters_have_readable_labels(client, employee):
    client.force_login(employee)
    body = client.get(reverse("skilling:catalog")).content.decode()
    for label in ["Search", "Skill", "Role", "Level", "Kind", "Duration", "Language", "Provider"]:
        assert f">{label}</label>" in body
    assert "[invalid name]" not in body


@pytest.mark.parametrize(
    "url", ["skilling:manage", "skilling:manage_roles", "skilling:manage_skills"]
)
def test_admin_pages_keep_the_admin_navigation(client, coe_admin, url):
    """Regression: a context variable named "roles" hid the admin's nav entries."""
    client.force_login(coe_admin)
    body = client.get(reverse(url)).content.decode()
    assert f'href="{reverse("skilling:manage")}"' in body
    assert f'href="{reverse("skilling:coverage")}"' in body
