"""The governance API: same permissions as the pages."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from coe_portal.roles import Role
from governance.models import Review
from governance.reviews import accept_for_review
from tests.factories import UseCaseFactory, UserFactory
from tests.governance.conftest import answer_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(request):
    def as_user(name):
        client = APIClient()
        if name != "anonymous":
            client.force_authenticate(request.getfixturevalue(name))
        return client

    return as_user


@pytest.fixture
def other_champion(other_department):
    return UserFactory(username="carl", department=other_department, roles=[Role.CHAMPION])


QUEUE = {"anonymous": 401, "employee": 403, "leader": 403, "other_champion": 200,
         "champion": 200, "reviewer": 200, "coe_admin": 200}  # fmt: skip


@pytest.mark.parametrize("who", QUEUE)
def test_queue_per_role(api, submitted, who):
    response = api(who).get("/api/v1/governance/queue/")
    assert response.status_code == QUEUE[who]
    if response.status_code == 200:
        ids = [row["id"] for row in response.json()["results"]]
        assert (submitted.pk in ids) == (who != "other_champion")


def test_accept_and_decide_through_the_api(api, submitted):
    client = api("reviewer")
    response = client.post(
        f"/api/v1/governance/queue/{submitted.pk}/accept/",
        {"expected_status": "submitted"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    for review in Review.objects.filter(use_case=submitted):
        answers = [{"id": pk, **a} for pk, a in answer_all(review).items()]
        response = client.post(
            f"/api/v1/governance/reviews/{review.pk}/decide/",
            {
                "outcome": "approve",
                "rationale": "Fine.",
                "version": review.version,
                "answers": answers,
            },
            format="json",
        )
        assert response.status_code == 200, response.json()
    register = client.get("/api/v1/governance/register/").json()["results"]
    assert [row["id"] for row in register] == [submitted.pk]


def test_a_stale_decision_is_a_conflict(api, submitted, reviewer):
    accept_for_review(submitted.pk, actor=reviewer)
    review = Review.objects.filter(use_case=submitted).first()
    payload = {"outcome": "reject", "rationale": "No.", "version": review.version}
    assert (
        api("reviewer")
        .post(f"/api/v1/governance/reviews/{review.pk}/decide/", payload, format="json")
        .status_code
        == 200
    )
    second = api("coe_admin").post(
        f"/api/v1/governance/reviews/{review.pk}/decide/", payload, format="json"
    )
    assert second.status_code == 409 and "already decided" in second.json()["detail"]


@pytest.mark.parametrize(("who", "code"), [("champion", 403), ("employee", 403), ("reviewer", 200)])
def test_risk_override_is_for_coe_staff(api, submitted, reviewer, who, code):
    accept_for_review(submitted.pk, actor=reviewer)
    pk = submitted.risk_assessment.pk
    response = api(who).post(
        f"/api/v1/governance/risk/{pk}/override/",
        {"tier": "high", "reason": "Board paper."},
        format="json",
    )
    assert response.status_code == code


@pytest.mark.parametrize(("who", "code"), [("reviewer", 403), ("leader", 403), ("coe_admin", 200)])
def test_platform_changes_are_for_admins(api, who, code):
    from coe_portal.models import AIPlatform

    platform = AIPlatform.objects.first()
    response = api(who).patch(
        f"/api/v1/governance/platforms/{platform.pk}/", {"status": "prohibited"}, format="json"
    )
    assert response.status_code == code
    assert api("employee").get("/api/v1/governance/platforms/").status_code == 200


def test_register_api_is_for_reviewers_admins_and_leadership(api, employee, outsider):
    UseCaseFactory(owner=employee, status="approved", confidential=True)
    assert api("outsider").get("/api/v1/governance/register/").status_code == 403
    assert api("employee").get("/api/v1/governance/register/").status_code == 403
    assert api("leader").get("/api/v1/governance/register/").json()["count"] == 1


def test_schema_builds(api):
    assert api("reviewer").get("/api/v1/schema/").status_code == 200


def test_employee_cannot_see_reviews_of_others_confidential_proposals(api, outsider, reviewer):
    secret = UseCaseFactory(
        owner=outsider, status="submitted", confidential=True, submitted_at=timezone.now()
    )
    accept_for_review(secret.pk, actor=reviewer)
    assert api("employee").get("/api/v1/governance/reviews/").json()["count"] == 0
    assert api("outsider").get("/api/v1/governance/reviews/").json()["count"] > 0


def test_other_employees_get_no_reviews_of_open_proposals(api, submitted, reviewer):
    accept_for_review(submitted.pk, actor=reviewer)
    assert api("colleague").get("/api/v1/governance/reviews/").json()["count"] == 0
    assert api("colleague").get("/api/v1/governance/risk/").json()["count"] == 0
    assert api("employee").get("/api/v1/governance/reviews/").json()["count"] == 3


def test_schema_admits_the_blank_outcome_of_an_undecided_review(api):
    schema = api("reviewer").get("/api/v1/schema/?format=json").json()

    outcome = schema["components"]["schemas"]["Review"]["properties"]["outcome"]
    choices = [ref["$ref"].rsplit("/", 1)[-1] for ref in outcome["oneOf"]]
    assert "BlankEnum" in choices
