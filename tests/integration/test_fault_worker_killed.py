"""A worker is SIGKILLed while it builds a report: the task was not acknowledged (late
acknowledgement), so it comes back to the next worker, which takes the dead run over and
finishes the report once, with one email to leadership."""

from __future__ import annotations

import datetime as dt
import signal
import time

import pytest
from celery import Celery
from django.db import connection

from coe_portal.models import OutboxMessage
from metrics.models import Report
from tests.integration.test_fault_redis_down import sent_emails
from tests.processes import celery_worker, database_url_of, portal_env, throwaway_redis, wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

APP = "tests.integration.slow_report_app"


def test_a_report_whose_worker_is_killed_is_finished_once(leader, tmp_path):
    report = Report.objects.create(
        kind="adoption", period_start=dt.date(2026, 5, 1), period_end=dt.date(2026, 5, 31)
    )
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    with throwaway_redis() as redis_server:
        env = portal_env(
            database_url_of(connection),
            redis_server.url,
            DB_CONN_MAX_AGE="0",
            # Redelivery of an unacknowledged task after 3 s instead of an hour, and a run
            # older than 2 s counts as dead, so the test need not wait for production's.
            CELERY_VISIBILITY_TIMEOUT="3",
            REPORT_STALE_AFTER_SECONDS="2",
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(mail_dir),
        )
        broker = Celery(broker=redis_server.url, set_as_current=False)
        slow = {**env, "SLOW_REPORT_SECONDS": "120"}
        with celery_worker(slow, app=APP, name="doomed", log_dir=tmp_path) as doomed:
            broker.send_task("metrics.tasks.generate_report_task", args=[report.pk])
            wait_for(
                lambda: Report.objects.filter(pk=report.pk, status="running", progress=50).exists(),
                60,
                "the first worker to start the report",
            )
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=10)
        # Let the unacknowledged task outlive the visibility timeout before the next worker
        # starts: its first scan then finds it (later scans come only every ~100 s).
        time.sleep(4)
        report.refresh_from_db()
        assert (report.status, report.attempts) == ("running", 1)

        with celery_worker(env, app=APP, name="second", log_dir=tmp_path) as second:
            try:
                wait_for(
                    lambda: Report.objects.filter(pk=report.pk, status="ready").exists(),
                    60,
                    "the second worker to finish the report",
                )
                wait_for(
                    lambda: not OutboxMessage.objects.filter(delivered_at__isnull=True).exists(),
                    30,
                    "the leadership email to be delivered",
                )
            except TimeoutError as exc:
                pytest.fail(f"{exc}\n{second.log_path.read_text()[-4000:]}")
            # Asking the worker again (a duplicate delivery) changes nothing.
            broker.send_task("metrics.tasks.generate_report_task", args=[report.pk])
            broker.send_task("coe_portal.tasks.deliver_outbox")
            broker.send_task("coe_portal.tasks.record_worker_heartbeat")
            from coe_portal.models import PortalSettings

            wait_for(
                lambda: PortalSettings.objects.filter(worker_seen_at__isnull=False).exists(),
                30,
                "the duplicate to be run",
            )

    report.refresh_from_db()
    assert (report.status, report.attempts, report.progress) == ("ready", 2, 100)
    emails = OutboxMessage.objects.filter(handler="metrics.reports.email_leadership")
    assert [(m.kwargs, m.attempts) for m in emails] == [({"report_id": report.pk}, 1)]
    assert sent_emails(mail_dir) == [leader.email]
