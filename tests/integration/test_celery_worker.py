from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection

from coe_portal.models import PortalSettings
from coe_portal.tasks import record_worker_heartbeat
from tests.integration.conftest import wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_runs_against_real_postgres_and_redis():
    assert connection.vendor == "postgresql"
    cache.set("integration-probe", "hello", 10)
    assert cache.get("integration-probe") == "hello"


def test_task_sent_through_redis_is_run_by_the_worker(celery_worker):
    PortalSettings.objects.update_or_create(pk=1, defaults={"worker_seen_at": None})

    record_worker_heartbeat.delay()

    seen = wait_until(lambda: PortalSettings.objects.get(pk=1).worker_seen_at)
    assert seen is not None


def test_health_endpoint_reports_database_and_redis(client):
    response = client.get("/healthz", secure=True)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
