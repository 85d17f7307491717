"""Celery tasks of the intake: thin wrappers that take ids and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from usecases import notifications


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
    time_limit=120,
    soft_time_limit=100,
)
def notify_event(event_id: int) -> int:
    """Notify the owner and followers of one event (status change or comment)."""
    return notifications.notify_event(event_id)
