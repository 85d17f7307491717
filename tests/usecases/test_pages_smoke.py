"""Every intake page renders for the people who may open it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UseCaseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    ["usecase_list", "my_proposals", "usecase_create", "notification_list"],
)
def test_employee_pages_render(client, employee, name):
    UseCaseFactory(owner=employee, status="submitted")
    client.force_login(employee)
    response = client.get(reverse(f"usecases:{name}"))
    assert response.status_code == 200


def test_proposal_page_renders_for_owner_and_staff(client, employee, reviewer):
    use_case = UseCaseFactory(owner=employee, status="submitted", team_roles=["data-steward"])
    for person in (employee, reviewer):
        client.force_login(person)
        response = client.get(use_case.get_absolute_url())
        assert response.status_code == 200
        assert b'id="governance-panel"' in response.content
        assert b"/learning/roles/llm-engineer/" in response.content
        assert b"/learning/roles/data-steward/" not in response.content


def test_edit_page_renders_for_owner(client, employee):
    use_case = UseCaseFactory(owner=employee)
    client.force_login(employee)
    assert client.get(reverse("usecases:usecase_edit", args=[use_case.pk])).status_code == 200


def test_home_has_intake_tiles(client, employee):
    client.force_login(employee)
    response = client.get(reverse("home"))
    assert b"Propose a use case" in response.content
    assert b"My proposals" in response.content
