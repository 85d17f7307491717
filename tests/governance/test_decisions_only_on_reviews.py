"""A decision on a proposal in review (approve, approve with conditions, reject, request
changes) is made only by governance's decision on its reviews (issue 15): every other entry
point, the proposal page, its htmx form, the API and the Django admin, refuses it, changes
nothing and says where to decide instead."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ReviewFactory, UseCaseFactory
from usecases.choices import Status
from usecases.models import UseCase, UseCaseEvent

pytestmark = pytest.mark.django_db

DECISIONS = [
    Status.APPROVED,
    Status.APPROVED_WITH_CONDITIONS,
    Status.REJECTED,
    Status.CHANGES_REQUESTED,
]


@pytest.fixture
def in_review(employee):
    use_case = UseCaseFactory(owner=employee, status=Status.IN_REVIEW)
    ReviewFactory(use_case=use_case, area="privacy", reviewer_kind="coe")
    return use_case


@pytest.fixture(params=["champion", "reviewer", "coe_admin"])
def staff(request):
    """Everyone who once could decide directly: the department's champion and CoE staff."""
    return request.getfixturevalue(request.param)


def _unchanged(use_case) -> bool:
    use_case.refresh_from_db()
    return (
        use_case.status == Status.IN_REVIEW
        and not UseCaseEvent.objects.filter(
            use_case=use_case, kind=UseCaseEvent.Kind.TRANSITION
        ).exists()
    )


def test_the_page_offers_no_decision(client, in_review, staff):
    client.force_login(staff)
    body = client.get(in_review.get_absolute_url()).content.decode()
    for target in DECISIONS:
        assert f'value="{target}"' not in body


@pytest.mark.parametrize("target", DECISIONS)
def test_the_page_refuses_a_decision_and_sends_to_the_governance_page(
    client, in_review, staff, target
):
    client.force_login(staff)
    url = reverse("usecases:usecase_transition", args=[in_review.pk])
    response = client.post(url, {"target": target, "note": "Looks fine to me."}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("governance:case", args=[in_review.pk])
    assert "Decisions are made on the reviews" in response.content.decode()
    assert _unchanged(in_review)


@pytest.mark.parametrize("target", DECISIONS)
def test_the_htmx_form_is_answered_409(client, in_review, staff, target):
    client.force_login(staff)
    url = reverse("usecases:usecase_transition", args=[in_review.pk])
    response = client.post(url, {"target": target, "note": "Fine."}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "Decisions are made on the reviews" in response.content.decode()
    assert _unchanged(in_review)


@pytest.mark.parametrize("target", DECISIONS)
def test_the_api_answers_409_with_where_to_decide(client, in_review, staff, target):
    client.force_login(staff)
    url = reverse("use-case-transition", args=[in_review.pk])
    response = client.post(
        url, {"target": target, "note": "Fine."}, content_type="application/json"
    )
    assert response.status_code == 409
    body = response.json()
    assert "Decisions are made on the reviews" in body["detail"]
    assert body["governance_page"].endswith(reverse("governance:case", args=[in_review.pk]))
    assert body["reviews"].endswith(f"?use_case={in_review.pk}")
    assert _unchanged(in_review)


def test_the_admin_cannot_set_a_status(client, in_review, coe_admin):
    coe_admin.is_staff = coe_admin.is_superuser = True
    coe_admin.save()
    client.force_login(coe_admin)
    url = reverse("admin:usecases_usecase_change", args=[in_review.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="status"' not in form.content.decode()  # shown read-only
    fields = {name: getattr(in_review, name) for name in ("title", "problem", "solution")}
    client.post(url, {**fields, "status": Status.APPROVED, "department": in_review.department_id})
    assert UseCase.objects.get(pk=in_review.pk).status == Status.IN_REVIEW
