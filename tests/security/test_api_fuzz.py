"""The API fuzzed from its own OpenAPI schema with schemathesis (issue 8), bounded.

The schema is the document /api/v1/schema/ serves (drf-spectacular, generated in-process
at collection); the requests go to the portal's WSGI application, as a CoE admin with an
API token, on the access matrix's world, so that the endpoints answer with data rather
than 401/403. Every operation is fuzzed, the writes (POST, PUT, PATCH, DELETE) too: their
path names an object the admin can list (a random id would only ever meet a 404), and the
admin owns a draft and an enrolment so the owner-only writes are reached. Each operation
runs in its own savepoint, so what one changes is gone for the next.

Each answer must not be a server error, its status must be one the schema documents (the
refusals come from coe_portal/openapi.py), and its body must match that status's schema.
Few examples, a fixed seed (derandomize), no shrinking and no deadline keep the run
repeatable and to about a minute and a half on SQLite.
"""

from __future__ import annotations

import json
import zlib

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client as WsgiClient

from coe_portal.tokens import create_api_token
from coe_portal.wsgi import application
from tests.factories import UseCaseFactory
from tests.skilling.factories import EnrolmentFactory
from tests.test_access_matrix import world  # noqa: F401 (the objects the endpoints return)

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
WRITES = ["POST", "PUT", "PATCH", "DELETE"]


def _portal_schema() -> dict:
    """The document /api/v1/schema/ serves, generated in-process: the view itself needs a
    signed-in user, and there is no database while pytest collects."""
    generator = SchemaGenerator()
    document = generator.get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


schema = schemathesis.openapi.from_dict(_portal_schema())
schema.app = application  # requests go to the portal in-process, over WSGI


def fuzz_settings(max_examples: int, *phases: Phase):
    """``max_examples`` generated cases, plus, with ``Phase.explicit``, schemathesis'
    coverage cases (boundary and wrong-type values of each field: hundreds for a large
    body, so the writes go without them). No shrinking: bounded time."""
    return hypothesis_settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,  # the same examples on every run
        database=None,  # no .hypothesis/ example store left in the worktree
        phases=[*phases, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


@pytest.fixture
def admin_headers(db, world, settings):  # noqa: F811 (the imported fixture)
    settings.ALLOWED_HOSTS = ["localhost"]  # schemathesis' WSGI client asks for this host
    admin = world["people"]["admin"]
    _, key = create_api_token(actor=admin, name="Schema fuzz", lifetime=7)
    # The API throttle counts this person's requests in the cache; start each endpoint afresh
    # (only this key: in CI the cache is the Redis that also carries Celery's queue).
    cache.delete(f"throttle_user_{admin.pk}")
    return {"Authorization": f"Token {key}"}


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


@pytest.fixture
def existing(admin_headers, world):  # noqa: F811 (the imported fixture)
    """``existing(path, name)``: the values of the path parameter ``name`` the admin can
    reach, read from the list the path starts with (``/api/v1/use-cases/`` for
    ``/api/v1/use-cases/{id}/transition/``), once per operation."""
    admin = world["people"]["admin"]
    UseCaseFactory(owner=admin, title="The admin's own draft")
    EnrolmentFactory(user=admin, resource=world["resource"])
    # The same WSGI way in as the fuzz's requests: Django's test client would hook the
    # connection-closing signal handler back on after its request.
    client = WsgiClient(application)
    found: dict[tuple[str, str], list] = {}

    def values(path: str, name: str) -> list:
        key = (path, name)
        if key not in found:
            listing = path[: path.index("{" + name + "}")]
            response = client.get(listing, headers=admin_headers)
            results = response.json["results"] if response.status_code == 200 else []
            found[key] = [item[name] for item in results if name in item]
        return found[key]

    return values


def point_at_existing(case, existing) -> None:
    """Swap each generated path parameter for an object the admin can reach, chosen by
    the generated value (so the example still decides which)."""
    for name, generated in (case.path_parameters or {}).items():
        choices = existing(case.operation.path, name)
        if choices:
            case.path_parameters[name] = choices[zlib.crc32(str(generated).encode()) % len(choices)]


@schema.include(method="GET").parametrize()
@fuzz_settings(15, Phase.explicit)
def test_api_reads_answer_within_their_schema(case, admin_headers):
    case.call_and_validate(headers=admin_headers, checks=CHECKS)


@schema.include(method=WRITES).parametrize()
@fuzz_settings(12)
def test_api_writes_answer_within_their_schema(case, admin_headers, existing):
    point_at_existing(case, existing)
    case.call_and_validate(headers=admin_headers, checks=CHECKS)
