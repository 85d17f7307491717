"""The load test in a short, bounded form: employees and reviewers for a few seconds
against gunicorn on the test database, with the session's Celery worker delivering the
notifications. No server error, every accepted write stored once, nothing undelivered.
The full version is ``make loadtest`` (tests/load)."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection

from coe_portal.models import OutboxMessage
from tests.integration.conftest import wait_until
from tests.load import loadgen
from tests.processes import database_url_of, gunicorn, portal_env

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SECONDS = float(os.environ.get("LOADTEST_SECONDS", "10"))


def test_a_short_load_loses_nothing(celery_worker, tmp_path):
    world = loadgen.prepare(employees=12, reviewers=3)
    env = portal_env(database_url_of(connection), settings.REDIS_URL)
    with gunicorn(env, workers=3, log_dir=tmp_path) as web:
        tally = loadgen.run(web.url, world, SECONDS, think=0.1)
        server_log = web.log_tail()

    assert tally.errors == [], server_log
    assert loadgen.verify(world, tally) == []
    result = loadgen.figures(tally, SECONDS)
    assert result["proposals"] > 0 and result["comments"] > 0 and result["endorsements"] > 0
    assert result["status_changes"] > result["proposals"]  # submissions and decisions
    wait_until(lambda: not OutboxMessage.objects.filter(delivered_at__isnull=True).exists(), 180)
