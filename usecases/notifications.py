"""Who hears of what: notification rows and emails made from a proposal's events."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from coe_portal import pagecache
from coe_portal.mail import send_mail
from coe_portal.models import User
from usecases.access import can_see
from usecases.counts import inbox
from usecases.models import Follow, Notification, UseCaseEvent


def message_for(event: UseCaseEvent) -> str:
    title = event.use_case.title
    if event.kind == UseCaseEvent.Kind.COMMENT:
        who = event.actor or "Someone"
        return f"{who} commented on “{title}”."[:300]
    to_label = event.get_to_status_display() or event.to_status
    text = f"“{title}” is now {to_label.lower()}."
    if event.note:
        text += f" Note: {event.note}"
    return text[:300]


def recipients_for(event: UseCaseEvent) -> list[User]:
    """The owner and followers, except the person who acted, who may still see it."""
    use_case = event.use_case
    # Followers from before the event: someone who follows later does not hear of the past.
    ids = set(
        Follow.objects.filter(use_case=use_case, created_at__lte=event.created_at).values_list(
            "user_id", flat=True
        )
    )
    ids.add(use_case.owner_id)
    ids.discard(event.actor_id)
    people = User.objects.filter(pk__in=ids, is_active=True).order_by("pk")
    return [user for user in people if can_see(user, use_case.pk)]


def notify_event(event_id: int) -> int:
    """Make the notifications of one event and email them. Returns how many emails were sent.

    Safe to run twice: a notification is unique per (event, person), and each email is
    claimed by a conditional update of ``emailed_at`` before it is sent.
    """
    event = UseCaseEvent.objects.select_related("use_case", "actor").filter(pk=event_id).first()
    if event is None:
        return 0
    message = message_for(event)
    people = recipients_for(event)
    for person in people:
        try:
            with transaction.atomic():
                Notification.objects.get_or_create(
                    event=event,
                    recipient=person,
                    defaults={"use_case": event.use_case, "message": message},
                )
        except IntegrityError:  # another worker made it first
            pass
    pagecache.changed(*(inbox(person.pk) for person in people))
    sent = 0
    link = settings.PORTAL_BASE_URL.rstrip("/") + event.use_case.get_absolute_url()
    pending = Notification.objects.filter(event=event, emailed_at__isnull=True).select_related(
        "recipient"
    )
    for notification in pending:
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed or not notification.recipient.email:
            continue
        send_mail(
            subject=f"[CoE Portal] {event.use_case.title}",
            message=f"{message}\n\nOpen the proposal: {link}\n",
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
        sent += 1
    return sent


def mark_read(user, notification_ids=None) -> int:
    """Mark the person's notifications read (all, or the given ids)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    marked = qs.update(read_at=timezone.now())
    pagecache.changed(inbox(user.pk))
    return marked
