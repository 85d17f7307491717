"""The queue and the register cost the same number of queries for 3 rows as for 30."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ConditionFactory,
    RegisterEntryFactory,
    RiskAssessmentFactory,
    UseCaseFactory,
)

pytestmark = pytest.mark.django_db

QUEUE_QUERIES = 10
REGISTER_QUERIES = 9


def make_queue(n, owner):
    for i in range(n):
        uc = UseCaseFactory(
            owner=owner,
            status=["submitted", "triage", "in_review"][i % 3],
            submitted_at=timezone.now(),
        )
        if i % 2:
            RiskAssessmentFactory(use_case=uc)


def make_register(n, owner):
    for i in range(n):
        entry = RegisterEntryFactory(
            use_case__owner=owner, use_case__status=["approved", "in_pilot", "in_production"][i % 3]
        )
        RiskAssessmentFactory(use_case=entry.use_case)
        ConditionFactory(use_case=entry.use_case)


@pytest.mark.parametrize("rows", [3, 30])
def test_queue_queries_do_not_grow_with_rows(
    client, reviewer, employee, rows, django_assert_max_num_queries
):
    make_queue(rows, employee)
    client.force_login(reviewer)
    with django_assert_max_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("governance:queue"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_register_queries_do_not_grow_with_rows(
    client, leader, employee, rows, django_assert_max_num_queries
):
    make_register(rows, employee)
    client.force_login(leader)
    with django_assert_max_num_queries(REGISTER_QUERIES):
        response = client.get(reverse("governance:register"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_api_lists_do_not_grow_with_rows(
    client, reviewer, employee, rows, django_assert_max_num_queries
):
    make_queue(rows, employee)
    make_register(rows, employee)
    client.force_login(reviewer)
    for url in (
        "/api/v1/governance/queue/",
        "/api/v1/governance/register/",
        "/api/v1/governance/reviews/",
    ):
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200
