from __future__ import annotations

from django import template
from django.db.models import Count, Q

from usecases.choices import OPEN_STATUSES, LIVE_STATUSES, Status
from usecases.models import Notification, UseCase
from usecases.progress import STATUS_BADGE, next_step, who_has_it

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int:
    """One query per page, remembered on the request for a second use."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = Notification.objects.filter(
            recipient=user, read_at__isnull=True
        ).count()
    return request._unread_notifications


@register.simple_tag(takes_context=True)
def my_proposal_counts(context) -> dict:
    """Counts for the home page tiles, in one query."""
    user = context["request"].user
    return UseCase.objects.filter(owner=user).aggregate(
        drafts=Count("id", filter=Q(status=Status.DRAFT)),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES - {Status.DRAFT})),
        live=Count("id", filter=Q(status__in=LIVE_STATUSES)),
        changes=Count("id", filter=Q(status=Status.CHANGES_REQUESTED)),
    )


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGE.get(status, "")


@register.filter
def who_has(status: str) -> str:
    return who_has_it(status)


@register.filter
def next_for(status: str) -> str:
    return next_step(status)


@register.inclusion_tag("usecases/includes/status_badge.html")
def status(use_case):
    return {"use_case": use_case, "variant": STATUS_BADGE.get(use_case.status, "")}
