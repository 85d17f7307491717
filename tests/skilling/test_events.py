"""Registration, the waiting list and the reminders (one process; the concurrent cases run
on PostgreSQL in tests/integration/test_skilling_concurrency.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from skilling import events
from skilling.choices import RegistrationStatus
from skilling.errors import SkillingError
from skilling.models import EventRegistration
from skilling.tasks import send_event_reminders
from tests.factories import UserFactory
from tests.skilling.factories import EventFactory

pytestmark = pytest.mark.django_db

CONFIRMED, WAITLISTED, CANCELLED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.CANCELLED,
)


@pytest.fixture
def people(department):
    return [UserFactory(username=f"p{i}", department=department) for i in range(5)]


def statuses(event):
    return [
        (r.user.username, r.status)
        for r in EventRegistration.objects.filter(event=event)
        .select_related("user")
        .order_by("registered_at", "id")
    ]


def test_seats_go_first_come_then_the_waiting_list(people):
    event = EventFactory(capacity=2)
    for person in people[:4]:
        events.register_for_event(event.pk, actor=person)

    assert statuses(event) == [
        ("p0", CONFIRMED), ("p1", CONFIRMED), ("p2", WAITLISTED), ("p3", WAITLISTED),
    ]  # fmt: skip


def test_waiting_list_positions(people):
    event = EventFactory(capacity=1)
    regs = [events.register_for_event(event.pk, actor=p) for p in people[:4]]

    assert [events.waiting_list_position(r) for r in regs] == [None, 1, 2, 3]


def test_registering_again_changes_nothing(people):
    event = EventFactory(capacity=1)
    first = events.register_for_event(event.pk, actor=people[0])
    again = events.register_for_event(event.pk, actor=people[0])

    assert (again.pk, again.status, again.registered_at) == (
        first.pk, CONFIRMED, first.registered_at,
    )  # fmt: skip


def test_a_cancelled_seat_goes_to_the_head_of_the_queue_who_is_emailed(
    people, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=2)
    for person in people[:4]:
        events.register_for_event(event.pk, actor=person)

    with django_capture_on_commit_callbacks(execute=True):
        events.cancel_registration(event.pk, actor=people[0])

    assert statuses(event) == [
        ("p0", CANCELLED), ("p1", CONFIRMED), ("p2", CONFIRMED), ("p3", WAITLISTED),
    ]  # fmt: skip
    assert [m.to for m in mail.outbox] == [["p2@example.com"]]
    assert "seat opened up" in mail.outbox[0].subject


def test_leaving_the_waiting_list_frees_no_seat(people):
    event = EventFactory(capacity=1)
    for person in people[:3]:
        events.register_for_event(event.pk, actor=person)

    events.cancel_registration(event.pk, actor=people[1])

    assert statuses(event) == [("p0", CONFIRMED), ("p1", CANCELLED), ("p2", WAITLISTED)]


def test_registering_again_after_cancelling_goes_to_the_back(people):
    event = EventFactory(capacity=1)
    for person in people[:3]:
        events.register_for_event(event.pk, actor=person)
    events.cancel_registration(event.pk, actor=people[0])  # p1 moves up, p2 waits

    again = events.register_for_event(event.pk, actor=people[0])

    assert again.status == WAITLISTED
    assert events.waiting_list_position(again) == 2


def test_raising_the_capacity_moves_people_up(people, coe_admin):
    event = EventFactory(capacity=1)
    for person in people[:4]:
        events.register_for_event(event.pk, actor=person)

    event.capacity = 3
    events.save_event(event, actor=coe_admin)

    assert [s for _, s in statuses(event)] == [CONFIRMED, CONFIRMED, CONFIRMED, WAITLISTED]


def test_capacity_cannot_drop_below_the_seats_taken(people, coe_admin):
    event = EventFactory(capacity=3)
    for person in people[:3]:
        events.register_for_event(event.pk, actor=person)

    event.capacity = 2
    with pytest.raises(SkillingError, match="3 people already hold a seat"):
        events.save_event(event, actor=coe_admin)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": "cancelled"}, "cancelled"),
        ({"starts_at": timezone.now() - timedelta(minutes=5)}, "already started"),
    ],
)
def test_no_registration_for_cancelled_or_started_events(people, kwargs, message):
    event = EventFactory(**kwargs)
    with pytest.raises(SkillingError, match=message):
        events.register_for_event(event.pk, actor=people[0])


# --- reminders ---------------------------------------------------------------------------

# hours until the event -> is a reminder due now?
REMINDER_WINDOW = [(2, True), (23, True), (24, True), (25, False), (24 * 7, False)]


@pytest.mark.parametrize(("hours", "due"), REMINDER_WINDOW)
def test_reminders_go_out_within_the_day_before(people, hours, due):
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=hours, seconds=-30))
    events.register_for_event(event.pk, actor=people[0])

    assert send_event_reminders() == (1 if due else 0)
    assert len(mail.outbox) == (1 if due else 0)


def test_reminder_task_run_twice_emails_once(people):
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=20), capacity=2)
    for person in people[:3]:
        events.register_for_event(event.pk, actor=person)

    assert send_event_reminders.delay().get() == 2
    assert send_event_reminders.delay().get() == 0

    # Only the two seats, not the waiting list; each once.
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@example.com", "p1@example.com"]
    assert "Tomorrow" in mail.outbox[0].subject
    assert all(r.reminded_at for r in EventRegistration.objects.filter(status=CONFIRMED))


def test_no_reminders_for_cancelled_events_or_seats(people):
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=20))
    events.register_for_event(event.pk, actor=people[0])
    events.register_for_event(event.pk, actor=people[1])
    events.cancel_registration(event.pk, actor=people[1])
    cancelled_event = EventFactory(starts_at=timezone.now() + timedelta(hours=20))
    events.register_for_event(cancelled_event.pk, actor=people[2])
    cancelled_event.status = "cancelled"
    cancelled_event.save()

    assert send_event_reminders() == 1
    assert mail.outbox[0].to == ["p0@example.com"]


def test_a_failed_email_is_retried_on_the_next_run(people, monkeypatch):
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=20))
    events.register_for_event(event.pk, actor=people[0])

    def broken(*args, **kwargs):
        raise OSError("SMTP server down")

    monkeypatch.setattr(events, "send_mail", broken)
    assert send_event_reminders() == 0
    monkeypatch.undo()
    assert send_event_reminders() == 1


def test_seat_notice_is_sent_once(people):
    event = EventFactory(capacity=1)
    events.register_for_event(event.pk, actor=people[0])
    waiting = events.register_for_event(event.pk, actor=people[1])
    events.cancel_registration(event.pk, actor=people[0])

    assert events.send_seat_notice(waiting.pk) is True
    assert events.send_seat_notice(waiting.pk) is False
    assert [m.to for m in mail.outbox] == [["p1@example.com"]]


def test_reminder_schedule_is_installed_by_the_migration():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="Event reminders")
    assert task.task == "skilling.tasks.send_event_reminders"
    assert (task.interval.every, task.interval.period) == (1, "hours")
