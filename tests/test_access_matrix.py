"""The access matrix: every URL of the portal and its API, asked for by every kind of
person, with the answer each must get.

The test walks the URL configuration itself, so a URL added without a row here fails
`test_every_url_is_in_the_matrix`. Only GET is asked: it is what a person can do by
following or guessing a link; the changes behind POST are tested view by view.
The Django admin is left to Django's own staff checks, apart from its front door.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from coe_portal.roles import Role
from tests.factories import DepartmentFactory, UseCaseFactory, UserFactory

ROLES = ("anonymous", "employee", "other_dept", "champion", "reviewer", "admin", "leader")
LOGIN = "login"  # a redirect to the login page


@dataclass
class Row:
    """Expected answers: ``default`` for every logged-in role, with per-role exceptions."""

    default: int | str
    anonymous: int | str = LOGIN
    exceptions: dict[str, int | str] = field(default_factory=dict)
    kwargs: object = None  # world -> URL kwargs

    def expected(self, role: str):
        if role == "anonymous":
            return self.anonymous
        return self.exceptions.get(role, self.default)


def only(**allowed) -> dict:
    return allowed


MATRIX: dict[str, Row] = {
    # core
    "home": Row(200),
    "how_it_works": Row(200),
    "how_it_works_edit": Row(403, exceptions=only(admin=200)),
    "markdown_preview": Row(405),  # POST only (for admins)
    "login": Row(302, anonymous=200),  # a logged-in person is sent home
    "logout": Row(405),  # POST only
    "api_token": Row(200),
    "healthz": Row(200, anonymous=200),
    "livez": Row(200, anonymous=200),
    # single sign-on: off in tests, so not there for anyone (tests/coe_portal/test_sso_flow.py
    # drives it switched on)
    "oidc_authentication_init": Row(404, anonymous=404),
    "oidc_authentication_callback": Row(404, anonymous=404),
    "admin:index": Row(302, anonymous=302, exceptions=only(admin=200)),
    # API
    "api-root": Row(200, anonymous=401),
    "api_schema": Row(200, anonymous=401),
    "api_docs": Row(200, anonymous=401),
}


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            if ns == "admin":
                continue
            yield from _walk(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def all_url_names() -> set[str]:
    return set(_walk(get_resolver().url_patterns)) | {"admin:index"}


def test_every_url_is_in_the_matrix():
    missing = all_url_names() - MATRIX.keys()
    assert not missing, f"URLs without a row in the access matrix: {sorted(missing)}"
    stale = MATRIX.keys() - all_url_names()
    assert not stale, f"Rows for URLs that no longer exist: {sorted(stale)}"


@pytest.fixture
def world(db):
    """One person per role, and the objects the URLs need."""
    finance = DepartmentFactory(name="Finance", code="finance")
    marketing = DepartmentFactory(name="Marketing", code="marketing")
    people = {
        "employee": UserFactory(department=finance),
        "other_dept": UserFactory(department=marketing),
        "champion": UserFactory(department=finance, roles=[Role.CHAMPION]),
        "reviewer": UserFactory(department=marketing, roles=[Role.COE_REVIEWER]),
        "admin": UserFactory(
            department=marketing, roles=[Role.COE_ADMIN], is_staff=True, is_superuser=True
        ),
        "leader": UserFactory(department=marketing, roles=[Role.LEADERSHIP]),
    }
    owner = people["employee"]
    return {
        "people": people,
        "draft": UseCaseFactory(owner=owner),
        "submitted": UseCaseFactory(owner=owner, status="submitted"),
        "confidential": UseCaseFactory(owner=owner, status="in_review", confidential=True),
    }


CASES = [pytest.param(name, role, id=f"{name}-{role}") for name in sorted(MATRIX) for role in ROLES]


@pytest.mark.parametrize(("url_name", "role"), CASES)
def test_access(client, world, url_name, role):
    row = MATRIX[url_name]
    kwargs = row.kwargs(world) if row.kwargs else {}
    url = reverse(url_name, kwargs=kwargs)
    if role != "anonymous":
        client.force_login(world["people"][role])

    response = client.get(url, secure=True)

    expected = row.expected(role)
    if expected == LOGIN:
        assert response.status_code == 302, f"{url} as {role}: {response.status_code}"
        assert response["Location"].startswith(reverse("login")), response["Location"]
    else:
        assert response.status_code == expected, f"{url} as {role}: {response.status_code}"
