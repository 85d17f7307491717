"""Event seats under real concurrency on PostgreSQL: threads, each with its own database
connection, registering and cancelling at the same moment. Capacity is never exceeded and
the waiting list stays first come, first served."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from skilling import events
from skilling.choices import RegistrationStatus
from skilling.models import Event, EventRegistration
from skilling.tasks import send_event_reminders
from tests.factories import UserFactory
from tests.integration.conftest import wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CONFIRMED, WAITLISTED = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def event(capacity: int, **kwargs) -> Event:
    starts = kwargs.pop("starts_at", timezone.now() + timedelta(days=3))
    return Event.objects.create(
        title="Concurrency workshop",
        kind="workshop",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        location="Room 1",
        capacity=capacity,
        **kwargs,
    )


def at_once(calls) -> list[BaseException]:
    """Run the callables in threads released together; each thread its own connection."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
        except BaseException as exc:  # collected and asserted empty by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def counts(event_id: int) -> dict[str, int]:
    regs = EventRegistration.objects.filter(event_id=event_id)
    return {s: regs.filter(status=s).count() for s in RegistrationStatus.values}


def test_runs_on_postgresql():
    assert connection.vendor == "postgresql"


@pytest.mark.parametrize("capacity", [1, 3])
def test_concurrent_registrations_never_exceed_capacity(capacity):
    workshop = event(capacity)
    people = [UserFactory(username=f"c{i}") for i in range(12)]

    errors = at_once([lambda p=p: events.register_for_event(workshop.pk, actor=p) for p in people])

    assert errors == []
    assert counts(workshop.pk) == {
        "confirmed": capacity,
        "waitlisted": 12 - capacity,
        "cancelled": 0,
    }
    # The waiting list is in registration order: the seats went to the earliest.
    ordered = list(EventRegistration.objects.filter(event=workshop).order_by("registered_at", "id"))
    assert [r.status for r in ordered] == [CONFIRMED] * capacity + [WAITLISTED] * (12 - capacity)


def test_concurrent_cancellations_and_registrations_keep_the_count_true():
    workshop = event(3)
    holders = [UserFactory(username=f"h{i}") for i in range(3)]
    waiting = [UserFactory(username=f"w{i}") for i in range(3)]
    newcomers = [UserFactory(username=f"n{i}") for i in range(6)]
    for person in holders + waiting:
        events.register_for_event(workshop.pk, actor=person)

    errors = at_once(
        [lambda p=p: events.cancel_registration(workshop.pk, actor=p) for p in holders]
        + [lambda p=p: events.register_for_event(workshop.pk, actor=p) for p in newcomers]
    )

    assert errors == []
    # The three freed seats went to the three who were already waiting, not to newcomers.
    seated = set(
        EventRegistration.objects.filter(event=workshop, status=CONFIRMED).values_list(
            "user__username", flat=True
        )
    )
    assert seated == {"w0", "w1", "w2"}
    assert counts(workshop.pk) == {"confirmed": 3, "waitlisted": 6, "cancelled": 3}


def test_concurrent_reminder_runs_send_each_email_once():
    starts = timezone.now() + timedelta(hours=20)
    workshop = event(5, starts_at=starts)
    for i in range(5):
        events.register_for_event(workshop.pk, actor=UserFactory(username=f"r{i}"))

    sent: list[int] = []
    errors = at_once([lambda: sent.append(events.send_due_reminders()) for _ in range(4)])

    assert errors == []
    assert sum(sent) == 5
    assert sorted(m.to[0] for m in mail.outbox) == [f"r{i}@example.com" for i in range(5)]


def test_reminder_task_runs_on_the_worker(celery_worker):
    workshop = event(2, starts_at=timezone.now() + timedelta(hours=10))
    registration = events.register_for_event(workshop.pk, actor=UserFactory(username="worker1"))

    send_event_reminders.delay()

    reminded = wait_until(
        lambda: (
            EventRegistration.objects.filter(pk=registration.pk)
            .values_list("reminded_at", flat=True)
            .first()
        )
    )
    assert reminded is not None
