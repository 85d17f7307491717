"""Fixtures for every test: the people of each role, and Celery kept inline.

Three kinds of tests share these: unit and view tests (any database), integration tests
(real PostgreSQL, Redis and a Celery worker: tests/integration) and browser journeys
(headless Chromium: tests/e2e). The last two skip with a reason when their service is
missing, except with CI=true, where a missing service is a failure.
"""

from __future__ import annotations

import os

import pytest

from coe_portal.celery import app as celery_app
from coe_portal.roles import Role
from tests.factories import DepartmentFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    """Skip a test whose service is missing, or fail it in CI where every service must run."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Transactional tests (the browser journeys, the integration tests) last, as Django's
    runner orders them: each ends by emptying every table, the rows the migrations wrote
    (the policy pack, the taxonomy, the schedules) included, so a test after one would find
    them gone. pytest-django sorts them last, but pytest's own reordering for parametrised
    higher-scoped fixtures (the browser's) runs later and can pull them forward."""
    items.sort(key=_transactional)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashers are slow on purpose; tests create many users and need no secrecy."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: throttle counters and locks must not carry
    one test's requests into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _celery_inline(request):
    """Run tasks inline in every test except those that use the real worker (the
    ``celery_worker`` fixture of tests/integration). Tasks of other tests must not reach
    that worker: it would still be running them while the test's data is flushed."""
    if "celery_worker" in request.fixturenames:
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def department(db):
    return DepartmentFactory(name="Finance", code="finance")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(name="Marketing", code="marketing")


@pytest.fixture
def employee(department):
    return UserFactory(username="emma", department=department)


@pytest.fixture
def colleague(department):
    """Another employee of the same department."""
    return UserFactory(username="colin", department=department)


@pytest.fixture
def outsider(other_department):
    """An employee of another department."""
    return UserFactory(username="otto", department=other_department)


@pytest.fixture
def champion(department):
    return UserFactory(username="chloe", department=department, roles=[Role.CHAMPION])


@pytest.fixture
def reviewer(other_department):
    return UserFactory(username="rui", department=other_department, roles=[Role.COE_REVIEWER])


@pytest.fixture
def coe_admin(other_department):
    return UserFactory(username="ada", department=other_department, roles=[Role.COE_ADMIN])


@pytest.fixture
def leader(other_department):
    return UserFactory(username="leo", department=other_department, roles=[Role.LEADERSHIP])
