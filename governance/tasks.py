"""Celery tasks: thin wrappers over register.py and reviews.py. Ids in, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from coe_portal.mail import send_mail
from coe_portal.models import User
from governance import notices, register, sla
from governance.models import Review
from usecases.access import can_see
from usecases.models import UseCase, UseCaseEvent


@shared_task(time_limit=600, soft_time_limit=540)
def open_due_rereviews() -> int:
    """Daily: open re-reviews for register entries that are due."""
    # Each opened re-review's email is recorded in the outbox with it.
    return len(register.open_due_rereviews())


@shared_task(time_limit=600, soft_time_limit=540)
def remind_overdue_reviews() -> int:
    """Daily: email each assignee of an overdue review, once a day at most."""
    ids = register.overdue_reviews_to_remind()
    sla_days = sla.review_sla_days()
    today = timezone.localdate()
    for review in Review.objects.filter(pk__in=ids).select_related("use_case", "assignee"):
        assignee = review.assignee
        if assignee and assignee.email and can_see(assignee, review.use_case_id):
            age = sla.age_in_working_days(review.opened_at, today)
            due = sla.due_date(review.opened_at, sla_days)
            send_mail(
                f"Overdue review: {review.use_case.title}",
                f"The {review.get_area_display()} review of '{review.use_case.title}' has been "
                f"open {age} working days (the SLA is {sla_days}); it was due on "
                f"{due:%d %b %Y}.\n\n{_link('governance:review', review.pk)}",
                None,
                [assignee.email],
            )
    return len(ids)


@shared_task(time_limit=60, soft_time_limit=50)
def email_assignment(use_case_id: int, assignee_id: int, review_id: int | None) -> None:
    """Tell someone a proposal (or one of its reviews) was assigned to them."""
    use_case = UseCase.objects.filter(pk=use_case_id).first()
    assignee = User.objects.filter(pk=assignee_id).first()
    if use_case is None or assignee is None or not assignee.email:
        return
    if not can_see(assignee, use_case_id):  # lost the role or moved since it was assigned
        return
    link = (
        _link("governance:review", review_id)
        if review_id
        else _link("governance:case", use_case_id)
    )
    send_mail(
        f"Assigned to you: {use_case.title}",
        f"'{use_case.title}' ({use_case.department}) is yours to review.\n\n{link}",
        None,
        [assignee.email],
    )


@shared_task(time_limit=60, soft_time_limit=50)
def email_rereview_due(review_id: int) -> None:
    """Outbox messages recorded before issue 18, one per area of a re-review: each now
    gives the owner the round's single notice (``notices.notify_rereview_owner``), which
    is made and mailed once however many of them arrive. New rounds record that directly."""
    review = Review.objects.filter(pk=review_id).first()
    if review is None:
        return
    opened = (
        UseCaseEvent.objects.filter(
            use_case_id=review.use_case_id,
            kind=UseCaseEvent.Kind.REVIEW,
            data__round=review.round,
            note__startswith="Re-review opened",
        )
        .order_by("pk")
        .first()
    )
    if opened is not None:
        notices.notify_rereview_owner(opened.pk)


def _link(name: str, pk: int) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(name, args=[pk])
