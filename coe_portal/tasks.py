from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from coe_portal import outbox
from coe_portal.models import PortalSettings


@shared_task(time_limit=30, soft_time_limit=25)
def record_worker_heartbeat() -> str:
    """Stamp the time a worker last ran a task, so admins can see the worker is alive."""
    now = timezone.now()
    PortalSettings.load()
    PortalSettings.objects.filter(pk=1).update(worker_seen_at=now)
    return now.isoformat()


@shared_task(time_limit=120, soft_time_limit=100)
def deliver_outbox_message(message_id: int) -> bool:
    """Deliver one side effect recorded with a change (queued after its commit)."""
    return outbox.deliver(message_id)


@shared_task(time_limit=600, soft_time_limit=540)
def deliver_outbox() -> int:
    """Every minute (Celery beat): deliver what the broker could not take at commit time,
    and forget what was delivered long ago."""
    delivered = outbox.deliver_pending()
    outbox.purge_delivered()
    return delivered
