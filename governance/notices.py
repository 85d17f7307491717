"""What governance tells people, in the portal and by email: the reviews given to a
reviewer, and a proposal's owner that a re-review round has opened.

Both are outbox handlers (``reviews.NOTIFY_ASSIGNMENT``, ``reviews.NOTIFY_REREVIEW_OWNER``),
recorded with the change and run after commit. Each makes one portal notification per
(event, person), which the database keeps unique, and claims its email with a conditional
update of ``emailed_at`` before sending: delivered twice, a notice is still made and mailed
once. Whoever may no longer see the proposal by then is told nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from coe_portal.mail import send_mail
from coe_portal.models import User
from governance.choices import ReviewArea, ReviewKind, ReviewStatus
from governance.models import Review
from usecases.access import can_see
from usecases.models import Notification, UseCaseEvent


def notify_assignment(event_id: int, assignee_id: int) -> bool:
    """Tell ``assignee`` the reviews an assignment event gave them (one notice for all the
    areas of a round they were given at once). Nothing when the reviews have since been
    given to someone else or decided. Returns whether an email went."""
    event = _event(event_id)
    assignee = User.objects.filter(pk=assignee_id, is_active=True).first()
    if event is None or assignee is None or not can_see(assignee, event.use_case_id):
        return False
    ids = event.data.get("reviews") or [event.data.get("review")]
    given = list(
        Review.objects.filter(pk__in=ids, assignee=assignee, status=ReviewStatus.OPEN).order_by(
            "area"
        )
    )
    if not given:
        return False
    title = event.use_case.title
    rereview = given[0].kind == ReviewKind.RE_REVIEW
    noun = ("re-review" if rereview else "review") + ("s" if len(given) > 1 else "")
    areas = _listed(r.get_area_display() for r in given)
    due = min((r.due_on for r in given if r.due_on), default=None)
    message = f"“{title}”: the {areas} {noun} {'are' if len(given) > 1 else 'is'} yours"
    message += f", due {due:%d %b %Y}." if due else "."
    link = (
        _link("governance:review", given[0].pk)
        if len(given) == 1
        else _link("governance:case", event.use_case_id)
    )
    subject = f"{'Re-review' if rereview else 'Review'} assigned to you: {title}"
    return _tell(event, assignee, message, subject, f"Open the {noun}: {link}")


def notify_rereview_owner(event_id: int) -> bool:
    """Tell the proposal's owner, once for the round, that a re-review round has opened
    (``event`` is the round's opening event). The link is the proposal's governance page,
    which its owner may read. Returns whether an email went."""
    event = _event(event_id)
    if event is None:
        return False
    owner = event.use_case.owner
    if not owner.is_active or owner.pk == event.actor_id or not can_see(owner, event.use_case_id):
        return False
    title = event.use_case.title
    areas = _listed(
        ReviewArea(a).label for a in event.data.get("areas", []) if a in ReviewArea.values
    )
    message = f"“{title}” is due for its re-review: {areas}."
    link = _link("governance:case", event.use_case_id)
    return _tell(event, owner, message, f"Re-review opened: {title}", f"Follow it here: {link}")


def _event(event_id: int) -> UseCaseEvent | None:
    return UseCaseEvent.objects.select_related("use_case__owner").filter(pk=event_id).first()


def _tell(event: UseCaseEvent, person, message: str, subject: str, link_line: str) -> bool:
    """The portal notification of ``event`` for ``person``, and its email, each once."""
    message = message[:300]
    try:
        with transaction.atomic():
            notification, _ = Notification.objects.get_or_create(
                event=event,
                recipient=person,
                defaults={"use_case": event.use_case, "message": message},
            )
    except IntegrityError:  # another worker made it first
        notification = Notification.objects.get(event=event, recipient=person)
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed or not person.email:
        return False
    send_mail(subject, f"{notification.message}\n\n{link_line}\n", None, [person.email])
    return True


def _listed(labels) -> str:
    labels = list(labels)
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _link(name: str, pk: int) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(name, args=[pk])
