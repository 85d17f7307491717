"""The outbox: side effects recorded with the change that causes them, delivered after.

A change calls ``record(handler, **kwargs)`` inside its transaction, so the side effect is
saved if and only if the change is. After commit it is handed to Celery; if the broker is
unreachable that is logged, not raised (the person's request has succeeded), and the
periodic ``deliver_pending`` sends it once Redis is back.

Delivery locks the message row with ``SELECT … FOR UPDATE SKIP LOCKED``, calls the handler
and stamps ``delivered_at`` in the same transaction: two workers or two beat schedulers
never deliver one message twice, and a worker that dies mid-delivery leaves the row
undelivered (its transaction rolls back) for the next run.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from coe_portal.models import OutboxMessage

logger = logging.getLogger(__name__)

# After this many failed attempts a message is left for a person to look at (last_error).
MAX_ATTEMPTS = 10
# Delivered messages are kept this long (to answer "was it sent?"), then deleted.
KEEP_DELIVERED = timedelta(days=30)


def record(handler: str, **kwargs) -> OutboxMessage:
    """Record a side effect in the current transaction; it is dispatched after commit."""
    message = OutboxMessage.objects.create(handler=handler, kwargs=kwargs)
    transaction.on_commit(partial(dispatch, message.pk))
    return message


def dispatch(message_id: int) -> None:
    """Hand one message to a worker. A broker outage is logged: the re-send will deliver it."""
    from coe_portal.tasks import deliver_outbox_message

    try:
        deliver_outbox_message.delay(message_id)
    except Exception as exc:  # kombu raises several kinds when Redis is down
        logger.warning("outbox message %s left for the re-send: %s", message_id, exc)


def deliver(message_id: int) -> bool:
    """Deliver one message unless it is delivered or another process is delivering it.
    Returns whether this call delivered it."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, delivered_at__isnull=True)
            .first()
        )
        if message is None:
            return False
        message.attempts += 1
        try:
            # A savepoint: a failing handler undoes its own writes, not the attempt count.
            with transaction.atomic():
                import_string(message.handler)(**message.kwargs)
        except Exception as exc:
            logger.exception("outbox message %s failed (attempt %s)", message.pk, message.attempts)
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            message.save(update_fields=["attempts", "last_error"])
            return False
        message.delivered_at = timezone.now()
        message.save(update_fields=["attempts", "delivered_at"])
    return True


def deliver_pending(limit: int = 1000) -> int:
    """Deliver what is still undelivered, oldest first; returns how many this run delivered.
    Each message in its own transaction, so one slow email does not hold the others."""
    ids = list(
        OutboxMessage.objects.filter(delivered_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver(pk) for pk in ids)


def retry(message_ids) -> int:
    """Give undelivered messages (those that gave up after MAX_ATTEMPTS included) a fresh
    set of attempts and dispatch them after commit; returns how many."""
    ids = list(
        OutboxMessage.objects.filter(pk__in=message_ids, delivered_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    OutboxMessage.objects.filter(pk__in=ids).update(attempts=0)
    for pk in ids:
        transaction.on_commit(partial(dispatch, pk))
    return len(ids)


def purge_delivered() -> int:
    """Delete messages delivered more than KEEP_DELIVERED ago; returns how many."""
    deleted, _ = OutboxMessage.objects.filter(
        delivered_at__lt=timezone.now() - KEEP_DELIVERED
    ).delete()
    return deleted
