"""The outbox: side effects saved with their change, delivered once, re-sent when the broker
was down. The concurrent cases (two deliverers at once) are in tests/integration."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError

from coe_portal import outbox, tasks
from coe_portal.models import OutboxMessage

pytestmark = pytest.mark.django_db

CALLS: list[dict] = []


def record_call(**kwargs):
    CALLS.append(kwargs)


def fail_then_succeed(**kwargs):
    CALLS.append(kwargs)
    if len(CALLS) == 1:
        raise ConnectionError("SMTP server went away")


HERE = "tests.coe_portal.test_outbox"


@pytest.fixture(autouse=True)
def _fresh_calls():
    CALLS.clear()


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", refuse)


def test_a_committed_message_is_delivered_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox.record(f"{HERE}.record_call", n=1)
        assert CALLS == []
    assert CALLS == [{"n": 1}]
    message.refresh_from_db()
    assert message.delivered_at is not None
    assert message.attempts == 1


def test_a_rolled_back_change_leaves_no_message(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.record(f"{HERE}.record_call", n=1)
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    assert CALLS == []


def test_broker_down_leaves_the_message_for_the_resend(
    broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.record(f"{HERE}.record_call", n=1)
    assert CALLS == []
    assert tasks.deliver_outbox() == 1
    assert CALLS == [{"n": 1}]


def test_delivering_twice_delivers_once():
    message = outbox.record(f"{HERE}.record_call", n=1)
    assert outbox.deliver(message.pk) is True
    assert outbox.deliver(message.pk) is False
    assert outbox.deliver_pending() == 0
    assert CALLS == [{"n": 1}]


def test_a_failing_handler_is_retried_by_the_next_resend():
    message = outbox.record(f"{HERE}.fail_then_succeed", n=1)
    assert outbox.deliver_pending() == 0
    message.refresh_from_db()
    assert message.delivered_at is None
    assert message.attempts == 1
    assert "SMTP server went away" in message.last_error
    assert outbox.deliver_pending() == 1
    message.refresh_from_db()
    assert message.delivered_at is not None
    assert message.attempts == 2


def test_a_message_that_keeps_failing_is_left_for_a_person():
    message = outbox.record(f"{HERE}.fail_then_succeed", n=1)
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=outbox.MAX_ATTEMPTS)
    assert outbox.deliver_pending() == 0
    assert CALLS == []


def test_an_admin_sees_failed_messages_and_tries_them_again(
    client, coe_admin, django_capture_on_commit_callbacks
):
    coe_admin.is_staff = coe_admin.is_superuser = True
    coe_admin.save()
    failed = outbox.record(f"{HERE}.record_call", n=7)
    OutboxMessage.objects.filter(pk=failed.pk).update(
        attempts=outbox.MAX_ATTEMPTS, last_error="ConnectionError: <b>SMTP</b> went away"
    )
    delivered = outbox.record(f"{HERE}.record_call", n=8)
    outbox.deliver(delivered.pk)
    client.force_login(coe_admin)

    page = client.get("/admin/coe_portal/outboxmessage/?state=failed").content.decode()
    assert f'value="{failed.pk}"' in page and f'value="{delivered.pk}"' not in page
    assert "&lt;b&gt;SMTP&lt;/b&gt; went away" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/coe_portal/outboxmessage/",
            {"action": "try_again", "_selected_action": [failed.pk, delivered.pk]},
        )
    failed.refresh_from_db()
    assert failed.delivered_at is not None and failed.attempts == 1
    assert CALLS == [{"n": 8}, {"n": 7}]
    assert client.get(f"/admin/coe_portal/outboxmessage/{failed.pk}/change/").status_code == 200
    assert client.get("/admin/coe_portal/outboxmessage/add/").status_code == 403


def test_the_resend_forgets_messages_delivered_long_ago():
    import datetime as dt

    from django.utils import timezone

    old, recent = (outbox.record(f"{HERE}.record_call", n=n) for n in (1, 2))
    outbox.deliver_pending()
    OutboxMessage.objects.filter(pk=old.pk).update(
        delivered_at=timezone.now() - outbox.KEEP_DELIVERED - dt.timedelta(hours=1)
    )
    tasks.deliver_outbox()
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.parametrize(
    "handler",
    [
        "usecases.notifications.notify_event",
        "governance.tasks.email_assignment",
        "governance.tasks.email_rereview_due",
        "governance.notices.notify_assignment",
        "governance.notices.notify_rereview_owner",
        "skilling.events.send_seat_notice",
        "metrics.reports.queue_generation",
        "metrics.reports.email_leadership",
    ],
)
def test_every_handler_the_code_records_can_be_imported(handler):
    assert callable(import_string(handler))


def test_the_resend_is_scheduled_every_minute():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="coe_portal.tasks.deliver_outbox")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (1, "minutes")


def test_a_seat_freed_while_the_broker_is_down_is_still_announced(
    broker_down, department, django_capture_on_commit_callbacks
):
    from skilling import events
    from skilling.models import EventRegistration
    from tests.factories import UserFactory
    from tests.skilling.factories import EventFactory

    event = EventFactory(capacity=1)
    first, second = (UserFactory(department=department) for _ in range(2))
    events.register_for_event(event.pk, actor=first)
    events.register_for_event(event.pk, actor=second)
    with django_capture_on_commit_callbacks(execute=True):
        events.cancel_registration(event.pk, actor=first)
    assert EventRegistration.objects.get(user=second).status == "confirmed"
    assert len(mail.outbox) == 0
    assert outbox.deliver_pending() == 1
    assert outbox.deliver_pending() == 0
    assert [m.to for m in mail.outbox] == [[second.email]]
