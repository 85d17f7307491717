"""The three operating models through the real flow (issue 18): who reviews, who decides,
on the review page and in the API, and what the settings page says of each."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from coe_portal.models import PortalSettings
from governance import reviews
from governance.choices import Outcome, ReviewerKind
from governance.models import Review
from tests.factories import UseCaseFactory
from tests.governance.conftest import answer_all
from usecases.choices import Status

pytestmark = pytest.mark.django_db


def use_model(name: str) -> None:
    PortalSettings.objects.filter(pk=1).update(operating_model=name)


@pytest.fixture
def minimal(employee):
    """Emma's (Finance) internal chatbot on internal data: minimal risk."""
    return UseCaseFactory(
        owner=employee, status="submitted", submitted_at=timezone.now(), title="HR FAQ bot",
        data_sensitivity="internal",
    )  # fmt: skip


def accepted(use_case, actor) -> list[Review]:
    reviews.accept_for_review(use_case.pk, actor=actor)
    return list(Review.objects.filter(use_case=use_case).order_by("area"))


def page_decision(client, review, outcome=Outcome.APPROVE):
    review.refresh_from_db()
    data = {"version": review.version, "outcome": outcome, "rationale": "Reasons."}
    for pk in answer_all(review):
        data[f"a{pk}-result"] = "pass"
    return client.post(reverse("governance:review", args=[review.pk]), data)


def api_decision(user, review, outcome=Outcome.APPROVE):
    review.refresh_from_db()
    client = APIClient()
    client.force_authenticate(user)
    payload = {
        "outcome": outcome,
        "rationale": "Reasons.",
        "version": review.version,
        "answers": [{"id": pk, **a} for pk, a in answer_all(review).items()],
    }
    return client.post(f"/api/v1/governance/reviews/{review.pk}/decide/", payload, format="json")


def test_hybrid_limited_risk_champion_reviews_but_cannot_decide(
    client, submitted, champion, reviewer
):
    use_model("hybrid")
    opened = accepted(submitted, champion)  # confidential data: limited risk
    assert submitted.risk_assessment.tier == "limited"
    assert {r.reviewer_kind for r in opened} == {ReviewerKind.CHAMPION}
    assert {r.assignee_id for r in opened} == {champion.pk}  # the champion reviews

    client.force_login(champion)
    first = opened[0]
    page = client.get(reverse("governance:review", args=[first.pk])).content.decode()
    assert "CoE reviewers decide it" in page and 'name="outcome"' not in page
    # The champion saves their answers (the review) ...
    data = {"version": first.version, "outcome": "", "rationale": ""}
    data.update({f"a{pk}-result": "pass" for pk in answer_all(first)})
    assert client.post(reverse("governance:review", args=[first.pk]), data).status_code == 302
    # ... but records no decision, on the page or in the API.
    response = page_decision(client, first)
    assert response.status_code == 403
    response = api_decision(champion, first)
    assert response.status_code == 403 and "CoE reviewers decide" in response.json()["detail"]
    with pytest.raises(reviews.ReviewError, match="CoE reviewers decide"):
        reviews.decide_review(
            first.pk, actor=champion, outcome=Outcome.APPROVE, rationale="Fine.",
            answers=answer_all(first), expected_version=Review.objects.get(pk=first.pk).version,
        )  # fmt: skip
    first.refresh_from_db()
    assert first.is_open
    assert [a.result for a in first.answers.all()] == ["pass"] * first.answers.count()

    # A CoE reviewer decides, on the page and through the API.
    client.force_login(reviewer)
    assert page_decision(client, first).status_code == 302
    for review in opened[1:]:
        assert api_decision(reviewer, review).status_code == 200
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED


def test_hybrid_minimal_risk_the_champion_decides_alone(client, minimal, champion, reviewer):
    use_model("hybrid")
    (review,) = accepted(minimal, champion)
    assert minimal.risk_assessment.tier == "minimal"
    assert (review.reviewer_kind, review.assignee_id) == (ReviewerKind.CHAMPION, champion.pk)

    client.force_login(champion)
    assert page_decision(client, review).status_code == 302
    minimal.refresh_from_db()
    assert minimal.status == Status.APPROVED
    assert Review.objects.get(pk=review.pk).decided_by == champion


def test_hybrid_minimal_risk_is_not_the_coes_to_decide(minimal, champion, reviewer):
    use_model("hybrid")
    (review,) = accepted(minimal, champion)

    assert api_decision(reviewer, review).status_code == 403
    champion.groups.clear()  # the department has no champion left: the CoE takes over
    assert api_decision(reviewer, review).status_code == 200


def test_hybrid_without_a_champion_the_coe_reviews_and_decides(client, minimal, reviewer):
    use_model("hybrid")
    (review,) = accepted(minimal, reviewer)
    assert review.reviewer_kind == ReviewerKind.COE

    client.force_login(reviewer)
    assert page_decision(client, review).status_code == 302


def test_raising_the_tier_takes_a_champions_decision_to_the_coe(minimal, champion, reviewer):
    from governance.risk import override_tier

    use_model("hybrid")
    (review,) = accepted(minimal, champion)
    override_tier(minimal.pk, "limited", actor=reviewer, reason="It will face customers.")

    assert api_decision(champion, review).status_code == 403
    assert api_decision(reviewer, review).status_code == 200


def test_federated_limited_risk_the_champion_reviews_and_decides(submitted, champion, reviewer):
    use_model("federated")
    opened = accepted(submitted, reviewer)
    assert {(r.reviewer_kind, r.assignee_id) for r in opened} == {("champion", champion.pk)}

    assert api_decision(reviewer, opened[0]).status_code == 403
    for review in opened:
        assert api_decision(champion, review).status_code == 200
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED


def test_centralized_the_coe_decides_even_minimal_risk(minimal, champion, reviewer):
    (review,) = accepted(minimal, champion)
    assert (review.reviewer_kind, review.assignee_id) == (ReviewerKind.COE, reviewer.pk)

    assert api_decision(champion, review).status_code == 403
    assert api_decision(reviewer, review).status_code == 200


def test_settings_page_explains_each_model_with_an_example(client, coe_admin):
    client.force_login(coe_admin)
    body = client.get(reverse("governance:settings")).content.decode()

    assert "a minimal-risk chatbot in Finance: a CoE reviewer reviews and decides it" in body
    assert "Finance&#x27;s champion reviews and decides it; a high-risk one goes to the CoE" in body
    assert "a limited-risk one: Finance&#x27;s champion reviews it and a CoE reviewer decides" in (
        body
    )
    assert "a department with no champion has its champions&#x27; work done by the CoE" in body
    # The table under the choice is routing's own answer.
    assert "Champion reviews, CoE decides" in body


def test_the_seeded_how_it_works_page_agrees(client, employee):
    from importlib import import_module

    migration = import_module("coe_portal.migrations.0014_how_it_works_operating_models")
    client.force_login(employee)
    body = client.get(reverse("how_it_works")).content.decode()

    assert "reviews a limited-risk one that a CoE reviewer then decides" in body
    assert migration.NEW in PortalSettings.load().how_it_works
