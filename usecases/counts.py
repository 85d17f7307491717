"""The person's own figures: unread notifications, which every page's navigation shows, and
their proposals by stage, which the home page adds."""

from __future__ import annotations

from django.db.models import Count, Q

from coe_portal.models import User
from coe_portal.subqueries import count_of
from usecases.choices import LIVE_STATUSES, OPEN_STATUSES, Status
from usecases.models import Notification


def unread_count(request) -> int:
    """The person's unread notifications, for the navigation of every page: one small
    count, once per request. Cheaper to build than ``person_counts``, which only the home
    page needs whole (a page's cost is mostly Python, not SQL: issue 17)."""
    if hasattr(request, "_intake_counts"):
        return request._intake_counts["unread"]
    if not hasattr(request, "_unread_count"):
        request._unread_count = _unread(request.user).count()
    return request._unread_count


def _unread(user):
    return Notification.objects.visible_to(user).filter(read_at__isnull=True)


def person_counts(request) -> dict:
    """Drafts, open, live, changes requested and unread notifications of the person,
    counted live in one query, once per request (the navigation and the home page both ask)."""
    if not hasattr(request, "_intake_counts"):
        request._intake_counts = _count(request.user)
    return request._intake_counts


def _count(user) -> dict:
    unread = _unread(user)
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
