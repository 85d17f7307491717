"""The API fuzzed from its own OpenAPI schema with schemathesis (issue 8), bounded.

The schema is the document /api/v1/schema/ serves (drf-spectacular, generated in-process
at collection); the requests go to the portal's WSGI application, as a CoE admin with an
API token so every endpoint answers with data (the access matrix's world) rather than
401/403. Only GET is fuzzed: the POST actions change state and are tested view by view.
Few examples, no shrinking and no deadline keep the run to about a minute on SQLite.
Each answer must not be a server error, and a documented answer must match its schema.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from coe_portal.wsgi import application
from tests.test_access_matrix import world  # noqa: F401 (the objects the endpoints return)


def _portal_schema() -> dict:
    """The document /api/v1/schema/ serves, generated in-process: the view itself needs a
    signed-in user, and there is no database while pytest collects."""
    generator = SchemaGenerator()
    document = generator.get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


schema = schemathesis.openapi.from_dict(_portal_schema()).include(method="GET")
schema.app = application  # requests go to the portal in-process, over WSGI


@pytest.fixture
def admin_headers(db, world, settings):  # noqa: F811 (the imported fixture)
    settings.ALLOWED_HOSTS = ["localhost"]  # schemathesis' WSGI client asks for this host
    admin = world["people"]["admin"]
    token, _ = Token.objects.get_or_create(user=admin)
    # The API throttle counts this person's requests in the cache; start each endpoint afresh
    # (only this key: in CI the cache is the Redis that also carries Celery's queue).
    cache.delete(f"throttle_user_{admin.pk}")
    return {"Authorization": f"Token {token.key}"}


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calling the WSGI application directly fires request_started/finished, whose handler
    closes a connection that is inside a transaction, as the test's is. Django's own test
    client unhooks it for the same reason; so do we, for these requests."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(
    max_examples=15,
    deadline=None,
    database=None,  # no .hypothesis/ example store left in the worktree
    phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded time
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_within_its_schema(case, admin_headers):
    case.call_and_validate(
        headers=admin_headers,
        # Not status_code_conformance: drf-spectacular documents only the success answer,
        # and 400/401/403/404 are the API's ordinary refusals, not faults.
        checks=[not_a_server_error, response_schema_conformance],
    )
