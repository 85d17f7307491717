"""The catalog and coverage pages' shared parts (coe_portal.pagecache): rendered once for
everyone who sees the same, fresh after every change made through the logic functions, and
never showing one person's enrolments or one audience's departments to anyone else."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coe_portal import pagecache
from coe_portal.roles import Role
from skilling import enrolments, imports, paths
from skilling.catalog import LEARNING
from skilling.models import Enrolment
from tests.factories import UserFactory
from tests.skilling.factories import (
    AdoptionRoleFactory,
    LearningResourceFactory,
    RoleSkillFactory,
    SkillFactory,
    completed,
    path_for,
    profile,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _get(client, user, url: str, **headers) -> tuple[str, list[str]]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def _cell(body: str, resource) -> str:
    """The enrolment cell of ``resource``'s card."""
    start = body.index(f'id="resource-{resource.pk}-status"')
    return body[start : body.index("</div>", start)]


def _csrf(body: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', body))


@pytest.fixture
def resources():
    skill = SkillFactory(name="Prompting", slug="prompting")
    return [LearningResourceFactory(title=f"Prompt clinic {i}", skills=[skill]) for i in range(3)]


# --- the catalog -------------------------------------------------------------------------


def test_a_second_person_does_not_rerun_the_catalog_queries(
    client, employee, colleague, outsider, resources
):
    url = "/learning/?q=prompt"
    first, first_queries = _get(client, employee, url)
    assert "Prompt clinic 2" in first
    for person in (colleague, outsider):
        body, queries = _get(client, person, url)
        assert not [q for q in queries if '"skilling_learningresource"' in q.split("WHERE")[0]]
        assert not [q for q in queries if '"skilling_skill"' in q]
        # The person, their roles, their counts in the navigation (cached after their first
        # page) and their enrolments in the resources shown: no count, list or filter query.
        assert len(queries) <= 4 < len(first_queries)
        assert body.split('id="results"')[1].replace(next(iter(_csrf(body))), "") == first.split(
            'id="results"'
        )[1].replace(next(iter(_csrf(first))), "")


def test_the_htmx_results_come_from_the_same_shared_part(client, employee, colleague, resources):
    page, _ = _get(client, employee, "/learning/?q=prompt")
    fragment, queries = _get(client, colleague, "/learning/?q=prompt", **HTMX)
    assert fragment.lstrip().startswith('<div id="results"')
    assert "<html" not in fragment
    assert fragment.count("Enrol</button>") == page.count("Enrol</button>") == 3
    assert len(queries) <= 4


def test_each_person_sees_only_their_own_enrolment_cells(client, employee, colleague, resources):
    first, second, third = resources
    Enrolment.objects.create(user=employee, resource=first)
    completed(colleague, second)

    mine, _ = _get(client, employee, "/learning/?q=prompt")
    theirs, _ = _get(client, colleague, "/learning/?q=prompt")

    assert "Enrolled" in _cell(mine, first) and "Enrol</button>" in _cell(mine, second)
    assert "Enrol</button>" in _cell(theirs, first) and "Completed" in _cell(theirs, second)
    assert "Enrolled" not in theirs and "Completed" not in mine
    for body in (mine, theirs):
        assert f"/learning/resources/{third.pk}/enrol/" in _cell(body, third)
    # Each person's own CSRF token, never the other's.
    assert _csrf(mine) and _csrf(theirs) and not _csrf(mine) & _csrf(theirs)


def test_no_enrolment_or_csrf_token_is_kept_in_the_shared_part(client, employee, resources):
    Enrolment.objects.create(user=employee, resource=resources[0])
    body, _ = _get(client, employee, "/learning/?q=prompt")
    part = cache.get(pagecache.key("learning-catalog", "q=prompt", topics=[LEARNING]) + ":results")
    assert part and "Prompt clinic 0" in part
    assert "csrfmiddlewaretoken" not in part
    assert "Enrolled" not in part and "Enrol</button>" not in part
    assert "Enrolled" in body


def test_an_enrolment_shows_at_once(client, employee, colleague, resources):
    _get(client, employee, "/learning/?q=prompt")
    enrolments.enrol(resources[1], actor=employee)
    mine, _ = _get(client, employee, "/learning/?q=prompt")
    theirs, _ = _get(client, colleague, "/learning/?q=prompt")
    assert "Enrolled" in _cell(mine, resources[1])
    assert "Enrolled" not in theirs


def test_a_new_or_edited_resource_shows_at_once(client, employee, coe_admin, resources):
    skill = resources[0].skills.get()
    before, _ = _get(client, employee, "/learning/?q=prompt")
    assert "Prompt lab" not in before

    data = {
        "title": "Prompt lab", "description": "", "kind": "lab", "provider": "internal",
        "provider_name": "CoE", "url": "https://learn.example.com/prompt-lab", "level": 2,
        "duration_minutes": 120, "language": "en", "skills": [skill.pk], "status": "active",
    }  # fmt: skip
    client.force_login(coe_admin)
    assert client.post(reverse("skilling:resource_create"), data).status_code == 302
    body, _ = _get(client, employee, "/learning/?q=prompt")
    assert "Prompt lab" in body

    client.force_login(coe_admin)
    response = client.patch(
        f"/api/v1/learning-resources/{resources[0].pk}/",
        {"title": "Prompt clinic, renamed"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body, _ = _get(client, employee, "/learning/?q=prompt")
    assert "Prompt clinic, renamed" in body

    client.force_login(coe_admin)
    edit = {**data, "status": "retired"}
    client.post(reverse("skilling:resource_edit", args=[resources[1].pk]), edit | {
        "title": resources[1].title, "url": resources[1].url
    })  # fmt: skip
    body, _ = _get(client, employee, "/learning/?q=prompt")
    assert resources[1].title not in body.split('id="results"')[1]


def test_an_import_shows_at_once(client, employee, coe_admin, resources):
    _get(client, employee, "/learning/?q=prompt")
    row = "Prompt import,course,https://learn.example.com/prompt-import,foundation,90,prompting"
    text = f"{','.join(imports.TEMPLATE_HEADER[:6])}\n{row}\n"
    staged, result = imports.stage_upload(text.encode(), "new.csv", actor=coe_admin)
    assert staged is not None, [r.errors for r in result.error_rows] + result.file_errors
    imports.confirm_import(staged, actor=coe_admin)
    body, _ = _get(client, employee, "/learning/?q=prompt")
    assert "Prompt import" in body


def test_the_role_filter_follows_a_changed_path(client, employee, coe_admin, resources):
    role = AdoptionRoleFactory(slug="prompter", name="Prompter")
    RoleSkillFactory(role=role, skill=SkillFactory())
    other = LearningResourceFactory(title="Unrelated course")
    before, _ = _get(client, employee, "/learning/?role=prompter")
    assert "Unrelated course" not in before

    paths.add_step(paths.path_with_steps(role), other, actor=coe_admin)
    body, _ = _get(client, employee, "/learning/?role=prompter")
    assert "Unrelated course" in body


# --- coverage ----------------------------------------------------------------------------


@pytest.fixture
def coverage_world(department, other_department):
    role = AdoptionRoleFactory(slug="cov-role", name="Coverage role", position=0)
    skill = SkillFactory(name="Coverage skill")
    RoleSkillFactory(role=role, skill=skill, level=2)
    resource = LearningResourceFactory(skills=[skill], level=2)
    path_for(role, [resource])
    finance = [UserFactory(department=department) for _ in range(3)]
    for person in finance:
        profile(person, current=role)
    for _ in range(2):
        profile(UserFactory(department=other_department), target=role)
    return {"role": role, "resource": resource, "finance": finance}


@pytest.mark.parametrize("first", ["leader", "champion"])
@pytest.mark.parametrize("query", ["", "?department=all"])
def test_coverage_scopes_do_not_leak_between_a_champion_and_a_leader(
    client, first, query, leader, champion, coverage_world
):
    people = {"leader": leader, "champion": champion}
    order = [first, *(name for name in people if name != first)]
    seen = {name: _get(client, people[name], f"/learning/coverage/{query}")[0] for name in order}
    assert "Marketing" in seen["leader"]
    assert "Marketing" not in seen["champion"]
    assert "Finance" in seen["champion"]


def test_a_champion_cannot_reach_a_department_a_leader_has_cached(
    client, leader, champion, coverage_world
):
    _get(client, leader, "/learning/coverage/?department=marketing")
    client.force_login(champion)
    assert client.get("/learning/coverage/?department=marketing").status_code == 403
    assert client.get("/learning/coverage/?department=marketing", **HTMX).status_code == 403


def test_an_employee_cannot_see_coverage_a_leader_has_cached(
    client, leader, employee, coverage_world
):
    _get(client, leader, "/learning/coverage/")
    client.force_login(employee)
    assert client.get("/learning/coverage/").status_code == 403


def test_coverage_is_rendered_once_for_everyone_who_sees_all_departments(
    client, leader, reviewer, coverage_world
):
    first, first_queries = _get(client, leader, "/learning/coverage/")
    body, queries = _get(client, reviewer, "/learning/coverage/")
    # Only the person, their roles and their navigation counts: no departments, people,
    # profiles or enrolments.
    assert not [q for q in queries if "skilling_" in q or '"coe_portal_department"' in q]
    assert len(queries) <= 3 < len(first_queries)
    assert body.split('id="report"')[1] == first.split('id="report"')[1]
    fragment, _ = _get(client, reviewer, "/learning/coverage/", **HTMX)
    assert fragment.lstrip().startswith('<div id="report"')


def test_a_change_shows_on_the_shared_coverage_at_once(
    client, leader, champion, coverage_world, django_capture_on_commit_callbacks
):
    holding = '<td class="num">3</td>'
    assert holding in _get(client, leader, "/learning/coverage/?department=finance")[0]
    assert "Completed path" in _get(client, champion, "/learning/coverage/")[0]

    newcomer = UserFactory(department=champion.department)
    with django_capture_on_commit_callbacks(execute=True):
        enrolments.set_roles(actor=newcomer, current_role=coverage_world["role"], target_role=None)
        enrolments.complete(coverage_world["resource"], actor=coverage_world["finance"][0])

    for person, url in ((leader, "/learning/coverage/?department=finance"),
                        (champion, "/learning/coverage/")):  # fmt: skip
        body, _ = _get(client, person, url)
        assert '<td class="num">4</td>' in body
        assert '<td class="num">1 / 4</td>' in body  # one of four learners completed the path


def test_the_coverage_csv_and_api_still_answer(client, leader, champion, coverage_world):
    _get(client, leader, "/learning/coverage/")
    client.force_login(leader)
    csv = client.get("/learning/coverage/export.csv?department=all").content.decode("utf-8-sig")
    assert "Marketing" in csv and "Finance" in csv
    client.force_login(champion)
    api = client.get("/api/v1/skills-coverage/").json()
    assert [row["department"] for row in api] == ["finance", None]


def test_a_champion_without_department_shares_nothing_with_one_who_has(
    client, champion, coverage_world
):
    lost = UserFactory(department=None, roles=[Role.CHAMPION])
    _get(client, champion, "/learning/coverage/")
    body, _ = _get(client, lost, "/learning/coverage/")
    assert "No department set" in body and "Coverage role" not in body
