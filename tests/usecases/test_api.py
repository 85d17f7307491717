"""/api/v1/use-cases/: the same rules as the pages."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import UseCaseFactory
from usecases.models import Endorsement, UseCase

pytestmark = pytest.mark.django_db
URL = "/api/v1/use-cases/"


@pytest.fixture
def api():
    return APIClient()


def test_anonymous_is_refused(api):
    assert api.get(URL).status_code == 401


def test_list_uses_visible_to_and_filters(api, employee, outsider):
    UseCaseFactory(owner=outsider, title="Hidden draft")
    UseCaseFactory(owner=outsider, status="submitted", confidential=True, title="Hidden secret")
    UseCaseFactory(owner=outsider, status="submitted", title="Open one", category="other")
    UseCaseFactory(owner=outsider, status="approved", title="Approved one")
    api.force_authenticate(employee)
    titles = {row["title"] for row in api.get(URL).json()["results"]}
    assert titles == {"Open one", "Approved one"}
    filtered = api.get(URL, {"status": "approved"}).json()["results"]
    assert [row["title"] for row in filtered] == ["Approved one"]
    assert [r["title"] for r in api.get(URL, {"category": "other"}).json()["results"]] == [
        "Open one"
    ]


def test_invisible_detail_is_404(api, employee, outsider):
    secret = UseCaseFactory(owner=outsider, status="submitted", confidential=True)
    api.force_authenticate(employee)
    assert api.get(f"{URL}{secret.pk}/").status_code == 404


def test_create_update_and_submit(api, employee):
    api.force_authenticate(employee)
    response = api.post(
        URL, {"title": "An API draft idea", "team_roles": ["llm-engineer"]}, format="json"
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    use_case = UseCase.objects.get(pk=pk)
    assert use_case.owner == employee and use_case.department == employee.department
    assert response.json()["missing_answers"]

    response = api.post(f"{URL}{pk}/transition/", {"target": "submitted"}, format="json")
    assert response.status_code == 400 and "missing" in response.json()

    answers = {
        "problem": "p", "solution": "s", "category": "other", "business_sponsor": "b",
        "intended_users": "u", "reach": 3, "benefits": "b", "success_measure": "m",
        "data_used": "d", "data_sensitivity": "public", "effort": "S", "data_readiness": 3,
        "platform_other": "x",
    }  # fmt: skip
    assert api.patch(f"{URL}{pk}/", answers, format="json").status_code == 200
    response = api.post(f"{URL}{pk}/transition/", {"target": "submitted"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    # Submitted: the owner may no longer edit.
    assert api.patch(f"{URL}{pk}/", {"title": "Changed title"}, format="json").status_code == 403


def test_others_cannot_update(api, employee, colleague):
    use_case = UseCaseFactory(owner=employee, status="submitted")
    api.force_authenticate(colleague)
    assert (
        api.patch(f"{URL}{use_case.pk}/", {"title": "Mine now"}, format="json").status_code == 403
    )


def test_reviewer_lifecycle_and_transitions_list(api, employee, reviewer):
    use_case = UseCaseFactory(owner=employee, status="submitted")
    api.force_authenticate(reviewer)
    targets = {t["target"] for t in api.get(f"{URL}{use_case.pk}/transitions/").json()}
    assert targets == {"triage", "rejected"}
    response = api.post(f"{URL}{use_case.pk}/transition/", {"target": "rejected"}, format="json")
    assert response.status_code == 400 and "note" in response.json()["detail"]


def test_comments_and_endorsements(api, employee, colleague):
    use_case = UseCaseFactory(owner=employee, status="submitted")
    api.force_authenticate(colleague)
    assert (
        api.post(f"{URL}{use_case.pk}/comments/", {"body": "Yes please"}, format="json").status_code
        == 201
    )
    assert [c["body"] for c in api.get(f"{URL}{use_case.pk}/comments/").json()] == ["Yes please"]
    assert api.post(f"{URL}{use_case.pk}/endorsement/").json() == {
        "endorsed": True,
        "endorsement_count": 1,
    }
    # Endorsing twice keeps one endorsement.
    assert api.post(f"{URL}{use_case.pk}/endorsement/").json()["endorsement_count"] == 1
    assert Endorsement.objects.count() == 1
    assert api.delete(f"{URL}{use_case.pk}/endorsement/").json()["endorsement_count"] == 0


def test_mark_duplicate_needs_staff(api, employee, colleague, reviewer):
    original = UseCaseFactory(owner=colleague, status="submitted")
    duplicate = UseCaseFactory(owner=employee, status="submitted")
    api.force_authenticate(colleague)
    url = f"{URL}{duplicate.pk}/mark-duplicate/"
    assert api.post(url, {"original": original.pk}, format="json").status_code == 403
    api.force_authenticate(reviewer)
    response = api.post(url, {"original": original.pk}, format="json")
    assert response.status_code == 200 and response.json()["duplicate_of"] == original.pk


def test_schema_documents_the_endpoints(api, employee):
    api.force_authenticate(employee)
    response = api.get("/api/v1/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in (
        "/api/v1/use-cases/",
        "/api/v1/use-cases/{id}/transition/",
        "/api/v1/use-cases/{id}/comments/",
    ):
        assert path in text


@pytest.mark.parametrize("rows", [3, 30])
def test_api_list_query_count_is_flat(api, employee, outsider, rows, django_assert_max_num_queries):
    for i in range(rows):
        UseCaseFactory(owner=outsider, status="submitted", title=f"Row {i}")
    api.force_authenticate(employee)
    with django_assert_max_num_queries(6):
        assert api.get(URL).status_code == 200
