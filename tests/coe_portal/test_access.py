from __future__ import annotations

import pytest
from django.urls import reverse

from coe_portal.roles import Role, has_role, is_champion_of, is_coe_staff, sees_everything
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["home", "how_it_works", "how_it_works_edit"])
def test_anonymous_is_sent_to_login(client, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_login_page_is_open(client):
    assert client.get(reverse("login")).status_code == 200


def test_login_then_lands_on_home(client, employee):
    response = client.post(
        reverse("login"), {"username": "emma", "password": "pw-for-tests-only"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert b"Start here" in response.content


def test_logout_is_post_only_and_ends_the_session(client, employee):
    client.force_login(employee)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


# role held -> (has_role, is_coe_staff, sees_everything)
ROLE_TABLE = [
    ([], False, False),
    ([Role.CHAMPION], False, False),
    ([Role.COE_REVIEWER], True, True),
    ([Role.COE_ADMIN], True, True),
    ([Role.LEADERSHIP], False, True),
]


@pytest.mark.parametrize(("roles", "staff", "everything"), ROLE_TABLE)
def test_role_helpers(roles, staff, everything):
    user = UserFactory(roles=roles)
    assert is_coe_staff(user) is staff
    assert sees_everything(user) is everything
    for role in Role:
        assert has_role(user, role) is (role in roles)


def test_superuser_holds_every_role():
    user = UserFactory(is_superuser=True)
    assert all(has_role(user, role) for role in Role)


def test_champion_acts_only_for_own_department(champion, department, other_department):
    assert is_champion_of(champion, department.id)
    assert not is_champion_of(champion, other_department.id)
    assert not is_champion_of(champion, None)


def test_employee_of_department_is_not_its_champion(employee, department):
    assert not is_champion_of(employee, department.id)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [("employee", 403), ("champion", 403), ("reviewer", 403), ("leader", 403), ("coe_admin", 200)],
)
def test_only_admins_edit_how_it_works(client, request, fixture, expected):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(reverse("how_it_works_edit")).status_code == expected
    assert client.post(reverse("markdown_preview"), {"how_it_works": "x"}).status_code == expected
