"""Celery tasks: thin wrappers over skilling.events, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from skilling import events


@shared_task(time_limit=300, soft_time_limit=280)
def send_event_reminders() -> int:
    """Hourly (Celery beat, see migration 0003): the day-before reminder of each seat."""
    return events.send_due_reminders()


@shared_task(time_limit=60, soft_time_limit=50)
def send_seat_notice(registration_id: int) -> bool:
    """Queued after commit when someone moves up from a waiting list."""
    return events.send_seat_notice(registration_id)
