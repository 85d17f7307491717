"""Real services for integration tests: PostgreSQL, Redis and a Celery worker process.

The worker is a separate process started once per session against the test database, so a
task sent through Redis is run exactly as in production. Tests that use it need committed
data: mark them ``django_db(transaction=True)``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from coe_portal.celery import app as celery_app
from tests.conftest import IN_CI, skip_or_fail

ROOT = Path(__file__).resolve().parents[2]


def _missing_service() -> str | None:
    """Why the integration tests cannot run here, or None when PostgreSQL and Redis answer."""
    if not settings.IS_POSTGRES:
        return "integration tests need PostgreSQL: set DATABASE_URL=postgres://…"
    if not settings.REDIS_URL:
        return "integration tests need Redis: set REDIS_URL=redis://…"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at {settings.REDIS_URL} does not answer: {exc}"
    return None


def pytest_collection_modifyitems(config, items):
    # Decided at collection, before any database fixture runs: skipping from inside a
    # fixture would leave transactional tests half set up.
    integration = [item for item in items if "tests/integration/" in str(item.fspath)]
    for item in integration:
        item.add_marker(pytest.mark.integration)
    reason = _missing_service() if integration else None
    if reason and IN_CI:
        raise pytest.UsageError(f"CI=true but {reason}")
    if reason:
        for item in integration:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` process on the test database, stopped at the end."""
    if not (settings.IS_POSTGRES and settings.REDIS_URL):
        skip_or_fail("a Celery worker needs PostgreSQL and Redis")
    with django_db_blocker.unblock():
        db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if db.get("PASSWORD"):
        url = url.replace(f"{db['USER']}@", f"{db['USER']}:{db['PASSWORD']}@")
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {**os.environ, "DATABASE_URL": url, "DB_CONN_MAX_AGE": "0"}
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "coe_portal", "worker", "--pool=solo",
             "--loglevel=info", "--without-heartbeat", "--without-gossip", "--without-mingle",
             "-n", f"pytest-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_for_worker(worker, log_path)
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def _wait_for_worker(worker: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"the Celery worker exited early:\n{log_path.read_text()[-3000:]}")
        if celery_app.control.ping(timeout=1):
            return
    pytest.fail(
        f"the Celery worker did not answer within {timeout}s:\n{log_path.read_text()[-3000:]}"
    )


def wait_until(condition, timeout: float = 30, interval: float = 0.2):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout}s")
