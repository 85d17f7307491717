"""Event registration with a capacity and a first-come waiting list, and the reminders.

Every change to who holds a seat at an event (registering, cancelling, changing the
capacity) locks the event's row first. That one lock is what keeps the seat count true:
two people asking for the last seat at the same moment are served one after the other, so
the second one reads the first one's seat and goes onto the waiting list.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from smtplib import SMTPException

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from coe_portal import outbox
from coe_portal.mail import send_mail
from skilling.choices import EventStatus, RegistrationStatus
from skilling.errors import SkillingError
from skilling.models import Event, EventRegistration

log = logging.getLogger(__name__)

# How long before an event its reminder goes out. The beat task runs hourly, so a
# reminder arrives between 23 and 24 hours ahead: "the day before".
REMIND_AHEAD = timedelta(hours=24)


def register_for_event(event_id: int, *, actor) -> EventRegistration:
    """Give ``actor`` a seat, or a place at the back of the waiting list when it is full.

    Registering again while registered or waiting changes nothing.
    """
    with transaction.atomic():
        # Race: two people registering for the last seat. The row lock on the event makes
        # the count below and the insert one step for each of them.
        event = Event.objects.select_for_update().get(pk=event_id)
        # Read the clock once the lock is held, so the queue order (registered_at) is the
        # order in which seats were handed out.
        now = timezone.now()
        if event.is_cancelled:
            raise SkillingError("This event is cancelled.")
        if event.starts_at <= now:
            raise SkillingError("This event has already started; registration is closed.")
        registration = EventRegistration.objects.filter(event=event, user=actor).first()
        if registration and registration.status != RegistrationStatus.CANCELLED:
            return registration

        seats = event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
        queue = event.registrations.filter(status=RegistrationStatus.WAITLISTED).exists()
        # Nobody overtakes the queue, even if a seat is momentarily free.
        confirmed = seats < event.capacity and not queue
        if registration is None:
            registration = EventRegistration(event=event, user=actor)
        registration.status = (
            RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITLISTED
        )
        registration.registered_at = now
        registration.confirmed_at = now if confirmed else None
        registration.cancelled_at = None
        registration.reminded_at = None
        registration.seat_notice_at = None
        registration.save()
    return registration


def cancel_registration(event_id: int, *, actor) -> EventRegistration | None:
    """Give up a seat or leave the waiting list; a freed seat goes to the next in line."""
    with transaction.atomic():
        # Race: a cancellation and a registration at once. Under the event lock the freed
        # seat goes to the head of the queue, never to both.
        event = Event.objects.select_for_update().get(pk=event_id)
        now = timezone.now()
        registration = EventRegistration.objects.filter(event=event, user=actor).first()
        if registration is None or registration.status == RegistrationStatus.CANCELLED:
            return registration
        held_seat = registration.status == RegistrationStatus.CONFIRMED
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        if held_seat:
            _fill_open_seats(event, now)
    return registration


def save_event(event: Event, *, actor) -> Event:
    """Create or edit an event. A larger capacity moves people up from the waiting list."""
    now = timezone.now()
    with transaction.atomic():
        if event.pk is None:
            event.created_by = actor
        else:
            # Race: someone registering while an admin lowers the capacity.
            Event.objects.select_for_update().filter(pk=event.pk).first()
            seats = event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
            if event.capacity < seats:
                raise SkillingError(
                    f"{seats} people already hold a seat: the capacity cannot be lower."
                )
        event.save()
        _fill_open_seats(event, now)
    return event


def _fill_open_seats(event: Event, now: datetime) -> list[EventRegistration]:
    """Move the head of the waiting list into free seats. Call with the event row locked."""
    if event.is_cancelled or event.starts_at <= now:
        return []
    seats = event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    free = event.capacity - seats
    if free <= 0:
        return []
    promoted = list(
        event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by(
            "registered_at", "id"
        )[:free]
    )
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
    EventRegistration.objects.bulk_update(promoted, ["status", "confirmed_at"])
    for registration in promoted:
        # Saved with the promotion, sent after commit (or by the re-send if Redis is down).
        outbox.record("skilling.events.send_seat_notice", registration_id=registration.pk)
    return promoted


def waiting_list_position(registration: EventRegistration) -> int | None:
    """1 for the head of the queue; None when not waiting."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = EventRegistration.objects.filter(
        Q(registered_at__lt=registration.registered_at)
        | Q(registered_at=registration.registered_at, id__lt=registration.id),
        event_id=registration.event_id,
        status=RegistrationStatus.WAITLISTED,
    ).count()
    return ahead + 1


def registrations_due_for_reminder(now: datetime):
    """Seats at scheduled events that start within REMIND_AHEAD and were not reminded yet."""
    return EventRegistration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        reminded_at__isnull=True,
        event__status=EventStatus.SCHEDULED,
        event__starts_at__gt=now,
        event__starts_at__lte=now + REMIND_AHEAD,
    )


def send_due_reminders(now: datetime | None = None) -> int:
    """Email each due registration once; returns how many emails were sent.

    Safe to run twice at once (two beat ticks, a retried task): each registration is
    claimed with a conditional UPDATE and only the run that claimed it sends the email.
    """
    now = now or timezone.now()
    sent = 0
    for pk in list(registrations_due_for_reminder(now).values_list("pk", flat=True)):
        claimed = EventRegistration.objects.filter(
            pk=pk, reminded_at__isnull=True, status=RegistrationStatus.CONFIRMED
        ).update(reminded_at=now)
        if claimed != 1:
            continue
        registration = EventRegistration.objects.select_related("event", "user").get(pk=pk)
        if not registration.user.email:
            continue
        try:
            _email(registration, "reminder")
        except (SMTPException, OSError):
            # Give the seat back to the next run rather than lose the reminder.
            log.exception("Reminder for registration %s failed; will retry", pk)
            EventRegistration.objects.filter(pk=pk).update(reminded_at=None)
            continue
        sent += 1
    return sent


def send_seat_notice(registration_id: int) -> bool:
    """Tell a person who moved up from the waiting list that they have a seat (once)."""
    claimed = EventRegistration.objects.filter(
        pk=registration_id,
        status=RegistrationStatus.CONFIRMED,
        seat_notice_at__isnull=True,
    ).update(seat_notice_at=timezone.now())
    if claimed != 1:
        return False
    registration = EventRegistration.objects.select_related("event", "user").get(pk=registration_id)
    if not registration.user.email:
        return False
    try:
        _email(registration, "seat_notice")
    except (SMTPException, OSError):
        EventRegistration.objects.filter(pk=registration_id).update(seat_notice_at=None)
        raise
    return True


def _email(registration: EventRegistration, kind: str) -> None:
    event = registration.event
    context = {
        "registration": registration,
        "event": event,
        "user": registration.user,
        "event_url": settings.PORTAL_BASE_URL.rstrip("/") + event.get_absolute_url(),
    }
    subjects = {
        "reminder": f"Tomorrow: {event.title}",
        "seat_notice": f"A seat opened up for you: {event.title}",
    }
    send_mail(
        subject=subjects[kind],
        message=render_to_string(f"skilling/email/{kind}.txt", context),
        from_email=None,
        recipient_list=[registration.user.email],
    )
