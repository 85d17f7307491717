from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from coe_portal import outbox, tokens
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


@shared_task(time_limit=300, soft_time_limit=270)
def forget_expired_sign_ins() -> dict[str, int]:
    """Every hour (Celery beat): delete what can no longer sign anyone in (API tokens and
    sessions past their expiry; both are refused anyway) and the login throttle's logs older
    than SIGN_IN_LOG_DAYS, so none of the tables grows for ever."""
    axes = AxesDatabaseHandler()
    # What SessionStore.clear_expired() does, with the count it does not return.
    sessions, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return {
        "api_tokens": tokens.delete_expired_api_tokens(),
        "sessions": sessions,
        "login_logs": axes.reset_logs(age_days=settings.SIGN_IN_LOG_DAYS),
        "login_failure_logs": axes.reset_failure_logs(age_days=settings.SIGN_IN_LOG_DAYS),
    }
