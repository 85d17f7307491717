"""The person behind a session is loaded with their roles in one query, their roles apply
from their next request, and a deactivated account's session ends, with passwords and SSO
alike."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coe_portal.backends import PortalModelBackend
from coe_portal.roles import Role
from coe_portal.sso import PortalOIDCBackend
from tests.conftest import skip_or_fail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_roles_come_with_the_person_in_one_query(client):
    if not settings.IS_POSTGRES:
        skip_or_fail("the array subquery is PostgreSQL's: set DATABASE_URL=postgres://…")
    reviewer = UserFactory(roles=[Role.COE_REVIEWER, Role.LEADERSHIP])
    client.force_login(reviewer)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/governance/queue/")  # for reviewers only
    assert response.status_code == 200
    person = PortalModelBackend().get_user(reviewer.pk)
    with CaptureQueriesContext(connection) as role_queries:
        names = person.role_names

    assert names == {Role.COE_REVIEWER, Role.LEADERSHIP}
    assert not role_queries.captured_queries
    assert not [q for q in queries.captured_queries if q["sql"].startswith('SELECT "auth_group"')]


def test_a_role_given_or_taken_applies_from_the_next_request(client):
    person = UserFactory()
    client.force_login(person)
    assert client.get("/governance/queue/").status_code == 403

    person.groups.add(Group.objects.get_or_create(name=Role.COE_REVIEWER.value)[0])
    assert client.get("/governance/queue/").status_code == 200

    person.groups.clear()
    assert client.get("/governance/queue/").status_code == 403


@pytest.mark.parametrize("backend", [PortalModelBackend, PortalOIDCBackend])
def test_a_deactivated_account_has_no_session(backend):
    person = UserFactory(roles=[Role.CHAMPION])
    assert backend().get_user(person.pk).role_names == {Role.CHAMPION}

    person.is_active = False
    person.save()

    assert backend().get_user(person.pk) is None
    assert backend().get_user(person.pk + 1000) is None
