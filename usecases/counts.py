"""The person's own figures that every page shows (unread notifications in the navigation)
and the home page adds to (their proposals by stage)."""

from __future__ import annotations

from django.db.models import Count, Q

from coe_portal.models import User
from coe_portal.subqueries import count_of
from usecases.choices import LIVE_STATUSES, OPEN_STATUSES, Status
from usecases.models import Notification


def person_counts(request) -> dict:
    """Drafts, open, live, changes requested and unread notifications of the person,
    counted live in one query, once per request (the navigation and the home page both ask)."""
    if not hasattr(request, "_intake_counts"):
        request._intake_counts = _count(request.user)
    return request._intake_counts


def _count(user) -> dict:
    unread = Notification.objects.visible_to(user).filter(read_at__isnull=True)
    mine = "use_cases__status"
    return (
        User.objects.filter(pk=user.pk)
        .annotate(
            drafts=Count("use_cases", filter=Q(**{mine: Status.DRAFT})),
            open=Count("use_cases", filter=Q(**{f"{mine}__in": OPEN_STATUSES - {Status.DRAFT}})),
            live=Count("use_cases", filter=Q(**{f"{mine}__in": LIVE_STATUSES})),
            changes=Count("use_cases", filter=Q(**{mine: Status.CHANGES_REQUESTED})),
            unread=count_of(unread, "recipient"),
        )
        .values("drafts", "open", "live", "changes", "unread")
        .get()
    )
