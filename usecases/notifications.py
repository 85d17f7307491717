"""Who hears of what: notification rows and emails made from a proposal's events."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from coe_portal.mail import send_mail
from coe_portal.models import User
from usecases.access import can_see
from usecases.history import mentions_for
from usecases.models import Follow, Notification, NotificationQuerySet, UseCaseEvent


def message_for(event: UseCaseEvent) -> str:
    """The notification's line, the same for every recipient. The event's note and the other
    proposal it names are not in it: they depend on the reader and are added when shown
    (``inbox_for``) or mailed (``email_body``)."""
    title = event.use_case.title
    if event.kind == UseCaseEvent.Kind.COMMENT:
        who = event.actor or "Someone"
        return f"{who} commented on “{title}”."[:300]
    to_label = event.get_to_status_display() or event.to_status
    return f"“{title}” is now {to_label.lower()}."[:300]


def inbox_for(user) -> NotificationQuerySet:
    """The person's notifications, newest first, each with ``shown_note`` (the event's note
    as the person may read it now; blank for comments, whose line says so). Pass a page of
    them to ``with_mentions``."""
    return Notification.objects.visible_to(user).select_related("event")


def with_mentions(user, notifications) -> list[Notification]:
    """``notifications`` as a list, each with ``mention``: the other proposal its event
    names, as ``user`` may see it (one query for all)."""
    notifications = list(notifications)
    mentions = mentions_for(user, (n.event for n in notifications))
    for n in notifications:
        n.mention = mentions.get(n.event_id)
        if n.event.kind == UseCaseEvent.Kind.COMMENT:
            n.shown_note = ""
    return notifications


def email_body(event: UseCaseEvent, message: str, recipient) -> str:
    """The email of one notification, written for its recipient: the note only if they are
    in its audience, another proposal's title only if they may see it."""
    lines = [message]
    mention = mentions_for(recipient, [event]).get(event.pk)
    if mention:
        lines.append(mention.text)
    note = event.note_for(recipient) if event.kind != UseCaseEvent.Kind.COMMENT else ""
    if note:
        lines.append(f"Note: {note}")
    link = settings.PORTAL_BASE_URL.rstrip("/") + event.use_case.get_absolute_url()
    return "\n".join(lines) + f"\n\nOpen the proposal: {link}\n"


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
    sent = 0
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
            message=email_body(event, notification.message, notification.recipient),
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
    return marked
