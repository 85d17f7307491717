"""Redis stops while people work: pages and the API keep working, and every notification
is delivered exactly once after Redis is back.

The portal under test is gunicorn with a Redis of the test's own (cache and broker), so
stopping it disturbs nobody else; the database is the test database.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection
from django.test import Client
from django.urls import reverse

from coe_portal.models import OutboxMessage, PortalSettings
from coe_portal.tokens import create_api_token
from tests.factories import UseCaseFactory
from tests.processes import (
    celery_worker,
    database_url_of,
    gunicorn,
    http,
    portal_env,
    throwaway_redis,
    wait_for,
)
from usecases.models import Notification

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ANSWERS = {
    field: value
    for field, value in UseCaseFactory.build().__dict__.items()
    if field in {"problem", "solution", "category", "business_sponsor", "intended_users",
                 "reach", "benefits", "success_measure", "data_used", "data_sensitivity",
                 "effort", "data_readiness", "platform_other"}
}  # fmt: skip


def sent_emails(directory: Path) -> list[str]:
    """The recipients of every email the file backend wrote, one entry per email."""
    recipients = []
    for path in directory.glob("*"):
        for message in path.read_text().split("-" * 79):
            to = [line[4:] for line in message.splitlines() if line.startswith("To: ")]
            recipients.extend(to)
    return recipients


def test_redis_down_loses_nothing_and_delivers_once(employee, colleague, reviewer, tmp_path):
    tokens = {
        u.username: create_api_token(actor=u, name="Fault test", lifetime=7)[1]
        for u in (employee, colleague, reviewer)
    }
    browser = Client()
    browser.force_login(employee)
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()

    with throwaway_redis() as redis_server:
        env = portal_env(database_url_of(connection), redis_server.url)
        with gunicorn(env, workers=2, log_dir=tmp_path) as web:

            def api(user, method, path, payload=None):
                started = time.monotonic()
                status, text = http(
                    method,
                    f"{web.url}/api/v1/{path}",
                    headers={"Authorization": f"Token {tokens[user.username]}",
                             "Content-Type": "application/json"},
                    body=json.dumps(payload).encode() if payload is not None else None,
                )  # fmt: skip
                # A broker that is down must not make people wait: dispatch fails fast.
                assert time.monotonic() - started < 8, f"{method} {path} took too long"
                assert 200 <= status < 300, f"{method} {path}: {status} {text[:500]}"
                return json.loads(text)

            redis_server.stop()

            # The pages and the API keep working from the database.
            for page in (reverse("home"), reverse("usecases:usecase_list")):
                status, _ = http("GET", web.url + page, headers={"Cookie": cookie})
                assert status == 200, f"{page}: {status}\n{web.log_tail()}"
            assert api(employee, "GET", "use-cases/")["count"] == 0

            # A proposal, a comment and a decision, all saved while Redis is down.
            created = api(employee, "POST", "use-cases/", {"title": "Summarise tenders", **ANSWERS})
            pk = created["id"]
            api(employee, "POST", f"use-cases/{pk}/transition/", {"target": "submitted"})
            api(colleague, "POST", f"use-cases/{pk}/comments/", {"body": "We need this too."})
            api(
                reviewer,
                "POST",
                f"use-cases/{pk}/transition/",
                {"target": "rejected", "note": "Out of scope this year.",
                 "expected_status": "submitted"},
            )  # fmt: skip
            status, _ = http(
                "GET",
                web.url + reverse("usecases:usecase_detail", args=[pk]),
                headers={"Cookie": cookie},
            )
            assert status == 200

        # Recorded, not delivered: the broker could not take them.
        assert OutboxMessage.objects.count() == 3
        assert not OutboxMessage.objects.filter(delivered_at__isnull=False).exists()
        assert not Notification.objects.exists()

        redis_server.start()
        worker_env = {
            **env,
            "DB_CONN_MAX_AGE": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        }
        with celery_worker(worker_env, name="resend", log_dir=tmp_path) as worker:
            broker = Celery(broker=redis_server.url, set_as_current=False)
            # The re-send twice (as two beats would), then a marker: the worker runs one
            # task at a time, so once the marker has run both re-sends have finished.
            broker.send_task("coe_portal.tasks.deliver_outbox")
            broker.send_task("coe_portal.tasks.deliver_outbox")
            broker.send_task("coe_portal.tasks.record_worker_heartbeat")
            try:
                wait_for(
                    lambda: PortalSettings.objects.filter(worker_seen_at__isnull=False).exists(),
                    60,
                    "the re-sends to run",
                )
            except TimeoutError:
                pytest.fail(f"the worker did not run the re-send:\n{worker.log_path.read_text()}")

    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    # The comment tells the owner; the decision tells the owner and the commenter.
    heard = sorted(Notification.objects.values_list("recipient__username", flat=True))
    assert heard == sorted([employee.username, employee.username, colleague.username])
    assert sorted(sent_emails(mail_dir)) == sorted(
        [employee.email, employee.email, colleague.email]
    )
